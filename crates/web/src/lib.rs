//! The Meijian web application: the officers' workbench in simplified Chinese (server-rendered,
//! no build step), the JSON API with its OpenAPI document, `/healthz` and `/metrics`.
//!
//! Request flow: `outer_layer` (request id, logging, metrics, security headers, error pages)
//! → `session_layer` (who is asking; origin and CSRF checks for unsafe methods) → handler. A
//! handler gets a [`session::CurrentUser`] whose scope every storage call requires.

pub mod api;
pub mod chrome;
pub mod clock;
pub mod error;
pub mod health;
pub mod hygiene;
pub mod login_throttle;
pub mod pages;
pub mod public_desk;
pub mod request_id;
pub mod session;
pub mod settings;
pub mod state;
pub(crate) mod uploads;
pub mod xlsx;

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};

use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use meijian_store::Store;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

pub use clock::{Clock, ManualClock, SystemClock};
pub use settings::WebSettings;
pub use state::AppState;

/// The process-wide metrics recorder. The `metrics` facade has one global recorder by
/// design; this installs it once and hands out its handle (also to tests that build many apps).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

impl AppState {
    /// Must run inside a Tokio runtime: it starts the complaint desk's writer task. Reads
    /// (or draws, the first time) the shared keys when the configuration gives none.
    pub async fn new(
        store: Store,
        settings: WebSettings,
        clock: Arc<dyn Clock>,
    ) -> Result<AppState, meijian_store::StoreError> {
        let shared = Arc::new(meijian_store::shared::SharedState::for_store(&store));
        let form_key = key(&store, &settings, "form_token", clock.now()).await?;
        let device_key = key(&store, &settings, "device_cookie", clock.now()).await?;
        let desk = public_desk::PublicDesk::start(
            store.clone(),
            &settings.complaints,
            clock.clone(),
            shared.clone(),
            &form_key,
        );
        Ok(AppState {
            desk,
            store,
            settings: Arc::new(settings),
            clock,
            metrics: metrics_handle(),
            search: Arc::default(),
            shared,
            device_key: device_key.into(),
        })
    }
}

/// The key for `purpose`: derived from the configured key, else the one in the database.
async fn key(
    store: &Store,
    settings: &WebSettings,
    purpose: &str,
    now: time::OffsetDateTime,
) -> Result<Vec<u8>, meijian_store::StoreError> {
    use hmac::{Hmac, Mac};
    match &settings.secret_key {
        Some(master) => {
            let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(master)
                .map_err(|e| meijian_store::StoreError::Other(format!("secret_key: {e}")))?;
            mac.update(purpose.as_bytes());
            Ok(mac.finalize().into_bytes().to_vec())
        }
        None => meijian_store::shared::secret(store, purpose, now).await,
    }
}

const APP_CSS: &str = include_str!("../static/app.css");

async fn app_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        APP_CSS,
    )
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    use pages::{admin, audit, dashboard, departments, login};
    let max_body = state.settings.max_body_bytes;
    Router::new()
        .route("/", get(dashboard::show_dashboard))
        .route("/login", get(login::show_login).post(login::submit_login))
        .route("/logout", post(login::logout))
        .route("/departments", get(departments::list_departments))
        .route("/departments/{id}", get(departments::show_department))
        .route("/audit", get(audit::show_audit))
        .route("/admin", get(admin::show_admin))
        .route("/admin/users", post(admin::create_user))
        .route("/admin/users/{id}", get(admin::show_user))
        .route("/admin/users/{id}/operator", post(admin::bind_operator))
        .route("/admin/users/{id}/{action}", post(admin::change_user))
        .route("/admin/departments", post(admin::create_department))
        .merge(pages::registries::router(state.settings.max_upload_bytes))
        .merge(pages::reconcile::router())
        .merge(pages::operators::router())
        .merge(pages::cases::router())
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(health::metrics))
        .route("/static/app.css", get(app_css))
        .merge(pages::calendar::router())
        .merge(pages::duty::router())
        .merge(pages::leads::router(state.settings.complaints.attachments))
        .merge(pages::complaints::router(&state.settings.complaints))
        .merge(api::router())
        .fallback(|| async { error::AppError::NotFound })
        // Inside the session layer: a request refused as cross-site or without its CSRF token
        // is refused before its body is parsed or rewritten here.
        .layer(axum::middleware::from_fn_with_state(
            max_body,
            hygiene::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::session_layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            request_id::OuterSettings::of(&state.settings),
            request_id::outer_layer,
        ))
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
}

/// Binds `addr`, with a plain message when the port is taken.
pub async fn bind(addr: SocketAddr) -> Result<tokio::net::TcpListener, String> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AddrInUse => {
                format!("端口 {addr} 已被占用：请先停止占用它的程序，或用 --listen 指定其他端口")
            }
            std::io::ErrorKind::PermissionDenied => {
                format!("没有权限监听 {addr}：请使用 1024 以上的端口")
            }
            _ => format!("无法监听 {addr}：{e}"),
        })
}

/// Serves the app on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Load the search index in the background; searches use SQL until it is ready.
    let (store, index) = (state.store.clone(), state.search.clone());
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        match index.refresh(&store).await {
            Ok(()) => tracing::info!(
                ms = started.elapsed().as_millis() as u64,
                "search index loaded"
            ),
            Err(e) => tracing::warn!(error = %e, "search index load failed; searching with SQL"),
        }
    });
    // Uploads previewed and never confirmed, or left by a crash: swept now and hourly.
    let sweeper = tokio::spawn(pages::registries::imports::sweep_uploads_hourly(
        state.settings.upload_dir.clone(),
        state.settings.upload_retention,
    ));
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    sweeper.abort();
    result
}
