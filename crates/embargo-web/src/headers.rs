//! Headers every response carries. Pages use no scripts and no third-party resources, so
//! the content security policy can be strict.

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;

use crate::WebState;

pub async fn security_headers(State(state): State<WebState>, req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    // Served over https: browsers must never fall back to http, where a network attacker
    // could read session cookies and portal links (two years; not includeSubDomains, which
    // would bind the organization's other hosts).
    if state.site.secure_cookies() {
        set_static(h, "strict-transport-security", "max-age=63072000");
    }
    let set = set_static;
    set(
        h,
        "content-security-policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    // Secret links live in URLs: never let them leak to another site as a referrer.
    set(h, "referrer-policy", "no-referrer");
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

fn set_static(h: &mut axum::http::HeaderMap, name: &'static str, value: &'static str) {
    h.entry(name).or_insert(HeaderValue::from_static(value));
}
