//! The private CI mirror (policy step 8): GitHub runs no workflows in a temporary private
//! fork, so embargo copies the fork's branch to a private repository of the organization
//! where Actions do run, dispatches or observes the runs for that commit, and deletes the
//! branch after publication. The copy is `git fetch` and `git push` with the system's git;
//! the credentials reach git through its environment (`GIT_CONFIG_*`), never its arguments
//! or a file, and never appear in an error.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::calls::OnRepo;
use crate::client::{GitHub, seg, split_repository};
use crate::error::{ErrorKind, GitHubError};

/// One workflow run of the mirrored commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowRun {
    pub name: String,
    /// `queued`, `in_progress`, `completed`, ...
    pub status: String,
    /// `success`, `failure`, `cancelled`, ... once completed.
    pub conclusion: Option<String>,
    pub html_url: String,
}

impl WorkflowRun {
    fn from_json(v: &Value) -> Option<Self> {
        Some(Self {
            name: v["name"]
                .as_str()
                .or(v["display_title"].as_str())?
                .to_string(),
            status: v["status"].as_str().unwrap_or_default().to_string(),
            conclusion: v["conclusion"].as_str().map(str::to_string),
            html_url: v["html_url"].as_str().unwrap_or_default().to_string(),
        })
    }
}

/// A branch name git and GitHub both take: letters, digits, `-`, `_`, `.`, `/`, no `..`.
pub fn valid_branch(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && !name.contains("..")
        && !name.starts_with(['/', '-', '.'])
        && !name.ends_with(['/', '.'])
        && !name.ends_with(".lock")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

impl GitHub {
    /// Copies `branch` of `fork` to `mirror_branch` of `mirror` (force: the mirror branch
    /// follows the fork) and returns the commit's SHA.
    pub async fn mirror_branch(
        &self,
        fork: &str,
        branch: &str,
        mirror: &str,
        mirror_branch: &str,
    ) -> Result<String, GitHubError> {
        let args = [fork, branch, mirror, mirror_branch].map(str::to_string);
        self.blocking(move |g| {
            let [fork, branch, mirror, mirror_branch] = &args;
            g.mirror_now(fork, branch, mirror, mirror_branch)
        })
        .await
    }

    fn mirror_now(
        &self,
        fork: &str,
        branch: &str,
        mirror: &str,
        mirror_branch: &str,
    ) -> Result<String, GitHubError> {
        let invalid = |m: String| GitHubError::new(ErrorKind::Invalid, m);
        if !valid_branch(branch) || !valid_branch(mirror_branch) {
            return Err(invalid(
                "the branch name is not one git takes (letters, digits, - _ . /)".to_string(),
            ));
        }
        let (fork_owner, fork_repo) = split_repository(fork).map_err(invalid)?;
        let (mirror_owner, mirror_repo) = split_repository(mirror).map_err(invalid)?;
        // The fork's and the branch's names are private (the case's forks): not in the
        // sentence, which reaches the team's mail when the job keeps failing.
        let doing = format!("copying a fork's branch to the CI mirror {mirror}");
        let fork_auth = self.git_authorization(&doing, fork_owner, fork_repo)?;
        let mirror_auth = self.git_authorization(&doing, mirror_owner, mirror_repo)?;
        let dir = tempfile_dir(&doing)?;
        let git = |auth: &Option<String>, args: &[&str]| -> Result<String, GitHubError> {
            run_git(
                dir.path(),
                auth,
                args,
                &doing,
                &[fork, branch, mirror_branch],
            )
        };
        git(&None, &["init", "--quiet", "--bare"])?;
        let fork_url = self.git_url(fork);
        git(
            &fork_auth,
            &[
                "fetch",
                "--quiet",
                "--no-tags",
                &fork_url,
                &format!("refs/heads/{branch}"),
            ],
        )?;
        let sha = git(&None, &["rev-parse", "FETCH_HEAD"])?.trim().to_string();
        let target = format!("FETCH_HEAD:refs/heads/{mirror_branch}");
        git(
            &mirror_auth,
            &["push", "--quiet", "--force", &self.git_url(mirror), &target],
        )?;
        Ok(sha)
    }

    /// The repository's git URL under `[github] git_url`.
    fn git_url(&self, repository: &str) -> String {
        format!(
            "{}/{repository}.git",
            self.settings.git_url.trim_end_matches('/')
        )
    }

    /// The `Authorization` header git sends: the token, or the installation's token, as
    /// GitHub takes them over HTTPS (`x-access-token`); none for a non-HTTP git URL.
    fn git_authorization(
        &self,
        doing: &str,
        owner: &str,
        repo: &str,
    ) -> Result<Option<String>, GitHubError> {
        if !self.settings.git_url.starts_with("http") {
            return Ok(None);
        }
        let token = self.token_for(doing, owner, repo)?;
        let basic = data_encoding::BASE64.encode(format!("x-access-token:{token}").as_bytes());
        Ok(Some(format!("Authorization: Basic {basic}")))
    }

    /// Starts `workflow` (a file name such as `ci.yml`, or its id) on `branch` of `mirror`
    /// (`POST .../actions/workflows/{workflow_id}/dispatches`).
    pub async fn dispatch_workflow(
        &self,
        mirror: &str,
        workflow: &str,
        branch: &str,
    ) -> Result<(), GitHubError> {
        let doing = format!("starting the workflow {workflow} on the CI mirror {mirror}");
        let tail = format!("/actions/workflows/{}/dispatches", seg(workflow));
        self.on_repo(OnRepo::post(mirror, doing, &tail, json!({"ref": branch})))
            .await
            .map(|_| ())
    }

    /// The workflow runs of commit `sha` in `mirror` (`GET .../actions/runs?head_sha=`).
    pub async fn workflow_runs(
        &self,
        mirror: &str,
        sha: &str,
    ) -> Result<Vec<WorkflowRun>, GitHubError> {
        let doing = format!("reading the workflow runs of {mirror}");
        let call = OnRepo::get(mirror, doing, "/actions/runs")
            .query("head_sha", sha)
            .query("per_page", "100");
        let answer = self.on_repo(call).await?;
        Ok(answer.json["workflow_runs"]
            .as_array()
            .map(|a| a.iter().filter_map(WorkflowRun::from_json).collect())
            .unwrap_or_default())
    }

    /// Deletes `branch` of `mirror` (`DELETE .../git/refs/heads/{branch}`); a branch that
    /// is gone already counts as deleted.
    pub async fn delete_branch(&self, mirror: &str, branch: &str) -> Result<(), GitHubError> {
        let doing = format!("deleting a branch of the CI mirror {mirror}");
        // `{ref}` is one parameter holding `heads/BRANCH`: its slashes stay.
        let reference: Vec<String> = format!("heads/{branch}").split('/').map(seg).collect();
        let tail = format!("/git/refs/{}", reference.join("/"));
        let call = OnRepo::get(mirror, doing, &tail).method("DELETE");
        match self.on_repo(call).await {
            Ok(_) => Ok(()),
            Err(e) if matches!(e.kind, ErrorKind::NotFound | ErrorKind::Invalid) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

fn tempfile_dir(doing: &str) -> Result<tempfile::TempDir, GitHubError> {
    tempfile::tempdir().map_err(|e| {
        GitHubError::new(
            ErrorKind::Unavailable,
            format!("no scratch directory while {doing}: {e}"),
        )
    })
}

/// Runs git in `dir` with `auth` as an extra HTTP header through git's environment; its
/// standard output, or its complaint as the error (git does not print headers).
fn run_git(
    dir: &Path,
    auth: &Option<String>,
    args: &[&str],
    doing: &str,
    private: &[&str],
) -> Result<String, GitHubError> {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_DIR", dir);
    match auth {
        Some(header) => cmd
            .env("GIT_CONFIG_COUNT", "1")
            .env("GIT_CONFIG_KEY_0", "http.extraHeader")
            .env("GIT_CONFIG_VALUE_0", header),
        None => cmd.env("GIT_CONFIG_COUNT", "0"),
    };
    let out = cmd.output().map_err(|e| {
        GitHubError::new(
            ErrorKind::Unavailable,
            format!("git could not run while {doing}: {e}"),
        )
    })?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let mut said: String = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    // git names the fork and the branches; their names are private (the case's forks).
    for name in private.iter().filter(|n| !n.is_empty()) {
        said = said.replace(name, "(private)");
    }
    // A missing branch or repository will not appear by itself; a network failure may.
    let kind = if said.contains("couldn't find remote ref") || said.contains("not found") {
        ErrorKind::NotFound
    } else if said.contains("Authentication failed") || said.contains("403") {
        ErrorKind::Forbidden {
            permission: Some("contents=write".into()),
        }
    } else {
        ErrorKind::Unavailable
    };
    Err(GitHubError::new(
        kind,
        format!("git failed while {doing}: {said}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::valid_branch;

    #[test]
    fn branch_names_are_checked() {
        assert!(valid_branch("fix/token-leak"));
        assert!(!valid_branch("../etc"));
        assert!(!valid_branch("-x"));
        assert!(!valid_branch("a b"));
        assert!(!valid_branch("x.lock"));
    }
}
