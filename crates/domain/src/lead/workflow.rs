//! 办理流程: the workflow of a lead as data. [`STEPS`] is the whole rule — per step, the
//! states it may start from, the permission it needs, who among the holders may take it (the
//! handling department, or a leader of the lead's jurisdiction), the facts of the lead it needs
//! and the state it leads to. The lead page's buttons ([`available`]) and the store's one entry
//! point (`meijian_store::leads::workflow::act`, through [`check`]) both read this table.

use serde::{Deserialize, Serialize};

use super::{LeadKind, LeadState};
use crate::role::{Permission, Role};

/// A step on a lead. The code is the `{action}` of `POST /leads/{id}/{action}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeadStep {
    Accept,
    Decline,
    Verify,
    Conclude,
    Reply,
    Satisfaction,
    Link,
    Refer,
    Reward,
    Paid,
    Supervise,
    Extend,
    Extension,
}

/// Who among the holders of the permission may take a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// The department handling the lead.
    Handler,
    /// A leader whose jurisdiction covers the lead's place.
    Jurisdiction,
}

/// Where a step leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    To(LeadState),
    /// The step records something (督办, 延期, 答复 …) and the lead keeps its state.
    Same,
}

/// A fact of the lead a step needs, read from [`LeadFacts`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cond {
    /// Not a lead grouped under another lead (合并办理): the group's first lead answers.
    NotGroupedMember,
    /// In no group at all.
    NotGrouped,
    /// A 举报, not a 投诉 or 线索.
    Report,
    /// There is a reporter (a complaint) to answer.
    HasReporter,
    NotReplied,
    Replied,
    NoSatisfaction,
    /// No department referral waits for the receiver.
    NoOpenReferral,
    /// The deadline the lead waits for has passed.
    Overdue,
    /// The lead waits for its verification or conclusion limit.
    WaitsExtendable,
    /// That limit has not passed yet.
    DueNotPassed,
    /// No request to extend that limit was made (or every one was refused).
    ExtensionUnused,
    /// A request to extend waits for a leader.
    OpenExtension,
    /// Concluded with a penalty or a transfer to the judiciary.
    PenaltyOrCriminal,
    /// A major violation under the reward rules.
    Major,
    NoReward,
    RewardApproved,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct Transition {
    pub step: LeadStep,
    pub from: &'static [LeadState],
    pub permission: Permission,
    pub who: Who,
    /// Checked in order, before the state.
    pub requires: &'static [Cond],
    pub to: Target,
}

use Cond as C;
use LeadState as S;
use LeadStep as L;
use Permission as P;

const OPEN: &[LeadState] = &[S::Received, S::Accepted, S::Verified];
const NOT_DECLINED: &[LeadState] = &[S::Received, S::Accepted, S::Verified, S::Concluded];
const ANY: &[LeadState] = &[
    S::Received,
    S::Accepted,
    S::Declined,
    S::Verified,
    S::Concluded,
];

/// The workflow of a lead: one row per step.
#[rustfmt::skip]
pub const STEPS: &[Transition] = &[
    Transition { step: L::Accept, from: &[S::Received], permission: P::HandleLeads, who: Who::Handler, requires: &[], to: Target::To(S::Accepted) },
    Transition { step: L::Decline, from: &[S::Received], permission: P::HandleLeads, who: Who::Handler, requires: &[], to: Target::To(S::Declined) },
    Transition { step: L::Verify, from: &[S::Accepted], permission: P::HandleLeads, who: Who::Handler, requires: &[C::NotGroupedMember], to: Target::To(S::Verified) },
    Transition { step: L::Conclude, from: &[S::Verified], permission: P::HandleLeads, who: Who::Handler, requires: &[C::NotGroupedMember], to: Target::To(S::Concluded) },
    Transition { step: L::Reply, from: &[S::Concluded], permission: P::HandleLeads, who: Who::Handler, requires: &[C::NotReplied, C::HasReporter], to: Target::Same },
    Transition { step: L::Satisfaction, from: &[S::Concluded], permission: P::HandleLeads, who: Who::Handler, requires: &[C::Replied, C::NoSatisfaction], to: Target::Same },
    Transition { step: L::Link, from: ANY, permission: P::HandleLeads, who: Who::Handler, requires: &[C::NotGrouped], to: Target::Same },
    Transition { step: L::Refer, from: OPEN, permission: P::HandleLeads, who: Who::Handler, requires: &[C::NotGroupedMember, C::NoOpenReferral], to: Target::Same },
    Transition { step: L::Reward, from: &[S::Concluded], permission: P::HandleLeads, who: Who::Handler, requires: &[C::Report, C::PenaltyOrCriminal, C::HasReporter, C::NoReward, C::Major], to: Target::Same },
    Transition { step: L::Paid, from: &[S::Concluded], permission: P::HandleLeads, who: Who::Handler, requires: &[C::RewardApproved], to: Target::Same },
    Transition { step: L::Supervise, from: NOT_DECLINED, permission: P::SuperviseDeadlines, who: Who::Jurisdiction, requires: &[C::Overdue], to: Target::Same },
    Transition { step: L::Extend, from: &[S::Accepted, S::Verified], permission: P::HandleLeads, who: Who::Handler, requires: &[C::NotGroupedMember, C::WaitsExtendable, C::DueNotPassed, C::ExtensionUnused], to: Target::Same },
    Transition { step: L::Extension, from: ANY, permission: P::SuperviseDeadlines, who: Who::Jurisdiction, requires: &[C::OpenExtension], to: Target::Same },
];

/// What the store knows of a lead that the table's conditions read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeadFacts {
    pub state: LeadState,
    pub kind: LeadKind,
    /// In a group (合并办理), first lead or member.
    pub grouped: bool,
    /// In a group whose first lead is another lead.
    pub grouped_member: bool,
    pub has_reporter: bool,
    pub replied: bool,
    pub satisfaction: bool,
    pub open_referral: bool,
    pub overdue: bool,
    pub waits_extendable: bool,
    pub due_passed: bool,
    pub extension_used: bool,
    pub open_extension: bool,
    pub penalty_or_criminal: bool,
    pub major: bool,
    pub reward: bool,
    pub reward_approved: bool,
}

impl LeadFacts {
    /// A received complaint with nothing else on it.
    pub fn new(state: LeadState, kind: LeadKind) -> LeadFacts {
        LeadFacts {
            state,
            kind,
            grouped: false,
            grouped_member: false,
            has_reporter: false,
            replied: false,
            satisfaction: false,
            open_referral: false,
            overdue: false,
            waits_extendable: false,
            due_passed: false,
            extension_used: false,
            open_extension: false,
            penalty_or_criminal: false,
            major: false,
            reward: false,
            reward_approved: false,
        }
    }

    /// Whether the lead has `cond`.
    pub fn has(&self, cond: Cond) -> bool {
        match cond {
            C::NotGroupedMember => !self.grouped_member,
            C::NotGrouped => !self.grouped,
            C::Report => self.kind == LeadKind::Report,
            C::HasReporter => self.has_reporter,
            C::NotReplied => !self.replied,
            C::Replied => self.replied,
            C::NoSatisfaction => !self.satisfaction,
            C::NoOpenReferral => !self.open_referral,
            C::Overdue => self.overdue,
            C::WaitsExtendable => self.waits_extendable,
            C::DueNotPassed => !self.due_passed,
            C::ExtensionUnused => !self.extension_used,
            C::OpenExtension => self.open_extension,
            C::PenaltyOrCriminal => self.penalty_or_criminal,
            C::Major => self.major,
            C::NoReward => !self.reward,
            C::RewardApproved => self.reward_approved,
        }
    }
}

/// The user who would take a step: the role, whether their department handles the lead and
/// whether their jurisdiction covers the lead's place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taker {
    pub role: Role,
    pub handler: bool,
    pub covers: bool,
}

/// Why the table refuses a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The role lacks the permission, or the department does not handle the lead.
    Forbidden,
    /// A leader outside the lead's jurisdiction: for them the lead does not exist.
    NotFound,
    /// The lead lacks a fact the step needs.
    Lacks(Cond),
    /// The step does not start from the lead's state.
    State,
}

impl LeadStep {
    pub const ALL: &'static [LeadStep] = &[
        L::Accept,
        L::Decline,
        L::Verify,
        L::Conclude,
        L::Reply,
        L::Satisfaction,
        L::Link,
        L::Refer,
        L::Reward,
        L::Paid,
        L::Supervise,
        L::Extend,
        L::Extension,
    ];

    /// The code in URLs and in the notice after a step.
    pub fn code(self) -> &'static str {
        match self {
            L::Accept => "accept",
            L::Decline => "decline",
            L::Verify => "verify",
            L::Conclude => "conclude",
            L::Reply => "reply",
            L::Satisfaction => "satisfaction",
            L::Link => "link",
            L::Refer => "refer",
            L::Reward => "reward",
            L::Paid => "paid",
            L::Supervise => "supervise",
            L::Extend => "extend",
            L::Extension => "extension",
        }
    }

    pub fn from_code(code: &str) -> Option<LeadStep> {
        Self::ALL.iter().copied().find(|s| s.code() == code)
    }

    /// The verb, as in “不能{label}”.
    pub fn label_zh(self) -> &'static str {
        match self {
            L::Accept => "受理",
            L::Decline => "不予受理",
            L::Verify => "核查",
            L::Conclude => "办结",
            L::Reply => "答复",
            L::Satisfaction => "记录满意度",
            L::Link => "关联主体",
            L::Refer => "移送",
            L::Reward => "申请举报奖励",
            L::Paid => "登记奖励发放",
            L::Supervise => "督办",
            L::Extend => "申请延期",
            L::Extension => "审批延期",
        }
    }

    /// The step's row.
    pub fn row(self) -> &'static Transition {
        // Every step has a row: `every_step_has_exactly_one_row` below.
        STEPS.iter().find(|t| t.step == self).unwrap_or(&STEPS[0])
    }
}

/// Whether `who` may take `step` on a lead with `facts`, and if not, why. Checks, in order,
/// the permission and who, the facts in the row's order, then the state.
pub fn check(
    facts: &LeadFacts,
    who: &Taker,
    step: LeadStep,
) -> Result<&'static Transition, Refusal> {
    let row = step.row();
    if !who.role.can(row.permission) {
        return Err(Refusal::Forbidden);
    }
    match row.who {
        Who::Handler if !who.handler => return Err(Refusal::Forbidden),
        Who::Jurisdiction if !who.covers => return Err(Refusal::NotFound),
        _ => {}
    }
    if let Some(c) = row.requires.iter().copied().find(|c| !facts.has(*c)) {
        return Err(Refusal::Lacks(c));
    }
    if !row.from.contains(&facts.state) {
        return Err(Refusal::State);
    }
    Ok(row)
}

/// The steps `who` may take on a lead with `facts`, in table order.
pub fn available(facts: &LeadFacts, who: &Taker) -> Vec<LeadStep> {
    STEPS
        .iter()
        .filter(|t| check(facts, who, t.step).is_ok())
        .map(|t| t.step)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const HANDLER: Taker = Taker {
        role: Role::Officer,
        handler: true,
        covers: true,
    };
    const LEADER: Taker = Taker {
        role: Role::Leader,
        handler: false,
        covers: true,
    };

    /// Every combination of the 16 boolean facts with every state and kind would be 2^16 × 15;
    /// a fixed pseudo-random sample of 1024 per state and kind, plus all false and all true.
    fn all_facts() -> Vec<LeadFacts> {
        let mut out = Vec::new();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for &state in LeadState::ALL {
            for &kind in LeadKind::ALL {
                for n in 0..1026u32 {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    let bits = match n {
                        0 => 0,
                        1 => u64::MAX,
                        _ => x,
                    };
                    let b = |i: u32| (bits >> i) & 1 == 1;
                    let mut f = LeadFacts::new(state, kind);
                    f.grouped = b(0) || b(1);
                    f.grouped_member = b(1);
                    f.has_reporter = b(2);
                    f.replied = b(3);
                    f.satisfaction = f.replied && b(4);
                    f.open_referral = b(5);
                    f.overdue = b(7);
                    f.waits_extendable = b(8);
                    f.due_passed = b(9);
                    f.extension_used = b(10);
                    f.open_extension = b(11);
                    f.penalty_or_criminal = b(12);
                    f.major = b(13);
                    f.reward = b(14);
                    f.reward_approved = f.reward && b(15);
                    out.push(f);
                }
            }
        }
        out
    }

    fn moves(t: &Transition) -> Option<LeadState> {
        match t.to {
            Target::To(s) => Some(s),
            Target::Same => None,
        }
    }

    #[test]
    fn every_step_has_exactly_one_row() {
        let mut seen = HashSet::new();
        for t in STEPS {
            assert!(seen.insert(t.step), "two rows for {:?}", t.step);
        }
        for s in LeadStep::ALL {
            assert!(seen.contains(s), "no row for {s:?}");
            assert_eq!(s.row().step, *s);
            assert_eq!(LeadStep::from_code(s.code()), Some(*s));
            assert!(!s.label_zh().is_empty());
        }
        assert_eq!(LeadStep::from_code("nonsense"), None);
    }

    #[test]
    fn every_step_leads_to_a_valid_state_from_a_valid_one() {
        for t in STEPS {
            assert!(!t.from.is_empty(), "{:?} starts nowhere", t.step);
            for s in t.from {
                assert!(LeadState::ALL.contains(s));
            }
            if let Some(to) = moves(t) {
                assert!(LeadState::ALL.contains(&to));
                assert!(
                    !t.from.contains(&to),
                    "{:?} moves a lead to where it is",
                    t.step
                );
                // The work goes forward: 待受理 → 核查中 → 已核查 → 已办结, or 不予受理.
                for s in t.from {
                    assert!(to > *s, "{:?} goes back from {s:?} to {to:?}", t.step);
                }
            }
        }
    }

    #[test]
    fn open_states_have_a_way_out_and_closed_ones_none() {
        for &s in LeadState::ALL {
            let outs: Vec<_> = STEPS
                .iter()
                .filter(|t| t.from.contains(&s) && moves(t).is_some())
                .collect();
            if s.is_closed() {
                assert!(
                    outs.is_empty(),
                    "{s:?} is closed but {:?} moves it",
                    outs[0].step
                );
            } else {
                assert!(!outs.is_empty(), "{s:?} has no way out");
                // And the way out needs nothing a lead might lack for good.
                let f = LeadFacts::new(s, LeadKind::Complaint);
                assert!(
                    available(&f, &HANDLER)
                        .iter()
                        .any(|st| moves(st.row()).is_some()),
                    "the handler cannot move a plain {s:?} lead"
                );
            }
        }
    }

    #[test]
    fn no_two_rows_move_a_lead_from_one_state_in_conflict() {
        // Two steps from one state to two states must be a choice for the handler (受理 or
        // 不予受理), never two automatic moves: both are the handler's, and need the same facts.
        for a in STEPS {
            for b in STEPS {
                if a.step >= b.step {
                    continue;
                }
                let (Some(ta), Some(tb)) = (moves(a), moves(b)) else {
                    continue;
                };
                if a.from.iter().any(|s| b.from.contains(s)) {
                    assert_ne!(ta, tb, "{:?} and {:?} do the same", a.step, b.step);
                    assert_eq!(a.who, b.who);
                    assert_eq!(a.permission, b.permission);
                }
            }
        }
    }

    #[test]
    fn the_legal_sequence_is_possible() {
        let mut f = LeadFacts::new(LeadState::Received, LeadKind::Report);
        f.has_reporter = true;
        for (step, next) in [
            (LeadStep::Accept, LeadState::Accepted),
            (LeadStep::Verify, LeadState::Verified),
            (LeadStep::Conclude, LeadState::Concluded),
        ] {
            assert!(
                available(&f, &HANDLER).contains(&step),
                "{step:?} from {:?}",
                f.state
            );
            assert_eq!(
                check(&f, &HANDLER, step).map(|t| t.to),
                Ok(Target::To(next))
            );
            f.state = next;
        }
        assert!(available(&f, &HANDLER).contains(&LeadStep::Reply));
        f.replied = true;
        assert!(!available(&f, &HANDLER).contains(&LeadStep::Reply));
        assert!(available(&f, &HANDLER).contains(&LeadStep::Satisfaction));
        f.satisfaction = true;
        assert!(!available(&f, &HANDLER).contains(&LeadStep::Satisfaction));
        // Declining ends it.
        let d = LeadFacts::new(LeadState::Declined, LeadKind::Complaint);
        assert!(available(&d, &HANDLER)
            .iter()
            .all(|s| moves(s.row()).is_none()));
    }

    #[test]
    fn a_role_without_the_permission_never_gets_a_step() {
        for f in all_facts() {
            for &role in Role::all() {
                for (handler, covers) in
                    [(true, true), (true, false), (false, true), (false, false)]
                {
                    let who = Taker {
                        role,
                        handler,
                        covers,
                    };
                    for step in available(&f, &who) {
                        let row = step.row();
                        assert!(role.can(row.permission), "{role:?} got {step:?}");
                        match row.who {
                            Who::Handler => assert!(handler),
                            Who::Jurisdiction => assert!(covers),
                        }
                        assert!(row.from.contains(&f.state));
                        assert!(row.requires.iter().all(|c| f.has(*c)));
                    }
                }
            }
        }
        for &role in [
            Role::Administrator,
            Role::Liaison,
            Role::Analyst,
            Role::Institution,
        ]
        .iter()
        {
            let who = Taker {
                role,
                handler: true,
                covers: true,
            };
            for f in all_facts() {
                assert!(available(&f, &who).is_empty(), "{role:?} got a step");
            }
        }
    }

    #[test]
    fn refusals_name_the_reason() {
        let f = LeadFacts::new(LeadState::Received, LeadKind::Complaint);
        assert_eq!(
            check(&f, &HANDLER, LeadStep::Verify).err(),
            Some(Refusal::State)
        );
        assert_eq!(
            check(&f, &LEADER, LeadStep::Accept).err(),
            Some(Refusal::Forbidden)
        );
        let outside = Taker {
            covers: false,
            ..LEADER
        };
        assert_eq!(
            check(&f, &outside, LeadStep::Supervise).err(),
            Some(Refusal::NotFound)
        );
        assert_eq!(
            check(&f, &LEADER, LeadStep::Supervise).err(),
            Some(Refusal::Lacks(Cond::Overdue))
        );
        let mut member = LeadFacts::new(LeadState::Received, LeadKind::Complaint);
        member.grouped = true;
        member.grouped_member = true;
        // The group's first lead answers: said before the state.
        assert_eq!(
            check(&member, &HANDLER, LeadStep::Verify).err(),
            Some(Refusal::Lacks(Cond::NotGroupedMember))
        );
    }

    #[test]
    fn rewards_only_for_reports_with_a_penalty() {
        let mut f = LeadFacts::new(LeadState::Concluded, LeadKind::Complaint);
        f.has_reporter = true;
        f.penalty_or_criminal = true;
        f.major = true;
        assert_eq!(
            check(&f, &HANDLER, LeadStep::Reward).err(),
            Some(Refusal::Lacks(Cond::Report))
        );
        f.kind = LeadKind::Report;
        assert!(check(&f, &HANDLER, LeadStep::Reward).is_ok());
        f.major = false;
        assert_eq!(
            check(&f, &HANDLER, LeadStep::Reward).err(),
            Some(Refusal::Lacks(Cond::Major))
        );
    }
}
