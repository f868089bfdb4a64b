//! The public/private boundary as types.
//!
//! Private content is wrapped in [`Private`]: it has no `Display`, its `Debug` prints
//! `[private]`, and it does not implement `Serialize`: storage and the team's views call
//! [`Private::reveal`] explicitly. A page, feed, log
//! line or error message that formats a `Private` value shows nothing of it.

use std::fmt;

use serde::Deserialize;

/// Content that is private forever (PROCESS.md, Public and private): the reporter's text
/// and contact, private comments, reproductions, fork names, internal notes.
#[derive(Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(transparent)]
pub struct Private<T>(T);

impl<T> Private<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// Access for the people allowed to see it (the team, the reporter). Every caller is a
    /// place where private content leaves the type: grep for `reveal` to audit them.
    pub fn reveal(&self) -> &T {
        &self.0
    }

    pub fn into_revealed(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Private<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[private]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_content_never_formats() {
        let secret = Private::new("MARKER-0xdeadbeef".to_string());
        assert_eq!(format!("{secret:?}"), "[private]");
        assert_eq!(format!("{:?}", Some(&secret)), "Some([private])");
        assert_eq!(secret.reveal(), "MARKER-0xdeadbeef");
    }
}
