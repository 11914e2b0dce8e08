//! Configuration: a TOML file (all keys optional, unknown keys rejected with their name),
//! overlaid by environment variables and command-line flags. Validated once at start.

use std::path::Path;

use meijian_store::accounts::sessions::SessionPolicy;
use meijian_store::accounts::LoginPolicy;
use meijian_web::WebSettings;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub security: SecurityConfig,
    pub log: LogConfig,
    /// Time limits and reward rules of lead handling; see `meijian_domain::lead::rules`.
    pub leads: meijian_domain::lead::LeadRules,
    /// Time limits of case handling; see `meijian_domain::case::rules`.
    pub cases: meijian_domain::case::CaseRules,
    pub complaints: ComplaintsConfig,
    pub metrics: MetricsConfig,
}

/// The public complaint page.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ComplaintsConfig {
    /// Attachments per complaint at most.
    pub max_files: usize,
    /// Size of one attachment at most, in MiB.
    pub max_file_mib: usize,
    /// Submissions one address may make per hour.
    pub submissions_per_hour: u32,
    /// Status lookups one address may make per minute.
    pub lookups_per_minute: u32,
    /// A form sent back sooner than this after it was shown is refused as a robot's.
    pub min_fill_seconds: u32,
    /// Submissions written per transaction at most (group commit); 1 turns grouping off.
    pub max_batch: usize,
}

impl Default for ComplaintsConfig {
    fn default() -> Self {
        let d = meijian_web::settings::ComplaintSettings::default();
        ComplaintsConfig {
            max_files: d.attachments.max_files,
            max_file_mib: d.attachments.max_file_bytes / (1024 * 1024),
            submissions_per_hour: d.submissions_per_hour,
            lookups_per_minute: d.lookups_per_minute,
            min_fill_seconds: d.min_fill_seconds,
            max_batch: d.max_batch,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address to listen on.
    pub listen: String,
    /// Mark the session cookie Secure; turn on behind HTTPS.
    pub secure_cookies: bool,
    /// Largest request body accepted, in MiB.
    pub max_body_mib: usize,
    /// Largest registry file accepted by the upload page, in MiB (streamed to disk).
    pub max_upload_mib: usize,
    /// Where uploads wait for their import; default: the system's temporary folder.
    pub upload_dir: Option<std::path::PathBuf>,
    /// Uploads unchanged this many hours are deleted (previewed and never confirmed, cut off,
    /// left by a crash); checked on start and hourly. A file being imported is kept.
    pub upload_retention_hours: u64,
    /// Addresses of the reverse proxies in front of the servers; behind them the client
    /// address is the one they append to `X-Forwarded-For`.
    pub trusted_proxies: Vec<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:8080".to_string(),
            secure_cookies: false,
            max_body_mib: meijian_web::settings::DEFAULT_MAX_BODY_MIB,
            max_upload_mib: 1024,
            upload_dir: None,
            upload_retention_hours: 24,
            trusted_proxies: Vec::new(),
        }
    }
}

/// Who may read `/metrics`. Neither key: the main address answers it to loopback peers only.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// Requests must carry `Authorization: Bearer <token>` (16 characters or more).
    pub token: Option<String>,
    /// Serve `/metrics` on this address only (e.g. `127.0.0.1:9464`), not on the main one.
    pub listen: Option<String>,
}

// The token is a secret: never print it.
impl std::fmt::Debug for MetricsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetricsConfig")
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("listen", &self.listen)
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `sqlite:PATH` (default `sqlite:meijian.db`) or `postgres://user:password@host/db`.
    pub url: String,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: "sqlite:meijian.db".to_string(),
        }
    }
}

// The URL may carry a password: never print it.
impl std::fmt::Debug for DatabaseConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseConfig")
            .field("url", &meijian_store::redact_url(&self.url))
            .finish()
    }
}

/// Login and session limits. The defaults follow 等保 2.0 level 3 practice.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityConfig {
    /// Wrong passwords for one name within `lockout_minutes` before attempts for that name
    /// slow down (a throttle, not a lock: a browser that signed in as that name before is
    /// not slowed).
    pub lockout_threshold: i64,
    pub lockout_minutes: i64,
    /// Failed sign-ins one client address may make within `lockout_minutes`, any names.
    pub login_failures_per_address: u32,
    /// Sign-in requests one client address may make per minute.
    pub login_requests_per_minute: u32,
    /// Key (64 hex digits or more) that signs form tokens and device cookies. Unset: a key
    /// drawn once and kept in the database, which every server of it shares.
    pub secret_key: Option<String>,
    pub session_idle_minutes: i64,
    pub session_absolute_hours: i64,
    pub min_password_length: usize,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        SecurityConfig {
            lockout_threshold: 5,
            lockout_minutes: 15,
            login_failures_per_address: 30,
            login_requests_per_minute: 30,
            secret_key: None,
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            min_password_length: 10,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `json` (for log collectors) or `text` (for people).
    pub format: String,
    /// A tracing filter, e.g. `info` or `meijian_web=debug,info`; `RUST_LOG` overrides it.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            format: "json".to_string(),
            level: "info".to_string(),
        }
    }
}

impl Config {
    /// Reads `path` if given; defaults otherwise. Errors name the file, line and key.
    pub fn load(path: Option<&Path>) -> anyhow::Result<Config> {
        let config = match path {
            None => Config::default(),
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| anyhow::anyhow!("无法读取配置文件 {}：{e}", p.display()))?;
                toml::from_str(&text)
                    .map_err(|e| anyhow::anyhow!("配置文件 {} 有误：{e}", p.display()))?
            }
        };
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        let s = &self.security;
        if s.lockout_threshold < 1 || s.lockout_minutes < 1 {
            anyhow::bail!("配置项 security.lockout_threshold 与 security.lockout_minutes 须大于 0");
        }
        for a in &self.server.trusted_proxies {
            if a.trim().parse::<std::net::IpAddr>().is_err() {
                anyhow::bail!("配置项 server.trusted_proxies 中的“{a}”不是 IP 地址");
            }
        }
        if s.login_failures_per_address < 1 || s.login_requests_per_minute < 1 {
            anyhow::bail!("配置项 security.login_failures_per_address 与 security.login_requests_per_minute 须大于 0");
        }
        if let Some(key) = &s.secret_key {
            if key.trim().len() < 64 || hex::decode(key.trim()).is_err() {
                anyhow::bail!("配置项 security.secret_key 须为至少 64 位十六进制数字（32 字节）");
            }
        }
        if s.session_idle_minutes < 1 || s.session_absolute_hours < 1 {
            anyhow::bail!(
                "配置项 security.session_idle_minutes 与 security.session_absolute_hours 须大于 0"
            );
        }
        if s.min_password_length < 8 {
            anyhow::bail!("配置项 security.min_password_length 不能小于 8");
        }
        self.leads
            .rewards
            .validate()
            .map_err(|e| anyhow::anyhow!("配置项 {e}"))?;
        self.cases
            .validate()
            .map_err(|e| anyhow::anyhow!("配置项 {e}"))?;
        let c = &self.complaints;
        if c.max_file_mib < 1
            || c.submissions_per_hour < 1
            || c.lookups_per_minute < 1
            || c.max_batch < 1
        {
            anyhow::bail!(
                "配置项 complaints.max_file_mib、submissions_per_hour、lookups_per_minute 与 max_batch 须大于 0"
            );
        }
        if self.server.upload_retention_hours < 1 {
            anyhow::bail!("配置项 server.upload_retention_hours 须大于 0");
        }
        self.validate_metrics()?;
        if !matches!(self.log.format.as_str(), "json" | "text") {
            anyhow::bail!(
                "配置项 log.format 只能是 json 或 text，实际为“{}”",
                self.log.format
            );
        }
        Ok(())
    }

    fn validate_metrics(&self) -> anyhow::Result<()> {
        let m = &self.metrics;
        if let Some(token) = &m.token {
            if token.chars().count() < 16 || token.chars().any(char::is_whitespace) {
                anyhow::bail!("配置项 metrics.token 须为至少 16 个字符、不含空白的口令");
            }
        }
        if let Some(listen) = &m.listen {
            if listen.parse::<std::net::SocketAddr>().is_err() {
                anyhow::bail!("配置项 metrics.listen 的地址“{listen}”无效，应形如 127.0.0.1:9464");
            }
            if *listen == self.server.listen {
                anyhow::bail!("配置项 metrics.listen 须与 server.listen 不同");
            }
        }
        Ok(())
    }

    pub fn login_policy(&self) -> LoginPolicy {
        LoginPolicy {
            max_failures: self.security.lockout_threshold,
            window: time::Duration::minutes(self.security.lockout_minutes),
            min_password_len: self.security.min_password_length,
            failures_per_address: self.security.login_failures_per_address,
            requests_per_minute: self.security.login_requests_per_minute,
        }
    }

    pub fn web_settings(&self) -> WebSettings {
        WebSettings {
            login: self.login_policy(),
            session: SessionPolicy {
                idle: time::Duration::minutes(self.security.session_idle_minutes),
                absolute: time::Duration::hours(self.security.session_absolute_hours),
            },
            secure_cookies: self.server.secure_cookies,
            trusted_proxies: self
                .server
                .trusted_proxies
                .iter()
                .filter_map(|a| a.trim().parse().ok())
                .collect(),
            secret_key: self
                .security
                .secret_key
                .as_deref()
                .and_then(|k| hex::decode(k.trim()).ok()),
            max_body_bytes: self.server.max_body_mib * 1024 * 1024,
            max_upload_bytes: self.server.max_upload_mib * 1024 * 1024,
            upload_dir: self
                .server
                .upload_dir
                .clone()
                .unwrap_or_else(|| std::env::temp_dir().join("meijian-uploads")),
            upload_retention: std::time::Duration::from_secs(
                self.server.upload_retention_hours.saturating_mul(3600),
            ),
            metrics: meijian_web::settings::MetricsSettings {
                token: self.metrics.token.clone(),
                listen: self.metrics.listen.as_deref().and_then(|l| l.parse().ok()),
            },
            leads: self.leads.clone(),
            cases: self.cases.clone(),
            complaints: meijian_web::settings::ComplaintSettings {
                attachments: meijian_store::leads::intake::AttachmentLimits {
                    max_files: self.complaints.max_files,
                    max_file_bytes: self.complaints.max_file_mib * 1024 * 1024,
                },
                submissions_per_hour: self.complaints.submissions_per_hour,
                lookups_per_minute: self.complaints.lookups_per_minute,
                min_fill_seconds: self.complaints.min_fill_seconds,
                max_batch: self.complaints.max_batch,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn unknown_key_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.toml");
        std::fs::write(&p, "[server]\nlisten = \"127.0.0.1:9\"\nlisten_port = 80\n").unwrap();
        let err = Config::load(Some(&p)).unwrap_err().to_string();
        assert!(err.contains("listen_port"), "{err}");
        assert!(err.contains("m.toml"), "{err}");
    }

    #[test]
    fn lead_limits_and_rewards_are_configured_with_their_units() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.toml");
        std::fs::write(
            &p,
            "[leads.limits]\naccept = { amount = 5, unit = \"working_days\" }\n\
             police_decide = { amount = 72, unit = \"hours\" }\n\
             [complaints]\nsubmissions_per_hour = 100\n",
        )
        .unwrap();
        let c = Config::load(Some(&p)).unwrap();
        let w = c.web_settings();
        assert_eq!(w.leads.limits.accept.label_zh(), "5个工作日");
        assert_eq!(w.leads.limits.police_decide.label_zh(), "72小时");
        assert_eq!(
            w.leads.limits.verify.label_zh(),
            "15个工作日",
            "defaults kept"
        );
        assert_eq!(w.complaints.submissions_per_hour, 100);

        std::fs::write(
            &p,
            "[leads.limits]\naccept = { amount = 5, unit = \"weeks\" }\n",
        )
        .unwrap();
        let err = Config::load(Some(&p)).unwrap_err().to_string();
        assert!(err.contains("weeks"), "{err}");
        std::fs::write(&p, "[leads.rewards]\ncap_yuan = 0\n").unwrap();
        let err = Config::load(Some(&p)).unwrap_err().to_string();
        assert!(err.contains("leads.rewards.cap_yuan"), "{err}");
    }

    #[test]
    fn uploads_and_metrics_are_configured() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.toml");
        let w = Config::load(None).unwrap().web_settings();
        assert_eq!(
            w.upload_retention,
            std::time::Duration::from_secs(24 * 3600)
        );
        assert!(w.metrics.token.is_none() && w.metrics.listen.is_none());
        std::fs::write(
            &p,
            "[server]\nupload_retention_hours = 2\n\
             [metrics]\ntoken = \"0123456789abcdef-metrics\"\nlisten = \"127.0.0.1:9464\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&p)).unwrap();
        assert!(
            !format!("{c:?}").contains("0123456789abcdef"),
            "token not printed"
        );
        let w = c.web_settings();
        assert_eq!(w.upload_retention, std::time::Duration::from_secs(2 * 3600));
        assert_eq!(w.metrics.token.as_deref(), Some("0123456789abcdef-metrics"));
        assert_eq!(w.metrics.listen, Some("127.0.0.1:9464".parse().unwrap()));
        for (text, key) in [
            ("[metrics]\ntoken = \"short\"\n", "metrics.token"),
            ("[metrics]\nlisten = \"localhost\"\n", "metrics.listen"),
            ("[metrics]\nlisten = \"127.0.0.1:8080\"\n", "metrics.listen"),
            (
                "[server]\nupload_retention_hours = 0\n",
                "upload_retention_hours",
            ),
            ("[metrics]\npath = \"/m\"\n", "path"),
        ] {
            std::fs::write(&p, text).unwrap();
            let err = Config::load(Some(&p)).unwrap_err().to_string();
            assert!(err.contains(key), "{text}: {err}");
        }
    }

    #[test]
    fn database_password_is_not_in_debug_output() {
        let c = DatabaseConfig {
            url: "postgres://app:hunter22@db/x".into(),
        };
        assert!(!format!("{c:?}").contains("hunter22"));
    }
}
