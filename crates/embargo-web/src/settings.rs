//! What the web layer needs to know about the installation, set once at startup.

use std::sync::Arc;

use jiff::Timestamp;

/// The clock handlers read `now` from: the system clock in production, a fake in tests.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

#[derive(Clone, Default)]
pub struct Site {
    /// The organization's name, shown on pages.
    pub organization: String,
    /// Where the installation is reachable, without a trailing slash (links in pages,
    /// e-mails, security.txt).
    pub public_url: String,
    /// The security team's address for security.txt.
    pub contact_email: Option<String>,
    /// Languages the team reads (security.txt `Preferred-Languages`).
    pub preferred_languages: Vec<String>,
    /// The organization's security policy; defaults to the home page, which states it.
    pub policy_url: Option<String>,
    /// The team's OpenPGP public key, ASCII-armored, offered at /pgp-key.txt.
    pub team_public_key: Option<String>,
    /// Shared secret of the GitHub webhook; the endpoint is off without it.
    pub github_webhook_secret: Option<String>,
    /// Reports (and other anonymous posts) accepted per client address per hour.
    pub reports_per_hour: u32,
    /// Reverse proxies whose `X-Forwarded-For` is believed (the client address for rate
    /// limits and logs); from anyone else the socket's address counts.
    pub trusted_proxies: Vec<crate::client::ProxyNet>,
}

impl std::fmt::Debug for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Site")
            .field("organization", &self.organization)
            .field("public_url", &self.public_url)
            .field(
                "github_webhook_secret",
                &self.github_webhook_secret.as_ref().map(|_| "[redacted]"),
            )
            .finish_non_exhaustive()
    }
}

impl Site {
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.trim_end_matches('/'))
    }
}
