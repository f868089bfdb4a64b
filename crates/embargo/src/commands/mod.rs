//! One module per subcommand. Each loads the configuration, opens the store, and calls the
//! use cases as the operator (`Principal::Operator`): shell access to the data directory is
//! the operator's credential.

pub mod audit;
pub mod case;
pub mod cve;
pub mod database;
pub mod github;
pub mod ingest;
pub mod init;
pub mod osv;
pub mod project;
pub mod publication;
pub mod serve;
pub mod user;

use std::io::BufRead;
use std::sync::Arc;

use embargo_app::{App, OsRandom};
use embargo_store::{OpenMode, SealingKey, Store};

use crate::cli::Cli;
use crate::config::{Config, Overrides};
use crate::failure::Failure;
use crate::output::Output;

pub fn load_config(cli: &Cli) -> Result<Config, Failure> {
    let over = Overrides {
        listen: cli.listen.clone(),
        public_url: cli.public_url.clone(),
        database_url: cli.database_url.clone(),
        organization: cli.organization.clone(),
        log: cli.log.clone(),
    };
    Ok(Config::load(&cli.data_dir, cli.config.as_deref(), &over)?)
}

/// The file in the data directory that holds the secrets key (see `embargo-store`'s
/// `sealed`): owner-only, never in the database, in a backup only when asked for.
pub const SECRETS_KEY_FILE: &str = "secrets.key";

/// The installation's secrets key: read from the data directory, or made there the first
/// time (a new installation, or one from before secrets were sealed).
pub fn secrets_key(config: &Config) -> Result<SealingKey, Failure> {
    let path = config.data_dir.join(SECRETS_KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(SealingKey::from_hex(&text)
            .map_err(|e| Failure::Setup(format!("{}: {e}", path.display())))?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = SealingKey::generate()?;
            write_secrets_key(&path, &key)?;
            tracing::info!(path = %path.display(), "created the secrets key");
            Ok(key)
        }
        Err(e) => Err(Failure::Setup(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

/// Writes a secrets key file, owner-only from the start, never over an existing one.
pub fn write_secrets_key(path: &std::path::Path, key: &SealingKey) -> Result<(), Failure> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let cannot =
        |e: std::io::Error| Failure::Setup(format!("cannot write {}: {e}", path.display()));
    let mut file = options.open(path).map_err(cannot)?;
    file.write_all(format!("{}\n", key.to_hex()).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(cannot)
}

pub async fn open_app(config: &Config, mode: OpenMode) -> Result<App, Failure> {
    let key = secrets_key(config)?;
    let store = Store::connect(&config.store_url()?, mode)
        .await?
        .unseal_with(&key)
        .await?;
    let publication = embargo_app::PublicationSettings {
        publisher: embargo_formats::Publisher {
            name: config.organization.clone(),
            base_url: config.public_url.clone(),
            cna_org_id: config
                .publication
                .cna_org_id
                .as_ref()
                .map(ToString::to_string),
            cna_short_name: config.publication.cna_short_name.clone(),
        },
        prefix: config.publication.id_prefix.clone(),
    };
    let app = App::new(store, config.policy, Arc::new(OsRandom))
        .with_organization(&config.organization)
        .with_publication(publication)
        .with_osv_document_bytes(config.osv_documents_mib as usize * 1024 * 1024)
        .with_case_limits(embargo_app::CaseLimits {
            attachment_quota_bytes: i64::from(config.intake.attachment_quota_mib) * 1024 * 1024,
            reporter_posts_per_hour: i64::from(config.intake.reporter_posts_per_hour),
        });
    let app = match config.cve_services()? {
        Some(settings) => app.with_cve_services(embargo_cve_services::CveServices::new(settings)),
        None => app,
    };
    let app = match config.github()? {
        Some(client) => app.with_github(client),
        None => app,
    };
    let app = match config.github_tracking()? {
        Some(tracking) => app.with_tracking(tracking),
        None => app,
    };
    Ok(match config.github_ci()? {
        Some(ci) => app.with_ci_mirror(ci),
        None => app,
    })
}

/// Reads one line (a password) from standard input, without its line ending.
pub fn read_secret_line() -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| {
        Failure::Refused(format!("cannot read the password from standard input: {e}"))
    })?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

pub fn show_config(cli: &Cli) -> Result<Output, Failure> {
    let config = load_config(cli)?;
    let text = format!(
        "data directory: {}\nconfiguration file: {}\nlisten: {}\npublic URL: {}\ndatabase: {}\norganization: {}\nlog: {}\nacknowledge within: {} days\ndisclose within: {} days",
        config.data_dir.display(),
        config
            .config_file
            .as_ref()
            .map_or("(none)".to_string(), |p| p.display().to_string()),
        config.listen,
        config.public_url,
        config.database_shown(),
        config.organization,
        config.log,
        config.policy.acknowledge_within_days(),
        config.policy.disclose_within_days(),
    );
    Ok(Output::new(text, &config))
}
