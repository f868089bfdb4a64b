//! Conversions between domain values and columns: instants as microseconds, ids as text.

use std::str::FromStr;

use jiff::Timestamp;

use crate::Backend;
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

/// `VALUES ($1, .., $k), ($k+1, ..), ..`: `rows` rows of `columns` placeholders each, so that
/// many rows go in one statement (one round trip to the database's thread, not one each).
/// On SQLite the placeholders are anonymous (`?`, bound in order): its driver looks each
/// numbered one up by name among all of the statement's, a cost that grows with the square
/// of their number (measured with `perf` on the intake benchmark), and anonymous ones have
/// no name to look up.
pub(crate) fn values(backend: Backend, columns: usize, rows: usize) -> String {
    values_and(backend, columns, rows, "")
}

/// [`values`] with the same constants after the placeholders of each row (`, 'pending', 0`).
pub(crate) fn values_and(backend: Backend, columns: usize, rows: usize, constants: &str) -> String {
    let mut sql = String::from("VALUES ");
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    sql.push('$');
                    sql.push_str(&(row * columns + column + 1).to_string());
                }
            }
        }
        sql.push_str(constants);
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod values_tests {
    #[test]
    fn placeholders_are_numbered_across_rows() {
        use crate::Backend::{Postgres, Sqlite};
        assert_eq!(super::values(Postgres, 2, 2), "VALUES ($1, $2), ($3, $4)");
        assert_eq!(super::values(Postgres, 3, 1), "VALUES ($1, $2, $3)");
        assert_eq!(
            super::values_and(Postgres, 1, 2, ", 0"),
            "VALUES ($1, 0), ($2, 0)"
        );
        assert_eq!(
            super::values_and(Sqlite, 2, 2, ", 0"),
            "VALUES (?, ?, 0), (?, ?, 0)"
        );
    }
}
