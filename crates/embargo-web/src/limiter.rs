//! Per-address rate limits for anonymous posts: fixed one-hour windows in memory. No
//! captcha and nothing that phones home; an instance restart forgets the counts, which
//! only ever errs on the side of accepting a report.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

use jiff::{SignedDuration, Timestamp};

/// Who (address) did what (bucket).
type Key = (IpAddr, &'static str);

/// When the current window started, and how many requests it has seen.
type Window = (Timestamp, u32);

#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<Key, Window>>,
}

const WINDOW: SignedDuration = SignedDuration::from_hours(1);

impl RateLimiter {
    /// Counts one request of `bucket` from `addr`; `Err(retry_after_seconds)` past `limit`.
    pub fn check(
        &self,
        addr: IpAddr,
        bucket: &'static str,
        limit: u32,
        now: Timestamp,
    ) -> Result<(), i64> {
        let Ok(mut windows) = self.windows.lock() else {
            return Ok(());
        };
        // Keep the map small: forget windows that ended.
        if windows.len() > 10_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = windows.entry((rate_key(addr), bucket)).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= limit {
            let retry = (WINDOW - now.duration_since(entry.0)).as_secs().max(1);
            return Err(retry);
        }
        entry.1 += 1;
        Ok(())
    }
}

/// Whom a limit counts: an IPv4 address, or an IPv6 /64 (one subscriber's network: a
/// single host may use any of its 2^64 addresses).
fn rate_key(addr: IpAddr) -> IpAddr {
    match crate::client::canonical(addr) {
        IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_network_counts_as_one_client() {
        let l = RateLimiter::default();
        let t: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let same_64: IpAddr = "2001:db8:1:2:ffff:ffff:ffff:fffe".parse().unwrap();
        let other_64: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        l.check(a, "report", 2, t).unwrap();
        l.check(same_64, "report", 2, t).unwrap();
        assert!(l.check(a, "report", 2, t).is_err());
        l.check(other_64, "report", 2, t).unwrap();
    }

    #[test]
    fn limits_per_address_and_window() {
        let l = RateLimiter::default();
        let t: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            l.check(a, "report", 3, t).unwrap();
        }
        assert_eq!(
            l.check(a, "report", 3, t + SignedDuration::from_mins(10)),
            Err(3000)
        );
        l.check(b, "report", 3, t).unwrap();
        l.check(a, "lost", 3, t).unwrap();
        l.check(a, "report", 3, t + WINDOW).unwrap();
    }
}
