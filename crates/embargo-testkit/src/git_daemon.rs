//! A real git server on loopback for tests: `git daemon` serving bare repositories under a
//! temporary directory, pushes allowed (`git://127.0.0.1:PORT/owner/name.git`), killed on
//! drop. Stands in for github.com's git endpoint, which tests cannot reach.

use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct GitDaemon {
    child: Child,
    port: u16,
    root: tempfile::TempDir,
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.org")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.org")
        .output()
        .unwrap_or_else(|e| panic!("git {args:?}: {e}"));
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl GitDaemon {
    pub fn start() -> Self {
        let root = tempfile::tempdir().unwrap_or_else(|e| panic!("a directory for git: {e}"));
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("a free port for git daemon: {e}"));
        let base = format!("--base-path={}", root.path().display());
        let child = Command::new("git")
            .args([
                "daemon",
                "--reuseaddr",
                "--export-all",
                "--enable=receive-pack",
            ])
            .arg(&base)
            .arg(format!("--port={port}"))
            .arg("--listen=127.0.0.1")
            .arg(root.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group: the daemon forks a child per connection, and all go
            // together on drop.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("git daemon: {e}"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "git daemon did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { child, port, root }
    }

    /// `git://127.0.0.1:PORT` (the `[github] git_url` for tests).
    pub fn url(&self) -> String {
        format!("git://127.0.0.1:{}", self.port)
    }

    fn path_of(&self, repository: &str) -> PathBuf {
        self.root.path().join(format!("{repository}.git"))
    }

    /// An empty bare repository `owner/name`.
    pub fn create(&self, repository: &str) {
        let path = self.path_of(repository);
        std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        git(&path, &["init", "--quiet", "--bare"]);
    }

    /// A commit with `file` on `branch` of `repository` (created if needed); its SHA.
    pub fn commit(&self, repository: &str, branch: &str, file: &str, content: &str) -> String {
        if !self.path_of(repository).exists() {
            self.create(repository);
        }
        let work = tempfile::tempdir().unwrap_or_else(|e| panic!("a work tree: {e}"));
        git(work.path(), &["init", "--quiet", "-b", branch]);
        std::fs::write(work.path().join(file), content).unwrap_or_else(|e| panic!("{file}: {e}"));
        git(work.path(), &["add", file]);
        git(work.path(), &["commit", "--quiet", "-m", "a fix"]);
        let target = self.path_of(repository).display().to_string();
        git(
            work.path(),
            &[
                "push",
                "--quiet",
                &target,
                &format!("HEAD:refs/heads/{branch}"),
            ],
        );
        git(work.path(), &["rev-parse", "HEAD"])
    }

    /// The commit `branch` of `repository` points at, if it exists.
    pub fn branch(&self, repository: &str, branch: &str) -> Option<String> {
        let out = Command::new("git")
            .current_dir(self.path_of(repository))
            .args([
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("refs/heads/{branch}"),
            ])
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }
}

impl Drop for GitDaemon {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("--")
            .arg(format!("-{}", self.child.id()))
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
