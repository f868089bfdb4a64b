//! The official validators, as the tests call them.
//!
//! The wrapper scripts and schemas are vendored in the repository (`vendor/`); the
//! validators themselves (PyPI and npm packages) are installed by `scripts/test.sh` into
//! `target/validators`, or wherever `EMBARGO_VALIDATORS_DIR` points. Every test that checks an
//! export goes through here, so a document is valid when these tools say so, not when our
//! own code agrees with itself.
//!
//! Test-support code: it panics with a sentence when a validator refuses a file or cannot
//! be run, which is how a test should fail.
#![allow(clippy::panic)] // dev-only: a failed check is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// One official validator, with the arguments that select its checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validator {
    /// OSV schema (`validate_osv.py`).
    Osv,
    /// A full CVE JSON 5 record (`validate_cve5.py`).
    CveRecord,
    /// A CNA container of a CVE record (`validate_cve5.py --cna`).
    CveCnaContainer,
    /// CSAF 2.0: strict schema and every mandatory test (`validate_csaf.mjs`).
    Csaf,
    /// security.txt (RFC 9116) at a URL; takes URLs, not files (`check_securitytxt.py`).
    SecurityTxt,
    /// An OpenAPI document (the OpenAPI Initiative's `openapi_spec_validator`).
    OpenApi,
}

/// The repository's `vendor/` folder.
pub fn vendor_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vendor")
}

/// Where `scripts/test.sh` installed the validators.
pub fn install_dir() -> PathBuf {
    std::env::var_os("EMBARGO_VALIDATORS_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/validators"),
        PathBuf::from,
    )
}

/// axe-core's browser build, which the accessibility test injects into each page.
pub fn axe_core() -> PathBuf {
    install_dir().join("node/node_modules/axe-core/axe.min.js")
}

/// The Python interpreter of the validators' virtual environment.
pub fn python() -> PathBuf {
    install_dir().join("venv/bin/python3")
}

impl Validator {
    /// The command that runs this validator, before its files are added.
    pub fn command(self) -> Command {
        let script = |name: &str| vendor_dir().join("validators").join(name);
        match self {
            Validator::Osv => python_command(script("validate_osv.py")),
            Validator::CveRecord => python_command(script("validate_cve5.py")),
            Validator::CveCnaContainer => {
                let mut c = python_command(script("validate_cve5.py"));
                c.arg("--cna");
                c
            }
            Validator::Csaf => {
                let mut c = Command::new("node");
                c.arg(script("validate_csaf.mjs")).env(
                    "CSAF_NODE_MODULES",
                    std::env::var_os("CSAF_NODE_MODULES")
                        .unwrap_or_else(|| install_dir().join("node/node_modules").into()),
                );
                c
            }
            Validator::SecurityTxt => python_command(script("check_securitytxt.py")),
            Validator::OpenApi => {
                let mut c = Command::new(python());
                c.args(["-m", "openapi_spec_validator"]);
                c
            }
        }
    }

    /// Runs the validator on `inputs` (files, or URLs for security.txt) with `extra`
    /// arguments and returns what it printed, whatever its verdict.
    pub fn run(self, extra: &[&str], inputs: &[impl AsRef<std::ffi::OsStr>]) -> Output {
        let mut command = self.command();
        command.args(extra).args(inputs);
        command.output().unwrap_or_else(|e| {
            panic!(
                "cannot run the {self:?} validator ({e}); scripts/test.sh installs them into {}",
                install_dir().display()
            )
        })
    }

    /// Fails the test unless the validator accepts every one of `inputs`.
    pub fn assert_valid(self, inputs: &[impl AsRef<std::ffi::OsStr>]) {
        self.assert_valid_with(&[], inputs);
    }

    /// As [`Validator::assert_valid`], with extra arguments for the validator.
    pub fn assert_valid_with(self, extra: &[&str], inputs: &[impl AsRef<std::ffi::OsStr>]) {
        let out = self.run(extra, inputs);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            panic!("the {self:?} validator refused our output:\n{stdout}{stderr}");
        }
        // The OpenAPI validator prints one line of its own; the project's wrappers print
        // `OK <input>` for each input, which proves every file was read.
        if self != Validator::OpenApi {
            let ok = stdout.lines().filter(|l| l.starts_with("OK ")).count();
            if ok != inputs.len() {
                panic!(
                    "the {self:?} validator accepted {ok} of {} inputs:\n{stdout}{stderr}",
                    inputs.len()
                );
            }
        }
    }
}

fn python_command(script: PathBuf) -> Command {
    let mut c = Command::new(python());
    c.arg(script);
    c
}
