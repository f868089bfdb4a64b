//! Conversions between domain values and columns: instants as microseconds, ids as text.

use std::str::FromStr;

use jiff::Timestamp;

use crate::error::StoreError;

pub(crate) fn ts(t: Timestamp) -> i64 {
    t.as_microsecond()
}

pub(crate) fn from_ts(micros: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(micros)
        .map_err(|_| StoreError::Corrupt(format!("instant {micros} is out of range")))
}

pub(crate) fn opt_ts(micros: Option<i64>) -> Result<Option<Timestamp>, StoreError> {
    micros.map(from_ts).transpose()
}

pub(crate) fn parse<T>(text: &str) -> Result<T, StoreError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    text.parse::<T>()
        .map_err(|e| StoreError::Corrupt(format!("{e}")))
}

pub(crate) fn parse_opt<T>(text: Option<String>) -> Result<Option<T>, StoreError>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    text.as_deref().map(parse).transpose()
}

pub(crate) fn flag(b: bool) -> i64 {
    i64::from(b)
}

/// `%` and `_` typed into the search box are literal characters.
pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// A case's state from its columns `state`, `resolution`, `reject_reason` and
/// `duplicate_of` (any query selecting them by those names).
pub(crate) fn case_state(r: &sqlx::any::AnyRow) -> Result<embargo_core::CaseState, StoreError> {
    use sqlx::Row;
    Ok(embargo_core::CaseState::from_parts(
        &r.try_get::<String, _>("state")?,
        r.try_get::<Option<String>, _>("resolution")?.as_deref(),
        r.try_get::<Option<String>, _>("reject_reason")?.as_deref(),
        parse_opt(r.try_get("duplicate_of")?)?,
    )?)
}
