//! The JSON API: the same actions as the pages, for other systems and scripts, described by
//! the OpenAPI document at `/api/openapi.json`. Authentication is the session cookie
//! (`POST /api/session`); unsafe methods need the `X-CSRF-Token` header it returns.

pub mod audit;
pub mod case_import;
pub mod case_transfers;
pub mod cases;
pub mod complaints;
pub mod departments;
pub mod leads;
pub mod operators;
pub mod public;
pub mod referrals;
pub mod registries;
pub mod session;
pub mod spec;
pub mod typical_cases;
pub mod users;

use axum::routing::{get, post, put};
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "医美综合监管平台 API",
        description = "Meijian JSON API. Every list and record is limited to the caller's jurisdiction."
    ),
    paths(
        session::create_session,
        session::delete_session,
        session::me,
        session::dashboard,
        departments::list_departments,
        departments::get_department,
        departments::create_department,
        users::list_users,
        users::get_user,
        users::create_user,
        users::act_on_user,
        users::bind_operator,
        audit::list_audit,
        public::lookup,
        leads::list_leads,
        leads::get_lead,
        leads::take_complaint,
        leads::record_clue,
        leads::act_on_lead,
        leads::lead_suggestions,
        referrals::list_referrals,
        referrals::act_on_referral,
        leads::summary,
        complaints::form_token,
        complaints::submit_complaint,
        complaints::complaint_status,
        complaints::rate_reply,
        complaints::subject_names,
        registries::list_records,
        registries::get_record,
        operators::search_operators,
        operators::get_operator,
        operators::act_on_operator,
        operators::register_provisional,
        cases::list_cases,
        cases::open_case,
        cases::get_case,
        cases::act_on_case,
        cases::evidence_file,
        cases::legal_basis,
        case_transfers::list_transfers,
        case_transfers::propose_transfer,
        case_transfers::act_on_transfer,
        case_transfers::finish_task,
        case_transfers::ask,
        case_transfers::answer,
        case_transfers::waiting,
        typical_cases::get_typical,
        typical_cases::save_typical,
        typical_cases::publish_typical,
        typical_cases::typical_docx,
        case_import::import_history,
        crate::health::healthz,
    ),
    components(schemas(
        session::LoginRequest,
        session::SessionView,
        session::MeView,
        session::CountsView,
        departments::DepartmentView,
        departments::DepartmentDetail,
        departments::NewDepartmentRequest,
        users::UserView,
        users::NewUserRequest,
        users::CreatedUser,
        users::BindOperatorRequest,
        leads::LeadPage,
        leads::LeadDetail,
        leads::IntakeRequest,
        leads::ReporterRequest,
        leads::TicketView,
        leads::ClueRequest,
        leads::CreatedLead,
        leads::LeadAction,
        referrals::ReferralAction,
        complaints::FormTokenView,
        complaints::ComplaintRequest,
        crate::public_desk::input::ComplaintInput,
        complaints::PublicTicketView,
        complaints::TicketRequest,
        complaints::ComplaintStatusView,
        complaints::StepView,
        complaints::RateRequest,
        complaints::SubjectNameView,
        operators::OperatorView,
        operators::OperatorPage,
        operators::OperatorFile,
        operators::RecordOfView,
        operators::ClassView,
        operators::EventView,
        operators::LeadOfView,
        operators::OperatorAction,
        operators::ProvisionalRequest,
        cases::CaseView,
        cases::CaseRow,
        cases::CasePage,
        cases::CasePartyView,
        cases::CaseActionView,
        cases::LegalBasisView,
        cases::CaseEvidenceView,
        cases::CaseLeadView,
        cases::CaseGrantView,
        cases::CaseMeetingView,
        cases::CaseEventView,
        cases::CaseDetail,
        cases::CasePartyRequest,
        cases::OpenCaseRequest,
        cases::CaseApiAction,
        case_transfers::TransferView,
        case_transfers::PoliceTaskView,
        case_transfers::ConsultationView,
        case_transfers::CaseTransfers,
        case_transfers::WaitingTransfer,
        case_transfers::ProposeTransfer,
        case_transfers::TransferAction,
        case_transfers::FinishTask,
        case_transfers::AskConsultation,
        case_transfers::AnswerConsultation,
        typical_cases::TypicalCaseView,
        typical_cases::TypicalTextView,
        typical_cases::ReplacementView,
        typical_cases::SaveTypicalRequest,
        typical_cases::PublishTypicalRequest,
        case_import::HistoryImportView,
        case_import::RejectedRowView,
        ErrorBody,
        ErrorDetail,
    ))
)]
pub struct ApiDoc;

/// A 422 for a request field the API reads itself (codes, dates), named as the request names it.
pub(crate) fn invalid(field: &str, message: &str) -> crate::error::AppError {
    crate::error::AppError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// The page and page size of a list request: page 1–1,000,000 (default 1), 1–500 rows a page
/// (default 50).
pub(crate) fn paging(
    page: Option<i64>,
    per_page: Option<i64>,
) -> Result<(i64, i64), crate::error::AppError> {
    let per_page = per_page.unwrap_or(50);
    if !(1..=500).contains(&per_page) {
        return Err(invalid("参数 per_page", "应为 1–500"));
    }
    let page = page.unwrap_or(1);
    if !(1..=1_000_000).contains(&page) {
        return Err(invalid("参数 page", "应为 1–1000000"));
    }
    Ok((page, per_page))
}

/// Error body of every failed API call.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable code: not_found, forbidden, unauthenticated, csrf, invalid, conflict, rate_limited, unavailable, internal.
    pub code: String,
    /// Message in Chinese.
    pub message: String,
    pub request_id: String,
}

/// `Json` whose rejections (bad syntax, wrong types, wrong content type) answer in the API's
/// error format, like every other failure.
pub struct ApiJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = crate::error::AppError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(crate::error::AppError::Invalid {
                field: "请求体".into(),
                message: e.body_text(),
            }),
        }
    }
}

/// An integer of a JSON body, also when written as a number with a zero fraction (`788.0`):
/// JSON Schema's `integer` includes it, and so does this API.
pub(crate) fn integral<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: TryFrom<i64>,
{
    use serde::de::Error;
    let n = <serde_json::Number as serde::Deserialize>::deserialize(deserializer)?;
    let whole = n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    });
    whole
        .and_then(|i| T::try_from(i).ok())
        .ok_or_else(|| D::Error::custom(format!("{n} is not an integer in range")))
}

/// `Query` whose rejections answer in the API's error format: 422 `invalid`, naming the
/// parameter in Chinese (`参数 limit：应为整数`).
pub struct ApiQuery<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = crate::error::AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(ApiQuery)
            .map_err(|e| {
                let inner = e.inner().to_string();
                let path = e.path().to_string();
                let name = if path.is_empty() || path == "." {
                    // A missing or repeated parameter is reported on the whole query.
                    quoted(&inner).unwrap_or("查询参数").to_string()
                } else {
                    path
                };
                invalid(&format!("参数 {name}"), query_problem(&inner))
            })
    }
}

/// The first name in backticks of a serde message (``missing field `q` ``).
fn quoted(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once('`')?;
    rest.split_once('`').map(|(name, _)| name)
}

/// A serde message about a query parameter, in Chinese.
fn query_problem(message: &str) -> &'static str {
    if message.starts_with("missing field") {
        "缺少此参数"
    } else if message.starts_with("duplicate field") {
        "只能出现一次"
    } else if message.contains("`true` or `false`") {
        "应为 true 或 false"
    } else if message.contains("integer")
        || message.contains("digit")
        || message.contains("target type")
    {
        "应为整数"
    } else if message.contains("float") {
        "应为数字"
    } else if message.starts_with("unknown variant") {
        "不是可选的值"
    } else {
        "取值无效"
    }
}

/// `Path` whose rejections (text that is not UTF-8, a value of the wrong type) answer in the
/// API's error format: 422 `invalid`, naming the parameter.
pub struct ApiPath<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = crate::error::AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        use axum::extract::path::ErrorKind;
        use axum::extract::rejection::PathRejection;
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => Err(match e.into_kind() {
                ErrorKind::InvalidUtf8InPathParam { key } => {
                    invalid(&format!("路径参数 {key}"), "不是有效的 UTF-8 文本")
                }
                ErrorKind::ParseErrorAtKey { key, .. }
                | ErrorKind::DeserializeError { key, .. } => {
                    invalid(&format!("路径参数 {key}"), "格式不正确")
                }
                _ => invalid("路径参数", "格式不正确"),
            }),
            Err(e) => Err(crate::error::AppError::Internal(format!(
                "path parameters: {}",
                e.body_text()
            ))),
        }
    }
}

async fn openapi_json(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Json<serde_json::Value> {
    Json(spec::document_for(&state.settings))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/openapi.json", get(openapi_json))
        .route(
            "/api/session",
            post(session::create_session).delete(session::delete_session),
        )
        .route("/api/me", get(session::me))
        .route("/api/dashboard", get(session::dashboard))
        .route(
            "/api/departments",
            get(departments::list_departments).post(departments::create_department),
        )
        .route("/api/departments/{id}", get(departments::get_department))
        .route(
            "/api/users",
            get(users::list_users).post(users::create_user),
        )
        .route("/api/users/{id}", get(users::get_user))
        .route("/api/users/{id}/actions", post(users::act_on_user))
        .route("/api/users/{id}/operator", put(users::bind_operator))
        .route("/api/audit", get(audit::list_audit))
        .route(
            "/api/leads",
            get(leads::list_leads).post(leads::take_complaint),
        )
        .route("/api/leads/clues", post(leads::record_clue))
        .route("/api/leads/summary", get(leads::summary))
        .route("/api/leads/{id}", get(leads::get_lead))
        .route("/api/leads/{id}/actions", post(leads::act_on_lead))
        .route("/api/leads/{id}/suggestions", get(leads::lead_suggestions))
        .route("/api/referrals", get(referrals::list_referrals))
        .route(
            "/api/referrals/{id}/actions",
            post(referrals::act_on_referral),
        )
        .route("/api/public/{kind}", get(public::lookup))
        .route("/api/public/names", get(complaints::subject_names))
        .route("/api/public/complaints/token", get(complaints::form_token))
        .route("/api/public/complaints", post(complaints::submit_complaint))
        .route(
            "/api/public/complaints/status",
            post(complaints::complaint_status),
        )
        .route("/api/public/complaints/rate", post(complaints::rate_reply))
        .route("/api/registries/{code}", get(registries::list_records))
        .route("/api/records/{id}", get(registries::get_record))
        .route("/api/operators", get(operators::search_operators))
        .route(
            "/api/operators/provisional",
            post(operators::register_provisional),
        )
        .route("/api/operators/{id}", get(operators::get_operator))
        .route(
            "/api/operators/{id}/actions",
            post(operators::act_on_operator),
        )
        .route("/api/cases", get(cases::list_cases).post(cases::open_case))
        .route("/api/cases/{id}", get(cases::get_case))
        .route("/api/cases/{id}/actions", post(cases::act_on_case))
        .route(
            "/api/cases/{id}/evidence/{evidence_id}",
            get(cases::evidence_file),
        )
        .route("/api/legal-basis", get(cases::legal_basis))
        .route(
            "/api/cases/{id}/transfers",
            get(case_transfers::list_transfers).post(case_transfers::propose_transfer),
        )
        .route(
            "/api/cases/{id}/transfers/{transfer_id}/actions",
            post(case_transfers::act_on_transfer),
        )
        .route(
            "/api/cases/{id}/police-tasks/{task_id}/done",
            post(case_transfers::finish_task),
        )
        .route("/api/cases/{id}/consultations", post(case_transfers::ask))
        .route(
            "/api/cases/{id}/consultations/{consultation_id}/answer",
            post(case_transfers::answer),
        )
        .route("/api/transfers/waiting", get(case_transfers::waiting))
        .route(
            "/api/cases/{id}/typical",
            get(typical_cases::get_typical).put(typical_cases::save_typical),
        )
        .route(
            "/api/cases/{id}/typical/publish",
            post(typical_cases::publish_typical),
        )
        .route(
            "/api/cases/{id}/typical.docx",
            get(typical_cases::typical_docx),
        )
        // The file is streamed to disk and checked against `max_upload_bytes` there, as the
        // page's upload is.
        .route(
            "/api/cases/import/{kind}",
            post(case_import::import_history).layer(axum::extract::DefaultBodyLimit::disable()),
        )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[derive(serde::Deserialize)]
    struct Level {
        #[serde(deserialize_with = "super::integral")]
        level: usize,
    }

    #[test]
    fn integers_with_a_zero_fraction_are_integers() {
        let level = |json: &str| serde_json::from_str::<Level>(json).map(|l| l.level);
        assert_eq!(level(r#"{"level": 2}"#).unwrap(), 2);
        assert_eq!(level(r#"{"level": 788.0}"#).unwrap(), 788);
        assert!(level(r#"{"level": 1.5}"#).is_err());
        assert!(level(r#"{"level": -1}"#).is_err());
        assert!(level(r#"{"level": 1e300}"#).is_err());
        assert!(level(r#"{"level": "2"}"#).is_err());
    }

    #[test]
    fn query_problems_in_chinese() {
        assert_eq!(super::quoted("missing field `q`"), Some("q"));
        assert_eq!(super::query_problem("missing field `q`"), "缺少此参数");
        assert_eq!(
            super::query_problem("invalid digit found in string"),
            "应为整数"
        );
        assert_eq!(
            super::query_problem("provided string was not `true` or `false`"),
            "应为 true 或 false"
        );
    }
}
