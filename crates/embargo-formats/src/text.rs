//! The advisory's long text, shared by the exports that carry one Markdown body.

use embargo_core::Publication;

/// The note every export carries when the advisory went public without a fix (the
/// disclosure deadline): PROCESS.md, "the public text then says no fix is available yet".
pub const NO_FIX_YET: &str = "No fix is available yet.";

/// Summary, description, workarounds and the no-fix note, as Markdown.
pub fn details(p: &Publication) -> String {
    let a = &p.advisory;
    let mut out = String::new();
    for part in [a.summary.trim(), a.description.trim()] {
        if !part.is_empty() {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(part);
        }
    }
    if !a.workarounds.trim().is_empty() {
        out.push_str("\n\n### Workarounds\n\n");
        out.push_str(a.workarounds.trim());
    }
    if !p.fix_available && !p.imported {
        out.push_str("\n\n");
        out.push_str(NO_FIX_YET);
    }
    out
}
