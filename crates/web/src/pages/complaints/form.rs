//! 我要投诉举报: the form, its submission (multipart, with attachments) and the answer that
//! shows the ticket once. A refused submission shows the form again with everything typed
//! kept (files cannot be: the browser must send them again) and the field named.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use meijian_domain::lead::{Category, LeadKind};
use meijian_store::leads::intake::{AttachmentLimits, NewComplaint};
use meijian_store::public::form::{self, Place};
use meijian_store::timefmt;

use crate::error::{AppError, AppResult};
use crate::pages::render;
use crate::public_desk::input::{category_plain, ComplaintInput, KIND_HINT};
use crate::public_desk::{self, limits, Refused};
use crate::session::anonymous_actor;
use crate::state::AppState;
use crate::uploads;

pub struct CategoryChoice {
    pub code: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
}

#[derive(Template)]
#[template(path = "complaint_form.html")]
pub struct FormPage {
    v: ComplaintInput,
    token: String,
    /// The field and the message.
    error: Option<(String, String)>,
    categories: Vec<CategoryChoice>,
    places: Vec<Place>,
    kind_hint: &'static str,
    max_files: usize,
    max_file_size: String,
    /// The file input's `accept`.
    accept: &'static str,
    today: String,
}

impl FormPage {
    fn err(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

#[derive(Template)]
#[template(path = "complaint_done.html")]
struct DonePage {
    kind_label: &'static str,
    ticket_code: String,
    secret: String,
    lead_code: String,
    department: String,
    accept_due: String,
}

async fn form_page(
    state: &AppState,
    v: ComplaintInput,
    token: String,
    error: Option<(String, String)>,
) -> AppResult<FormPage> {
    let limits = state.settings.complaints.attachments;
    Ok(FormPage {
        v,
        token,
        error,
        categories: Category::ALL
            .iter()
            .map(|c| {
                let (label, hint) = category_plain(*c);
                CategoryChoice {
                    code: c.code(),
                    label,
                    hint,
                }
            })
            .collect(),
        places: form::places(&state.store).await?,
        kind_hint: KIND_HINT,
        max_files: limits.max_files,
        max_file_size: uploads::size_text(limits.max_file_bytes),
        accept: uploads::ACCEPT,
        today: timefmt::date_cst(state.now()),
    })
}

/// `GET /complaints/new`.
#[tracing::instrument(skip_all)]
pub async fn show_form(State(state): State<AppState>) -> AppResult<Html<String>> {
    let token = state.desk.tokens.issue(state.now());
    render(&form_page(&state, ComplaintInput::default(), token, None).await?)
}

/// A submission as read from the multipart body.
#[derive(Default)]
struct Received {
    input: ComplaintInput,
    token: String,
    honeypot: String,
    files: uploads::Files,
}

impl Received {
    fn complaint(&mut self, limits: AttachmentLimits) -> Result<NewComplaint, AppError> {
        let files = self.files.take(limits)?;
        self.input.to_new_complaint(files)
    }
}

async fn read_form(mp: Multipart, limits: AttachmentLimits) -> AppResult<Received> {
    let mut r = Received::default();
    let (input, token, honeypot) = (&mut r.input, &mut r.token, &mut r.honeypot);
    r.files = uploads::read(mp, limits, |name, text| match name {
        "_token" => *token = text,
        "extra_note" => *honeypot = text,
        "kind" => input.kind = text,
        "category" => input.category = text,
        "region_code" => input.region_code = text,
        "subject_name" => input.subject_name = text,
        "subject_address" => input.subject_address = text,
        "happened_on" => input.happened_on = text,
        "description" => input.description = text,
        "anonymous" => input.anonymous = !text.is_empty(),
        "name" => input.name = text,
        "phone" => input.phone = text,
        "address" => input.address = text,
        "email" => input.email = text,
        _ => {}
    })
    .await?;
    Ok(r)
}

/// `POST /complaints`.
#[tracing::instrument(skip_all)]
pub async fn submit_complaint(
    State(state): State<AppState>,
    request: Request,
) -> AppResult<Response> {
    let actor = anonymous_actor(request.extensions());
    let client = limits::peer(request.extensions());
    let multipart = Multipart::from_request(request, &state)
        .await
        .map_err(|_| AppError::Invalid {
            field: "表单".into(),
            message: "请从投诉举报页面提交".into(),
        })?;
    let limits = state.settings.complaints.attachments;
    let mut received = read_form(multipart, limits).await?;
    let parsed = received.complaint(limits);
    let result = public_desk::submit(
        &state,
        actor,
        client,
        &received.token,
        &received.honeypot,
        parsed,
    )
    .await;
    let refused = match result {
        Ok(ticket) => {
            let kind = LeadKind::from_code(&received.input.kind).unwrap_or(LeadKind::Complaint);
            let page = DonePage {
                kind_label: kind.label_zh(),
                ticket_code: public_desk::grouped(&ticket.ticket_code),
                secret: public_desk::grouped(&ticket.secret),
                lead_code: ticket.lead_code,
                department: ticket.department_name,
                accept_due: timefmt::display(&ticket.accept_due),
            };
            return Ok(render(&page)?.into_response());
        }
        Err(r) => r,
    };
    let new_token = match &refused {
        Refused::Honeypot => true,
        Refused::Token(e) => e.needs_new_token(),
        _ => false,
    };
    let token = if new_token {
        state.desk.tokens.issue(state.now())
    } else {
        received.token.clone()
    };
    let (status, error) = match AppError::from(refused) {
        AppError::Invalid { field, message } => {
            (StatusCode::UNPROCESSABLE_ENTITY, (field, message))
        }
        e @ AppError::TooManyRequests { .. } => {
            let info = e.info();
            (info.status, ("提交".to_string(), info.message))
        }
        other => return Err(other),
    };
    let page = form_page(&state, received.input, token, Some(error)).await?;
    Ok((status, render(&page)?).into_response())
}
