//! How the secrets a report is given at intake are found again: the reporter's portal link
//! and e-mail reply token are looked up by a key, never stored themselves.
//!
//! A key that is only the token's SHA-256 is random, so each report written put it on a
//! page of its own in the index (`reports.portal_token_hash`, `reports_reply_token_hash`):
//! two of the three random pages intake wrote per report, and the commit's work grows with
//! the pages it writes. Tokens made now begin with 8 hex digits of the time they were made,
//! and their key is those digits followed by the SHA-256 of the whole token: new keys go to
//! the end of the index, as time-ordered case ids do. The secret is the rest, as long as
//! before (256 bits for a link, 96 for a reply token). Tokens made before keep their key:
//! they are told apart by their length.
//!
//! The digits count milliseconds, modulo 2^32 (they wrap every 49.7 days: nothing reads
//! them as a time, they only keep a batch's keys together). They first counted seconds:
//! under a flood of 4,000 reports a second, a second's keys filled some 80 pages of each
//! index, and every batch of 30 reports still wrote 25 of them, a quarter of the pages its
//! commit wrote. Those tokens keep working: the digits are part of the token, whatever
//! they counted.

use sha2::{Digest, Sha256};

/// Hex digits of the time at the start of a time-led token.
const TIME_DIGITS: usize = 8;

/// Random bytes of a portal link token, and of a reply token.
pub const PORTAL_TOKEN_BYTES: usize = 32;
pub const REPLY_TOKEN_BYTES: usize = 12;

/// A new time-led token: `unix_millis` modulo 2^32 as 8 hex digits, then `random` in hex.
pub fn time_led_token(unix_millis: i64, random: &[u8]) -> String {
    let millis = u32::try_from(unix_millis.rem_euclid(1 << 32)).unwrap_or(0);
    format!("{millis:08x}{}", hex::encode(random))
}

/// The key a portal link token is stored and found by.
pub fn portal_token_key(token: &str) -> String {
    key(token, PORTAL_TOKEN_BYTES)
}

/// The key an e-mail reply token is stored and found by.
pub fn reply_token_key(token: &str) -> String {
    key(token, REPLY_TOKEN_BYTES)
}

fn key(token: &str, random_bytes: usize) -> String {
    let hash = hex::encode(Sha256::digest(token.as_bytes()));
    match token.get(..TIME_DIGITS) {
        Some(time) if token.len() == TIME_DIGITS + 2 * random_bytes => format!("{time}{hash}"),
        // Made before tokens began with their time (or not a token at all: it finds nothing).
        _ => hash,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_keys_follow_the_time_and_old_keys_stay() {
        // A millisecond apart, within one second.
        let early = time_led_token(1_700_000_000_000, &[0xff; PORTAL_TOKEN_BYTES]);
        let late = time_led_token(1_700_000_000_001, &[0x00; PORTAL_TOKEN_BYTES]);
        assert_eq!(early.len(), 72);
        assert!(early.starts_with("cfe56800"));
        // Keys sort by time whatever the random part: appended, not scattered.
        assert!(portal_token_key(&early) < portal_token_key(&late));
        assert!(portal_token_key(&late).ends_with(&hex::encode(Sha256::digest(&late))));
        // A token of the length made before is found by its hash alone, as it was stored.
        let old = "ab".repeat(PORTAL_TOKEN_BYTES);
        assert_eq!(portal_token_key(&old), hex::encode(Sha256::digest(&old)));
        let reply = time_led_token(1_700_000_000_000, &[7; REPLY_TOKEN_BYTES]);
        assert_eq!(reply.len(), 32);
        assert!(reply_token_key(&reply).starts_with("cfe56800"));
        assert_eq!(reply_token_key(&reply[..24]).len(), 64);
        // Keys of different tokens differ even within one millisecond.
        let other = time_led_token(1_700_000_000_000, &[8; REPLY_TOKEN_BYTES]);
        assert_ne!(reply_token_key(&reply), reply_token_key(&other));
    }

    #[test]
    fn the_digits_wrap_and_keep_their_shape() {
        // 2^32 ms after the previous wrap: the digits start again from zero.
        let wrapped = time_led_token(3 << 32, &[1; REPLY_TOKEN_BYTES]);
        assert!(wrapped.starts_with("00000000"));
        assert_eq!(wrapped.len(), 32);
        // A token of the first kind (its second) is still keyed by its own digits.
        let by_second = time_led_token(1_700_000_000, &[1; REPLY_TOKEN_BYTES]);
        assert!(reply_token_key(&by_second).starts_with("6553f100"));
    }
}
