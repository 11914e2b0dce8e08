//! Signed form tokens (表单令牌): the time a complaint form was shown and a random nonce,
//! signed with HMAC-SHA256 under the servers' shared key (from the configuration, or kept in
//! the database). A submission must bring one that a server of ours signed, at least
//! `min_fill_seconds` old (people take longer than that to fill the form in; robots do not)
//! and at most two hours old. Each token is taken once, in the shared state, so on any
//! server: a second submission with it (a double click, a reload of the answer page, a robot
//! replaying it) is refused.

use std::sync::Arc;

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use meijian_store::shared::SharedState;
use meijian_store::StoreError;
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
    /// Not signed by our key (forged or altered).
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
    /// Where taken nonces are kept until their token expires.
    shared: Arc<SharedState>,
}

impl std::fmt::Debug for FormTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormTokens").finish_non_exhaustive()
    }
}

/// A token held by a submission in progress: given back when dropped, unless
/// [`Claim::keep`] says the submission went through.
pub struct Claim {
    shared: Arc<SharedState>,
    nonce: Option<String>,
}

impl Claim {
    /// The submission is stored: the token stays used.
    pub fn keep(mut self) {
        self.nonce = None;
    }

    /// The submission failed: the reporter may send the form again with the same token.
    #[tracing::instrument(skip_all)]
    pub async fn give_back(mut self) {
        if let Some(nonce) = self.nonce.take() {
            if let Err(e) = self.shared.give_back(&nonce).await {
                tracing::warn!(error = %e, "form token not given back");
            }
        }
    }
}

/// A request cancelled half-way (the client went away) gives its token back here.
impl Drop for Claim {
    fn drop(&mut self) {
        if let Some(nonce) = self.nonce.take() {
            let shared = self.shared.clone();
            // Drop cannot wait; a failed give-back only means the reporter fetches a new form.
            tokio::spawn(async move {
                if let Err(e) = shared.give_back(&nonce).await {
                    tracing::warn!(error = %e, "form token not given back");
                }
            });
        }
    }
}

impl FormTokens {
    /// Tokens signed with `key`, their use recorded in `shared`.
    pub fn new(key: &[u8], shared: Arc<SharedState>) -> FormTokens {
        let keyed = <HmacSha256 as KeyInit>::new_from_slice(key)
            .unwrap_or_else(|_| <HmacSha256 as KeyInit>::new(&Default::default()));
        FormTokens { keyed, shared }
    }

    fn mac(&self, issued: i64, nonce: &str) -> HmacSha256 {
        let mut mac = self.keyed.clone();
        mac.update(format!("complaint-form|{issued}|{nonce}").as_bytes());
        mac
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
    #[tracing::instrument(skip_all)]
    pub async fn claim(
        &self,
        token: &str,
        now: OffsetDateTime,
        min_fill: Duration,
    ) -> Result<Result<Claim, TokenError>, StoreError> {
        let (nonce, expires) = match self.verify(token, now, min_fill) {
            Ok(v) => v,
            Err(e) => return Ok(Err(e)),
        };
        if !self.shared.take_once(&nonce, expires).await? {
            return Ok(Err(TokenError::Used));
        }
        Ok(Ok(Claim {
            shared: self.shared.clone(),
            nonce: Some(nonce),
        }))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-11-20 02:00 UTC);

    fn tokens(key: &[u8]) -> FormTokens {
        FormTokens::new(key, Arc::new(SharedState::local()))
    }

    #[tokio::test]
    async fn a_token_passes_between_min_fill_and_two_hours_once() {
        let t = tokens(&[7; 32]);
        let token = t.issue(T0);
        let min = Duration::seconds(3);
        let claim = |at| t.claim(&token, at, min);
        assert_eq!(
            claim(T0 + Duration::seconds(1)).await.unwrap().err(),
            Some(TokenError::TooEarly)
        );
        assert_eq!(
            claim(T0 + Duration::minutes(121)).await.unwrap().err(),
            Some(TokenError::Expired)
        );
        let first = claim(T0 + Duration::seconds(5)).await.unwrap();
        assert!(first.is_ok());
        assert_eq!(
            claim(T0 + Duration::seconds(5)).await.unwrap().err(),
            Some(TokenError::Used),
            "taken while the first submission runs"
        );
        // Given back (the submission failed): the reporter may try again with it.
        first.unwrap().give_back().await;
        claim(T0 + Duration::seconds(6))
            .await
            .unwrap()
            .unwrap()
            .keep();
        assert_eq!(
            claim(T0 + Duration::seconds(7)).await.unwrap().err(),
            Some(TokenError::Used)
        );
    }

    #[tokio::test]
    async fn altered_or_foreign_tokens_are_forged_and_one_key_serves_every_server() {
        let t = tokens(&[7; 32]);
        let later = T0 + Duration::seconds(10);
        let min = Duration::seconds(3);
        let token = t.issue(T0);
        let earlier = token.replacen(&T0.unix_timestamp().to_string(), "1700000000", 1);
        let t = &t;
        let check = |tok: String| async move { t.claim(&tok, later, min).await.unwrap().err() };
        assert_eq!(check(earlier).await, Some(TokenError::Forged));
        let other = tokens(&[8; 32]).issue(T0);
        assert_eq!(check(other).await, Some(TokenError::Forged));
        let same_key = tokens(&[7; 32]).issue(T0);
        assert_eq!(
            check(same_key).await,
            None,
            "another server with the same key"
        );
        assert_eq!(check(String::new()).await, Some(TokenError::Missing));
        assert_eq!(check("garbage".into()).await, Some(TokenError::Forged));
    }
}
