//! `embargo github check`: what the `[github]` credentials are and may do, as the operator.

use embargo_app::Principal;
use embargo_store::OpenMode;
use serde_json::json;

use super::{load_config, open_app};
use crate::cli::{Cli, GitHubCommand};
use crate::failure::Failure;
use crate::output::Output;

pub async fn run(cli: &Cli, cmd: &GitHubCommand) -> Result<Output, Failure> {
    let config = load_config(cli)?;
    let app = open_app(&config, OpenMode::MustExist).await?;
    if app.github().is_none() {
        app.store().close().await;
        return Err(Failure::Setup(
            "GitHub is not configured: add [github] (app_id and private_key_file, or token_file) to the configuration".into(),
        ));
    }
    let result = match cmd {
        GitHubCommand::Check => app.github_check(Principal::Operator).await,
    };
    app.store().close().await;
    let check = result?;
    let mut lines = vec![format!("signed in as {}", check.who)];
    let mut rows = Vec::new();
    if check.repositories.is_empty() {
        lines.push(
            "no project lists a repository: `embargo project add --repository owner/name` adds one"
                .into(),
        );
    }
    for (repository, access) in &check.repositories {
        match access {
            Ok(a) => {
                let visibility = if a.repository.private {
                    "private"
                } else {
                    "public"
                };
                let rights = match (&a.repository.role, a.permissions.is_empty()) {
                    (_, false) => format!("installation permissions {}", a.permissions.join(", ")),
                    (Some(role), true) => format!("role {role}"),
                    (None, true) => "no permissions listed".to_string(),
                };
                let advisories = if a.advisories_readable {
                    "security advisories readable"
                } else {
                    "SECURITY ADVISORIES NOT READABLE (needs the repository's admin or security manager role, or the App's security_advisories permission)"
                };
                lines.push(format!(
                    "{repository}: {visibility}, {rights}; {advisories}"
                ));
                rows.push(json!({
                    "repository": repository,
                    "private": a.repository.private,
                    "role": a.repository.role,
                    "permissions": a.permissions,
                    "advisories_readable": a.advisories_readable,
                }));
            }
            Err(e) => {
                lines.push(format!("{repository}: {e}"));
                rows.push(json!({"repository": repository, "error": e}));
            }
        }
    }
    let failed = check
        .repositories
        .iter()
        .any(|(_, a)| !a.as_ref().is_ok_and(|a| a.advisories_readable));
    let out = Output::new(
        lines.join("\n"),
        json!({"who": check.who, "repositories": rows}),
    );
    if failed {
        return Err(Failure::Setup(format!(
            "{}\nsome repositories cannot be used: see above",
            lines.join("\n")
        )));
    }
    Ok(out)
}
