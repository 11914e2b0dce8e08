//! One lead: its facts, the legal clocks, the complaints (reporter masked unless the store
//! reveals them to the handling department), history, 督办, referrals, grouped leads and the
//! reward, with the forms of the steps that apply to the user and the lead's state.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use meijian_domain::lead::{
    ExtensionState, Finding, LeadFacts, LeadState, LeadStep, Outcome, RewardState, Satisfaction,
};
use meijian_domain::role::Permission;
use meijian_store::leads::detail as store_detail;
use meijian_store::leads::referral::{self, Destination};
use meijian_store::leads::suggest::{self, Suggestion};
use meijian_store::leads::workflow::extension::{self, Extendable};
use meijian_store::leads::{self, reward, workflow, Lead};
use serde::Deserialize;

use super::actions::ActionForm;
use super::attachments::{complaint_row, ComplaintRow};
use super::clocks::{clocks, ClockRow};
use super::{plain_id, state_label, DueView};
use crate::chrome::Chrome;
use crate::error::AppResult;
use crate::pages::show_time;
use crate::pages::{region_name, render};
use crate::session::CurrentUser;
use crate::state::AppState;

/// The fixed message after a step (never the query value itself).
fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "accept" => "已受理，核查时限开始计算。",
        "decline" => "已决定不予受理，理由将告知投诉举报人。",
        "verify" => "核查结论已保存。",
        "conclude" => "已办结，请在答复期限内答复投诉举报人。",
        "reply" => "答复已保存，投诉举报人可凭查询码查看。",
        "satisfaction" => "满意度已记录。",
        "link" => "已关联主体。",
        "grouped" => "已关联主体，并与同一主体的在办线索合并办理。",
        "refer" => "已移送，等待接收部门签收。",
        "reward" => "奖励申请已提交，等待领导审批。",
        "paid" => "奖励发放已记录。",
        "supervise" => "督办意见已记录，承办部门可在线索页面看到。",
        "extend" => "延期申请已提交，等待负责人审批。",
        "extension" => "延期审批已记录。",
        _ => return None,
    })
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    notice: String,
}

pub struct EventRow {
    pub at: String,
    pub action: &'static str,
    pub actor: String,
    pub note: String,
    pub public: bool,
}

pub struct SupervisionRow {
    pub at: String,
    pub by: String,
    pub note: String,
    pub due: String,
}

pub struct ReferralRow {
    pub kind: &'static str,
    pub from: String,
    pub to: String,
    pub copy: String,
    pub reason: String,
    pub state: &'static str,
    pub sent_at: String,
    pub due: String,
    pub overdue: bool,
    pub response: String,
}

pub struct RewardRow {
    pub id: String,
    pub level: String,
    pub forfeiture: String,
    pub amount: String,
    pub joint: bool,
    pub state: &'static str,
    pub approved: bool,
    pub decided: String,
    pub paid: String,
}

/// A reward level with its rule and what it would pay for this lead.
pub struct LevelView {
    pub index: usize,
    pub name: String,
    pub rule: String,
    pub amount: String,
}

/// The forms that apply to the user and the lead's state.
#[derive(Default)]
pub struct Can {
    pub handle: bool,
    pub accept: bool,
    pub verify: bool,
    pub conclude: bool,
    pub reply: bool,
    pub satisfaction: bool,
    pub link: bool,
    pub refer: bool,
    pub reward: bool,
    /// A reward form would apply, but the penalty is not major enough.
    pub reward_not_major: bool,
    pub pay: bool,
    pub supervise: bool,
    /// 申请延期 of the limit the lead waits for.
    pub extend: bool,
    /// A leader of the jurisdiction decides the open extension request.
    pub decide_extension: bool,
}

/// A 延期 request as the page shows it.
pub struct ExtensionRow {
    pub at: String,
    pub by: String,
    pub step: &'static str,
    pub reason: String,
    pub old_due: String,
    pub new_due: String,
    pub state: &'static str,
    pub decided: String,
}

impl From<extension::Extension> for ExtensionRow {
    fn from(x: extension::Extension) -> Self {
        ExtensionRow {
            at: show_time(x.requested_at),
            step: x.step_zh(),
            state: x.state_zh(),
            decided: match (&x.decided_by_name, x.decided_at) {
                (Some(by), Some(at)) => format!(
                    "{by} {} {}",
                    show_time(at),
                    x.decision_note.clone().unwrap_or_default()
                ),
                _ => String::new(),
            },
            by: crate::chrome::actor_label(&x.requested_by_name),
            reason: x.reason,
            old_due: show_time(x.old_due),
            new_due: show_time(x.new_due),
        }
    }
}

#[derive(Template)]
#[template(path = "leads_detail.html")]
struct LeadPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    error: Option<String>,
    draft: ActionForm,
    lead: Lead,
    /// The lead's case (立案 already): id, 案件编号, stage.
    case: Option<(String, String, &'static str)>,
    /// The handler may open a case from it (立案).
    can_open_case: bool,
    received: String,
    state: &'static str,
    region: String,
    due: Option<DueView>,
    finding: &'static str,
    outcome: &'static str,
    satisfaction: &'static str,
    clocks: Vec<ClockRow>,
    complaints: Vec<ComplaintRow>,
    events: Vec<EventRow>,
    supervisions: Vec<SupervisionRow>,
    extensions: Vec<ExtensionRow>,
    /// The request waiting for a leader, if any.
    open_extension: Option<ExtensionRow>,
    /// What an extension would give, when the handler may ask for one.
    extend_hint: Option<String>,
    referrals: Vec<ReferralRow>,
    group: Vec<(String, String, &'static str)>,
    reward: Option<RewardRow>,
    suggestions: Vec<Suggestion>,
    destinations: Vec<Destination>,
    levels: Vec<LevelView>,
    reward_rule: String,
    findings: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(&'static str, &'static str)>,
    satisfactions: Vec<(&'static str, &'static str)>,
    can: Can,
}

/// What the page shows besides the lead: a notice after a step, or the error of a step with
/// what the user typed.
pub struct Flash {
    pub status: StatusCode,
    pub notice: Option<&'static str>,
    pub error: Option<String>,
    pub draft: ActionForm,
}

/// The lead page for `user`.
#[tracing::instrument(skip_all)]
pub async fn page(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    flash: Flash,
) -> AppResult<Response> {
    user.scope.require(Permission::HandleLeads)?;
    let (store, scope) = (&state.store, &user.scope);
    let id = plain_id(id)?;
    let lead = leads::get(store, scope, id).await?;
    let now = state.now();
    let handler = leads::is_handler(scope, &lead);
    let complaints = store_detail::complaints(store, scope, &lead).await?;
    let referrals = referral::for_lead(store, &lead).await?;
    let reward = reward::for_lead(store, &lead).await?;
    let outcome = lead.outcome;
    let rules = &state.settings.leads.rewards;
    // The buttons are the steps the workflow table allows (meijian_domain::lead::workflow).
    let facts = workflow::facts(store, &lead, state.now(), Some(rules)).await?;
    let who = workflow::taker(scope, &lead);
    let steps = workflow::available(&facts, &who);
    let has = |step: LeadStep| steps.contains(&step);
    // The reward form would apply but for the size of the penalty: the page says why not.
    let reward_not_major = !facts.major && {
        let major = LeadFacts {
            major: facts.penalty_or_criminal,
            ..facts.clone()
        };
        workflow::available(&major, &who).contains(&LeadStep::Reward)
    };
    let can = Can {
        handle: handler,
        accept: has(LeadStep::Accept),
        verify: has(LeadStep::Verify),
        conclude: has(LeadStep::Conclude),
        reply: has(LeadStep::Reply),
        satisfaction: has(LeadStep::Satisfaction),
        link: has(LeadStep::Link),
        refer: has(LeadStep::Refer),
        reward: has(LeadStep::Reward),
        reward_not_major,
        pay: has(LeadStep::Paid),
        supervise: has(LeadStep::Supervise),
        extend: has(LeadStep::Extend),
        decide_extension: has(LeadStep::Extension),
    };
    let extensions = extension::extensions(store, &lead).await?;
    let open_extension = extensions
        .iter()
        .find(|x| x.state == ExtensionState::Requested)
        .cloned()
        .map(ExtensionRow::from);
    let extend_hint = match lead.next_step.and_then(Extendable::of) {
        Some(step) if can.extend => Some(format!(
            "{}期限可经负责人批准延长{}，只能延长一次，须在期限届满前申请。",
            step.label_zh(),
            step.limit(&state.settings.leads).label_zh()
        )),
        _ => None,
    };
    let suggestions = if can.link {
        suggest::suggestions(store, scope, id).await?
    } else {
        Vec::new()
    };
    let destinations = if can.refer {
        referral::destinations(store, scope, id).await?
    } else {
        Vec::new()
    };
    let events = workflow::events(store, &lead)
        .await?
        .into_iter()
        .map(|e| EventRow {
            at: show_time(e.at),
            action: e.action_zh(),
            actor: crate::chrome::actor_label(&e.actor_name),
            note: e.note.unwrap_or_default(),
            public: e.public,
        })
        .collect();
    let supervisions = workflow::supervisions(store, &lead)
        .await?
        .into_iter()
        .map(|s| SupervisionRow {
            at: show_time(s.at),
            by: s.by_name,
            note: s.note,
            due: crate::pages::show_time_opt(s.due),
        })
        .collect();
    let group = suggest::group(store, &lead)
        .await?
        .into_iter()
        .map(|(id, code, st)| {
            let label = LeadState::from_code(&st).map_or("", |s| s.label_zh());
            (id, code, label)
        })
        .collect();
    let case = meijian_store::cases::stats::case_of_lead(store, &lead.id)
        .await?
        .map(|(id, no, stage)| {
            let label = meijian_domain::case::Stage::from_code(&stage).map_or("", |s| s.label_zh());
            (id, no, label)
        });
    let can_open_case = handler
        && case.is_none()
        && matches!(lead.state, LeadState::Accepted | LeadState::Verified)
        && !lead.is_grouped_member();
    let forfeiture = meijian_store::cases::stats::penalty_facts(store, &lead.id)
        .await?
        .unwrap_or_default()
        .forfeiture;
    let levels = rules
        .levels
        .iter()
        .enumerate()
        .map(|(index, l)| LevelView {
            index,
            name: l.name.clone(),
            rule: format!("罚没款的{}%，最低{}元", l.percent, l.minimum_yuan),
            amount: rules
                .amount(index, forfeiture)
                .unwrap_or_default()
                .yuan_text(),
        })
        .collect();
    let page = LeadPage {
        chrome: Chrome::new(user, "/leads"),
        notice: flash.notice,
        error: flash.error,
        case,
        can_open_case,
        draft: flash.draft,
        received: show_time(lead.received_at),
        state: state_label(&lead),
        region: region_name(&lead.region_code),
        due: DueView::of(&lead, now),
        finding: lead.finding.map_or("", |f| f.label_zh()),
        outcome: outcome.map_or("", |o| o.label_zh()),
        satisfaction: lead.satisfaction.map_or("", |s| s.label_zh()),
        clocks: clocks(&lead, now),
        complaints: complaints.into_iter().map(complaint_row).collect(),
        events,
        supervisions,
        extensions: extensions.into_iter().map(ExtensionRow::from).collect(),
        open_extension,
        extend_hint,
        referrals: referrals
            .iter()
            .map(|r| ReferralRow {
                kind: r.kind_zh(),
                from: r.from_name.clone(),
                to: r.to_name.clone(),
                copy: r.copy_name.clone().unwrap_or_default(),
                reason: r.reason.clone(),
                state: r.state_zh(),
                sent_at: show_time(r.sent_at),
                due: if r.is_pending() {
                    show_time(r.due())
                } else {
                    String::new()
                },
                overdue: r.is_pending() && r.due() < now,
                response: r.response.clone().unwrap_or_default(),
            })
            .collect(),
        group,
        reward: reward.map(|w| RewardRow {
            approved: w.state == RewardState::Approved,
            state: w.state_zh(),
            id: w.id,
            level: w.level_name,
            forfeiture: w.forfeiture_fen.yuan_text(),
            amount: w.amount_fen.yuan_text(),
            joint: w.joint_approval,
            decided: match (&w.decided_by, w.decided_at) {
                (Some(by), Some(at)) => format!(
                    "{by} {} {}",
                    show_time(at),
                    w.decision_note.clone().unwrap_or_default()
                ),
                _ => String::new(),
            },
            paid: match (w.paid_at, &w.payment_ref) {
                (Some(at), Some(r)) => format!("{} 凭证号 {}", show_time(at), r),
                _ => String::new(),
            },
        }),
        suggestions,
        destinations,
        levels,
        reward_rule: format!(
            "每案奖励最高{}元；{}元以上须会同财政部门确定。",
            rules.cap_yuan, rules.joint_approval_from_yuan
        ),
        findings: Finding::ALL
            .iter()
            .map(|f| (f.code(), f.label_zh()))
            .collect(),
        outcomes: Outcome::ALL
            .iter()
            .map(|o| (o.code(), o.label_zh()))
            .collect(),
        satisfactions: Satisfaction::ALL
            .iter()
            .map(|s| (s.code(), s.label_zh()))
            .collect(),
        can,
        lead,
    };
    Ok((flash.status, render(&page)?).into_response())
}

#[tracing::instrument(skip_all)]
pub async fn show_lead(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> AppResult<Response> {
    let flash = Flash {
        status: StatusCode::OK,
        notice: notice_text(&query.notice),
        error: None,
        draft: ActionForm::default(),
    };
    page(&state, &user, &id, flash).await
}
