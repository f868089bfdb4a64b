//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "embargo",
    version,
    about = "A self-hosted coordinated-vulnerability-disclosure desk"
)]
pub struct Cli {
    /// The installation's data directory (configuration and database).
    #[arg(
        long,
        global = true,
        env = "EMBARGO_DATA_DIR",
        default_value = "embargo-data"
    )]
    pub data_dir: PathBuf,
    /// A configuration file other than <data-dir>/embargo.toml.
    #[arg(long, global = true, env = "EMBARGO_CONFIG")]
    pub config: Option<PathBuf>,
    /// Address and port to listen on (default 127.0.0.1:8080).
    #[arg(long, global = true, env = "EMBARGO_LISTEN")]
    pub listen: Option<String>,
    /// Where people reach the installation (default http://<listen>).
    #[arg(long, global = true, env = "EMBARGO_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Database URL (default sqlite://embargo.db, relative to the data directory).
    #[arg(long, global = true, env = "EMBARGO_DATABASE_URL")]
    pub database_url: Option<String>,
    /// The organization's name, shown to reporters.
    #[arg(long, global = true, env = "EMBARGO_ORGANIZATION")]
    pub organization: Option<String>,
    /// Log filter, e.g. "info" or "embargo=debug".
    #[arg(long, global = true, env = "EMBARGO_LOG")]
    pub log: Option<String>,
    /// Print data as JSON.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the data directory, its configuration, the database and the first admin.
    Init(InitArgs),
    /// Run the web app (with the job runner inside).
    Serve,
    /// Run only the job runner (mail, reminders, deadline disclosure), e.g. on another host.
    Worker,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage the projects the policy covers (the scope).
    #[command(subcommand)]
    Project(ProjectCommand),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// CVE Services, for a CNA (needs [cve_services] in the configuration).
    #[command(subcommand)]
    Cve(CveCommand),
    /// GitHub (needs [github] in the configuration).
    #[command(subcommand)]
    Github(GitHubCommand),
    /// The OSV query API's index of affected commits.
    #[command(subcommand)]
    Osv(OsvCommand),
    /// Show the effective configuration.
    Config,
    /// Create the database or bring its schema up to date (serve and init do it too).
    Migrate,
    /// Write the whole installation to one file (JSON Lines), readable by either database.
    Backup(BackupArgs),
    /// Load a backup into the configured database, which must be new (empty): moves an
    /// installation between SQLite and PostgreSQL.
    Restore(RestoreArgs),
    /// Work on cases over the JSON API (with an API token).
    Case(CaseArgs),
    /// Write the published advisories as OSV, CVE JSON 5 or CSAF 2.0 files.
    Export(ExportArgs),
    /// Import earlier advisories (OSV or GitHub advisory JSON: a file or a directory).
    Import(ImportArgs),
    /// File one e-mail from standard input (a mail server's pipe delivery): a new report,
    /// or a reply to a case by its token. Exit codes follow sysexits.h.
    IngestEmail(IngestArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(value_enum)]
    pub format: ExportFormat,
    /// The directory to write into (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Also the advisories imported from other databases (by default only this
    /// organization's own: imported ones are someone else's publications).
    #[arg(long)]
    pub include_imported: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// OSV 1.7 JSON, one file per advisory.
    Osv,
    /// CVE JSON 5.1: a CNA container per advisory, a full record per CVE id.
    Cve,
    /// CSAF 2.0 in the trusted-provider directory layout.
    Csaf,
}

impl ExportFormat {
    pub fn name(self) -> &'static str {
        match self {
            Self::Osv => "OSV",
            Self::Cve => "CVE JSON 5",
            Self::Csaf => "CSAF 2.0",
        }
    }
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write (must not exist yet; readable by its owner only).
    #[arg(long)]
    pub out: PathBuf,
    /// Put the secrets key (secrets.key) in the backup too. Without it, the backup's
    /// second-factor secrets and reply tokens stay sealed: keep a copy of secrets.key apart.
    #[arg(long)]
    pub include_key: bool,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A file written by `embargo backup`.
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// An OSV or GitHub advisory JSON file, or a directory of them (searched recursively).
    pub path: PathBuf,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// The project new reports are filed under (default: [intake] email_project, or the
    /// only project).
    #[arg(long)]
    pub project: Option<String>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The first administrator's e-mail address.
    #[arg(
        long,
        env = "EMBARGO_ADMIN_EMAIL",
        default_value = "admin@localhost.localdomain"
    )]
    pub admin_email: String,
    /// The first administrator's name.
    #[arg(long, default_value = "Administrator")]
    pub admin_name: String,
    /// Read the admin's password from standard input instead of generating one.
    #[arg(long)]
    pub password_stdin: bool,
    /// The first admin only administers; by default they are also a Coordinator.
    #[arg(long)]
    pub admin_not_coordinator: bool,
    /// A project in scope, as slug=Name (repeatable), e.g. --project infra="Infrastructure and bots".
    #[arg(long = "project", value_name = "SLUG=NAME")]
    pub projects: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add an account.
    Add(UserAddArgs),
    /// List accounts.
    List,
    /// Issue an API token for a person (shown once), for the JSON API and scripts.
    Token {
        #[arg(long)]
        email: String,
        /// What the token is for, e.g. "laptop" or "release script".
        #[arg(long)]
        name: String,
        /// Days until the token expires.
        #[arg(long, default_value_t = embargo_app::DEFAULT_TOKEN_DAYS, conflicts_with = "no_expiry")]
        days: u16,
        /// A token that never expires (for a service account; revoke it when done).
        #[arg(long)]
        no_expiry: bool,
    },
    /// Set a person's password (read from standard input).
    Password {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub name: String,
    /// A core member who may coordinate cases.
    #[arg(long)]
    pub coordinator: bool,
    /// Administers the installation.
    #[arg(long)]
    pub admin: bool,
    /// Read a password from standard input (otherwise the account has none yet).
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Subcommand)]
pub enum ProjectCommand {
    /// Add a project to the scope.
    Add {
        /// Short name used in URLs, e.g. "infrastructure".
        slug: String,
        /// Display name, e.g. "Infrastructure and bots".
        name: String,
        #[arg(long, default_value = "")]
        description: String,
        /// A repository of the project on a forge, as owner/name (repeatable): reports
        /// imported from that repository are filed under this project.
        #[arg(long = "repo", value_name = "OWNER/NAME")]
        repositories: Vec<String>,
    },
    /// List the projects in scope.
    List,
}

#[derive(Debug, Subcommand)]
pub enum GitHubCommand {
    /// Show who the credentials are and what they may do on each project repository.
    Check,
}

#[derive(Debug, Subcommand)]
pub enum CveCommand {
    /// Show the organization, the user's roles and the id quota the credentials give.
    Check,
    /// Reserve CVE ids into the pool.
    Reserve {
        /// How many ids (1 to 100; at most 10 with --scattered).
        #[arg(long, default_value_t = 1)]
        count: u32,
        /// The ids' year (default: this year).
        #[arg(long)]
        year: Option<i16>,
        /// Let CVE Services pick non-sequential ids.
        #[arg(long)]
        scattered: bool,
    },
    /// Take in every id the organization holds at CVE Services, with its state (ids
    /// reserved elsewhere join the pool).
    Sync,
}

#[derive(Debug, Subcommand)]
pub enum OsvCommand {
    /// Work out, from a clone of a repository, which commits the GIT ranges of the
    /// advisories naming it affect, so that OSV commit queries find them (run again after
    /// importing or revising such advisories; the clone should have every branch).
    IndexCommits {
        /// The repository as the advisories' GIT ranges name it
        /// (e.g. https://github.com/harfbuzz/harfbuzz).
        #[arg(long)]
        repo: String,
        /// The clone (a bare or working copy) to read.
        git_dir: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain; exits 1 when any entry was edited or deleted.
    Verify,
}

#[derive(Debug, Args)]
pub struct CaseArgs {
    /// The installation (default: this one's public URL).
    #[arg(long)]
    pub url: Option<String>,
    /// A file holding the API token (see `embargo user token`). The token may also come
    /// from EMBARGO_TOKEN; on the command line it would show in the process list.
    #[arg(long)]
    pub token_file: Option<std::path::PathBuf>,
    /// The API token itself. Discouraged: other users of the machine see command lines;
    /// prefer --token-file or EMBARGO_TOKEN.
    #[arg(long, env = "EMBARGO_TOKEN", hide_env_values = true, hide = true)]
    pub token: Option<String>,
    #[command(subcommand)]
    pub command: CaseCommand,
}

#[derive(Debug, Subcommand)]
pub enum CaseCommand {
    /// Your cases, in the policy's queues, overdue first.
    List,
    /// One case: state, deadlines, checklist, what you can do now.
    Show { id: String },
    /// Act on a case, e.g. `act ID acknowledge message="Thanks"` or `act ID complete_step step=6`.
    Act {
        id: String,
        action: String,
        /// name=value pairs (message, reason, step, note, email, fork_name, release_on, announce_at, zone, version...).
        fields: Vec<String>,
    },
    /// The advisory draft: show it, or save a new revision from a JSON file (`-` for stdin)
    /// with `--set FILE`.
    Advisory {
        id: String,
        #[arg(long, value_name = "FILE")]
        set: Option<PathBuf>,
    },
    /// The publication preview: exactly what would become public now.
    Preview { id: String },
    /// Approve the preview of the current revision (Coordinator).
    Approve { id: String },
}
