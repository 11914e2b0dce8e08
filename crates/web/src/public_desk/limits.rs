//! Per-address rate limits of the public pages and of signing in, counted in the shared
//! state ([`SharedState`]) so that several servers share one count (decision 0014).
//!
//! The key is the client address: the TCP peer, or behind a configured reverse proxy
//! (`[server] trusted_proxies`) the address that proxy put into `X-Forwarded-For` — never a
//! header a client can write itself; an IPv4 address, or the /64 network of an IPv6 address
//! (one subscriber's line holds a whole /64). See decisions 0012 and 0014.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::ConnectInfo;
use meijian_store::shared::{Quota, SharedState};
use time::OffsetDateTime;

use super::Refused;

/// The rate-limit key of a client address.
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
        v4 => v4,
    }
}

/// The client of a request, resolved once by the outer layer ([`resolve_client`]).
#[derive(Debug, Clone, Copy)]
pub struct ResolvedClient(pub IpAddr);

/// The client of a request: as resolved by the outer layer, else the TCP peer, else the
/// unspecified address (a handler called without connection info, as in unit tests).
pub fn peer(ext: &axum::http::Extensions) -> IpAddr {
    ext.get::<ResolvedClient>()
        .map(|c| c.0)
        .or_else(|| {
            ext.get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(a)| a.ip())
        })
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
}

/// The client address: the TCP peer, unless that is one of our `trusted` reverse proxies;
/// then the right-most `X-Forwarded-For` entry that is not a trusted proxy (entries further
/// left were written by the client and prove nothing).
pub fn resolve_client(
    ext: &axum::http::Extensions,
    headers: &axum::http::HeaderMap,
    trusted: &[IpAddr],
) -> ResolvedClient {
    let tcp = ext.get::<ConnectInfo<SocketAddr>>().map_or(
        IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        |ConnectInfo(a)| a.ip(),
    );
    let mut client = tcp;
    if trusted.contains(&tcp) {
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        for hop in hops.iter().rev() {
            let Ok(ip) = hop.trim().parse::<IpAddr>() else {
                break;
            };
            client = ip;
            if !trusted.contains(&ip) {
                break;
            }
        }
    }
    ResolvedClient(client)
}

/// The client address of a request (see [`peer`]), as an extractor.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(peer(&parts.extensions)))
    }
}

/// So many requests per period and client address, under a name of its own.
#[derive(Debug, Clone, Copy)]
pub struct AddressLimit {
    /// Tells this limit's counts apart from the others' in the shared state.
    pub name: &'static str,
    pub quota: Quota,
}

impl AddressLimit {
    pub fn per_hour(name: &'static str, n: u32) -> AddressLimit {
        AddressLimit {
            name,
            quota: Quota::per_hour(n),
        }
    }

    pub fn per_minute(name: &'static str, n: u32) -> AddressLimit {
        AddressLimit {
            name,
            quota: Quota::per_minute(n),
        }
    }

    fn key(&self, ip: IpAddr) -> String {
        format!("{}:{}", self.name, client_key(ip))
    }

    /// Counts one request of `ip`; over the limit, how long until the next is allowed.
    #[tracing::instrument(skip_all)]
    pub async fn check(
        &self,
        shared: &SharedState,
        ip: IpAddr,
        now: OffsetDateTime,
    ) -> Result<(), Refused> {
        shared
            .hit(&self.key(ip), self.quota, now)
            .await?
            .map_err(Refused::TooMany)
    }

    /// Whether `ip` is over the limit, without counting a request.
    #[tracing::instrument(skip_all)]
    pub async fn peek(
        &self,
        shared: &SharedState,
        ip: IpAddr,
        now: OffsetDateTime,
    ) -> Result<(), Refused> {
        shared
            .peek(&self.key(ip), self.quota, now)
            .await?
            .map_err(Refused::TooMany)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::datetime;

    #[tokio::test]
    async fn limits_are_per_address_and_recover_with_time() {
        let t0 = datetime!(2026-11-20 02:00 UTC);
        let shared = SharedState::local();
        let limit = AddressLimit::per_hour("test", 2);
        let a: IpAddr = "203.0.113.5".parse().unwrap();
        let b: IpAddr = "203.0.113.6".parse().unwrap();
        assert!(limit.check(&shared, a, t0).await.is_ok());
        assert!(limit.check(&shared, a, t0).await.is_ok());
        match limit.check(&shared, a, t0).await {
            Err(Refused::TooMany(w)) => assert!(w.as_secs() > 0 && w.as_secs() <= 1800, "{w:?}"),
            _ => panic!("the third request within the hour is refused"),
        }
        assert!(
            limit.check(&shared, b, t0).await.is_ok(),
            "another address has its own limit"
        );
        let later = t0 + time::Duration::minutes(31);
        assert!(limit.check(&shared, a, later).await.is_ok());
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        use axum::http::{HeaderMap, HeaderValue};
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let mut ext = axum::http::Extensions::new();
        ext.insert(ConnectInfo(SocketAddr::new(proxy, 40000)));
        let mut headers = HeaderMap::new();
        // The client wrote the first entry itself; the proxy appended the real address.
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("198.51.100.1, 203.0.113.7"),
        );
        let resolve = |trusted: &[IpAddr]| resolve_client(&ext, &headers, trusted).0.to_string();
        assert_eq!(resolve(&[proxy]), "203.0.113.7");
        assert_eq!(
            resolve(&[]),
            "10.0.0.5",
            "an untrusted peer's header is ignored"
        );
        let second: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(
            resolve(&[proxy, second]),
            "198.51.100.1",
            "a chain of our proxies"
        );
    }

    #[test]
    fn ipv6_is_limited_per_64_and_mapped_ipv4_as_ipv4() {
        let one: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let two: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(client_key(one), client_key(two));
        let mapped: IpAddr = "::ffff:203.0.113.5".parse().unwrap();
        assert_eq!(client_key(mapped).to_string(), "203.0.113.5");
    }
}
