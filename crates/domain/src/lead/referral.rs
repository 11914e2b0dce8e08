//! 移送 and 举报奖励 as data, like the lead's own workflow ([`super::workflow`]): per step the
//! kinds of referral it applies to, the states it starts from, the permission it needs, who
//! among the holders may take it and the state it leads to. The store's steps on a referral
//! or a reward read these tables and nothing else for those rules.

use super::{ReferralKind, ReferralState, RewardState};
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
    /// Police: 立案.
    File,
    /// Police: 不予立案.
    Refuse,
    /// A leader approves a proposed transfer to the police.
    Approve,
    /// A leader refuses a proposed transfer to the police.
    Withdraw,
    /// The sender asks the police to reconsider a refusal (复议).
    Reconsider,
}

/// Who among the holders of the permission may take a referral step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    /// The receiving department.
    Receiver,
    /// The sending department.
    Sender,
    /// A leader whose jurisdiction covers the lead's place.
    Jurisdiction,
}

/// One row of [`REFERRAL_STEPS`].
#[derive(Clone, Copy, Debug)]
pub struct ReferralTransition {
    pub step: ReferralStep,
    pub kinds: &'static [ReferralKind],
    pub from: &'static [ReferralState],
    pub permission: Permission,
    pub who: Party,
    pub to: ReferralState,
    /// The history action the step records on the lead.
    pub event: &'static str,
}

use Party as W;
use ReferralKind as K;
use ReferralState as S;
use ReferralStep as R;

const BOTH: &[ReferralKind] = &[K::Department, K::Police];
const POLICE: &[ReferralKind] = &[K::Police];
const DEPARTMENT: &[ReferralKind] = &[K::Department];
const WITH_POLICE: &[ReferralState] = &[S::Sent, S::Acknowledged, S::Reconsider];

/// The workflow of a referral: one row per step.
#[rustfmt::skip]
pub const REFERRAL_STEPS: &[ReferralTransition] = &[
    ReferralTransition { step: R::Acknowledge, kinds: BOTH, from: &[S::Sent], permission: Permission::HandleLeads, who: W::Receiver, to: S::Acknowledged, event: "referral_acknowledged" },
    ReferralTransition { step: R::Accept, kinds: DEPARTMENT, from: &[S::Sent, S::Acknowledged], permission: Permission::HandleLeads, who: W::Receiver, to: S::Accepted, event: "referral_accepted" },
    ReferralTransition { step: R::Return, kinds: DEPARTMENT, from: &[S::Sent, S::Acknowledged], permission: Permission::HandleLeads, who: W::Receiver, to: S::Returned, event: "referral_returned" },
    ReferralTransition { step: R::File, kinds: POLICE, from: WITH_POLICE, permission: Permission::HandleLeads, who: W::Receiver, to: S::Filed, event: "police_filed" },
    ReferralTransition { step: R::Refuse, kinds: POLICE, from: WITH_POLICE, permission: Permission::HandleLeads, who: W::Receiver, to: S::Refused, event: "police_refused" },
    ReferralTransition { step: R::Approve, kinds: POLICE, from: &[S::Proposed], permission: Permission::SuperviseDeadlines, who: W::Jurisdiction, to: S::Sent, event: "police_approved" },
    ReferralTransition { step: R::Withdraw, kinds: POLICE, from: &[S::Proposed], permission: Permission::SuperviseDeadlines, who: W::Jurisdiction, to: S::Withdrawn, event: "police_withdrawn" },
    ReferralTransition { step: R::Reconsider, kinds: POLICE, from: &[S::Refused], permission: Permission::HandleLeads, who: W::Sender, to: S::Reconsider, event: "police_reconsider" },
];

impl ReferralStep {
    pub const ALL: &'static [ReferralStep] = &[
        R::Acknowledge,
        R::Accept,
        R::Return,
        R::File,
        R::Refuse,
        R::Approve,
        R::Withdraw,
        R::Reconsider,
    ];

    /// The receiver's answers, in the order a page offers them.
    pub const ANSWERS: &'static [ReferralStep] =
        &[R::Acknowledge, R::Accept, R::Return, R::File, R::Refuse];

    /// The code in forms.
    pub fn code(self) -> &'static str {
        match self {
            R::Acknowledge => "acknowledge",
            R::Accept => "accept",
            R::Return => "return",
            R::File => "file",
            R::Refuse => "refuse",
            R::Approve => "approve",
            R::Withdraw => "withdraw",
            R::Reconsider => "reconsider",
        }
    }

    /// The verb as a button says it.
    pub fn label_zh(self) -> &'static str {
        match self {
            R::Acknowledge => "签收",
            R::Accept => "接收办理",
            R::Return => "退回",
            R::File => "立案",
            R::Refuse => "不予立案",
            R::Approve => "批准移送",
            R::Withdraw => "不批准",
            R::Reconsider => "申请复议",
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
    /// Their department sent it.
    pub sender: bool,
    /// Their jurisdiction covers the lead's place.
    pub covers: bool,
}

/// Why the referral table refuses a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferralRefusal {
    /// Not the party of the step, or lacking the permission: for them the referral does not
    /// exist.
    NotFound,
    /// The step does not apply to this kind of referral.
    Kind,
    /// The step does not start from the referral's state.
    State,
}

/// Whether `who` may take `step` on a referral of `kind` in `state`. A receiver does not see a
/// police transfer before a leader approves it.
pub fn check_referral(
    kind: ReferralKind,
    state: ReferralState,
    who: &ReferralTaker,
    step: ReferralStep,
) -> Result<&'static ReferralTransition, ReferralRefusal> {
    let row = step.row();
    let party = match row.who {
        W::Receiver => who.receiver && !matches!(state, S::Proposed | S::Withdrawn),
        W::Sender => who.sender,
        W::Jurisdiction => who.covers,
    };
    if !who.role.can(row.permission) || !party {
        return Err(ReferralRefusal::NotFound);
    }
    if !row.kinds.contains(&kind) {
        return Err(ReferralRefusal::Kind);
    }
    if !row.from.contains(&state) {
        return Err(ReferralRefusal::State);
    }
    Ok(row)
}

impl ReferralState {
    /// Still waiting for the receiver.
    pub fn is_pending(self) -> bool {
        matches!(self, S::Sent | S::Acknowledged | S::Reconsider)
    }
    /// A department referral waiting for the receiver (the lead may not be referred again).
    pub fn is_open_referral(self) -> bool {
        matches!(self, S::Sent | S::Acknowledged)
    }
    /// A police transfer proposed or waiting for the police.
    pub fn is_open_police_transfer(self) -> bool {
        self.is_pending() || self == S::Proposed
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
        sender: false,
        covers: false,
    };

    #[test]
    fn every_referral_step_has_one_row() {
        let mut seen = HashSet::new();
        for t in REFERRAL_STEPS {
            assert!(seen.insert(t.step), "two rows for {:?}", t.step);
            assert!(!t.from.is_empty() && !t.kinds.is_empty());
            assert!(!t.from.contains(&t.to), "{:?} goes nowhere", t.step);
        }
        for s in ReferralStep::ALL {
            assert_eq!(s.row().step, *s);
        }
        for code in ["acknowledge", "accept", "return", "file", "refuse"] {
            assert!(ReferralStep::from_code(code).is_some());
        }
        assert_eq!(ReferralStep::from_code("approve"), None);
    }

    #[test]
    fn receivers_answer_by_kind_and_state() {
        use ReferralRefusal as X;
        let ok = |k, s, step| check_referral(k, s, &RECEIVER, step).map(|t| t.to);
        assert_eq!(
            ok(K::Department, S::Sent, R::Acknowledge),
            Ok(S::Acknowledged)
        );
        assert_eq!(
            ok(K::Department, S::Acknowledged, R::Acknowledge),
            Err(X::State)
        );
        assert_eq!(
            ok(K::Department, S::Acknowledged, R::Accept),
            Ok(S::Accepted)
        );
        assert_eq!(ok(K::Department, S::Sent, R::Return), Ok(S::Returned));
        assert_eq!(ok(K::Department, S::Sent, R::File), Err(X::Kind));
        assert_eq!(ok(K::Police, S::Sent, R::Accept), Err(X::Kind));
        assert_eq!(ok(K::Police, S::Reconsider, R::Refuse), Ok(S::Refused));
        assert_eq!(ok(K::Police, S::Acknowledged, R::File), Ok(S::Filed));
        // A proposal the leader has not approved does not exist for the police.
        assert_eq!(ok(K::Police, S::Proposed, R::Acknowledge), Err(X::NotFound));
        assert_eq!(ok(K::Police, S::Withdrawn, R::File), Err(X::NotFound));
        // Nor does it for a department that is not the receiver.
        let other = ReferralTaker {
            receiver: false,
            ..RECEIVER
        };
        assert_eq!(
            check_referral(K::Department, S::Sent, &other, R::Acknowledge).map(|t| t.to),
            Err(X::NotFound)
        );
    }

    #[test]
    fn leaders_decide_proposals_and_senders_ask_to_reconsider() {
        let leader = ReferralTaker {
            role: Role::Leader,
            receiver: false,
            sender: false,
            covers: true,
        };
        let sender = ReferralTaker {
            sender: true,
            receiver: false,
            ..RECEIVER
        };
        let to =
            |who: &ReferralTaker, s, step| check_referral(K::Police, s, who, step).map(|t| t.to);
        assert_eq!(to(&leader, S::Proposed, R::Approve), Ok(S::Sent));
        assert_eq!(to(&leader, S::Proposed, R::Withdraw), Ok(S::Withdrawn));
        assert_eq!(
            to(&leader, S::Sent, R::Approve),
            Err(ReferralRefusal::State)
        );
        let outside = ReferralTaker {
            covers: false,
            ..leader
        };
        assert_eq!(
            to(&outside, S::Proposed, R::Approve),
            Err(ReferralRefusal::NotFound)
        );
        assert_eq!(to(&sender, S::Refused, R::Reconsider), Ok(S::Reconsider));
        assert_eq!(
            to(&sender, S::Filed, R::Reconsider),
            Err(ReferralRefusal::State)
        );
        assert_eq!(
            to(&RECEIVER, S::Refused, R::Reconsider),
            Err(ReferralRefusal::NotFound)
        );
        assert_eq!(
            check_referral(K::Department, S::Refused, &sender, R::Reconsider).map(|t| t.to),
            Err(ReferralRefusal::Kind)
        );
    }

    #[test]
    fn open_states() {
        let open: Vec<_> = S::ALL.iter().filter(|s| s.is_open_referral()).collect();
        assert_eq!(open, [&S::Sent, &S::Acknowledged]);
        assert!(S::Proposed.is_open_police_transfer());
        assert!(S::Reconsider.is_open_police_transfer());
        assert!(!S::Refused.is_open_police_transfer());
        assert!(!S::Withdrawn.is_open_police_transfer());
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
