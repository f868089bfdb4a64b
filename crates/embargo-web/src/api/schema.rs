//! Pieces of the API's schemas that several responses share: times as RFC 3339 text, and
//! names whose list comes from the one name table of their enum.

use embargo_core::CaseState;
use jiff::Timestamp;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// An instant as the API writes it (RFC 3339, UTC).
pub(crate) fn at(t: Timestamp) -> String {
    t.to_string()
}

pub(crate) fn maybe_at(t: Option<Timestamp>) -> Option<String> {
    t.map(at)
}

/// A string that is one of `names`.
pub(crate) fn one_of(names: impl IntoIterator<Item = &'static str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(names))
        .into()
}

/// A case's state (`CaseState::name`).
pub(crate) fn case_state() -> RefOr<Schema> {
    one_of(CaseState::all_names())
}
