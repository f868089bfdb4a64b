//! The advisory editor's form: structured fields as plain text lines, so the editor works
//! without JavaScript. One affected range per line (`PURL >=INTRODUCED <FIXED`), one
//! reference per line (`[kind] URL`), one credit per line (`Name | kind | link`).

use embargo_core::{
    Advisory, Affected, AffectedRange, Credit, CreditKind, CveId, CweId, Reference, ReferenceKind,
    ValueError,
};

use crate::multipart::Posted;

/// The form's fields, as the editor shows them.
#[derive(Debug, Clone, Default)]
pub struct AdvisoryForm {
    pub title: String,
    pub summary: String,
    pub description: String,
    pub cve: String,
    pub cvss_v3: String,
    pub cvss_v4: String,
    pub cwes: String,
    pub affected: String,
    pub workarounds: String,
    pub references: String,
    pub credits: String,
}

impl AdvisoryForm {
    pub fn of(a: &Advisory) -> Self {
        let mut affected = Vec::new();
        for x in &a.affected {
            for r in &x.ranges {
                affected.push(
                    format!("{} {}", x.purl, range_text(r))
                        .trim_end()
                        .to_string(),
                );
            }
        }
        Self {
            title: a.title.clone(),
            summary: a.summary.clone(),
            description: a.description.clone(),
            cve: a.cve.as_ref().map(ToString::to_string).unwrap_or_default(),
            cvss_v3: a.cvss_v3.clone().unwrap_or_default(),
            cvss_v4: a.cvss_v4.clone().unwrap_or_default(),
            cwes: a
                .cwes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            affected: affected.join("\n"),
            workarounds: a.workarounds.clone(),
            references: a
                .references
                .iter()
                .map(|r| format!("{} {}", r.kind.as_str(), r.url))
                .collect::<Vec<_>>()
                .join("\n"),
            credits: a
                .credits
                .iter()
                .map(|c| match &c.link {
                    Some(l) => format!("{} | {} | {l}", c.name, c.kind.as_str()),
                    None => format!("{} | {}", c.name, c.kind.as_str()),
                })
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    pub fn posted(p: &Posted) -> Self {
        Self {
            title: p.text("title"),
            summary: p.text("summary"),
            description: p.text("description"),
            cve: p.text("cve"),
            cvss_v3: p.text("cvss_v3"),
            cvss_v4: p.text("cvss_v4"),
            cwes: p.text("cwes"),
            affected: p.text("affected"),
            workarounds: p.text("workarounds"),
            references: p.text("references"),
            credits: p.text("credits"),
        }
    }

    /// The advisory the form describes, or every mistake found (with line numbers).
    pub fn advisory(&self) -> Result<Advisory, Vec<ValueError>> {
        let mut errors = Vec::new();
        let cve = match self.cve.trim() {
            "" => None,
            s => CveId::parse(s).map_err(|e| errors.push(e)).ok(),
        };
        let cwes = self
            .cwes
            .split([',', ' ', '\n', '\r', '\t'])
            .filter(|s| !s.trim().is_empty())
            .filter_map(|s| CweId::parse(s).map_err(|e| errors.push(e)).ok())
            .collect();
        let affected = parse_affected(&self.affected, &mut errors);
        let references = parse_references(&self.references, &mut errors);
        let credits = parse_credits(&self.credits, &mut errors);
        let optional = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Advisory {
            title: self.title.trim().to_string(),
            summary: self.summary.trim().to_string(),
            description: self.description.trim().to_string(),
            cve,
            cvss_v3: optional(&self.cvss_v3),
            cvss_v4: optional(&self.cvss_v4),
            cwes,
            affected,
            workarounds: self.workarounds.trim().to_string(),
            references,
            credits,
        })
    }
}

/// `>=2.0.0 <2.1.1`, `<1.4.2`, `>=3.21.0`, `>=0.3.0 <=0.5.7`.
pub fn range_text(r: &AffectedRange) -> String {
    let parts: Vec<String> = r
        .bounds()
        .iter()
        .map(|(op, v)| format!("{op}{v}"))
        .collect();
    if parts.is_empty() {
        return "*".into();
    }
    parts.join(" ")
}

fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
}

fn parse_affected(text: &str, errors: &mut Vec<ValueError>) -> Vec<Affected> {
    let mut out: Vec<Affected> = Vec::new();
    for (n, line) in lines(text) {
        let mut tokens = line.split([' ', '\t', ',']).filter(|t| !t.is_empty());
        let Some(purl) = tokens.next() else { continue };
        let mut range = AffectedRange {
            introduced: "0".into(),
            fixed: None,
            last_affected: None,
        };
        for t in tokens {
            if let Some(v) = t.strip_prefix(">=") {
                range.introduced = v.to_string();
            } else if let Some(v) = t.strip_prefix("<=") {
                range.last_affected = Some(v.to_string());
            } else if let Some(v) = t.strip_prefix('<') {
                range.fixed = Some(v.to_string());
            } else if t != "*" {
                errors.push(ValueError::new(
                    "Affected package",
                    format!(
                        "line {n}: {t:?} is not a bound; write >=FIRST-AFFECTED, <FIXED or <=LAST-AFFECTED"
                    ),
                ));
            }
        }
        match out.iter_mut().find(|a| a.purl == purl) {
            Some(a) => a.ranges.push(range),
            None => out.push(Affected {
                purl: purl.to_string(),
                ranges: vec![range],
            }),
        }
    }
    out
}

fn parse_references(text: &str, errors: &mut Vec<ValueError>) -> Vec<Reference> {
    let mut out = Vec::new();
    for (n, line) in lines(text) {
        let (kind, url) = match line.split_once(char::is_whitespace) {
            Some((k, u)) => match ReferenceKind::parse(k) {
                Some(kind) => (kind, u.trim()),
                None => {
                    errors.push(ValueError::new(
                        "Reference",
                        format!(
                            "line {n}: {k:?} is not a kind of reference (use one of {})",
                            ReferenceKind::ALL.map(ReferenceKind::as_str).join(", ")
                        ),
                    ));
                    continue;
                }
            },
            None => (ReferenceKind::Web, line),
        };
        out.push(Reference {
            kind,
            url: url.to_string(),
        });
    }
    out
}

fn parse_credits(text: &str, errors: &mut Vec<ValueError>) -> Vec<Credit> {
    let mut out = Vec::new();
    for (n, line) in lines(text) {
        let mut parts = line.split('|').map(str::trim);
        let name = parts.next().unwrap_or_default().to_string();
        let kind = match parts.next().filter(|k| !k.is_empty()) {
            None => CreditKind::Other,
            Some(k) => match CreditKind::parse(&k.replace(' ', "_")) {
                Some(kind) => kind,
                None => {
                    errors.push(ValueError::new(
                        "Credit",
                        format!(
                            "line {n}: {k:?} is not a kind of credit (use one of {})",
                            CreditKind::ALL.map(CreditKind::as_str).join(", ")
                        ),
                    ));
                    continue;
                }
            },
        };
        let link = parts.next().filter(|l| !l.is_empty()).map(str::to_string);
        out.push(Credit { name, kind, link });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip() {
        let form = AdvisoryForm {
            title: "T".into(),
            affected: "pkg:pypi/x <1.4.2\npkg:pypi/x >=2.0 <2.1.1\npkg:conda/y >=3\npkg:cargo/z >=0.3 <=0.5.7".into(),
            references: "fix https://example.org/c\nhttps://example.org/w".into(),
            credits: "Ada | finder | https://github.com/ada\nBob | remediation developer".into(),
            cwes: "CWE-22, cwe-73".into(),
            ..AdvisoryForm::default()
        };
        let a = form.advisory().unwrap();
        assert_eq!(a.affected.len(), 3);
        assert_eq!(a.affected[0].ranges[1].introduced, "2.0");
        assert_eq!(a.affected[1].ranges[0].fixed, None);
        assert_eq!(
            a.affected[2].ranges[0].last_affected.as_deref(),
            Some("0.5.7")
        );
        assert_eq!(a.references[1].kind, ReferenceKind::Web);
        assert_eq!(a.credits[1].kind, CreditKind::RemediationDeveloper);
        assert_eq!(a.cwes.len(), 2);
        let again = AdvisoryForm::of(&a).advisory().unwrap();
        assert_eq!(again, a);
    }

    #[test]
    fn mistakes_name_their_line() {
        let form = AdvisoryForm {
            affected: "pkg:pypi/x <1\npkg:pypi/x 1.2".into(),
            credits: "Ada | hacker".into(),
            ..AdvisoryForm::default()
        };
        let errors = form.advisory().unwrap_err();
        let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert!(text[0].contains("line 2"), "{text:?}");
        assert!(
            text[1].contains("\"hacker\" is not a kind of credit"),
            "{text:?}"
        );
    }
}
