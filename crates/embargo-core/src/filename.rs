//! Safe names for uploaded files: a base name only, no path, no control characters.

/// Reduces `name` to a safe base name: the part after the last `/` or `\`, without control
/// or invisible format characters or leading dots, at most 100 characters (keeping the
/// extension), or `attachment` when nothing is left.
///
/// Invisible characters go because they change how a name is shown, not what it is: a
/// right-to-left override makes `invoice\u{202E}fdp.exe` display as `invoiceexe.pdf`.
pub fn sanitize_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !is_invisible_format(*c))
        .map(|c| {
            if matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    // Dots and spaces may alternate (`. .`): trimming each once would leave a `.`.
    let cleaned = cleaned
        .trim_start_matches(|c: char| c == '.' || c.is_whitespace())
        .trim_end();
    if cleaned.is_empty() {
        return "attachment".to_string();
    }
    const MAX: usize = 100;
    if cleaned.chars().count() <= MAX {
        return cleaned.to_string();
    }
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((s, e)) if !s.is_empty() && e.chars().count() <= 10 => (s, format!(".{e}")),
        _ => (cleaned, String::new()),
    };
    let keep = MAX - ext.chars().count();
    format!("{}{ext}", stem.chars().take(keep).collect::<String>())
}

/// Bidirectional controls, zero-width characters and the byte order mark (the Unicode
/// category Cf characters that matter for names).
fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

#[cfg(test)]
mod tests {
    use super::sanitize_filename as s;

    #[test]
    fn path_tricks_become_base_names() {
        assert_eq!(s("../../etc/passwd"), "passwd");
        assert_eq!(s("C:\\Windows\\evil.exe"), "evil.exe");
        assert_eq!(s("..\\..\\..\\boot.ini"), "boot.ini");
        assert_eq!(s("poc\u{0}.py"), "poc.py");
        assert_eq!(s(".htaccess"), "htaccess");
        assert_eq!(s("..."), "attachment");
        assert_eq!(s(""), "attachment");
        assert_eq!(s("dir/"), "attachment");
        assert_eq!(s("a:b?.txt"), "a_b_.txt");
        let long = format!("{}.tar.gz", "x".repeat(300));
        let out = s(&long);
        assert_eq!(out.chars().count(), 100);
        assert!(out.ends_with(".gz"));
        assert_eq!(s("exploit.py"), "exploit.py");
        assert_eq!(s("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(s("zero\u{200B}width.txt"), "zerowidth.txt");
        assert_eq!(s("\u{202E}"), "attachment");
    }
}
