//! The numbers of lead handling that a deployment configures: legal time limits and the
//! reward rules. Defaults are `DOMAIN.md`'s; each says there whether it is confirmed ([C]) or
//! not ([U]). Every limit names its unit, because the law mixes working days, days and hours.

use serde::{Deserialize, Serialize};

use super::Fen;

/// The unit a limit counts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// 工作日, by the working-day calendar (holidays and 调休 included).
    WorkingDays,
    /// 日: calendar days.
    Days,
    Hours,
}

/// A time limit: an amount of a unit, counted from the day after the event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub amount: u32,
    pub unit: Unit,
}

impl Limit {
    pub const fn working_days(amount: u32) -> Limit {
        Limit {
            amount,
            unit: Unit::WorkingDays,
        }
    }
    pub const fn days(amount: u32) -> Limit {
        Limit {
            amount,
            unit: Unit::Days,
        }
    }
    pub const fn hours(amount: u32) -> Limit {
        Limit {
            amount,
            unit: Unit::Hours,
        }
    }

    /// e.g. 7个工作日, 3日, 24小时.
    pub fn label_zh(&self) -> String {
        match self.unit {
            Unit::WorkingDays => format!("{}个工作日", self.amount),
            Unit::Days => format!("{}日", self.amount),
            Unit::Hours => format!("{}小时", self.amount),
        }
    }
}

/// 办理时限.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimeLimits {
    /// 受理/不予受理 of a complaint: 7 working days from receipt (总局令第20号 Art. 14) [C].
    pub accept: Limit,
    /// 核查 of a report: 15 working days from receipt [C].
    pub verify: Limit,
    /// 办结: 90 days from acceptance, the limit of a penalty decision after 立案 (行政处罚法 Art. 60) [C].
    pub conclude: Limit,
    /// 延期: a leader may extend the verification once, by 15 working days, for a complex
    /// report [U].
    pub verify_extension: Limit,
    /// 延期: and the conclusion once, by 30 days (市场监管 rules, old 工商 text) [C-weak].
    pub conclude_extension: Limit,
    /// 答复 to a named reporter after the conclusion: 5 working days [U].
    pub reply: Limit,
    /// 线索移送: the receiving department acknowledges within 3 working days [U].
    pub referral_acknowledge: Limit,
    /// 线索移送: and accepts or returns the lead within 10 working days of receipt [U].
    pub referral_act: Limit,
    /// 涉嫌犯罪: the head of the agency decides on transfer within 3 days of the report [C].
    pub crime_decide: Limit,
    /// 涉嫌犯罪: transfer to the police within 24 hours of approval [C].
    pub crime_transfer: Limit,
    /// 涉嫌犯罪: the police decide whether to 立案 within 3 days of receipt [C].
    pub police_decide: Limit,
    /// A limit is "due soon" on the dashboard this many working days ahead.
    pub due_soon_working_days: u32,
}

impl Default for TimeLimits {
    fn default() -> Self {
        TimeLimits {
            accept: Limit::working_days(7),
            verify: Limit::working_days(15),
            conclude: Limit::days(90),
            verify_extension: Limit::working_days(15),
            conclude_extension: Limit::days(30),
            reply: Limit::working_days(5),
            referral_acknowledge: Limit::working_days(3),
            referral_act: Limit::working_days(10),
            crime_decide: Limit::days(3),
            crime_transfer: Limit::hours(24),
            police_decide: Limit::days(3),
            due_soon_working_days: 2,
        }
    }
}

/// One reward level (奖励等级) of 国市监稽规〔2021〕4号 [C].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RewardLevel {
    /// 一级, 二级, 三级.
    pub name: String,
    /// Percent of the 罚没款.
    pub percent: f64,
    /// 元, also paid when there is no 罚没款.
    pub minimum_yuan: i64,
}

/// 举报奖励 rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RewardRules {
    pub levels: Vec<RewardLevel>,
    /// 每案奖励上限 1,000,000 元 [C].
    pub cap_yuan: i64,
    /// Awards from this amount are fixed jointly with the finance department [C].
    pub joint_approval_from_yuan: i64,
    /// 较大数额罚没款 for an individual (辽宁: 10,000 元) [U].
    pub major_amount_individual_yuan: i64,
    /// 较大数额罚没款 for an organisation (辽宁: 100,000 元) [U].
    pub major_amount_organisation_yuan: i64,
}

impl Default for RewardRules {
    fn default() -> Self {
        let level = |name: &str, percent, minimum_yuan| RewardLevel {
            name: name.to_string(),
            percent,
            minimum_yuan,
        };
        RewardRules {
            levels: vec![
                level("一级", 5.0, 5_000),
                level("二级", 3.0, 3_000),
                level("三级", 1.0, 1_000),
            ],
            cap_yuan: 1_000_000,
            joint_approval_from_yuan: 500_000,
            major_amount_individual_yuan: 10_000,
            major_amount_organisation_yuan: 100_000,
        }
    }
}

/// What a concluded lead established, as far as rewards care.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PenaltyFacts {
    /// 罚款 + 没收违法所得.
    pub forfeiture: Fen,
    /// 责令停产停业, 责令关闭 or 吊销许可证件.
    pub suspended_closed_or_revoked: bool,
    /// Transferred as a suspected crime.
    pub criminal: bool,
    /// The party is an organisation (单位), not an individual.
    pub organisation: bool,
}

impl RewardRules {
    /// 重大违法行为: whether a penalty makes a report eligible for a reward.
    pub fn is_major(&self, facts: &PenaltyFacts) -> bool {
        let threshold = if facts.organisation {
            self.major_amount_organisation_yuan
        } else {
            self.major_amount_individual_yuan
        };
        facts.criminal
            || facts.suspended_closed_or_revoked
            || facts.forfeiture >= Fen::from_yuan(threshold)
    }

    /// The award at `level` (index into `levels`) for `forfeiture`: the percentage (to the
    /// 分 below), at least the level's minimum, at most the cap. The configured amounts are
    /// whole yuan; the computation is in fen. `None` for an unknown level.
    pub fn amount(&self, level: usize, forfeiture: Fen) -> Option<Fen> {
        let l = self.levels.get(level)?;
        let share = Fen((forfeiture.fen().max(0) as f64 * l.percent / 100.0).floor() as i64);
        Some(
            share
                .max(Fen::from_yuan(l.minimum_yuan))
                .min(Fen::from_yuan(self.cap_yuan)),
        )
    }

    /// Whether an award is fixed jointly with the finance department.
    pub fn joint_approval(&self, amount: Fen) -> bool {
        amount >= Fen::from_yuan(self.joint_approval_from_yuan)
    }

    /// Checks the rules at start, with a message naming the key.
    pub fn validate(&self) -> Result<(), String> {
        if self.levels.is_empty() {
            return Err("leads.rewards.levels 不能为空".into());
        }
        for l in &self.levels {
            if !(0.0..=100.0).contains(&l.percent) || l.minimum_yuan < 0 {
                return Err(format!(
                    "leads.rewards.levels 中“{}”的比例须在 0–100 之间、最低金额不能为负",
                    l.name
                ));
            }
        }
        if self.cap_yuan <= 0 {
            return Err("leads.rewards.cap_yuan 须大于 0".into());
        }
        Ok(())
    }
}

/// All lead-handling configuration: `[leads]` in the config file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LeadRules {
    pub limits: TimeLimits,
    pub rewards: RewardRules,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reward_amounts_follow_level_minimum_and_cap() {
        let r = RewardRules::default();
        let y = Fen::from_yuan;
        // 5 % of 200,000 is 10,000.
        assert_eq!(r.amount(0, y(200_000)), Some(y(10_000)));
        // 1 % of 50,000 is 500, below the 三级 minimum of 1,000.
        assert_eq!(r.amount(2, y(50_000)), Some(y(1_000)));
        // No 罚没款 still pays the minimum.
        assert_eq!(r.amount(1, Fen::ZERO), Some(y(3_000)));
        // 5 % of 40 million is capped at one million.
        assert_eq!(r.amount(0, y(40_000_000)), Some(y(1_000_000)));
        assert_eq!(r.amount(3, Fen(1)), None);
        // Computed in fen: 5 % of 123,456.78 yuan is 6,172.83 (to the fen below).
        assert_eq!(r.amount(0, Fen(12_345_678)), Some(Fen(617_283)));
        assert!(r.joint_approval(y(500_000)) && !r.joint_approval(Fen(49_999_999)));
    }

    #[test]
    fn major_violations() {
        let r = RewardRules::default();
        let f = |yuan, organisation| PenaltyFacts {
            forfeiture: Fen::from_yuan(yuan),
            organisation,
            ..PenaltyFacts::default()
        };
        assert!(r.is_major(&f(10_000, false)));
        assert!(!r.is_major(&f(9_999, false)));
        assert!(!r.is_major(&PenaltyFacts {
            forfeiture: Fen(999_999),
            ..PenaltyFacts::default()
        }));
        assert!(!r.is_major(&f(50_000, true)));
        assert!(r.is_major(&f(100_000, true)));
        assert!(r.is_major(&PenaltyFacts {
            suspended_closed_or_revoked: true,
            ..PenaltyFacts::default()
        }));
        assert!(r.is_major(&PenaltyFacts {
            criminal: true,
            ..PenaltyFacts::default()
        }));
    }

    #[test]
    fn limit_labels_name_their_unit() {
        assert_eq!(Limit::working_days(7).label_zh(), "7个工作日");
        assert_eq!(Limit::days(3).label_zh(), "3日");
        assert_eq!(Limit::hours(24).label_zh(), "24小时");
    }
}
