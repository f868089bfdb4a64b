//! A write transaction. Every change a use case makes (state, audit entry, jobs) goes
//! through one of these and commits together, or not at all.

use sqlx::{Any, AnyConnection, Transaction};

use crate::error::StoreError;

#[derive(Debug)]
pub struct Tx {
    pub(crate) inner: Transaction<'static, Any>,
    /// Seals and opens secrets written and read in this transaction.
    pub(crate) sealer: crate::sealed::Sealer,
    pub(crate) backend: crate::Backend,
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        self.inner.commit().await?;
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        self.inner.rollback().await?;
        Ok(())
    }

    /// Marks where one item of a batch starts, so that a refused item can be undone alone
    /// (`undo_item`) while the others commit together.
    pub async fn begin_item(&mut self) -> Result<(), StoreError> {
        sqlx::query("SAVEPOINT item").execute(self.conn()).await?;
        Ok(())
    }

    /// Keeps the item's writes in the transaction.
    pub async fn keep_item(&mut self) -> Result<(), StoreError> {
        sqlx::query("RELEASE SAVEPOINT item")
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Undoes the item's writes, and only them.
    pub async fn undo_item(&mut self) -> Result<(), StoreError> {
        sqlx::query("ROLLBACK TO SAVEPOINT item")
            .execute(self.conn())
            .await?;
        sqlx::query("RELEASE SAVEPOINT item")
            .execute(self.conn())
            .await?;
        Ok(())
    }

    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }

    /// Many rows cut into pieces of one statement each (see [`pieces`]).
    pub(crate) fn pieces<'a, T>(&self, rows: &'a [T]) -> Vec<&'a [T]> {
        // 64 rows of at most 21 columns stay under both databases' parameter limits; the
        // placeholders are anonymous on SQLite, so binding stays linear (see `values`).
        pieces(rows, 64)
    }
}

/// `rows` cut into pieces of at most `largest` rows (a power of 2), each of a power-of-2
/// size: each size is one statement text, so the drivers' caches of prepared statements
/// (100 per connection) keep them all, where a statement per batch size would be prepared
/// again and again. (Powers of 4 made fewer texts and more statements: a batch of 30 was
/// 16+4+4+4+1+1 rather than 16+8+4+2. Filing reports went about 1.12x faster with powers of
/// 2 on SQLite, in three alternating pairs; on PostgreSQL 1.00x and 1.10x.)
pub(crate) fn pieces<T>(rows: &[T], largest: usize) -> Vec<&[T]> {
    let mut pieces = Vec::new();
    let mut rest = rows;
    while !rest.is_empty() {
        let mut size = largest.max(1);
        while size > rest.len() {
            size = (size / 2).max(1);
        }
        let (piece, tail) = rest.split_at(size);
        pieces.push(piece);
        rest = tail;
    }
    pieces
}

#[cfg(test)]
mod tests {
    #[test]
    fn pieces_have_few_sizes_and_keep_every_row_in_order() {
        let rows: Vec<u32> = (0..37).collect();
        let pieces = super::pieces(&rows, 16);
        let sizes: Vec<usize> = pieces.iter().map(|p| p.len()).collect();
        assert_eq!(sizes, [16, 16, 4, 1]);
        assert_eq!(pieces.concat(), rows);
        let sizes: Vec<usize> = super::pieces(&rows[..30], 16)
            .iter()
            .map(|p| p.len())
            .collect();
        assert_eq!(sizes, [16, 8, 4, 2], "one statement per binary digit");
        assert!(super::pieces::<u32>(&[], 16).is_empty());
    }
}
