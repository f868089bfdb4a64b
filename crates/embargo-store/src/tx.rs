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
    /// This process's turn to write, held until the commit or rollback (`write_gate`).
    pub(crate) _turn: crate::write_gate::WriteTurn,
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
}
