use super::*;

/// Asserts each version is strictly below the next, and the reverse comparison agrees.
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
            Ordering::Greater,
            "{} > {} in {scheme:?}",
            pair[1],
            pair[0]
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

fn range(introduced: &str, fixed: Option<&str>, last: Option<&str>) -> AffectedRange {
    AffectedRange {
        introduced: introduced.into(),
        fixed: fixed.map(str::to_string),
        last_affected: last.map(str::to_string),
    }
}

#[test]
fn purl_types_map_to_schemes() {
    assert_eq!(Scheme::for_purl_type("pypi"), Scheme::Pep440);
    assert_eq!(Scheme::for_purl_type("npm"), Scheme::Semver);
    assert_eq!(Scheme::for_purl_type("cargo"), Scheme::Semver);
    assert_eq!(
        Scheme::for_purl_type("githubactions"),
        Scheme::GitHubActions
    );
    assert_eq!(Scheme::for_purl_type("github"), Scheme::GitHubActions);
    assert_eq!(Scheme::for_purl_type("conda"), Scheme::Conda);
    assert_eq!(Scheme::for_purl_type("golang"), Scheme::Go);
    assert_eq!(Scheme::for_purl_type("maven"), Scheme::Maven);
    assert_eq!(Scheme::for_purl_type("nuget"), Scheme::NuGet);
    assert_eq!(Scheme::for_purl_type("gem"), Scheme::RubyGems);
    assert_eq!(Scheme::for_purl_type("composer"), Scheme::Packagist);
    assert_eq!(Scheme::for_purl_type("hex"), Scheme::Hex);
    assert_eq!(Scheme::for_purl_type("pub"), Scheme::Pub);
    for ty in ["generic", "deb", "rpm", "Maven"] {
        assert_eq!(Scheme::for_purl_type(ty), Scheme::Generic, "{ty}");
    }
    let names: Vec<_> = Scheme::ALL.map(Scheme::name).to_vec();
    assert_eq!(
        names,
        [
            "python",
            "semver",
            "semver",
            "maven",
            "nuget",
            "rubygems",
            "packagist",
            "semver",
            "semver",
            "semver",
            "conda",
            "custom"
        ]
    );
}

#[test]
fn pep440_orders_dev_pre_post_local_and_epochs() {
    ordered(
        Scheme::Pep440,
        &[
            "0",
            "0.0.dev0",
            "0.1",
            "1.0.dev1",
            "1.0a1",
            "1.0a2.dev1",
            "1.0a2",
            "1.0b2",
            "1.0rc1",
            "1.0",
            "1.0+local.1",
            "1.0+local.2",
            "1.0.post1.dev1",
            "1.0.post1",
            "1.1",
            "1.10",
            "2024.1",
            "1!0.1",
        ],
    );
    same(Scheme::Pep440, "1.0-RC1", "1.0rc1");
    same(Scheme::Pep440, "1.0c1", "1.0rc1");
    same(Scheme::Pep440, "1.0-1", "1.0.post1");
    same(Scheme::Pep440, "v1.0", "1.0");
    same(Scheme::Pep440, "1.0", "1.0.0");
    same(Scheme::Pep440, "0!1.0", "1.0");
    for bad in [
        "1.0.x",
        "1.0.0.post1-",
        "1.0+",
        "1.0.beta.gamma",
        "1.0-",
        "1.0.0.poster",
        "",
        " 1.0",
        "1.0 ",
    ] {
        assert!(check_version(Scheme::Pep440, bad).is_err(), "{bad:?}");
    }
}

#[test]
fn errors_name_the_version_and_the_scheme() {
    let e = check_version(Scheme::Pep440, "1.0.0.post1-").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("\"1.0.0.post1-\" is not a valid PEP 440 version"),
        "{e}"
    );
    let e = check_version(Scheme::Conda, "1..0").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("\"1..0\" is not a valid conda version"),
        "{e}"
    );
    let e = check_version(Scheme::Semver, "1.0").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("\"1.0\" is not a valid semver version"),
        "{e}"
    );
    let e = check_version(Scheme::Generic, "1 0").unwrap_err();
    assert!(e.to_string().contains("without spaces"), "{e}");
    for scheme in Scheme::ALL {
        assert!(check_version(scheme, "").is_err(), "{scheme:?}");
        assert!(check_version(scheme, "1.0.0\t").is_err(), "{scheme:?}");
        assert!(check_version(scheme, "1.0.0\n").is_err(), "{scheme:?}");
        assert!(check_version(scheme, "0").is_ok(), "{scheme:?}");
        assert!(compare(scheme, "x y", "1").is_err(), "{scheme:?}");
    }
}

#[test]
fn semver_puts_pre_releases_first_and_ignores_build_metadata() {
    ordered(
        Scheme::Semver,
        &[
            "0",
            "0.0.0-alpha",
            "0.0.1",
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
            "1.10.0",
        ],
    );
    same(Scheme::Semver, "1.0.0+a", "1.0.0+b");
    same(Scheme::Semver, "1.0.0-rc.1+build.5", "1.0.0-rc.1");
    assert!(
        check_version(Scheme::Semver, "1.0").is_err(),
        "npm/cargo need three numbers"
    );
    assert!(check_version(Scheme::Semver, "1.0.0.0").is_err());
    assert!(check_version(Scheme::Semver, "01.0.0").is_err());
}

#[test]
fn github_tags_are_semver_with_a_v_and_padded() {
    let s = Scheme::for_purl_type("githubactions");
    same(s, "v1.2.3", "1.2.3");
    same(s, "v4", "4.0.0");
    same(s, "v4.1", "4.1.0");
    same(s, "V2", "v2.0.0");
    ordered(
        s,
        &[
            "0",
            "v3.9.9",
            "v4.0.0-beta.1",
            "v4",
            "v4.0.1",
            "v4.1",
            "v4.1.1",
            "v10",
        ],
    );
    same(s, "v4-beta", "4.0.0-beta");
    for bad in ["v", "vv1", "v1.x", "v1..2", "version1", "v1.2.3.4"] {
        assert!(check_version(s, bad).is_err(), "{bad:?}");
    }
}

#[test]
fn conda_is_not_semver() {
    let s = Scheme::Conda;
    // conda's documented VersionOrder examples (conda/models/version.py), then openssl's
    // letters and epochs.
    ordered(
        s,
        &[
            "0",
            "0.4",
            "0.4.1.rc",
            "0.4.1",
            "0.5a1",
            "0.5b3",
            "0.5C1",
            "0.5",
            "0.9.6",
            "0.960923",
            "1.0",
            "1.1dev1",
            "1.1_",
            "1.1a1",
            "1.1.0dev1",
            "1.1.a1",
            "1.1.0rc1",
            "1.1.0",
            "1.1.0post1",
            "1.1post1",
            "1996.07.12",
            "1!0.4.1",
            "1!3.1.1.6",
            "2!0.4.1",
        ],
    );
    // The brief's "1.0.dev < 1.0a < 1.0 < 1.0.post", checked against conda: without a dot
    // `dev` is first; with a dot it is a segment of its own and sorts after `1.0a`.
    ordered(s, &["1.0dev", "1.0a", "1.0", "1.0.post"]);
    ordered(s, &["1.0a", "1.0.dev", "1.0"]);
    same(s, "1.1.dev1", "1.1.0dev1");
    same(s, "1.1.post1", "1.1.0post1");
    same(s, "0.4.1.rc", "0.4.1.RC");
    same(s, "1.1", "1.1.0");
    // Underscores separate like dots.
    same(s, "1.1_1", "1.1.1");
    ordered(s, &["1.1_1", "1.1_2", "1.2"]);
    // openssl's letter releases order among themselves and before 3.x; but a letter sorts
    // below a number in conda, so `1.1.1a` comes *before* a plain `1.1.1` (as in conda).
    ordered(s, &["1.1.1a", "1.1.1w", "1.1.1", "3.0.0", "3.0.1"]);
    ordered(s, &["3.0.1", "1!2.0"]);
    // Semver would refuse these; conda orders them.
    assert!(check_version(Scheme::Semver, "1.1.1w").is_err());
    assert!(check_version(Scheme::Semver, "1.1_1").is_err());
    assert!(check_version(s, "1.0 1").is_err());
}

#[test]
fn generic_versions_compare_numbers_as_numbers_and_words_before_numbers() {
    let s = Scheme::Generic;
    ordered(
        s,
        &[
            "0",
            "1.2",
            "1.9",
            "1.10",
            "2.0-alpha",
            "2.0-beta",
            "2.0-rc1",
            "2.0-rc2",
            "2.0-rc10",
            "2.0",
            "2.0.1",
            "v3",
            "10",
            "20240101",
        ],
    );
    same(s, "v4", "4.0.0");
    same(s, "1.0", "1.0.0");
    same(s, "1.01", "1.1");
    same(s, "1.0-RC1", "1.0.rc.1");
    same(s, "1_2", "1.2");
    // Go: a leading v, build metadata ignored.
    same(s, "v2.0.0+incompatible", "2.0.0");
    ordered(
        s,
        &[
            "v0.0.0-20210101000000-abcdef",
            "v0.0.1",
            "v1.2.3-pre",
            "v1.2.3",
        ],
    );
    // Maven-style qualifiers sort before the release.
    ordered(s, &["1.0-SNAPSHOT", "1.0"]);
    // Numbers longer than 64 bits still compare.
    ordered(
        s,
        &["1.99999999999999999999999", "1.100000000000000000000000"],
    );
    // A word that only starts with v keeps it.
    ordered(s, &["valpha", "vbeta"]);
    for bad in ["", "1..2", "1.", ".1", "1.0+", "1 .0", "1.0\u{a0}"] {
        assert!(check_version(s, bad).is_err(), "{bad:?}");
    }
}

#[test]
fn ranges_are_checked() {
    let s = Scheme::Pep440;
    assert!(check_range(s, &range("0", Some("1.4.2"), None)).is_ok());
    assert!(check_range(s, &range("1.0", None, Some("1.0"))).is_ok());
    assert!(check_range(s, &range("1.0", None, None)).is_ok());
    let e = check_range(s, &range("2.0", Some("1.9"), None)).unwrap_err();
    assert!(
        e.0.contains("fixed version 1.9 does not come after the introduced version 2.0"),
        "{e}"
    );
    // An empty range says "nothing affected" (RustSec writes it): accepted, matches nothing.
    assert!(check_range(s, &range("2.0", Some("2.0"), None)).is_ok());
    assert!(check_range(s, &range("2.0", Some("2.0.0"), None)).is_ok());
    assert!(check_range(s, &range("0", Some("0"), None)).is_ok());
    assert!(!affects(s, &[range("2.0", Some("2.0"), None)], "2.0").unwrap());
    assert!(!affects(s, &[range("0", Some("0"), None)], "0").unwrap());
    assert!(check_range(s, &range("2.0", None, Some("1.0"))).is_err());
    let e = check_range(s, &range("1.0", Some("2.0"), Some("1.5"))).unwrap_err();
    assert!(e.0.contains("both"), "{e}");
    let e = check_range(s, &range("1.0", Some("2.x"), None)).unwrap_err();
    assert!(
        e.0.contains("\"2.x\" is not a valid PEP 440 version"),
        "{e}"
    );
    assert!(check_range(s, &range("x y", None, None)).is_err());
    assert!(check_range(s, &range("1.0", None, Some("nope"))).is_err());
    // 1.0rc1 is before 1.0 in PEP 440, so "introduced 1.0, fixed 1.0rc1" is empty; in the
    // generic scheme rc1 is also a pre-release of 1.0.
    assert!(check_range(s, &range("1.0", Some("1.0rc1"), None)).is_err());
    assert!(check_range(Scheme::Generic, &range("1.0", Some("1.0-rc1"), None)).is_err());
    // The same bounds in each scheme's own terms.
    assert!(check_range(Scheme::Semver, &range("0", Some("1.0.0-rc.1"), None)).is_ok());
    assert!(check_range(Scheme::Semver, &range("1.0.0", Some("1.0.0-rc.1"), None)).is_err());
    assert!(check_range(Scheme::Semver, &range("1.0", Some("2.0"), None)).is_err());
    assert!(check_range(Scheme::Conda, &range("1.1.1w", Some("3.0.1"), None)).is_ok());
    assert!(check_range(Scheme::Conda, &range("3.0.1", Some("1.1.1w"), None)).is_err());
    assert!(check_range(Scheme::Conda, &range("1.0", Some("1.0.post1"), None)).is_ok());
    let gh = Scheme::for_purl_type("githubactions");
    assert!(check_range(gh, &range("v4", Some("v4.0.1"), None)).is_ok());
    assert!(check_range(gh, &range("v4.1", Some("v4"), None)).is_err());
}

#[test]
fn affects_pep440() {
    let ranges = [
        range("0", Some("1.4.2"), None),
        range("2.0.0", Some("2.1.1"), None),
        range("3.0", None, Some("3.2")),
    ];
    let hit = |v| affects(Scheme::Pep440, &ranges, v).unwrap();
    assert!(hit("0.0.1.dev0"), "introduced 0 covers every pre-release");
    assert!(
        hit("1.4.2rc1"),
        "a pre-release of the fix is still affected"
    );
    assert!(hit("1.4.2.dev3"));
    assert!(!hit("1.4.2"));
    assert!(!hit("1.4.2+ubuntu1"), "a local build of the fix is fixed");
    assert!(!hit("1.9"));
    assert!(!hit("2.0.0rc1"), "before the range starts");
    assert!(hit("2.0.0"));
    assert!(hit("2.1.0.post1"));
    assert!(!hit("2.1.1"));
    assert!(hit("3.2"), "last_affected is inclusive");
    assert!(hit("3.2+local"));
    assert!(!hit("3.2.post1"));
    assert!(!hit("1!1.0"), "a later epoch is after every range");
}

#[test]
fn affects_semver_and_github_tags() {
    let ranges = [
        range("0", Some("1.4.2"), None),
        range("2.0.0", Some("2.1.1"), None),
    ];
    let hit = |v| affects(Scheme::Semver, &ranges, v).unwrap();
    assert!(
        hit("1.4.2-rc.1"),
        "a pre-release of the fix is still affected"
    );
    assert!(!hit("1.4.2"));
    assert!(!hit("1.4.2+build"));
    assert!(!hit("2.0.0-beta"));
    assert!(hit("2.1.1-rc.1"));
    assert!(!hit("2.1.1"));
    let last = [range("0.3.0", None, Some("0.5.7"))];
    assert!(affects(Scheme::Semver, &last, "0.5.7").unwrap());
    assert!(!affects(Scheme::Semver, &last, "0.5.8").unwrap());
    assert!(!affects(Scheme::Semver, &last, "0.3.0-alpha").unwrap());
    let gh = [range("v4", Some("v4.2.1"), None)];
    let hit = |v| affects(Scheme::for_purl_type("githubactions"), &gh, v).unwrap();
    assert!(hit("v4"));
    assert!(hit("v4.2"));
    assert!(hit("v4.2.1-rc.1"));
    assert!(!hit("v4.2.1"));
    assert!(!hit("v3"));
}

#[test]
fn affects_conda() {
    let ranges = [
        range("0", Some("1.1.1w"), None),
        range("3.0.0", Some("3.0.12"), None),
    ];
    let hit = |v| affects(Scheme::Conda, &ranges, v).unwrap();
    assert!(hit("1.1.1a"));
    assert!(hit("1.1.1v"));
    assert!(!hit("1.1.1w"));
    assert!(!hit("1.1.1x"));
    assert!(!hit("1.1.1"), "conda puts 1.1.1 after its letter releases");
    assert!(
        hit("3.0.12rc1"),
        "a pre-release of the fix is still affected"
    );
    assert!(hit("3.0.12.dev0"));
    assert!(!hit("3.0.0rc1"));
    assert!(hit("3.0.2"), "3.0.2 < 3.0.12: numbers, not text");
    assert!(!hit("3.0.12"));
    assert!(!hit("3.0.12.post1"));
    let open = [range("3.21.0", None, None)];
    assert!(affects(Scheme::Conda, &open, "3.21.0.post1").unwrap());
    assert!(
        affects(Scheme::Conda, &open, "1!0.1").unwrap(),
        "epochs come first"
    );
    assert!(!affects(Scheme::Conda, &open, "3.21.0rc1").unwrap());
}

#[test]
fn affects_generic() {
    let ranges = [
        range("1.0", Some("1.10"), None),
        range("2.0", None, Some("2.3")),
    ];
    let hit = |v| affects(Scheme::Generic, &ranges, v).unwrap();
    assert!(hit("1.9"));
    assert!(
        hit("1.10-rc1"),
        "a pre-release of the fix is still affected"
    );
    assert!(!hit("1.10"));
    assert!(!hit("2.0-beta"));
    assert!(hit("2.3"));
    assert!(!hit("2.3.1"));
    assert!(hit("v2.1.0+incompatible"));
}

#[test]
fn affects_refuses_bad_input() {
    let ranges = [range("0", Some("1.0.0"), None)];
    assert!(affects(Scheme::Semver, &ranges, "nope").is_err());
    assert!(affects(Scheme::Semver, &ranges, "").is_err());
    // Every range must parse, even when an earlier one already matches.
    let mixed = [range("0", Some("1.0.0"), None), range("2", None, None)];
    assert!(affects(Scheme::Semver, &mixed, "0.1.0").is_err());
    assert!(
        !affects(Scheme::Semver, &[], "0.1.0").unwrap(),
        "no ranges, nothing affected"
    );
}
