//! The public side of complaints (投诉举报), without sign-in: the complaint form, the
//! answer with the ticket, and the status page where the reporter follows the handling and
//! rates the reply. Readable on a phone; works without JavaScript (the script only suggests
//! names as one types).
//!
//! These pages never show the reporter's contact details back (not even on the status page),
//! never serve an attachment, and never put the secret in a URL.

pub mod form;
pub mod status;

use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;

use crate::settings::ComplaintSettings;
use crate::state::AppState;
use crate::uploads;

const SCRIPT: &str = include_str!("../../../static/complaints.js");

async fn complaints_js() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/javascript; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
}

/// The public complaint routes. The body limit of a submission follows the attachment
/// limits of `settings`.
pub fn router(settings: &ComplaintSettings) -> Router<AppState> {
    Router::new()
        .route("/complaints/new", get(form::show_form))
        .route(
            "/complaints",
            post(form::submit_complaint).layer(DefaultBodyLimit::max(uploads::max_body_bytes(
                settings.attachments,
            ))),
        )
        .route(
            "/complaints/status",
            get(status::show_lookup).post(status::lookup_status),
        )
        .route("/complaints/rate", post(status::rate_reply))
        .route("/static/complaints.js", get(complaints_js))
}
