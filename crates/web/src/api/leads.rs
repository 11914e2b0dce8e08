//! Leads through the API (线索台账): the same list, record and steps as the pages, for other
//! systems (a 12345 hotline's transfer, a city dashboard). Every answer is limited to what the
//! caller may see; the reporter is masked unless the caller's department handles the lead.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use meijian_domain::lead::{Category, Channel, Finding, LeadKind, Outcome, Satisfaction, Source};
use meijian_store::leads::intake::{NewClue, NewComplaint, ReporterIn};
use meijian_store::leads::workflow::{self, extension, Conclusion, LeadCommand};
use meijian_store::leads::{
    self, deadlines, detail, intake, referral, reward, stats, suggest, Due, LeadFilter,
};
use meijian_store::timefmt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{invalid, ApiJson, ApiPath, ApiQuery};
use crate::error::AppResult;
use crate::session::CurrentUser;
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeadQuery {
    /// all | open | due_soon | overdue | closed (default all)
    pub due: Option<String>,
    /// A category code, e.g. unlicensed_practice; empty for all.
    pub category: Option<String>,
    /// Only my department's leads.
    pub mine: Option<bool>,
    /// Part of the subject's name or the lead code.
    pub q: Option<String>,
    /// Default 50.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Default 0.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct LeadPage {
    pub total: i64,
    #[schema(value_type = Vec<Object>)]
    pub leads: Vec<LeadJson>,
}

/// A lead as the API shows it: the store's lead (times RFC 3339, codes as codes). Its penalty
/// facts are its case's (`GET /api/cases?lead=…`).
#[derive(Serialize)]
pub struct LeadJson {
    #[serde(flatten)]
    pub lead: leads::Lead,
}

impl From<leads::Lead> for LeadJson {
    fn from(lead: leads::Lead) -> LeadJson {
        LeadJson { lead }
    }
}

/// A reward as the API shows it: amounts in fen (`amount_fen`, `forfeiture_fen`) and, for
/// clients of the first version, in whole yuan (rounded down).
#[derive(Serialize)]
pub struct RewardJson {
    #[serde(flatten)]
    pub reward: reward::Reward,
    pub amount_yuan: i64,
    pub forfeiture_yuan: i64,
}

impl From<reward::Reward> for RewardJson {
    fn from(reward: reward::Reward) -> RewardJson {
        RewardJson {
            amount_yuan: reward.amount_fen.fen() / 100,
            forfeiture_yuan: reward.forfeiture_fen.fen() / 100,
            reward,
        }
    }
}

/// Leads I may see, most urgent first.
#[utoipa::path(get, path = "/api/leads", tag = "leads", params(LeadQuery),
    responses((status = 200, body = LeadPage), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list_leads(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<LeadQuery>,
) -> AppResult<Json<LeadPage>> {
    let due = match q.due.as_deref().unwrap_or("all") {
        "all" => Due::All,
        "open" => Due::Open,
        "due_soon" => Due::DueSoon,
        "overdue" => Due::Overdue,
        "closed" => Due::Closed,
        _ => {
            return Err(invalid(
                "due",
                "应为 all、open、due_soon、overdue 或 closed",
            ))
        }
    };
    let category = match q.category.as_deref() {
        None | Some("") => None,
        Some(c) => Some(Category::from_code(c).ok_or_else(|| invalid("category", "未知的类别"))?),
    };
    let cal = state.calendar().await?;
    let now = state.now();
    let warn = deadlines::warn_until(&cal, now, state.settings.leads.limits.due_soon_working_days);
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(invalid("参数 limit", "应为 1–500"));
    }
    let offset = q.offset.unwrap_or(0);
    if offset < 0 {
        return Err(invalid("参数 offset", "不能为负数"));
    }
    let filter = LeadFilter {
        due,
        category,
        mine: q.mine.unwrap_or(false),
        q: q.q,
        department_id: None,
        limit,
        offset,
    };
    let (leads, total) = leads::list(&state.store, &user.scope, &filter, now, warn).await?;
    Ok(Json(LeadPage {
        total,
        leads: leads.into_iter().map(LeadJson::from).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct LeadDetail {
    #[schema(value_type = Object)]
    pub lead: LeadJson,
    /// Whether my department handles it (and so sees the reporter).
    pub handling: bool,
    #[schema(value_type = Vec<Object>)]
    pub complaints: Vec<detail::ComplaintView>,
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<workflow::Event>,
    #[schema(value_type = Vec<Object>)]
    pub referrals: Vec<referral::Referral>,
    #[schema(value_type = Vec<Object>)]
    pub supervisions: Vec<workflow::Supervision>,
    /// 延期 requests and their decisions.
    #[schema(value_type = Vec<Object>)]
    pub extensions: Vec<extension::Extension>,
    #[schema(value_type = Option<Object>)]
    pub reward: Option<RewardJson>,
}

/// One lead I may see, with its complaints, history, referrals, 督办, 延期 and reward; 404
/// otherwise.
#[utoipa::path(get, path = "/api/leads/{id}", tag = "leads",
    params(("id" = String, Path, description = "lead id")),
    responses((status = 200, body = LeadDetail), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn get_lead(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<LeadDetail>> {
    let s = &state.store;
    let lead = leads::get(s, &user.scope, &id).await?;
    Ok(Json(LeadDetail {
        handling: leads::is_handler(&user.scope, &lead),
        complaints: detail::complaints(s, &user.scope, &lead).await?,
        events: workflow::events(s, &lead).await?,
        referrals: referral::for_lead(s, &lead).await?,
        supervisions: workflow::supervisions(s, &lead).await?,
        extensions: extension::extensions(s, &lead).await?,
        reward: reward::for_lead(s, &lead).await?.map(RewardJson::from),
        lead: lead.into(),
    }))
}

/// A complaint taken by an officer (phone, letter, 12345/12315 transfer, walk-in).
#[derive(Deserialize, ToSchema)]
pub struct IntakeRequest {
    /// complaint | report
    pub kind: String,
    pub category: String,
    /// phone | letter | hotline_12345 | hotline_12315 | walk_in
    pub channel: String,
    /// The hotline's order number or the letter's number.
    #[schema(max_length = 50)]
    pub channel_ref: Option<String>,
    /// The county (区县), six digits.
    #[schema(pattern = r"^[1-8][0-9]{5}$")]
    pub region_code: String,
    #[schema(
        min_length = 2,
        max_length = 100,
        pattern = r"^\s*[^\s\u0000][^\u0000]*[^\s\u0000]\s*$"
    )]
    pub subject_name: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub subject_address: String,
    /// YYYY-MM-DD, not after today.
    #[schema(pattern = r"^((19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))?$")]
    pub happened_on: Option<String>,
    #[schema(
        min_length = 10,
        max_length = 2000,
        pattern = r"^\s*[^\s\u0000][^\u0000]{8,}[^\s\u0000]\s*$"
    )]
    pub description: String,
    /// Omit for an anonymous report.
    pub reporter: Option<ReporterRequest>,
    /// RFC 3339; when received, if earlier than now.
    #[schema(format = DateTime)]
    pub received_at: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct ReporterRequest {
    #[schema(
        min_length = 1,
        max_length = 50,
        pattern = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"
    )]
    pub name: String,
    /// A mobile number (11 digits) or a landline with its area code.
    #[schema(pattern = r"^[ -]*(1([ -]*[0-9]){10}|0([ -]*[0-9]){9,11})[ -]*$")]
    pub phone: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub address: String,
    /// Empty, or an address with `@`.
    #[serde(default)]
    #[schema(max_length = 100, pattern = r"^([^\u0000]*@[^\u0000]*)?$")]
    pub email: String,
}

#[derive(Serialize, ToSchema)]
pub struct TicketView {
    pub lead_id: String,
    pub lead_code: String,
    /// 查询码 and 查询密码 to pass to the reporter; shown once.
    pub ticket_code: String,
    pub secret: String,
    pub accept_due: String,
}

/// Takes a complaint at the desk; the lead is routed by the duty matrix.
#[utoipa::path(post, path = "/api/leads", tag = "leads", request_body = IntakeRequest,
    responses((status = 201, body = TicketView), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn take_complaint(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(r): ApiJson<IntakeRequest>,
) -> AppResult<(StatusCode, Json<TicketView>)> {
    let kind = LeadKind::from_code(&r.kind)
        .filter(|k| *k != LeadKind::Clue)
        .ok_or_else(|| invalid("kind", "应为 complaint 或 report"))?;
    let category =
        Category::from_code(&r.category).ok_or_else(|| invalid("category", "未知的类别"))?;
    let channel =
        Channel::from_code(&r.channel).ok_or_else(|| invalid("channel", "未知的受理渠道"))?;
    let received_at = match r.received_at.as_deref() {
        None | Some("") => None,
        Some(t) => {
            Some(timefmt::from_db(t).ok_or_else(|| invalid("received_at", "应为 RFC 3339 时间"))?)
        }
    };
    let c = NewComplaint {
        kind,
        category,
        channel,
        channel_ref: r.channel_ref,
        region_code: r.region_code,
        subject_name: r.subject_name,
        subject_address: r.subject_address,
        happened_on: r.happened_on,
        description: r.description,
        reporter: r.reporter.map(|p| ReporterIn {
            name: p.name,
            phone: p.phone,
            address: p.address,
            email: p.email,
        }),
        attachments: Vec::new(),
        received_at,
    };
    let cal = state.calendar().await?;
    let t = intake::take_complaint(
        &state.store,
        &user.scope,
        &cal,
        &state.settings.leads,
        state.settings.complaints.attachments,
        state.now(),
        c,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(TicketView {
            lead_id: t.lead_id,
            lead_code: t.lead_code,
            ticket_code: t.ticket_code,
            secret: t.secret,
            accept_due: t.accept_due,
        }),
    ))
}

/// A lead from inspection, monitoring or an officer's own observation.
#[derive(Deserialize, ToSchema)]
pub struct ClueRequest {
    /// inspection | monitoring | officer
    pub source: String,
    pub category: String,
    /// A county (区县) of my jurisdiction, six digits.
    #[schema(pattern = r"^[1-8][0-9]{5}$")]
    pub region_code: String,
    #[schema(
        min_length = 2,
        max_length = 100,
        pattern = r"^\s*[^\s\u0000][^\u0000]*[^\s\u0000]\s*$"
    )]
    pub subject_name: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub subject_address: String,
    #[schema(
        min_length = 5,
        max_length = 2000,
        pattern = r"^\s*[^\s\u0000][^\u0000]{3,}[^\s\u0000]\s*$"
    )]
    pub summary: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedLead {
    pub lead_id: String,
    pub lead_code: String,
    /// The department the duty matrix gives it to, when another: the lead was referred there.
    pub referred_to: Option<String>,
}

/// Records a lead found in the departments' own work; routed by the duty matrix.
#[utoipa::path(post, path = "/api/leads/clues", tag = "leads", request_body = ClueRequest,
    responses((status = 201, body = CreatedLead), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn record_clue(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(r): ApiJson<ClueRequest>,
) -> AppResult<(StatusCode, Json<CreatedLead>)> {
    let source = Source::from_code(&r.source)
        .ok_or_else(|| invalid("source", "应为 inspection、monitoring 或 officer"))?;
    let category =
        Category::from_code(&r.category).ok_or_else(|| invalid("category", "未知的类别"))?;
    let cal = state.calendar().await?;
    let r = intake::record_clue(
        &state.store,
        &user.scope,
        &cal,
        &state.settings.leads,
        state.now(),
        NewClue {
            source,
            category,
            region_code: r.region_code,
            subject_name: r.subject_name,
            subject_address: r.subject_address,
            summary: r.summary,
        },
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedLead {
            lead_id: r.lead_id,
            lead_code: r.lead_code,
            referred_to: r.referred_to,
        }),
    ))
}

/// One step on a lead. Texts count characters after leading and trailing spaces are removed.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum LeadAction {
    Accept,
    Decline {
        #[schema(
            min_length = 4,
            max_length = 500,
            pattern = r"^\s*[^\s\u0000][^\u0000]{2,}[^\s\u0000]\s*$"
        )]
        reason: String,
    },
    /// finding: substantiated | partly | unfounded
    Verify {
        finding: String,
        #[schema(
            min_length = 4,
            max_length = 2000,
            pattern = r"^\s*[^\s\u0000][^\u0000]{2,}[^\s\u0000]\s*$"
        )]
        note: String,
    },
    /// outcome: penalty | corrected | mediated | criminal | no_violation; fines and
    /// confiscations only with a penalty.
    Conclude {
        outcome: String,
        #[schema(
            min_length = 4,
            max_length = 2000,
            pattern = r"^\s*[^\s\u0000][^\u0000]{2,}[^\s\u0000]\s*$"
        )]
        note: String,
    },
    Reply {
        #[schema(
            min_length = 4,
            max_length = 2000,
            pattern = r"^\s*[^\s\u0000][^\u0000]{2,}[^\s\u0000]\s*$"
        )]
        text: String,
    },
    /// satisfaction: satisfied | basic | dissatisfied
    Satisfaction {
        satisfaction: String,
    },
    LinkOperator {
        operator_id: String,
    },
    Refer {
        to_department_id: String,
        #[schema(
            min_length = 4,
            max_length = 1000,
            pattern = r"^\s*[^\s\u0000][^\u0000]{2,}[^\s\u0000]\s*$"
        )]
        reason: String,
    },
    Supervise {
        #[schema(
            min_length = 2,
            max_length = 500,
            pattern = r"^\s*[^\s\u0000][^\u0000]*[^\s\u0000]\s*$"
        )]
        note: String,
    },
    /// 申请延期 of the verification or conclusion limit the lead waits for.
    RequestExtension {
        #[schema(
            min_length = 4,
            max_length = 500,
            pattern = r"^\s*[^\s\u0000][^\u0000]{2,}[^\s\u0000]\s*$"
        )]
        reason: String,
    },
    /// 审批延期, by a leader; a refusal needs a note (2 characters at least).
    DecideExtension {
        grant: bool,
        #[serde(default)]
        note: String,
    },
    /// level: index into the configured reward levels (0 = 一级).
    ProposeReward {
        #[serde(deserialize_with = "super::integral")]
        level: usize,
    },
}

/// Takes a step on a lead; the answer is the lead afterwards.
#[utoipa::path(post, path = "/api/leads/{id}/actions", tag = "leads", request_body = LeadAction,
    params(("id" = String, Path, description = "lead id")),
    responses((status = 200, body = LeadDetail), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn act_on_lead(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(action): ApiJson<LeadAction>,
) -> AppResult<Json<LeadDetail>> {
    let (s, sc, now) = (&state.store, &user.scope, state.now());
    let rules = &state.settings.leads;
    let cal = state.calendar().await?;
    let command = match action {
        LeadAction::Accept => LeadCommand::Accept,
        LeadAction::Decline { reason } => LeadCommand::Decline { reason },
        LeadAction::Verify { finding, note } => LeadCommand::Verify {
            finding: Finding::from_code(&finding)
                .ok_or_else(|| invalid("finding", "未知的核查结论"))?,
            note,
        },
        LeadAction::Conclude { outcome, note } => LeadCommand::Conclude(Conclusion {
            outcome: Outcome::from_code(&outcome)
                .ok_or_else(|| invalid("outcome", "未知的办理结果"))?,
            note,
        }),
        LeadAction::Reply { text } => LeadCommand::Reply { text },
        LeadAction::Satisfaction { satisfaction } => LeadCommand::Satisfaction(
            Satisfaction::from_code(&satisfaction)
                .ok_or_else(|| invalid("satisfaction", "未知的满意度"))?,
        ),
        LeadAction::LinkOperator { operator_id } => LeadCommand::Link { operator_id },
        LeadAction::Refer {
            to_department_id,
            reason,
        } => LeadCommand::Refer {
            to_department_id,
            reason,
        },
        LeadAction::Supervise { note } => LeadCommand::Supervise { note },
        LeadAction::RequestExtension { reason } => LeadCommand::Extend { reason },
        LeadAction::DecideExtension { grant, note } => LeadCommand::Extension { grant, note },
        LeadAction::ProposeReward { level } => LeadCommand::Reward { level },
    };
    workflow::act(s, sc, &cal, rules, now, &id, command).await?;
    get_lead(State(state), user, ApiPath(id)).await
}

/// Operators of the latest cross-check the lead may be about, best first.
#[utoipa::path(get, path = "/api/leads/{id}/suggestions", tag = "leads",
    params(("id" = String, Path, description = "lead id")),
    responses((status = 200, body = [Object]), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn lead_suggestions(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<Vec<suggest::Suggestion>>> {
    Ok(Json(
        suggest::suggestions(&state.store, &user.scope, &id).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    /// YYYY-MM, a month in China time (2000–2100).
    #[param(pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$")]
    pub month: String,
}

/// The complaint line of the 汇总表 per district for a month, with a total row (empty region).
#[utoipa::path(get, path = "/api/leads/summary", tag = "leads", params(SummaryQuery),
    responses((status = 200, body = [Object]), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn summary(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<SummaryQuery>,
) -> AppResult<Json<Vec<stats::ComplaintCounts>>> {
    let exact = q.month.len() == 7
        && q.month.bytes().enumerate().all(|(i, b)| {
            if i == 4 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let (from, to) = Some(q.month.as_str())
        .filter(|_| exact)
        .and_then(timefmt::parse_month)
        .and_then(|(y, m)| timefmt::month_bounds(y, m))
        .and_then(|(from, to)| Some((timefmt::from_db(&from)?, timefmt::from_db(&to)?)))
        .ok_or_else(|| invalid("month", "应为 YYYY-MM（2000–2100 年）"))?;
    Ok(Json(
        stats::complaint_counts(&state.store, &user.scope, from, to).await?,
    ))
}
