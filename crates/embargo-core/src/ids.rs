//! Typed identifiers. Each kind of thing has its own id type, so a user id can never be
//! passed where a case id is expected. Ids are random (UUID v4 layout); the randomness comes
//! in as an argument because this crate does no I/O.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::ValueError;

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new id from 16 random bytes (the caller owns the randomness source).
            pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
                Self(uuid::Builder::from_random_bytes(bytes).into_uuid())
            }

            /// A new id that sorts by its creation time (UUID v7: 48 bits of Unix
            /// milliseconds, then 74 random bits). Rows made one after another then sit
            /// side by side in an index instead of each on a page of its own.
            pub fn time_ordered(unix_millis: u64, random: [u8; 10]) -> Self {
                Self(uuid::Builder::from_unix_timestamp_millis(unix_millis, &random).into_uuid())
            }

        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }

        impl FromStr for $name {
            type Err = ValueError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim())
                    .map(Self)
                    .map_err(|_| ValueError::new($what, "is not a valid id (expected a UUID)"))
            }
        }
    };
}

typed_id!(
    /// A case: the private tracking issue of the policy.
    CaseId,
    "case id"
);
impl CaseId {
    /// The receipt a reporter quotes ("#1a2b3c4d"): eight random hex digits of the id, in
    /// what the reporter sees (the confirmation, the portal, mails to them). The team uses
    /// the case's sequential reference (`EMB-2026-0042`, kept by the store), which
    /// reporters never see: sequential numbers would tell any outsider how many reports
    /// arrive. A random id's receipt is its first block; a time-ordered id
    /// ([`CaseId::time_ordered`]) starts with its time, so its receipt is its last eight
    /// digits, which are random.
    pub fn receipt(&self) -> String {
        let id = self.to_string();
        let digits = if self.0.get_version_num() == 7 {
            id.get(id.len() - 8..)
        } else {
            id.split('-').next()
        };
        format!("#{}", digits.unwrap_or(&id))
    }
}

typed_id!(
    /// A person with an account (team member, collaborator, admin).
    UserId,
    "user id"
);
typed_id!(
    /// A message on a case (to or from the reporter, or an internal comment).
    MessageId,
    "message id"
);
typed_id!(
    /// A private security fork recorded on a case.
    ForkId,
    "fork id"
);
typed_id!(
    /// A background job (outbox entry).
    JobId,
    "job id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts_are_random_digits_of_the_id() {
        let random = CaseId::from_random_bytes([0xab; 16]);
        assert_eq!(random.receipt(), "#abababab");
        // Two cases made in the same second share their first digits (the time), not
        // their receipts.
        let a = CaseId::time_ordered(1_764_000_000_000, [1; 10]);
        let b = CaseId::time_ordered(1_764_000_000_001, [2; 10]);
        assert!(a < b);
        assert_eq!(a.to_string()[..8], b.to_string()[..8]);
        assert_eq!(a.receipt(), "#01010101");
        assert_eq!(b.receipt(), "#02020202");
    }

    #[test]
    fn ids_round_trip_through_text() {
        let id = CaseId::from_random_bytes([7; 16]);
        let text = id.to_string();
        assert_eq!(text.parse::<CaseId>().unwrap(), id);
    }

    #[test]
    fn garbage_is_not_an_id() {
        let err = "../../etc/passwd".parse::<CaseId>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "case id is not a valid id (expected a UUID)"
        );
    }

    #[test]
    fn ids_from_the_same_bytes_are_v4() {
        let id = UserId::from_random_bytes([0xff; 16]);
        let uuid: uuid::Uuid = id.to_string().parse().unwrap();
        assert_eq!(uuid.get_version_num(), 4);
    }
}
