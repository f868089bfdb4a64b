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
//! On PostgreSQL the rows go in statements of at most [`POSTGRES_STATEMENT_BYTES`] each.
//! Over TLS, a message longer than a TLS record (16 KiB) leaves the driver in two writes;
//! its socket does not set `TCP_NODELAY` (sqlx 0.9.0 stopped setting it: transact-rs/sqlx
//! issue 4335, fixed after that release), so the kernel holds the second write until the
//! server acknowledges the first, and the server delays that acknowledgement (40 ms), as
//! it waits for the rest of the message. Measured: filing reports at 64 connections went
//! from about 2,500 requests/s to 320 with a batch's rows in one message over TLS, and
//! back to 2,500 with TLS off.

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

    fn json(self) -> Value {
        match self {
            Self::Text(v) => v.map_or(Value::Null, Value::String),
            Self::Int(v) => v.map_or(Value::Null, Value::from),
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

/// The JSON of one PostgreSQL statement's rows at most (one row longer than this goes
/// alone): with the statement around it, under a TLS record's 16 KiB (see above).
const POSTGRES_STATEMENT_BYTES: usize = 12 * 1024;

/// Rows for one table, each given as its cells in the order of `columns`.
pub(crate) struct Rows {
    backend: Backend,
    columns: Vec<String>,
    /// Each row's JSON.
    rows: Vec<String>,
}

impl Rows {
    /// `columns` as in SQL: names separated by commas.
    pub(crate) fn new(backend: Backend, columns: &str, capacity: usize) -> Self {
        Self {
            backend,
            columns: columns.split(',').map(|c| c.trim().to_string()).collect(),
            rows: Vec::with_capacity(capacity),
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
        let values = cells.into_iter().map(Cell::json);
        let row = match self.backend {
            Backend::Sqlite => Value::Array(values.collect()),
            Backend::Postgres => Value::Object(self.columns.iter().cloned().zip(values).collect()),
        };
        self.rows
            .push(serde_json::to_string(&row).map_err(|e| StoreError::Corrupt(e.to_string()))?);
        Ok(())
    }

    /// `INSERT INTO table (columns) SELECT ...` of the rows, with the same `constants`
    /// (column, SQL value) in each; executed once for each of [`Rows::parameters`].
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
        &self,
        conn: &mut sqlx::AnyConnection,
        table: &str,
        constants: &[(&str, &str)],
    ) -> Result<(), sqlx::Error> {
        let sql = self.insert(table, constants);
        for parameter in self.parameters() {
            sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(parameter)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// The statement's parameter for each execution, the rows in order: all of them on
    /// SQLite, pieces of at most [`POSTGRES_STATEMENT_BYTES`] on PostgreSQL.
    fn parameters(&self) -> Vec<String> {
        let budget = match self.backend {
            Backend::Sqlite => usize::MAX,
            Backend::Postgres => POSTGRES_STATEMENT_BYTES,
        };
        let mut parameters: Vec<String> = Vec::new();
        let mut current = String::new();
        for row in &self.rows {
            if !current.is_empty() && current.len() + row.len() + 2 > budget {
                current.push(']');
                parameters.push(std::mem::take(&mut current));
            }
            current.push(if current.is_empty() { '[' } else { ',' });
            current.push_str(row);
        }
        if !current.is_empty() {
            current.push(']');
            parameters.push(current);
        }
        parameters
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
        assert_eq!(sqlite.parameters(), [r#"[["a",null]]"#]);
        assert_eq!(
            sqlite.insert("t", &[("status", "'pending'")]),
            "INSERT INTO t (id, n, status) SELECT value ->> 0, value ->> 1, 'pending' FROM jsonb_each($1)"
        );
        let mut postgres = Rows::new(Backend::Postgres, "id, n", 1);
        postgres
            .push(vec![Cell::from("a"), Cell::from(7_i64)])
            .unwrap();
        assert_eq!(postgres.parameters(), [r#"[{"id":"a","n":7}]"#]);
        assert!(
            postgres
                .insert("t", &[])
                .ends_with("json_populate_recordset(NULL::t, $1::json)")
        );
    }

    #[test]
    fn postgres_statements_stay_under_a_tls_record_and_keep_every_row_in_order() {
        let text = "x".repeat(1000);
        let mut postgres = Rows::new(Backend::Postgres, "id, text", 30);
        let mut sqlite = Rows::new(Backend::Sqlite, "id, text", 30);
        for i in 0..30_i64 {
            postgres.push(vec![i.into(), text.as_str().into()]).unwrap();
            sqlite.push(vec![i.into(), text.as_str().into()]).unwrap();
        }
        let pieces = postgres.parameters();
        assert!(pieces.len() > 1);
        let mut ids = Vec::new();
        for piece in &pieces {
            assert!(piece.len() <= POSTGRES_STATEMENT_BYTES, "{}", piece.len());
            let rows: Vec<Value> = serde_json::from_str(piece).unwrap();
            ids.extend(rows.iter().map(|r| r["id"].as_i64().unwrap()));
        }
        assert_eq!(ids, (0..30).collect::<Vec<_>>());
        assert_eq!(sqlite.parameters().len(), 1, "no network to SQLite");
        // A row longer than the budget goes alone.
        let mut big = Rows::new(Backend::Postgres, "id, text", 2);
        big.push(vec![1_i64.into(), "y".repeat(20_000).into()])
            .unwrap();
        big.push(vec![2_i64.into(), "z".into()]).unwrap();
        assert_eq!(big.parameters().len(), 2);
    }

    #[test]
    fn a_row_of_the_wrong_width_is_refused() {
        let mut rows = Rows::new(Backend::Sqlite, "id, n", 1);
        assert!(rows.push(vec![Cell::from("a")]).is_err());
        assert!(rows.parameters().is_empty());
    }
}
