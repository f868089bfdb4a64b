//! `embargo audit verify`: walk the hash chain.

use embargo_store::OpenMode;

use super::{load_config, open_app};
use crate::cli::{AuditCommand, Cli};
use crate::failure::Failure;
use crate::output::Output;

pub async fn run(cli: &Cli, cmd: &AuditCommand) -> Result<Output, Failure> {
    let AuditCommand::Verify = cmd;
    let config = load_config(cli)?;
    let app = open_app(&config, OpenMode::MustExist).await?;
    // A check of the records, so first a check of the file they are in.
    app.store().check_integrity().await?;
    let report = app.verify_audit(embargo_app::Principal::Operator).await;
    app.store().close().await;
    let report = report?;
    if report.is_intact() {
        return Ok(Output::new(
            format!(
                "audit log intact: {} entries, head {}",
                report.entries, report.head_hash
            ),
            &report,
        ));
    }
    // With --json the report goes to stdout and the exit code still says it failed.
    if cli.json {
        Output::new("", &report).print(true);
    }
    let lines: Vec<String> = report
        .problems
        .iter()
        .map(|p| format!("  entry {}: {}", p.seq, p.problem))
        .collect();
    Err(Failure::CheckFailed(format!(
        "the audit log was tampered with ({} problems in {} entries):\n{}",
        report.problems.len(),
        report.entries,
        lines.join("\n")
    )))
}
