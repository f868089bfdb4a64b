//! Attachment file names, which the sender chooses freely and a Coordinator later downloads.

/// Attachment names go through embargo-core's one rule (shared with web uploads): a safe
/// base name without paths, control or invisible characters.
pub use embargo_core::sanitize_filename;

#[cfg(test)]
mod tests {
    use super::sanitize_filename as s;

    #[test]
    fn path_tricks_become_base_names() {
        assert_eq!(s("../../etc/passwd"), "passwd");
        assert_eq!(s("C:\\x\\y.exe"), "y.exe");
        assert_eq!(s("/absolute/path/poc.py"), "poc.py");
        assert_eq!(s("..\\..\\boot.ini"), "boot.ini");
    }

    #[test]
    fn hidden_and_control_characters_go() {
        assert_eq!(s("poc\u{0}.py"), "poc.py");
        assert_eq!(s("a\r\nb\t.txt"), "ab.txt");
        assert_eq!(s("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(s("zero\u{200B}width.txt"), "zerowidth.txt");
    }

    #[test]
    fn dots_empty_and_long_names() {
        assert_eq!(s(".htaccess"), "htaccess");
        assert_eq!(s("..."), "attachment");
        assert_eq!(s(""), "attachment");
        assert_eq!(s("\u{202E}"), "attachment");
        assert_eq!(s("dir/"), "attachment");
        let long = format!("{}.tar.gz", "x".repeat(300));
        let out = s(&long);
        assert_eq!(out.chars().count(), 100);
        assert!(out.ends_with("x.gz"), "{out}");
        let long_utf8 = format!("{}.pdf", "é".repeat(300));
        let out = s(&long_utf8);
        assert_eq!(out.chars().count(), 100);
        assert!(out.ends_with("é.pdf"));
        assert_eq!(s("exploit.py"), "exploit.py");
    }
}
