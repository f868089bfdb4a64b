//! The router in process (and once on a real socket), against a real SQLite store.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

mod accessibility;
mod api;
mod api_thread;
mod basics;
mod browser;
mod browser_drafts;
mod browser_team;
mod conditional;
mod cve_services;
mod dashboard;
mod forge;
mod fuzz;
mod github;
mod hints;
mod intake;
mod matrix;
mod metrics;
mod osv_api;
mod paging;
mod portal;
mod preferences;
mod prometheus;
mod public_search;
mod publication;
mod shed;
mod support;
mod team;
mod team_admin;
mod wellknown;
