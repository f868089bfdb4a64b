//! `embargo project add|list`.

use embargo_app::Principal;
use embargo_store::OpenMode;

use super::{load_config, open_app};
use crate::cli::{Cli, ProjectCommand};
use crate::clock;
use crate::failure::Failure;
use crate::output::Output;

pub async fn run(cli: &Cli, cmd: &ProjectCommand) -> Result<Output, Failure> {
    let config = load_config(cli)?;
    let app = open_app(&config, OpenMode::MustExist).await?;
    let out = match cmd {
        ProjectCommand::Add {
            slug,
            name,
            description,
            repositories,
        } => {
            let p = app
                .add_project(
                    Principal::Operator,
                    slug,
                    name,
                    description,
                    repositories,
                    clock::now(),
                )
                .await?;
            Output::new(format!("Added project {} ({})", p.slug, p.name), &p)
        }
        ProjectCommand::List => {
            let projects = app.projects().await?;
            let text = projects
                .iter()
                .map(|p| format!("{}  {}", p.slug, p.name))
                .collect::<Vec<_>>()
                .join("\n");
            Output::new(text, &projects)
        }
    };
    app.store().close().await;
    Ok(out)
}
