//! One module per subcommand. Each loads the configuration, opens the store, and calls the
//! use cases as the operator (`Principal::Operator`): shell access to the data directory is
//! the operator's credential.

pub mod audit;
pub mod case;
pub mod database;
pub mod ingest;
pub mod init;
pub mod project;
pub mod publication;
pub mod serve;
pub mod user;

use std::io::BufRead;
use std::sync::Arc;

use embargo_app::{App, OsRandom};
use embargo_store::{OpenMode, Store};

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

pub async fn open_app(config: &Config, mode: OpenMode) -> Result<App, Failure> {
    let store = Store::connect(&config.store_url()?, mode).await?;
    let publication = embargo_app::PublicationSettings {
        publisher: embargo_formats::Publisher {
            name: config.organization.clone(),
            base_url: config.public_url.clone(),
            cna_org_id: config.publication.cna_org_id.clone(),
            cna_short_name: config.publication.cna_short_name.clone(),
        },
        prefix: config.publication.id_prefix.clone(),
    };
    Ok(App::new(store, config.policy, Arc::new(OsRandom))
        .with_organization(&config.organization)
        .with_publication(publication)
        .with_case_limits(embargo_app::CaseLimits {
            attachment_quota_bytes: i64::from(config.intake.attachment_quota_mib) * 1024 * 1024,
            reporter_posts_per_hour: i64::from(config.intake.reporter_posts_per_hour),
        }))
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
