//! Cases (案件) through the API: the list, 立案, one case with everything recorded on it, every
//! step of its handling, its evidence files and the list of legal provisions. The same store
//! calls as the pages; which step may be taken when is the domain's workflow table. Every
//! change names the `version` of the case the client saw: a stale one is a 409 and changes
//! nothing. Money is in fen (`*_fen`), with yuan as text (`*_yuan`, “12,500.00”) beside it.
//!
//! Evidence is read here but not uploaded: the JSON API has no multipart upload yet (the case
//! page takes files).

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use meijian_domain::case::workflow::CaseStep;
use meijian_domain::case::{
    ActionInput, CaseOrigin, CaseRules, PartyKind, PenaltyKind, Severity, Stage,
};
use meijian_domain::lead::{Category, Fen};
use meijian_store::cases::open::{NewCase, NewParty};
use meijian_store::cases::workflow::CaseCommand;
use meijian_store::cases::{
    self, basis, evidence, open, parties, share, shown_id_number, workflow, Case, Filter,
};
use meijian_store::leads::intake::stored_file_name;
use meijian_store::timefmt;
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};

use super::{invalid, ApiJson, ApiPath, ApiQuery};
use crate::error::{AppError, AppResult};
use crate::session::CurrentUser;
use crate::state::AppState;

/// The case time limits of the configuration (`[cases]`).
fn rules(state: &AppState) -> CaseRules {
    state.settings.cases.clone()
}

/// A `YYYY-MM-DD` day of a request; a malformed one is a 422 naming the field.
pub(super) fn day(field: &str, text: &str) -> AppResult<Date> {
    timefmt::day_from_db(text.trim())
        .ok_or_else(|| invalid(field, "应为 YYYY-MM-DD 格式的日期，如 2026-11-20"))
}

/// A code of a request, or a 422 naming the field.
pub(super) fn code<T>(field: &str, text: &str, from: impl Fn(&str) -> Option<T>) -> AppResult<T> {
    from(text.trim()).ok_or_else(|| invalid(field, "不是可选的值"))
}

/// A case as the API shows it: codes as codes (with their Chinese labels), days as
/// `YYYY-MM-DD`, instants as RFC 3339.
#[derive(Serialize, ToSchema)]
pub struct CaseView {
    pub id: String,
    /// 案件编号.
    pub case_no: String,
    pub title: String,
    pub category: String,
    pub category_label: String,
    /// complaint | inspection | random_inspection | monitoring | referral | other
    pub origin: String,
    pub origin_label: String,
    /// filed | investigating | notified | decided | executing | closed | withdrawn
    pub stage: String,
    pub stage_label: String,
    pub region_code: String,
    /// The handling department; null for a history case of an authority not in the system.
    pub department_id: Option<String>,
    /// 办案机关.
    pub authority: String,
    pub violation: String,
    pub filed_on: String,
    /// The decision limit (RFC 3339); null once decided, and for history cases.
    pub decide_due: Option<String>,
    /// Past the decision limit without a decision.
    pub overdue: bool,
    /// requested | granted | refused
    pub extension_state: Option<String>,
    pub extension_reason: Option<String>,
    pub notified_on: Option<String>,
    /// The party asked for a hearing (听证).
    pub hearing: bool,
    pub defence_note: Option<String>,
    pub decided_on: Option<String>,
    pub closed_on: Option<String>,
    pub close_note: Option<String>,
    pub withdrawn_at: Option<String>,
    pub withdraw_reason: Option<String>,
    /// officer | history
    pub source: String,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    /// Name it in every change.
    pub version: i64,
}

impl CaseView {
    fn new(c: Case, now: time::OffsetDateTime) -> CaseView {
        CaseView {
            overdue: c.overdue(now),
            category: c.category.code().into(),
            category_label: c.category.label_zh().into(),
            origin: c.origin.code().into(),
            origin_label: c.origin.label_zh().into(),
            stage: c.stage.code().into(),
            stage_label: c.stage.label_zh().into(),
            filed_on: timefmt::day_to_db(c.filed_on),
            decide_due: c.decide_due.map(timefmt::to_db),
            extension_state: c.extension_state.map(|s| s.code().into()),
            notified_on: c.notified_on.map(timefmt::day_to_db),
            decided_on: c.decided_on.map(timefmt::day_to_db),
            closed_on: c.closed_on.map(timefmt::day_to_db),
            withdrawn_at: c.withdrawn_at.map(timefmt::to_db),
            source: c.source.code().into(),
            created_at: timefmt::to_db(c.created_at),
            updated_at: timefmt::to_db(c.updated_at),
            id: c.id,
            case_no: c.case_no,
            title: c.title,
            region_code: c.region_code,
            department_id: c.department_id,
            authority: c.authority,
            violation: c.violation,
            extension_reason: c.extension_reason,
            hearing: c.hearing,
            defence_note: c.defence_note,
            close_note: c.close_note,
            withdraw_reason: c.withdraw_reason,
            created_by: c.created_by,
            version: c.version,
        }
    }
}

/// One row of the list: the case, its parties' names and what was fined and confiscated.
#[derive(Serialize, ToSchema)]
pub struct CaseRow {
    pub case: CaseView,
    /// The parties' names, e.g. “某某美容院 等2个”.
    pub parties: String,
    /// 罚款 + 没收违法所得 decided, in fen.
    pub forfeiture_fen: i64,
    /// The same in yuan, “12,500.00”.
    pub forfeiture_yuan: String,
}

#[derive(Serialize, ToSchema)]
pub struct CasePage {
    pub total: i64,
    pub cases: Vec<CaseRow>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// A region of my jurisdiction (six digits): its cases and those below it.
    pub region: Option<String>,
    /// A stage code; empty for all.
    pub stage: Option<String>,
    /// A category code; empty for all.
    pub category: Option<String>,
    /// An origin code; empty for all.
    pub origin: Option<String>,
    /// Only cases past their decision limit.
    pub overdue: Option<bool>,
    /// Part of the case number, the title or a party's name.
    pub q: Option<String>,
    /// Cases with this operator (主体编号) as a party.
    pub operator_id: Option<String>,
    /// Default 50.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// Default 0.
    #[param(minimum = 0)]
    pub offset: Option<i64>,
}

/// A filter code: empty or absent for all.
fn filter_code<T>(
    field: &str,
    text: Option<&str>,
    from: impl Fn(&str) -> Option<T>,
) -> AppResult<Option<T>> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => code(field, t, from).map(Some),
    }
}

/// Cases I may see, newest 立案 first.
#[utoipa::path(get, path = "/api/cases", tag = "cases", params(CaseQuery),
    responses((status = 200, body = CasePage), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn list_cases(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(q): ApiQuery<CaseQuery>,
) -> AppResult<Json<CasePage>> {
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(invalid("参数 limit", "应为 1–500"));
    }
    let offset = q.offset.unwrap_or(0);
    if offset < 0 {
        return Err(invalid("参数 offset", "不能为负数"));
    }
    let pick = |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let filter = Filter {
        stage: filter_code("参数 stage", q.stage.as_deref(), Stage::from_code)?,
        category: filter_code("参数 category", q.category.as_deref(), Category::from_code)?,
        origin: filter_code("参数 origin", q.origin.as_deref(), CaseOrigin::from_code)?,
        overdue: q.overdue.unwrap_or(false),
        region: pick(q.region),
        text: pick(q.q),
        operator_id: pick(q.operator_id),
    };
    let now = state.now();
    let (rows, total) = cases::list(&state.store, &user.scope, &filter, now, limit, offset).await?;
    Ok(Json(CasePage {
        total,
        cases: rows
            .into_iter()
            .map(|r| CaseRow {
                forfeiture_fen: r.forfeiture.fen(),
                forfeiture_yuan: r.forfeiture.yuan_text(),
                parties: r.parties,
                case: CaseView::new(r.case, now),
            })
            .collect(),
    }))
}

/// A party (当事人). A person's ID number is masked (first six and last four characters).
#[derive(Serialize, ToSchema)]
pub struct CasePartyView {
    pub id: String,
    pub seq: i64,
    /// organisation | person
    pub kind: String,
    pub name: String,
    pub id_number: Option<String>,
    /// 主体编号.
    pub operator_id: Option<String>,
    /// lenient | ordinary | severe (裁量)
    pub severity: Option<String>,
    pub severity_reason: Option<String>,
}

/// A penalty action (处罚) against one party.
#[derive(Serialize, ToSchema)]
pub struct CaseActionView {
    pub id: String,
    /// 处罚编号.
    pub penalty_no: String,
    pub party_id: String,
    /// A penalty kind code, e.g. fine.
    pub kind: String,
    pub kind_label: String,
    /// In fen; 0 for kinds without an amount.
    pub amount_fen: i64,
    /// The same in yuan, “12,500.00”.
    pub amount_yuan: String,
    /// 行业禁入 only.
    pub ban_years: Option<i64>,
    pub decided_on: String,
    /// 决定书文号.
    pub decision_no: String,
}

/// A legal provision (法律依据).
#[derive(Serialize, ToSchema)]
pub struct LegalBasisView {
    pub id: String,
    pub law: String,
    pub article: String,
    /// 《法》第N条.
    pub citation: String,
    /// The conduct it covers.
    pub content: String,
    /// The penalty it provides.
    pub penalty: String,
    /// False where the reference marks the provision unverified.
    pub verified: bool,
    /// RFC 3339, when retired (cases citing it keep it; new ones cannot choose it).
    pub retired_at: Option<String>,
}

impl From<basis::LegalBasis> for LegalBasisView {
    fn from(b: basis::LegalBasis) -> Self {
        LegalBasisView {
            citation: b.citation(),
            verified: b.verified != 0,
            id: b.id,
            law: b.law,
            article: b.article,
            content: b.content,
            penalty: b.penalty,
            retired_at: b.retired_at,
        }
    }
}

/// An evidence file, without its bytes (`GET /api/cases/{id}/evidence/{evidence_id}`).
#[derive(Serialize, ToSchema)]
pub struct CaseEvidenceView {
    pub id: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the bytes as received.
    pub sha256: String,
    pub note: Option<String>,
    pub added_by: String,
    pub added_at: String,
}

/// A lead the case came from.
#[derive(Serialize, ToSchema)]
pub struct CaseLeadView {
    pub id: String,
    /// 线索编号.
    pub code: String,
}

/// A department the case is shared with (联合办案).
#[derive(Serialize, ToSchema)]
pub struct CaseGrantView {
    pub department_id: String,
    pub department_name: String,
    pub granted_by: String,
    pub granted_at: String,
    pub note: String,
}

/// A consultation meeting (重大案件会商).
#[derive(Serialize, ToSchema)]
pub struct CaseMeetingView {
    pub id: String,
    pub held_on: String,
    /// The invited departments' names.
    pub departments: Vec<String>,
    pub participants: String,
    pub conclusions: String,
    pub recorded_by: String,
}

/// One event of the case's history.
#[derive(Serialize, ToSchema)]
pub struct CaseEventView {
    pub at: String,
    /// A history action code, e.g. opened, decided, action_added.
    pub action: String,
    pub action_label: String,
    pub actor_name: String,
    pub note: Option<String>,
}

/// One case with everything recorded on it.
#[derive(Serialize, ToSchema)]
pub struct CaseDetail {
    pub case: CaseView,
    pub parties: Vec<CasePartyView>,
    pub actions: Vec<CaseActionView>,
    pub basis: Vec<LegalBasisView>,
    pub evidence: Vec<CaseEvidenceView>,
    pub leads: Vec<CaseLeadView>,
    pub grants: Vec<CaseGrantView>,
    pub meetings: Vec<CaseMeetingView>,
    pub events: Vec<CaseEventView>,
    /// The steps I may take now, as workflow step codes: investigate, notify, decide,
    /// execute, close, withdraw, parties (add_party, remove_party), penalties (add_penalty,
    /// remove_penalty, severity), evidence, basis (set_basis), share, meeting, police,
    /// supervise, extend, extension (decide_extension).
    pub steps: Vec<String>,
}

async fn detail(state: &AppState, user: &CurrentUser, id: &str) -> AppResult<CaseDetail> {
    let (s, now) = (&state.store, state.now());
    let case = cases::get(s, &user.scope, id).await?;
    let party_list = cases::parties(s, &case.id).await?;
    let actions = cases::actions(s, &case).await?;
    let basis = basis::of_case(s, &case.id).await?;
    let evidence = evidence::list(s, &case).await?;
    let leads = cases::leads(s, &case).await?;
    let grants = share::grants(s, &case).await?;
    let meetings = share::meetings(s, &case).await?;
    let events = cases::events(s, &case).await?;
    let steps = workflow::available(s, &user.scope, &case, now).await?;
    Ok(CaseDetail {
        case: CaseView::new(case, now),
        parties: party_list
            .into_iter()
            .map(|p| CasePartyView {
                kind: p.kind.code().into(),
                id_number: p.id_number.map(|n| shown_id_number(p.kind, &n)),
                severity: p.severity.map(|s| s.code().into()),
                id: p.id,
                seq: p.seq,
                name: p.name,
                operator_id: p.operator_id,
                severity_reason: p.severity_reason,
            })
            .collect(),
        actions: actions
            .into_iter()
            .map(|a| CaseActionView {
                kind: a.kind.code().into(),
                kind_label: a.kind.label_zh().into(),
                amount_fen: a.amount.fen(),
                amount_yuan: a.amount.yuan_text(),
                decided_on: timefmt::day_to_db(a.decided_on),
                id: a.id,
                penalty_no: a.penalty_no,
                party_id: a.party_id,
                ban_years: a.ban_years,
                decision_no: a.decision_no,
            })
            .collect(),
        basis: basis.into_iter().map(LegalBasisView::from).collect(),
        evidence: evidence
            .into_iter()
            .map(|e| CaseEvidenceView {
                file_name: stored_file_name(&e.file_name, &e.content_type),
                added_at: timefmt::to_db(e.added_at),
                id: e.id,
                content_type: e.content_type,
                size_bytes: e.size_bytes,
                sha256: e.sha256,
                note: e.note,
                added_by: e.added_by,
            })
            .collect(),
        leads: leads
            .into_iter()
            .map(|(id, code)| CaseLeadView { id, code })
            .collect(),
        grants: grants
            .into_iter()
            .map(|g| CaseGrantView {
                granted_at: timefmt::to_db(g.granted_at),
                department_id: g.department_id,
                department_name: g.department_name,
                granted_by: g.granted_by,
                note: g.note,
            })
            .collect(),
        meetings: meetings
            .into_iter()
            .map(|m| CaseMeetingView {
                held_on: timefmt::day_to_db(m.held_on),
                id: m.id,
                departments: m.departments,
                participants: m.participants,
                conclusions: m.conclusions,
                recorded_by: m.recorded_by,
            })
            .collect(),
        events: events
            .into_iter()
            .map(|e| CaseEventView {
                at: timefmt::to_db(e.at),
                action: e.action.code().into(),
                action_label: e.action.label_zh().into(),
                actor_name: e.actor_name,
                note: e.note,
            })
            .collect(),
        steps: steps
            .into_iter()
            .map(|s| CaseStep::code(s).into())
            .collect(),
    })
}

/// One case I may see, with its parties, penalties, legal basis, evidence (without bytes),
/// leads, grants, meetings, history and the steps I may take now; 404 otherwise.
#[utoipa::path(get, path = "/api/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseDetail), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn get_case(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
) -> AppResult<Json<CaseDetail>> {
    Ok(Json(detail(&state, &user, &id).await?))
}

/// A party as entered: an operator of the 主体库 (`operator_id`), or a person by name.
#[derive(Deserialize, ToSchema)]
pub struct CasePartyRequest {
    /// organisation | person; default organisation with an `operator_id`, else person.
    pub kind: Option<String>,
    /// 主体编号 (ZT…, ZP…). An organisation must be one; a person may be.
    pub operator_id: Option<String>,
    /// A person's name (2–50 characters); for an operator, empty takes the operator's name.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub name: String,
    /// USCC or ID number, if known.
    #[schema(max_length = 50)]
    pub id_number: Option<String>,
}

impl CasePartyRequest {
    fn into_party(self) -> AppResult<NewParty> {
        let kind = match self.kind.as_deref().map(str::trim) {
            None | Some("") if self.operator_id.is_some() => PartyKind::Organisation,
            None | Some("") => PartyKind::Person,
            Some(k) => code("当事人类型", k, PartyKind::from_code)?,
        };
        Ok(NewParty {
            kind,
            name: self.name,
            id_number: self.id_number,
            operator_id: self
                .operator_id
                .map(|o| o.trim().to_string())
                .filter(|o| !o.is_empty()),
        })
    }
}

/// 立案.
#[derive(Deserialize, ToSchema)]
pub struct OpenCaseRequest {
    /// 案件编号; omitted or empty makes one (AJ + date + random).
    #[schema(max_length = 60)]
    pub case_no: Option<String>,
    #[schema(min_length = 4, max_length = 100)]
    pub title: String,
    /// A category code, e.g. unlicensed_practice.
    pub category: String,
    /// An origin code, e.g. complaint.
    pub origin: String,
    /// The county (区县) of the violation, six digits.
    #[serde(alias = "region")]
    #[schema(pattern = r"^[1-8][0-9]{5}$")]
    pub region_code: String,
    /// 立案日期, YYYY-MM-DD, not after today.
    #[schema(format = Date)]
    pub filed_on: String,
    /// 违法行为.
    #[schema(min_length = 4, max_length = 4000)]
    pub violation: String,
    /// At least one.
    pub parties: Vec<CasePartyRequest>,
    /// Legal basis ids (`GET /api/legal-basis`).
    #[serde(default)]
    pub basis_ids: Vec<String>,
    /// The lead it comes from; the lead's group is linked too.
    pub lead_id: Option<String>,
}

/// Opens a case (立案) in my department; the answer is the new case.
#[utoipa::path(post, path = "/api/cases", tag = "cases", request_body = OpenCaseRequest,
    responses((status = 201, body = CaseDetail), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn open_case(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(r): ApiJson<OpenCaseRequest>,
) -> AppResult<(StatusCode, Json<CaseDetail>)> {
    let new = NewCase {
        case_no: r.case_no.unwrap_or_default(),
        title: r.title,
        category: code("案件类别", &r.category, Category::from_code)?,
        origin: code("案件来源", &r.origin, CaseOrigin::from_code)?,
        region_code: r.region_code.trim().to_string(),
        violation: r.violation,
        filed_on: day("立案日期", &r.filed_on)?,
        parties: r
            .parties
            .into_iter()
            .map(CasePartyRequest::into_party)
            .collect::<AppResult<_>>()?,
        basis: r.basis_ids,
        lead_id: r
            .lead_id
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty()),
    };
    let cal = state.calendar().await?;
    let id = open::open(
        &state.store,
        &user.scope,
        &cal,
        &rules(&state),
        state.now(),
        &new,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(detail(&state, &user, &id).await?)))
}

/// One step on a case. Every step names the `version` of the case it was decided on; texts
/// count characters after leading and trailing spaces are removed; days are YYYY-MM-DD.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CaseApiAction {
    /// 立案 → 调查取证.
    Investigate {
        #[serde(deserialize_with = "super::integral")]
        #[schema(minimum = 1)]
        version: i64,
    },
    /// 调查取证 → 告知: the day the party was told, whether a hearing (听证) was asked, the
    /// defence heard (陈述申辩). Every party needs an action first.
    Notify {
        #[serde(deserialize_with = "super::integral")]
        #[schema(minimum = 1)]
        version: i64,
        #[schema(format = Date)]
        on: String,
        #[serde(default)]
        hearing: bool,
        #[serde(default)]
        #[schema(max_length = 2000)]
        note: String,
    },
    /// 告知 → 决定, on the decision day.
    Decide {
        #[serde(deserialize_with = "super::integral")]
        #[schema(minimum = 1)]
        version: i64,
        #[schema(format = Date)]
        on: String,
    },
    /// 决定 → 执行.
    Execute {
        #[serde(deserialize_with = "super::integral")]
        #[schema(minimum = 1)]
        version: i64,
    },
    /// → 结案, with how the decision was carried out; closing without a decision needs the
    /// reason (4 characters at least).
    Close {
        #[serde(deserialize_with = "super::integral")]
        #[schema(minimum = 1)]
        version: i64,
        #[schema(format = Date)]
        on: String,
        #[serde(default)]
        #[schema(max_length = 2000)]
        note: String,
    },
    /// → 撤销 (a leader of the jurisdiction): opened by mistake.
    Withdraw {
        #[serde(deserialize_with = "super::integral")]
        #[schema(minimum = 1)]
        version: i64,
        #[schema(min_length = 4, max_length = 1000)]
        reason: String,
    },
    /// 督办 of an overdue case (a leader of the jurisdiction).
    Supervise {
        #[serde(deserialize_with = "super::integral")]
        #[schema(minimum = 1)]
        version: i64,
        #[schema(min_length = 2, max_length = 1000)]
        note: String,
    },
    /// 申请延期 of the decision limit.
    Extend {
        #[serde(deserialize_with = "super::integral")]
        #[schema(minimum = 1)]
        version: i64,
        #[schema(min_length = 4, max_length = 1000)]
        reason: String,
    },
    /// 审批延期 (a leader); a refusal needs a note (2 characters at least).
    DecideExtension {
        #[serde(deserialize_with = "super::integral")]
        #[schema(minimum = 1)]
        version: i64,
        grant: bool,
        #[serde(default)]
        #[schema(max_length = 1000)]
        note: String,
    },
    /// Adds a party: an operator of the 主体库 (`operator_id`) or a person by name.
    AddParty {
        #[serde(deserialize_with = "super::integral")]
        #[schema(minimum = 1)]
        version: i64,
        /// organisation | person; default organisation with an `operator_id`, else person.
        kind: Option<String>,
        operator_id: Option<String>,
        #[serde(default)]
        #[schema(max_length = 200)]
        name: String,
        #[schema(max_length = 50)]
        id_number: Option<String>,
    },
    /// Removes a party without actions.
    RemoveParty {
        #[serde(deserialize_with = "super::integral")]
        #[schema(minimum = 1)]
        version: i64,
        party_id: String,
    },
    /// Adds a penalty action against a party. `amount_yuan` (yuan with up to two decimals,
    /// thousands separators allowed: “12,500.50”) for 罚款 and 没收违法所得 only; `ban_years`
    /// for 行业禁入 only.
    AddPenalty {
        #[serde(deserialize_with = "super::integral")]
        #[schema(minimum = 1)]
        version: i64,
        party_id: String,
        /// A penalty kind code.
        kind: String,
        #[schema(max_length = 30, pattern = r"^\s*([0-9][0-9,，]*(\.[0-9]{1,2})?)?\s*$")]
        amount_yuan: Option<String>,
        #[schema(minimum = 1, maximum = 99)]
        ban_years: Option<i64>,
        /// 决定日期 (for 移送司法机关 the day of the transfer).
        #[schema(format = Date)]
        decided_on: String,
        /// 决定书文号.
        #[schema(min_length = 1, max_length = 100)]
        decision_no: String,
    },
    /// Removes a penalty action entered by mistake.
    RemovePenalty {
        #[serde(deserialize_with = "super::integral")]
        #[schema(minimum = 1)]
        version: i64,
        action_id: String,
    },
    /// The discretion (裁量) of a party's penalty; 从轻 and 从重 need a reason.
    Severity {
        #[serde(deserialize_with = "super::integral")]
        #[schema(minimum = 1)]
        version: i64,
        party_id: String,
        severity: String,
        #[serde(default)]
        #[schema(max_length = 1000)]
        reason: String,
    },
    /// Replaces the legal basis of the case.
    SetBasis {
        #[serde(deserialize_with = "super::integral")]
        #[schema(minimum = 1)]
        version: i64,
        basis_ids: Vec<String>,
    },
    /// 联合办案: shares the case with a department (`grant` false takes the access back).
    Share {
        #[serde(deserialize_with = "super::integral")]
        #[schema(minimum = 1)]
        version: i64,
        department_id: String,
        grant: bool,
        #[serde(default)]
        #[schema(max_length = 500)]
        note: String,
    },
    /// Records a consultation meeting (重大案件会商).
    Meeting {
        #[serde(deserialize_with = "super::integral")]
        #[schema(minimum = 1)]
        version: i64,
        #[schema(format = Date)]
        held_on: String,
        department_ids: Vec<String>,
        #[schema(min_length = 2, max_length = 1000)]
        participants: String,
        #[schema(min_length = 4, max_length = 4000)]
        conclusions: String,
    },
}

/// An amount in yuan as typed; absent or empty is none.
fn amount(text: Option<&str>) -> AppResult<Option<Fen>> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => Fen::parse_yuan(t)
            .map(Some)
            .map_err(|message| invalid("金额", message)),
    }
}

/// Takes a step on a case; the answer is the case afterwards.
#[utoipa::path(post, path = "/api/cases/{id}/actions", tag = "cases", request_body = CaseApiAction,
    params(("id" = String, Path, description = "case id")),
    responses((status = 200, body = CaseDetail), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn act_on_case(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(action): ApiJson<CaseApiAction>,
) -> AppResult<Json<CaseDetail>> {
    let (s, sc, now) = (&state.store, &user.scope, state.now());
    let step = |version: i64, command: CaseCommand| {
        let (state, id) = (&state, &id);
        async move {
            let cal = state.calendar().await?;
            workflow::act(s, sc, &cal, &rules(state), now, id, version, &command).await?;
            Ok::<(), AppError>(())
        }
    };
    match action {
        CaseApiAction::Investigate { version } => step(version, CaseCommand::Investigate).await?,
        CaseApiAction::Notify {
            version,
            on,
            hearing,
            note,
        } => {
            let on = day("告知日期", &on)?;
            step(version, CaseCommand::Notify { on, hearing, note }).await?
        }
        CaseApiAction::Decide { version, on } => {
            let on = day("决定日期", &on)?;
            step(version, CaseCommand::Decide { on }).await?
        }
        CaseApiAction::Execute { version } => step(version, CaseCommand::Execute).await?,
        CaseApiAction::Close { version, on, note } => {
            let on = day("结案日期", &on)?;
            step(version, CaseCommand::Close { on, note }).await?
        }
        CaseApiAction::Withdraw { version, reason } => {
            step(version, CaseCommand::Withdraw { reason }).await?
        }
        CaseApiAction::Supervise { version, note } => {
            step(version, CaseCommand::Supervise { note }).await?
        }
        CaseApiAction::Extend { version, reason } => {
            step(version, CaseCommand::Extend { reason }).await?
        }
        CaseApiAction::DecideExtension {
            version,
            grant,
            note,
        } => {
            step(
                version,
                CaseCommand::Extension {
                    approve: grant,
                    note,
                },
            )
            .await?
        }
        CaseApiAction::AddParty {
            version,
            kind,
            operator_id,
            name,
            id_number,
        } => {
            let party = CasePartyRequest {
                kind,
                operator_id,
                name,
                id_number,
            }
            .into_party()?;
            parties::add_party(s, sc, now, &id, version, &party).await?;
        }
        CaseApiAction::RemoveParty { version, party_id } => {
            parties::remove_party(s, sc, now, &id, version, &party_id).await?
        }
        CaseApiAction::AddPenalty {
            version,
            party_id,
            kind,
            amount_yuan,
            ban_years,
            decided_on,
            decision_no,
        } => {
            let input = ActionInput {
                kind: code("处罚种类", &kind, PenaltyKind::from_code)?,
                amount: amount(amount_yuan.as_deref())?,
                ban_years: ban_years
                    .map(|y| {
                        u32::try_from(y).map_err(|_| invalid("禁入年限", "年限应在 1 到 99 年之间"))
                    })
                    .transpose()?,
                decided_on: day("决定日期", &decided_on)?,
                decision_no,
            };
            parties::add_action(s, sc, now, &id, version, &party_id, &input).await?;
        }
        CaseApiAction::RemovePenalty { version, action_id } => {
            parties::remove_action(s, sc, now, &id, version, &action_id).await?
        }
        CaseApiAction::Severity {
            version,
            party_id,
            severity,
            reason,
        } => {
            let severity = code("裁量", &severity, Severity::from_code)?;
            parties::set_severity(s, sc, now, &id, version, &party_id, severity, &reason).await?
        }
        CaseApiAction::SetBasis { version, basis_ids } => {
            basis::set_for_case(s, sc, now, &id, version, &basis_ids).await?
        }
        CaseApiAction::Share {
            version,
            department_id,
            grant,
            note,
        } => share::share(s, sc, now, &id, version, &department_id, grant, &note).await?,
        CaseApiAction::Meeting {
            version,
            held_on,
            department_ids,
            participants,
            conclusions,
        } => {
            let held_on = day("会商日期", &held_on)?;
            share::record_meeting(
                s,
                sc,
                now,
                &id,
                version,
                held_on,
                &department_ids,
                &participants,
                &conclusions,
            )
            .await?;
        }
    }
    Ok(Json(detail(&state, &user, &id).await?))
}

/// One evidence file of a case I may see: its bytes as recorded (their SHA-256, as in the
/// detail, also in `X-Content-SHA256`), always as a download (`Content-Disposition: attachment`, `nosniff`, sandboxed).
#[utoipa::path(get, path = "/api/cases/{id}/evidence/{evidence_id}", tag = "cases",
    params(("id" = String, Path, description = "case id"), ("evidence_id" = String, Path, description = "evidence id")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 401, body = super::ErrorBody), (status = 403, body = super::ErrorBody), (status = 404, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn evidence_file(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath((id, evidence_id)): ApiPath<(String, String)>,
) -> AppResult<Response> {
    let (e, bytes) = evidence::file(&state.store, &user.scope, &id, &evidence_id).await?;
    let name = stored_file_name(&e.file_name, &e.content_type);
    let content_type = HeaderValue::from_str(&e.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
    let disposition = HeaderValue::from_str(&crate::pages::registries::attachment(&name))
        .map_err(|e| AppError::Internal(format!("disposition: {e}")))?;
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type);
    h.insert(header::CONTENT_DISPOSITION, disposition);
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    if let Ok(sha) = HeaderValue::from_str(&e.sha256) {
        h.insert("x-content-sha256", sha);
    }
    Ok(resp)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BasisQuery {
    /// true: retired provisions too.
    pub all: Option<bool>,
}

/// The legal provisions (法律依据) a case may cite.
#[utoipa::path(get, path = "/api/legal-basis", tag = "cases", params(BasisQuery),
    responses((status = 200, body = [LegalBasisView]), (status = 401, body = super::ErrorBody), (status = 422, body = super::ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn legal_basis(
    State(state): State<AppState>,
    _user: CurrentUser,
    ApiQuery(q): ApiQuery<BasisQuery>,
) -> AppResult<Json<Vec<LegalBasisView>>> {
    let list = basis::list(&state.store, q.all.unwrap_or(false)).await?;
    Ok(Json(list.into_iter().map(LegalBasisView::from).collect()))
}
