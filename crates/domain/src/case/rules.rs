//! The numbers of case handling a deployment configures: `[cases]` in the config file. Defaults
//! are `DOMAIN.md`'s, each marked there confirmed ([C]) or not.

use serde::{Deserialize, Serialize};

use crate::lead::rules::Limit;

/// 办案时限.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CaseRules {
    /// 作出处罚决定: 90 days from 立案 (行政处罚法 Art. 60) [C]. This is the clock of a lead
    /// that became a case: the lead has no clock of its own while its case runs.
    pub decide: Limit,
    /// 延期: a leader may extend the decision limit once, by 30 days (市场监管 rules) [C-weak].
    pub decide_extension: Limit,
    /// 公安机关的协助请求 (检验、鉴定、认定, 涉案物品保管、销毁): due this long after the request
    /// unless the request names a day [U].
    pub police_request: Limit,
    /// 双向咨询: the other side answers a consultation within this limit [U].
    pub consultation_answer: Limit,
    /// 复议 or 立案监督: asked within 3 days of the police's refusal (国务院令第310号 Art. 9) [C].
    pub challenge: Limit,
    /// 复议: the police decide on it within 3 days [U].
    pub reconsider_decide: Limit,
    /// 移交涉案物品: within 3 days of the police's 立案 notice (Art. 10) [C].
    pub handover: Limit,
}

impl Default for CaseRules {
    fn default() -> Self {
        CaseRules {
            decide: Limit::days(90),
            decide_extension: Limit::days(30),
            police_request: Limit::working_days(10),
            consultation_answer: Limit::working_days(3),
            challenge: Limit::days(3),
            reconsider_decide: Limit::days(3),
            handover: Limit::days(3),
        }
    }
}

impl CaseRules {
    /// Checks the rules at start, with a message naming the key.
    pub fn validate(&self) -> Result<(), String> {
        for (key, limit) in [
            ("cases.decide", self.decide),
            ("cases.decide_extension", self.decide_extension),
            ("cases.police_request", self.police_request),
            ("cases.consultation_answer", self.consultation_answer),
            ("cases.challenge", self.challenge),
            ("cases.reconsider_decide", self.reconsider_decide),
            ("cases.handover", self.handover),
        ] {
            if limit.amount == 0 {
                return Err(format!("{key} 须大于 0"));
            }
        }
        Ok(())
    }
}
