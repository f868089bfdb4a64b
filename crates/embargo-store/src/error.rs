//! The store's errors. Constraint violations become domain-level messages here; anything
//! else is `Database`, whose detail goes to the log, never to a client.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// Optimistic concurrency: someone changed the case since it was loaded.
    #[error("the case was changed by someone else since it was loaded; reload and try again")]
    Stale,
    /// A uniqueness rule, e.g. "a person with this e-mail address already exists".
    #[error("{0}")]
    Conflict(String),
    /// The database file cannot be used: not SQLite, another application's, corrupted, or
    /// written by a newer embargo. Never migrated silently.
    #[error("{0}")]
    Refused(String),
    /// A stored value does not parse back (edited by hand, or a bug).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("database error")]
    Database(#[source] sqlx::Error),
}

impl StoreError {
    /// Whether it only says that the connections were closed: the server is stopping.
    pub fn is_closed(&self) -> bool {
        matches!(self, Self::Database(sqlx::Error::PoolClosed))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::RowNotFound = e {
            return StoreError::NotFound;
        }
        StoreError::Database(e)
    }
}

impl From<embargo_core::ValueError> for StoreError {
    fn from(e: embargo_core::ValueError) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

/// Turns a unique-constraint violation into a `Conflict` with `message`.
pub(crate) fn unique_as(message: &str) -> impl Fn(sqlx::Error) -> StoreError + '_ {
    move |e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(message.to_string())
        }
        _ => StoreError::from(e),
    }
}
