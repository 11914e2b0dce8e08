//! The store's side of the workflow table ([`meijian_domain::lead::workflow::STEPS`]): the facts
//! of a lead the table reads, the caller as the table sees them, and the one check every step
//! passes, with the Chinese message of each refusal.

use meijian_domain::lead::rules::RewardRules;
use meijian_domain::lead::workflow::{check, Cond, LeadFacts, LeadStep, Refusal, Taker};
use meijian_domain::lead::{ExtensionState, LeadState, Outcome, ReferralKind, RewardState};
use time::OffsetDateTime;

use super::extension::{self, Extendable};
use crate::leads::{get, is_handler, referral, reward, Lead};
use crate::{Scope, Store, StoreError};

/// The facts of `lead` at `now`. Without reward rules a lead never counts as a major violation.
#[tracing::instrument(skip_all)]
pub async fn facts(
    store: &Store,
    lead: &Lead,
    now: OffsetDateTime,
    rewards: Option<&RewardRules>,
) -> Result<LeadFacts, StoreError> {
    let reporters: i64 = sqlx::query_scalar("select count(*) from complaint where lead_id = $1")
        .bind(&lead.id)
        .fetch_one(store.pool())
        .await?;
    let referrals = referral::for_lead(store, lead).await?;
    let reward = reward::for_lead(store, lead).await?;
    let extensions = extension::extensions(store, lead).await?;
    let outcome = lead.outcome;
    // The penalty facts live on the lead's case; a transfer to the judiciary recorded as the
    // lead's outcome counts too.
    let mut penalty = crate::cases::stats::penalty_facts(store, &lead.id)
        .await?
        .unwrap_or_default();
    penalty.criminal |= outcome == Some(Outcome::Criminal);
    let waiting = lead.next_step.and_then(Extendable::of).zip(lead.next_due);
    let mut f = LeadFacts::new(lead.state, lead.kind);
    f.grouped = lead.group_id.is_some();
    f.grouped_member = lead.is_grouped_member();
    f.has_reporter = reporters > 0;
    f.replied = lead.replied_at.is_some();
    f.satisfaction = lead.satisfaction.is_some();
    f.open_referral = referrals
        .iter()
        .any(|r| r.kind == ReferralKind::Department && r.state.is_open_referral());
    f.overdue = lead.next_due.is_some_and(|d| d < now);
    f.waits_extendable = waiting.is_some();
    f.due_passed = waiting.is_some_and(|(_, due)| due < now);
    f.extension_used = waiting.is_some_and(|(step, _)| {
        extensions
            .iter()
            .any(|x| x.step == step && x.state != ExtensionState::Refused)
    });
    f.open_extension = extensions
        .iter()
        .any(|x| x.state == ExtensionState::Requested);
    f.penalty_or_criminal = lead.state == LeadState::Concluded
        && matches!(outcome, Some(Outcome::Penalty | Outcome::Criminal));
    f.major = f.penalty_or_criminal && rewards.is_some_and(|r| r.is_major(&penalty));
    f.reward = reward.is_some();
    f.reward_approved = reward
        .as_ref()
        .is_some_and(|w| w.state == RewardState::Approved);
    Ok(f)
}

/// The caller as the table sees them.
pub fn taker(scope: &Scope, lead: &Lead) -> Taker {
    Taker {
        role: scope.role,
        handler: is_handler(scope, lead),
        covers: scope.covers(&lead.region_code),
    }
}

/// The lead `id`, if the table lets the caller take `step` on it now; the one check of who may
/// take which step in which state.
#[tracing::instrument(skip_all)]
pub(crate) async fn permitted(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    rewards: Option<&RewardRules>,
    id: &str,
    step: LeadStep,
) -> Result<Lead, StoreError> {
    let lead = get(store, scope, id).await?;
    let f = facts(store, &lead, now, rewards).await?;
    match check(&f, &taker(scope, &lead), step) {
        Ok(_) => Ok(lead),
        Err(r) => Err(refusal(&lead, step, r)),
    }
}

/// The error a refusal of the table gives.
pub fn refusal(lead: &Lead, step: LeadStep, r: Refusal) -> StoreError {
    use Cond as C;
    use LeadStep as L;
    let (field, message): (&'static str, String) = match (r, step) {
        (Refusal::Forbidden, _) => return StoreError::Forbidden,
        (Refusal::NotFound, _) => return StoreError::NotFound,
        (Refusal::Lacks(C::NotGroupedMember), L::Verify | L::Conclude) => (
            "合并办理",
            format!("该线索已合并办理，请在合并的首条线索上{}", step.label_zh()),
        ),
        (Refusal::Lacks(C::NotGroupedMember), L::Extend) => {
            ("延期", "合并办理的线索由第一件线索申请延期".into())
        }
        (Refusal::Lacks(C::NotGroupedMember), _) => {
            ("移送", "合并办理的线索请随首条线索一并处理".into())
        }
        (Refusal::Lacks(C::NotGrouped), _) => ("关联主体", "合并办理中的线索不能改关联主体".into()),
        (Refusal::Lacks(C::Report), _) => ("举报奖励", "只有举报才能申请奖励".into()),
        (Refusal::Lacks(C::PenaltyOrCriminal), _) | (Refusal::State, L::Reward) => (
            "举报奖励",
            "举报须经查实并实施行政处罚或移送司法机关后才能奖励".into(),
        ),
        (Refusal::Lacks(C::Major), _) => (
            "举报奖励",
            "未达到重大违法行为的奖励条件（责令停产停业、吊销许可、较大数额罚没款或涉嫌犯罪）"
                .into(),
        ),
        (Refusal::Lacks(C::NoReward), _) => {
            return StoreError::Conflict {
                field: "举报奖励",
                message: "该线索已申请过奖励".into(),
            }
        }
        (Refusal::Lacks(C::HasReporter), L::Reply) => ("答复", "该线索没有举报人，无需答复".into()),
        (Refusal::Lacks(C::HasReporter), _) => ("举报奖励", "该线索没有举报人".into()),
        (Refusal::Lacks(C::NotReplied), _) | (Refusal::State, L::Reply) => {
            ("答复", "只能答复已办结且尚未答复的线索".into())
        }
        (Refusal::Lacks(C::Replied), _) | (Refusal::State, L::Satisfaction) => {
            ("满意度", "答复之后才能评价".into())
        }
        (Refusal::Lacks(C::NoSatisfaction), _) => ("满意度", "已经评价过".into()),
        (Refusal::Lacks(C::NoOpenReferral), _) => ("移送", "该线索已有待对方处理的移送".into()),
        (Refusal::Lacks(C::Overdue), _) => ("督办", "只有逾期的线索需要督办".into()),
        (Refusal::Lacks(C::WaitsExtendable), _) => {
            ("延期", "只有核查或办结期限可以申请延期".into())
        }
        (Refusal::Lacks(C::DueNotPassed), _) => ("延期", "期限已过，不能再申请延期".into()),
        (Refusal::Lacks(C::ExtensionUnused), _) => {
            let step = lead
                .next_step
                .and_then(Extendable::of)
                .map_or("", |s| s.label_zh());
            return StoreError::Conflict {
                field: "延期",
                message: format!("{step}期限已申请过延期"),
            };
        }
        (Refusal::Lacks(C::OpenExtension), _) => ("延期", "没有待审批的延期申请".into()),
        (Refusal::Lacks(C::RewardApproved), _) => ("举报奖励", "奖励尚未批准，不能登记发放".into()),
        (Refusal::State, L::Refer) => ("移送", "已办结或不予受理的线索不能移送".into()),
        (Refusal::State, _) => (
            "办理状态",
            format!("线索当前为“{}”，不能{}", lead.state_zh(), step.label_zh()),
        ),
    };
    StoreError::invalid(field, message)
}
