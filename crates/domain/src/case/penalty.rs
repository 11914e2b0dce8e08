//! The checks of one penalty action (处罚决定 against one party), shared by the officers' form,
//! the API and the history import so that all three refuse the same things with the same words.

use time::Date;

use super::{PartyKind, PenaltyKind};
use crate::lead::Fen;

/// The largest amount taken (一万亿元): far above any real amount, and far from overflowing the
/// sums of the 汇总表.
pub const MAX_AMOUNT: Fen = Fen(100_000_000_000_000);

/// The longest 行业禁入 the law knows (终身 is written as this many years).
pub const MAX_BAN_YEARS: u32 = 99;

/// An action as entered, before it is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionInput {
    pub kind: PenaltyKind,
    /// For 罚款 and 没收违法所得 only.
    pub amount: Option<Fen>,
    /// For 行业禁入 only.
    pub ban_years: Option<u32>,
    /// 决定日期; for 移送司法机关 the day of the transfer.
    pub decided_on: Date,
    /// 决定书文号.
    pub decision_no: String,
}

/// Why an action is refused: the field and the reason, in Chinese.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}：{message}")]
pub struct PenaltyError {
    pub field: &'static str,
    pub message: String,
}

fn refuse(field: &'static str, message: impl Into<String>) -> PenaltyError {
    PenaltyError {
        field,
        message: message.into(),
    }
}

impl ActionInput {
    /// Checks the action against its party's kind and its case's 立案 day.
    pub fn check(&self, party: PartyKind, filed_on: Date) -> Result<(), PenaltyError> {
        match (self.kind.has_amount(), self.amount) {
            (true, None) => {
                return Err(refuse(
                    "金额",
                    format!("{}必须填写金额", self.kind.label_zh()),
                ))
            }
            (true, Some(a)) if a <= Fen::ZERO => {
                return Err(refuse("金额", "金额必须大于零"));
            }
            (true, Some(a)) if a > MAX_AMOUNT => {
                return Err(refuse("金额", "不能超过 1 万亿元，请核对金额单位（元）"))
            }
            (false, Some(a)) if a != Fen::ZERO => {
                return Err(refuse(
                    "金额",
                    format!("{}不填写金额", self.kind.label_zh()),
                ))
            }
            _ => {}
        }
        match (self.kind, self.ban_years) {
            (PenaltyKind::Ban, _) if party != PartyKind::Person => {
                return Err(refuse("处罚种类", "行业禁入只适用于个人"));
            }
            (PenaltyKind::Ban, None) => return Err(refuse("禁入年限", "行业禁入必须填写年限")),
            (PenaltyKind::Ban, Some(y)) if y == 0 || y > MAX_BAN_YEARS => {
                return Err(refuse(
                    "禁入年限",
                    format!("年限应在 1 到 {MAX_BAN_YEARS} 年之间"),
                ))
            }
            (k, Some(_)) if k != PenaltyKind::Ban => {
                return Err(refuse("禁入年限", "只有行业禁入填写年限"));
            }
            _ => {}
        }
        if self.decided_on < filed_on {
            return Err(refuse(
                "决定日期",
                format!("{} 早于立案日期 {filed_on}", self.decided_on),
            ));
        }
        if self.decision_no.trim().is_empty() {
            return Err(refuse("决定书文号", "请填写决定书文号"));
        }
        if self.decision_no.chars().count() > 100 {
            return Err(refuse("决定书文号", "不能超过 100 个字"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use time::macros::date;

    fn action(kind: PenaltyKind, amount: Option<i64>) -> ActionInput {
        ActionInput {
            kind,
            amount: amount.map(Fen),
            ban_years: None,
            decided_on: date!(2026 - 03 - 01),
            decision_no: "X市监罚〔2026〕1号".into(),
        }
    }

    const FILED: Date = time::macros::date!(2026 - 02 - 01);

    #[test]
    fn a_fine_needs_a_positive_amount() {
        let org = PartyKind::Organisation;
        assert_eq!(
            action(PenaltyKind::Fine, None)
                .check(org, FILED)
                .unwrap_err()
                .field,
            "金额"
        );
        assert!(action(PenaltyKind::Fine, Some(-1))
            .check(org, FILED)
            .is_err());
        assert!(action(PenaltyKind::Fine, Some(0))
            .check(org, FILED)
            .is_err());
        assert!(action(PenaltyKind::Fine, Some(1_250_000))
            .check(org, FILED)
            .is_ok());
        assert!(action(PenaltyKind::ConfiscateIncome, Some(1))
            .check(org, FILED)
            .is_ok());
        let over = MAX_AMOUNT.fen() + 1;
        assert!(action(PenaltyKind::Fine, Some(over))
            .check(org, FILED)
            .is_err());
    }

    #[test]
    fn only_fines_and_confiscations_carry_amounts() {
        let e = action(PenaltyKind::Warning, Some(100))
            .check(PartyKind::Person, FILED)
            .unwrap_err();
        assert_eq!(e.to_string(), "金额：警告不填写金额");
        assert!(action(PenaltyKind::Warning, None)
            .check(PartyKind::Person, FILED)
            .is_ok());
    }

    #[test]
    fn a_ban_is_for_persons_with_years() {
        let mut ban = action(PenaltyKind::Ban, None);
        assert_eq!(
            ban.check(PartyKind::Person, FILED).unwrap_err().field,
            "禁入年限"
        );
        ban.ban_years = Some(5);
        assert!(ban.check(PartyKind::Person, FILED).is_ok());
        assert_eq!(
            ban.check(PartyKind::Organisation, FILED)
                .unwrap_err()
                .message,
            "行业禁入只适用于个人"
        );
        let mut warn = action(PenaltyKind::Warning, None);
        warn.ban_years = Some(1);
        assert!(warn.check(PartyKind::Person, FILED).is_err());
    }

    #[test]
    fn a_decision_is_not_before_filing() {
        let mut a = action(PenaltyKind::Warning, None);
        a.decided_on = date!(2026 - 01 - 31);
        let e = a.check(PartyKind::Person, FILED).unwrap_err();
        assert_eq!(e.field, "决定日期");
        assert!(e.message.contains("早于立案日期"));
        a.decided_on = FILED;
        assert!(a.check(PartyKind::Person, FILED).is_ok());
    }

    #[test]
    fn a_decision_has_a_number() {
        let mut a = action(PenaltyKind::Warning, None);
        a.decision_no = "  ".into();
        assert_eq!(
            a.check(PartyKind::Person, FILED).unwrap_err().field,
            "决定书文号"
        );
    }

    #[test]
    fn what_counts_as_a_penalty() {
        assert!(!PenaltyKind::Correct.is_penalty());
        assert!(!PenaltyKind::Judicial.is_penalty());
        assert!(PenaltyKind::Warning.is_penalty());
        assert!(PenaltyKind::Revoke.stops_business());
        assert!(!PenaltyKind::Fine.stops_business());
        for k in PenaltyKind::ALL {
            assert_eq!(PenaltyKind::from_label_zh(k.label_zh()), Some(*k));
        }
    }
}
