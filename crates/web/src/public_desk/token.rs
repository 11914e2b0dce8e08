//! Signed form tokens (表单令牌): the time a complaint form was shown and a random nonce,
//! signed with HMAC-SHA256 under a key drawn at start and never stored. A submission must
//! bring one that this process signed, at least `min_fill_seconds` old (people take longer
//! than that to fill the form in; robots do not) and at most two hours old. Each token is
//! taken once: a second submission with it (a double click, a reload of the answer page, a
//! robot replaying it) is refused.

use std::collections::HashMap;
use std::sync::Mutex;

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;
use time::{Duration, OffsetDateTime};

type HmacSha256 = Hmac<Sha256>;

/// How long a shown form stays good.
pub const MAX_AGE: Duration = Duration::hours(2);

/// Why a token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    Missing,
    /// Not signed by this process (forged, altered, or from before a restart).
    Forged,
    TooEarly,
    Expired,
    /// Already used for a submission.
    Used,
}

impl TokenError {
    /// For the reporter, in Chinese.
    pub fn message(self) -> &'static str {
        match self {
            TokenError::Missing | TokenError::Forged | TokenError::Expired => {
                "表单已过期或无效，请刷新页面后重新提交（已填写的内容保留在下方，附件需重新选择）"
            }
            TokenError::TooEarly => {
                "提交过快，请核对填写的内容后再点“提交”；如仍不成功，请刷新页面后重试"
            }
            TokenError::Used => "这份表单已经提交过了；如需再次投诉举报，请刷新页面后重新提交",
        }
    }

    /// Whether the form must be shown again with a new token (the old one will never pass).
    pub fn needs_new_token(self) -> bool {
        !matches!(self, TokenError::TooEarly)
    }
}

/// Issues and checks form tokens; see the module doc.
pub struct FormTokens {
    /// The HMAC state after the key, cloned for every token.
    keyed: HmacSha256,
    /// Nonces of tokens taken by a submission, with the time their token expires.
    used: Mutex<HashMap<String, OffsetDateTime>>,
}

impl std::fmt::Debug for FormTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormTokens").finish_non_exhaustive()
    }
}

impl Default for FormTokens {
    fn default() -> Self {
        let mut key = hmac::digest::Key::<HmacSha256>::default();
        rand::thread_rng().fill_bytes(&mut key);
        FormTokens {
            keyed: <HmacSha256 as KeyInit>::new(&key),
            used: Mutex::default(),
        }
    }
}

/// A token held by a submission in progress: released again when dropped, unless
/// [`Claim::keep`] says the submission went through.
pub struct Claim<'a> {
    tokens: &'a FormTokens,
    nonce: Option<String>,
}

impl Claim<'_> {
    /// The submission is stored: the token stays used.
    pub fn keep(mut self) {
        self.nonce = None;
    }
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        if let Some(nonce) = self.nonce.take() {
            self.tokens.used_set().remove(&nonce);
        }
    }
}

impl FormTokens {
    fn mac(&self, issued: i64, nonce: &str) -> HmacSha256 {
        let mut mac = self.keyed.clone();
        mac.update(format!("complaint-form|{issued}|{nonce}").as_bytes());
        mac
    }

    fn used_set(&self) -> std::sync::MutexGuard<'_, HashMap<String, OffsetDateTime>> {
        self.used.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A token for a form shown at `at`.
    pub fn issue(&self, at: OffsetDateTime) -> String {
        let mut n = [0u8; 12];
        rand::thread_rng().fill_bytes(&mut n);
        let nonce = hex::encode(n);
        let issued = at.unix_timestamp();
        let tag = hex::encode(self.mac(issued, &nonce).finalize().into_bytes());
        format!("{issued}.{nonce}.{tag}")
    }

    /// Checks the signature and age; returns the nonce.
    fn verify(
        &self,
        token: &str,
        now: OffsetDateTime,
        min_fill: Duration,
    ) -> Result<(String, OffsetDateTime), TokenError> {
        let token = token.trim();
        if token.is_empty() {
            return Err(TokenError::Missing);
        }
        let mut parts = token.splitn(3, '.');
        let (Some(issued), Some(nonce), Some(tag)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Forged);
        };
        let issued: i64 = issued.parse().map_err(|_| TokenError::Forged)?;
        let tag = hex::decode(tag).map_err(|_| TokenError::Forged)?;
        self.mac(issued, nonce)
            .verify_slice(&tag)
            .map_err(|_| TokenError::Forged)?;
        let shown = OffsetDateTime::from_unix_timestamp(issued).map_err(|_| TokenError::Forged)?;
        if now - shown < min_fill {
            return Err(TokenError::TooEarly);
        }
        if now - shown > MAX_AGE {
            return Err(TokenError::Expired);
        }
        Ok((nonce.to_string(), shown + MAX_AGE))
    }

    /// Checks `token` and takes it for one submission.
    pub fn claim(
        &self,
        token: &str,
        now: OffsetDateTime,
        min_fill: Duration,
    ) -> Result<Claim<'_>, TokenError> {
        let (nonce, expires) = self.verify(token, now, min_fill)?;
        let mut used = self.used_set();
        if used.contains_key(&nonce) {
            return Err(TokenError::Used);
        }
        used.insert(nonce.clone(), expires);
        Ok(Claim {
            tokens: self,
            nonce: Some(nonce),
        })
    }

    /// Forgets used tokens that have expired anyway.
    pub fn sweep(&self, now: OffsetDateTime) {
        self.used_set().retain(|_, expires| *expires >= now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-11-20 02:00 UTC);

    #[test]
    fn a_token_passes_between_min_fill_and_two_hours_once() {
        let t = FormTokens::default();
        let token = t.issue(T0);
        let min = Duration::seconds(3);
        assert_eq!(
            t.claim(&token, T0 + Duration::seconds(1), min).err(),
            Some(TokenError::TooEarly)
        );
        assert_eq!(
            t.claim(&token, T0 + Duration::minutes(121), min).err(),
            Some(TokenError::Expired)
        );
        let claim = t.claim(&token, T0 + Duration::seconds(5), min);
        assert!(claim.is_ok());
        // Released (the submission failed): the reporter may try again with it.
        drop(claim);
        let claim = t.claim(&token, T0 + Duration::seconds(6), min);
        assert!(claim.is_ok());
        if let Ok(c) = claim {
            c.keep();
        }
        assert_eq!(
            t.claim(&token, T0 + Duration::seconds(7), min).err(),
            Some(TokenError::Used)
        );
        t.sweep(T0 + Duration::hours(3));
        assert!(t.used_set().is_empty());
    }

    #[test]
    fn altered_or_foreign_tokens_are_forged() {
        let t = FormTokens::default();
        let later = T0 + Duration::seconds(10);
        let min = Duration::seconds(3);
        let token = t.issue(T0);
        let earlier = token.replacen(&T0.unix_timestamp().to_string(), "1700000000", 1);
        assert_eq!(
            t.claim(&earlier, later, min).err(),
            Some(TokenError::Forged)
        );
        let other = FormTokens::default().issue(T0);
        assert_eq!(t.claim(&other, later, min).err(), Some(TokenError::Forged));
        assert_eq!(t.claim("", later, min).err(), Some(TokenError::Missing));
        assert_eq!(
            t.claim("garbage", later, min).err(),
            Some(TokenError::Forged)
        );
    }
}
