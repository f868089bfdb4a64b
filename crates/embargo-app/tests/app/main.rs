//! The use cases against a real SQLite store.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod accounts;
mod dashboard;
mod duplicates;
mod email;
mod intake;
mod limits;
mod metrics;
mod pool_and_teams;
mod publication;
mod use_cases;
