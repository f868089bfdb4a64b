//! `embargo osv index-commits`: the affected commits of GIT ranges, for OSV commit queries.

use embargo_app::Principal;
use embargo_store::OpenMode;

use super::{load_config, open_app};
use crate::cli::{Cli, OsvCommand};
use crate::failure::Failure;
use crate::output::Output;

pub async fn run(cli: &Cli, cmd: &OsvCommand) -> Result<Output, Failure> {
    let config = load_config(cli)?;
    let app = open_app(&config, OpenMode::MustExist).await?;
    let OsvCommand::IndexCommits { repo, git_dir } = cmd;
    let result = app.index_commits(Principal::Operator, repo, git_dir).await;
    app.store().close().await;
    let index = result?;
    let mut text = format!(
        "{} advisor{} with {} GIT range{} for {repo}: {} affected commit{} indexed",
        index.advisories,
        if index.advisories == 1 { "y" } else { "ies" },
        index.ranges,
        if index.ranges == 1 { "" } else { "s" },
        index.commits,
        if index.commits == 1 { "" } else { "s" },
    );
    for note in &index.notes {
        text.push_str("\n  ");
        text.push_str(note);
    }
    Ok(Output::new(text, &index))
}
