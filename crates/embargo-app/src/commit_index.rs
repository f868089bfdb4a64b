//! The index of commits that advisories' GIT ranges affect, for OSV commit queries.
//!
//! osv.dev answers `{"commit": ...}` from the affected commits it works out by walking each
//! repository. An installation does the same from a clone the operator names
//! (`embargo osv index-commits --repo URL DIR`): every advisory whose OSV document has GIT
//! ranges for that repository gets its affected commits stored, replacing the old ones.
//! The clone is read with the `git` command (rev-list), never written.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use embargo_formats::git_ranges::{self, GitRange, History};
use serde::Serialize;

use crate::error::AppError;
use crate::{App, Principal};

/// What one indexing run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CommitIndex {
    /// Advisories with GIT ranges for the repository.
    pub advisories: usize,
    pub ranges: usize,
    /// Affected commits stored, over all advisories.
    pub commits: usize,
    /// Ranges that could not be worked out (a commit missing from the clone), by advisory.
    pub notes: Vec<String>,
}

impl App {
    /// Works out and stores the affected commits of `repo` from the clone at `git_dir`.
    /// The operator only: it reads a directory of this machine.
    pub async fn index_commits(
        &self,
        principal: Principal,
        repo: &str,
        git_dir: &Path,
    ) -> Result<CommitIndex, AppError> {
        if principal != Principal::Operator {
            return Err(AppError::NotFound);
        }
        let key = git_ranges::repo_key(repo);
        let mut work: Vec<(String, Vec<GitRange>)> = Vec::new();
        for p in self.all_published().await? {
            let Some(source) = &p.osv_source else {
                // The model holds no GIT ranges: only documents kept whole carry them.
                continue;
            };
            let Ok(doc) = serde_json::from_str::<serde_json::Value>(source) else {
                continue;
            };
            let ranges: Vec<GitRange> = git_ranges::git_ranges(&doc)
                .into_iter()
                .filter(|r| git_ranges::repo_key(&r.repo) == key)
                .collect();
            if !ranges.is_empty() {
                work.push((p.id, ranges));
            }
        }
        let dir = git_dir.to_path_buf();
        let computed = tokio::task::spawn_blocking(move || compute(dir, work))
            .await
            .map_err(|e| AppError::Internal(format!("commit index: {e}")))??;
        let mut report = CommitIndex {
            advisories: computed.len(),
            ..CommitIndex::default()
        };
        let mut tx = self.store.begin().await?;
        for (id, ranges, commits, notes) in computed {
            report.ranges += ranges;
            report.commits += commits.len();
            report
                .notes
                .extend(notes.into_iter().map(|n| format!("{id}: {n}")));
            let commits: Vec<String> = commits.into_iter().collect();
            tx.replace_publication_commits(&id, &key, &commits).await?;
        }
        tx.commit().await?;
        Ok(report)
    }
}

type Computed = Vec<(String, usize, BTreeSet<String>, Vec<String>)>;

fn compute(dir: PathBuf, work: Vec<(String, Vec<GitRange>)>) -> Result<Computed, AppError> {
    let mut git = GitClone { dir, all: None };
    // Fails early, with one sentence, when the directory is no repository.
    git.all()?;
    let mut out = Vec::with_capacity(work.len());
    for (id, ranges) in work {
        let mut commits = BTreeSet::new();
        let mut notes = Vec::new();
        let count = ranges.len();
        for range in ranges {
            let named = (range.introduced.iter())
                .chain(&range.fixed)
                .chain(&range.last_affected)
                .chain(&range.limit)
                .filter(|c| *c != "0");
            let mut missing = Vec::new();
            for commit in named {
                if !git_ranges::is_commit_hash(commit) || !git.has(commit) {
                    missing.push(commit.clone());
                }
            }
            if !missing.is_empty() {
                notes.push(format!(
                    "the clone has no commit {}; that range is left out",
                    missing.join(", ")
                ));
                continue;
            }
            commits.extend(git_ranges::affected_commits(&range, &mut git)?);
        }
        out.push((id, count, commits, notes));
    }
    Ok(out)
}

/// A clone, read with `git rev-list`.
struct GitClone {
    dir: PathBuf,
    all: Option<BTreeSet<String>>,
}

impl GitClone {
    fn git(&self, args: &[&str]) -> Result<String, AppError> {
        let out = Command::new("git")
            .arg("-C")
            .arg(&self.dir)
            .args(args)
            .output()
            .map_err(|e| AppError::Unavailable(format!("git could not be run: {e}")))?;
        if !out.status.success() {
            return Err(AppError::invalid(embargo_core::ValueError::new(
                "git_dir",
                format!(
                    "{} is not a git repository git can read: {}",
                    self.dir.display(),
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            )));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn lines(&self, args: &[&str]) -> Result<BTreeSet<String>, AppError> {
        Ok(self.git(args)?.lines().map(str::to_string).collect())
    }

    /// Whether the clone has the commit (after [`History::all`] was read once).
    fn has(&self, commit: &str) -> bool {
        self.all.as_ref().is_some_and(|all| all.contains(commit))
    }
}

impl History for GitClone {
    type Error = AppError;

    fn all(&mut self) -> Result<BTreeSet<String>, AppError> {
        if let Some(all) = &self.all {
            return Ok(all.clone());
        }
        let all = self.lines(&["rev-list", "--all"])?;
        self.all = Some(all.clone());
        Ok(all)
    }

    fn descendants(&mut self, commit: &str) -> Result<BTreeSet<String>, AppError> {
        // Hashes only (checked above): nothing here can be read as an option.
        self.lines(&[
            "rev-list",
            "--all",
            "--ancestry-path",
            &format!("^{commit}"),
        ])
    }

    fn ancestors(&mut self, commit: &str) -> Result<BTreeSet<String>, AppError> {
        self.lines(&["rev-list", commit])
    }
}
