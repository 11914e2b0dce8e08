//! The public complaint desk through the API, without sign-in: a form token, a submission
//! (JSON; attachments only through the page), the status behind a ticket and the rating of
//! the reply, plus the name suggestions of the form. The same checks and limits as the
//! pages ([`crate::public_desk`]): a submission needs a token from
//! `GET /api/public/complaints/token` that is at least `min_fill_seconds` and at most two
//! hours old, used once.

use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::Json;
use meijian_store::leads::status::PublicStatus;
use meijian_store::public::form;
use meijian_store::timefmt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiQuery};
use crate::error::AppResult;
use crate::public_desk::input::ComplaintInput;
use crate::public_desk::{self, limits, token};
use crate::session::anonymous_actor;
use crate::state::AppState;

/// A form token and the window in which a submission may use it.
#[derive(Serialize, ToSchema)]
pub struct FormTokenView {
    pub token: String,
    /// RFC 3339: a submission before this is refused as a robot's.
    pub not_before: String,
    pub expires_at: String,
}

/// Gets a form token for one submission.
#[utoipa::path(get, path = "/api/public/complaints/token", tag = "public",
    responses((status = 200, body = FormTokenView), (status = 429, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn form_token(
    State(state): State<AppState>,
    limits::ClientAddr(client): limits::ClientAddr,
) -> AppResult<Json<FormTokenView>> {
    let now = state.now();
    state.desk.lookups.check(&state.shared, client, now).await?;
    let min_fill = time::Duration::seconds(state.settings.complaints.min_fill_seconds.into());
    Ok(Json(FormTokenView {
        token: state.desk.tokens.issue(now),
        not_before: timefmt::to_db(now + min_fill),
        expires_at: timefmt::to_db(now + token::MAX_AGE),
    }))
}

/// A complaint or report: the token, the honeypot (leave empty) and the fields of the form.
#[derive(Deserialize, ToSchema)]
pub struct ComplaintRequest {
    /// From `GET /api/public/complaints/token`.
    pub token: String,
    /// Must be absent or empty (blank).
    #[serde(default)]
    #[schema(pattern = r"^\s*$")]
    pub extra_note: String,
    #[serde(flatten)]
    pub complaint: ComplaintInput,
}

/// The ticket, shown once: keep `ticket_code` and `secret` to look the status up.
#[derive(Serialize, ToSchema)]
pub struct PublicTicketView {
    pub ticket_code: String,
    pub secret: String,
    pub lead_code: String,
    /// The department handling it (承办部门).
    pub department: String,
    /// RFC 3339: when the acceptance decision is due.
    pub accept_due: String,
}

/// Submits a complaint or report (投诉举报) without attachments.
#[utoipa::path(post, path = "/api/public/complaints", tag = "public", request_body = ComplaintRequest,
    responses((status = 201, body = PublicTicketView), (status = 403, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody), (status = 429, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn submit_complaint(
    State(state): State<AppState>,
    request: Request,
) -> AppResult<(StatusCode, Json<PublicTicketView>)> {
    let actor = anonymous_actor(request.extensions());
    let client = limits::peer(request.extensions());
    let ApiJson(body) = ApiJson::<ComplaintRequest>::from_request(request, &state).await?;
    let parsed = body.complaint.to_new_complaint(Vec::new());
    let ticket =
        public_desk::submit(&state, actor, client, &body.token, &body.extra_note, parsed).await?;
    Ok((
        StatusCode::CREATED,
        Json(PublicTicketView {
            ticket_code: ticket.ticket_code,
            secret: ticket.secret,
            lead_code: ticket.lead_code,
            department: ticket.department_name,
            accept_due: ticket.accept_due,
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct TicketRequest {
    pub ticket_code: String,
    pub secret: String,
}

#[derive(Serialize, ToSchema)]
pub struct StepView {
    pub at: String,
    pub step: String,
    pub note: Option<String>,
}

/// What the reporter may read about their complaint.
#[derive(Serialize, ToSchema)]
pub struct ComplaintStatusView {
    pub ticket_code: String,
    pub lead_code: String,
    /// 投诉 or 举报.
    pub kind: String,
    pub category: String,
    pub department: String,
    /// 待受理, 核查中, 不予受理, 已核查, 已办结 or 已答复.
    pub state: String,
    pub received_at: String,
    pub accept_due: Option<String>,
    pub steps: Vec<StepView>,
    pub reply: Option<String>,
    pub satisfaction: Option<String>,
    /// Whether the reply may be rated now.
    pub can_rate: bool,
}

impl From<PublicStatus> for ComplaintStatusView {
    fn from(s: PublicStatus) -> Self {
        ComplaintStatusView {
            ticket_code: s.ticket_code,
            lead_code: s.lead_code,
            kind: s.kind.into(),
            category: s.category.into(),
            department: s.department,
            state: s.state.into(),
            received_at: timefmt::to_db(s.received_at),
            accept_due: s.accept_due.map(timefmt::to_db),
            steps: s
                .steps
                .into_iter()
                .map(|p| StepView {
                    at: timefmt::to_db(p.at),
                    step: p.step.into(),
                    note: p.note,
                })
                .collect(),
            reply: s.reply,
            satisfaction: s.satisfaction.map(Into::into),
            can_rate: s.can_rate,
        }
    }
}

/// The status behind a ticket; a wrong code or secret is one `invalid` answer.
#[utoipa::path(post, path = "/api/public/complaints/status", tag = "public", request_body = TicketRequest,
    responses((status = 200, body = ComplaintStatusView), (status = 403, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody),
        (status = 429, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn complaint_status(
    State(state): State<AppState>,
    request: Request,
) -> AppResult<Json<ComplaintStatusView>> {
    let client = limits::peer(request.extensions());
    let ApiJson(body) = ApiJson::<TicketRequest>::from_request(request, &state).await?;
    let status = public_desk::lookup(&state, client, &body.ticket_code, &body.secret).await?;
    Ok(Json(status.into()))
}

#[derive(Deserialize, ToSchema)]
pub struct RateRequest {
    pub ticket_code: String,
    pub secret: String,
    /// satisfied (满意), basic (基本满意) or dissatisfied (不满意).
    pub satisfaction: String,
}

/// Rates the reply, once, after it was given.
#[utoipa::path(post, path = "/api/public/complaints/rate", tag = "public", request_body = RateRequest,
    responses((status = 204), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody),
        (status = 422, body = super::ErrorBody), (status = 429, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn rate_reply(State(state): State<AppState>, request: Request) -> AppResult<StatusCode> {
    let actor = anonymous_actor(request.extensions());
    let client = limits::peer(request.extensions());
    let ApiJson(body) = ApiJson::<RateRequest>::from_request(request, &state).await?;
    public_desk::rate(
        &state,
        &actor,
        client,
        &body.ticket_code,
        &body.secret,
        &body.satisfaction,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NamesQuery {
    /// Part of the name (at least 2 characters; fewer give an empty list).
    pub q: String,
}

#[derive(Serialize, ToSchema)]
pub struct SubjectNameView {
    pub name: String,
    pub address: String,
}

/// Up to 10 names and addresses of current registrations and valid licenses, for the form;
/// limited per address to four times the status lookups.
#[utoipa::path(get, path = "/api/public/names", tag = "public", params(NamesQuery),
    responses((status = 200, body = [SubjectNameView]), (status = 422, body = super::ErrorBody),
        (status = 429, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn subject_names(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<NamesQuery>,
    request: Request,
) -> AppResult<Json<Vec<SubjectNameView>>> {
    let client = limits::peer(request.extensions());
    state
        .desk
        .names
        .check(&state.shared, client, state.now())
        .await?;
    let today = timefmt::date_cst(state.now());
    let names = form::subject_names(&state.store, &q.q, &today, 10).await?;
    Ok(Json(
        names
            .into_iter()
            .map(|n| SubjectNameView {
                name: n.name,
                address: n.address,
            })
            .collect(),
    ))
}
