//! The legal clocks of a lead as its page shows them: each step's deadline, when it was done,
//! and whether it is 逾期, done late, done in time or not yet due.

use meijian_store::leads::Lead;
use meijian_store::timefmt;

/// One legal clock of the lead.
pub struct ClockRow {
    pub step: &'static str,
    pub due: String,
    pub done: String,
    /// 逾期, 超期完成, 按期完成, 未到期, or empty when the step no longer applies.
    pub status: &'static str,
    pub overdue: bool,
}

pub fn clocks(lead: &Lead, now_db: &str) -> Vec<ClockRow> {
    let accepted = lead.accepted_at.as_ref().or(lead.declined_at.as_ref());
    let steps = [
        ("accept", &lead.accept_due, accepted),
        ("verify", &lead.verify_due, lead.verified_at.as_ref()),
        ("conclude", &lead.conclude_due, lead.concluded_at.as_ref()),
        ("reply", &lead.reply_due, lead.replied_at.as_ref()),
    ];
    let closed = lead.state().is_closed();
    steps
        .into_iter()
        .filter_map(|(code, due, done)| {
            let due = due.as_deref()?;
            let waits = lead.next_step.as_deref() == Some(code);
            let (status, overdue) = match done {
                Some(d) if d.as_str() > due => ("超期完成", true),
                Some(_) => ("按期完成", false),
                // A declined report is never verified: its clock stopped.
                None if closed && !waits => ("", false),
                None if due < now_db => ("逾期", true),
                None => ("未到期", false),
            };
            Some(ClockRow {
                step: super::step_zh(code),
                due: timefmt::display(due),
                done: done.map(|d| timefmt::display(d)).unwrap_or_default(),
                status,
                overdue,
            })
        })
        .collect()
}
