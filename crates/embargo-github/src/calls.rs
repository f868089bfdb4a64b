//! The REST operations embargo uses, one method each (GitHub's operation in the doc line).
//! `repository` is always `owner/name`.

use serde_json::{Value, json};

use crate::client::{Answer, As, GitHub, seg, split_repository};
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
        let call = OnRepo::get(
            repository,
            format!("listing the {state} advisories of {repository}"),
            "/security-advisories",
        )
        .query("state", state);
        let items = self.all_pages(call, Cursor::After).await?;
        Ok(items.iter().filter_map(RemoteAdvisory::from_json).collect())
    }

    /// Opens a draft (`POST /repos/{owner}/{repo}/security-advisories`) with `fields`
    /// (see `embargo_formats::github`).
    pub async fn create_advisory(
        &self,
        repository: &str,
        fields: Value,
    ) -> Result<RemoteAdvisory, GitHubError> {
        let doing = format!("opening a draft advisory in {repository}");
        let call = OnRepo::post(repository, doing.clone(), "/security-advisories", fields);
        let answer = self.on_repo(call).await?;
        RemoteAdvisory::from_json(&answer.json).ok_or_else(|| unexpected(&doing, "no ghsa_id"))
    }

    /// One advisory (`GET /repos/{owner}/{repo}/security-advisories/{ghsa_id}`).
    pub async fn advisory(
        &self,
        repository: &str,
        ghsa_id: &str,
    ) -> Result<RemoteAdvisory, GitHubError> {
        let doing = format!("reading {ghsa_id} in {repository}");
        let tail = format!("/security-advisories/{}", seg(ghsa_id));
        let answer = self
            .on_repo(OnRepo::get(repository, doing.clone(), &tail))
            .await?;
        RemoteAdvisory::from_json(&answer.json).ok_or_else(|| unexpected(&doing, "no ghsa_id"))
    }

    /// Changes an advisory (`PATCH .../security-advisories/{ghsa_id}`): public fields,
    /// `collaborating_users`, or `{"state": "published"}`.
    pub async fn update_advisory(
        &self,
        repository: &str,
        ghsa_id: &str,
        patch: Value,
    ) -> Result<RemoteAdvisory, GitHubError> {
        let verb = if patch.get("state").is_some_and(|s| s == "published") {
            "publishing"
        } else {
            "updating"
        };
        let doing = format!("{verb} {ghsa_id} in {repository}");
        let tail = format!("/security-advisories/{}", seg(ghsa_id));
        let call = OnRepo::post(repository, doing.clone(), &tail, patch).method("PATCH");
        let answer = self.on_repo(call).await?;
        RemoteAdvisory::from_json(&answer.json).ok_or_else(|| unexpected(&doing, "no ghsa_id"))
    }

    /// Asks GitHub, as a CNA, for a CVE id for the advisory
    /// (`POST .../security-advisories/{ghsa_id}/cve`); the id arrives later.
    pub async fn request_cve(&self, repository: &str, ghsa_id: &str) -> Result<(), GitHubError> {
        let doing = format!("requesting a CVE for {ghsa_id} in {repository}");
        let tail = format!("/security-advisories/{}/cve", seg(ghsa_id));
        self.on_repo(OnRepo::post(repository, doing, &tail, Value::Null))
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
        let doing = format!("creating a private fork for {ghsa_id} in {repository}");
        let tail = format!("/security-advisories/{}/forks", seg(ghsa_id));
        let answer = self
            .on_repo(OnRepo::post(repository, doing.clone(), &tail, Value::Null))
            .await?;
        Repository::from_json(&answer.json).ok_or_else(|| unexpected(&doing, "no repository"))
    }

    /// Whether `login` is a GitHub account (`GET /users/{username}`).
    pub async fn user_exists(&self, login: &str) -> Result<bool, GitHubError> {
        let login = login.to_string();
        self.blocking(move |g| {
            let doing = format!("looking up the GitHub user {login}");
            let path = format!("/users/{}", seg(&login));
            match g.call(&doing, "GET", &path, &[], None, As::Anyone) {
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
        let doing = format!("opening the tracking issue in {repository}");
        let fields = json!({"title": title, "body": body});
        let answer = self
            .on_repo(OnRepo::post(repository, doing.clone(), "/issues", fields))
            .await?;
        Issue::from_json(&answer.json).ok_or_else(|| unexpected(&doing, "no issue number"))
    }

    /// Changes an issue (`PATCH /repos/{owner}/{repo}/issues/{issue_number}`): title, body,
    /// `state` (`closed`).
    pub async fn update_issue(
        &self,
        repository: &str,
        number: u64,
        patch: Value,
    ) -> Result<Issue, GitHubError> {
        let doing = format!("updating issue #{number} in {repository}");
        let tail = format!("/issues/{number}");
        let call = OnRepo::post(repository, doing.clone(), &tail, patch).method("PATCH");
        let answer = self.on_repo(call).await?;
        Issue::from_json(&answer.json).ok_or_else(|| unexpected(&doing, "no issue number"))
    }

    /// Open and closed issues whose title starts with `prefix` (`GET .../issues`): finds
    /// an issue embargo opened before a crash kept it from storing the number.
    pub async fn issues_titled(
        &self,
        repository: &str,
        prefix: &str,
    ) -> Result<Vec<Issue>, GitHubError> {
        let doing = format!("listing the issues of {repository}");
        let call = OnRepo::get(repository, doing, "/issues").query("state", "all");
        let items = self.all_pages(call, Cursor::Page).await?;
        Ok(items
            .iter()
            .filter_map(Issue::from_json)
            .filter(|i| i.title.starts_with(prefix))
            .collect())
    }

    /// The pull requests of a repository, open and closed (`GET /repos/{owner}/{repo}/pulls`).
    pub async fn pull_requests(&self, repository: &str) -> Result<Vec<PullRequest>, GitHubError> {
        // A fork's name is private (the case's forks): not in the sentence.
        let doing = "listing the pull requests of a private fork".to_string();
        let call = OnRepo::get(repository, doing, "/pulls").query("state", "all");
        let items = self.all_pages(call, Cursor::Page).await?;
        Ok(items.iter().filter_map(PullRequest::from_json).collect())
    }

    /// One request on a repository, as whoever may act there.
    pub(crate) async fn on_repo(&self, call: OnRepo) -> Result<Answer, GitHubError> {
        self.blocking(move |g| g.on_repo_now(&call)).await
    }

    fn on_repo_now(&self, call: &OnRepo) -> Result<Answer, GitHubError> {
        let (owner, repo) = split_repository(&call.repository).map_err(bad_name)?;
        let path = format!("/repos/{}/{}{}", seg(owner), seg(repo), call.tail);
        let query: Vec<(&str, &str)> = call.query.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let who = As::Repo { owner, repo };
        self.call(
            &call.doing,
            call.method,
            &path,
            &query,
            call.body.as_ref(),
            who,
        )
    }

    /// Every item of a list, 100 a page, following the `Link` header's next page (at most
    /// [`MAX_PAGES`]).
    async fn all_pages(&self, call: OnRepo, cursor: Cursor) -> Result<Vec<Value>, GitHubError> {
        self.blocking(move |g| {
            let mut out = Vec::new();
            let mut page = call.query("per_page", "100");
            for number in 2..=MAX_PAGES + 1 {
                let answer = g.on_repo_now(&page)?;
                let items = answer.json.as_array().cloned().unwrap_or_default();
                let empty = items.is_empty();
                out.extend(items);
                let link = answer.link.as_deref().unwrap_or_default();
                let next = match cursor {
                    Cursor::After => next_param(link, "after").map(|a| ("after", a)),
                    Cursor::Page => next_param(link, "page").map(|_| ("page", number.to_string())),
                };
                match next {
                    Some((key, value)) if !empty => {
                        page.query.retain(|(k, _)| *k != key);
                        page = page.query(key, &value);
                    }
                    _ => break,
                }
            }
            Ok(out)
        })
        .await
    }
}

/// How a list says where its next page is.
#[derive(Debug, Clone, Copy)]
enum Cursor {
    /// `after=CURSOR` (security advisories).
    After,
    /// `page=N` (issues, pull requests).
    Page,
}

/// One request on `/repos/{owner}/{repo}{tail}`; `tail` is escaped already.
#[derive(Debug, Clone)]
pub(crate) struct OnRepo {
    repository: String,
    doing: String,
    method: &'static str,
    tail: String,
    query: Vec<(&'static str, String)>,
    body: Option<Value>,
}

impl OnRepo {
    pub(crate) fn get(repository: &str, doing: String, tail: &str) -> Self {
        Self {
            repository: repository.to_string(),
            doing,
            method: "GET",
            tail: tail.to_string(),
            query: Vec::new(),
            body: None,
        }
    }

    /// A POST with `body` (`Value::Null`: no body).
    pub(crate) fn post(repository: &str, doing: String, tail: &str, body: Value) -> Self {
        Self {
            method: "POST",
            body: (!body.is_null()).then_some(body),
            ..Self::get(repository, doing, tail)
        }
    }

    pub(crate) fn method(mut self, method: &'static str) -> Self {
        self.method = method;
        self
    }

    pub(crate) fn query(mut self, key: &'static str, value: &str) -> Self {
        self.query.push((key, value.to_string()));
        self
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
