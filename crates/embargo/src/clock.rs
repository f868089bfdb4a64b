//! The one place that reads the wall clock (ARCHITECTURE.md rule 6). Everything else takes
//! `now` as a parameter.

use jiff::Timestamp;

#[allow(clippy::disallowed_methods)]
pub fn now() -> Timestamp {
    Timestamp::now()
}
