//! One action on a case as the case page's forms and the JSON API post it: one typed
//! request for both edges, read by one parser ([`super::actions::command`]).

use std::collections::HashMap;

use embargo_app::AppError;
use embargo_core::ValueError;
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::api::schema::one_of;

/// One action on a case. `version` (optional in the API, required by the case page's
/// forms) refuses the action with 409 if the case changed since it was read. Each action
/// reads only its own fields; a field that is missing reads as empty.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ActionRequest {
    #[schema(schema_with = action_names_schema)]
    pub action: String,
    /// The case's version the action was prepared on.
    #[schema(value_type = Option<u64>)]
    pub version: Option<String>,
    /// To the reporter (acknowledge, request_info, reject, duplicate).
    pub message: String,
    /// reject: `not_a_vulnerability`, `out_of_scope` or `cannot_reproduce`;
    /// withdraw, extend_disclosure, reopen: free text.
    pub reason: String,
    /// duplicate: the other case, by id or reference (`EMB-2026-0042`).
    pub duplicate_of: String,
    /// add_developer: their e-mail address (an invitation goes to a new one).
    pub email: String,
    /// add_developer: their name, for a new address.
    pub name: String,
    /// record_fork: the private fork's name.
    pub fork_name: String,
    /// sign_off_fork: the fork's id (a UUID).
    pub fork: String,
    /// complete_step: the policy's step, 1 to 18.
    #[schema(value_type = Option<u8>, minimum = 1, maximum = 18)]
    pub step: Option<String>,
    /// sign_off_fork, complete_step: a note for the audit trail.
    pub note: String,
    /// set_dates: the release date, `YYYY-MM-DD`.
    pub release_on: String,
    /// set_dates: local date and time, `YYYY-MM-DDTHH:MM`, in `zone`.
    pub announce_at: String,
    /// set_dates: an IANA time zone, e.g. `Europe/Paris`.
    pub zone: String,
    /// extend_disclosure: the new deadline, `YYYY-MM-DD`.
    pub until: String,
    /// message, save_draft: the text.
    pub body: String,
    /// message: `internal` (the default) or `reporter`.
    #[schema(schema_with = visibility_schema)]
    pub visibility: String,
    /// save_draft: which announcement draft.
    pub kind: String,
}

fn action_names_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    one_of(super::actions::action_names())
}

fn visibility_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    one_of(["internal", "reporter"])
}

impl ActionRequest {
    /// From a posted form's fields (all text).
    pub fn from_form(fields: HashMap<String, String>) -> Result<Self, AppError> {
        let map = fields
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        Self::from_map(map)
    }

    /// From a JSON object: numbers and booleans are read as their text, as a form sends
    /// them; `null` is a missing field; an array or object is refused.
    pub fn from_json(body: Map<String, Value>) -> Result<Self, AppError> {
        let mut map = Map::new();
        for (k, v) in body {
            let text = match v {
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                Value::Null => continue,
                Value::Array(_) | Value::Object(_) => {
                    return Err(AppError::invalid(ValueError::new(
                        "body",
                        format!("field {k:?} must be text or a number"),
                    )));
                }
            };
            map.insert(k, Value::String(text));
        }
        Self::from_map(map)
    }

    fn from_map(map: Map<String, Value>) -> Result<Self, AppError> {
        serde_json::from_value(Value::Object(map))
            .map_err(|e| AppError::invalid(ValueError::new("action", e.to_string())))
    }
}
