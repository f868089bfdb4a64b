//! A write transaction. Every change a use case makes (state, audit entry, jobs) goes
//! through one of these and commits together, or not at all.

use sqlx::{Any, AnyConnection, Transaction};

use crate::error::StoreError;

#[derive(Debug)]
pub struct Tx {
    pub(crate) inner: Transaction<'static, Any>,
    /// Seals and opens secrets written and read in this transaction.
    pub(crate) sealer: crate::sealed::Sealer,
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

    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }
}
