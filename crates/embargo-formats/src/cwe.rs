//! CWE names, from MITRE's CWE list as the CSAF validator ships it (`cwe_names.tsv`): CSAF
//! requires a weakness's exact name beside its id, and pages show it.

use embargo_core::CweId;

const TABLE: &str = include_str!("cwe_names.tsv");

/// The official name of a weakness, if the list knows the id.
pub fn name(id: &CweId) -> Option<&'static str> {
    let number = id.number().to_string();
    TABLE
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
        .find(|(n, _)| *n == number)
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_ids() {
        let id = CweId::parse("CWE-79").unwrap();
        assert_eq!(
            name(&id),
            Some(
                "Improper Neutralization of Input During Web Page Generation ('Cross-site Scripting')"
            )
        );
        assert_eq!(name(&CweId::parse("CWE-9999999").unwrap()), None);
    }
}
