//! Per-address rate limits of the public pages (governor's keyed GCRA limiter, in memory).
//!
//! The key is the TCP peer of the request, never a forwarded-for header a client can write
//! itself: an IPv4 address, or the /64 network of an IPv6 address (one subscriber's line holds
//! a whole /64). Behind a reverse proxy every request has the proxy's address, so the limits
//! then apply to all clients together; see decision 0012.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::ConnectInfo;
use governor::clock::Clock as GovernorClock;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::DashMapStateStore;
use governor::{Quota, RateLimiter};

use crate::clock::Clock;

/// The application clock as governor's clock, so that tests move the limits with the
/// `ManualClock` like every other time rule.
#[derive(Clone, Debug)]
pub struct AppClock(pub Arc<dyn Clock>);

impl GovernorClock for AppClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        let since_epoch = self.0.now() - time::OffsetDateTime::UNIX_EPOCH;
        Nanos::from(u64::try_from(since_epoch.whole_nanoseconds()).unwrap_or(0))
    }
}

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

/// The TCP peer of a request (the unspecified address when the server was started without
/// connection info, as in unit tests of handlers).
pub fn peer(ext: &axum::http::Extensions) -> IpAddr {
    ext.get::<ConnectInfo<SocketAddr>>().map_or(
        IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        |ConnectInfo(a)| a.ip(),
    )
}

type Keyed = RateLimiter<IpAddr, DashMapStateStore<IpAddr>, AppClock, NoOpMiddleware<Nanos>>;

/// So many requests per period and client address.
#[derive(Debug)]
pub struct AddressLimiter {
    limiter: Keyed,
    clock: AppClock,
}

impl AddressLimiter {
    pub fn per_hour(n: u32, clock: AppClock) -> AddressLimiter {
        Self::with(
            Quota::per_hour(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)),
            clock,
        )
    }

    pub fn per_minute(n: u32, clock: AppClock) -> AddressLimiter {
        Self::with(
            Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)),
            clock,
        )
    }

    fn with(quota: Quota, clock: AppClock) -> AddressLimiter {
        AddressLimiter {
            limiter: RateLimiter::dashmap_with_clock(quota, clock.clone()),
            clock,
        }
    }

    /// Counts one request of `ip`; over the limit, how long until the next is allowed.
    pub fn check(&self, ip: IpAddr) -> Result<(), std::time::Duration> {
        self.limiter
            .check_key(&client_key(ip))
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Forgets addresses whose limit has fully recovered (keeps the map small).
    pub fn sweep(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::clock::ManualClock;
    use time::macros::datetime;

    #[test]
    fn limits_are_per_address_and_recover_with_the_clock() {
        let manual = Arc::new(ManualClock::new(datetime!(2026-11-20 02:00 UTC)));
        let limiter = AddressLimiter::per_hour(2, AppClock(manual.clone()));
        let a: IpAddr = "203.0.113.5".parse().unwrap();
        let b: IpAddr = "203.0.113.6".parse().unwrap();
        assert!(limiter.check(a).is_ok());
        assert!(limiter.check(a).is_ok());
        let wait = limiter.check(a).err();
        assert!(
            wait.is_some_and(|w| w.as_secs() > 0 && w.as_secs() <= 1800),
            "{wait:?}"
        );
        assert!(
            limiter.check(b).is_ok(),
            "another address has its own limit"
        );
        manual.advance(time::Duration::minutes(31));
        assert!(limiter.check(a).is_ok());
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
