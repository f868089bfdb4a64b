//! Checked values: each constructor refuses what the type must never hold
//! ("parse, don't validate").

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// Implements `FromStr`, `Display`, `AsRef<str>` and serde through the checking constructor.
macro_rules! text_value {
    ($name:ident) => {
        impl FromStr for $name {
            type Err = ValueError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

/// A CVE id: `CVE-YYYY-NNNN` with four or more digits in the sequence part (CVE ID syntax
/// since 2014), year 1999 or later.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CveId(String);

impl CveId {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let bad = || ValueError::new("CVE id", format!("{s:?} is not of the form CVE-YYYY-NNNN"));
        let upper = s.trim().to_ascii_uppercase();
        let rest = upper.strip_prefix("CVE-").ok_or_else(bad)?;
        let (year, seq) = rest.split_once('-').ok_or_else(bad)?;
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if year.len() != 4 || !digits(year) || seq.len() < 4 || seq.len() > 19 || !digits(seq) {
            return Err(bad());
        }
        if year < "1999" {
            return Err(ValueError::new("CVE id", "has a year before 1999"));
        }
        Ok(Self(upper))
    }

    pub fn year(&self) -> u16 {
        self.0[4..8].parse().unwrap_or(0)
    }
}
text_value!(CveId);

/// A CWE id, `CWE-N`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CweId(String);

impl CweId {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let upper = s.trim().to_ascii_uppercase();
        let number = upper.strip_prefix("CWE-").unwrap_or("");
        let valid = !number.is_empty()
            && number.len() <= 7
            && number.bytes().all(|b| b.is_ascii_digit())
            && !number.starts_with('0');
        if !valid {
            return Err(ValueError::new(
                "CWE id",
                format!("{s:?} is not of the form CWE-N (e.g. CWE-79)"),
            ));
        }
        Ok(Self(upper))
    }

    pub fn number(&self) -> u32 {
        self.0[4..].parse().unwrap_or(0)
    }
}
text_value!(CweId);

/// An e-mail address: one `@`, a non-empty local part, a domain with a dot-separated
/// label structure, no spaces or control characters, at most 254 characters (RFC 5321).
/// Stored lower-cased in the domain part only: local parts may be case-sensitive.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let s = s.trim();
        let bad = |why: &str| ValueError::new("e-mail address", why.to_string());
        if s.is_empty() {
            return Err(bad("is empty"));
        }
        if s.len() > 254 {
            return Err(bad("is longer than 254 characters"));
        }
        if s.chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        {
            return Err(bad("contains spaces, angle brackets or control characters"));
        }
        let (local, domain) = s.rsplit_once('@').ok_or_else(|| bad("has no @"))?;
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return Err(bad("has an invalid part before the @"));
        }
        let labels_ok = domain.split('.').count() >= 2
            && domain.split('.').all(|l| {
                !l.is_empty()
                    && l.len() <= 63
                    && !l.starts_with('-')
                    && !l.ends_with('-')
                    && l.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        if !labels_ok {
            return Err(bad("has an invalid domain after the @"));
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }
}
text_value!(Email);

/// An IANA time zone name known to the bundled time zone database (e.g. `Europe/Paris`,
/// `UTC`). Release and announcement dates always carry one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let name = s.trim();
        match jiff::tz::db().get(name) {
            Ok(zone) => Ok(Self(zone.iana_name().unwrap_or(name).to_string())),
            Err(_) => Err(ValueError::new(
                "time zone",
                format!("{name:?} is not a known IANA time zone name (e.g. Europe/Paris, UTC)"),
            )),
        }
    }

    pub fn utc() -> Self {
        Self("UTC".to_string())
    }

    pub fn zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::db()
            .get(&self.0)
            .unwrap_or(jiff::tz::TimeZone::UTC)
    }
}
text_value!(TimeZoneName);

/// Text that must say something: trimmed, not empty, bounded. Used for reasons and messages
/// the policy requires (a rejection's message to the reporter, an extension's reason).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RequiredText(String);

impl RequiredText {
    pub const MAX_LEN: usize = 100_000;

    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(ValueError::new("text", "must not be empty"));
        }
        if t.len() > Self::MAX_LEN {
            return Err(ValueError::new(
                "text",
                format!("is longer than {} bytes", Self::MAX_LEN),
            ));
        }
        Ok(Self(t.to_string()))
    }
}
text_value!(RequiredText);

/// A project of the installation's scope (e.g. `infrastructure`), as a URL-safe slug.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProjectSlug(String);

impl ProjectSlug {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let t = s.trim();
        let ok = !t.is_empty()
            && t.len() <= 64
            && t.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !t.starts_with('-');
        if !ok {
            return Err(ValueError::new(
                "project",
                format!("{t:?} must be 1-64 lower-case letters, digits or dashes"),
            ));
        }
        Ok(Self(t.to_string()))
    }
}
text_value!(ProjectSlug);

/// Whether `c` breaks a line or controls a terminal: never part of a value typed on one line.
pub fn is_line_breaking(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// A value typed on one line (a name, a title, a fork, a credit): trimmed, 1 to `max`
/// characters, no control characters. A line break in a name would otherwise end up in a
/// mail header, a log line or an export; the error names the field.
pub fn one_line(what: &'static str, s: &str, max: usize) -> Result<String, ValueError> {
    let t = s.trim();
    if t.is_empty() {
        return Err(ValueError::new(what, "is required"));
    }
    if t.chars().any(is_line_breaking) {
        return Err(ValueError::new(
            what,
            "must be on one line, without control characters",
        ));
    }
    if t.chars().count() > max {
        return Err(ValueError::new(
            what,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(t.to_string())
}

/// A person's display name: trimmed, 1-200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        one_line("name", s, 200).map(Self)
    }
}
text_value!(DisplayName);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cve_ids() {
        assert_eq!(
            CveId::parse("cve-2024-12345").unwrap().as_ref(),
            "CVE-2024-12345"
        );
        assert_eq!(CveId::parse("CVE-2021-44228").unwrap().year(), 2021);
        for bad in [
            "CVE-2024-123",
            "CVE-24-1234",
            "CVE-2024-12a4",
            "2024-1234",
            "CVE-1998-1234",
            "",
        ] {
            assert!(CveId::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn cwe_ids() {
        assert_eq!(CweId::parse("cwe-79").unwrap().number(), 79);
        for bad in ["CWE-", "CWE-07", "79", "CWE-x"] {
            assert!(CweId::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(
            Email::parse(" Alice@Example.ORG ").unwrap().as_ref(),
            "Alice@example.org"
        );
        for bad in [
            "",
            "alice",
            "alice@",
            "@example.org",
            "a b@example.org",
            "a@localhost",
            "a@-x.org",
            "<a@b.org>",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn time_zones_come_from_the_database() {
        assert_eq!(
            TimeZoneName::parse("Europe/Paris").unwrap().as_ref(),
            "Europe/Paris"
        );
        assert!(TimeZoneName::parse("Mars/Olympus_Mons").is_err());
        let err = TimeZoneName::parse("CEST!").unwrap_err();
        assert!(err.to_string().contains("IANA"));
    }

    #[test]
    fn serde_goes_through_the_checking_constructor() {
        let ok: CveId = serde_json::from_str("\"CVE-2025-0001\"").unwrap();
        assert_eq!(ok.as_ref(), "CVE-2025-0001");
        assert!(serde_json::from_str::<CveId>("\"CVE-2025-1\"").is_err());
        assert!(serde_json::from_str::<RequiredText>("\"   \"").is_err());
        assert!(serde_json::from_str::<ProjectSlug>("\"../etc\"").is_err());
    }
}
