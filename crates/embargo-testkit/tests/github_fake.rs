//! The GitHub fake itself (`fakes/test_github_fake.py`): it answers conforming requests as
//! GitHub documents, records the ones that break GitHub's OpenAPI description, refuses bad
//! credentials and missing permissions, rate-limits on demand and checks App JWTs. Whatever
//! the product tests against it rests on this.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use std::path::Path;

#[test]
fn the_github_fake_passes_its_self_test() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("fakes/test_github_fake.py");
    let out = std::process::Command::new(embargo_validators::python())
        .arg(&script)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.trim_end().ends_with("ok"), "{stdout}");
}
