//! 受理登记: a complaint taken at the desk (phone, letter, 12345/12315 transfer, walk-in). The
//! duty matrix routes it; the result page says to which department and shows the ticket code
//! and secret once, for the officer to pass to the reporter. The form is multipart: letters
//! come with photos and receipts, transfers with PDFs, attached as on the public form (the
//! CSRF token rides in the action URL). A form with a mistake comes back filled in, with the
//! store's message; the files must be chosen again.

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use meijian_domain::lead::{Category, Channel, LeadKind};
use meijian_domain::role::Permission;
use meijian_store::leads::intake::{
    self, AttachmentIn, AttachmentLimits, NewComplaint, ReporterIn,
};
use meijian_store::timefmt;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use super::{checked, counties, form_error, with_status};
use crate::chrome::Chrome;
use crate::error::{AppError, AppResult};
use crate::pages::render;
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::uploads;

/// The channels of the desk: every one but the public page.
fn desk_channels() -> Vec<(&'static str, &'static str)> {
    Channel::ALL
        .iter()
        .filter(|c| **c != Channel::Online)
        .map(|c| (c.code(), c.label_zh()))
        .collect()
}

pub(super) fn categories() -> Vec<(&'static str, &'static str)> {
    Category::ALL
        .iter()
        .map(|c| (c.code(), c.label_zh()))
        .collect()
}

/// `2026-11-20T10:00` (a `datetime-local` field) in China time.
fn datetime_local(t: OffsetDateTime) -> String {
    let t = t.to_offset(timefmt::cst());
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// The received time as typed, in China time; empty means now.
fn parse_received(s: &str) -> AppResult<Option<OffsetDateTime>> {
    let s = s.trim().replace(' ', "T");
    if s.is_empty() {
        return Ok(None);
    }
    let minutes = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let seconds = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    PrimitiveDateTime::parse(&s, &minutes)
        .or_else(|_| PrimitiveDateTime::parse(&s, &seconds))
        .map(|t| Some(t.assume_offset(timefmt::cst())))
        .map_err(|_| AppError::Invalid {
            field: "收到时间".into(),
            message: "格式应为 2026-11-20 10:00".into(),
        })
}

/// The complaint form as typed.
#[derive(Default, Clone)]
pub struct ComplaintForm {
    pub channel: String,
    pub channel_ref: String,
    pub received_at: String,
    pub kind: String,
    pub category: String,
    pub region_code: String,
    pub subject_name: String,
    pub subject_address: String,
    pub happened_on: String,
    pub description: String,
    pub anonymous: String,
    pub reporter_name: String,
    pub reporter_phone: String,
    pub reporter_address: String,
    pub reporter_email: String,
}

impl ComplaintForm {
    /// Takes the text field `name` of the multipart body.
    fn set(&mut self, name: &str, value: String) {
        let slot = match name {
            "channel" => &mut self.channel,
            "channel_ref" => &mut self.channel_ref,
            "received_at" => &mut self.received_at,
            "kind" => &mut self.kind,
            "category" => &mut self.category,
            "region_code" => &mut self.region_code,
            "subject_name" => &mut self.subject_name,
            "subject_address" => &mut self.subject_address,
            "happened_on" => &mut self.happened_on,
            "description" => &mut self.description,
            "anonymous" => &mut self.anonymous,
            "reporter_name" => &mut self.reporter_name,
            "reporter_phone" => &mut self.reporter_phone,
            "reporter_address" => &mut self.reporter_address,
            "reporter_email" => &mut self.reporter_email,
            _ => return,
        };
        *slot = value;
    }

    fn parse(&self, attachments: Vec<AttachmentIn>) -> AppResult<NewComplaint> {
        let pick = |field: &str, message: &str| AppError::Invalid {
            field: field.into(),
            message: message.into(),
        };
        let channel =
            Channel::from_code(&self.channel).ok_or_else(|| pick("受理渠道", "请选择受理渠道"))?;
        let kind = LeadKind::from_code(&self.kind)
            .filter(|k| *k != LeadKind::Clue)
            .ok_or_else(|| pick("类型", "请选择投诉或举报"))?;
        let category =
            Category::from_code(&self.category).ok_or_else(|| pick("类别", "请选择违法类别"))?;
        let reporter = (!checked(&self.anonymous)).then(|| ReporterIn {
            name: self.reporter_name.clone(),
            phone: self.reporter_phone.clone(),
            address: self.reporter_address.clone(),
            email: self.reporter_email.clone(),
        });
        Ok(NewComplaint {
            kind,
            category,
            channel,
            channel_ref: Some(self.channel_ref.clone()),
            region_code: self.region_code.trim().to_string(),
            subject_name: self.subject_name.clone(),
            subject_address: self.subject_address.clone(),
            happened_on: Some(self.happened_on.clone()),
            description: self.description.clone(),
            reporter,
            attachments,
            received_at: parse_received(&self.received_at)?,
        })
    }
}

#[derive(Template)]
#[template(path = "leads_new.html")]
struct ComplaintPage {
    chrome: Chrome,
    error: Option<String>,
    form: ComplaintForm,
    channels: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    regions: Vec<(String, String)>,
    anonymous: bool,
    /// The file input's `accept`.
    accept: &'static str,
    max_files: usize,
    max_file_size: String,
}

fn complaint_page(
    user: &CurrentUser,
    limits: AttachmentLimits,
    form: ComplaintForm,
    error: Option<String>,
) -> ComplaintPage {
    ComplaintPage {
        chrome: Chrome::new(user, "/leads/new"),
        error,
        anonymous: checked(&form.anonymous),
        form,
        channels: desk_channels(),
        categories: categories(),
        regions: counties(user),
        accept: uploads::ACCEPT,
        max_files: limits.max_files,
        max_file_size: uploads::size_text(limits.max_file_bytes),
    }
}

#[tracing::instrument(skip_all)]
pub async fn show_complaint_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Response> {
    user.scope.require(Permission::HandleLeads)?;
    let regions = counties(&user);
    let form = ComplaintForm {
        channel: Channel::Phone.code().into(),
        kind: LeadKind::Complaint.code().into(),
        received_at: datetime_local(state.now()),
        region_code: if regions.len() == 1 {
            regions[0].0.clone()
        } else {
            String::new()
        },
        ..ComplaintForm::default()
    };
    let limits = state.settings.complaints.attachments;
    with_status(StatusCode::OK, &complaint_page(&user, limits, form, None))
}

/// What the result page says about the new lead.
pub(super) struct Routed {
    pub lead_id: String,
    pub lead_code: String,
    pub department_name: String,
    /// The user may open the lead: it went to their own department, or they are a leader.
    pub visible: bool,
    /// The department a recorded lead was referred to by the duty matrix.
    pub referred_to: Option<String>,
}

pub(super) fn visible(user: &CurrentUser, department_id: &str) -> bool {
    user.scope.department_id.as_deref() == Some(department_id)
        || user.scope.can(Permission::SuperviseDeadlines)
}

#[derive(Template)]
#[template(path = "leads_recorded.html")]
pub(super) struct RecordedPage {
    pub chrome: Chrome,
    pub routed: Routed,
    /// 查询码 and 查询密码 of a complaint, shown this once.
    pub ticket: Option<(String, String)>,
    pub accept_due: String,
}

/// Reads the form and its files; the form as far as it was read even when the body broke off.
async fn read_form(
    multipart: Result<Multipart, MultipartRejection>,
    limits: AttachmentLimits,
) -> (ComplaintForm, AppResult<NewComplaint>) {
    let mut form = ComplaintForm::default();
    let Ok(multipart) = multipart else {
        let e = AppError::Invalid {
            field: "表单".into(),
            message: "请从受理登记页面提交".into(),
        };
        return (form, Err(e));
    };
    let files = uploads::read(multipart, limits, |name, value| form.set(name, value)).await;
    let parsed = files
        .and_then(|mut f| f.take(limits))
        .and_then(|attachments| form.parse(attachments));
    (form, parsed)
}

#[tracing::instrument(skip_all)]
pub async fn take_complaint(
    State(state): State<AppState>,
    user: CurrentUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    user.scope.require(Permission::HandleLeads)?;
    let limits = state.settings.complaints.attachments;
    let (form, parsed) = read_form(multipart, limits).await;
    let cal = state.calendar().await?;
    let result = match parsed {
        Ok(c) => intake::take_complaint(
            &state.store,
            &user.scope,
            &cal,
            &state.settings.leads,
            limits,
            state.now(),
            c,
        )
        .await
        .map_err(AppError::from),
        Err(e) => Err(e),
    };
    let ticket = match result {
        Ok(t) => t,
        Err(e) => {
            let message = form_error(e)?;
            return with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &complaint_page(&user, limits, form, Some(message)),
            );
        }
    };
    tracing::info!(lead = %ticket.lead_id, "complaint taken at the desk");
    let page = RecordedPage {
        chrome: Chrome::new(&user, "/leads/new"),
        routed: Routed {
            visible: visible(&user, &ticket.department_id),
            lead_id: ticket.lead_id,
            lead_code: ticket.lead_code,
            department_name: ticket.department_name,
            referred_to: None,
        },
        ticket: Some((ticket.ticket_code, ticket.secret)),
        accept_due: timefmt::display(&ticket.accept_due),
    };
    // The secret is on this page: no cache may keep it.
    Ok(([(header::CACHE_CONTROL, "no-store")], render(&page)?).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn received_time_is_china_time() {
        let t = parse_received("2026-11-20T10:00").ok().flatten();
        assert_eq!(t, Some(datetime!(2026-11-20 02:00 UTC)));
        let t = parse_received("2026-11-20 10:00").ok().flatten();
        assert_eq!(t, Some(datetime!(2026-11-20 02:00 UTC)));
        assert!(matches!(parse_received(""), Ok(None)));
        assert!(parse_received("20.11.2026").is_err());
        assert_eq!(
            datetime_local(datetime!(2026-11-20 02:00 UTC)),
            "2026-11-20T10:00"
        );
    }
}
