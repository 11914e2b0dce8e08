//! The coded values of a lead. Each enum has `ALL`, a stored `code()`, a Chinese `label_zh()`
//! and `from_code()`.

use serde::{Deserialize, Serialize};

coded! {
    /// 违法类别: the seven columns of the seed 汇总表 (`001`), plus price and tax matters (`002` 四).
    Category {
        /// 无证行医: medical aesthetics without a license (incl. 生活美容 shops, hotels, flats).
        UnlicensedPractice = "unlicensed_practice", "无证行医";
        /// 医疗机构: violations by a licensed institution (超范围, 非卫技人员, 主诊医师 …).
        MedicalInstitution = "medical_institution", "医疗机构";
        Drug = "drug", "药品";
        Device = "device", "医疗器械";
        /// 违规医疗美容培训.
        Training = "training", "违规医疗美容培训";
        /// 违法发布医疗美容广告.
        Advertising = "advertising", "违法发布医疗美容广告";
        /// 违规发布互联网信息.
        InternetInfo = "internet_info", "违规发布互联网信息";
        /// 价格违法: 明码标价, 价格欺诈 (`002` (31)–(33)).
        Price = "price", "价格违法";
        /// 涉税违法: 不开发票, 少计收入 (`002` (34)).
        Tax = "tax", "涉税违法";
        /// 其他: what fits no column of the 汇总表.
        Other = "other", "其他";
    }
}

impl Category {
    /// The category a file or form names: its label, or the short names of the enforcement
    /// history files (`DATA.md`: 价格, 税收).
    pub fn from_name(name: &str) -> Option<Category> {
        match name.trim() {
            "价格" => Some(Category::Price),
            "税收" => Some(Category::Tax),
            other => Category::from_label_zh(other),
        }
    }
}

coded! {
    /// 投诉 or 举报: a complaint seeks redress for the complainant (accept within 7 working days);
    /// a report tells of a violation (verify within 15 working days). `DOMAIN.md` §13.1.
    LeadKind {
        Complaint = "complaint", "投诉";
        Report = "report", "举报";
        /// A lead from the departments' own work: inspection, monitoring, an officer.
        Clue = "clue", "线索";
    }
}

coded! {
    /// 受理渠道: how a complaint reached us.
    Channel {
        Online = "online", "网上投诉举报";
        Phone = "phone", "电话";
        Letter = "letter", "信件";
        Hotline12345 = "hotline_12345", "12345转办";
        Hotline12315 = "hotline_12315", "12315转办";
        WalkIn = "walk_in", "来访";
    }
}

coded! {
    /// 线索来源: where a lead came from.
    Source {
        Complaint = "complaint", "投诉举报";
        Inspection = "inspection", "检查发现";
        Monitoring = "monitoring", "监测发现";
        Officer = "officer", "执法人员发现";
        /// 公安机关、人民法院告知: a notice from the police or a court, while handling another
        /// matter, of an administrative violation (行刑衔接, the way back).
        JudicialNotice = "judicial_notice", "公安、法院告知";
    }
}

coded! {
    /// 办理状态. The order is the order of the work.
    LeadState {
        /// 待受理: received, not yet accepted.
        Received = "received", "待受理";
        /// 已受理: accepted, being verified.
        Accepted = "accepted", "核查中";
        /// 不予受理: declined, with a reason; ends the lead.
        Declined = "declined", "不予受理";
        /// 已核查: verified, with a finding.
        Verified = "verified", "已核查";
        /// 已办结: concluded, with an outcome.
        Concluded = "concluded", "已办结";
    }
}

coded! {
    /// 核查结论.
    Finding {
        Substantiated = "substantiated", "属实";
        Partly = "partly", "部分属实";
        Unfounded = "unfounded", "不属实";
    }
}

coded! {
    /// 办理结果 of a concluded lead.
    Outcome {
        /// 实施行政处罚: a penalty decision was made.
        Penalty = "penalty", "实施行政处罚";
        /// 责令改正: corrected without a penalty.
        Corrected = "corrected", "责令改正";
        /// 调解: a complaint settled by mediation.
        Mediated = "mediated", "调解";
        /// 移送司法机关: referred as a suspected crime.
        Criminal = "criminal", "移送司法机关";
        /// 无违法事实.
        NoViolation = "no_violation", "未发现违法";
    }
}

coded! {
    /// 举报人满意度, recorded after the reply.
    Satisfaction {
        Satisfied = "satisfied", "满意";
        Basic = "basic", "基本满意";
        Dissatisfied = "dissatisfied", "不满意";
    }
}

coded! {
    /// 移送的种类. A suspected crime goes to the police as a step of its case
    /// (`crate::case::transfer`); migration `…056` moved the old lead-level ones there.
    ReferralKind {
        Department = "department", "部门移送";
    }
}

coded! {
    /// 移送状态.
    ReferralState {
        Sent = "sent", "待签收";
        Acknowledged = "acknowledged", "已签收";
        Accepted = "accepted", "已接收办理";
        Returned = "returned", "已退回";
    }
}

coded! {
    /// 举报奖励状态.
    RewardState {
        Proposed = "proposed", "待审批";
        Approved = "approved", "已批准，待发放";
        Rejected = "rejected", "未批准";
        Paid = "paid", "已发放";
    }
}

coded! {
    /// 延期申请状态.
    ExtensionState {
        Requested = "requested", "待审批";
        Granted = "granted", "已批准";
        Refused = "refused", "未批准";
    }
}

coded! {
    /// 办理记录的步骤: the action of a history event (`lead_event.action`).
    LeadAction {
        Received = "received", "收到投诉举报";
        Recorded = "recorded", "登记线索";
        Accepted = "accepted", "受理";
        Declined = "declined", "不予受理";
        Verified = "verified", "核查";
        Concluded = "concluded", "办结";
        Replied = "replied", "答复";
        Satisfaction = "satisfaction", "满意度回访";
        Supervised = "supervised", "督办";
        ExtensionRequested = "extension_requested", "申请延期";
        ExtensionGranted = "extension_granted", "批准延期";
        ExtensionRefused = "extension_refused", "不批准延期";
        Linked = "linked", "关联主体";
        Grouped = "grouped", "合并办理";
        Referred = "referred", "移送";
        ReferralAcknowledged = "referral_acknowledged", "签收移送";
        ReferralAccepted = "referral_accepted", "接收移送";
        ReferralReturned = "referral_returned", "退回移送";
        PoliceFiled = "police_filed", "公安立案";
        PoliceRefused = "police_refused", "公安不予立案";
        PoliceApproved = "police_approved", "批准移送公安";
        PoliceWithdrawn = "police_withdrawn", "不批准移送公安";
        PoliceReconsider = "police_reconsider", "申请复议";
        Reward = "reward", "举报奖励";
        /// 立案: the lead became a case (its clock is then the case's).
        CaseOpened = "case_opened", "立案";
    }
}

coded! {
    /// 待办步骤: the step a lead waits for (`lead.next_step`), whose deadline is `next_due`.
    NextStep {
        Accept = "accept", "受理";
        Verify = "verify", "核查";
        Conclude = "conclude", "办结";
        Reply = "reply", "答复";
    }
}

impl LeadState {
    /// Whether the work on the lead has ended.
    pub fn is_closed(self) -> bool {
        matches!(self, LeadState::Declined | LeadState::Concluded)
    }
}

impl Satisfaction {
    /// Counts as 举报人满意 in the 汇总表.
    pub fn counts_as_satisfied(self) -> bool {
        matches!(self, Satisfaction::Satisfied | Satisfaction::Basic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn check<T: Copy + std::fmt::Debug + PartialEq>(
        all: &[T],
        code: fn(T) -> &'static str,
        from: fn(&str) -> Option<T>,
    ) {
        let mut seen = HashSet::new();
        for v in all {
            assert!(seen.insert(code(*v)), "duplicate code {:?}", v);
            assert_eq!(from(code(*v)), Some(*v));
        }
        assert_eq!(from("nonsense"), None);
    }

    #[test]
    fn codes_round_trip_and_are_unique() {
        check(Category::ALL, Category::code, Category::from_code);
        check(LeadKind::ALL, LeadKind::code, LeadKind::from_code);
        check(Channel::ALL, Channel::code, Channel::from_code);
        check(Source::ALL, Source::code, Source::from_code);
        check(LeadState::ALL, LeadState::code, LeadState::from_code);
        check(Finding::ALL, Finding::code, Finding::from_code);
        check(Outcome::ALL, Outcome::code, Outcome::from_code);
        check(
            ReferralKind::ALL,
            ReferralKind::code,
            ReferralKind::from_code,
        );
        check(
            ReferralState::ALL,
            ReferralState::code,
            ReferralState::from_code,
        );
        check(RewardState::ALL, RewardState::code, RewardState::from_code);
        check(
            ExtensionState::ALL,
            ExtensionState::code,
            ExtensionState::from_code,
        );
        check(NextStep::ALL, NextStep::code, NextStep::from_code);
        check(LeadAction::ALL, LeadAction::code, LeadAction::from_code);
        check(
            Satisfaction::ALL,
            Satisfaction::code,
            Satisfaction::from_code,
        );
    }

    /// The 汇总表 has seven categories; price and tax come from `002`.
    #[test]
    fn ten_categories_in_the_order_of_the_summary_table() {
        let labels: Vec<&str> = Category::ALL.iter().map(|c| c.label_zh()).collect();
        assert_eq!(
            labels,
            [
                "无证行医",
                "医疗机构",
                "药品",
                "医疗器械",
                "违规医疗美容培训",
                "违法发布医疗美容广告",
                "违规发布互联网信息",
                "价格违法",
                "涉税违法",
                "其他"
            ]
        );
    }
}
