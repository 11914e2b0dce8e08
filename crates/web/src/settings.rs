//! Settings of the web application, validated once at start by the binary's config loader.

use meijian_store::accounts::LoginPolicy;
use meijian_store::sessions::SessionPolicy;

/// What the web app needs to know; built from the config file and environment.
#[derive(Debug, Clone)]
pub struct WebSettings {
    pub login: LoginPolicy,
    pub session: SessionPolicy,
    /// Mark cookies `Secure` (behind HTTPS). Off for the local demo over plain HTTP.
    pub secure_cookies: bool,
    /// Upper bound of a request body in bytes.
    pub max_body_bytes: usize,
    /// Upper bound of an uploaded registry file in bytes (streamed to disk, not memory).
    pub max_upload_bytes: usize,
    /// Where uploaded files wait for their import (and a preview's confirmation).
    pub upload_dir: std::path::PathBuf,
}

impl Default for WebSettings {
    fn default() -> Self {
        WebSettings {
            login: LoginPolicy::default(),
            session: SessionPolicy::default(),
            secure_cookies: false,
            max_body_bytes: 2 * 1024 * 1024,
            max_upload_bytes: 1024 * 1024 * 1024,
            upload_dir: std::env::temp_dir().join("meijian-uploads"),
        }
    }
}
