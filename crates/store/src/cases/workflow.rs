//! The one entry point of the case workflow: [`act`] takes a typed [`CaseCommand`], asks the
//! domain's table whether the scope may take the step now, checks the command's facts, moves
//! the stage under a version check, writes the history and the audit entry in one transaction.
//! Steps that change parts of a case (parties, penalties, evidence …) live in their modules and
//! pass the same gate, [`permitted`].

use meijian_domain::case::workflow::{self as table, CaseFacts, CaseStep, Taker, Target};
use meijian_domain::case::{CaseAction, CaseRules, Stage};
use meijian_domain::lead::ExtensionState;
use meijian_domain::workdays::Calendar;
use time::{Date, OffsetDateTime};

use super::open::text;
use super::{get, stale, Case};
use crate::leads::deadlines;
use crate::{audit, new_id, timefmt, Scope, Store, StoreError, Tx};

/// Writes one event of a case's history.
pub(crate) async fn event(
    tx: &mut Tx,
    case_id: &str,
    now: OffsetDateTime,
    action: CaseAction,
    scope: &Scope,
    note: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "insert into case_event (id, case_id, at, action, actor_id, actor_name, department_id, \
         note) values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new_id())
    .bind(case_id)
    .bind(timefmt::to_db(now))
    .bind(action.code())
    .bind(scope.actor.account_id.as_deref())
    .bind(&scope.actor.name)
    .bind(scope.department_id.as_deref())
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What the table's conditions read of a case.
#[tracing::instrument(skip_all)]
pub async fn facts(
    store: &Store,
    case: &Case,
    now: OffsetDateTime,
) -> Result<CaseFacts, StoreError> {
    let (parties, without): (i64, i64) = sqlx::query_as(
        "select count(*), cast(coalesce(sum(case when not exists (select 1 from case_action a \
         where a.party_id = p.id) then 1 else 0 end), 0) as bigint) from case_party p where p.case_id = $1",
    )
    .bind(&case.id)
    .fetch_one(store.pool())
    .await?;
    Ok(CaseFacts {
        stage: case.stage,
        parties: usize::try_from(parties).unwrap_or(0),
        parties_without_action: usize::try_from(without).unwrap_or(0),
        open_police_transfer: super::transfer::has_open(store, &case.id).await?,
        due_passed: case.decide_due.is_some_and(|d| d < now),
        extension_used: case
            .extension_state
            .is_some_and(|s| s != ExtensionState::Refused),
        open_extension: case.extension_state == Some(ExtensionState::Requested),
    })
}

/// Who the scope is to a case.
#[tracing::instrument(skip_all)]
pub async fn taker(store: &Store, scope: &Scope, case: &Case) -> Result<Taker, StoreError> {
    let dept = scope.department_id.as_deref();
    let partner = match dept {
        Some(d) => {
            let n: i64 = sqlx::query_scalar(
                "select count(*) from case_grant where case_id = $1 and department_id = $2 \
                 and revoked_at is null",
            )
            .bind(&case.id)
            .bind(d)
            .fetch_one(store.pool())
            .await?;
            n > 0
        }
        None => false,
    };
    Ok(Taker {
        role: scope.role,
        handler: dept.is_some() && dept == case.department_id.as_deref(),
        partner,
        covers: scope.covers(&case.region_code),
    })
}

/// The steps the scope may take on a case now, in table order (the page's buttons).
#[tracing::instrument(skip_all)]
pub async fn available(
    store: &Store,
    scope: &Scope,
    case: &Case,
    now: OffsetDateTime,
) -> Result<Vec<CaseStep>, StoreError> {
    let facts = facts(store, case, now).await?;
    let who = taker(store, scope, case).await?;
    Ok(table::available(&facts, &who))
}

/// The case, if the scope may take `step` on it now and `version` is the current one; else why
/// not, in Chinese.
pub(crate) async fn permitted(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    id: &str,
    version: i64,
    step: CaseStep,
) -> Result<(Case, &'static table::Transition), StoreError> {
    let case = get(store, scope, id).await?;
    let facts = facts(store, &case, now).await?;
    let who = taker(store, scope, &case).await?;
    match table::check(&facts, &who, step) {
        Ok(row) => {
            if case.version != version {
                return Err(stale());
            }
            Ok((case, row))
        }
        Err(table::Refusal::Forbidden) => Err(StoreError::Forbidden),
        Err(table::Refusal::NotFound) => Err(StoreError::NotFound),
        Err(r) => Err(StoreError::invalid(
            "办案流程",
            table::refusal_zh(step, case.stage, r),
        )),
    }
}

/// Moves the version on (and the stage, when given) if nobody changed the case meanwhile.
pub(crate) async fn bump(
    tx: &mut Tx,
    case: &Case,
    now: OffsetDateTime,
    stage: Option<Stage>,
) -> Result<(), StoreError> {
    let n = sqlx::query(
        "update enforcement_case set version = version + 1, updated_at = $1, \
         stage = coalesce($2, stage) where id = $3 and version = $4",
    )
    .bind(timefmt::to_db(now))
    .bind(stage.map(Stage::code))
    .bind(&case.id)
    .bind(case.version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(stale());
    }
    Ok(())
}

/// Writes the audit entry of a step on a case.
pub(crate) async fn audit_step(
    tx: &mut Tx,
    scope: &Scope,
    now: OffsetDateTime,
    case: &Case,
    action: &str,
    after: serde_json::Value,
) -> Result<(), StoreError> {
    audit::record(
        tx,
        &scope.actor,
        now,
        audit::Change {
            action,
            entity: "enforcement_case",
            entity_id: &case.id,
            region_code: Some(&case.region_code),
            before: Some(serde_json::json!({"stage": case.stage.code(), "version": case.version})),
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// A step of the workflow with what it needs.
#[derive(Clone, Debug)]
pub enum CaseCommand {
    /// 立案 → 调查取证.
    Investigate,
    /// 告知: the day the party was told, whether a hearing was asked, the defence heard.
    Notify {
        on: Date,
        hearing: bool,
        note: String,
    },
    /// 决定: the decision day.
    Decide {
        on: Date,
    },
    Execute,
    /// 结案, with how the decision was carried out (or why no penalty).
    Close {
        on: Date,
        note: String,
    },
    /// 撤销: opened by mistake.
    Withdraw {
        reason: String,
    },
    Supervise {
        note: String,
    },
    Extend {
        reason: String,
    },
    Extension {
        approve: bool,
        note: String,
    },
}

impl CaseCommand {
    pub fn step(&self) -> CaseStep {
        match self {
            CaseCommand::Investigate => CaseStep::Investigate,
            CaseCommand::Notify { .. } => CaseStep::Notify,
            CaseCommand::Decide { .. } => CaseStep::Decide,
            CaseCommand::Execute => CaseStep::Execute,
            CaseCommand::Close { .. } => CaseStep::Close,
            CaseCommand::Withdraw { .. } => CaseStep::Withdraw,
            CaseCommand::Supervise { .. } => CaseStep::Supervise,
            CaseCommand::Extend { .. } => CaseStep::Extend,
            CaseCommand::Extension { .. } => CaseStep::Extension,
        }
    }
}

/// A day between the case's 立案 day and today.
fn within(
    field: &'static str,
    day: Date,
    case: &Case,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    if day < case.filed_on {
        return Err(StoreError::invalid(
            field,
            format!("{day} 早于立案日期 {}", case.filed_on),
        ));
    }
    if day > deadlines::china_date(now) {
        return Err(StoreError::invalid(field, "不能晚于今天"));
    }
    Ok(())
}

/// Takes one step of the workflow on case `id`, seen at `version`.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn act(
    store: &Store,
    scope: &Scope,
    cal: &Calendar,
    rules: &CaseRules,
    now: OffsetDateTime,
    id: &str,
    version: i64,
    command: &CaseCommand,
) -> Result<(), StoreError> {
    let step = command.step();
    let (case, row) = permitted(store, scope, now, id, version, step).await?;
    let to = match row.to {
        Target::To(stage) => Some(stage),
        Target::Same => None,
    };
    let mut tx = store.begin().await?;
    bump(&mut tx, &case, now, to).await?;
    let (action, note, after) = match command {
        CaseCommand::Investigate => (
            CaseAction::Investigating,
            None,
            serde_json::json!({"stage": Stage::Investigating.code()}),
        ),
        CaseCommand::Notify { on, hearing, note } => {
            within("告知日期", *on, &case, now)?;
            let note = text("陈述申辩情况", note, 0, 2000)?;
            sqlx::query(
                "update enforcement_case set notified_on = $1, hearing = $2, defence_note = $3 \
                 where id = $4",
            )
            .bind(timefmt::day_to_db(*on))
            .bind(i64::from(*hearing))
            .bind(Some(note).filter(|n| !n.is_empty()))
            .bind(&case.id)
            .execute(&mut *tx)
            .await?;
            let said = format!(
                "{on} 告知当事人{}{}",
                if *hearing {
                    "，当事人要求听证"
                } else {
                    ""
                },
                if note.is_empty() {
                    String::new()
                } else {
                    format!("；{note}")
                }
            );
            (
                CaseAction::Notified,
                Some(said),
                serde_json::json!({"stage": "notified", "notified_on": timefmt::day_to_db(*on), "hearing": hearing}),
            )
        }
        CaseCommand::Decide { on } => {
            within("决定日期", *on, &case, now)?;
            let early: Option<String> =
                sqlx::query_scalar("select min(decided_on) from case_action where case_id = $1")
                    .bind(&case.id)
                    .fetch_one(&mut *tx)
                    .await?;
            if early
                .as_deref()
                .is_some_and(|e| e < timefmt::day_to_db(case.filed_on).as_str())
            {
                return Err(StoreError::invalid(
                    "决定日期",
                    "有处罚的决定日期早于立案日期",
                ));
            }
            sqlx::query(
                "update enforcement_case set decided_on = $1, decide_due = null where id = $2",
            )
            .bind(timefmt::day_to_db(*on))
            .bind(&case.id)
            .execute(&mut *tx)
            .await?;
            (
                CaseAction::Decided,
                Some(format!("{on} 作出处罚决定")),
                serde_json::json!({"stage": "decided", "decided_on": timefmt::day_to_db(*on)}),
            )
        }
        CaseCommand::Execute => (
            CaseAction::Executing,
            None,
            serde_json::json!({"stage": Stage::Executing.code()}),
        ),
        CaseCommand::Close { on, note } => {
            within("结案日期", *on, &case, now)?;
            let min = if case.stage == Stage::Investigating {
                4
            } else {
                0
            };
            if min > 0 && note.trim().chars().count() < min {
                return Err(StoreError::invalid(
                    "结案说明",
                    "未作处罚决定就结案的，请写明理由（如违法事实不成立、不予行政处罚）",
                ));
            }
            let note = text("结案说明", note, 0, 2000)?;
            sqlx::query(
                "update enforcement_case set closed_on = $1, close_note = $2, decide_due = null \
                 where id = $3",
            )
            .bind(timefmt::day_to_db(*on))
            .bind(Some(note).filter(|n| !n.is_empty()))
            .bind(&case.id)
            .execute(&mut *tx)
            .await?;
            (
                CaseAction::Closed,
                Some(format!(
                    "{on} 结案{}",
                    if note.is_empty() {
                        String::new()
                    } else {
                        format!("：{note}")
                    }
                )),
                serde_json::json!({"stage": "closed", "closed_on": timefmt::day_to_db(*on)}),
            )
        }
        CaseCommand::Withdraw { reason } => {
            let reason = text("撤销理由", reason, 4, 1000)?;
            sqlx::query(
                "update enforcement_case set withdrawn_at = $1, withdraw_reason = $2, \
                 decide_due = null where id = $3",
            )
            .bind(timefmt::to_db(now))
            .bind(reason)
            .bind(&case.id)
            .execute(&mut *tx)
            .await?;
            (
                CaseAction::Withdrawn,
                Some(format!("撤销：{reason}")),
                serde_json::json!({"stage": "withdrawn", "reason": reason}),
            )
        }
        CaseCommand::Supervise { note } => {
            let note = text("督办意见", note, 2, 1000)?;
            (
                CaseAction::Supervised,
                Some(note.to_string()),
                serde_json::json!({"supervised": note}),
            )
        }
        CaseCommand::Extend { reason } => {
            let reason = text("延期理由", reason, 4, 1000)?;
            sqlx::query(
                "update enforcement_case set extension_state = 'requested', \
                 extension_reason = $1 where id = $2",
            )
            .bind(reason)
            .bind(&case.id)
            .execute(&mut *tx)
            .await?;
            (
                CaseAction::ExtensionRequested,
                Some(format!(
                    "申请延长决定期限{}：{reason}",
                    rules.decide_extension.label_zh()
                )),
                serde_json::json!({"extension": "requested"}),
            )
        }
        CaseCommand::Extension { approve, note } => {
            let note = text("审批意见", note, if *approve { 0 } else { 2 }, 1000)?;
            let (state, due) = if *approve {
                let from = case.decide_due.unwrap_or(now);
                (
                    ExtensionState::Granted,
                    case.decide_due
                        .map(|_| deadlines::due_db(cal, from, rules.decide_extension)),
                )
            } else {
                (ExtensionState::Refused, case.decide_due.map(timefmt::to_db))
            };
            sqlx::query(
                "update enforcement_case set extension_state = $1, decide_due = $2 where id = $3",
            )
            .bind(state.code())
            .bind(due.as_deref())
            .bind(&case.id)
            .execute(&mut *tx)
            .await?;
            let action = if *approve {
                CaseAction::ExtensionGranted
            } else {
                CaseAction::ExtensionRefused
            };
            (
                action,
                Some(note.to_string()).filter(|n| !n.is_empty()),
                serde_json::json!({"extension": state.code(), "decide_due": due}),
            )
        }
    };
    event(&mut tx, &case.id, now, action, scope, note.as_deref()).await?;
    audit_step(
        &mut tx,
        scope,
        now,
        &case,
        &format!("case.{}", step.code()),
        after,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
