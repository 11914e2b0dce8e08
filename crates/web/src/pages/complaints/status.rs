//! 查询办理进度: code and secret in a POSTed form (never in a URL), the steps and the reply,
//! and the reporter's rating of the reply. A wrong code and a wrong secret get one message.

use askama::Template;
use axum::extract::{FromRequest, Request, State};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use meijian_domain::lead::Satisfaction;
use meijian_store::leads::status::PublicStatus;
use serde::Deserialize;

use crate::error::{AppError, AppResult};
use crate::pages::render;
use crate::public_desk::{self, limits, Refused};
use crate::session::anonymous_actor;
use crate::state::AppState;

/// The status as the page shows it: the ticket grouped for reading.
fn shown(mut s: PublicStatus) -> PublicStatus {
    s.ticket_code = public_desk::grouped(&s.ticket_code);
    s
}

/// A time the template holds by value or by reference.
trait Instant {
    fn instant(&self) -> time::OffsetDateTime;
}

impl Instant for time::OffsetDateTime {
    fn instant(&self) -> time::OffsetDateTime {
        *self
    }
}

impl<T: Instant> Instant for &T {
    fn instant(&self) -> time::OffsetDateTime {
        (**self).instant()
    }
}

#[derive(Template)]
#[template(path = "complaint_status.html")]
struct StatusPage {
    /// The code as typed, to fill the form again.
    ticket: String,
    /// Only for the rating form's hidden field, when the lookup succeeded.
    secret: String,
    error: Option<String>,
    notice: Option<String>,
    shown: Option<PublicStatus>,
    satisfactions: Vec<(&'static str, &'static str)>,
}

impl StatusPage {
    /// An instant as the page shows it (China time), for the template.
    fn time(&self, t: impl Instant) -> String {
        crate::pages::show_time(t.instant())
    }

    fn new(ticket: String) -> StatusPage {
        StatusPage {
            ticket,
            secret: String::new(),
            error: None,
            notice: None,
            shown: None,
            satisfactions: Satisfaction::ALL
                .iter()
                .map(|s| (s.code(), s.label_zh()))
                .collect(),
        }
    }
}

/// `GET /complaints/status`.
#[tracing::instrument(skip_all)]
pub async fn show_lookup() -> AppResult<Html<String>> {
    render(&StatusPage::new(String::new()))
}

#[derive(Deserialize)]
pub struct LookupForm {
    #[serde(default)]
    ticket: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    satisfaction: String,
}

async fn read(request: Request, state: &AppState) -> AppResult<LookupForm> {
    let Form(form) = Form::<LookupForm>::from_request(request, state)
        .await
        .map_err(|_| AppError::Invalid {
            field: "表单".into(),
            message: "请从查询页面提交".into(),
        })?;
    Ok(form)
}

/// The page for a refusal: the message on the lookup form, or an error page for a fault.
fn refused_page(ticket: String, refused: Refused) -> AppResult<Response> {
    let e = AppError::from(refused);
    let status = e.info().status;
    let message = match e {
        AppError::Invalid { field, message } if field == public_desk::TICKET_FIELD => {
            format!("{field}{message}")
        }
        AppError::Invalid { field, message } => format!("{field}：{message}"),
        e @ AppError::TooManyRequests { .. } => e.info().message,
        other => return Err(other),
    };
    let mut page = StatusPage::new(ticket);
    page.error = Some(message);
    Ok((status, render(&page)?).into_response())
}

async fn show_status(
    state: &AppState,
    client: std::net::IpAddr,
    form: LookupForm,
    notice: Option<String>,
) -> AppResult<Response> {
    match public_desk::lookup(state, client, &form.ticket, &form.secret).await {
        Ok(status) => {
            let mut page = StatusPage::new(public_desk::grouped(&status.ticket_code));
            page.secret = form.secret;
            page.notice = notice;
            page.shown = Some(shown(status));
            Ok(render(&page)?.into_response())
        }
        Err(r) => refused_page(form.ticket, r),
    }
}

/// `POST /complaints/status`.
#[tracing::instrument(skip_all)]
pub async fn lookup_status(State(state): State<AppState>, request: Request) -> AppResult<Response> {
    let client = limits::peer(request.extensions());
    let form = read(request, &state).await?;
    show_status(&state, client, form, None).await
}

/// `POST /complaints/rate`: records the rating, then shows the status again.
#[tracing::instrument(skip_all)]
pub async fn rate_reply(State(state): State<AppState>, request: Request) -> AppResult<Response> {
    let actor = anonymous_actor(request.extensions());
    let client = limits::peer(request.extensions());
    let form = read(request, &state).await?;
    if let Err(r) = public_desk::rate(
        &state,
        &actor,
        client,
        &form.ticket,
        &form.secret,
        &form.satisfaction,
    )
    .await
    {
        return refused_page(form.ticket, r);
    }
    show_status(&state, client, form, Some("感谢您的评价。".into())).await
}
