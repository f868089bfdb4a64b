#!/usr/bin/env python3
"""Deterministically build labelled duplicate / non-duplicate pairs of vulnerability reports.
Standard library only. Reads git clones of the three databases (bare or not; at the
commits the README names) and the GHSA extracts in ./ghsa/.

    python3 build_pairs.py PYPA_ADVISORY_DATABASE GOLANG_VULNDB RUSTSEC_ADVISORY_DB
"""
import sys
import difflib, glob, json, os, random, re, subprocess, tomllib, collections

if len(sys.argv) != 4:
    sys.exit(__doc__)
PYPA, GOVDB, RUSTSEC = sys.argv[1:4]
HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240601
CAP = 2000
ID_RE = re.compile(r'\b(?:CVE-\d{4}-\d{4,}|GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}|PYSEC-\d{4}-\d+|GO-\d{4}-\d{4,}|RUSTSEC-\d{4}-\d{4})\b', re.I)

def git_ls(repo):
    return subprocess.run(['git', '-C', repo, 'ls-tree', '-r', '--name-only', 'HEAD'], capture_output=True, text=True, check=True).stdout.split('\n')

def git_show(repo, path):
    return subprocess.run(['git', '-C', repo, 'show', 'HEAD:' + path], capture_output=True, text=True, check=True).stdout

def scrub(s):
    s = ID_RE.sub('', s or '')
    s = re.sub(r'\(\s*\)|\[\s*\]', '', s)
    s = re.sub(r'[ \t]{2,}', ' ', s)
    s = re.sub(r' +([,.;:])', r'\1', s)
    return s.strip()

def first_sentence(t):
    t = ' '.join((t or '').split())
    m = re.match(r'(.+?[.!?])(\s|$)', t)
    return (m.group(1) if m else t)[:200]

def report(src, ids, eco, pkg, summary, details):
    title = summary.strip() if summary and summary.strip() else first_sentence(details)
    return {'source': src, 'ids': sorted(set(ids)), 'ecosystem': eco, 'package': pkg,
            'title': scrub(title), 'description': scrub(details)[:CAP]}

# ---- minimal YAML reader for the PYSEC files (top-level scalars, 'aliases' list, first package name) ----
def _scalar(lines, i, first):
    first = first.strip()
    if re.fullmatch(r'[|>][0-9+-]*', first):
        out = []
        i += 1
        while i < len(lines) and (lines[i].startswith('  ') or lines[i] == ''):
            out.append(lines[i][2:]); i += 1
        sep = '\n' if first.startswith('|') else ' '
        return sep.join(out).strip(), i
    buf = [first]; i += 1
    while i < len(lines) and lines[i].startswith('  ') and not lines[i].startswith('- '):
        buf.append(lines[i].strip()); i += 1
    # join folded plain/quoted scalar lines (blank line = newline)
    text = ''
    for b in buf:
        text += ('\n' if b == '' else (' ' if text and not text.endswith('\n') else '')) + b
    if text.startswith("'") and text.endswith("'"):
        text = text[1:-1].replace("''", "'")
    elif text.startswith('"') and text.endswith('"'):
        try:
            text = json.loads(text) if '\\' in text else text[1:-1]
        except ValueError:
            text = text[1:-1]
    return text.strip(), i

def parse_pysec(txt):
    lines = txt.split('\n'); d = {'aliases': []}; i = 0
    while i < len(lines):
        ln = lines[i]
        m = re.match(r'^(id|summary|details):\s?(.*)$', ln)
        if m:
            d[m.group(1)], i = _scalar(lines, i, m.group(2)); continue
        if ln.startswith('aliases:'):
            i += 1
            while i < len(lines) and lines[i].startswith('- '):
                d['aliases'].append(lines[i][2:].strip()); i += 1
            continue
        if 'package' not in d:
            m2 = re.match(r'^\s+name:\s*(\S+)', ln)
            if m2: d['package'] = m2.group(1).strip('\'"')
        i += 1
    return d

def load_pysec():
    out = []
    for p in git_ls(PYPA):
        if p.startswith('vulns/') and p.endswith('.yaml'):
            d = parse_pysec(git_show(PYPA, p))
            if not d.get('details'): continue
            out.append(report(d['id'], [d['id']] + d['aliases'], 'PyPI', d.get('package', p.split('/')[1]), d.get('summary'), d['details']))
    return out

def load_go():
    out = []
    for p in git_ls(GOVDB):
        if p.startswith('data/osv/GO-') and p.endswith('.json'):
            d = json.loads(git_show(GOVDB, p))
            if not d.get('details') or d.get('withdrawn'): continue
            pkg = d['affected'][0]['package']['name'] if d.get('affected') else ''
            out.append(report(d['id'], [d['id']] + d.get('aliases', []), 'Go', pkg, d.get('summary'), d['details']))
    return out

def load_rustsec():
    out = []
    for p in git_ls(RUSTSEC):
        if p.startswith('crates/') and '/RUSTSEC-' in p and p.endswith('.md'):
            t = git_show(RUSTSEC, p)
            m = re.search(r'```toml\n(.*?)```\s*(.*)', t, re.S)
            if not m: continue
            a = tomllib.loads(m.group(1))['advisory']
            if a.get('informational') in ('unmaintained', 'notice') : continue
            body = m.group(2).strip()
            hm = re.match(r'#\s*(.+)\n+(.*)', body, re.S)
            title, details = (hm.group(1), hm.group(2)) if hm else ('', body)
            if not details.strip(): continue
            out.append(report(a['id'], [a['id']] + a.get('aliases', []), 'crates.io', a['package'], title, details))
    return out

def load_ghsa():
    out = []
    for f in sorted(glob.glob(os.path.join(HERE, 'ghsa', 'GHSA-*.json'))):
        d = json.load(open(f))
        pk = d['affected'][0]['package']
        out.append(report(d['id'], [d['id']] + d.get('aliases', []), pk['ecosystem'], pk['name'], d.get('summary'), d['details']))
    return out

def norm(s):
    return ' '.join(re.sub(r'[^a-z0-9 ]', ' ', s.lower()).split())

def sim(a, b):
    return difflib.SequenceMatcher(None, norm(a['description']), norm(b['description'])).ratio()

def main():
    rng = random.Random(SEED)
    dbs = {'PYSEC': load_pysec(), 'GO': load_go(), 'RUSTSEC': load_rustsec()}
    ghsa = load_ghsa()
    allrep = dbs['PYSEC'] + dbs['GO'] + dbs['RUSTSEC']
    by_id = collections.defaultdict(list)
    for r in allrep:
        for i in r['ids']: by_id[i.upper()].append(r)
    pairs = []
    # 1. duplicates: GHSA text vs PYSEC/GO/RUSTSEC entry sharing an alias, different wording
    dup_skipped = []
    for g in ghsa:
        partners = {id(r): r for i in g['ids'] for r in by_id.get(i.upper(), [])}
        for r in sorted(partners.values(), key=lambda r: r['source']):
            ratio = sim(g, r)
            nb, ng = norm(r['description']), norm(g['description'])
            contained = min(len(nb), len(ng)) > 0 and (nb in ng or ng in nb)
            if ratio >= 0.9 or contained or nb == ng:
                dup_skipped.append((g['source'], r['source'], round(ratio, 3))); continue
            pairs.append(('same-vulnerability', True, r, g, ratio))
    # 2. hard negatives: same package, different advisories, no shared alias
    bypkg = collections.defaultdict(list)
    for r in allrep: bypkg[(r['ecosystem'], r['package'].lower())].append(r)
    keys = sorted(k for k, v in bypkg.items() if len(v) >= 2)
    rng.shuffle(keys)
    hard, seen = [], set()
    for k in keys:
        if len(hard) >= 120: break
        v = sorted(bypkg[k], key=lambda r: r['source'])
        for _ in range(2 if len(v) >= 4 else 1):
            a, b = rng.sample(v, 2)
            if set(map(str.upper, a['ids'])) & set(map(str.upper, b['ids'])): continue
            if norm(a['description']) == norm(b['description']): continue
            key = tuple(sorted((a['source'], b['source'])))
            if key in seen: continue
            seen.add(key); hard.append(('same-package', False, a, b, sim(a, b)))
            if len(hard) >= 120: break
    pairs += hard
    # 3. easy negatives: different packages, same ecosystem (20 per ecosystem)
    for db in ('PYSEC', 'GO', 'RUSTSEC'):
        pool = sorted(dbs[db], key=lambda r: r['source']); n = 0
        while n < 20:
            a, b = rng.sample(pool, 2)
            if a['package'].lower() == b['package'].lower(): continue
            pairs.append(('other-package', False, a, b, sim(a, b))); n += 1
    # order: shuffle deterministically, randomise side order
    rng.shuffle(pairs)
    with open(os.path.join(HERE, 'pairs.jsonl'), 'w') as f:
        for n, (kind, dup, a, b, ratio) in enumerate(pairs, 1):
            if rng.random() < 0.5: a, b = b, a
            f.write(json.dumps({'id': f'pair-{n:04d}', 'duplicate': dup, 'kind': kind, 'a': a, 'b': b}, ensure_ascii=False) + '\n')
    c = collections.Counter(p[0] for p in pairs)
    print('pairs:', len(pairs), dict(c))
    print('duplicate candidates skipped (ratio>=0.9 or contained):', dup_skipped)

if __name__ == '__main__':
    main()
