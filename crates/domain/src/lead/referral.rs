//! 移送 and 举报奖励 as data, like the lead's own workflow ([`super::workflow`]): per step the
//! states it starts from, the permission it needs, who among the holders may take it and the
//! state it leads to. The store's steps on a referral or a reward read these tables and nothing
//! else for those rules. A transfer of a suspected crime to the police is a step of the case
//! (`crate::case::transfer`), not a referral of the lead.

use super::{ReferralState, RewardState};
use crate::role::{Permission, Role};

/// A step on a referral.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReferralStep {
    /// 签收.
    Acknowledge,
    /// 接收办理: the lead becomes the receiver's.
    Accept,
    /// 退回: the lead stays with the sender.
    Return,
}

/// One row of [`REFERRAL_STEPS`]. Every step is the receiving department's.
#[derive(Clone, Copy, Debug)]
pub struct ReferralTransition {
    pub step: ReferralStep,
    pub from: &'static [ReferralState],
    pub permission: Permission,
    pub to: ReferralState,
    /// The history action the step records on the lead.
    pub event: &'static str,
}

use ReferralState as S;
use ReferralStep as R;

/// The workflow of a referral: one row per step.
#[rustfmt::skip]
pub const REFERRAL_STEPS: &[ReferralTransition] = &[
    ReferralTransition { step: R::Acknowledge, from: &[S::Sent], permission: Permission::HandleLeads, to: S::Acknowledged, event: "referral_acknowledged" },
    ReferralTransition { step: R::Accept, from: &[S::Sent, S::Acknowledged], permission: Permission::HandleLeads, to: S::Accepted, event: "referral_accepted" },
    ReferralTransition { step: R::Return, from: &[S::Sent, S::Acknowledged], permission: Permission::HandleLeads, to: S::Returned, event: "referral_returned" },
];

impl ReferralStep {
    pub const ALL: &'static [ReferralStep] = &[R::Acknowledge, R::Accept, R::Return];

    /// The receiver's answers, in the order a page offers them.
    pub const ANSWERS: &'static [ReferralStep] = Self::ALL;

    /// The code in forms.
    pub fn code(self) -> &'static str {
        match self {
            R::Acknowledge => "acknowledge",
            R::Accept => "accept",
            R::Return => "return",
        }
    }

    /// The verb as a button says it.
    pub fn label_zh(self) -> &'static str {
        match self {
            R::Acknowledge => "签收",
            R::Accept => "接收办理",
            R::Return => "退回",
        }
    }

    /// The receiver's answers by their form code (`acknowledge`, `accept` …).
    pub fn from_code(code: &str) -> Option<ReferralStep> {
        Self::ANSWERS.iter().copied().find(|s| s.code() == code)
    }

    /// The step's row.
    pub fn row(self) -> &'static ReferralTransition {
        // Every step has a row: `every_referral_step_has_one_row` below.
        REFERRAL_STEPS
            .iter()
            .find(|t| t.step == self)
            .unwrap_or(&REFERRAL_STEPS[0])
    }
}

/// The user who would take a referral step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReferralTaker {
    pub role: Role,
    /// Their department receives the referral.
    pub receiver: bool,
}

/// Why the referral table refuses a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferralRefusal {
    /// Not the receiver, or lacking the permission: for them the referral does not exist.
    NotFound,
    /// The step does not start from the referral's state.
    State,
}

/// Whether `who` may take `step` on a referral in `state`.
pub fn check_referral(
    state: ReferralState,
    who: &ReferralTaker,
    step: ReferralStep,
) -> Result<&'static ReferralTransition, ReferralRefusal> {
    let row = step.row();
    if !who.role.can(row.permission) || !who.receiver {
        return Err(ReferralRefusal::NotFound);
    }
    if !row.from.contains(&state) {
        return Err(ReferralRefusal::State);
    }
    Ok(row)
}

impl ReferralState {
    /// Still waiting for the receiver: the lead may not be referred again.
    pub fn is_open_referral(self) -> bool {
        matches!(self, S::Sent | S::Acknowledged)
    }
}

/// A step on a reward.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RewardStep {
    Approve,
    Reject,
    /// 发放: recorded by the handling department once approved.
    Pay,
}

/// One row of [`REWARD_STEPS`]. Who may pay is the lead's rule (`LeadStep::Paid`: the
/// handling department); approving and rejecting need [`Permission::ApproveRewards`] in the
/// lead's jurisdiction.
#[derive(Clone, Copy, Debug)]
pub struct RewardTransition {
    pub step: RewardStep,
    pub from: RewardState,
    pub to: RewardState,
}

/// The workflow of a reward: proposed (by `LeadStep::Reward`), then approved or rejected, then
/// paid.
#[rustfmt::skip]
pub const REWARD_STEPS: &[RewardTransition] = &[
    RewardTransition { step: RewardStep::Approve, from: RewardState::Proposed, to: RewardState::Approved },
    RewardTransition { step: RewardStep::Reject, from: RewardState::Proposed, to: RewardState::Rejected },
    RewardTransition { step: RewardStep::Pay, from: RewardState::Approved, to: RewardState::Paid },
];

impl RewardStep {
    pub const ALL: &'static [RewardStep] =
        &[RewardStep::Approve, RewardStep::Reject, RewardStep::Pay];

    /// The step's row.
    pub fn row(self) -> &'static RewardTransition {
        // Every step has a row: `every_reward_step_has_one_row` below.
        REWARD_STEPS
            .iter()
            .find(|t| t.step == self)
            .unwrap_or(&REWARD_STEPS[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const RECEIVER: ReferralTaker = ReferralTaker {
        role: Role::Officer,
        receiver: true,
    };

    #[test]
    fn every_referral_step_has_one_row() {
        let mut seen = HashSet::new();
        for t in REFERRAL_STEPS {
            assert!(seen.insert(t.step), "two rows for {:?}", t.step);
            assert!(!t.from.is_empty());
            assert!(!t.from.contains(&t.to), "{:?} goes nowhere", t.step);
        }
        for s in ReferralStep::ALL {
            assert_eq!(s.row().step, *s);
        }
        for code in ["acknowledge", "accept", "return"] {
            assert!(ReferralStep::from_code(code).is_some());
        }
        // The police steps are the case's now.
        assert_eq!(ReferralStep::from_code("file"), None);
    }

    #[test]
    fn receivers_answer_by_state() {
        use ReferralRefusal as X;
        let ok = |s, step| check_referral(s, &RECEIVER, step).map(|t| t.to);
        assert_eq!(ok(S::Sent, R::Acknowledge), Ok(S::Acknowledged));
        assert_eq!(ok(S::Acknowledged, R::Acknowledge), Err(X::State));
        assert_eq!(ok(S::Acknowledged, R::Accept), Ok(S::Accepted));
        assert_eq!(ok(S::Sent, R::Return), Ok(S::Returned));
        assert_eq!(ok(S::Returned, R::Accept), Err(X::State));
        // A department that is not the receiver does not see it.
        let other = ReferralTaker {
            receiver: false,
            ..RECEIVER
        };
        assert_eq!(
            check_referral(S::Sent, &other, R::Acknowledge).map(|t| t.to),
            Err(X::NotFound)
        );
    }

    #[test]
    fn open_states() {
        let open: Vec<_> = S::ALL.iter().filter(|s| s.is_open_referral()).collect();
        assert_eq!(open, [&S::Sent, &S::Acknowledged]);
    }

    #[test]
    fn every_reward_step_has_one_row_and_ends_in_paid_or_rejected() {
        let mut seen = HashSet::new();
        for t in REWARD_STEPS {
            assert!(seen.insert(t.step));
            assert_ne!(t.from, t.to);
        }
        for s in RewardStep::ALL {
            assert_eq!(s.row().step, *s);
        }
        // No step leaves a final state.
        for t in REWARD_STEPS {
            assert!(!matches!(t.from, RewardState::Paid | RewardState::Rejected));
        }
        assert_eq!(RewardStep::Pay.row().from, RewardState::Approved);
    }
}
