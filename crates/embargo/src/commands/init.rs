//! `embargo init`: a new installation in one command.

use std::path::Path;

use embargo_app::{NewUser, Principal, Random};
use embargo_core::InstallationRoles;
use embargo_store::OpenMode;
use serde_json::json;

use super::{load_config, open_app, read_secret_line};
use crate::cli::{Cli, InitArgs};
use crate::clock;
use crate::config::{CONFIG_FILE, DEFAULT_LISTEN};
use crate::failure::Failure;
use crate::init_file::initial_file;
use crate::output::Output;

/// Asks for the organization's name when a person runs `init` at a terminal (reporters see
/// it on every page and in every mail); scripts give `--organization`.
fn ask_organization() -> Result<Option<String>, Failure> {
    use std::io::{BufRead, IsTerminal, Write};
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Ok(None);
    }
    let mut err = std::io::stderr();
    let _ = write!(err, "Your organization's name, as reporters will see it: ");
    let _ = err.flush();
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::Refused(format!("cannot read the organization's name: {e}")))?;
    let name = line.trim().to_string();
    if name.chars().any(char::is_control) {
        return Err(Failure::Refused(
            "the organization's name must be one line of text".into(),
        ));
    }
    Ok(Some(name))
}

pub async fn run(cli: &Cli, args: &InitArgs) -> Result<Output, Failure> {
    let projects = args
        .projects
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(slug, name)| (slug.trim().to_string(), name.trim().to_string()))
                .ok_or_else(|| Failure::Refused(format!("--project {p:?} must be slug=Name")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let password = if args.password_stdin {
        read_secret_line()?
    } else {
        generate_password(&embargo_app::OsRandom)?
    };

    create_private_dir(&cli.data_dir)?;
    let config_path = cli
        .config
        .clone()
        .unwrap_or_else(|| cli.data_dir.join(CONFIG_FILE));
    let wrote_config = !config_path.exists();
    if wrote_config {
        let asked = match &cli.organization {
            Some(org) => Some(org.trim().to_string()),
            None => ask_organization()?,
        };
        let org = asked
            .as_deref()
            .filter(|o| !o.is_empty())
            .unwrap_or("our organization");
        let listen = cli.listen.as_deref().unwrap_or(DEFAULT_LISTEN);
        let database = cli.database_url.as_deref().unwrap_or("sqlite://embargo.db");
        write_private_file(&config_path, &initial_file(org, listen, database))?;
    }
    let config = load_config(cli)?;
    let app = open_app(&config, OpenMode::CreateOrMigrate).await?;
    let now = clock::now();
    let roles = InstallationRoles {
        coordinator: !args.admin_not_coordinator,
        admin: true,
    };
    let admin = app
        .bootstrap_admin(
            NewUser {
                email: args.admin_email.clone(),
                display_name: args.admin_name.clone(),
                roles,
                password: Some(password.clone()),
            },
            now,
        )
        .await
        .map_err(|e| match e {
            embargo_app::AppError::Conflict(_) => Failure::Refused(format!(
                "{} is already initialized (it has an administrator); use `embargo user add` to add people",
                cli.data_dir.display()
            )),
            other => other.into(),
        })?;
    for (slug, name) in &projects {
        app.add_project(Principal::Operator, slug, name, "", &[], now)
            .await?;
    }
    app.store().close().await;

    let db = if config.is_postgres() {
        config.database_shown()
    } else {
        let path = config.sqlite_path()?;
        restrict(&path, 0o600)?;
        path.display().to_string()
    };
    let mut text = format!(
        "Initialized embargo for {org} in {dir}\n  configuration: {cfg}{new}\n  database: {db}\n  administrator: {email}",
        org = config.organization,
        dir = cli.data_dir.display(),
        cfg = config_path.display(),
        new = if wrote_config {
            ""
        } else {
            " (kept the existing file)"
        },
        email = admin.email,
    );
    if !args.password_stdin {
        text.push_str(&format!(
            "\n  password: {password}  (shown once: store it now)"
        ));
    }
    if projects.is_empty() {
        text.push_str(
            "\nAdd the projects your policy covers with `embargo project add SLUG NAME`.",
        );
    }
    if config.organization == "our organization" {
        text.push_str(
            "\nName your organization: `organization` in the configuration file (or `init --organization NAME`).",
        );
    }
    text.push_str("\nStart it with `embargo serve`.");
    let json = json!({
        "data_dir": cli.data_dir,
        "config_file": config_path,
        "database": db,
        "admin": {"id": admin.id, "email": admin.email},
        "password": (!args.password_stdin).then_some(password),
        "projects": projects.iter().map(|(s, _)| s).collect::<Vec<_>>(),
    });
    Ok(Output::new(text, json))
}

/// 20 characters from a 62-letter alphabet: about 119 bits.
fn generate_password(random: &dyn Random) -> Result<String, Failure> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_+=.:";
    let mut out = String::new();
    while out.len() < 20 {
        let mut buf = [0u8; 32];
        random.fill(&mut buf)?;
        // Rejection sampling keeps every letter equally likely.
        let limit = 256 - 256 % ALPHABET.len();
        for b in buf.iter().map(|b| usize::from(*b)).filter(|b| *b < limit) {
            if out.len() < 20 {
                out.push(char::from(ALPHABET[b % ALPHABET.len()]));
            }
        }
    }
    Ok(out)
}

fn create_private_dir(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::Setup(format!("cannot create {}: {e}", dir.display())))?;
    restrict(dir, 0o700)
}

fn write_private_file(path: &Path, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text)
        .map_err(|e| Failure::Setup(format!("cannot write {}: {e}", path.display())))?;
    restrict(path, 0o600)
}

/// The data directory holds the database and secrets: readable by its owner only.
pub(crate) fn restrict(path: &Path, mode: u32) -> Result<(), Failure> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| Failure::Setup(format!("cannot restrict {}: {e}", path.display())))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}
