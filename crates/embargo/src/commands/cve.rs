//! `embargo cve check|reserve|sync`: CVE Services from the command line, as the operator.

use embargo_app::Principal;
use embargo_store::OpenMode;

use super::{load_config, open_app};
use crate::cli::{Cli, CveCommand};
use crate::clock;
use crate::failure::Failure;
use crate::output::Output;

pub async fn run(cli: &Cli, cmd: &CveCommand) -> Result<Output, Failure> {
    let config = load_config(cli)?;
    let app = open_app(&config, OpenMode::MustExist).await?;
    if app.cve_services().is_none() {
        app.store().close().await;
        return Err(Failure::Setup(
            "CVE Services is not configured: add [cve_services] (url, short_name, user, api_key_file) to the configuration".into(),
        ));
    }
    let out = match cmd {
        CveCommand::Check => {
            let a = app.cve_account(Principal::Operator).await?;
            let text = format!(
                "organization: {} ({}), roles: {}\nuser: {}{}, roles: {}\nid quota: {}, reserved: {}, available: {}",
                a.short_name,
                a.organization,
                list(&a.org_roles),
                a.user,
                if a.user_active { "" } else { " (INACTIVE)" },
                list(&a.user_roles),
                a.quota.id_quota,
                a.quota.total_reserved,
                a.quota.available,
            );
            Output::new(text, &a)
        }
        CveCommand::Reserve {
            count,
            year,
            scattered,
        } => {
            let r = app
                .reserve_cve_ids(Principal::Operator, *count, *year, !scattered, clock::now())
                .await?;
            let ids: Vec<String> = r.ids.iter().map(ToString::to_string).collect();
            let after = r
                .available_after
                .map_or_else(|| "unknown".to_string(), |n| n.to_string());
            Output::new(
                format!(
                    "Reserved {} id{} into the pool: {}\nquota available before: {}, after: {after}",
                    ids.len(),
                    if ids.len() == 1 { "" } else { "s" },
                    ids.join(" "),
                    r.available_before,
                ),
                serde_json::json!({"reserved": ids, "available_before": r.available_before, "available_after": r.available_after}),
            )
        }
        CveCommand::Sync => {
            let s = app.sync_cve_pool(Principal::Operator, clock::now()).await?;
            Output::new(
                format!(
                    "CVE Services lists {} id{}: {} new in the pool, {} changed state",
                    s.listed,
                    if s.listed == 1 { "" } else { "s" },
                    s.added,
                    s.changed
                ),
                serde_json::json!({"listed": s.listed, "added": s.added, "changed": s.changed}),
            )
        }
    };
    app.store().close().await;
    Ok(out)
}

fn list(roles: &[String]) -> String {
    if roles.is_empty() {
        "none".into()
    } else {
        roles.join(", ")
    }
}
