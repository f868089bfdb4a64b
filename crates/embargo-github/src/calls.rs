//! The REST operations embargo uses, one method each (GitHub's operation in the doc line).
//! `repository` is always `owner/name`.

use serde_json::{Value, json};

use crate::client::{As, GitHub, seg, split_repository};
use crate::error::{ErrorKind, GitHubError};
use crate::types::{Issue, PullRequest, RemoteAdvisory, Repository, RepositoryAccess};

/// At most this many pages of 100 are read from a list.
const MAX_PAGES: u32 = 20;

fn bad_name(e: String) -> GitHubError {
    GitHubError::new(ErrorKind::Invalid, e)
}

fn unexpected(doing: &str, what: &str) -> GitHubError {
    GitHubError::new(
        ErrorKind::Unexpected,
        format!("GitHub answered {doing} with {what}"),
    )
}

impl GitHub {
    /// Who the credentials are: the App's name (`GET /app`, with the JWT) or the token's
    /// user (`GET /user`). Proves the key or token works.
    pub async fn whoami(&self) -> Result<String, GitHubError> {
        self.blocking(|g| {
            if g.is_app() {
                let app = g.call("reading the GitHub App", "GET", "/app", &[], None, As::App)?;
                Ok(format!(
                    "the GitHub App {} (id {})",
                    app.json["slug"]
                        .as_str()
                        .or(app.json["name"].as_str())
                        .unwrap_or("?"),
                    app.json["id"]
                ))
            } else {
                let user = g.call(
                    "reading the token's user",
                    "GET",
                    "/user",
                    &[],
                    None,
                    As::Anyone,
                )?;
                Ok(format!(
                    "the GitHub user {}",
                    user.json["login"].as_str().unwrap_or("?")
                ))
            }
        })
        .await
    }

    /// What the credentials may do on `repository` (`GET /repos/{owner}/{repo}`, the
    /// App's installation there, and one page of its security advisories).
    pub async fn check_repository(
        &self,
        repository: &str,
    ) -> Result<RepositoryAccess, GitHubError> {
        let repository = repository.to_string();
        self.blocking(move |g| g.check_now(&repository)).await
    }

    fn check_now(&self, repository: &str) -> Result<RepositoryAccess, GitHubError> {
        let (owner, repo) = split_repository(repository).map_err(bad_name)?;
        let doing = format!("reading {repository}");
        let who = As::Repo { owner, repo };
        let path = format!("/repos/{}/{}", seg(owner), seg(repo));
        let answer = self.call(&doing, "GET", &path, &[], None, who)?;
        let repository_found = Repository::from_json(&answer.json)
            .ok_or_else(|| unexpected(&doing, "no repository"))?;
        let mut permissions = Vec::new();
        if self.is_app() {
            let inst = self.call(
                &doing,
                "GET",
                &format!("{path}/installation"),
                &[],
                None,
                As::App,
            )?;
            if let Some(map) = inst.json["permissions"].as_object() {
                permissions = map
                    .iter()
                    .filter_map(|(k, v)| v.as_str().map(|v| format!("{k}={v}")))
                    .collect();
            }
        }
        let advisories_readable = self
            .call(
                &format!("listing the security advisories of {repository}"),
                "GET",
                &format!("{path}/security-advisories"),
                &[("per_page", "1")],
                None,
                who,
            )
            .is_ok();
        Ok(RepositoryAccess {
            repository: repository_found,
            permissions,
            advisories_readable,
        })
    }

    /// The repository's advisories in `state` (`GET /repos/{owner}/{repo}/security-advisories`),
    /// every page (this list pages with `after` cursors from the `Link` header).
    pub async fn advisories(
        &self,
        repository: &str,
        state: &str,
    ) -> Result<Vec<RemoteAdvisory>, GitHubError> {
        let (repository, state) = (repository.to_string(), state.to_string());
        self.blocking(move |g| {
            let (owner, repo) = split_repository(&repository).map_err(bad_name)?;
            let doing = format!("listing the {state} advisories of {repository}");
            let path = format!("/repos/{}/{}/security-advisories", seg(owner), seg(repo));
            let mut out = Vec::new();
            let mut after: Option<String> = None;
            for _ in 0..MAX_PAGES {
                let mut query = vec![("state", state.as_str()), ("per_page", "100")];
                if let Some(cursor) = &after {
                    query.push(("after", cursor.as_str()));
                }
                let answer =
                    g.call(&doing, "GET", &path, &query, None, As::Repo { owner, repo })?;
                let items = answer.json.as_array().cloned().unwrap_or_default();
                out.extend(items.iter().filter_map(RemoteAdvisory::from_json));
                after = answer.link.as_deref().and_then(|l| next_param(l, "after"));
                if after.is_none() || items.is_empty() {
                    break;
                }
            }
            Ok(out)
        })
        .await
    }

    /// Opens a draft (`POST /repos/{owner}/{repo}/security-advisories`) with `fields`
    /// (see `embargo_formats::github`).
    pub async fn create_advisory(
        &self,
        repository: &str,
        fields: Value,
    ) -> Result<RemoteAdvisory, GitHubError> {
        let repository = repository.to_string();
        self.blocking(move |g| {
            let (owner, repo) = split_repository(&repository).map_err(bad_name)?;
            let doing = format!("opening a draft advisory in {repository}");
            let path = format!("/repos/{}/{}/security-advisories", seg(owner), seg(repo));
            let answer = g.call(
                &doing,
                "POST",
                &path,
                &[],
                Some(&fields),
                As::Repo { owner, repo },
            )?;
            RemoteAdvisory::from_json(&answer.json).ok_or_else(|| unexpected(&doing, "no ghsa_id"))
        })
        .await
    }

    /// One advisory (`GET /repos/{owner}/{repo}/security-advisories/{ghsa_id}`).
    pub async fn advisory(
        &self,
        repository: &str,
        ghsa_id: &str,
    ) -> Result<RemoteAdvisory, GitHubError> {
        self.advisory_call(repository, ghsa_id, "GET", None, "reading")
            .await
    }

    /// Changes an advisory (`PATCH .../security-advisories/{ghsa_id}`): public fields,
    /// `collaborating_users`, or `{"state": "published"}`.
    pub async fn update_advisory(
        &self,
        repository: &str,
        ghsa_id: &str,
        patch: Value,
    ) -> Result<RemoteAdvisory, GitHubError> {
        let doing = if patch.get("state").is_some_and(|s| s == "published") {
            "publishing"
        } else {
            "updating"
        };
        self.advisory_call(repository, ghsa_id, "PATCH", Some(patch), doing)
            .await
    }

    async fn advisory_call(
        &self,
        repository: &str,
        ghsa_id: &str,
        method: &'static str,
        body: Option<Value>,
        verb: &'static str,
    ) -> Result<RemoteAdvisory, GitHubError> {
        let (repository, ghsa_id) = (repository.to_string(), ghsa_id.to_string());
        self.blocking(move |g| {
            let (owner, repo) = split_repository(&repository).map_err(bad_name)?;
            let doing = format!("{verb} {ghsa_id} in {repository}");
            let path = format!(
                "/repos/{}/{}/security-advisories/{}",
                seg(owner),
                seg(repo),
                seg(&ghsa_id)
            );
            let answer = g.call(
                &doing,
                method,
                &path,
                &[],
                body.as_ref(),
                As::Repo { owner, repo },
            )?;
            RemoteAdvisory::from_json(&answer.json).ok_or_else(|| unexpected(&doing, "no ghsa_id"))
        })
        .await
    }

    /// Asks GitHub, as a CNA, for a CVE id for the advisory
    /// (`POST .../security-advisories/{ghsa_id}/cve`); the id arrives later.
    pub async fn request_cve(&self, repository: &str, ghsa_id: &str) -> Result<(), GitHubError> {
        self.advisory_action(repository, ghsa_id, "cve", "requesting a CVE for")
            .await
            .map(|_| ())
    }

    /// Creates the advisory's temporary private fork
    /// (`POST .../security-advisories/{ghsa_id}/forks`); GitHub answers with the existing
    /// fork when there is one.
    pub async fn create_fork(
        &self,
        repository: &str,
        ghsa_id: &str,
    ) -> Result<Repository, GitHubError> {
        let answer = self
            .advisory_action(repository, ghsa_id, "forks", "creating a private fork for")
            .await?;
        Repository::from_json(&answer).ok_or_else(|| {
            unexpected(
                &format!("creating a private fork for {ghsa_id}"),
                "no repository",
            )
        })
    }

    async fn advisory_action(
        &self,
        repository: &str,
        ghsa_id: &str,
        action: &'static str,
        verb: &'static str,
    ) -> Result<Value, GitHubError> {
        let (repository, ghsa_id) = (repository.to_string(), ghsa_id.to_string());
        self.blocking(move |g| {
            let (owner, repo) = split_repository(&repository).map_err(bad_name)?;
            let doing = format!("{verb} {ghsa_id} in {repository}");
            let path = format!(
                "/repos/{}/{}/security-advisories/{}/{action}",
                seg(owner),
                seg(repo),
                seg(&ghsa_id)
            );
            Ok(
                g.call(&doing, "POST", &path, &[], None, As::Repo { owner, repo })?
                    .json,
            )
        })
        .await
    }

    /// Whether `login` is a GitHub account (`GET /users/{username}`).
    pub async fn user_exists(&self, login: &str) -> Result<bool, GitHubError> {
        let login = login.to_string();
        self.blocking(move |g| {
            let doing = format!("looking up the GitHub user {login}");
            match g.call(
                &doing,
                "GET",
                &format!("/users/{}", seg(&login)),
                &[],
                None,
                As::Anyone,
            ) {
                Ok(_) => Ok(true),
                Err(e) if e.kind == ErrorKind::NotFound => Ok(false),
                Err(e) => Err(e),
            }
        })
        .await
    }

    /// Opens an issue (`POST /repos/{owner}/{repo}/issues`).
    pub async fn create_issue(
        &self,
        repository: &str,
        title: &str,
        body: &str,
    ) -> Result<Issue, GitHubError> {
        let fields = json!({"title": title, "body": body});
        let repository = repository.to_string();
        self.blocking(move |g| {
            let (owner, repo) = split_repository(&repository).map_err(bad_name)?;
            let doing = format!("opening the tracking issue in {repository}");
            let path = format!("/repos/{}/{}/issues", seg(owner), seg(repo));
            let answer = g.call(
                &doing,
                "POST",
                &path,
                &[],
                Some(&fields),
                As::Repo { owner, repo },
            )?;
            Issue::from_json(&answer.json).ok_or_else(|| unexpected(&doing, "no issue number"))
        })
        .await
    }

    /// Changes an issue (`PATCH /repos/{owner}/{repo}/issues/{issue_number}`): title, body,
    /// `state` (`closed`).
    pub async fn update_issue(
        &self,
        repository: &str,
        number: u64,
        patch: Value,
    ) -> Result<Issue, GitHubError> {
        let repository = repository.to_string();
        self.blocking(move |g| {
            let (owner, repo) = split_repository(&repository).map_err(bad_name)?;
            let doing = format!("updating issue #{number} in {repository}");
            let path = format!("/repos/{}/{}/issues/{number}", seg(owner), seg(repo));
            let answer = g.call(
                &doing,
                "PATCH",
                &path,
                &[],
                Some(&patch),
                As::Repo { owner, repo },
            )?;
            Issue::from_json(&answer.json).ok_or_else(|| unexpected(&doing, "no issue number"))
        })
        .await
    }

    /// Open and closed issues whose title starts with `prefix` (`GET .../issues`): finds
    /// an issue embargo opened before a crash kept it from storing the number.
    pub async fn issues_titled(
        &self,
        repository: &str,
        prefix: &str,
    ) -> Result<Vec<Issue>, GitHubError> {
        let (repository, prefix) = (repository.to_string(), prefix.to_string());
        self.blocking(move |g| {
            let (owner, repo) = split_repository(&repository).map_err(bad_name)?;
            let doing = format!("listing the issues of {repository}");
            let path = format!("/repos/{}/{}/issues", seg(owner), seg(repo));
            let mut out = Vec::new();
            for page in 1..=MAX_PAGES {
                let page_s = page.to_string();
                let query = [
                    ("state", "all"),
                    ("per_page", "100"),
                    ("page", page_s.as_str()),
                ];
                let answer =
                    g.call(&doing, "GET", &path, &query, None, As::Repo { owner, repo })?;
                let items = answer.json.as_array().cloned().unwrap_or_default();
                out.extend(
                    items
                        .iter()
                        .filter_map(Issue::from_json)
                        .filter(|i| i.title.starts_with(&prefix)),
                );
                if items.is_empty()
                    || !answer
                        .link
                        .as_deref()
                        .is_some_and(|l| l.contains("rel=\"next\""))
                {
                    break;
                }
            }
            Ok(out)
        })
        .await
    }

    /// The pull requests of a repository, open and closed (`GET /repos/{owner}/{repo}/pulls`).
    pub async fn pull_requests(&self, repository: &str) -> Result<Vec<PullRequest>, GitHubError> {
        let repository = repository.to_string();
        self.blocking(move |g| {
            let (owner, repo) = split_repository(&repository).map_err(bad_name)?;
            let doing = format!("listing the pull requests of {repository}");
            let path = format!("/repos/{}/{}/pulls", seg(owner), seg(repo));
            let query = [("state", "all"), ("per_page", "100")];
            let answer = g.call(&doing, "GET", &path, &query, None, As::Repo { owner, repo })?;
            Ok(answer
                .json
                .as_array()
                .map(|a| a.iter().filter_map(PullRequest::from_json).collect())
                .unwrap_or_default())
        })
        .await
    }
}

/// The value of `param` in the `rel="next"` link of a `Link` header, decoded.
fn next_param(link: &str, param: &str) -> Option<String> {
    let next = link.split(',').find(|part| part.contains("rel=\"next\""))?;
    let url = next
        .split(';')
        .next()?
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>');
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == param).then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::next_param;

    #[test]
    fn the_next_cursor_comes_from_the_link_header() {
        let link = r#"<https://api.github.com/repos/o/r/security-advisories?per_page=1&after=Y3Vyc29y%3D>; rel="next", <https://api.github.com/x?before=a>; rel="prev""#;
        assert_eq!(next_param(link, "after").as_deref(), Some("Y3Vyc29y="));
        assert_eq!(
            next_param(r#"<https://x/?before=a>; rel="prev""#, "after"),
            None
        );
    }
}
