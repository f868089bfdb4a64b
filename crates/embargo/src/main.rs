//! `embargo`: configuration, subcommands, wiring.

mod cli;
mod clock;
mod commands;
mod config;
mod failure;
mod github_config;
mod init_file;
mod metrics_config;
mod output;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};
use crate::failure::Failure;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The case commands use a blocking HTTP client: no runtime needed.
    if let Command::Case(args) = &cli.command {
        return match commands::case::run(&cli, args) {
            Ok(out) => {
                out.print(cli.json);
                ExitCode::SUCCESS
            }
            Err(e) => report(&e),
        };
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return report(&Failure::Internal(format!("cannot start the runtime: {e}"))),
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(&e),
    }
}

#[allow(clippy::print_stderr)] // the one place errors reach the operator
fn report(e: &Failure) -> ExitCode {
    eprintln!("embargo: {e}");
    e.exit_code()
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let out = match &cli.command {
        Command::Init(args) => commands::init::run(&cli, args).await?,
        Command::Serve => return commands::serve::run(&cli).await,
        Command::Worker => return commands::serve::run_worker(&cli).await,
        Command::User(cmd) => commands::user::run(&cli, cmd).await?,
        Command::Project(cmd) => commands::project::run(&cli, cmd).await?,
        Command::Audit(cmd) => commands::audit::run(&cli, cmd).await?,
        Command::Cve(cmd) => commands::cve::run(&cli, cmd).await?,
        Command::Github(cmd) => commands::github::run(&cli, cmd).await?,
        Command::Osv(cmd) => commands::osv::run(&cli, cmd).await?,
        Command::Config => commands::show_config(&cli)?,
        Command::Migrate => commands::database::migrate(&cli).await?,
        Command::Backup(args) => commands::database::backup(&cli, args).await?,
        Command::Restore(args) => commands::database::restore(&cli, args).await?,
        Command::IngestEmail(args) => commands::ingest::run(&cli, args).await?,
        Command::Export(args) => commands::publication::export(&cli, args).await?,
        Command::Import(args) => commands::publication::import(&cli, args).await?,
        // Handled in `main` before the runtime starts (its HTTP client blocks).
        Command::Case(_) => {
            return Err(Failure::Internal(
                "case commands do not run on the runtime".into(),
            ));
        }
    };
    out.print(cli.json);
    Ok(())
}
