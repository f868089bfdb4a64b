//! (being written by a helper) Version ordering per ecosystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Pep440,
    Semver,
    Conda,
    Generic,
}
impl Scheme {
    pub fn for_purl_type(_t: &str) -> Self {
        Self::Generic
    }
}
