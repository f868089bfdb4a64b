//! The connection: credentials, installation tokens, and one request with GitHub's headers.
//! Each public call runs its blocking request on tokio's blocking pool.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

use crate::app_key::AppKey;
use crate::error::{ErrorHeaders, ErrorKind, GitHubError};

/// How embargo signs in to GitHub.
#[derive(Clone)]
#[allow(missing_debug_implementations)] // holds a secret; Settings' Debug names the kind
pub enum Auth {
    /// A fine-grained (or classic) personal access token, for small teams.
    Token(String),
    /// A GitHub App: its id and private key (PEM). Each organization's installation
    /// token is minted from a JWT and kept until shortly before it expires.
    App {
        app_id: String,
        private_key_pem: String,
    },
}

/// `[github]` as the binary loaded it.
#[derive(Clone)]
pub struct Settings {
    /// The REST API root: `https://api.github.com`.
    pub api_url: String,
    /// Where repositories are cloned from and pushed to: `https://github.com` (the CI
    /// mirror's copies).
    pub git_url: String,
    pub auth: Auth,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let auth = match &self.auth {
            Auth::Token(_) => "token".to_string(),
            Auth::App { app_id, .. } => format!("app {app_id}"),
        };
        f.debug_struct("Settings")
            .field("api_url", &self.api_url)
            .field("git_url", &self.git_url)
            .field("auth", &auth)
            .finish_non_exhaustive()
    }
}

/// An installation token and when it stops working.
#[derive(Debug, Clone)]
struct InstallationToken {
    token: String,
    expires_at: Timestamp,
}

/// A token is renewed this long before it expires, so no call starts with a dying one.
const RENEW_BEFORE_SECS: i64 = 5 * 60;

/// The wall clock, given by the binary (ARCHITECTURE.md rule 6): JWTs and token expiry
/// are about GitHub's real time.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// A connection to GitHub.
#[derive(Clone)]
pub struct GitHub {
    pub(crate) settings: Settings,
    clock: Clock,
    agent: ureq::Agent,
    key: Option<Arc<AppKey>>,
    /// Installation tokens by repository owner (organization or user).
    tokens: Arc<Mutex<HashMap<String, InstallationToken>>>,
}

impl std::fmt::Debug for GitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHub")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

/// Who a request is made as.
#[derive(Debug, Clone, Copy)]
pub(crate) enum As<'a> {
    /// The App itself (JWT): only the App's own endpoints.
    App,
    /// Whoever may act on this repository: the token, or the App's installation on its
    /// owner.
    Repo { owner: &'a str, repo: &'a str },
    /// The token, or any installation (`/users/...`, `/rate_limit`): `None` with an App
    /// means the first installation token embargo already holds.
    Anyone,
}

/// A successful answer: its JSON (`Null` when empty) and the headers embargo reads.
#[derive(Debug)]
pub(crate) struct Answer {
    pub json: Value,
    pub link: Option<String>,
}

impl GitHub {
    /// Checks the settings (the App's key parses) without calling GitHub.
    pub fn new(settings: Settings, clock: Clock) -> Result<Self, String> {
        let key = match &settings.auth {
            Auth::Token(t) if t.trim().is_empty() => {
                return Err("the GitHub token is empty".into());
            }
            Auth::Token(_) => None,
            Auth::App {
                app_id,
                private_key_pem,
            } => {
                if app_id.trim().is_empty() {
                    return Err("the GitHub App id is empty".into());
                }
                Some(Arc::new(AppKey::from_pem(private_key_pem)?))
            }
        };
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .user_agent(concat!("embargo/", env!("CARGO_PKG_VERSION")))
            .build()
            .new_agent();
        Ok(Self {
            settings,
            clock,
            agent,
            key,
            tokens: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn is_app(&self) -> bool {
        self.key.is_some()
    }

    /// Runs `f` on the blocking pool.
    pub(crate) async fn blocking<T, F>(&self, f: F) -> Result<T, GitHubError>
    where
        T: Send + 'static,
        F: FnOnce(&GitHub) -> Result<T, GitHubError> + Send + 'static,
    {
        let me = self.clone();
        tokio::task::spawn_blocking(move || f(&me))
            .await
            .map_err(|e| GitHubError::new(ErrorKind::Unexpected, format!("GitHub call: {e}")))?
    }

    /// The `Authorization` header's value for a request made `who`.
    fn authorization(&self, doing: &str, who: As<'_>) -> Result<String, GitHubError> {
        let (Some(key), Auth::App { app_id, .. }) = (&self.key, &self.settings.auth) else {
            return match &self.settings.auth {
                Auth::Token(t) => Ok(format!("Bearer {}", t.trim())),
                Auth::App { .. } => Err(GitHubError::new(
                    ErrorKind::Unexpected,
                    "the GitHub App's key is not loaded",
                )),
            };
        };
        let jwt = || {
            key.jwt(app_id.trim(), (self.clock)())
                .map(|t| format!("Bearer {t}"))
                .map_err(|e| GitHubError::new(ErrorKind::Unauthorized, e))
        };
        match who {
            As::App => jwt(),
            As::Repo { owner, repo } => Ok(format!(
                "Bearer {}",
                self.installation_token(doing, owner, repo)?
            )),
            As::Anyone => {
                let held = self
                    .tokens
                    .lock()
                    .ok()
                    .and_then(|t| t.values().next().map(|t| t.token.clone()));
                match held {
                    Some(token) => Ok(format!("Bearer {token}")),
                    None => jwt(),
                }
            }
        }
    }

    /// The token that may act on `owner/repo`: the configured one, or the App's
    /// installation token there (for git over HTTPS).
    pub(crate) fn token_for(
        &self,
        doing: &str,
        owner: &str,
        repo: &str,
    ) -> Result<String, GitHubError> {
        match &self.settings.auth {
            Auth::Token(t) => Ok(t.trim().to_string()),
            Auth::App { .. } => self.installation_token(doing, owner, repo),
        }
    }

    /// The installation token for `owner`, minted when there is none or it is about to
    /// expire: the installation is found through the repository (organizations and users
    /// alike), the token from `POST /app/installations/{id}/access_tokens`.
    fn installation_token(
        &self,
        doing: &str,
        owner: &str,
        repo: &str,
    ) -> Result<String, GitHubError> {
        let now = (self.clock)();
        if let Ok(tokens) = self.tokens.lock()
            && let Some(t) = tokens.get(owner)
            && t.expires_at.as_second() - now.as_second() > RENEW_BEFORE_SECS
        {
            return Ok(t.token.clone());
        }
        let installation = self.call(
            &format!("finding the App's installation on {owner}/{repo} while {doing}"),
            "GET",
            &format!("/repos/{}/{}/installation", seg(owner), seg(repo)),
            &[],
            None,
            As::App,
        )?;
        let id = installation.json["id"].as_u64().ok_or_else(|| {
            GitHubError::new(
                ErrorKind::Unexpected,
                format!("GitHub's answer about the installation on {owner} has no id"),
            )
        })?;
        let minted = self.call(
            &format!("getting an installation token for {owner}"),
            "POST",
            &format!("/app/installations/{id}/access_tokens"),
            &[],
            Some(&json!({})),
            As::App,
        )?;
        let token = minted.json["token"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let expires_at = minted.json["expires_at"]
            .as_str()
            .and_then(|s| s.parse::<Timestamp>().ok());
        let (false, Some(expires_at)) = (token.is_empty(), expires_at) else {
            return Err(GitHubError::new(
                ErrorKind::Unexpected,
                format!("GitHub's installation token for {owner} has no token or expiry"),
            ));
        };
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.insert(
                owner.to_string(),
                InstallationToken {
                    token: token.clone(),
                    expires_at,
                },
            );
        }
        Ok(token)
    }

    /// One request with GitHub's headers; the answer, or the error as a sentence. An
    /// installation token GitHub no longer accepts is dropped and minted once more.
    pub(crate) fn call(
        &self,
        doing: &str,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
        who: As<'_>,
    ) -> Result<Answer, GitHubError> {
        match self.call_once(doing, method, path, query, body, who) {
            Err(e) if e.kind == ErrorKind::Unauthorized && self.key.is_some() => {
                if let (As::Repo { owner, .. }, Ok(mut tokens)) = (who, self.tokens.lock()) {
                    tokens.remove(owner);
                } else {
                    return Err(e);
                }
                self.call_once(doing, method, path, query, body, who)
            }
            other => other,
        }
    }

    fn call_once(
        &self,
        doing: &str,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
        who: As<'_>,
    ) -> Result<Answer, GitHubError> {
        let mut url = format!("{}{path}", self.settings.api_url.trim_end_matches('/'));
        for (i, (k, v)) in query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(&format!("{k}={}", seg(v)));
        }
        let authorization = self.authorization(doing, who)?;
        let headers = [
            ("Accept", "application/vnd.github+json"),
            ("X-GitHub-Api-Version", "2022-11-28"),
            ("Authorization", authorization.as_str()),
        ];
        let sent = match method {
            "GET" | "DELETE" => {
                let mut r = if method == "GET" {
                    self.agent.get(&url)
                } else {
                    self.agent.delete(&url)
                };
                for (k, v) in headers {
                    r = r.header(k, v);
                }
                r.call()
            }
            m => {
                let mut r = match m {
                    "PATCH" => self.agent.patch(&url),
                    "PUT" => self.agent.put(&url),
                    _ => self.agent.post(&url),
                };
                for (k, v) in headers {
                    r = r.header(k, v);
                }
                match body {
                    None => r.send_empty(),
                    Some(value) => r
                        .header("Content-Type", "application/json")
                        .send(value.to_string()),
                }
            }
        };
        let mut response = sent.map_err(|e| {
            // ureq's messages name the host and the failure, never our headers.
            GitHubError::new(
                ErrorKind::Unavailable,
                format!("GitHub could not be reached while {doing}: {e}"),
            )
        })?;
        let status = response.status().as_u16();
        let header = |n: &str| {
            response
                .headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
        };
        let h = ErrorHeaders {
            remaining: header("x-ratelimit-remaining").and_then(|v| v.parse().ok()),
            reset: header("x-ratelimit-reset").and_then(|v| v.parse().ok()),
            retry_after: header("retry-after").and_then(|v| v.parse().ok()),
            accepted_permissions: header("x-accepted-github-permissions"),
        };
        let link = header("link");
        let text = response
            .body_mut()
            .with_config()
            .limit(32 * 1024 * 1024)
            .read_to_string()
            .map_err(|e| {
                GitHubError::new(
                    ErrorKind::Unavailable,
                    format!("GitHub's answer could not be read while {doing}: {e}"),
                )
            })?;
        if !(200..300).contains(&status) {
            // The status and the method only: the sentence names repositories and
            // advisories, which stay out of the log.
            tracing::warn!(status, method, "GitHub refused a request");
            return Err(GitHubError::from_answer(doing, status, &text, &h));
        }
        let json = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).map_err(|_| {
                GitHubError::new(
                    ErrorKind::Unexpected,
                    format!("GitHub answered {doing} with something that is not JSON"),
                )
            })?
        };
        Ok(Answer { json, link })
    }
}

/// RFC 3986's unreserved characters stay as they are.
const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// One path segment or query value, escaped.
pub(crate) fn seg(s: &str) -> String {
    utf8_percent_encode(s, ESCAPED).to_string()
}

/// `owner/name` split and checked: GitHub's own rules for both parts.
pub fn split_repository(full_name: &str) -> Result<(&str, &str), String> {
    let (owner, name) = full_name
        .trim()
        .split_once('/')
        .ok_or_else(|| format!("{full_name:?} is not owner/repository"))?;
    let ok = |s: &str| {
        !s.is_empty()
            && s.len() <= 100
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    if ok(owner) && ok(name) {
        Ok((owner, name))
    } else {
        Err(format!("{full_name:?} is not owner/repository"))
    }
}
