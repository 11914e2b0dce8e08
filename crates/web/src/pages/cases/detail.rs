//! A case's page: its facts, parties and penalties, legal basis, evidence, partners and
//! meetings, its history, and a form for every step the workflow table lets the user take now.
//! Each form posts to `/cases/{id}/{step}` with the version it was shown; the store refuses a
//! stale one, so a second officer editing the same case is told instead of overwriting.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use meijian_domain::case::workflow::CaseStep;
use meijian_domain::case::{ActionInput, PenaltyKind, Severity};
use meijian_domain::lead::ExtensionState;
use meijian_store::cases::basis::{self, LegalBasis};
use meijian_store::cases::evidence::Evidence;
use meijian_store::cases::open::NewParty;
use meijian_store::cases::share::{Grant, Meeting};
use meijian_store::cases::workflow::{self, CaseCommand};
use meijian_store::cases::{self, shown_id_number, Case};
use serde::Deserialize;

use super::choices;
use super::new::parse_day;
use crate::chrome::{actor_label, Chrome};
use crate::error::{AppError, AppResult};
use crate::pages::leads::{form_error, parse_yuan, plain_id, with_status};
use crate::pages::{region_name, render, show_time};
use crate::session::CurrentUser;
use crate::state::AppState;

/// Every field any step's form may send.
#[derive(Deserialize, Default, Clone)]
pub struct ActionForm {
    #[serde(default)]
    pub version: String,
    /// add | remove, for parties, penalties and sharing.
    #[serde(default)]
    pub op: String,
    #[serde(default)]
    pub on: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub hearing: String,
    #[serde(default)]
    pub decision: String,
    #[serde(default)]
    pub party_id: String,
    #[serde(default)]
    pub party_kind: String,
    #[serde(default)]
    pub operator_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub amount_yuan: String,
    #[serde(default)]
    pub ban_years: String,
    #[serde(default)]
    pub decision_no: String,
    #[serde(default)]
    pub action_id: String,
    #[serde(default)]
    pub severity: String,
    #[serde(default)]
    pub basis: Vec<String>,
    #[serde(default)]
    pub department_id: String,
    #[serde(default)]
    pub departments: Vec<String>,
    #[serde(default)]
    pub participants: String,
}

fn invalid(field: &str, message: &str) -> AppError {
    AppError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

/// What a step did, for the notice after the redirect.
pub fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "opened" => "已立案。",
        "investigate" => "已进入调查取证阶段。",
        "notify" => "已记录告知。",
        "decide" => "已作出处罚决定。",
        "execute" => "已进入执行阶段。",
        "close" => "已结案。",
        "withdraw" => "案件已撤销，不计入任何统计。",
        "parties" => "当事人已更新。",
        "penalties" => "处罚已更新。",
        "evidence" => "证据已添加。",
        "basis" => "法律依据已更新。",
        "share" => "联合办案授权已更新。",
        "meeting" => "会商记录已保存。",
        "supervise" => "已督办。",
        "extend" => "延期申请已提交，等待负责人审批。",
        "extension" => "延期申请已审批。",
        "police" => "涉嫌犯罪移送已更新。",
        _ => return None,
    })
}

/// The store call of a step's form. Only what the form says is read here; whether the step may
/// be taken is the workflow table's decision, in the store.
async fn take_step(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    step: CaseStep,
    f: &ActionForm,
) -> AppResult<()> {
    let version: i64 = f
        .version
        .trim()
        .parse()
        .map_err(|_| invalid("版本", "页面已过期，请刷新后再试"))?;
    let (store, scope, now) = (&state.store, &user.scope, state.now());
    let cal = state.calendar().await?;
    let rules = &state.settings.cases;
    let command = match step {
        CaseStep::Investigate => Some(CaseCommand::Investigate),
        CaseStep::Notify => Some(CaseCommand::Notify {
            on: parse_day("告知日期", &f.on)?,
            hearing: f.hearing == "1",
            note: f.note.clone(),
        }),
        CaseStep::Decide => Some(CaseCommand::Decide {
            on: parse_day("决定日期", &f.on)?,
        }),
        CaseStep::Execute => Some(CaseCommand::Execute),
        CaseStep::Close => Some(CaseCommand::Close {
            on: parse_day("结案日期", &f.on)?,
            note: f.note.clone(),
        }),
        CaseStep::Withdraw => Some(CaseCommand::Withdraw {
            reason: f.reason.clone(),
        }),
        CaseStep::Supervise => Some(CaseCommand::Supervise {
            note: f.note.clone(),
        }),
        CaseStep::Extend => Some(CaseCommand::Extend {
            reason: f.reason.clone(),
        }),
        CaseStep::Extension => Some(CaseCommand::Extension {
            approve: match f.decision.as_str() {
                "grant" => true,
                "refuse" => false,
                _ => return Err(invalid("审批", "请选择批准或不批准")),
            },
            note: f.note.clone(),
        }),
        _ => None,
    };
    if let Some(command) = command {
        workflow::act(store, scope, &cal, rules, now, id, version, &command).await?;
        return Ok(());
    }
    match step {
        CaseStep::Parties if f.op == "remove" => {
            cases::parties::remove_party(store, scope, now, id, version, &f.party_id).await?;
        }
        CaseStep::Parties => {
            let kind = meijian_domain::case::PartyKind::from_code(&f.party_kind)
                .ok_or_else(|| invalid("当事人类型", "请选择单位或个人"))?;
            let party = NewParty {
                kind,
                name: f.name.clone(),
                id_number: Some(f.id_number.trim().to_string()).filter(|s| !s.is_empty()),
                operator_id: Some(f.operator_id.trim().to_string()).filter(|s| !s.is_empty()),
            };
            cases::parties::add_party(store, scope, now, id, version, &party).await?;
        }
        CaseStep::Penalties if f.op == "remove" => {
            cases::parties::remove_action(store, scope, now, id, version, &f.action_id).await?;
        }
        CaseStep::Penalties if f.op == "severity" => {
            let severity = Severity::from_code(&f.severity)
                .ok_or_else(|| invalid("裁量", "请选择从轻、一般或从重"))?;
            cases::parties::set_severity(
                store,
                scope,
                now,
                id,
                version,
                &f.party_id,
                severity,
                &f.reason,
            )
            .await?;
        }
        CaseStep::Penalties => {
            let kind = PenaltyKind::from_code(&f.kind)
                .ok_or_else(|| invalid("处罚种类", "请选择处罚种类"))?;
            let amount = match f.amount_yuan.trim() {
                "" => None,
                text => Some(parse_yuan("金额", text)?),
            };
            let ban_years = match f.ban_years.trim() {
                "" => None,
                text => Some(
                    text.parse::<u32>()
                        .map_err(|_| invalid("禁入年限", "请填写整数年数"))?,
                ),
            };
            let action = ActionInput {
                kind,
                amount,
                ban_years,
                decided_on: parse_day("决定日期", &f.on)?,
                decision_no: f.decision_no.clone(),
            };
            cases::parties::add_action(store, scope, now, id, version, &f.party_id, &action)
                .await?;
        }
        CaseStep::Basis => {
            basis::set_for_case(store, scope, now, id, version, &f.basis).await?;
        }
        CaseStep::Share => {
            cases::share::share(
                store,
                scope,
                now,
                id,
                version,
                &f.department_id,
                f.op != "remove",
                &f.note,
            )
            .await?;
        }
        CaseStep::Meeting => {
            cases::share::record_meeting(
                store,
                scope,
                now,
                id,
                version,
                parse_day("会商日期", &f.on)?,
                &f.departments,
                &f.participants,
                &f.note,
            )
            .await?;
        }
        // Evidence is a file upload (`evidence::upload`); the police transfer is not on cases yet.
        _ => return Err(AppError::NotFound),
    }
    Ok(())
}

#[tracing::instrument(skip_all)]
pub async fn act_on_case(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, step)): Path<(String, String)>,
    Form(form): Form<ActionForm>,
) -> AppResult<Response> {
    let id = plain_id(&id)?;
    let step = CaseStep::from_code(&step).ok_or(AppError::NotFound)?;
    match take_step(&state, &user, id, step, &form).await {
        Ok(()) => {
            tracing::info!(case = %id, step = step.code(), "case step taken");
            Ok(Redirect::to(&format!("/cases/{id}?notice={}", step.code())).into_response())
        }
        Err(e) => {
            let status = e.info().status;
            let message = form_error(e)?;
            let status = if status == StatusCode::CONFLICT {
                status
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let page = page(&state, &user, id, None, Some(message), form).await?;
            with_status(status, &page)
        }
    }
}

/// A party with its actions, as the page shows it.
pub struct PartyView {
    pub id: String,
    pub kind: &'static str,
    pub name: String,
    pub id_number: String,
    pub operator_id: Option<String>,
    pub severity: String,
    pub actions: Vec<ActionView>,
}

pub struct ActionView {
    pub id: String,
    pub penalty_no: String,
    pub kind: &'static str,
    pub amount: String,
    pub decided_on: String,
    pub decision_no: String,
}

pub struct EventView {
    pub at: String,
    pub action: &'static str,
    pub actor: String,
    pub note: String,
}

/// Which forms the page shows: the steps the table lets the user take now.
pub struct Can {
    pub steps: Vec<CaseStep>,
}

impl Can {
    pub fn has(&self, code: &str) -> bool {
        self.steps.iter().any(|s| s.code() == code)
    }
}

#[derive(Template)]
#[template(path = "cases_detail.html")]
struct CasePage {
    chrome: Chrome,
    notice: Option<&'static str>,
    error: Option<String>,
    draft: ActionForm,
    case: Case,
    stage: &'static str,
    category: &'static str,
    origin: &'static str,
    region: String,
    due: String,
    overdue: bool,
    extension: String,
    leads: Vec<(String, String)>,
    parties: Vec<PartyView>,
    provisions: Vec<LegalBasis>,
    all_provisions: Vec<LegalBasis>,
    evidence: Vec<Evidence>,
    grants: Vec<Grant>,
    meetings: Vec<Meeting>,
    partners: Vec<(String, String)>,
    events: Vec<EventView>,
    can: Can,
    kinds: Vec<(&'static str, &'static str)>,
    severities: Vec<(&'static str, &'static str)>,
    today: String,
    decide_limit: String,
    extension_limit: String,
    transfers: Vec<super::transfer::TransferView>,
    consultations: Vec<super::transfer::ConsultationView>,
    task_kinds: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(&'static str, &'static str)>,
    packages: Vec<(&'static str, &'static str)>,
    directions: Vec<(&'static str, &'static str)>,
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    notice: String,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    notice: Option<&'static str>,
    error: Option<String>,
    draft: ActionForm,
) -> AppResult<CasePage> {
    let (store, scope, now) = (&state.store, &user.scope, state.now());
    let case = cases::get(store, scope, id).await?;
    let steps = workflow::available(store, scope, &case, now).await?;
    let actions = cases::actions(store, &case).await?;
    let parties = cases::parties(store, &case.id)
        .await?
        .into_iter()
        .map(|p| PartyView {
            actions: actions
                .iter()
                .filter(|a| a.party_id == p.id)
                .map(|a| ActionView {
                    id: a.id.clone(),
                    penalty_no: a.penalty_no.clone(),
                    kind: a.kind.label_zh(),
                    amount: if a.kind.has_amount() {
                        format!("{} 元", a.amount.yuan_text())
                    } else {
                        a.ban_years.map(|y| format!("{y} 年")).unwrap_or_default()
                    },
                    decided_on: a.decided_on.to_string(),
                    decision_no: a.decision_no.clone(),
                })
                .collect(),
            kind: p.kind.label_zh(),
            id_number: p
                .id_number
                .as_deref()
                .map(|n| shown_id_number(p.kind, n))
                .unwrap_or_default(),
            severity: match (p.severity, &p.severity_reason) {
                (Some(s), Some(r)) => format!("{}（{r}）", s.label_zh()),
                (Some(s), None) => s.label_zh().to_string(),
                _ => String::new(),
            },
            id: p.id,
            name: p.name,
            operator_id: p.operator_id,
        })
        .collect();
    let events = cases::events(store, &case)
        .await?
        .into_iter()
        .map(|e| EventView {
            at: show_time(e.at),
            action: e.action.label_zh(),
            actor: actor_label(&e.actor_name),
            note: e.note.unwrap_or_default(),
        })
        .collect();
    let can = Can { steps };
    let partners = if can.has("share") || can.has("meeting") {
        cases::share::partner_choices(store, &case).await?
    } else {
        Vec::new()
    };
    let extension = match (case.extension_state, &case.extension_reason) {
        (Some(ExtensionState::Requested), Some(r)) => format!("已申请延期，待审批：{r}"),
        (Some(ExtensionState::Granted), _) => "已批准延期".to_string(),
        (Some(ExtensionState::Refused), _) => "延期申请未批准".to_string(),
        _ => String::new(),
    };
    let rules = &state.settings.cases;
    let (transfers, consultations) = super::transfer::views(state, user, &case.id).await?;
    use meijian_domain::case::transfer::{Direction, Outcome, PackageDoc, PoliceTaskKind};
    Ok(CasePage {
        transfers,
        consultations,
        task_kinds: choices(
            PoliceTaskKind::ALL,
            PoliceTaskKind::code,
            PoliceTaskKind::label_zh,
        ),
        outcomes: choices(Outcome::ALL, Outcome::code, Outcome::label_zh),
        packages: choices(PackageDoc::ALL, PackageDoc::code, PackageDoc::label_zh),
        directions: choices(Direction::ALL, Direction::code, Direction::label_zh),
        chrome: Chrome::new(user, "/cases"),
        notice,
        error,
        draft,
        stage: case.stage.label_zh(),
        category: case.category.label_zh(),
        origin: case.origin.label_zh(),
        region: region_name(&case.region_code),
        due: case
            .decide_due
            .filter(|_| case.stage.before_decision())
            .map(show_time)
            .unwrap_or_default(),
        overdue: case.overdue(now),
        extension,
        leads: cases::leads(store, &case).await?,
        parties,
        provisions: basis::of_case(store, &case.id).await?,
        all_provisions: if can.has("basis") {
            basis::list(store, false).await?
        } else {
            Vec::new()
        },
        evidence: cases::evidence::list(store, &case).await?,
        grants: cases::share::grants(store, &case).await?,
        meetings: cases::share::meetings(store, &case).await?,
        partners,
        events,
        can,
        kinds: choices(PenaltyKind::ALL, PenaltyKind::code, PenaltyKind::label_zh),
        severities: choices(Severity::ALL, Severity::code, Severity::label_zh),
        today: meijian_store::leads::deadlines::china_date(now).to_string(),
        decide_limit: rules.decide.label_zh(),
        extension_limit: rules.decide_extension.label_zh(),
        case,
    })
}

#[tracing::instrument(skip_all)]
pub async fn show_case(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> AppResult<Response> {
    let id = plain_id(&id)?;
    let notice = notice_text(&query.notice);
    Ok(
        render(&page(&state, &user, id, notice, None, ActionForm::default()).await?)?
            .into_response(),
    )
}

/// The case page with an error at the top (a refused upload).
pub async fn error_page(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    message: String,
) -> AppResult<impl Template> {
    page(state, user, id, None, Some(message), ActionForm::default()).await
}
