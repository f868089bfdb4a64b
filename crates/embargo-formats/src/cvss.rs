//! CVSS 3.1 and 4.0 vectors, parsed and scored by RustSec's `cvss` crate (which matches Red
//! Hat's reference implementation, the one `validate_cve5.py` recomputes scores with).

use std::str::FromStr;

/// A parsed vector with its base score and severity.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// The vector as the crate prints it back (normalized).
    pub vector: String,
    pub score: f64,
    /// Upper-case, as CVE JSON 5 and CSAF spell it: "NONE", "LOW", ..., "CRITICAL".
    pub severity: &'static str,
    /// The CVSS version the vector names: "3.0", "3.1" or "4.0" (CVE JSON 5 files each under
    /// its own key, `cvssV3_0` or `cvssV3_1`; CSAF's `cvss_v3` takes either).
    pub version: &'static str,
}

/// Parses and scores a CVSS 3.1 (or 3.0) vector. The score is the base score.
pub fn v3(vector: &str) -> Result<Scored, String> {
    let vector = vector.trim();
    if !(vector.starts_with("CVSS:3.1/") || vector.starts_with("CVSS:3.0/")) {
        return Err(format!(
            "{vector:?} is not a CVSS 3.1 vector (it must start with CVSS:3.1/)"
        ));
    }
    require_metrics(vector, &["AV", "AC", "PR", "UI", "S", "C", "I", "A"])?;
    let parsed = cvss::v3::Vector::from_str(vector)
        .map_err(|e| format!("{vector:?} is not a valid CVSS 3.1 vector: {e}"))?;
    let score = parsed.base_score();
    Ok(Scored {
        vector: parsed.to_string(),
        score: score.value(),
        severity: upper(score.severity()),
        version: if vector.starts_with("CVSS:3.0/") {
            "3.0"
        } else {
            "3.1"
        },
    })
}

/// Parses and scores a CVSS 4.0 vector (CVSS-B, -BT, -BE or -BTE by the metrics present).
pub fn v4(vector: &str) -> Result<Scored, String> {
    let vector = vector.trim();
    if !vector.starts_with("CVSS:4.0/") {
        return Err(format!(
            "{vector:?} is not a CVSS 4.0 vector (it must start with CVSS:4.0/)"
        ));
    }
    require_metrics(
        vector,
        &[
            "AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA",
        ],
    )?;
    let parsed = cvss::v4::Vector::from_str(vector)
        .map_err(|e| format!("{vector:?} is not a valid CVSS 4.0 vector: {e}"))?;
    let severity = upper(parsed.score().severity());
    Ok(Scored {
        vector: parsed.to_string(),
        score: parsed.score().value(),
        severity,
        version: "4.0",
    })
}

/// The parser fills missing base metrics with defaults; a vector must name them all.
fn require_metrics(vector: &str, base: &[&str]) -> Result<(), String> {
    let present: Vec<&str> = vector
        .split('/')
        .skip(1)
        .filter_map(|m| m.split_once(':').map(|(k, _)| k))
        .collect();
    let missing: Vec<&str> = base
        .iter()
        .copied()
        .filter(|m| !present.contains(m))
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{vector:?} lacks the base metric(s) {}",
            missing.join(", ")
        ))
    }
}

fn upper(s: cvss::Severity) -> &'static str {
    match s {
        cvss::Severity::None => "NONE",
        cvss::Severity::Low => "LOW",
        cvss::Severity::Medium => "MEDIUM",
        cvss::Severity::High => "HIGH",
        cvss::Severity::Critical => "CRITICAL",
    }
}

/// The advisory's headline severity: the CVSS 4.0 one if given, else 3.1, else none.
pub fn headline(advisory: &embargo_core::Advisory) -> Option<Scored> {
    let v4 = advisory.cvss_v4.as_deref().and_then(|v| v4(v).ok());
    v4.or_else(|| advisory.cvss_v3.as_deref().and_then(|v| v3(v).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_match_the_reference_implementation() {
        // Scores from FIRST's calculators (and Red Hat's `cvss`, via check_cvss.py).
        let s = v3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
        assert_eq!((s.score, s.severity), (9.8, "CRITICAL"));
        let s = v3("CVSS:3.1/AV:N/AC:L/PR:L/UI:R/S:C/C:L/I:L/A:N").unwrap();
        assert_eq!((s.score, s.severity), (5.4, "MEDIUM"));
        let s = v4("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N").unwrap();
        assert_eq!((s.score, s.severity), (6.9, "MEDIUM"));
    }

    #[test]
    fn bad_vectors_are_refused_with_the_reason() {
        assert!(
            v3("CVSS:3.1/AV:N/AC:L")
                .unwrap_err()
                .contains("lacks the base metric(s) PR, UI")
        );
        assert!(
            v3("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:Q")
                .unwrap_err()
                .contains("not a valid")
        );
        assert!(
            v3("CVSS:4.0/AV:N")
                .unwrap_err()
                .contains("must start with CVSS:3.1/")
        );
        assert!(v4("CVSS:4.0/AV:X/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N").is_err());
    }
}
