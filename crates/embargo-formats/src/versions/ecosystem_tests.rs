//! The schemes added for OSV's ecosystems, on the cases real advisories hit. Every line of
//! the vendored fixtures is checked in `fixtures.rs`.

use super::*;

fn range(introduced: &str, fixed: Option<&str>, last: Option<&str>) -> AffectedRange {
    AffectedRange {
        introduced: introduced.into(),
        fixed: fixed.map(str::to_string),
        last_affected: last.map(str::to_string),
    }
}

fn ordered(scheme: Scheme, versions: &[&str]) {
    for pair in versions.windows(2) {
        assert_eq!(
            compare(scheme, pair[0], pair[1]).unwrap(),
            Ordering::Less,
            "{} < {} in {scheme:?}",
            pair[0],
            pair[1]
        );
        assert_eq!(
            compare(scheme, pair[1], pair[0]).unwrap(),
            Ordering::Greater
        );
    }
}

fn same(scheme: Scheme, a: &str, b: &str) {
    assert_eq!(
        compare(scheme, a, b).unwrap(),
        Ordering::Equal,
        "{a} == {b} in {scheme:?}"
    );
}

#[test]
fn osv_ecosystems_map_to_schemes() {
    let cases = [
        ("Go", Scheme::Go),
        ("npm", Scheme::Semver),
        ("crates.io", Scheme::Semver),
        ("PyPI", Scheme::Pep440),
        ("Maven", Scheme::Maven),
        ("Maven:https://maven.google.com", Scheme::Maven),
        ("NuGet", Scheme::NuGet),
        ("RubyGems", Scheme::RubyGems),
        ("Packagist", Scheme::Packagist),
        ("Hex", Scheme::Hex),
        ("Pub", Scheme::Pub),
        ("GitHub Actions", Scheme::GitHubActions),
        ("conda", Scheme::Conda),
        ("pypi", Scheme::Generic),
        ("Debian:12", Scheme::Generic),
        ("", Scheme::Generic),
    ];
    for (ecosystem, scheme) in cases {
        assert_eq!(Scheme::for_osv_ecosystem(ecosystem), scheme, "{ecosystem}");
    }
}

#[test]
fn go_is_semver_with_an_optional_v() {
    let s = Scheme::Go;
    // The generic rules put 1.21.0-rc.2 before 1.21.0-0; Go puts numbers first.
    ordered(
        s,
        &[
            "0",
            "v0.0.0-20210101000000-abcdef123456",
            "0.0.1",
            "1.21.0-0",
            "1.21.0-rc.1",
            "1.21.0-rc.2",
            "v1.21.0",
            "v1.21.1-0.20240101000000-abcdef123456",
            "1.21.1",
        ],
    );
    same(s, "v2.0.0+incompatible", "2.0.0");
    same(s, "v1", "1.0.0");
    same(s, "v1.2", "v1.2.0");
    ordered(s, &["1.0.0", "999999999999999999999.0.0"]);
    for bad in [
        "v1.2-rc.1",
        "1.2.3.4",
        "01.2.3",
        "1.2.3-01",
        "1.2.x",
        "v",
        "1.2.3-",
    ] {
        assert!(check_version(s, bad).is_err(), "{bad:?}");
    }
    let ranges = [range("1.21.0-0", Some("1.21.5"), None)];
    assert!(affects(s, &ranges, "1.21.0-rc.2").unwrap());
    assert!(affects(s, &ranges, "v1.21.4").unwrap());
    assert!(!affects(s, &ranges, "1.20.14").unwrap());
    assert!(!affects(s, &ranges, "1.21.5").unwrap());
}

#[test]
fn github_actions_take_major_only_tags_with_or_without_v() {
    let s = Scheme::GitHubActions;
    same(s, "41", "v41.0.0");
    same(s, "v4", "4");
    ordered(s, &["3", "v4.0.0-beta", "v4", "4.1", "v4.1.1", "41"]);
    let ranges = [range("0", Some("41"), None)];
    assert!(affects(s, &ranges, "v40.1").unwrap());
    assert!(!affects(s, &ranges, "41.0.1").unwrap());
    assert!(check_version(s, "v1.2.3.4").is_err());
}

#[test]
fn maven_follows_comparable_version() {
    let s = Scheme::Maven;
    ordered(
        s,
        &[
            "0",
            "1.0-alpha-1",
            "1.0-beta-1",
            "1.0-milestone-1",
            "1.0-rc-1",
            "1.0-SNAPSHOT",
            "1.0",
            "1.0-sp",
            "1.0-1",
            "1.0.1",
            "1.10",
            "2.0.0.RC1",
        ],
    );
    same(s, "1.0.RELEASE", "1");
    same(s, "2.0.Final", "2.0.0");
    same(s, "1CR1", "1-rc-1");
    let ranges = [range("2.0-beta9", Some("2.15.0"), None)];
    assert!(affects(s, &ranges, "2.14.1").unwrap());
    assert!(affects(s, &ranges, "2.15.0-rc1").unwrap());
    assert!(!affects(s, &ranges, "2.15.0").unwrap());
    assert!(!affects(s, &ranges, "2.0-beta8").unwrap());
}

#[test]
fn nuget_ignores_case_and_metadata() {
    let s = Scheme::NuGet;
    ordered(
        s,
        &[
            "1.0.0-alpha",
            "1.0.0-Beta",
            "1.0.0-beta.2",
            "1.0.0",
            "1.0.0.1",
            "1.1",
        ],
    );
    same(s, "1.0", "1.0.0.0");
    same(s, "1.0.0-RC.1+sha.abc", "1.0.0-rc.1");
    assert!(check_version(s, "1.0.0.0.0").is_err());
}

#[test]
fn rubygems_follows_gem_version() {
    let s = Scheme::RubyGems;
    ordered(
        s,
        &[
            "0", "1.0.a", "1.0.b1", "1.0.pre", "1.0.rc1", "1.0", "1.0.1", "1.10",
        ],
    );
    same(s, "7.0.4-rc1", "7.0.4.pre.rc1");
    same(s, "1.0.0", "1");
    assert!(check_version(s, "v1.0").is_err());
    let ranges = [range("6.0.0", Some("6.0.3.1"), None)];
    assert!(affects(s, &ranges, "6.0.3").unwrap());
    assert!(affects(s, &ranges, "6.0.3.1.rc1").unwrap());
    assert!(!affects(s, &ranges, "6.0.3.1").unwrap());
}

#[test]
fn packagist_follows_version_compare() {
    let s = Scheme::Packagist;
    ordered(
        s,
        &[
            "dev-main",
            "1.0-dev",
            "1.0-alpha1",
            "1.0-beta2",
            "1.0-RC1",
            "1.0",
            "1.0-p1",
        ],
    );
    same(s, "v1.2.3", "1.2.3");
    same(s, "1.0.0rc2", "1.0.0.RC2");
    let ranges = [range("0", Some("8.83.27"), None)];
    assert!(affects(s, &ranges, "v8.83.26").unwrap());
    assert!(!affects(s, &ranges, "8.83.27").unwrap());
}

#[test]
fn hex_and_pub_are_semver() {
    ordered(Scheme::Hex, &["1.0.0-rc.1", "1.0.0", "1.0.1"]);
    same(Scheme::Hex, "1.0.0+build", "1.0.0");
    assert!(check_version(Scheme::Hex, "1.0").is_err());
    // Pub orders builds after the release.
    ordered(
        Scheme::Pub,
        &["1.0.0-dev", "1.0.0", "1.0.0+1", "1.0.0+2", "1.0.1"],
    );
    assert!(check_version(Scheme::Pub, "1.0").is_err());
}

#[test]
fn new_schemes_name_themselves_in_errors() {
    let e = check_version(Scheme::Go, "1.2.x").unwrap_err();
    assert!(
        e.0.starts_with("\"1.2.x\" is not a valid Go version"),
        "{e}"
    );
    let e = check_version(Scheme::GitHubActions, "v1.x").unwrap_err();
    assert!(e.0.contains("GitHub Actions"), "{e}");
    assert!(check_version(Scheme::Maven, "anything-goes.1").is_ok());
    assert!(check_version(Scheme::Maven, "1 0").is_err());
}
