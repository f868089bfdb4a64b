//! embargo's HTTP layer. Handlers stay thin: extract, call one use case, map the result.

mod advisories;
mod advisory_api;
mod api;
mod charts;
mod client;
mod conditional;
mod cve_api;
mod error;
mod forge;
mod github_api;
mod headers;
mod limiter;
mod lost;
mod markdown;
mod multipart;
mod osv_api;
mod page_error;
mod pages;
mod portal;
pub mod prometheus;
mod render;
mod report_form;
mod reports_api;
mod request_id;
mod settings;
pub mod shed;
mod team;
mod wellknown;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use embargo_app::App;

pub use client::{ProxyNet, client_address};
pub use error::{WebError, status_of};
pub use forge::signature_ok;
pub use limiter::RateLimiter;
pub use settings::{Clock, Site};
pub use team::actions::action_names;
pub use wellknown::security_txt;

/// What every handler can reach. One pointer: axum clones the state for every extractor
/// and layer of every request, and a clone of all the fields below (the application's
/// dozens of shared handles) was 3% of the time spent filing a report (`perf`, intake
/// benchmark).
#[derive(Clone)]
pub struct WebState(Arc<Shared>);

impl std::ops::Deref for WebState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The fields of [`WebState`].
#[derive(Clone)]
pub struct Shared {
    pub app: App,
    pub site: Arc<Site>,
    pub clock: Clock,
    pub limiter: Arc<RateLimiter>,
    /// This process's job runner, when it has one: `/healthz` and the admin page report it.
    pub runner: Option<RunnerWatch>,
    /// Who may read `/metrics`; nobody when `None` (the default).
    pub metrics: Option<prometheus::MetricsAccess>,
    /// Request latencies for `/metrics`.
    pub http: Arc<prometheus::HttpStats>,
    /// The limit of requests in flight (load shedding).
    pub shedder: shed::Shedder,
}

/// The job runner's heartbeat, and how old its last tick may be before `/healthz` says
/// the instance is unhealthy.
#[derive(Debug, Clone)]
pub struct RunnerWatch {
    pub heartbeat: embargo_app::Heartbeat,
    pub stale_after: jiff::SignedDuration,
}

impl std::fmt::Debug for WebState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebState")
            .field("site", &self.site)
            .finish_non_exhaustive()
    }
}

impl WebState {
    pub fn new(app: App, site: Site, clock: Clock) -> Self {
        Self(Arc::new(Shared {
            app,
            site: Arc::new(site),
            clock,
            limiter: Arc::new(RateLimiter::default()),
            runner: None,
            metrics: None,
            http: Arc::new(prometheus::HttpStats::default()),
            shedder: shed::Shedder::default(),
        }))
    }

    /// The same, serving `app` (an application with other settings).
    pub fn with_app(mut self, app: App) -> Self {
        Arc::make_mut(&mut self.0).app = app;
        self
    }

    /// Serves at most `limit` requests at once; more are shed with 503 and `Retry-After`.
    pub fn with_max_in_flight(mut self, limit: usize) -> Self {
        Arc::make_mut(&mut self.0).shedder = shed::Shedder::new(limit);
        self
    }

    /// Serves `/metrics` to `access`.
    pub fn with_metrics(mut self, access: prometheus::MetricsAccess) -> Self {
        Arc::make_mut(&mut self.0).metrics = Some(access);
        self
    }

    /// Reports this runner's heartbeat on `/healthz` and the admin page.
    pub fn with_runner(mut self, runner: RunnerWatch) -> Self {
        Arc::make_mut(&mut self.0).runner = Some(runner);
        self
    }
}

/// Request bodies: small by default; the routes that take files allow the upload limits
/// plus room for the form fields.
const SMALL_BODY: usize = 1024 * 1024;
const UPLOAD_BODY: usize = embargo_app::MAX_TOTAL_BYTES + 2 * 1024 * 1024;

pub fn router(state: WebState) -> Router {
    let uploads = Router::new()
        .route("/report", get(report_form::show).post(report_form::submit))
        .route("/api/v1/reports", post(reports_api::create))
        .route("/portal/messages", post(portal::post_message))
        .route("/cases/{id}/act", post(team::actions::act))
        .layer(DefaultBodyLimit::max(UPLOAD_BODY));
    Router::new()
        .route("/", get(pages::home))
        .route("/advisories", get(advisories::index))
        .route("/advisories.atom", get(advisories::feed))
        .route("/advisories/{id}", get(advisories::show))
        .route("/advisories/{id}/{format}", get(advisories::export))
        .route("/thanks", get(advisories::thanks))
        .route("/api/v1/query", post(osv_api::query_alias))
        .route("/v1/query", post(osv_api::query))
        .route("/v1/querybatch", post(osv_api::query_batch))
        .route("/v1/vulns/{id}", get(osv_api::vuln))
        .route(
            "/.well-known/csaf/provider-metadata.json",
            get(advisories::csaf_provider),
        )
        .route(
            "/.well-known/csaf/white/{file}",
            get(advisories::csaf_listing),
        )
        .route(
            "/.well-known/csaf/white/{year}/{file}",
            get(advisories::csaf_document),
        )
        .route("/healthz", get(pages::health))
        .route("/static/embargo.css", get(pages::stylesheet))
        .route("/static/drafts.js", get(pages::drafts_script))
        .route(
            "/.well-known/security.txt",
            get(wellknown::security_txt_handler),
        )
        .route("/pgp-key.txt", get(wellknown::team_key))
        .route("/portal", get(portal::show))
        .route("/portal/{token}", get(portal::enter))
        .route("/portal/credit", post(portal::set_credit))
        .route("/portal/revoke", post(portal::revoke))
        .route("/portal/attachments/{id}", get(portal::attachment))
        .route("/portal/lost", get(lost::show).post(lost::request))
        .route("/api/v1/webhooks/github", post(forge::github))
        .route("/api/v1/openapi.json", get(api::doc::openapi))
        .route("/api/v1/cases", get(api::list))
        .route("/api/v1/cases/{id}", get(api::show))
        .route("/api/v1/cases/{id}/actions", post(api::act))
        .route("/api/v1/cases/{id}/messages", get(api::messages))
        .route("/api/v1/cases/{id}/events", get(api::events))
        .route(
            "/api/v1/cases/{id}/advisory",
            get(advisory_api::show).put(advisory_api::save),
        )
        .route(
            "/api/v1/cases/{id}/advisory/preview",
            get(advisory_api::preview),
        )
        .route(
            "/api/v1/cases/{id}/advisory/approve",
            post(advisory_api::approve),
        )
        .route(
            "/api/v1/cases/{id}/advisory/publish",
            post(advisory_api::publish_revision),
        )
        .route(
            "/api/v1/cases/{id}/advisory/cve",
            post(advisory_api::take_cve),
        )
        .route("/api/v1/cases/{id}/teams", post(advisory_api::add_team))
        .route("/api/v1/cases/{id}/cve", get(cve_api::case_cve))
        .route("/api/v1/cases/{id}/github", get(github_api::show))
        .route(
            "/api/v1/cases/{id}/github/drafts",
            post(github_api::open_drafts),
        )
        .route(
            "/api/v1/cases/{id}/github/cve",
            post(github_api::request_cve),
        )
        .route(
            "/api/v1/cases/{id}/github/forks",
            post(github_api::create_fork),
        )
        .route("/api/v1/cases/{id}/github/ci", post(github_api::mirror_ci))
        .route("/api/v1/cases/{id}/cve/reject", post(cve_api::reject))
        .route("/api/v1/cases/{id}/cve/release", post(cve_api::release))
        .route("/api/v1/cve-ids", get(cve_api::pool).post(cve_api::reserve))
        .route("/api/v1/cve-ids/sync", post(cve_api::sync))
        .route("/api/v1/advisories", get(advisory_api::published))
        .route("/login", get(team::login::show).post(team::login::submit))
        .route("/logout", post(team::logout_route))
        .route("/cases", get(team::dashboard::show))
        .route("/statistics", get(team::metrics::show))
        .route("/metrics", get(prometheus::show))
        .route(
            "/invite/{token}",
            get(team::invite::show).post(team::invite::accept),
        )
        .route("/account", get(team::account::show))
        .route("/admin", get(team::admin::show))
        .route("/admin/users", post(team::admin::add_user))
        .route("/admin/users/{id}/{what}", post(team::admin::set_disabled))
        .route("/admin/projects", post(team::admin::add_project))
        .route("/admin/policy", post(team::admin::set_policy))
        .route("/admin/cves", post(team::admin::add_cves))
        .route("/admin/cve-services", post(team::cve::admin_action))
        .route("/admin/teams", post(team::admin::teams))
        .route("/admin/templates/{name}", post(team::admin::set_template))
        .route("/admin/jobs/{id}/retry", post(team::admin::retry_job))
        .route("/account/totp/start", post(team::account::totp_start))
        .route("/account/totp/confirm", post(team::account::totp_confirm))
        .route("/account/totp/disable", post(team::account::totp_disable))
        .route("/account/tokens", post(team::account::token_create))
        .route(
            "/account/tokens/{id}/revoke",
            post(team::account::token_revoke),
        )
        .route("/account/password", post(team::account::password))
        .route("/account/preferences", post(team::account::preferences))
        .route("/account/github", post(team::account::github_login))
        .route("/cases/{id}", get(team::case_page::show))
        .route(
            "/cases/{id}/advisory",
            get(team::advisory::edit).post(team::advisory::save),
        )
        .route("/cases/{id}/advisory/preview", get(team::advisory::preview))
        .route(
            "/cases/{id}/advisory/approve",
            post(team::advisory::approve),
        )
        .route(
            "/cases/{id}/advisory/publish",
            post(team::advisory::publish_revision),
        )
        .route("/cases/{id}/advisory/cve", post(team::advisory::take_cve))
        .route("/cases/{id}/cve/{action}", post(team::cve::case_action))
        .route(
            "/cases/{id}/github/{action}",
            post(team::github::case_action),
        )
        .route("/cases/{id}/team", post(team::case_page::add_team))
        .route(
            "/cases/{id}/attachments/{file}",
            get(team::case_page::attachment),
        )
        .layer(DefaultBodyLimit::max(SMALL_BODY))
        .merge(uploads)
        .layer(axum::middleware::from_fn(conditional::etags))
        // Outside the ETags: a tag names the representation before its encoding (weak).
        .layer(
            tower_http::compression::CompressionLayer::new()
                .compress_when(conditional::compress_public()),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            shed::shed,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            headers::security_headers,
        ))
        // Inside the request id's scope: error pages show it.
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            page_error::render_page_errors,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            request_id::assign,
        ))
        .with_state(state)
}

/// The "please wait" page of a rate limit: 429, `Retry-After`, and what was limited.
pub(crate) fn please_wait(state: &WebState, retry_after_secs: i64, text: &str) -> Response {
    let page = render::notice(
        &state.site.organization,
        axum::http::StatusCode::TOO_MANY_REQUESTS,
        "Please wait",
        text,
        None,
    );
    too_many(retry_after_secs, page)
}

/// A 429 with `Retry-After`.
pub(crate) fn too_many(retry_after_secs: i64, mut res: Response) -> Response {
    if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
        res.headers_mut().insert(header::RETRY_AFTER, v);
    }
    res.into_response()
}

/// Serves the router on `listener` until `shutdown` completes, then finishes the requests
/// in flight. Client addresses (for rate limits) come from the socket.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: WebState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// The router of a metrics-only listener (`[metrics] listen`): `/metrics`, open to whoever
/// reaches that address, and nothing else.
pub fn metrics_router(state: WebState) -> Router {
    Router::new()
        .route("/metrics", get(prometheus::show))
        .with_state(state.with_metrics(prometheus::MetricsAccess::Open))
}

/// Serves [`metrics_router`] on `listener` until `shutdown` completes.
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    state: WebState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, metrics_router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
