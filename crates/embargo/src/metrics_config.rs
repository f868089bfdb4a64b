//! `[metrics]`: the Prometheus endpoint for operators, off unless this section is present.
//!
//! ```toml
//! [metrics]
//! listen = "127.0.0.1:9464"      # its own address, serving /metrics only; and/or
//! token_file = "metrics-token"   # /metrics on the main address, with this bearer token
//! ```

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use crate::config::{Config, ConfigError};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    pub listen: Option<String>,
    /// A file holding the token alone (relative to the data directory).
    pub token_file: Option<std::path::PathBuf>,
}

/// How `/metrics` is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricsSetup {
    pub listen: Option<SocketAddr>,
    pub token: Option<String>,
}

/// Tokens shorter than this are refused: the endpoint shows how busy the desk is.
const MIN_TOKEN_CHARS: usize = 16;

impl MetricsConfig {
    /// Checks the section when the configuration loads.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.listen.is_none() && self.token_file.is_none() {
            return Err(ConfigError::Value {
                key: "metrics",
                message: "give listen (an address of its own) or token_file (a bearer token \
                          on the main address), or remove the section"
                    .into(),
            });
        }
        if let Some(listen) = &self.listen {
            listen
                .parse::<SocketAddr>()
                .map_err(|_| ConfigError::Value {
                    key: "metrics.listen",
                    message: format!("{listen:?} is not an address:port such as 127.0.0.1:9464"),
                })?;
        }
        Ok(())
    }
}

impl Config {
    /// The `/metrics` setup, reading the token file; `None` when the section is absent.
    pub fn metrics_setup(&self) -> Result<Option<MetricsSetup>, ConfigError> {
        let Some(m) = &self.metrics else {
            return Ok(None);
        };
        m.check()?;
        let listen = m.listen.as_deref().and_then(|l| l.parse().ok());
        let token = match &m.token_file {
            None => None,
            Some(file) => {
                let path = self.path(file);
                let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                    path: path.clone(),
                    source,
                })?;
                let token = text.trim().to_string();
                if token.chars().count() < MIN_TOKEN_CHARS || token.contains(char::is_whitespace) {
                    return Err(ConfigError::Value {
                        key: "metrics.token_file",
                        message: format!(
                            "{} must hold the token alone, on one line, at least {MIN_TOKEN_CHARS} characters",
                            path.display()
                        ),
                    });
                }
                Some(token)
            }
        };
        Ok(Some(MetricsSetup { listen, token }))
    }
}
