//! `embargo migrate`, `embargo backup`, `embargo restore`: the database as a whole.

use std::io::{BufReader, BufWriter};

use embargo_store::{OpenMode, SealingKey, Store, latest_schema_version};
use serde_json::json;

use super::init::restrict;
use super::load_config;
use crate::cli::{BackupArgs, Cli, RestoreArgs};
use crate::clock;
use crate::failure::Failure;
use crate::output::Output;

pub async fn migrate(cli: &Cli) -> Result<Output, Failure> {
    let config = load_config(cli)?;
    let store = Store::connect(&config.store_url()?, OpenMode::CreateOrMigrate).await?;
    store.close().await;
    let version = latest_schema_version();
    Ok(Output::new(
        format!(
            "database {} is at schema version {version}",
            config.database_shown()
        ),
        json!({"database": config.database_shown(), "schema_version": version}),
    ))
}

pub async fn backup(cli: &Cli, args: &BackupArgs) -> Result<Output, Failure> {
    let config = load_config(cli)?;
    let store = Store::connect(&config.store_url()?, OpenMode::MustExist).await?;
    // Written beside the target and renamed at the end: a failed backup leaves no file
    // that looks complete. Private from the start: it holds every report.
    let partial = args.out.with_extension("partial");
    let cannot =
        |e: std::io::Error| Failure::Setup(format!("cannot write {}: {e}", args.out.display()));
    if args.out.exists() {
        return Err(Failure::Refused(format!(
            "{} exists already; choose a new file",
            args.out.display()
        )));
    }
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&partial)
        .map_err(cannot)?;
    restrict(&partial, 0o600)?;
    let mut out = BufWriter::new(file);
    let key = if args.include_key {
        Some(super::secrets_key(&config)?)
    } else {
        None
    };
    let summary = match store
        .backup_with_key(&mut out, clock::now(), key.as_ref())
        .await
    {
        Ok(summary) => summary,
        Err(e) => {
            drop(out);
            let _ = std::fs::remove_file(&partial);
            return Err(e.into());
        }
    };
    let file = out.into_inner().map_err(|e| cannot(e.into_error()))?;
    file.sync_all().map_err(cannot)?;
    std::fs::rename(&partial, &args.out).map_err(cannot)?;
    // The chain's head, to compare with what `restore` prints on the other side.
    let audit = store.verify_audit().await?;
    store.close().await;
    Ok(Output::new(
        format!(
            "backed up {} rows of {} tables (schema version {}) to {}; audit log: {} entries, head {}{}",
            summary.rows,
            summary.tables,
            summary.schema_version,
            args.out.display(),
            audit.entries,
            audit.head_hash,
            if audit.is_intact() {
                String::new()
            } else {
                format!(
                    " (NOT intact: {} problems; run `embargo audit verify`)",
                    audit.problems.len()
                )
            }
        ),
        json!({"backup": summary, "audit_entries": audit.entries, "audit_head": audit.head_hash, "audit_intact": audit.is_intact()}),
    ))
}

pub async fn restore(cli: &Cli, args: &RestoreArgs) -> Result<Output, Failure> {
    let config = load_config(cli)?;
    let file = std::fs::File::open(&args.file)
        .map_err(|e| Failure::Refused(format!("cannot read {}: {e}", args.file.display())))?;
    if !config.is_postgres() {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            Failure::Setup(format!("cannot create {}: {e}", config.data_dir.display()))
        })?;
    }
    let store = Store::connect(&config.store_url()?, OpenMode::CreateOrMigrate).await?;
    if !config.is_postgres() {
        restrict(&config.sqlite_path()?, 0o600)?;
    }
    let summary = store.restore(BufReader::new(file)).await?;
    // The sealed secrets open with the key of the installation the backup came from: the
    // backup's own (--include-key), or the one already in this data directory.
    let key_path = config.data_dir.join(super::SECRETS_KEY_FILE);
    if let Some(key) = &summary.secrets_key {
        match std::fs::read_to_string(&key_path) {
            Ok(text) if SealingKey::from_hex(&text).ok().as_ref() != Some(key) => {
                return Err(Failure::Refused(format!(
                    "restored, but {} holds another secrets key than the backup: move it \
                     away and restore again into a new database",
                    key_path.display()
                )));
            }
            Ok(_) => {}
            Err(_) => super::write_secrets_key(&key_path, key)?,
        }
    }
    if !key_path.exists() && store.has_secrets_key().await? {
        return Err(Failure::Refused(format!(
            "restored, but its secrets are sealed with the secrets.key of the installation the \
             backup came from: copy that file to {} (or back up with --include-key)",
            key_path.display()
        )));
    }
    let store = store
        .unseal_with(&super::secrets_key(&config)?)
        .await
        .map_err(|e| Failure::Refused(format!("restored, but {e}")))?;
    let audit = store.verify_audit().await?;
    store.close().await;
    if !audit.is_intact() {
        return Err(Failure::CheckFailed(format!(
            "restored, but the audit log does not verify ({} problems): was the backup edited?",
            audit.problems.len()
        )));
    }
    Ok(Output::new(
        format!(
            "restored {} rows of {} tables into {}; audit log intact: {} entries, head {}",
            summary.rows,
            summary.tables,
            config.database_shown(),
            audit.entries,
            audit.head_hash
        ),
        json!({"restored": summary, "audit_entries": audit.entries, "audit_head": audit.head_hash}),
    ))
}
