//! Typed edges for the HTML handlers: they return `Result<Response, PageError>` and use `?`
//! on use-case errors, and take the case from [`CasePath`], which turns an id that is not
//! one into "not found" once.
//!
//! The error page names the organization, which an error does not know: a [`PageError`]
//! travels in the response's extensions, and [`render_page_errors`], a layer holding the
//! state, renders the page (with the request id and the security headers like any other).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use embargo_app::AppError;
use embargo_core::CaseId;

use crate::WebState;
use crate::error::status_of;
use crate::render::error_page;

/// A use-case error on a page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

/// The error as it waits in the response for [`render_page_errors`].
#[derive(Debug, Clone)]
struct PendingError(Arc<AppError>);

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let mut res = status_of(&self.0).into_response();
        res.extensions_mut().insert(PendingError(Arc::new(self.0)));
        res
    }
}

/// Renders the error page of a handler that returned a [`PageError`].
pub async fn render_page_errors(
    State(state): State<WebState>,
    req: Request,
    next: Next,
) -> Response {
    let res = next.run(req).await;
    match res.extensions().get::<PendingError>() {
        Some(PendingError(e)) => error_page(&state.site.organization, e),
        None => res,
    }
}

/// The case named by the route's `{id}`; anything that is not a case id is "not found",
/// like a case the viewer may not see.
#[derive(Debug, Clone, Copy)]
pub struct CasePath(pub CaseId);

impl<S: Send + Sync> FromRequestParts<S> for CasePath {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| PageError(AppError::NotFound))?;
        params
            .get("id")
            .and_then(|id| id.parse::<CaseId>().ok())
            .map(CasePath)
            .ok_or(PageError(AppError::NotFound))
    }
}
