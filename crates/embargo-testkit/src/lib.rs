//! Dev-only helpers: a real SQLite store in a fresh temporary directory per test, a fake
//! clock, and the people of a small organization.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test support: a failed unwrap is a failed test

pub mod cases;
pub mod cve_services;
pub mod database;
pub mod git_daemon;
pub mod github;
pub mod http;
pub mod py_fake;
pub mod smtp;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use embargo_app::{App, Intake, NewUser, OsRandom, Principal, Submitted};
use embargo_core::{
    Channel, CreditPreference, Email, InstallationRoles, Policy, ProjectSlug, ReportContent, UserId,
};
use embargo_store::{OpenMode, Store};
use jiff::{SignedDuration, Timestamp};

/// A clock the test moves by hand.
#[derive(Debug, Clone)]
pub struct FakeClock(Arc<Mutex<Timestamp>>);

impl FakeClock {
    pub fn at(t: Timestamp) -> Self {
        Self(Arc::new(Mutex::new(t)))
    }
    pub fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }
    pub fn advance(&self, by: SignedDuration) {
        let mut t = self.0.lock().unwrap();
        *t += by;
    }
    pub fn set(&self, to: Timestamp) {
        *self.0.lock().unwrap() = to;
    }
}

pub fn days(n: i64) -> SignedDuration {
    SignedDuration::from_hours(24 * n)
}

/// The people of the test organization.
#[derive(Debug, Clone, Copy)]
pub struct People {
    /// Core member who coordinates.
    pub coordinator: UserId,
    /// A second core member.
    pub coordinator2: UserId,
    /// Members who develop fixes.
    pub developer: UserId,
    pub developer2: UserId,
    /// Runs the installation; not a Coordinator.
    pub admin: UserId,
    /// A member with no role on any case.
    pub outsider: UserId,
}

#[derive(Debug)]
pub struct TestApp {
    pub app: App,
    pub store: Store,
    pub clock: FakeClock,
    pub people: People,
    pub db_path: PathBuf,
    /// The database's URL (SQLite file or PostgreSQL database), for a second instance.
    pub db_url: String,
    pub policy: Policy,
    pub dir: tempfile::TempDir,
    /// The secrets key the store seals with (a second instance needs the same).
    pub key: embargo_store::SealingKey,
}

pub const PROJECT: &str = "infrastructure";

impl TestApp {
    pub async fn new() -> Self {
        Self::with_policy(Policy::default()).await
    }

    pub async fn with_policy(policy: Policy) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db_path = dir.path().join("embargo.db");
        let url = database::fresh_database(dir.path()).await;
        let key = embargo_store::SealingKey::generate().unwrap();
        let store = Store::connect(&url, OpenMode::CreateOrMigrate)
            .await
            .unwrap()
            .unseal_with(&key)
            .await
            .unwrap();
        let app = App::new(store.clone(), policy, Arc::new(OsRandom));
        let clock = FakeClock::at("2026-03-02T09:00:00Z".parse().unwrap());
        let now = clock.now();
        let admin = app
            .bootstrap_admin(
                user("admin@example.org", "Ada Admin", InstallationRoles::MEMBER),
                now,
            )
            .await
            .unwrap()
            .id;
        let op = Principal::Operator;
        let add = async |email: &str, name: &str, roles| {
            app.add_user(op, user(email, name, roles), now)
                .await
                .unwrap()
                .id
        };
        let people = People {
            coordinator: add(
                "coco@example.org",
                "Coco Ordinator",
                InstallationRoles::COORDINATOR,
            )
            .await,
            coordinator2: add(
                "cora@example.org",
                "Cora Second",
                InstallationRoles::COORDINATOR,
            )
            .await,
            developer: add("dev@example.org", "Devi Loper", InstallationRoles::MEMBER).await,
            developer2: add("dev2@example.org", "Dev Two", InstallationRoles::MEMBER).await,
            admin,
            outsider: add("out@example.org", "Otto Sider", InstallationRoles::MEMBER).await,
        };
        app.add_project(
            op,
            PROJECT,
            "Infrastructure and bots",
            "",
            &["example-org/build-bot".to_string()],
            now,
        )
        .await
        .unwrap();
        Self {
            app,
            store,
            clock,
            people,
            db_path,
            db_url: url,
            policy,
            dir,
            key,
        }
    }

    /// Another instance on the same database, with its own connections: what a second
    /// `embargo serve` behind the load balancer is.
    pub async fn second_instance(&self) -> App {
        let store = Store::connect(&self.db_url, OpenMode::MustExist)
            .await
            .unwrap()
            .unseal_with(&self.key)
            .await
            .unwrap();
        App::new(store, self.policy, Arc::new(OsRandom))
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Files a report from an outside reporter (no account).
    pub async fn submit(&self) -> Submitted {
        self.app
            .submit_report(intake(report("reporter@elsewhere.example")), self.now())
            .await
            .unwrap()
    }
}

pub fn user(email: &str, name: &str, roles: InstallationRoles) -> NewUser {
    NewUser {
        email: email.into(),
        display_name: name.into(),
        roles,
        password: None,
    }
}

/// A report filed through the web form, without files.
pub fn intake(content: ReportContent) -> Intake {
    Intake {
        channel: Channel::Web,
        content,
        attachments: Vec::new(),
        external_ref: None,
        mail_portal_link: false,
        encrypted: false,
    }
}

/// A complete report.
pub fn report(from: &str) -> ReportContent {
    ReportContent {
        project: ProjectSlug::parse(PROJECT).unwrap(),
        title: "Token leak in the build bot".into(),
        description: "The bot prints its **token** in CI logs.".into(),
        affected_versions: "all".into(),
        reproduction: "Open any CI log.".into(),
        impact: "Anyone can push to feedstocks.".into(),
        already_public: false,
        exploited: false,
        reporter_name: "Rita Reporter".into(),
        reporter_email: Some(Email::parse(from).unwrap()),
        credit: CreditPreference::Name("Rita Reporter".into()),
        openpgp_key: None,
    }
}
