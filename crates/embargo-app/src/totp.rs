//! Time-based one-time passwords (RFC 6238, with HOTP from RFC 4226): HMAC-SHA1, 30-second
//! steps, 6 digits, what every authenticator app speaks. Secrets travel as RFC 4648 base32.

use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use sha1::Sha1;

pub const STEP_SECONDS: i64 = 30;
const DIGITS: u32 = 6;

/// The HOTP value of `secret` at `counter`.
pub fn hotp(secret: &[u8], counter: u64) -> u32 {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret) else {
        return u32::MAX;
    };
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    // Dynamic truncation (RFC 4226 section 5.3).
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let code = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    code % 10u32.pow(DIGITS)
}

pub fn step_of(t: Timestamp) -> i64 {
    t.as_second().div_euclid(STEP_SECONDS)
}

/// The step at which `code` matches, within one step of `now` either way (clock skew), or
/// `None`. The caller refuses steps already used (replay).
pub fn verify(secret: &[u8], code: &str, now: Timestamp) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let wanted: u32 = code.parse().ok()?;
    let step = step_of(now);
    [step, step - 1, step + 1]
        .into_iter()
        .filter(|s| *s >= 0)
        .find(|s| hotp(secret, u64::try_from(*s).unwrap_or(0)) == wanted)
}

/// Base32 without padding (RFC 4648), the form authenticator apps take.
pub fn base32(bytes: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(bytes)
}

/// Reads base32 as people copy it: any case, spaces and padding ignored.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let clean: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '=')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    data_encoding::BASE32_NOPAD.decode(clean.as_bytes()).ok()
}

/// The `otpauth://` URI authenticator apps import (also shown as text for typing in).
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    // RFC 3986 unreserved characters and '@' stay; everything else is escaped.
    const ESCAPED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'@');
    let enc = |s: &str| percent_encoding::utf8_percent_encode(s, ESCAPED).to_string();
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows (8-digit values; we keep the last 6 digits).
    #[test]
    fn rfc_6238_test_vectors() {
        let secret = b"12345678901234567890";
        for (time, code8) in [
            (59, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            let step = step_of(Timestamp::from_second(time).unwrap());
            assert_eq!(hotp(secret, step as u64), code8 % 1_000_000, "t={time}");
        }
    }

    #[test]
    fn verify_accepts_one_step_of_skew_and_nothing_else() {
        let secret = b"12345678901234567890";
        let now = Timestamp::from_second(1111111111).unwrap();
        let code = |t: i64| {
            format!(
                "{:06}",
                hotp(secret, step_of(Timestamp::from_second(t).unwrap()) as u64)
            )
        };
        assert!(verify(secret, &code(1111111111), now).is_some());
        assert!(verify(secret, &code(1111111111 - 30), now).is_some());
        assert!(verify(secret, &code(1111111111 + 30), now).is_some());
        assert!(verify(secret, &code(1111111111 - 90), now).is_none());
        assert!(verify(secret, "12345", now).is_none());
        assert!(verify(secret, "abcdef", now).is_none());
    }

    #[test]
    fn base32_round_trips() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("MZXW6YTBOI").unwrap(), b"foobar");
        assert_eq!(base32_decode("mzxw 6ytb oi").unwrap(), b"foobar");
        assert!(base32_decode("not base32!").is_none());
    }

    #[test]
    fn the_otpauth_uri_escapes_names_as_authenticators_expect() {
        assert_eq!(
            otpauth_uri("Example Org", "coco@example.org", b"foobar"),
            "otpauth://totp/Example%20Org:coco@example.org?secret=MZXW6YTBOI&issuer=Example%20Org&algorithm=SHA1&digits=6&period=30"
        );
    }
}
