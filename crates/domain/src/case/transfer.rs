//! 行刑衔接 on a case (`DOMAIN.md` §11): the transfer of a suspected crime to the police. The
//! officer proposes it (urgent when evidence is at risk), a leader of the jurisdiction (正职负责人)
//! approves it within 3 days, it is sent within 24 hours with its documents and copied to the
//! procuratorate, the police return a receipt and decide on 立案 within 3 days, and the outcome of
//! the criminal proceedings is recorded. After a refusal the agency may, within 3 days, ask the
//! police to reconsider (复议) or ask the procuratorate for 立案监督; after 立案 it hands the seized
//! items over within 3 days. The police take their own steps (回执, 立案决定, 协助请求) when they
//! use the system; otherwise the handling department records them from the paper. [`STEPS`] is
//! the table of these steps; the store (`meijian_store::cases::transfer`) checks every step
//! against it.
//!
//! Codes are stored in the database: never change one.

use serde::{Deserialize, Serialize};

use super::workflow::Taker;
use crate::role::Permission;

coded! {
    /// 移送状态. Proposed, approved, sent, received, reconsidering and supervising are open: a
    /// case has at most one open transfer.
    TransferState {
        Proposed = "proposed", "待审批";
        Approved = "approved", "已批准待移送";
        Sent = "sent", "已移送";
        Received = "received", "公安机关已接收";
        /// 公安机关立案.
        Filed = "filed", "公安机关已立案";
        /// 公安机关不予立案.
        Refused = "refused", "公安机关不予立案";
        /// 已提请公安机关复议 its refusal.
        Reconsidering = "reconsidering", "已提请复议";
        /// 已提请人民检察院立案监督.
        Supervising = "supervising", "已提请立案监督";
        /// Not approved by the leader (不予移送), or taken back.
        Withdrawn = "withdrawn", "不予移送";
    }
}

impl TransferState {
    /// Waits for the leader, the sender or the police.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            TransferState::Proposed
                | TransferState::Approved
                | TransferState::Sent
                | TransferState::Received
                | TransferState::Reconsidering
                | TransferState::Supervising
        )
    }
}

coded! {
    /// 公安机关的协助请求.
    PoliceTaskKind {
        Inspection = "inspection", "检验";
        Appraisal = "appraisal", "鉴定";
        Identification = "identification", "认定";
        Custody = "custody", "涉案物品保管";
        Destruction = "destruction", "涉案物品销毁";
    }
}

coded! {
    /// 刑事处理结果.
    Outcome {
        Prosecuted = "prosecuted", "提起公诉";
        Judged = "judged", "法院判决";
        PublicInterest = "public_interest", "公益诉讼";
        NoCharge = "none", "未追究刑事责任";
    }
}

coded! {
    /// 移送材料 (国务院令第310号 Art. 6).
    PackageDoc {
        Letter = "letter", "涉嫌犯罪案件移送书";
        Report = "report", "涉嫌犯罪案件情况的调查报告";
        Items = "items", "涉案物品清单";
        Inspection = "inspection", "检验报告或者鉴定结论";
        Other = "other", "其他有关材料";
    }
}

impl PackageDoc {
    /// The documents every transfer carries.
    pub const REQUIRED: &'static [PackageDoc] = &[PackageDoc::Letter, PackageDoc::Report];
}

coded! {
    /// 双向咨询的方向.
    Direction {
        ToPolice = "to_police", "向公安机关咨询";
        FromPolice = "from_police", "公安机关咨询";
    }
}

/// A step of a transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferStep {
    /// 提请移送: the handling department proposes; a case may have one open transfer.
    Propose,
    /// 批准移送: a leader of the jurisdiction.
    Approve,
    /// 不批准移送: a leader of the jurisdiction, with a reason.
    Refuse,
    /// 移送: the documents go to the police, a copy to the procuratorate.
    Send,
    /// 回执: the police received the transfer.
    Receipt,
    /// 公安机关立案 or 不予立案.
    PoliceDecision,
    /// A request of the police (检验、鉴定 …) after receipt.
    Task,
    /// 刑事处理结果, after 立案.
    Outcome,
    /// 复议: the agency asks the police to reconsider their refusal (once, within 3 days).
    Reconsider,
    /// 立案监督: the agency asks the procuratorate to supervise the refusal (once, within 3 days).
    Supervise,
    /// 移交涉案物品: the agency hands the seized items over after 立案 (within 3 days).
    Handover,
}

/// Who may take a step of a transfer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferWho {
    /// The department handling the case.
    Handler,
    /// A leader whose jurisdiction covers the case's district.
    Jurisdiction,
    /// The police department of the transfer, or the handling department recording the
    /// police's paper answer.
    PoliceOrHandler,
}

/// The caller as the transfer table sees them.
#[derive(Clone, Copy, Debug)]
pub struct TransferTaker {
    /// As the case table sees them.
    pub case: Taker,
    /// Their department is the police department the case is transferred to.
    pub police: bool,
}

/// What the table reads of a transfer besides its state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TransferFacts {
    /// 复议 was asked already.
    pub reconsidered: bool,
    /// 立案监督 was asked already.
    pub supervised: bool,
    /// The 3 days to challenge the police's refusal have passed.
    pub challenge_late: bool,
}

/// One row of the transfer table.
#[derive(Clone, Copy, Debug)]
pub struct TransferRow {
    pub step: TransferStep,
    /// The states the step starts from; empty for [`TransferStep::Propose`], which starts a
    /// transfer.
    pub from: &'static [TransferState],
    pub permission: Permission,
    pub who: TransferWho,
    /// The state it leads to; `None` keeps the state.
    pub to: Option<TransferState>,
}

use Permission as P;
use TransferState as T;
use TransferStep as X;
use TransferWho as W;

/// The steps of a transfer, one row each. The police decision's two outcomes (filed, refused)
/// share a row: the store picks the state.
#[rustfmt::skip]
pub const STEPS: &[TransferRow] = &[
    TransferRow { step: X::Propose, from: &[], permission: P::HandleLeads, who: W::Handler, to: Some(T::Proposed) },
    TransferRow { step: X::Approve, from: &[T::Proposed], permission: P::SuperviseDeadlines, who: W::Jurisdiction, to: Some(T::Approved) },
    TransferRow { step: X::Refuse, from: &[T::Proposed], permission: P::SuperviseDeadlines, who: W::Jurisdiction, to: Some(T::Withdrawn) },
    TransferRow { step: X::Send, from: &[T::Approved], permission: P::HandleLeads, who: W::Handler, to: Some(T::Sent) },
    TransferRow { step: X::Receipt, from: &[T::Sent], permission: P::HandleLeads, who: W::PoliceOrHandler, to: Some(T::Received) },
    TransferRow { step: X::PoliceDecision, from: &[T::Received, T::Reconsidering, T::Supervising], permission: P::HandleLeads, who: W::PoliceOrHandler, to: None },
    TransferRow { step: X::Task, from: &[T::Received, T::Filed], permission: P::HandleLeads, who: W::PoliceOrHandler, to: None },
    TransferRow { step: X::Outcome, from: &[T::Filed], permission: P::HandleLeads, who: W::PoliceOrHandler, to: None },
    TransferRow { step: X::Reconsider, from: &[T::Refused], permission: P::HandleLeads, who: W::Handler, to: Some(T::Reconsidering) },
    TransferRow { step: X::Supervise, from: &[T::Refused], permission: P::HandleLeads, who: W::Handler, to: Some(T::Supervising) },
    TransferRow { step: X::Handover, from: &[T::Filed], permission: P::HandleLeads, who: W::Handler, to: None },
];

impl TransferStep {
    pub const ALL: &'static [TransferStep] = &[
        X::Propose,
        X::Approve,
        X::Refuse,
        X::Send,
        X::Receipt,
        X::PoliceDecision,
        X::Task,
        X::Outcome,
        X::Reconsider,
        X::Supervise,
        X::Handover,
    ];

    /// The code in URLs and audit entries.
    pub fn code(self) -> &'static str {
        match self {
            X::Propose => "propose",
            X::Approve => "approve",
            X::Refuse => "refuse",
            X::Send => "send",
            X::Receipt => "receipt",
            X::PoliceDecision => "police_decision",
            X::Task => "task",
            X::Outcome => "outcome",
            X::Reconsider => "reconsider",
            X::Supervise => "supervise",
            X::Handover => "handover",
        }
    }

    /// The verb, as in “不能{label}”.
    pub fn label_zh(self) -> &'static str {
        match self {
            X::Propose => "提请移送",
            X::Approve => "批准移送",
            X::Refuse => "不批准移送",
            X::Send => "移送公安机关",
            X::Receipt => "登记回执",
            X::PoliceDecision => "登记公安机关立案决定",
            X::Task => "登记协助请求",
            X::Outcome => "登记刑事处理结果",
            X::Reconsider => "提请复议",
            X::Supervise => "提请立案监督",
            X::Handover => "登记移交涉案物品",
        }
    }

    /// The step's row.
    pub fn row(self) -> &'static TransferRow {
        // Every step has a row: `every_step_has_exactly_one_row` below.
        STEPS.iter().find(|r| r.step == self).unwrap_or(&STEPS[0])
    }
}

/// Why the table refuses a transfer step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferRefusal {
    Forbidden,
    /// A leader outside the case's jurisdiction.
    NotFound,
    /// The case already has an open transfer (for [`TransferStep::Propose`]).
    OpenTransfer,
    /// The step does not start from the transfer's state.
    State,
    /// 复议 was asked already.
    Reconsidered,
    /// 立案监督 was asked already.
    Supervised,
    /// The 3 days to challenge the refusal have passed.
    Late,
}

/// Whether `who` may take `step` on a transfer in state `state` (`None`: no transfer yet, or —
/// for [`TransferStep::Propose`] — the case's open transfer, if any) with `facts`. Checks who,
/// then the state, then the facts.
pub fn check(
    state: Option<TransferState>,
    facts: TransferFacts,
    who: &TransferTaker,
    step: TransferStep,
) -> Result<&'static TransferRow, TransferRefusal> {
    let row = step.row();
    if !who.case.role.can(row.permission) {
        return Err(TransferRefusal::Forbidden);
    }
    match row.who {
        W::Handler if !who.case.handler => return Err(TransferRefusal::Forbidden),
        W::Jurisdiction if !who.case.covers => return Err(TransferRefusal::NotFound),
        W::PoliceOrHandler if !(who.case.handler || who.police) => {
            return Err(TransferRefusal::Forbidden)
        }
        _ => {}
    }
    match (step, state) {
        (X::Propose, Some(s)) if s.is_open() => Err(TransferRefusal::OpenTransfer),
        (X::Propose, _) => Ok(row),
        (_, Some(s)) if !row.from.contains(&s) => Err(TransferRefusal::State),
        (_, None) => Err(TransferRefusal::State),
        (X::Reconsider | X::Supervise, _) if facts.challenge_late => Err(TransferRefusal::Late),
        (X::Reconsider, _) if facts.reconsidered || facts.supervised => {
            Err(TransferRefusal::Reconsidered)
        }
        (X::Supervise, _) if facts.supervised => Err(TransferRefusal::Supervised),
        _ => Ok(row),
    }
}

/// Why a step is refused, in Chinese.
pub fn refusal_zh(step: TransferStep, state: Option<TransferState>, r: TransferRefusal) -> String {
    match r {
        TransferRefusal::Forbidden => format!("没有权限{}", step.label_zh()),
        TransferRefusal::NotFound => "记录不存在".into(),
        TransferRefusal::OpenTransfer => "本案已有涉嫌犯罪移送正在办理，不能重复提请".into(),
        TransferRefusal::Reconsidered => "已经提请过复议或立案监督，不能再提请复议".into(),
        TransferRefusal::Supervised => "已经提请过立案监督".into(),
        TransferRefusal::Late => "已过收到不予立案通知后提请的期限".into(),
        TransferRefusal::State => match state {
            Some(s) => format!("移送状态为“{}”，不能{}", s.label_zh(), step.label_zh()),
            None => format!("还没有移送，不能{}", step.label_zh()),
        },
    }
}

/// The steps `who` may take on a transfer in `state`, in table order (the page's buttons).
pub fn available(
    state: Option<TransferState>,
    facts: TransferFacts,
    who: &TransferTaker,
) -> Vec<TransferStep> {
    STEPS
        .iter()
        .filter(|r| check(state, facts, who, r.step).is_ok())
        .map(|r| r.step)
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::role::Role;

    fn handler() -> TransferTaker {
        TransferTaker {
            case: Taker {
                role: Role::Officer,
                handler: true,
                partner: false,
                covers: true,
            },
            police: false,
        }
    }

    fn police() -> TransferTaker {
        TransferTaker {
            case: Taker {
                role: Role::Officer,
                handler: false,
                partner: true,
                covers: false,
            },
            police: true,
        }
    }

    fn leader(covers: bool) -> TransferTaker {
        TransferTaker {
            case: Taker {
                role: Role::Leader,
                handler: false,
                partner: false,
                covers,
            },
            police: false,
        }
    }

    fn check(
        state: Option<TransferState>,
        who: &TransferTaker,
        step: TransferStep,
    ) -> Result<&'static TransferRow, TransferRefusal> {
        super::check(state, TransferFacts::default(), who, step)
    }

    #[test]
    fn every_step_has_exactly_one_row() {
        for s in TransferStep::ALL {
            assert_eq!(STEPS.iter().filter(|r| r.step == *s).count(), 1, "{s:?}");
        }
        assert_eq!(STEPS.len(), TransferStep::ALL.len());
    }

    #[test]
    fn the_full_path_follows_the_table() {
        let o = handler();
        let l = leader(true);
        assert!(check(None, &o, X::Propose).is_ok());
        let mut state = T::Proposed;
        for (step, who, next) in [
            (X::Approve, l, T::Approved),
            (X::Send, o, T::Sent),
            (X::Receipt, o, T::Received),
        ] {
            let row = check(Some(state), &who, step).unwrap();
            assert_eq!(row.to, Some(next));
            state = next;
        }
        assert!(check(Some(T::Received), &o, X::PoliceDecision).is_ok());
        assert!(check(Some(T::Received), &o, X::Task).is_ok());
        assert!(check(Some(T::Filed), &o, X::Task).is_ok());
        assert!(check(Some(T::Filed), &o, X::Outcome).is_ok());
    }

    #[test]
    fn out_of_order_steps_are_refused_with_a_reason() {
        let o = handler();
        assert_eq!(
            check(Some(T::Proposed), &o, X::Send).unwrap_err(),
            TransferRefusal::State
        );
        assert_eq!(
            check(Some(T::Sent), &o, X::PoliceDecision).unwrap_err(),
            TransferRefusal::State
        );
        assert_eq!(
            check(Some(T::Refused), &o, X::Outcome).unwrap_err(),
            TransferRefusal::State
        );
        assert_eq!(
            check(None, &o, X::Receipt).unwrap_err(),
            TransferRefusal::State
        );
        let why = refusal_zh(X::Send, Some(T::Proposed), TransferRefusal::State);
        assert_eq!(why, "移送状态为“待审批”，不能移送公安机关");
    }

    #[test]
    fn only_a_leader_of_the_district_approves() {
        assert_eq!(
            check(Some(T::Proposed), &handler(), X::Approve).unwrap_err(),
            TransferRefusal::Forbidden
        );
        assert_eq!(
            check(Some(T::Proposed), &leader(false), X::Approve).unwrap_err(),
            TransferRefusal::NotFound
        );
        assert!(check(Some(T::Proposed), &leader(true), X::Refuse).is_ok());
        // A leader does not handle the case.
        assert_eq!(
            check(None, &leader(true), X::Propose).unwrap_err(),
            TransferRefusal::Forbidden
        );
    }

    #[test]
    fn one_open_transfer_per_case() {
        let o = handler();
        for s in TransferState::ALL {
            let r = check(Some(*s), &o, X::Propose);
            assert_eq!(r.is_err(), s.is_open(), "{s:?}");
        }
        assert_eq!(
            available(Some(T::Proposed), TransferFacts::default(), &leader(true)),
            vec![X::Approve, X::Refuse]
        );
    }

    #[test]
    fn the_police_answer_for_themselves_but_do_not_send() {
        let p = police();
        assert!(check(Some(T::Sent), &p, X::Receipt).is_ok());
        assert!(check(Some(T::Received), &p, X::PoliceDecision).is_ok());
        assert!(check(Some(T::Filed), &p, X::Task).is_ok());
        assert_eq!(
            check(Some(T::Approved), &p, X::Send).unwrap_err(),
            TransferRefusal::Forbidden
        );
        assert_eq!(
            check(Some(T::Refused), &p, X::Reconsider).unwrap_err(),
            TransferRefusal::Forbidden
        );
        // A partner that is not the police of the transfer answers nothing.
        let other = TransferTaker { police: false, ..p };
        assert_eq!(
            check(Some(T::Sent), &other, X::Receipt).unwrap_err(),
            TransferRefusal::Forbidden
        );
    }

    #[test]
    fn a_refusal_is_challenged_once_each_way_within_the_limit() {
        let o = handler();
        let f = |reconsidered, supervised, challenge_late| TransferFacts {
            reconsidered,
            supervised,
            challenge_late,
        };
        let go = |facts, step| super::check(Some(T::Refused), facts, &o, step).map(|r| r.to);
        assert_eq!(
            go(f(false, false, false), X::Reconsider),
            Ok(Some(T::Reconsidering))
        );
        assert_eq!(
            go(f(false, false, false), X::Supervise),
            Ok(Some(T::Supervising))
        );
        // After a reconsideration refused: 立案监督 still, 复议 not again.
        assert_eq!(
            go(f(true, false, false), X::Reconsider),
            Err(TransferRefusal::Reconsidered)
        );
        assert_eq!(
            go(f(true, false, false), X::Supervise),
            Ok(Some(T::Supervising))
        );
        assert_eq!(
            go(f(true, true, false), X::Supervise),
            Err(TransferRefusal::Supervised)
        );
        assert_eq!(
            go(f(false, false, true), X::Reconsider),
            Err(TransferRefusal::Late)
        );
        // The police decide again on either.
        assert!(check(Some(T::Reconsidering), &police(), X::PoliceDecision).is_ok());
        assert!(check(Some(T::Supervising), &o, X::PoliceDecision).is_ok());
        assert!(T::Reconsidering.is_open() && T::Supervising.is_open());
        assert!(check(Some(T::Filed), &o, X::Handover).is_ok());
        assert_eq!(
            check(Some(T::Received), &o, X::Handover).unwrap_err(),
            TransferRefusal::State
        );
    }

    #[test]
    fn codes_round_trip() {
        for s in TransferState::ALL {
            assert_eq!(TransferState::from_code(s.code()), Some(*s));
        }
        for k in PoliceTaskKind::ALL {
            assert_eq!(PoliceTaskKind::from_code(k.code()), Some(*k));
        }
        for d in PackageDoc::ALL {
            assert_eq!(PackageDoc::from_code(d.code()), Some(*d));
        }
        assert_eq!(
            Outcome::from_label_zh("提起公诉"),
            Some(Outcome::Prosecuted)
        );
    }
}
