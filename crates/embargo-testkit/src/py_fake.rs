//! What the local fakes of outside services share (`fakes/*.py`, run with the validators'
//! Python): starting the script and reading the port it prints, its `/_fake/...` control
//! endpoints, and the request log and violations every fake keeps. Each fake's own module
//! adds the service's vocabulary on top.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// A fake's process, killed on drop.
#[derive(Debug)]
pub struct PyFake {
    child: Child,
    port: u16,
    /// "the GitHub fake": named in every panic.
    name: &'static str,
}

/// A fake's script in `fakes/`.
pub fn script(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fakes")
        .join(file)
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build()
        .new_agent()
}

impl PyFake {
    /// Runs `fakes/FILE` with `args` and waits for its `listening PORT` line. Panics with the
    /// reason when it does not start (`needs` says which Python packages it wants).
    pub fn start(file: &str, name: &'static str, args: &[&str], needs: &str) -> Self {
        let python = embargo_validators::python();
        let mut child = Command::new(&python)
            // The script finds `vendor/` next to itself (same checkout): not through
            // embargo_validators::vendor_dir(), whose compile-time path a shared target
            // directory may have taken from another checkout.
            .arg(script(file))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run {} for {name} ({e}); `bash vendor/validators/setup.sh target/validators` installs it",
                    python.display()
                )
            });
        let mut line = String::new();
        if let Some(out) = child.stdout.take() {
            // Only the first line is read; the fakes print nothing after it.
            let _ = BufReader::new(out).read_line(&mut line);
        }
        let port = line
            .trim()
            .strip_prefix("listening ")
            .and_then(|p| p.parse::<u16>().ok());
        match port {
            Some(port) => Self { child, port, name },
            None => {
                let _ = child.kill();
                let status = child.wait();
                panic!(
                    "{name} did not start (printed {line:?}, exit {status:?}); its error is above. \
                     It needs {} with {needs}: `bash vendor/validators/setup.sh target/validators`",
                    python.display()
                )
            }
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// GET `url`: the status and the JSON answer (`Null` when empty).
    pub fn get(&self, url: &str) -> (u16, Value) {
        let name = self.name;
        let mut res = agent()
            .get(url)
            .call()
            .unwrap_or_else(|e| panic!("GET {url} on {name}: {e}"));
        let status = res.status().as_u16();
        let text = res
            .body_mut()
            .read_to_string()
            .unwrap_or_else(|e| panic!("GET {url} on {name}: {e}"));
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("GET {url}: not JSON ({e}): {text}"))
        };
        (status, body)
    }

    /// POST `/_fake/WHAT` with `body`; its JSON answer (`Null` when none).
    pub fn control(&self, what: &str, body: Value) -> Value {
        let url = format!("{}/_fake/{what}", self.base());
        let mut res = agent()
            .post(&url)
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .unwrap_or_else(|e| panic!("POST {url} on {}: {e}", self.name));
        let status = res.status().as_u16();
        let text = res.body_mut().read_to_string().unwrap_or_default();
        if status != 200 {
            panic!("POST {url} {body} on {}: {status} {text}", self.name);
        }
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// GET `/_fake/WHAT`, which answers a JSON list.
    pub fn list(&self, what: &str) -> Vec<Value> {
        let url = format!("{}/_fake/{what}", self.base());
        match self.get(&url) {
            (200, Value::Array(v)) => v,
            (status, other) => panic!("GET {url} on {}: {status} {other}", self.name),
        }
    }

    /// GET `/_fake/WHAT`, any JSON.
    pub fn read(&self, what: &str) -> Value {
        let url = format!("{}/_fake/{what}", self.base());
        match self.get(&url) {
            (200, v) => v,
            (status, v) => panic!("GET {url} on {}: {status} {v}", self.name),
        }
    }

    /// Fails the test, listing them, when any request or answer broke the description.
    pub fn assert_no_violations(&self) {
        let violations = self.list("violations");
        if !violations.is_empty() {
            let list: Vec<String> = violations.iter().map(Value::to_string).collect();
            panic!(
                "{} request(s) to {} do not conform to its OpenAPI description:\n{}",
                violations.len(),
                self.name,
                list.join("\n")
            );
        }
    }
}

impl Drop for PyFake {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
