//! The legal clocks of a lead as its page shows them: each step's deadline, when it was done,
//! and whether it is 逾期, done late, done in time or not yet due.

use meijian_domain::lead::codes::NextStep;
use meijian_store::leads::Lead;
use time::OffsetDateTime;

use crate::pages::{show_time, show_time_opt};

/// One legal clock of the lead.
pub struct ClockRow {
    pub step: &'static str,
    pub due: String,
    pub done: String,
    /// 逾期, 超期完成, 按期完成, 未到期, or empty when the step no longer applies.
    pub status: &'static str,
    pub overdue: bool,
}

pub fn clocks(lead: &Lead, now: OffsetDateTime) -> Vec<ClockRow> {
    let accepted = lead.accepted_at.or(lead.declined_at);
    let steps = [
        (NextStep::Accept, lead.accept_due, accepted),
        (NextStep::Verify, lead.verify_due, lead.verified_at),
        (NextStep::Conclude, lead.conclude_due, lead.concluded_at),
        (NextStep::Reply, lead.reply_due, lead.replied_at),
    ];
    let closed = lead.state().is_closed();
    steps
        .into_iter()
        .filter_map(|(step, due, done)| {
            let due = due?;
            let waits = lead.next_step == Some(step);
            let (status, overdue) = match done {
                Some(d) if d > due => ("超期完成", true),
                Some(_) => ("按期完成", false),
                // A declined report is never verified: its clock stopped.
                None if closed && !waits => ("", false),
                None if due < now => ("逾期", true),
                None => ("未到期", false),
            };
            Some(ClockRow {
                step: step.label_zh(),
                due: show_time(due),
                done: show_time_opt(done),
                status,
                overdue,
            })
        })
        .collect()
}
