//! 办案流程: the workflow of a case as data, like the leads' ([`crate::lead::workflow`]).
//! [`STEPS`] is the whole rule — per step, the stages it may start from, the permission it needs,
//! who among the holders may take it, the facts of the case it needs and the stage it leads to.
//! The case page's buttons ([`available`]) and the store's one entry point
//! (`meijian_store::cases::workflow::act`, through [`check`]) both read this table.

use serde::{Deserialize, Serialize};

use super::Stage;
use crate::role::{Permission, Role};

/// A step on a case. The code is the `{step}` of `POST /cases/{id}/{step}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStep {
    /// 立案 → 调查取证.
    Investigate,
    /// 调查取证 → 告知 (陈述申辩/听证).
    Notify,
    /// 告知 → 决定: the penalty decision, every action dated with its decision number.
    Decide,
    /// 决定 → 执行.
    Execute,
    /// → 结案: after execution, or 不予处罚 after the investigation.
    Close,
    /// → 撤销: opened by mistake; counts nowhere.
    Withdraw,
    /// Parties (当事人): add or change while investigating.
    Parties,
    /// 处罚: add or remove an action of the decision.
    Penalties,
    /// 证据: attach a file.
    Evidence,
    /// 法律依据.
    Basis,
    /// 联合办案: grant another department access (or take it back).
    Share,
    /// 重大案件会商: record a consultation meeting.
    Meeting,
    /// 涉嫌犯罪移送公安机关 (行刑衔接).
    Police,
    /// 督办: a leader presses an overdue case.
    Supervise,
    /// 申请延期 of the decision limit.
    Extend,
    /// 审批延期.
    Extension,
}

/// Who among the holders of the permission may take a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// The department handling the case.
    Handler,
    /// The handling department or one the case is shared with (联合办案).
    Partner,
    /// A leader whose jurisdiction covers the case's district.
    Jurisdiction,
}

/// Where a step leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    To(Stage),
    /// The step records something and the case keeps its stage.
    Same,
}

/// A fact of the case a step needs, read from [`CaseFacts`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cond {
    /// At least one party (当事人).
    HasParty,
    /// Every party has at least one action.
    EveryPartyHasAction,
    /// No police transfer is proposed or waits for the police.
    NoOpenPoliceTransfer,
    /// The decision limit has passed without a decision.
    Overdue,
    /// The decision limit has not passed yet.
    DueNotPassed,
    /// No extension was asked (or every one was refused).
    ExtensionUnused,
    /// A request to extend waits for a leader.
    OpenExtension,
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct Transition {
    pub step: CaseStep,
    pub from: &'static [Stage],
    pub permission: Permission,
    pub who: Who,
    /// Checked in order, before the stage.
    pub requires: &'static [Cond],
    pub to: Target,
}

use CaseStep as K;
use Cond as C;
use Permission as P;
use Stage as S;

const OPEN: &[Stage] = &[
    S::Filed,
    S::Investigating,
    S::Notified,
    S::Decided,
    S::Executing,
];
const BEFORE_DECISION: &[Stage] = &[S::Filed, S::Investigating, S::Notified];
const ANY: &[Stage] = &[
    S::Filed,
    S::Investigating,
    S::Notified,
    S::Decided,
    S::Executing,
    S::Closed,
    S::Withdrawn,
];

/// The workflow of a case: one row per step.
#[rustfmt::skip]
pub const STEPS: &[Transition] = &[
    Transition { step: K::Investigate, from: &[S::Filed], permission: P::HandleLeads, who: Who::Handler, requires: &[], to: Target::To(S::Investigating) },
    Transition { step: K::Notify, from: &[S::Investigating], permission: P::HandleLeads, who: Who::Handler, requires: &[C::HasParty, C::EveryPartyHasAction], to: Target::To(S::Notified) },
    Transition { step: K::Decide, from: &[S::Notified], permission: P::HandleLeads, who: Who::Handler, requires: &[C::HasParty, C::EveryPartyHasAction], to: Target::To(S::Decided) },
    Transition { step: K::Execute, from: &[S::Decided], permission: P::HandleLeads, who: Who::Handler, requires: &[], to: Target::To(S::Executing) },
    Transition { step: K::Close, from: &[S::Investigating, S::Decided, S::Executing], permission: P::HandleLeads, who: Who::Handler, requires: &[], to: Target::To(S::Closed) },
    Transition { step: K::Withdraw, from: OPEN, permission: P::SuperviseDeadlines, who: Who::Jurisdiction, requires: &[], to: Target::To(S::Withdrawn) },
    Transition { step: K::Parties, from: &[S::Filed, S::Investigating], permission: P::HandleLeads, who: Who::Handler, requires: &[], to: Target::Same },
    Transition { step: K::Penalties, from: &[S::Investigating, S::Notified], permission: P::HandleLeads, who: Who::Handler, requires: &[C::HasParty], to: Target::Same },
    Transition { step: K::Evidence, from: OPEN, permission: P::HandleLeads, who: Who::Partner, requires: &[], to: Target::Same },
    Transition { step: K::Basis, from: BEFORE_DECISION, permission: P::HandleLeads, who: Who::Handler, requires: &[], to: Target::Same },
    Transition { step: K::Share, from: OPEN, permission: P::HandleLeads, who: Who::Handler, requires: &[], to: Target::Same },
    Transition { step: K::Meeting, from: OPEN, permission: P::HandleLeads, who: Who::Partner, requires: &[], to: Target::Same },
    Transition { step: K::Police, from: OPEN, permission: P::HandleLeads, who: Who::Handler, requires: &[C::NoOpenPoliceTransfer], to: Target::Same },
    Transition { step: K::Supervise, from: BEFORE_DECISION, permission: P::SuperviseDeadlines, who: Who::Jurisdiction, requires: &[C::Overdue], to: Target::Same },
    Transition { step: K::Extend, from: BEFORE_DECISION, permission: P::HandleLeads, who: Who::Handler, requires: &[C::DueNotPassed, C::ExtensionUnused], to: Target::Same },
    Transition { step: K::Extension, from: ANY, permission: P::SuperviseDeadlines, who: Who::Jurisdiction, requires: &[C::OpenExtension], to: Target::Same },
];

/// What the store knows of a case that the table's conditions read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseFacts {
    pub stage: Stage,
    pub parties: usize,
    /// Parties without any action.
    pub parties_without_action: usize,
    pub open_police_transfer: bool,
    /// The decision limit has passed (and no decision was made).
    pub due_passed: bool,
    pub extension_used: bool,
    pub open_extension: bool,
}

impl CaseFacts {
    /// A case just opened, with nothing on it.
    pub fn new(stage: Stage) -> CaseFacts {
        CaseFacts {
            stage,
            parties: 0,
            parties_without_action: 0,
            open_police_transfer: false,
            due_passed: false,
            extension_used: false,
            open_extension: false,
        }
    }

    /// Whether the case has `cond`.
    pub fn has(&self, cond: Cond) -> bool {
        match cond {
            C::HasParty => self.parties > 0,
            C::EveryPartyHasAction => self.parties_without_action == 0,
            C::NoOpenPoliceTransfer => !self.open_police_transfer,
            C::Overdue => self.due_passed && self.stage.before_decision(),
            C::DueNotPassed => !self.due_passed,
            C::ExtensionUnused => !self.extension_used,
            C::OpenExtension => self.open_extension,
        }
    }
}

impl Cond {
    /// Why a step is refused when the case lacks this fact, in Chinese.
    pub fn reason_zh(self) -> &'static str {
        match self {
            C::HasParty => "案件还没有当事人",
            C::EveryPartyHasAction => "每个当事人都要有处罚或处理措施",
            C::NoOpenPoliceTransfer => "已有涉嫌犯罪移送正在办理",
            C::Overdue => "案件没有超过决定期限",
            C::DueNotPassed => "决定期限已过，不能再申请延期",
            C::ExtensionUnused => "已申请过延期",
            C::OpenExtension => "没有待审批的延期申请",
        }
    }
}

/// The user who would take a step: the role, whether their department handles the case, shares
/// it, and whether their jurisdiction covers its district.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taker {
    pub role: Role,
    pub handler: bool,
    pub partner: bool,
    pub covers: bool,
}

/// Why the table refuses a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The role lacks the permission, or the department may not take the step.
    Forbidden,
    /// A leader outside the case's jurisdiction: for them the case does not exist.
    NotFound,
    /// The case lacks a fact the step needs.
    Lacks(Cond),
    /// The step does not start from the case's stage.
    Stage,
}

impl CaseStep {
    pub const ALL: &'static [CaseStep] = &[
        K::Investigate,
        K::Notify,
        K::Decide,
        K::Execute,
        K::Close,
        K::Withdraw,
        K::Parties,
        K::Penalties,
        K::Evidence,
        K::Basis,
        K::Share,
        K::Meeting,
        K::Police,
        K::Supervise,
        K::Extend,
        K::Extension,
    ];

    /// The code in URLs and the API.
    pub fn code(self) -> &'static str {
        match self {
            K::Investigate => "investigate",
            K::Notify => "notify",
            K::Decide => "decide",
            K::Execute => "execute",
            K::Close => "close",
            K::Withdraw => "withdraw",
            K::Parties => "parties",
            K::Penalties => "penalties",
            K::Evidence => "evidence",
            K::Basis => "basis",
            K::Share => "share",
            K::Meeting => "meeting",
            K::Police => "police",
            K::Supervise => "supervise",
            K::Extend => "extend",
            K::Extension => "extension",
        }
    }

    pub fn from_code(code: &str) -> Option<CaseStep> {
        Self::ALL.iter().copied().find(|s| s.code() == code)
    }

    /// The verb, as in “不能{label}”.
    pub fn label_zh(self) -> &'static str {
        match self {
            K::Investigate => "开始调查取证",
            K::Notify => "告知当事人",
            K::Decide => "作出处罚决定",
            K::Execute => "开始执行",
            K::Close => "结案",
            K::Withdraw => "撤销案件",
            K::Parties => "修改当事人",
            K::Penalties => "修改处罚",
            K::Evidence => "添加证据",
            K::Basis => "修改法律依据",
            K::Share => "联合办案授权",
            K::Meeting => "记录会商",
            K::Police => "移送公安机关",
            K::Supervise => "督办",
            K::Extend => "申请延期",
            K::Extension => "审批延期",
        }
    }

    /// The step's row.
    pub fn row(self) -> &'static Transition {
        // Every step has a row: `every_step_has_exactly_one_row` below.
        STEPS.iter().find(|t| t.step == self).unwrap_or(&STEPS[0])
    }
}

/// Whether `who` may take `step` on a case with `facts`, and if not, why. Checks, in order, the
/// permission and who, the facts in the row's order, then the stage.
pub fn check(
    facts: &CaseFacts,
    who: &Taker,
    step: CaseStep,
) -> Result<&'static Transition, Refusal> {
    let row = step.row();
    if !who.role.can(row.permission) {
        return Err(Refusal::Forbidden);
    }
    match row.who {
        Who::Handler if !who.handler => return Err(Refusal::Forbidden),
        Who::Partner if !(who.handler || who.partner) => return Err(Refusal::Forbidden),
        Who::Jurisdiction if !who.covers => return Err(Refusal::NotFound),
        _ => {}
    }
    if let Some(c) = row.requires.iter().copied().find(|c| !facts.has(*c)) {
        return Err(Refusal::Lacks(c));
    }
    if !row.from.contains(&facts.stage) {
        return Err(Refusal::Stage);
    }
    Ok(row)
}

/// The steps `who` may take on a case with `facts`, in table order.
pub fn available(facts: &CaseFacts, who: &Taker) -> Vec<CaseStep> {
    STEPS
        .iter()
        .filter(|t| check(facts, who, t.step).is_ok())
        .map(|t| t.step)
        .collect()
}

/// The message for a refused step, in Chinese, e.g. “不能作出处罚决定：每个当事人都要有处罚或处理措施”.
pub fn refusal_zh(step: CaseStep, stage: Stage, refusal: Refusal) -> String {
    match refusal {
        Refusal::Forbidden => format!("无权{}", step.label_zh()),
        Refusal::NotFound => "案件不存在".to_string(),
        Refusal::Lacks(c) => format!("不能{}：{}", step.label_zh(), c.reason_zh()),
        Refusal::Stage => format!(
            "案件处于“{}”阶段，不能{}",
            stage.label_zh(),
            step.label_zh()
        ),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn officer() -> Taker {
        Taker {
            role: Role::Officer,
            handler: true,
            partner: false,
            covers: true,
        }
    }

    fn leader() -> Taker {
        Taker {
            role: Role::Leader,
            handler: false,
            partner: false,
            covers: true,
        }
    }

    fn ready(stage: Stage) -> CaseFacts {
        CaseFacts {
            parties: 1,
            ..CaseFacts::new(stage)
        }
    }

    #[test]
    fn every_step_has_exactly_one_row() {
        for step in CaseStep::ALL {
            assert_eq!(
                STEPS.iter().filter(|t| t.step == *step).count(),
                1,
                "{step:?}"
            );
            assert_eq!(CaseStep::from_code(step.code()), Some(*step));
        }
        assert_eq!(STEPS.len(), CaseStep::ALL.len());
    }

    #[test]
    fn the_stages_run_in_order() {
        let mut facts = ready(Stage::Filed);
        let path = [
            (CaseStep::Investigate, Stage::Investigating),
            (CaseStep::Notify, Stage::Notified),
            (CaseStep::Decide, Stage::Decided),
            (CaseStep::Execute, Stage::Executing),
            (CaseStep::Close, Stage::Closed),
        ];
        for (step, to) in path {
            let row = check(&facts, &officer(), step).unwrap();
            assert_eq!(row.to, Target::To(to));
            facts.stage = to;
        }
    }

    #[test]
    fn steps_out_of_order_are_refused_with_the_stage() {
        let facts = ready(Stage::Filed);
        assert_eq!(
            check(&facts, &officer(), CaseStep::Decide).unwrap_err(),
            Refusal::Stage
        );
        assert_eq!(
            refusal_zh(CaseStep::Decide, Stage::Filed, Refusal::Stage),
            "案件处于“立案”阶段，不能作出处罚决定"
        );
        let closed = ready(Stage::Closed);
        assert_eq!(
            check(&closed, &officer(), CaseStep::Execute).unwrap_err(),
            Refusal::Stage
        );
        assert_eq!(
            check(&ready(Stage::Withdrawn), &leader(), CaseStep::Withdraw).unwrap_err(),
            Refusal::Stage
        );
    }

    #[test]
    fn a_decision_needs_parties_each_with_an_action() {
        let mut facts = CaseFacts::new(Stage::Notified);
        assert_eq!(
            check(&facts, &officer(), CaseStep::Decide).unwrap_err(),
            Refusal::Lacks(Cond::HasParty)
        );
        facts.parties = 2;
        facts.parties_without_action = 1;
        assert_eq!(
            check(&facts, &officer(), CaseStep::Decide).unwrap_err(),
            Refusal::Lacks(Cond::EveryPartyHasAction)
        );
        facts.parties_without_action = 0;
        assert!(check(&facts, &officer(), CaseStep::Decide).is_ok());
    }

    #[test]
    fn only_a_leader_of_the_district_withdraws() {
        let facts = ready(Stage::Investigating);
        assert_eq!(
            check(&facts, &officer(), CaseStep::Withdraw).unwrap_err(),
            Refusal::Forbidden
        );
        assert!(check(&facts, &leader(), CaseStep::Withdraw).is_ok());
        let outside = Taker {
            covers: false,
            ..leader()
        };
        assert_eq!(
            check(&facts, &outside, CaseStep::Withdraw).unwrap_err(),
            Refusal::NotFound
        );
    }

    #[test]
    fn partners_add_evidence_but_do_not_decide() {
        let partner = Taker {
            handler: false,
            partner: true,
            ..officer()
        };
        let facts = ready(Stage::Notified);
        assert!(check(&facts, &partner, CaseStep::Evidence).is_ok());
        assert!(check(&facts, &partner, CaseStep::Meeting).is_ok());
        assert_eq!(
            check(&facts, &partner, CaseStep::Decide).unwrap_err(),
            Refusal::Forbidden
        );
        let stranger = Taker {
            handler: false,
            ..officer()
        };
        assert_eq!(
            check(&facts, &stranger, CaseStep::Evidence).unwrap_err(),
            Refusal::Forbidden
        );
    }

    #[test]
    fn supervision_and_extension_follow_the_decision_limit() {
        let mut facts = ready(Stage::Investigating);
        assert_eq!(
            check(&facts, &leader(), CaseStep::Supervise).unwrap_err(),
            Refusal::Lacks(Cond::Overdue)
        );
        assert!(check(&facts, &officer(), CaseStep::Extend).is_ok());
        facts.extension_used = true;
        assert_eq!(
            check(&facts, &officer(), CaseStep::Extend).unwrap_err(),
            Refusal::Lacks(Cond::ExtensionUnused)
        );
        facts.due_passed = true;
        assert!(check(&facts, &leader(), CaseStep::Supervise).is_ok());
        // A decided case is no longer overdue for a decision.
        facts.stage = Stage::Decided;
        assert!(check(&facts, &leader(), CaseStep::Supervise).is_err());
    }

    #[test]
    fn penalties_change_only_before_the_decision() {
        let facts = ready(Stage::Decided);
        assert_eq!(
            check(&facts, &officer(), CaseStep::Penalties).unwrap_err(),
            Refusal::Stage
        );
        assert!(check(
            &ready(Stage::Investigating),
            &officer(),
            CaseStep::Penalties
        )
        .is_ok());
    }

    #[test]
    fn the_buttons_are_the_table() {
        let steps = available(&ready(Stage::Filed), &officer());
        assert!(steps.contains(&CaseStep::Investigate));
        assert!(!steps.contains(&CaseStep::Decide));
        assert!(!steps.contains(&CaseStep::Withdraw));
    }
}
