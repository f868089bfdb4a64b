//! A line difference between two texts (the CVE record CVE Services holds and the one a
//! revision would send), shown in the preview. Longest common subsequence: the texts are
//! pretty-printed records of a few hundred lines, so the quadratic table is small.

/// One line of the difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Same(String),
    Removed(String),
    Added(String),
}

/// Above this many lines on either side, the difference is "everything changed".
const MAX_LINES: usize = 4000;

/// The lines of `old` and `new`, each marked kept, removed or added, in order.
pub fn lines(old: &str, new: &str) -> Vec<Line> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len() > MAX_LINES || b.len() > MAX_LINES {
        let mut out: Vec<Line> = a.iter().map(|l| Line::Removed((*l).into())).collect();
        out.extend(b.iter().map(|l| Line::Added((*l).into())));
        return out;
    }
    // common[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let mut common = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            common[i][j] = if a[i] == b[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::with_capacity(a.len().max(b.len())));
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push(Line::Same(a[i].into()));
            (i, j) = (i + 1, j + 1);
        } else if j < b.len() && (i == a.len() || common[i][j + 1] >= common[i + 1][j]) {
            out.push(Line::Added(b[j].into()));
            j += 1;
        } else {
            out.push(Line::Removed(a[i].into()));
            i += 1;
        }
    }
    out
}

/// Only the changed lines and `context` kept lines around each change; `None` stands for
/// kept lines left out.
pub fn changes(lines: &[Line], context: usize) -> Vec<Option<Line>> {
    let changed: Vec<bool> = lines.iter().map(|l| !matches!(l, Line::Same(_))).collect();
    let near = |i: usize| {
        let from = i.saturating_sub(context);
        let to = (i + context + 1).min(lines.len());
        changed[from..to].iter().any(|c| *c)
    };
    let mut out = Vec::new();
    let mut skipped = false;
    for (i, line) in lines.iter().enumerate() {
        if near(i) {
            out.push(Some(line.clone()));
            skipped = false;
        } else if !skipped {
            out.push(None);
            skipped = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_is_removed_then_added_and_the_rest_kept() {
        let d = lines("a\nb\nc\n", "a\nB\nc\nd\n");
        assert_eq!(
            d,
            vec![
                Line::Same("a".into()),
                Line::Added("B".into()),
                Line::Removed("b".into()),
                Line::Same("c".into()),
                Line::Added("d".into()),
            ]
        );
    }

    #[test]
    fn context_keeps_lines_near_changes_only() {
        let old: String = (0..20).map(|i| format!("{i}\n")).collect();
        let new = old.replace("10\n", "ten\n");
        let shown = changes(&lines(&old, &new), 1);
        assert_eq!(shown.first(), Some(&None));
        assert!(shown.contains(&Some(Line::Added("ten".into()))));
        assert!(shown.contains(&Some(Line::Same("9".into()))));
        assert!(!shown.contains(&Some(Line::Same("7".into()))));
        assert_eq!(shown.len(), 6); // gap, 9, ten, 10, 11, gap
    }

    #[test]
    fn identical_texts_have_no_changes() {
        let d = lines("x\ny", "x\ny");
        assert!(changes(&d, 2).iter().all(Option::is_none));
    }
}
