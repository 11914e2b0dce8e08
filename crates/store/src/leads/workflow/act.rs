//! The one entry point of the lead workflow: [`act`] takes a typed [`LeadCommand`], checks it
//! against the table in `meijian_domain::lead::workflow` and runs the step.

use meijian_domain::lead::rules::LeadRules;
use meijian_domain::lead::workflow::LeadStep;
use meijian_domain::lead::{Finding, Satisfaction};
use meijian_domain::workdays::Calendar;
use time::OffsetDateTime;

use super::table::permitted;
use super::{extension, Conclusion};
use crate::leads::{referral, reward, suggest};
use crate::{Scope, Store, StoreError};

/// A step on a lead with the data it needs.
#[derive(Clone, Debug)]
pub enum LeadCommand {
    Accept,
    Decline {
        reason: String,
    },
    Verify {
        finding: Finding,
        note: String,
    },
    Conclude(Conclusion),
    Reply {
        text: String,
    },
    Satisfaction(Satisfaction),
    Link {
        operator_id: String,
    },
    Refer {
        to_department_id: String,
        reason: String,
    },
    Reward {
        level: usize,
    },
    Paid {
        payment_ref: String,
    },
    Supervise {
        note: String,
    },
    Extend {
        reason: String,
    },
    Extension {
        grant: bool,
        note: String,
    },
}

impl LeadCommand {
    /// The row of the table the command takes.
    pub fn step(&self) -> LeadStep {
        match self {
            LeadCommand::Accept => LeadStep::Accept,
            LeadCommand::Decline { .. } => LeadStep::Decline,
            LeadCommand::Verify { .. } => LeadStep::Verify,
            LeadCommand::Conclude(_) => LeadStep::Conclude,
            LeadCommand::Reply { .. } => LeadStep::Reply,
            LeadCommand::Satisfaction(_) => LeadStep::Satisfaction,
            LeadCommand::Link { .. } => LeadStep::Link,
            LeadCommand::Refer { .. } => LeadStep::Refer,
            LeadCommand::Reward { .. } => LeadStep::Reward,
            LeadCommand::Paid { .. } => LeadStep::Paid,
            LeadCommand::Supervise { .. } => LeadStep::Supervise,
            LeadCommand::Extend { .. } => LeadStep::Extend,
            LeadCommand::Extension { .. } => LeadStep::Extension,
        }
    }
}

/// What a step did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Acted {
    pub step: LeadStep,
    /// Linking the operator grouped the lead with others on the same operator.
    pub grouped: bool,
}

/// Takes `command` on lead `id`: the table decides whether the caller may, then the step runs.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn act(
    store: &Store,
    scope: &Scope,
    cal: &Calendar,
    rules: &LeadRules,
    now: OffsetDateTime,
    id: &str,
    command: LeadCommand,
) -> Result<Acted, StoreError> {
    let step = command.step();
    let mut grouped = false;
    match command {
        LeadCommand::Accept => super::accept(store, scope, cal, rules, now, id).await?,
        LeadCommand::Decline { reason } => super::decline(store, scope, now, id, &reason).await?,
        LeadCommand::Verify { finding, note } => {
            super::verify(store, scope, now, id, finding, &note).await?;
        }
        LeadCommand::Conclude(c) => {
            super::conclude(store, scope, cal, rules, now, id, &c).await?;
        }
        LeadCommand::Reply { text } => super::reply(store, scope, now, id, &text).await?,
        LeadCommand::Satisfaction(s) => {
            super::officer_satisfaction(store, scope, now, id, s).await?;
        }
        LeadCommand::Supervise { note } => super::supervise(store, scope, now, id, &note).await?,
        LeadCommand::Extend { reason } => {
            extension::request(store, scope, cal, rules, now, id, &reason).await?;
        }
        LeadCommand::Extension { grant, note } => {
            extension::decide(store, scope, cal, rules, now, id, grant, &note).await?;
        }
        // Steps kept in their own modules; each checks the table itself (the 关联主体 step in
        // `suggest` is checked here).
        LeadCommand::Link { operator_id } => {
            permitted(store, scope, now, None, id, step).await?;
            let operator = operator_id.trim();
            if operator.is_empty() {
                return Err(StoreError::invalid("关联主体", "请填写主体编号"));
            }
            grouped = suggest::link_operator(store, scope, now, id, operator)
                .await?
                .is_some();
        }
        LeadCommand::Refer {
            to_department_id,
            reason,
        } => {
            referral::refer(
                store,
                scope,
                cal,
                rules,
                now,
                id,
                &to_department_id,
                &reason,
            )
            .await?;
        }
        LeadCommand::Reward { level } => {
            reward::propose(store, scope, rules, now, id, level).await?;
        }
        LeadCommand::Paid { payment_ref } => {
            reward::mark_paid_for_lead(store, scope, now, id, &payment_ref).await?;
        }
    }
    Ok(Acted { step, grouped })
}
