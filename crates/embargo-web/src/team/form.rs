//! `CsrfForm<T>`: a team member's form, its CSRF token checked against their session, its
//! fields parsed into `T` (serde, by field name) instead of looked up in a map by string.
//! A missing session redirects to sign-in; a bad token or a field that does not parse is
//! the error page.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use embargo_app::AppError;
use embargo_core::ValueError;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::{TeamSession, csrf_form};
use crate::WebState;
use crate::page_error::PageError;

#[derive(Debug)]
pub struct CsrfForm<T> {
    pub session: TeamSession,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<WebState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &WebState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let session = TeamSession::from_request_parts(&mut parts, state).await?;
        let posted = csrf_form(state, &session, Request::from_parts(parts, body)).await?;
        let fields: Map<String, Value> = posted
            .fields
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        let form = serde_json::from_value(Value::Object(fields)).map_err(|e| {
            PageError(AppError::invalid(ValueError::new("form", e.to_string()))).into_response()
        })?;
        Ok(Self { session, form })
    }
}
