//! 处置 and 销号 of the cross-check lists: what became of each operator on the 有照无证 or
//! 无照无证 list (seed `002` task (11): "对于尚未取得医疗机构执业许可开展医疗美容活动的，
//! 责令停止执业活动，并视违法情形及危害程度采取相应的刑事打击、行政处罚、引导规范经营等方式
//! 分类处置"; task (19): 已停止医疗美容活动的机构引导其向生活美容机构转型), and the closing of
//! the entry (销号) once the matter is settled.
//!
//! Pure rules: the codes, which operators are on the lists, who may take each step, the
//! standing of an entry and the filters of the lists. Codes are stored: never change one.

use serde::{Deserialize, Serialize};
use time::Date;

use crate::role::Permission;

coded! {
    /// 处置方式: how the matter of one listed operator was dealt with (`002` (11), (19)).
    DisposalKind {
        /// 刑事打击: transferred to the police, prosecuted.
        Criminal = "criminal", "刑事打击";
        /// 行政处罚: an administrative penalty.
        Penalty = "penalty", "行政处罚";
        /// 引导规范经营: the operator obtained the license it lacked.
        Licensed = "licensed", "引导规范经营（已取得许可）";
        /// 转型生活美容: stopped medical aesthetics, now a beauty salon (`002` (19)).
        Cosmetic = "cosmetic", "转型生活美容";
        /// 停止经营: closed down.
        Ceased = "ceased", "停止经营";
    }
}

coded! {
    /// 处置情况 of a list entry.
    Standing {
        /// 未处置: nothing recorded yet.
        Undisposed = "undisposed", "未处置";
        /// 处置中: at least one disposal recorded, not closed.
        InProgress = "in_progress", "处置中";
        /// 已销号: closed as settled.
        Closed = "closed", "已销号";
    }
}

coded! {
    /// What happened to a list entry, as its history and the audit log name it.
    DisposalAction {
        Recorded = "recorded", "记录处置";
        Closed = "closed", "销号";
        Reopened = "reopened", "恢复（撤销销号）";
    }
}

/// The operator classes whose operators are on the lists to be dealt with: 有照无证
/// (`registered_only`) and 无照无证 (`neither`), the codes of `meijian_linkage::Class`.
pub const LIST_CLASSES: [&str; 2] = ["registered_only", "neither"];

/// Whether an operator of class `class_code` is on the 有照无证 or 无照无证 list.
pub fn on_lists(class_code: &str) -> bool {
    LIST_CLASSES.contains(&class_code)
}

/// The standing of an entry with `disposals` recorded, closed or not.
pub fn standing(closed: bool, disposals: i64) -> Standing {
    if closed {
        Standing::Closed
    } else if disposals > 0 {
        Standing::InProgress
    } else {
        Standing::Undisposed
    }
}

/// A step on a list entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisposalStep {
    /// 记录处置: add a dated disposal with a note and evidence.
    Record,
    /// 销号: close the entry as settled.
    Close,
    /// 恢复: reopen a closed entry; a leader's supervisory step.
    Reopen,
}

impl DisposalStep {
    /// The permission the step needs (in the operator's jurisdiction). Officers and leaders
    /// work the lists (`handle_leads`); reopening what was closed is supervision of others'
    /// work, which only leaders hold (`supervise_deadlines`).
    pub fn permission(self) -> Permission {
        match self {
            DisposalStep::Record | DisposalStep::Close => Permission::HandleLeads,
            DisposalStep::Reopen => Permission::SuperviseDeadlines,
        }
    }

    /// Whether the step may be taken on an entry in `standing`; the Chinese reason if not.
    pub fn check(self, standing: Standing) -> Result<(), &'static str> {
        match (self, standing) {
            (DisposalStep::Record, Standing::Closed) => {
                Err("该主体已销号，不能再记录处置；如需继续处置，请由领导恢复")
            }
            (DisposalStep::Close, Standing::Closed) => Err("该主体已销号，不能重复销号"),
            (DisposalStep::Close, Standing::Undisposed) => Err("尚未记录处置情况，不能销号"),
            (DisposalStep::Reopen, Standing::Undisposed | Standing::InProgress) => {
                Err("该主体未销号，无需恢复")
            }
            _ => Ok(()),
        }
    }
}

/// The day of a disposal: not after `today` (China's calendar day) and not before 2000.
pub fn check_day(day: Date, today: Date) -> Result<(), &'static str> {
    if day > today {
        return Err("不能晚于今天");
    }
    if day.year() < 2000 {
        return Err("日期有误");
    }
    Ok(())
}

/// A filter of the lists by 处置情况: a standing, or the operators with a disposal of a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DisposalFilter {
    Standing(Standing),
    Kind(DisposalKind),
}

impl DisposalFilter {
    /// Every filter, as the lists offer them: the standings, then the kinds.
    pub fn all() -> Vec<DisposalFilter> {
        Standing::ALL
            .iter()
            .map(|s| DisposalFilter::Standing(*s))
            .chain(DisposalKind::ALL.iter().map(|k| DisposalFilter::Kind(*k)))
            .collect()
    }

    /// The code a query string carries: a standing code or a kind code (they never clash).
    pub fn code(self) -> &'static str {
        match self {
            DisposalFilter::Standing(s) => s.code(),
            DisposalFilter::Kind(k) => k.code(),
        }
    }

    pub fn from_code(code: &str) -> Option<DisposalFilter> {
        Standing::from_code(code)
            .map(DisposalFilter::Standing)
            .or_else(|| DisposalKind::from_code(code).map(DisposalFilter::Kind))
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            DisposalFilter::Standing(s) => s.label_zh(),
            DisposalFilter::Kind(k) => k.label_zh(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::role::Role;
    use time::macros::date;

    #[test]
    fn codes_round_trip_and_filters_never_clash() {
        for k in DisposalKind::ALL {
            assert_eq!(DisposalKind::from_code(k.code()), Some(*k));
            assert_eq!(DisposalKind::from_label_zh(k.label_zh()), Some(*k));
        }
        assert_eq!(DisposalKind::ALL.len(), 5);
        assert_eq!(DisposalKind::from_code("warning"), None);
        let all = DisposalFilter::all();
        assert_eq!(all.len(), 8);
        for f in &all {
            assert_eq!(DisposalFilter::from_code(f.code()), Some(*f));
        }
        let mut codes: Vec<_> = all.iter().map(|f| f.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        assert_eq!(DisposalFilter::from_code(""), None);
    }

    #[test]
    fn only_the_two_lists_are_dealt_with() {
        assert!(on_lists("registered_only"));
        assert!(on_lists("neither"));
        assert!(!on_lists("both"));
        assert!(!on_lists("licensed_only"));
        assert!(!on_lists(""));
    }

    #[test]
    fn standing_and_steps() {
        assert_eq!(standing(false, 0), Standing::Undisposed);
        assert_eq!(standing(false, 2), Standing::InProgress);
        assert_eq!(standing(true, 2), Standing::Closed);
        assert!(DisposalStep::Record.check(Standing::Undisposed).is_ok());
        assert!(DisposalStep::Record.check(Standing::Closed).is_err());
        assert!(DisposalStep::Close.check(Standing::Undisposed).is_err());
        assert!(DisposalStep::Close.check(Standing::InProgress).is_ok());
        assert_eq!(
            DisposalStep::Close.check(Standing::Closed),
            Err("该主体已销号，不能重复销号")
        );
        assert!(DisposalStep::Reopen.check(Standing::Closed).is_ok());
        assert!(DisposalStep::Reopen.check(Standing::InProgress).is_err());
    }

    #[test]
    fn officers_record_and_close_only_leaders_reopen() {
        let can = |role: Role, step: DisposalStep| role.can(step.permission());
        assert!(can(Role::Officer, DisposalStep::Record));
        assert!(can(Role::Officer, DisposalStep::Close));
        assert!(!can(Role::Officer, DisposalStep::Reopen));
        assert!(can(Role::Leader, DisposalStep::Reopen));
        for role in [
            Role::Administrator,
            Role::Liaison,
            Role::Analyst,
            Role::Institution,
        ] {
            assert!(!can(role, DisposalStep::Record), "{role:?}");
            assert!(!can(role, DisposalStep::Reopen), "{role:?}");
        }
    }

    #[test]
    fn a_disposal_is_not_dated_in_the_future() {
        let today = date!(2026 - 11 - 20);
        assert!(check_day(today, today).is_ok());
        assert!(check_day(date!(2026 - 11 - 01), today).is_ok());
        assert_eq!(check_day(date!(2026 - 11 - 21), today), Err("不能晚于今天"));
        assert!(check_day(date!(1999 - 12 - 31), today).is_err());
    }
}
