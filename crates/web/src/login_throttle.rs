//! Throttles of signing in (登录限速), the same for the form and the API, and the same for
//! names that exist and names that do not, so that neither the answer nor its timing tells
//! which names are accounts (decision 0007).
//!
//! Before the password is checked (the costly part):
//! - sign-in requests per client address and minute, failed or not (`requests_per_minute`);
//! - failed sign-ins per client address within the window (`failures_per_address`);
//! - failed sign-ins per name within the window (`max_failures`), across all addresses. A
//!   browser holding a device cookie (设备凭证) from an earlier sign-in of that name counts
//!   against its own cookie instead, so an attacker guessing a name cannot keep its owner
//!   out (OWASP "device cookies").
//!
//! A throttle slows and never locks: once over, one more attempt is allowed per
//! `window / max_failures`. Counts of addresses are in the shared state; counts of names and
//! devices always in the database, so that an administrator's 解除限制 reaches them from
//! any server or the command line.

use std::net::IpAddr;

use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use hmac::{Hmac, Mac};
use meijian_store::accounts::login::name_key;
use meijian_store::accounts::LoginPolicy;
use meijian_store::shared::{Quota, SharedState};
use rand::RngCore;
use sha2::Sha256;

use crate::error::AppResult;
use crate::public_desk::limits::AddressLimit;
use crate::public_desk::Refused;
use crate::state::AppState;

/// The cookie that marks a browser where a name signed in before.
pub const DEVICE_COOKIE: &str = "meijian_device";

/// One sign-in attempt, with what it is counted under.
pub struct Attempt {
    ip: IpAddr,
    name_key: String,
    /// The nonce of a device cookie valid for this name.
    device: Option<String>,
}

fn quota(count: u32, policy: &LoginPolicy) -> Quota {
    Quota::per_minutes(
        count,
        u32::try_from(policy.window.whole_minutes()).unwrap_or(15),
    )
}

fn mac(state: &AppState, name_key: &str, nonce: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&state.device_key)
        .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default()));
    mac.update(format!("device|{name_key}|{nonce}").as_bytes());
    mac
}

/// Where the counts of names and devices are kept: the database on every backend.
fn names(state: &AppState) -> SharedState {
    SharedState::Database(state.store.clone())
}

impl Attempt {
    pub fn new(state: &AppState, ip: IpAddr, username: &str, jar: &CookieJar) -> Attempt {
        let name_key = name_key(username);
        let device = jar.get(DEVICE_COOKIE).and_then(|c| {
            let (nonce, tag) = c.value().split_once('.')?;
            let tag = hex::decode(tag).ok()?;
            mac(state, &name_key, nonce)
                .verify_slice(&tag)
                .ok()
                .map(|()| nonce.to_string())
        });
        Attempt {
            ip,
            name_key,
            device,
        }
    }

    fn address_requests(state: &AppState) -> AddressLimit {
        AddressLimit::per_minute("login", state.settings.login.requests_per_minute)
    }

    fn address_failures(state: &AppState) -> AddressLimit {
        let policy = &state.settings.login;
        AddressLimit {
            name: "login-failed",
            quota: quota(policy.failures_per_address, policy),
        }
    }

    /// Where this attempt's failures count: its device, else its name.
    fn failure_key(&self) -> String {
        match &self.device {
            Some(nonce) => format!("login-device:{nonce}"),
            None => self.name_key.clone(),
        }
    }

    fn failure_quota(state: &AppState) -> Quota {
        let policy = &state.settings.login;
        quota(u32::try_from(policy.max_failures).unwrap_or(5), policy)
    }

    /// Whether the password may be checked at all; counts the request.
    pub async fn admit(&self, state: &AppState) -> AppResult<()> {
        let now = state.now();
        Self::address_requests(state)
            .check(&state.shared, self.ip, now)
            .await?;
        Self::address_failures(state)
            .peek(&state.shared, self.ip, now)
            .await?;
        if let Err(wait) = names(state)
            .peek(&self.failure_key(), Self::failure_quota(state), now)
            .await?
        {
            tracing::info!(trusted_device = self.device.is_some(), "sign-in throttled");
            return Err(Refused::TooMany(wait).into());
        }
        Ok(())
    }

    /// Counts a failed sign-in (wrong password or unknown name alike).
    pub async fn failed(&self, state: &AppState) -> AppResult<()> {
        let now = state.now();
        // Over the limit already is fine: the next attempt is refused by `admit`.
        let _ = Self::address_failures(state)
            .check(&state.shared, self.ip, now)
            .await;
        let _ = names(state)
            .hit(&self.failure_key(), Self::failure_quota(state), now)
            .await?;
        Ok(())
    }

    /// The device cookie to set after a successful sign-in (kept a year).
    pub fn device_cookie(&self, state: &AppState) -> Cookie<'static> {
        let nonce = self.device.clone().unwrap_or_else(|| {
            let mut n = [0u8; 16];
            rand::thread_rng().fill_bytes(&mut n);
            hex::encode(n)
        });
        let tag = hex::encode(mac(state, &self.name_key, &nonce).finalize().into_bytes());
        Cookie::build((DEVICE_COOKIE, format!("{nonce}.{tag}")))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(state.settings.secure_cookies)
            .max_age(time::Duration::days(365))
            .build()
    }
}
