//! The client's address, for rate limits and logs. Behind a reverse proxy it comes from
//! `X-Forwarded-For`, but only when the connection itself comes from one of the configured
//! proxies: anyone else could write that header and pick an address per request, escaping
//! every per-address limit.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::WebState;

#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

/// A trusted proxy's address or network, `192.0.2.10`, `10.0.0.0/8` or `2001:db8::/32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyNet {
    network: IpAddr,
    prefix: u8,
}

impl ProxyNet {
    /// Parses an address or a CIDR network; the error says what is wrong.
    pub fn parse(s: &str) -> Result<Self, String> {
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let network: IpAddr = addr
            .parse()
            .map_err(|_| format!("{s:?} is not an IP address or network"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{s:?}: the prefix length must be 0 to {max}"))?,
        };
        Ok(Self { network, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, canonical(ip)) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`, as dual-stack sockets report IPv4
/// peers) are the IPv4 address they carry.
pub(crate) fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The client of a request that reached us from `peer` with these `X-Forwarded-For`
/// values: the peer itself unless it is a trusted proxy; else the right-most forwarded
/// address that is not a trusted proxy (each proxy appends the address it saw).
pub fn client_address(peer: IpAddr, forwarded_for: &[&str], trusted: &[ProxyNet]) -> IpAddr {
    let trusted_ip = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    let peer = canonical(peer);
    if !trusted_ip(peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = forwarded_for
        .iter()
        .flat_map(|v| v.split(','))
        .filter_map(|h| h.trim().parse::<IpAddr>().ok())
        .map(canonical)
        .collect();
    hops.iter()
        .rev()
        .copied()
        .find(|ip| !trusted_ip(*ip))
        .or_else(|| hops.first().copied())
        .unwrap_or(peer)
}

impl FromRequestParts<WebState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |c| c.0.ip());
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Ok(Self(client_address(
            peer,
            &forwarded,
            &state.site.trusted_proxies,
        )))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let proxies = [
            ProxyNet::parse("10.0.0.0/8").unwrap(),
            ProxyNet::parse("2001:db8::1").unwrap(),
        ];
        // Directly from the internet: the header is whatever the client wrote.
        assert_eq!(
            client_address(ip("198.51.100.7"), &["203.0.113.9"], &proxies),
            ip("198.51.100.7")
        );
        // Through our proxy: the address it saw, not what the client prepended.
        assert_eq!(
            client_address(ip("10.1.2.3"), &["1.1.1.1, 203.0.113.9"], &proxies),
            ip("203.0.113.9")
        );
        // Through two of our proxies (the inner one is skipped), header split over lines.
        assert_eq!(
            client_address(ip("10.1.2.3"), &["203.0.113.9", "10.9.9.9"], &proxies),
            ip("203.0.113.9")
        );
        // A dual-stack socket's view of an IPv4 proxy.
        assert_eq!(
            client_address(ip("::ffff:10.0.0.1"), &["203.0.113.9"], &proxies),
            ip("203.0.113.9")
        );
        assert_eq!(
            client_address(ip("2001:db8::1"), &["2001:db8:1::5"], &proxies),
            ip("2001:db8:1::5")
        );
        // A trusted proxy that forwarded garbage: its own address.
        assert_eq!(
            client_address(ip("10.1.2.3"), &["not an address"], &proxies),
            ip("10.1.2.3")
        );
        // Nothing trusted: the socket, always.
        assert_eq!(
            client_address(ip("10.1.2.3"), &["203.0.113.9"], &[]),
            ip("10.1.2.3")
        );
    }

    #[test]
    fn proxy_networks_parse_or_say_why() {
        assert!(
            ProxyNet::parse("10.0.0.0/8")
                .unwrap()
                .contains(ip("10.200.0.1"))
        );
        assert!(
            !ProxyNet::parse("10.0.0.0/8")
                .unwrap()
                .contains(ip("11.0.0.1"))
        );
        assert!(
            ProxyNet::parse("0.0.0.0/0")
                .unwrap()
                .contains(ip("192.0.2.1"))
        );
        assert!(ProxyNet::parse("::1").unwrap().contains(ip("::1")));
        assert!(
            ProxyNet::parse("10.0.0.0/33")
                .unwrap_err()
                .contains("0 to 32")
        );
        assert!(
            ProxyNet::parse("proxy.example")
                .unwrap_err()
                .contains("not an IP")
        );
    }
}
