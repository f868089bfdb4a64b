//! A client for GitHub's REST API (<https://api.github.com>, described by GitHub's
//! OpenAPI document, the operations embargo uses vendored in `vendor/github/`), for the
//! policy's GitHub steps: draft repository security advisories (step 4) and their
//! collaborators (5), temporary private forks (7), CVE requests (9), pull requests (12),
//! publication (15) and the private tracking issue (2, 18).
//!
//! embargo signs in as a GitHub App (installation tokens minted from an RS256 JWT and
//! kept until shortly before they expire) or with a token. Every error is a sentence a
//! team can act on (the missing permission, GitHub's field messages, the rate limit's
//! reset time), and no credential ever appears in one. Calls are blocking (ureq) and run
//! on the blocking pool from the async methods.

mod app_key;
mod calls;
mod client;
mod error;
mod mirror;
mod types;

pub use client::{Auth, GitHub, Settings, split_repository};
pub use error::{ErrorKind, GitHubError};
pub use mirror::{WorkflowRun, valid_branch};
pub use types::{Issue, PullRequest, RemoteAdvisory, Repository, RepositoryAccess};
