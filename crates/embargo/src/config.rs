//! One typed configuration, loaded in `main`: defaults < config file < `EMBARGO_*`
//! environment variables < command-line flags. Unknown keys are errors, so a typo never
//! silently falls back to a default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use embargo_core::Policy;
use serde::{Deserialize, Serialize};

pub const CONFIG_FILE: &str = "embargo.toml";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// A secret setting: never printed, logged or serialized.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

fn without_password<S: serde::Serializer>(url: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&embargo_store::redacted_url(url))
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("[redacted]")
    }
}

/// The OSV query's documents kept in memory by default, in MiB.
pub const DEFAULT_OSV_DOCUMENTS_MIB: u32 = (embargo_app::OSV_DOCUMENT_BYTES >> 20) as u32;

/// The file's shape: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub public_url: Option<String>,
    pub database_url: Option<String>,
    pub organization: Option<String>,
    pub log: Option<String>,
    /// Requests served at once; more are shed with 503 and `Retry-After`.
    pub max_in_flight: Option<usize>,
    /// MiB of OSV documents the OSV query keeps in memory between queries.
    pub osv_documents_mib: Option<u32>,
    pub policy: Option<Policy>,
    pub intake: Option<IntakeConfig>,
    pub openpgp: Option<OpenPgpConfig>,
    pub smtp: Option<SmtpConfig>,
    pub matrix: Option<MatrixConfig>,
    #[serde(default)]
    pub webhooks: Vec<WebhookConfig>,
    pub publication: Option<PublicationConfig>,
    pub worker: Option<WorkerConfig>,
    pub cve_services: Option<CveServicesConfig>,
    pub github: Option<crate::github_config::GitHubConfig>,
    pub metrics: Option<crate::metrics_config::MetricsConfig>,
}

/// CVE Services, for a CNA: ids reserved, records published at the announcement time.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CveServicesConfig {
    /// The API root: `https://cveawg.mitre.org/api` (production), or the test
    /// environment `https://cveawg-test.mitre.org/api`.
    #[serde(default = "default_cve_services_url")]
    pub url: String,
    /// The CNA's short name; defaults to `[publication] cna_short_name`.
    pub short_name: Option<String>,
    /// The CVE Services user the API key belongs to (usually an e-mail address).
    pub user: String,
    /// A file holding the API key alone (relative to the data directory), readable by
    /// embargo only: the key is never in the configuration file itself.
    pub api_key_file: PathBuf,
}

fn default_cve_services_url() -> String {
    "https://cveawg.mitre.org/api".into()
}

/// How published advisories are named and who publishes them.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct PublicationConfig {
    /// Advisory ids are `PREFIX-YYYY-NNNN` (OSV exports add the local prefix `x_` unless
    /// it is a prefix OSV registered).
    pub id_prefix: String,
    /// The organization's CVE Numbering Authority UUID, if it is a CNA: CVE records are
    /// exported only then.
    pub cna_org_id: Option<CnaOrgId>,
    /// The CNA's short name.
    pub cna_short_name: Option<String>,
}

impl Default for PublicationConfig {
    fn default() -> Self {
        Self {
            id_prefix: "EMBARGO".into(),
            cna_org_id: None,
            cna_short_name: None,
        }
    }
}

/// A CNA's organization id: a version-4 UUID, as CVE Services issues them (CVE JSON 5
/// refuses anything else). A bad value is refused when the file is read, with its line.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "String", into = "String")]
pub struct CnaOrgId(uuid::Uuid);

impl TryFrom<String> for CnaOrgId {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        match uuid::Uuid::parse_str(&s) {
            Ok(u) if u.get_version_num() == 4 && s.len() == 36 => Ok(Self(u)),
            _ => Err(format!(
                "publication.cna_org_id: {s:?} is not a version-4 UUID such as \
                 b3476cb9-2e3d-41a6-98d0-0f47421a65b6"
            )),
        }
    }
}

impl From<CnaOrgId> for String {
    fn from(id: CnaOrgId) -> Self {
        id.0.to_string()
    }
}

impl std::fmt::Display for CnaOrgId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The job runner (inside `embargo serve`, or `embargo worker`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkerConfig {
    /// How long a claimed job is its worker's: after that, another instance takes over a
    /// job whose worker died. Longer than the slowest delivery (an SMTP exchange).
    pub lease_seconds: u32,
    /// `/healthz` answers 503 when the runner has not ticked for this long. A job may run
    /// for half its lease, so this must be longer than that.
    pub stale_after_seconds: u32,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            lease_seconds: 300,
            stale_after_seconds: 180,
        }
    }
}

/// The core team's chat room (Matrix / Element).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MatrixConfig {
    pub homeserver: String,
    pub room_id: String,
    pub access_token: Secret,
}

/// A receiver of signed JSON events about cases (no report text).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub url: String,
    pub secret: Secret,
}

/// Outgoing mail. Without it, notifications wait in the queue until it is configured.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// `starttls` (default), `tls`, or `none` (a relay on this machine only); anything else
    /// is refused when the file is read, with its line.
    #[serde(default)]
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// e.g. "Example Org security <security@example.org>"
    pub from: String,
    /// Where notices to the team go (new reports, overdue acknowledgements).
    pub team_address: Option<String>,
}

fn default_smtp_port() -> u16 {
    587
}

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587).
    #[default]
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on this machine.
    None,
}

impl SmtpConfig {
    pub fn settings(&self) -> Result<embargo_worker::SmtpSettings, ConfigError> {
        let security = match self.security {
            SmtpSecurity::StartTls => embargo_worker::Security::StartTls,
            SmtpSecurity::Tls => embargo_worker::Security::Tls,
            SmtpSecurity::None => embargo_worker::Security::None,
        };
        Ok(embargo_worker::SmtpSettings {
            host: self.host.clone(),
            port: self.port,
            security,
            username: self.username.clone(),
            password: self.password.as_ref().map(|p| p.expose().to_string()),
            from: self.from.clone(),
        })
    }
}

/// How reports come in.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct IntakeConfig {
    /// The security team's address (security.txt `Contact`, e-mail intake).
    pub contact_email: Option<String>,
    pub preferred_languages: Vec<String>,
    /// Where the organization's security policy is published (default: the home page).
    pub policy_url: Option<String>,
    /// Reports accepted per client address per hour.
    pub reports_per_hour: u32,
    /// Reverse proxies in front of embargo (addresses or CIDR networks): only connections
    /// from them have their `X-Forwarded-For` believed.
    pub trusted_proxies: Vec<String>,
    /// Replaced by `trusted_proxies` (which says whose header to believe); refused with a
    /// sentence rather than silently ignored.
    #[serde(default, skip_serializing)]
    pub trust_forwarded_for: Option<bool>,
    /// Shared secret of the GitHub `repository_advisory` webhook (the endpoint is off without it).
    pub github_webhook_secret: Option<Secret>,
    /// The project that reports arriving by e-mail are filed under (a Coordinator can
    /// move them); needed when the installation has more than one project.
    pub email_project: Option<String>,
    /// Every file on one case together, in MiB.
    pub attachment_quota_mib: u32,
    /// Messages a reporter may post on one case per hour (portal and e-mail replies).
    pub reporter_posts_per_hour: u32,
}

impl Default for IntakeConfig {
    fn default() -> Self {
        Self {
            contact_email: None,
            preferred_languages: vec!["en".to_string()],
            policy_url: None,
            reports_per_hour: 10,
            trusted_proxies: Vec::new(),
            trust_forwarded_for: None,
            github_webhook_secret: None,
            email_project: None,
            attachment_quota_mib: 100,
            reporter_posts_per_hour: 30,
        }
    }
}

/// The security team's OpenPGP key.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OpenPgpConfig {
    /// ASCII-armored public key offered for download (relative to the data directory).
    pub public_key_file: Option<PathBuf>,
    /// ASCII-armored secret key that decrypts mail to the team (relative to the data directory).
    pub secret_key_file: Option<PathBuf>,
    pub passphrase: Option<Secret>,
}

/// Settings from the environment or flags (clap fills these, flags over env).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<String>,
    pub public_url: Option<String>,
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
    /// Where people reach the installation (links in pages, e-mails, security.txt).
    pub public_url: String,
    /// May hold a password: shown without it.
    #[serde(serialize_with = "without_password")]
    pub database_url: String,
    pub organization: String,
    pub log: String,
    /// Requests served at once before load is shed (503, `Retry-After`).
    pub max_in_flight: usize,
    /// MiB of OSV documents the OSV query keeps in memory between queries.
    pub osv_documents_mib: u32,
    pub policy: Policy,
    pub intake: IntakeConfig,
    pub openpgp: OpenPgpConfig,
    pub smtp: Option<SmtpConfig>,
    pub matrix: Option<MatrixConfig>,
    pub webhooks: Vec<WebhookConfig>,
    pub publication: PublicationConfig,
    pub worker: WorkerConfig,
    pub cve_services: Option<CveServicesConfig>,
    /// GitHub (`[github]`); off when absent.
    pub github: Option<crate::github_config::GitHubConfig>,
    /// The Prometheus endpoint (`[metrics]`); off when absent.
    pub metrics: Option<crate::metrics_config::MetricsConfig>,
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
        let public_url = over
            .public_url
            .clone()
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{listen}"))
            .trim_end_matches('/')
            .to_string();
        if !(public_url.starts_with("https://") || public_url.starts_with("http://")) {
            return Err(ConfigError::Value {
                key: "public_url",
                message: format!(
                    "{public_url:?} must start with https:// (or http:// for local use)"
                ),
            });
        }
        let intake = file.intake.unwrap_or_default();
        if intake.reports_per_hour == 0 {
            return Err(ConfigError::Value {
                key: "intake.reports_per_hour",
                message: "must be at least 1".into(),
            });
        }
        if let Some(email) = &intake.contact_email {
            embargo_core::Email::parse(email).map_err(|e| ConfigError::Value {
                key: "intake.contact_email",
                message: e.to_string(),
            })?;
        }
        let publication = file.publication.unwrap_or_default();
        let prefix = &publication.id_prefix;
        if prefix.is_empty()
            || prefix.len() > 20
            || !prefix
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        {
            return Err(ConfigError::Value {
                key: "publication.id_prefix",
                message: format!(
                    "{prefix:?} must be 1-20 upper-case letters or digits, e.g. JUPYTER"
                ),
            });
        }
        for (key, value) in [
            ("intake.attachment_quota_mib", intake.attachment_quota_mib),
            (
                "intake.reporter_posts_per_hour",
                intake.reporter_posts_per_hour,
            ),
        ] {
            if value == 0 {
                return Err(ConfigError::Value {
                    key,
                    message: "0 would refuse every file or message: use at least 1".into(),
                });
            }
        }
        if intake.trust_forwarded_for.is_some() {
            return Err(ConfigError::Value {
                key: "intake.trust_forwarded_for",
                message: "was replaced by trusted_proxies: list the addresses or networks of \
                          your reverse proxies, e.g. trusted_proxies = [\"127.0.0.1\"]"
                    .into(),
            });
        }
        for proxy in &intake.trusted_proxies {
            embargo_web::ProxyNet::parse(proxy).map_err(|message| ConfigError::Value {
                key: "intake.trusted_proxies",
                message,
            })?;
        }
        let worker = file.worker.unwrap_or_default();
        if !(5..=86_400).contains(&worker.lease_seconds) {
            return Err(ConfigError::Value {
                key: "worker.lease_seconds",
                message: format!(
                    "{} must be between 5 seconds and a day",
                    worker.lease_seconds
                ),
            });
        }
        if worker.stale_after_seconds <= worker.lease_seconds / 2 + 2 {
            return Err(ConfigError::Value {
                key: "worker.stale_after_seconds",
                message: format!(
                    "{} must be longer than half of lease_seconds ({}) plus the runner's \
                     2-second pause: a job may run that long between two ticks",
                    worker.stale_after_seconds,
                    worker.lease_seconds / 2
                ),
            });
        }
        let config = Self {
            data_dir: data_dir.to_path_buf(),
            config_file: path,
            listen,
            public_url,
            database_url,
            organization,
            log: over
                .log
                .clone()
                .or(file.log)
                .unwrap_or_else(|| "info".to_string()),
            max_in_flight: match file.max_in_flight {
                Some(0) => {
                    return Err(ConfigError::Value {
                        key: "max_in_flight",
                        message: "must be at least 1".into(),
                    });
                }
                Some(n) => n,
                None => embargo_web::shed::DEFAULT_MAX_IN_FLIGHT,
            },
            osv_documents_mib: match file.osv_documents_mib {
                Some(n @ 1..=4096) => n,
                Some(_) => {
                    return Err(ConfigError::Value {
                        key: "osv_documents_mib",
                        message: "must be between 1 and 4096".into(),
                    });
                }
                None => DEFAULT_OSV_DOCUMENTS_MIB,
            },
            policy: file.policy.unwrap_or_default(),
            intake,
            openpgp: file.openpgp.unwrap_or_default(),
            smtp: file.smtp,
            matrix: file.matrix,
            webhooks: file.webhooks,
            publication,
            worker,
            cve_services: file.cve_services,
            github: file.github,
            metrics: match file.metrics {
                Some(m) => {
                    m.check()?;
                    Some(m)
                }
                None => None,
            },
        };
        // Refused at load time like every other setting, naming the key.
        config.cve_services()?;
        config.github()?;
        config.github_tracking()?;
        config.github_ci()?;
        Ok(config)
    }

    /// `[cve_services]` with its API key read, checked for shape (the credentials are
    /// checked against the service when `serve` starts and by `embargo cve check`).
    pub fn cve_services(&self) -> Result<Option<embargo_cve_services::Settings>, ConfigError> {
        let Some(c) = &self.cve_services else {
            return Ok(None);
        };
        let url = url::Url::parse(&c.url).map_err(|e| ConfigError::Value {
            key: "cve_services.url",
            message: format!("{:?} is not a URL: {e}", c.url),
        })?;
        let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
            return Err(ConfigError::Value {
                key: "cve_services.url",
                message: format!(
                    "{} must be https:// (plain http only to this machine): the API key travels with every request",
                    c.url
                ),
            });
        }
        let short_name = c
            .short_name
            .clone()
            .or_else(|| self.publication.cna_short_name.clone())
            .filter(|s| !s.trim().is_empty())
            .ok_or(ConfigError::Value {
                key: "cve_services.short_name",
                message:
                    "is missing: give the CNA's short name here or as [publication] cna_short_name"
                        .into(),
            })?;
        if c.user.trim().is_empty() {
            return Err(ConfigError::Value {
                key: "cve_services.user",
                message: "is empty: give the CVE Services user the API key belongs to".into(),
            });
        }
        let path = self.path(&c.api_key_file);
        let key = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        let key = key.trim().to_string();
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err(ConfigError::Value {
                key: "cve_services.api_key_file",
                message: format!(
                    "{} must hold the API key alone, on one line",
                    path.display()
                ),
            });
        }
        Ok(Some(embargo_cve_services::Settings {
            url: c.url.trim_end_matches('/').to_string(),
            short_name,
            user: c.user.trim().to_string(),
            api_key: key,
        }))
    }

    /// A path from the configuration: relative paths are relative to the data directory.
    pub fn path(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.data_dir.join(p)
        }
    }

    /// The team's secret key (decrypts mail to the team), read and checked at startup.
    pub fn team_secret_key(&self) -> Result<Option<embargo_mail::TeamKey>, ConfigError> {
        let Some(file) = &self.openpgp.secret_key_file else {
            return Ok(None);
        };
        let path = self.path(file);
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        let passphrase = self.openpgp.passphrase.as_ref().map(Secret::expose);
        embargo_mail::TeamKey::from_armored(&text, passphrase)
            .map(Some)
            .map_err(|e| ConfigError::Value {
                key: "openpgp.secret_key_file",
                message: format!("{}: {e}", path.display()),
            })
    }

    /// The team's public key, if configured, read and checked at startup.
    pub fn team_public_key(&self) -> Result<Option<String>, ConfigError> {
        let Some(file) = &self.openpgp.public_key_file else {
            return match self.team_secret_key()? {
                Some(key) => key
                    .public_key_armored()
                    .map(Some)
                    .map_err(|e| ConfigError::Value {
                        key: "openpgp.secret_key_file",
                        message: e.to_string(),
                    }),
                None => Ok(None),
            };
        };
        let path = self.path(file);
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        if !text.contains("-----BEGIN PGP PUBLIC KEY BLOCK-----") {
            return Err(ConfigError::Value {
                key: "openpgp.public_key_file",
                message: format!(
                    "{} is not an ASCII-armored OpenPGP public key",
                    path.display()
                ),
            });
        }
        Ok(Some(text))
    }

    /// The database URL to connect to: PostgreSQL as given, SQLite with its path resolved
    /// against the data directory.
    pub fn store_url(&self) -> Result<String, embargo_store::StoreError> {
        if self.is_postgres() {
            return Ok(self.database_url.clone());
        }
        Ok(format!("sqlite://{}", self.sqlite_path()?.display()))
    }

    pub fn is_postgres(&self) -> bool {
        embargo_store::is_postgres_url(&self.database_url)
    }

    /// The database URL without its password, for output and logs.
    pub fn database_shown(&self) -> String {
        embargo_store::redacted_url(&self.database_url)
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
