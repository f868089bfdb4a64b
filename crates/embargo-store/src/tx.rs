//! A write transaction. Every change a use case makes (state, audit entry, jobs) goes
//! through one of these and commits together, or not at all.

use sqlx::{Sqlite, Transaction};

use crate::error::StoreError;

#[derive(Debug)]
pub struct Tx {
    pub(crate) inner: Transaction<'static, Sqlite>,
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

    pub(crate) fn conn(&mut self) -> &mut sqlx::SqliteConnection {
        &mut self.inner
    }
}
