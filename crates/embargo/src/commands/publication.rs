//! `embargo export osv|cve|csaf --out DIR` and `embargo import PATH`: the published
//! advisories out as files, and an organization's earlier advisories in.

use std::path::{Path, PathBuf};

use embargo_app::{App, Principal};
use embargo_core::Publication;
use embargo_formats::{Publisher, csaf, cve5, osv};
use embargo_store::OpenMode;
use serde_json::json;

use super::{load_config, open_app};
use crate::cli::{Cli, ExportArgs, ExportFormat, ImportArgs};
use crate::failure::Failure;
use crate::output::Output;

/// One file, its directory made if missing (for the few files outside [`write_each`]).
fn write_json(path: &Path, doc: &serde_json::Value) -> Result<(), Failure> {
    let mut text = Vec::new();
    json_file(doc, &mut text)?;
    if let Some(dir) = path.parent() {
        create_dir(dir)?;
    }
    write_bytes(path, &text)
}

/// A document as its file holds it: pretty JSON and a final newline.
fn json_file(doc: &serde_json::Value, into: &mut Vec<u8>) -> Result<(), Failure> {
    into.clear();
    serde_json::to_writer_pretty(&mut *into, doc).map_err(|e| Failure::Internal(e.to_string()))?;
    into.push(b'\n');
    Ok(())
}

fn write_text(path: &Path, text: &str) -> Result<(), Failure> {
    if let Some(dir) = path.parent() {
        create_dir(dir)?;
    }
    write_bytes(path, text.as_bytes())
}

fn create_dir(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::Setup(format!("cannot create {}: {e}", dir.display())))
}

fn write_bytes(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    std::fs::write(path, bytes)
        .map_err(|e| Failure::Setup(format!("cannot write {}: {e}", path.display())))
}

/// Writes one JSON file per `(path, item)`, rendered by `render`, on every core: at ten
/// thousand advisories, creating the files costs the kernel about as much as rendering
/// them costs us, and the two overlap across threads. The directories are made first,
/// once each. The first failure is returned; the other threads stop at their next file.
fn write_each<T: Sync>(
    files: &[(PathBuf, T)],
    render: impl Fn(&T) -> serde_json::Value + Sync,
) -> Result<(), Failure> {
    let dirs: std::collections::BTreeSet<&Path> =
        files.iter().filter_map(|(path, _)| path.parent()).collect();
    for dir in dirs {
        create_dir(dir)?;
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let chunk = files.len().div_ceil(threads).max(1);
    let failed = std::sync::atomic::AtomicBool::new(false);
    let outcomes: Vec<Result<(), Failure>> = std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                let (render, failed) = (&render, &failed);
                scope.spawn(move || {
                    let mut text = Vec::with_capacity(16 * 1024);
                    for (path, item) in part {
                        if failed.load(std::sync::atomic::Ordering::Relaxed) {
                            break;
                        }
                        let written = json_file(&render(item), &mut text)
                            .and_then(|()| write_bytes(path, &text));
                        if written.is_err() {
                            failed.store(true, std::sync::atomic::Ordering::Relaxed);
                            return written;
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(Failure::Internal("an export thread failed".into())))
            })
            .collect()
    });
    outcomes.into_iter().collect()
}

/// `dir/name`, where `name` comes from an advisory's id: it must be one plain file name
/// (letters, digits, `.`, `_`, `:`, `-`, `+`; not starting with a dot), so that no id, even
/// one stored before ids were checked on import, can write outside the output directory.
fn file_in(dir: &Path, name: &str) -> Result<PathBuf, Failure> {
    let plain = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | ':' | '-' | '+'));
    if plain {
        Ok(dir.join(name))
    } else {
        Err(Failure::Refused(format!(
            "the advisory id in {name:?} is not a safe file name; the export stopped before it"
        )))
    }
}

/// Writes one format's files for `all` into `out`; returns the paths written.
pub fn export_to(
    format: ExportFormat,
    publisher: &Publisher,
    all: &[Publication],
    assigned: &std::collections::BTreeSet<String>,
    out: &Path,
    now: jiff::Timestamp,
) -> Result<Vec<PathBuf>, Failure> {
    let mut written = Vec::new();
    match format {
        ExportFormat::Osv => {
            let files = all
                .iter()
                .map(|p| Ok((file_in(out, &format!("{}.json", osv::id(&p.id)))?, p)))
                .collect::<Result<Vec<_>, Failure>>()?;
            write_each(&files, |p| osv::document(publisher, p))?;
            written.extend(files.into_iter().map(|(path, _)| path));
        }
        ExportFormat::Cve => {
            // The CNA container of every advisory (to submit once a CVE id is reserved).
            let live: Vec<&Publication> = all.iter().filter(|p| p.withdrawn.is_none()).collect();
            let containers = live
                .iter()
                .map(|p| Ok((file_in(&out.join("cna"), &format!("{}.json", p.id))?, *p)))
                .collect::<Result<Vec<_>, Failure>>()?;
            write_each(&containers, |p| cve5::cna_container(publisher, p))?;
            written.extend(containers.into_iter().map(|(path, _)| path));
            // One full record per CVE id, and only for ids this installation assigned as
            // a CNA (its pool): another CNA's id is not ours to write a record for. When
            // several advisories name one id, the most recently modified one speaks.
            let mut records: std::collections::BTreeMap<String, &Publication> =
                std::collections::BTreeMap::new();
            for p in live {
                if let Some(cve) = p
                    .advisory
                    .cve
                    .as_ref()
                    .filter(|c| assigned.contains(c.as_ref()))
                {
                    let newer = records
                        .get(cve.as_ref())
                        .is_none_or(|q| (q.modified, &q.id) < (p.modified, &p.id));
                    if newer {
                        records.insert(cve.to_string(), p);
                    }
                }
            }
            for (cve, p) in records {
                if let Some(record) = cve5::record(publisher, p) {
                    let path = file_in(out, &format!("{cve}.json"))?;
                    write_json(&path, &record)?;
                    written.push(path);
                }
            }
        }
        ExportFormat::Csaf => {
            // Withdrawn advisories are not distributed (CSAF has no withdrawn state).
            let live: Vec<Publication> = all
                .iter()
                .filter(|p| p.withdrawn.is_none())
                .cloned()
                .collect();
            let all = &live[..];
            // The trusted-provider directory layout, ready to serve as /.well-known/csaf/.
            let path = out.join("provider-metadata.json");
            write_json(&path, &csaf::provider_metadata(publisher, all, now))?;
            written.push(path);
            // csaf::file_name maps every id to [a-z0-9+_-] already.
            let documents = all
                .iter()
                .map(|p| {
                    let year = p.timeline.published.year().to_string();
                    Ok((
                        file_in(&out.join("white").join(year), &csaf::file_name(&p.id))?,
                        p,
                    ))
                })
                .collect::<Result<Vec<_>, Failure>>()?;
            write_each(&documents, |p| csaf::document(publisher, p))?;
            written.extend(documents.into_iter().map(|(path, _)| path));
            let path = out.join("white/index.txt");
            write_text(&path, &csaf::index_txt(all))?;
            written.push(path);
            let path = out.join("white/changes.csv");
            write_text(&path, &csaf::changes_csv(all))?;
            written.push(path);
        }
    }
    Ok(written)
}

pub async fn export(cli: &Cli, args: &ExportArgs) -> Result<Output, Failure> {
    let config = load_config(cli)?;
    let app = open_app(&config, OpenMode::MustExist).await?;
    let all = app.publications_to_export(args.include_imported).await?;
    // The ids this installation assigned as a CNA: full CVE records are written for these.
    let assigned: std::collections::BTreeSet<String> = app
        .cve_pool(embargo_app::Principal::Operator)
        .await?
        .into_iter()
        .map(|c| c.cve.to_string())
        .collect();
    app.store().close().await;
    let publisher = app.publication_settings().publisher.clone();
    let now = crate::clock::now();
    let written = export_to(args.format, &publisher, &all, &assigned, &args.out, now)?;
    Ok(Output::new(
        format!(
            "{} advisories exported as {}: {} files in {}",
            all.len(),
            args.format.name(),
            written.len(),
            args.out.display()
        ),
        json!({"advisories": all.len(), "files": written}),
    ))
}

pub async fn import(cli: &Cli, args: &ImportArgs) -> Result<Output, Failure> {
    let config = load_config(cli)?;
    let app = open_app(&config, OpenMode::MustExist).await?;
    let (read_files, failed) = read(&args.path, !cli.json)?;
    let imported: Vec<embargo_formats::import::Imported> =
        read_files.iter().map(|(_, i)| i.clone()).collect();
    let outcome = store(&app, &imported).await?;
    // What was kept with changes, and why: a value dropped, a date the source did not know.
    let adjusted: Vec<(&PathBuf, &Vec<String>)> = read_files
        .iter()
        .filter(|(_, i)| !i.notes.is_empty())
        .map(|(path, i)| (path, &i.notes))
        .collect();
    app.store().close().await;
    let mut failed = failed;
    failed.extend(
        outcome
            .refused
            .iter()
            .map(|(id, why)| (PathBuf::from(id), why.clone())),
    );
    let failures: Vec<serde_json::Value> = failed
        .iter()
        .map(|(path, why)| json!({"file": path, "error": why}))
        .collect();
    let mut text = format!(
        "{} advisories imported, {} updated, {} already there, {} adjusted, {} refused",
        outcome.imported.len(),
        outcome.updated.len(),
        outcome.existing.len(),
        adjusted.len(),
        failed.len()
    );
    for (path, notes) in &adjusted {
        text.push_str(&format!("\n  adjusted {}:", path.display()));
        for note in *notes {
            text.push_str(&format!("\n    {note}"));
        }
    }
    for (path, why) in &failed {
        text.push_str(&format!("\n  refused {}: {why}", path.display()));
    }
    let adjusted_json: Vec<serde_json::Value> = adjusted
        .iter()
        .map(|(path, notes)| json!({"file": path, "notes": notes}))
        .collect();
    let data = json!({"imported": outcome.imported, "updated": outcome.updated, "existing": outcome.existing,
                      "adjusted": adjusted_json, "failed": failures});
    if failed.is_empty() && adjusted.is_empty() {
        Ok(Output::new(text, data))
    } else {
        // The good files are in; the exit code tells scripts that some were not, or were
        // changed on the way.
        Output::new("", &data).print(cli.json);
        Err(Failure::CheckFailed(text))
    }
}

type Read = (
    Vec<(PathBuf, embargo_formats::import::Imported)>,
    Vec<(PathBuf, String)>,
);

/// Reads a file or a directory of JSON files, drawing a progress bar on a terminal.
fn read(path: &Path, progress: bool) -> Result<Read, Failure> {
    if path.is_file() {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::Setup(format!("cannot read {}: {e}", path.display())))?;
        return Ok(
            match embargo_formats::import::from_json(&text, crate::clock::now()) {
                Ok(i) => (vec![(path.to_path_buf(), i)], vec![]),
                Err(e) => (vec![], vec![(path.to_path_buf(), e.to_string())]),
            },
        );
    }
    if !path.is_dir() {
        return Err(Failure::Setup(format!(
            "{} is neither a file nor a directory",
            path.display()
        )));
    }
    let bar = indicatif::ProgressBar::hidden();
    if progress {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    }
    let result =
        embargo_formats::import::from_dir(path, crate::clock::now(), &mut |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        });
    bar.finish_and_clear();
    Ok((
        result.imported,
        result
            .failed
            .into_iter()
            .map(|(p, e)| (p, e.to_string()))
            .collect(),
    ))
}

async fn store(
    app: &App,
    imported: &[embargo_formats::import::Imported],
) -> Result<embargo_app::ImportOutcome, Failure> {
    Ok(app
        .import_published(Principal::Operator, imported, crate::clock::now())
        .await?)
}
