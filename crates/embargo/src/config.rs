//! One typed configuration, loaded in `main`: defaults < config file < `EMBARGO_*`
//! environment variables < command-line flags. Unknown keys are errors, so a typo never
//! silently falls back to a default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use embargo_core::Policy;
use serde::{Deserialize, Serialize};

pub const CONFIG_FILE: &str = "embargo.toml";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The file's shape: every key optional.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub database_url: Option<String>,
    pub organization: Option<String>,
    pub log: Option<String>,
    pub policy: Option<Policy>,
}

/// Settings from the environment or flags (clap fills these, flags over env).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<String>,
    pub database_url: Option<String>,
    pub organization: Option<String>,
    pub log: Option<String>,
}

/// The effective configuration.
#[derive(Debug, Clone, Serialize)]
pub struct Config {
    pub data_dir: PathBuf,
    /// The file it was read from, if any.
    pub config_file: Option<PathBuf>,
    pub listen: SocketAddr,
    pub database_url: String,
    pub organization: String,
    pub log: String,
    pub policy: Policy,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid configuration in {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid setting {key}: {message}")]
    Value { key: &'static str, message: String },
}

impl Config {
    /// Loads the configuration for `data_dir`: the file given with `--config`, else
    /// `<data_dir>/embargo.toml` when it exists, else defaults.
    pub fn load(
        data_dir: &Path,
        explicit_file: Option<&Path>,
        over: &Overrides,
    ) -> Result<Self, ConfigError> {
        let default_file = data_dir.join(CONFIG_FILE);
        let (file, path) = match explicit_file {
            Some(p) => (read_file(p)?, Some(p.to_path_buf())),
            None if default_file.exists() => (read_file(&default_file)?, Some(default_file)),
            None => (FileConfig::default(), None),
        };
        let listen_text = over
            .listen
            .clone()
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        let listen = listen_text.parse().map_err(|_| ConfigError::Value {
            key: "listen",
            message: format!("{listen_text:?} is not an address:port such as 127.0.0.1:8080"),
        })?;
        let database_url = over
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| "sqlite://embargo.db".to_string());
        let organization = over
            .organization
            .clone()
            .or(file.organization)
            .unwrap_or_else(|| "our organization".to_string());
        if organization.trim().is_empty() {
            return Err(ConfigError::Value {
                key: "organization",
                message: "must not be empty".into(),
            });
        }
        Ok(Self {
            data_dir: data_dir.to_path_buf(),
            config_file: path,
            listen,
            database_url,
            organization,
            log: over
                .log
                .clone()
                .or(file.log)
                .unwrap_or_else(|| "info".to_string()),
            policy: file.policy.unwrap_or_default(),
        })
    }

    /// The SQLite file the URL names; a relative path is relative to the data directory.
    pub fn sqlite_path(&self) -> Result<PathBuf, embargo_store::StoreError> {
        let path = embargo_store::sqlite_path(&self.database_url)?;
        Ok(if path.is_absolute() {
            path
        } else {
            self.data_dir.join(path)
        })
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// The file `embargo init` writes: every setting, commented, so an operator sees what
/// can be changed.
pub fn initial_file(organization: &str, listen: &str) -> String {
    let org = toml::Value::String(organization.to_string());
    let listen = toml::Value::String(listen.to_string());
    format!(
        "# embargo configuration. Environment variables EMBARGO_* and command-line flags\n\
         # override these settings.\n\n\
         # The organization whose security policy this installation runs.\n\
         organization = {org}\n\n\
         # Where the web app listens.\n\
         listen = {listen}\n\n\
         # The database: a SQLite file, relative to this directory.\n\
         database_url = \"sqlite://embargo.db\"\n\n\
         # Log filter (tracing's env-filter syntax), e.g. \"info\" or \"embargo=debug\".\n\
         log = \"info\"\n\n\
         # The policy's clocks, in days.\n\
         [policy]\n\
         acknowledge_within_days = 7\n\
         disclose_within_days = 90\n"
    )
}
