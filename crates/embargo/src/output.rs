//! What commands print. Data goes to stdout (as text, or JSON with `--json`); errors go to
//! stderr from `main`.
#![allow(clippy::print_stdout)] // this module is the binary's stdout

use std::io::Write;

use serde::Serialize;

/// A command's result: a human sentence and the same data for `--json`.
#[derive(Debug)]
pub struct Output {
    pub text: String,
    pub json: serde_json::Value,
}

impl Output {
    pub fn new(text: impl Into<String>, json: impl Serialize) -> Self {
        Self {
            text: text.into(),
            json: serde_json::to_value(json).unwrap_or(serde_json::Value::Null),
        }
    }

    pub fn print(&self, as_json: bool) {
        let mut stdout = std::io::stdout().lock();
        let _ = if as_json {
            writeln!(stdout, "{}", self.json)
        } else if self.text.is_empty() {
            Ok(())
        } else {
            writeln!(stdout, "{}", self.text.trim_end())
        };
    }
}

/// A line printed while a long-running command starts (e.g. the address `serve` bound).
pub fn announce(line: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{line}");
    let _ = stdout.flush();
}
