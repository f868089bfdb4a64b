//! Many rows inserted by one statement, whatever their number: the rows go as one parameter,
//! a JSON array, which the database reads back into columns (SQLite's `jsonb_each`,
//! PostgreSQL's `json_populate_recordset` with the table's own column types).
//!
//! A batch of filings used to be a statement per power-of-2 piece of each table (`VALUES`
//! with a placeholder per cell: a batch of 30 was 16+8+4+2 rows, four statements a table),
//! and every statement is a round trip to the database's thread or server while the batch
//! holds the write lock. (Pieces of powers of 4 before that, 16+4+4+4+1+1: powers of 2 filed
//! about 1.12x faster.) One statement a table filed about 1.07x faster again, on SQLite and
//! on PostgreSQL (medians of alternating pairs). One text per table also stays prepared
//! whatever the batch's size. (`jsonb_each` rather than `json_each`: each row reaches `->>`
//! in SQLite's binary form, not as text to parse again; within the noise, 1.03x.)
//!
//! On PostgreSQL a batch's rows make messages longer than a TLS record (16 KiB). sqlx 0.9.0
//! did not set `TCP_NODELAY`, so the second write of such a message waited 40 ms for the
//! server's delayed acknowledgement: filing went from about 2,500 requests/s to 320. The
//! vendored `sqlx-core` sets it (see `vendor/README.md`); with it, one message per table
//! filed 1.10x and 1.21x faster than pieces of 12 KiB without it (two alternating pairs).

use serde_json::Value;

use crate::Backend;
use crate::error::StoreError;

pub(crate) type Query<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// One column's value, typed as its column: a NULL binds as that type (PostgreSQL refuses a
/// text NULL for a bigint column).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    Text(Option<String>),
    Int(Option<i64>),
}

impl Cell {
    pub(crate) fn bind(self, q: Query<'_>) -> Query<'_> {
        match self {
            Self::Text(v) => q.bind(v),
            Self::Int(v) => q.bind(v),
        }
    }

    /// Appends the value as JSON.
    fn write_json(&self, out: &mut Vec<u8>) -> Result<(), StoreError> {
        match self {
            Self::Text(Some(v)) => serde_json::to_writer(out, v).map_err(json_error),
            Self::Int(Some(v)) => serde_json::to_writer(out, v).map_err(json_error),
            Self::Text(None) | Self::Int(None) => {
                out.extend_from_slice(b"null");
                Ok(())
            }
        }
    }
}

impl From<String> for Cell {
    fn from(v: String) -> Self {
        Self::Text(Some(v))
    }
}

impl From<Option<String>> for Cell {
    fn from(v: Option<String>) -> Self {
        Self::Text(v)
    }
}

impl From<&str> for Cell {
    fn from(v: &str) -> Self {
        Self::Text(Some(v.to_string()))
    }
}

impl From<Option<&str>> for Cell {
    fn from(v: Option<&str>) -> Self {
        Self::Text(v.map(str::to_string))
    }
}

impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Self::Int(Some(v))
    }
}

impl From<Option<i64>> for Cell {
    fn from(v: Option<i64>) -> Self {
        Self::Int(v)
    }
}

/// Binds cells in order.
pub(crate) fn bind_cells(q: Query<'_>, cells: Vec<Cell>) -> Query<'_> {
    cells.into_iter().fold(q, |q, cell| cell.bind(q))
}

fn json_error(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(format!("a row that is not JSON: {e}"))
}

/// Rows for one table, each given as its cells in the order of `columns`. Written straight
/// into the statement's parameter as they come (no tree of JSON values per row: the batch
/// writer's own thread spent about a fifth of its time allocating and freeing).
pub(crate) struct Rows {
    backend: Backend,
    columns: Vec<String>,
    /// What goes before each cell of a row: `"column":` for PostgreSQL's objects, nothing
    /// for SQLite's arrays. Encoded once, not for every row.
    keys: Vec<String>,
    /// The JSON array so far, without its closing bracket.
    json: Vec<u8>,
}

impl Rows {
    /// `columns` as in SQL: names separated by commas.
    pub(crate) fn new(backend: Backend, columns: &str, capacity: usize) -> Self {
        let columns: Vec<String> = columns.split(',').map(|c| c.trim().to_string()).collect();
        let keys = columns
            .iter()
            .map(|c| match backend {
                Backend::Sqlite => String::new(),
                Backend::Postgres => format!("{}:", Value::String(c.clone())),
            })
            .collect();
        Self {
            backend,
            columns,
            keys,
            json: Vec::with_capacity(1 + capacity * 256),
        }
    }

    /// SQLite reads a row by position (an array), PostgreSQL by column name (an object).
    pub(crate) fn push(&mut self, cells: Vec<Cell>) -> Result<(), StoreError> {
        if cells.len() != self.columns.len() {
            return Err(StoreError::Corrupt(format!(
                "a row of {} values for {} columns",
                cells.len(),
                self.columns.len()
            )));
        }
        self.json
            .push(if self.json.is_empty() { b'[' } else { b',' });
        let (open, close) = match self.backend {
            Backend::Sqlite => (b'[', b']'),
            Backend::Postgres => (b'{', b'}'),
        };
        self.json.push(open);
        for (i, (cell, key)) in cells.iter().zip(&self.keys).enumerate() {
            if i > 0 {
                self.json.push(b',');
            }
            self.json.extend_from_slice(key.as_bytes());
            cell.write_json(&mut self.json)?;
        }
        self.json.push(close);
        Ok(())
    }

    /// `INSERT INTO table (columns) SELECT ...` of the rows, with the same `constants`
    /// (column, SQL value) in each; its one parameter is [`Rows::json`].
    fn insert(&self, table: &str, constants: &[(&str, &str)]) -> String {
        let names = self
            .columns
            .iter()
            .map(String::as_str)
            .chain(constants.iter().map(|(c, _)| *c))
            .collect::<Vec<_>>()
            .join(", ");
        let read: Vec<String> = match self.backend {
            Backend::Sqlite => (0..self.columns.len())
                .map(|i| format!("value ->> {i}"))
                .collect(),
            Backend::Postgres => self.columns.clone(),
        };
        let values = read
            .into_iter()
            .chain(constants.iter().map(|(_, v)| v.to_string()))
            .collect::<Vec<_>>()
            .join(", ");
        match self.backend {
            Backend::Sqlite => {
                format!("INSERT INTO {table} ({names}) SELECT {values} FROM jsonb_each($1)")
            }
            Backend::Postgres => format!(
                "INSERT INTO {table} ({names}) SELECT {values} \
                 FROM json_populate_recordset(NULL::{table}, $1::json)"
            ),
        }
    }

    /// Inserts the rows into `table` (see [`Rows::insert`]).
    pub(crate) async fn insert_into(
        self,
        conn: &mut sqlx::AnyConnection,
        table: &str,
        constants: &[(&str, &str)],
    ) -> Result<(), sqlx::Error> {
        let sql = self.insert(table, constants);
        let json = self.json().map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(json)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    /// The rows, in order: the statement's one parameter.
    fn json(mut self) -> Result<String, StoreError> {
        if self.json.is_empty() {
            self.json.push(b'[');
        }
        self.json.push(b']');
        String::from_utf8(self.json).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_reads_rows_by_position_and_postgres_by_name() {
        let mut sqlite = Rows::new(Backend::Sqlite, "id, n", 1);
        sqlite
            .push(vec![Cell::from("a"), Cell::from(None::<i64>)])
            .unwrap();
        assert_eq!(
            sqlite.insert("t", &[("status", "'pending'")]),
            "INSERT INTO t (id, n, status) SELECT value ->> 0, value ->> 1, 'pending' FROM jsonb_each($1)"
        );
        assert_eq!(sqlite.json().unwrap(), r#"[["a",null]]"#);
        let mut postgres = Rows::new(Backend::Postgres, "id, n", 1);
        postgres
            .push(vec![Cell::from("a"), Cell::from(7_i64)])
            .unwrap();
        assert!(
            postgres
                .insert("t", &[])
                .ends_with("json_populate_recordset(NULL::t, $1::json)")
        );
        assert_eq!(postgres.json().unwrap(), r#"[{"id":"a","n":7}]"#);
    }

    #[test]
    fn a_row_of_the_wrong_width_is_refused() {
        let mut rows = Rows::new(Backend::Sqlite, "id, n", 1);
        assert!(rows.push(vec![Cell::from("a")]).is_err());
        assert_eq!(rows.json().unwrap(), "[]");
    }
}
