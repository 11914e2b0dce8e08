//! 主体库: the lasting operator record and what may happen to it, as data.
//!
//! An operator is found by a cross-check run (origin [`Origin::Registry`]) or named by a lead
//! before any registry knows it ([`Origin::Provisional`]). [`STEPS`] is the whole rule of what
//! officers and runs do to one: the statuses a step starts from, the permission it needs and
//! the status it leads to. The store's entry point and the page's buttons both read it.

use serde::{Deserialize, Serialize};

use crate::role::Permission;

/// Where an operator came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Found by a cross-check run over the registries.
    Registry,
    /// Named by a lead; no registry record yet (a studio in a flat, a WeChat seller).
    Provisional,
}

impl Origin {
    pub fn code(self) -> &'static str {
        match self {
            Origin::Registry => "registry",
            Origin::Provisional => "provisional",
        }
    }

    pub fn from_code(code: &str) -> Option<Origin> {
        match code {
            "registry" => Some(Origin::Registry),
            "provisional" => Some(Origin::Provisional),
            _ => None,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Origin::Registry => "登记数据比对",
            Origin::Provisional => "线索登记（暂无登记记录）",
        }
    }
}

/// Whether an operator is current.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperatorStatus {
    Active,
    /// Not in the latest cross-check of its jurisdiction: its records are gone or missing.
    Absent,
    /// Became another operator; references follow to that one.
    Merged,
}

impl OperatorStatus {
    pub fn code(self) -> &'static str {
        match self {
            OperatorStatus::Active => "active",
            OperatorStatus::Absent => "absent",
            OperatorStatus::Merged => "merged",
        }
    }

    pub fn from_code(code: &str) -> Option<OperatorStatus> {
        match code {
            "active" => Some(OperatorStatus::Active),
            "absent" => Some(OperatorStatus::Absent),
            "merged" => Some(OperatorStatus::Merged),
            _ => None,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            OperatorStatus::Active => "在册",
            OperatorStatus::Absent => "最近一次比对未出现",
            OperatorStatus::Merged => "已合并",
        }
    }
}

/// What happened to an operator (its history besides the class of each run).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A provisional operator registered from a lead.
    Created,
    /// Merged into another operator (by an officer, or by a run that joined its records).
    MergedInto,
    /// Another operator was merged into this one.
    Absorbed,
    /// A run split another operator off this one's records.
    SplitOff,
    /// This operator was split off another.
    SplitFrom,
    /// An officer asked for records to be split off; the next run carries it out.
    SplitRequested,
    /// Missing from a run of its jurisdiction.
    Absent,
    /// Back in a run after being absent.
    Returned,
    /// A provisional operator found among the registry operators of a run.
    Linked,
}

impl EventKind {
    pub fn code(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::MergedInto => "merged_into",
            EventKind::Absorbed => "absorbed",
            EventKind::SplitOff => "split_off",
            EventKind::SplitFrom => "split_from",
            EventKind::SplitRequested => "split_requested",
            EventKind::Absent => "absent",
            EventKind::Returned => "returned",
            EventKind::Linked => "linked",
        }
    }

    pub fn from_code(code: &str) -> Option<EventKind> {
        [
            EventKind::Created,
            EventKind::MergedInto,
            EventKind::Absorbed,
            EventKind::SplitOff,
            EventKind::SplitFrom,
            EventKind::SplitRequested,
            EventKind::Absent,
            EventKind::Returned,
            EventKind::Linked,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            EventKind::Created => "由线索登记为临时主体",
            EventKind::MergedInto => "并入",
            EventKind::Absorbed => "并入本主体",
            EventKind::SplitOff => "拆分出",
            EventKind::SplitFrom => "拆分自",
            EventKind::SplitRequested => "申请拆分（下次比对生效）",
            EventKind::Absent => "比对中未出现",
            EventKind::Returned => "重新出现在比对中",
            EventKind::Linked => "与登记记录关联",
        }
    }
}

/// An officer's step on an operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperatorStep {
    /// 合并: this operator is the same as another; it becomes that one.
    Merge,
    /// 拆分: some of its records are a different operator (carried out by the next run).
    Split,
}

/// One row of the rule.
#[derive(Clone, Copy, Debug)]
pub struct StepRule {
    pub step: OperatorStep,
    pub label_zh: &'static str,
    pub from: &'static [OperatorStatus],
    pub origins: &'static [Origin],
    pub permission: Permission,
    /// The status afterwards; `None`: the status stays.
    pub to: Option<OperatorStatus>,
}

/// What officers may do to an operator.
pub const STEPS: &[StepRule] = &[
    StepRule {
        step: OperatorStep::Merge,
        label_zh: "合并到另一主体",
        from: &[OperatorStatus::Active, OperatorStatus::Absent],
        origins: &[Origin::Registry, Origin::Provisional],
        permission: Permission::Reconcile,
        to: Some(OperatorStatus::Merged),
    },
    StepRule {
        step: OperatorStep::Split,
        label_zh: "拆分登记记录",
        from: &[OperatorStatus::Active],
        origins: &[Origin::Registry],
        permission: Permission::Reconcile,
        to: None,
    },
];

/// Why a step cannot be taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    Permission,
    Status(OperatorStatus),
    Origin(Origin),
}

impl Refusal {
    pub fn message_zh(self) -> String {
        match self {
            Refusal::Permission => "没有权限执行此操作".to_owned(),
            Refusal::Status(s) => format!("主体状态为“{}”，不能执行此操作", s.label_zh()),
            Refusal::Origin(o) => format!("{}的主体不能执行此操作", o.label_zh()),
        }
    }
}

/// Whether `step` may be taken on an operator of `origin` in `status` by a holder of
/// `can(permission)`.
pub fn check(
    step: OperatorStep,
    origin: Origin,
    status: OperatorStatus,
    can: impl Fn(Permission) -> bool,
) -> Result<&'static StepRule, Refusal> {
    // Every step has a rule (tested); a missing one refuses rather than panics.
    let rule = STEPS
        .iter()
        .find(|r| r.step == step)
        .ok_or(Refusal::Permission)?;
    if !can(rule.permission) {
        return Err(Refusal::Permission);
    }
    if !rule.origins.contains(&origin) {
        return Err(Refusal::Origin(origin));
    }
    if !rule.from.contains(&status) {
        return Err(Refusal::Status(status));
    }
    Ok(rule)
}

/// The steps shown as buttons.
pub fn available(
    origin: Origin,
    status: OperatorStatus,
    can: impl Fn(Permission) -> bool + Copy,
) -> Vec<&'static StepRule> {
    STEPS
        .iter()
        .filter(|r| check(r.step, origin, status, can).is_ok())
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::role::Role;

    #[test]
    fn codes_round_trip() {
        for s in [
            OperatorStatus::Active,
            OperatorStatus::Absent,
            OperatorStatus::Merged,
        ] {
            assert_eq!(OperatorStatus::from_code(s.code()), Some(s));
        }
        for o in [Origin::Registry, Origin::Provisional] {
            assert_eq!(Origin::from_code(o.code()), Some(o));
        }
        for k in [EventKind::Created, EventKind::Linked, EventKind::SplitOff] {
            assert_eq!(EventKind::from_code(k.code()), Some(k));
        }
        assert_eq!(OperatorStatus::from_code("deleted"), None);
    }

    #[test]
    fn a_merged_operator_takes_no_step_and_a_provisional_one_cannot_be_split() {
        let officer = |p| Role::Officer.can(p);
        assert!(available(Origin::Registry, OperatorStatus::Merged, officer).is_empty());
        assert_eq!(
            check(
                OperatorStep::Split,
                Origin::Provisional,
                OperatorStatus::Active,
                officer
            )
            .unwrap_err(),
            Refusal::Origin(Origin::Provisional)
        );
        let steps: Vec<_> = available(Origin::Registry, OperatorStatus::Active, officer)
            .iter()
            .map(|r| r.step)
            .collect();
        assert_eq!(steps, [OperatorStep::Merge, OperatorStep::Split]);
        assert_eq!(
            check(
                OperatorStep::Merge,
                Origin::Registry,
                OperatorStatus::Absent,
                officer
            )
            .unwrap()
            .to,
            Some(OperatorStatus::Merged)
        );
    }

    #[test]
    fn only_those_who_run_the_cross_check_merge_or_split() {
        for role in [
            Role::Leader,
            Role::Liaison,
            Role::Analyst,
            Role::Institution,
        ] {
            assert_eq!(
                check(
                    OperatorStep::Merge,
                    Origin::Registry,
                    OperatorStatus::Active,
                    |p| { role.can(p) }
                )
                .unwrap_err(),
                Refusal::Permission,
                "{role:?}"
            );
        }
    }
}
