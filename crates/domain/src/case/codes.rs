//! The coded values of a case. Labels are those of `DATA.md` §Enforcement history, so a file's
//! cell and a form's choice read the same way.

use serde::{Deserialize, Serialize};

coded! {
    /// 案件来源.
    CaseOrigin {
        Complaint = "complaint", "投诉举报";
        Inspection = "inspection", "监督检查";
        RandomInspection = "random_inspection", "双随机抽查";
        Monitoring = "monitoring", "网络监测";
        /// 部门移送: a referral from another department (or a police or court notice).
        Referral = "referral", "部门移送";
        Other = "other", "其他";
    }
}

coded! {
    /// 案件状态. The order is the order of the work; 撤销 ends a case opened by mistake, which
    /// then counts nowhere.
    Stage {
        Filed = "filed", "立案";
        Investigating = "investigating", "调查取证";
        /// 告知: the party is told the intended penalty and may state a defence (陈述申辩) or ask
        /// for a hearing (听证).
        Notified = "notified", "告知";
        Decided = "decided", "决定";
        Executing = "executing", "执行";
        Closed = "closed", "结案";
        Withdrawn = "withdrawn", "撤销";
    }
}

impl Stage {
    /// Still being worked: the decision limit runs until 决定.
    pub fn before_decision(self) -> bool {
        matches!(self, Stage::Filed | Stage::Investigating | Stage::Notified)
    }

    /// Neither closed nor withdrawn.
    pub fn is_open(self) -> bool {
        !matches!(self, Stage::Closed | Stage::Withdrawn)
    }

    /// A penalty decision exists (决定, 执行 or 结案 after one).
    pub fn decided(self) -> bool {
        matches!(self, Stage::Decided | Stage::Executing | Stage::Closed)
    }
}

coded! {
    /// 当事人类型.
    PartyKind {
        Organisation = "organisation", "单位";
        Person = "person", "个人";
    }
}

coded! {
    /// 裁量: where in the range of the rule the penalty lies, with a reason.
    Severity {
        Lenient = "lenient", "从轻";
        Ordinary = "ordinary", "一般";
        Severe = "severe", "从重";
    }
}

coded! {
    /// 处罚种类, one per action; an action is against one party of a case. The 汇总表 counts
    /// them by kind (`DATA.md` §The 汇总表).
    PenaltyKind {
        Correct = "correct", "责令改正";
        Warning = "warning", "警告";
        Criticism = "criticism", "通报批评";
        Fine = "fine", "罚款";
        ConfiscateIncome = "confiscate_income", "没收违法所得";
        ConfiscateProperty = "confiscate_property", "没收非法财物";
        Suspend = "suspend", "责令停业整顿";
        SuspendLicence = "suspend_licence", "暂扣许可证件";
        Revoke = "revoke", "吊销许可证件";
        /// 行业禁入 (限制从业): against persons, for a number of years.
        Ban = "ban", "行业禁入";
        /// 移送司法机关: not a penalty but the disposal of a criminal act (`DOMAIN.md` §8.1).
        Judicial = "judicial", "移送司法机关";
    }
}

impl PenaltyKind {
    /// 罚款 and 没收违法所得 carry an amount; no other kind does.
    pub fn has_amount(self) -> bool {
        matches!(self, PenaltyKind::Fine | PenaltyKind::ConfiscateIncome)
    }

    /// An administrative penalty of 行政处罚法 Art. 9. 责令改正 is a corrective order and 移送司法机关
    /// a transfer, so neither makes a case "penalised" (实施行政处罚).
    pub fn is_penalty(self) -> bool {
        !matches!(self, PenaltyKind::Correct | PenaltyKind::Judicial)
    }

    /// Stops the business or takes its licence: what the reward rules call 责令停产停业、责令关闭
    /// 或者吊销许可证件.
    pub fn stops_business(self) -> bool {
        matches!(
            self,
            PenaltyKind::Suspend | PenaltyKind::SuspendLicence | PenaltyKind::Revoke
        )
    }
}

coded! {
    /// Where a case was entered: by officers here, or from a history file.
    CaseSource {
        Officer = "officer", "本系统立案";
        History = "history", "历史数据导入";
    }
}

coded! {
    /// 办案记录的步骤: the action of a history event (`case_event.action`).
    CaseAction {
        Opened = "opened", "立案";
        Migrated = "migrated", "由线索办结结果迁移";
        Imported = "imported", "导入历史案件";
        ImportChanged = "import_changed", "导入更新";
        Investigating = "investigating", "开始调查取证";
        Notified = "notified", "告知当事人";
        Decided = "decided", "作出处罚决定";
        Executing = "executing", "开始执行";
        Closed = "closed", "结案";
        Withdrawn = "withdrawn", "撤销案件";
        PartyAdded = "party_added", "添加当事人";
        PartyRemoved = "party_removed", "删除当事人";
        ActionAdded = "action_added", "添加处罚";
        ActionRemoved = "action_removed", "删除处罚";
        SeverityChanged = "severity_changed", "裁量情形";
        EvidenceAdded = "evidence_added", "添加证据";
        BasisChanged = "basis_changed", "修改法律依据";
        LeadLinked = "lead_linked", "关联线索";
        Shared = "shared", "联合办案授权";
        Unshared = "unshared", "取消联合办案授权";
        Meeting = "meeting", "重大案件会商";
        Supervised = "supervised", "督办";
        ExtensionRequested = "extension_requested", "申请延期";
        ExtensionGranted = "extension_granted", "批准延期";
        ExtensionRefused = "extension_refused", "不批准延期";
        TransferProposed = "transfer_proposed", "提请涉嫌犯罪移送";
        TransferApproved = "transfer_approved", "批准移送公安机关";
        TransferRefused = "transfer_refused", "不批准移送";
        TransferSent = "transfer_sent", "移送公安机关";
        TransferReceived = "transfer_received", "公安机关回执";
        PoliceFiled = "police_filed", "公安机关立案";
        PoliceRefused = "police_refused", "公安机关不予立案";
        PoliceTaskAdded = "police_task_added", "公安机关协助请求";
        PoliceTaskDone = "police_task_done", "完成协助请求";
        TransferOutcome = "transfer_outcome", "刑事处理结果";
        ConsultationAsked = "consultation_asked", "行刑衔接咨询";
        ConsultationAnswered = "consultation_answered", "咨询答复";
        TransferReconsider = "transfer_reconsider", "提请公安机关复议";
        TransferSupervise = "transfer_supervise", "提请立案监督";
        TransferHandover = "transfer_handover", "移交涉案物品";
    }
}
