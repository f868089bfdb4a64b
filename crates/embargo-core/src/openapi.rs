//! The schemas of the value types the JSON API carries, for its generated OpenAPI document
//! (feature `openapi`, which the web crate turns on). Each says what the value's parser
//! accepts, so that a client reads the rule from the document.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::values::{CveId, CweId};

fn text(pattern: &str, example: &str, description: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .examples([example])
        .description(Some(description))
        .into()
}

impl PartialSchema for CveId {
    fn schema() -> RefOr<Schema> {
        text(
            "^CVE-[0-9]{4}-[0-9]{4,}$",
            "CVE-2026-12345",
            "A CVE id: the year, then four or more digits.",
        )
    }
}

impl ToSchema for CveId {}

impl PartialSchema for CweId {
    fn schema() -> RefOr<Schema> {
        text("^CWE-[1-9][0-9]*$", "CWE-79", "A CWE id.")
    }
}

impl ToSchema for CweId {}
