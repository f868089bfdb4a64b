//! The `embargo` binary as an operator runs it: real processes, real files, real sockets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod api;
mod api_fuzz;
mod corpus;
mod cve;
mod database;
mod github;
mod history;
mod install;
mod mail;
mod osv_commits;
mod runner;
mod support;
