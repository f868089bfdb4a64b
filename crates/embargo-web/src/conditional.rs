//! Conditional requests on the public side: every successful `GET` of a public page, feed
//! or document carries a weak `ETag` (a digest of the bytes before their encoding), and a request whose
//! `If-None-Match` names it is answered `304 Not Modified` without a body. Feed readers,
//! OSV mirrors and CSAF aggregators poll these; most polls now cost a few bytes.

use axum::body::{Body, HttpBody, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Marks a public representation: only these are compressed. Pages with a session's CSRF
/// token or a reporter's thread are not, so that compression cannot leak a secret through
/// the sizes of responses (BREACH).
#[derive(Debug, Clone, Copy)]
pub struct PublicRepresentation;

/// The compression layer's rule: the default (text, not tiny) and public.
pub fn compress_public() -> impl tower_http::compression::Predicate {
    use tower_http::compression::Predicate;
    tower_http::compression::DefaultPredicate::new().and(
        |_: StatusCode, _: axum::http::Version, _: &HeaderMap, ext: &axum::http::Extensions| {
            ext.get::<PublicRepresentation>().is_some()
        },
    )
}

/// Public answers larger than this are sent without an `ETag` rather than held whole.
const MAX_TAGGED_BYTES: usize = 16 * 1024 * 1024;

/// Whether `path` is public, the same for every visitor, and worth revalidating.
fn public(path: &str) -> bool {
    path == "/"
        || path == "/advisories"
        || path == "/advisories.atom"
        || path.starts_with("/advisories/")
        || path.starts_with("/v1/vulns/")
        || path.starts_with("/.well-known/csaf/")
        || path == "/.well-known/security.txt"
        || path == "/pgp-key.txt"
        || path.starts_with("/static/")
}

pub async fn etags(req: Request, next: Next) -> Response {
    let candidate = matches!(*req.method(), Method::GET | Method::HEAD) && public(req.uri().path());
    if !candidate {
        return next.run(req).await;
    }
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let res = next.run(req).await;
    // Only plain successes: not a redirect, not an error, not a response that sets a
    // cookie (it is someone's, not everyone's).
    // A body of unknown or large size (a stream) goes out as it is, untagged: it is not
    // held whole.
    let small = res
        .body()
        .size_hint()
        .exact()
        .is_some_and(|n| n <= MAX_TAGGED_BYTES as u64);
    if res.status() != StatusCode::OK
        || !small
        || res.headers().contains_key(header::ETAG)
        || res.headers().contains_key(header::SET_COOKIE)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_TAGGED_BYTES).await else {
        // The body broke while being read: nothing whole is left to send.
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let digest = Sha256::digest(&bytes);
    // Weak: the same bytes may go out gzip- or brotli-encoded (RFC 9110 8.8.1).
    let tag = format!("W/\"{}\"", hex::encode(&digest[..16]));
    let Ok(value) = HeaderValue::from_str(&tag) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    parts.headers.insert(header::ETAG, value.clone());
    parts.extensions.insert(PublicRepresentation);
    if matches(if_none_match.as_ref(), &tag) {
        let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
        copy_validators(&parts.headers, not_modified.headers_mut());
        return not_modified;
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Whether `If-None-Match` names `tag` (weak comparison, as RFC 9110 asks for it here).
fn matches(if_none_match: Option<&HeaderValue>, tag: &str) -> bool {
    let Some(list) = if_none_match.and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let tag = tag.trim_start_matches("W/");
    list.split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/") == tag)
}

/// A 304 carries the headers a 200 would have that describe the representation.
fn copy_validators(from: &HeaderMap, to: &mut HeaderMap) {
    for name in [
        header::ETAG,
        header::CACHE_CONTROL,
        header::VARY,
        header::CONTENT_LOCATION,
    ] {
        if let Some(v) = from.get(&name) {
            to.insert(name, v.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use tower::ServiceExt;

    /// A streamed public answer (unknown length) passes through whole and untagged, and a
    /// small one is tagged.
    #[tokio::test]
    async fn only_bodies_of_known_small_size_are_tagged() {
        let app = Router::new()
            .route(
                "/advisories/streamed",
                get(|| async {
                    let chunks =
                        ["a", "b"].map(|c| Ok::<_, std::io::Error>(axum::body::Bytes::from(c)));
                    Body::from_stream(futures_util::stream::iter(chunks))
                }),
            )
            .route("/advisories/small", get(|| async { "small" }))
            .layer(axum::middleware::from_fn(etags));
        let get = |path: &'static str| {
            let app = app.clone();
            async move {
                app.oneshot(Request::get(path).body(Body::empty()).unwrap())
                    .await
                    .unwrap()
            }
        };
        let streamed = get("/advisories/streamed").await;
        assert_eq!(streamed.status(), StatusCode::OK);
        assert!(streamed.headers().get(header::ETAG).is_none());
        let body = to_bytes(streamed.into_body(), 1024).await.unwrap();
        assert_eq!(&body[..], b"ab");
        let small = get("/advisories/small").await;
        assert!(small.headers().get(header::ETAG).is_some());
    }

    #[test]
    fn if_none_match_lists_and_weak_tags_match() {
        let v = HeaderValue::from_static("\"a\", W/\"b\"");
        assert!(matches(Some(&v), "\"b\""));
        assert!(matches(Some(&v), "\"a\""));
        assert!(!matches(Some(&v), "\"c\""));
        assert!(matches(Some(&HeaderValue::from_static("*")), "\"c\""));
        assert!(!matches(None, "\"a\""));
    }
}
