//! Settings of the web application, validated once at start by the binary's config loader.

use meijian_domain::lead::LeadRules;
use meijian_store::accounts::sessions::SessionPolicy;
use meijian_store::accounts::LoginPolicy;
use meijian_store::leads::intake::AttachmentLimits;

/// The default upper bound of a request body, in MiB (`[server] max_body_mib`): the one value
/// the server and the tests start from.
pub const DEFAULT_MAX_BODY_MIB: usize = 20;

/// What the web app needs to know; built from the config file and environment.
#[derive(Debug, Clone)]
pub struct WebSettings {
    pub login: LoginPolicy,
    pub session: SessionPolicy,
    /// Mark cookies `Secure` (behind HTTPS). Off for the local demo over plain HTTP.
    pub secure_cookies: bool,
    /// Signs form tokens and device cookies; `None`: a key kept in the database
    /// (`meijian_store::shared::secret`), the same for every server.
    pub secret_key: Option<Vec<u8>>,
    /// Reverse proxies in front of the servers: behind them, the client address comes from
    /// the `X-Forwarded-For` they append (rate limits, audit log).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Upper bound of a request body in bytes.
    pub max_body_bytes: usize,
    /// Upper bound of an uploaded registry file in bytes (streamed to disk, not memory).
    pub max_upload_bytes: usize,
    /// Where uploaded files wait for their import (and a preview's confirmation).
    pub upload_dir: std::path::PathBuf,
    /// Uploads unchanged this long are deleted (a preview never confirmed, an upload cut off);
    /// `[server] upload_retention_hours`. See [`crate::pages::registries::imports::sweep_uploads`].
    pub upload_retention: std::time::Duration,
    /// Who may read `/metrics` (`[metrics]`).
    pub metrics: MetricsSettings,
    /// Time limits and reward rules of lead handling (`[leads]`).
    pub leads: LeadRules,
    /// Case handling: the decision limit and its extension (`[cases]`).
    pub cases: meijian_domain::case::CaseRules,
    /// The public complaint page's limits (`[complaints]`).
    pub complaints: ComplaintSettings,
}

/// Who may read `/metrics` (it shows, among others, failed sign-ins per route). With neither
/// field set, the main address answers it only to loopback peers (a request relayed by a proxy
/// on the same host is not one); anyone else gets the 404 of an unknown page.
#[derive(Clone, Default)]
pub struct MetricsSettings {
    /// Requests must carry `Authorization: Bearer <token>` (compared in constant time).
    pub token: Option<String>,
    /// Served on this address only ([`crate::health::serve_metrics`]), not on the main one.
    pub listen: Option<std::net::SocketAddr>,
}

// The token is a secret: never print it.
impl std::fmt::Debug for MetricsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsSettings")
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("listen", &self.listen)
            .finish()
    }
}

/// Limits of the public complaint page.
#[derive(Debug, Clone)]
pub struct ComplaintSettings {
    pub attachments: AttachmentLimits,
    /// Submissions one address may make per hour.
    pub submissions_per_hour: u32,
    /// Status lookups one address may make per minute (guessing a secret is hopeless anyway).
    pub lookups_per_minute: u32,
    /// A form sent back sooner than this after it was shown is a robot's.
    pub min_fill_seconds: u32,
    /// Submissions written per transaction at most (group commit).
    pub max_batch: usize,
}

impl Default for ComplaintSettings {
    fn default() -> Self {
        ComplaintSettings {
            attachments: AttachmentLimits::default(),
            submissions_per_hour: 20,
            lookups_per_minute: 30,
            min_fill_seconds: 3,
            max_batch: 256,
        }
    }
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            login: LoginPolicy::default(),
            session: SessionPolicy::default(),
            secure_cookies: false,
            secret_key: None,
            trusted_proxies: Vec::new(),
            max_body_bytes: DEFAULT_MAX_BODY_MIB * 1024 * 1024,
            max_upload_bytes: 1024 * 1024 * 1024,
            upload_dir: std::env::temp_dir().join("meijian-uploads"),
            upload_retention: std::time::Duration::from_secs(24 * 3600),
            metrics: MetricsSettings::default(),
            leads: LeadRules::default(),
            cases: meijian_domain::case::CaseRules::default(),
            complaints: ComplaintSettings::default(),
        }
    }
}
