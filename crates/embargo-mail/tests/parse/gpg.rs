//! GnuPG in a throw-away home directory: the other side of the interoperability tests.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use tempfile::TempDir;

use crate::fixture_path;

pub struct Gpg {
    home: TempDir,
}

impl Gpg {
    /// A new home directory with the given fixture keys imported.
    pub fn with_keys(keys: &[&str]) -> Self {
        let home = tempfile::Builder::new().prefix("gpg").tempdir().unwrap();
        set_private(home.path());
        let gpg = Gpg { home };
        for key in keys {
            gpg.run(&["--import", &fixture_path(key)], b"");
        }
        gpg
    }

    /// Runs gpg non-interactively and returns its standard output; fails the test, with
    /// gpg's own message, if gpg fails.
    pub fn run(&self, args: &[&str], stdin: &[u8]) -> Vec<u8> {
        let mut child = Command::new("gpg")
            .env("GNUPGHOME", self.home.path())
            .args([
                "--batch",
                "--quiet",
                "--no-tty",
                "--pinentry-mode",
                "loopback",
            ])
            .args(["--trust-model", "always"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gpg must be installed for the interoperability tests (Debian: gnupg)");
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin).unwrap();
        drop(input);
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "gpg {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }
}

impl Drop for Gpg {
    /// Secret-key operations start a gpg-agent for the home directory; stop it with it.
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", self.home.path())
            .args(["--kill", "all"])
            .status();
    }
}

#[cfg(unix)]
fn set_private(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).unwrap();
}

#[cfg(not(unix))]
fn set_private(_path: &Path) {}
