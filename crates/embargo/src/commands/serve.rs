//! `embargo serve`: the web app, until SIGINT or SIGTERM.

use embargo_store::OpenMode;
use std::sync::Arc;
use std::time::Duration;

use embargo_worker::{Channels, Links, Mailer, MatrixRoom, Webhook, Worker};

use embargo_web::{RunnerWatch, Site, WebState};
use tracing_subscriber::EnvFilter;

use super::{load_config, open_app};
use crate::cli::Cli;
use crate::clock;
use crate::config::Config;
use crate::failure::Failure;
use crate::output::announce;

pub async fn run(cli: &Cli) -> Result<(), Failure> {
    let config = load_config(cli)?;
    let filter = EnvFilter::try_new(&config.log)
        .map_err(|e| Failure::Setup(format!("invalid log filter {:?}: {e}", config.log)))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    keep_panic_messages_out_of_the_log();

    let team_public_key = config.team_public_key()?;
    let app = open_app(&config, OpenMode::CreateOrMigrate).await?;
    app.store().open_kept_connections();
    check_cve_services(&app).await?;
    check_github(&app).await?;
    let site = Site {
        organization: config.organization.clone(),
        public_url: config.public_url.clone(),
        contact_email: config.intake.contact_email.clone(),
        preferred_languages: config.intake.preferred_languages.clone(),
        policy_url: config.intake.policy_url.clone(),
        team_public_key,
        github_webhook_secret: config
            .intake
            .github_webhook_secret
            .as_ref()
            .map(|s| s.expose().to_string()),
        reports_per_hour: config.intake.reports_per_hour,
        // Checked when the configuration was loaded.
        trusted_proxies: config
            .intake
            .trusted_proxies
            .iter()
            .filter_map(|p| embargo_web::ProxyNet::parse(p).ok())
            .collect(),
    };
    // The web state reports the runner's heartbeat on /healthz and the admin page.
    let heartbeat = embargo_app::Heartbeat::new(clock::now());
    let worker = build_worker(&config, &app)?.with_heartbeat(heartbeat.clone());
    let mut state =
        WebState::new(app.clone(), site, Arc::new(clock::now)).with_runner(RunnerWatch {
            heartbeat,
            stale_after: jiff::SignedDuration::from_secs(i64::from(
                config.worker.stale_after_seconds,
            )),
        });
    state = state.with_max_in_flight(config.max_in_flight);
    let metrics = config.metrics_setup()?;
    if let Some(token) = metrics.as_ref().and_then(|m| m.token.clone()) {
        state = state.with_metrics(embargo_web::prometheus::MetricsAccess::Token(token));
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| Failure::Setup(format!("cannot listen on {}: {e}", config.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::Setup(format!("cannot read the bound address: {e}")))?;
    // `/metrics` on an address of its own, when configured: bound before anything is
    // announced (a taken port stops the start), served until the server stops.
    let metrics_listener =
        match metrics.and_then(|m| m.listen) {
            None => None,
            Some(listen) => Some(tokio::net::TcpListener::bind(listen).await.map_err(|e| {
                Failure::Setup(format!("cannot listen on {listen} (metrics): {e}"))
            })?),
        };
    tracing::info!(%addr, database = %config.database_shown(), "embargo is serving");
    announce(&format!("embargo listening on http://{addr}"));
    let metrics_task = metrics_listener.map(|listener| {
        if let Ok(at) = listener.local_addr() {
            announce(&format!("embargo metrics on http://{at}/metrics"));
        }
        tokio::spawn(embargo_web::serve_metrics(
            listener,
            state.clone(),
            shutdown(),
        ))
    });
    // The worker delivers what the web app enqueues; it stops with the server.
    let (stop_worker, worker_stopped) = tokio::sync::oneshot::channel::<()>();
    let worker_task = tokio::spawn(worker.run(Duration::from_secs(2), async {
        let _ = worker_stopped.await;
    }));
    let integrity = check_integrity_in_background(&app);
    let statistics = refresh_statistics_in_background(&app);
    let mut found = integrity.clone();
    let stop = async move {
        tokio::select! {
            () = shutdown() => {}
            // A sender dropped after a passing check ends the wait with an error: serve on.
            Ok(_) = found.wait_for(Option::is_some) => {}
        }
    };
    let served = embargo_web::serve(listener, state, stop).await;
    let _ = stop_worker.send(());
    let _ = worker_task.await;
    statistics.abort();
    if let Some(task) = metrics_task {
        task.abort();
    }
    served.map_err(|e| Failure::Internal(format!("server: {e}")))?;
    app.store().close().await;
    let corrupted = integrity.borrow().clone();
    if let Some(sentence) = corrupted {
        return Err(Failure::Setup(sentence));
    }
    tracing::info!("embargo stopped");
    Ok(())
}

/// SQLite's integrity check reads every page (over a second at 100,000 cases), so it runs
/// once the server answers rather than before. A corrupted file stops the server: the
/// channel then holds the sentence, which `serve` exits with.
fn check_integrity_in_background(
    app: &embargo_app::App,
) -> tokio::sync::watch::Receiver<Option<String>> {
    let (tell, found) = tokio::sync::watch::channel(None);
    let store = app.store().clone();
    tokio::spawn(async move {
        if let Err(e) = store.check_integrity().await {
            tracing::error!(error = %e, "the database failed its integrity check; stopping");
            let _ = tell.send(Some(e.to_string()));
        }
    });
    found
}

/// How often `serve` lets the database's planner catch up with its growth (see
/// `Store::refresh_statistics`: usually a look at the tables' sizes and nothing more).
const STATISTICS_EVERY: Duration = Duration::from_secs(10);

/// Refreshes the planner's statistics every [`STATISTICS_EVERY`] while serving: a flood of
/// reports into a new installation would otherwise be read with plans made for an empty
/// database.
fn refresh_statistics_in_background(app: &embargo_app::App) -> tokio::task::JoinHandle<()> {
    let store = app.store().clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(STATISTICS_EVERY);
        every.tick().await; // the first tick is at once; the store just gathered them
        loop {
            every.tick().await;
            if let Err(e) = store.refresh_statistics().await {
                tracing::warn!(error = %e, "refreshing the query planner's statistics failed");
            }
        }
    })
}

/// `embargo worker`: the job runner alone, until SIGINT or SIGTERM.
pub async fn run_worker(cli: &Cli) -> Result<(), Failure> {
    let config = load_config(cli)?;
    let filter = EnvFilter::try_new(&config.log)
        .map_err(|e| Failure::Setup(format!("invalid log filter {:?}: {e}", config.log)))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    keep_panic_messages_out_of_the_log();
    let app = open_app(&config, OpenMode::MustExist).await?;
    let worker = build_worker(&config, &app)?;
    announce("embargo worker running");
    worker.run(Duration::from_secs(2), shutdown()).await;
    app.store().close().await;
    Ok(())
}

/// The job runner, with mail when `[smtp]` is configured (checked now, not at first use).
pub fn build_worker(config: &Config, app: &embargo_app::App) -> Result<Worker, Failure> {
    let mailer = match &config.smtp {
        Some(smtp) => Some(
            Mailer::new(&smtp.settings()?)
                .map_err(|e| Failure::Setup(format!("invalid [smtp] configuration: {e}")))?,
        ),
        None => {
            tracing::warn!("mail is not configured ([smtp]): notifications wait in the queue");
            None
        }
    };
    let links = Links {
        organization: config.organization.clone(),
        public_url: config.public_url.clone(),
        contact_email: config.intake.contact_email.clone(),
    };
    let team = config.smtp.as_ref().and_then(|s| s.team_address.as_deref());
    let channels = Channels {
        matrix: config.matrix.as_ref().map(|m| MatrixRoom {
            homeserver: m.homeserver.clone(),
            room_id: m.room_id.clone(),
            access_token: m.access_token.expose().to_string(),
        }),
        webhooks: config
            .webhooks
            .iter()
            .map(|w| Webhook {
                url: w.url.clone(),
                secret: w.secret.expose().to_string(),
            })
            .collect(),
    };
    Worker::new(app.clone(), mailer, team, links, Arc::new(clock::now))
        .and_then(|w| w.with_channels(channels))
        .map(|w| {
            w.with_lease(jiff::SignedDuration::from_secs(i64::from(
                config.worker.lease_seconds,
            )))
        })
        .map_err(|e| Failure::Setup(format!("invalid channel configuration: {e}")))
}

/// Wrong GitHub credentials stop the start with GitHub's sentence; an outage does not
/// (the GitHub jobs wait for it).
async fn check_github(app: &embargo_app::App) -> Result<(), Failure> {
    let Some(client) = app.github() else {
        return Ok(());
    };
    match client.whoami().await {
        Ok(who) => {
            tracing::info!(%who, "connected to GitHub");
            Ok(())
        }
        Err(e) if e.is_temporary() => {
            tracing::warn!(error = %e, "GitHub cannot be reached now; the GitHub jobs wait for it");
            Ok(())
        }
        Err(e) => Err(Failure::Setup(format!("[github]: {e}"))),
    }
}

/// Wrong CVE Services credentials stop the start with the service's sentence; an outage
/// does not (the record jobs wait for it).
async fn check_cve_services(app: &embargo_app::App) -> Result<(), Failure> {
    let Some(client) = app.cve_services() else {
        return Ok(());
    };
    match client.check().await {
        Ok(account) if !account.org_roles.iter().any(|r| r == "CNA") => {
            Err(Failure::Setup(format!(
                "[cve_services]: {} is not a CNA at CVE Services (its roles: {})",
                account.short_name,
                account.org_roles.join(", ")
            )))
        }
        Ok(account) => {
            tracing::info!(
                org = %account.short_name,
                available = account.quota.available,
                "connected to CVE Services"
            );
            Ok(())
        }
        Err(e) if e.is_temporary() => {
            tracing::warn!(error = %e, "CVE Services cannot be reached now; records wait for it");
            Ok(())
        }
        Err(e) => Err(Failure::Setup(format!("[cve_services]: {e}"))),
    }
}

/// A panic's message may quote whatever value was being handled (a reporter's name, a
/// report's text): the log gets where it happened, never what it said. The job runner
/// keeps the message in the failed job's row, which is private like the job itself.
fn keep_panic_messages_out_of_the_log() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_else(|| "an unknown place".into());
        tracing::error!(%location, "a task panicked (its message is not logged)");
    }));
}

async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
