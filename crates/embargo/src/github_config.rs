//! `[github]`: embargo does the policy's GitHub steps (draft advisories, collaborators,
//! private forks, CVE requests, publication). Off unless this section is present.
//!
//! ```toml
//! [github]
//! # As a GitHub App (recommended): its id and private key; one installation per
//! # organization, found through each repository.
//! app_id = "123456"
//! private_key_file = "github-app.pem"
//! # Or, for a small team, a fine-grained token in a file of its own:
//! # token_file = "github-token"
//! # api_url = "https://api.github.com"   # GitHub Enterprise: https://HOST/api/v3
//! # An issue per accepted case in the organization's private tracking repository:
//! # tracking_repository = "example-org/security-tracking"
//! # tracking_report_text = false          # true: the report's text goes into the issue
//! # Forks' branches copied to a private repository where Actions run (step 8):
//! # ci_repository = "example-org/embargo-ci"
//! # ci_workflow = "ci.yml"                 # started on each copy; else the push's runs
//! ```

use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::config::{Config, ConfigError};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GitHubConfig {
    #[serde(default = "default_api_url")]
    pub api_url: String,
    /// Where repositories are cloned from and pushed to (the CI mirror).
    #[serde(default = "default_git_url")]
    pub git_url: String,
    /// The GitHub App's id (with `private_key_file`).
    pub app_id: Option<String>,
    /// The App's private key (PEM, as GitHub hands it out), relative to the data directory.
    pub private_key_file: Option<PathBuf>,
    /// A file holding a token alone (instead of an App), relative to the data directory.
    pub token_file: Option<PathBuf>,
    /// `owner/name` of the private repository where each accepted case gets an issue.
    pub tracking_repository: Option<String>,
    /// Whether those issues carry the report's text (by default only its title, state,
    /// deadlines and a link back).
    #[serde(default)]
    pub tracking_report_text: bool,
    /// `owner/name` of the organization's private repository where forks' branches run
    /// CI (GitHub runs none in temporary private forks).
    pub ci_repository: Option<String>,
    /// A workflow file of that repository to start on each copied branch (`ci.yml`);
    /// without it, the runs the push triggers are observed.
    pub ci_workflow: Option<String>,
}

fn default_api_url() -> String {
    "https://api.github.com".into()
}

fn default_git_url() -> String {
    "https://github.com".into()
}

impl Config {
    /// `[github]` with its secret read and checked for shape (the credentials are checked
    /// against GitHub when `serve` starts and by `embargo github check`).
    pub fn github(&self) -> Result<Option<embargo_github::GitHub>, ConfigError> {
        let Some(c) = &self.github else {
            return Ok(None);
        };
        let url = url::Url::parse(&c.api_url).map_err(|e| ConfigError::Value {
            key: "github.api_url",
            message: format!("{:?} is not a URL: {e}", c.api_url),
        })?;
        let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
            return Err(ConfigError::Value {
                key: "github.api_url",
                message: format!(
                    "{} must be https:// (plain http only to this machine): the credentials travel with every request",
                    c.api_url
                ),
            });
        }
        let auth = match (&c.app_id, &c.private_key_file, &c.token_file) {
            (Some(app_id), Some(key_file), None) => embargo_github::Auth::App {
                app_id: app_id.trim().to_string(),
                private_key_pem: self.read_secret("github.private_key_file", key_file)?,
            },
            (None, None, Some(token_file)) => {
                let token = self.read_secret("github.token_file", token_file)?;
                if token.contains(char::is_whitespace) {
                    return Err(ConfigError::Value {
                        key: "github.token_file",
                        message: format!(
                            "{} must hold the token alone, on one line",
                            self.path(token_file).display()
                        ),
                    });
                }
                embargo_github::Auth::Token(token)
            }
            _ => {
                return Err(ConfigError::Value {
                    key: "github",
                    message: "give either app_id and private_key_file (a GitHub App) or token_file (a token), not both".into(),
                });
            }
        };
        let settings = embargo_github::Settings {
            api_url: c.api_url.trim_end_matches('/').to_string(),
            git_url: c.git_url.trim_end_matches('/').to_string(),
            auth,
        };
        let key = match &settings.auth {
            embargo_github::Auth::App { .. } => "github.private_key_file",
            embargo_github::Auth::Token(_) => "github.token_file",
        };
        embargo_github::GitHub::new(settings, Arc::new(crate::clock::now))
            .map(Some)
            .map_err(|message| ConfigError::Value { key, message })
    }

    /// `[github] tracking_repository`, checked for shape.
    pub fn github_tracking(&self) -> Result<Option<embargo_app::TrackingSettings>, ConfigError> {
        let Some(c) = &self.github else {
            return Ok(None);
        };
        let Some(repository) = &c.tracking_repository else {
            return Ok(None);
        };
        embargo_github::split_repository(repository).map_err(|message| ConfigError::Value {
            key: "github.tracking_repository",
            message,
        })?;
        Ok(Some(embargo_app::TrackingSettings {
            repository: repository.trim().to_string(),
            report_text: c.tracking_report_text,
        }))
    }

    /// `[github] ci_repository` and `ci_workflow`, checked for shape.
    pub fn github_ci(&self) -> Result<Option<embargo_app::CiMirrorSettings>, ConfigError> {
        let Some(c) = &self.github else {
            return Ok(None);
        };
        let Some(repository) = &c.ci_repository else {
            return Ok(None);
        };
        embargo_github::split_repository(repository).map_err(|message| ConfigError::Value {
            key: "github.ci_repository",
            message,
        })?;
        Ok(Some(embargo_app::CiMirrorSettings {
            repository: repository.trim().to_string(),
            workflow: c.ci_workflow.clone().filter(|w| !w.trim().is_empty()),
        }))
    }

    /// A secret file's content, trimmed; an empty file is refused.
    fn read_secret(
        &self,
        key: &'static str,
        file: &std::path::Path,
    ) -> Result<String, ConfigError> {
        let path = self.path(file);
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        let text = text.trim().to_string();
        if text.is_empty() {
            return Err(ConfigError::Value {
                key,
                message: format!("{} is empty", path.display()),
            });
        }
        Ok(text)
    }
}
