//! The page frame every signed-in page shares: who is signed in, the CSRF token for forms,
//! and the navigation, with areas that later releases fill shown as "即将上线".

use meijian_domain::role::Permission;

use crate::session::CurrentUser;

/// One entry of the side navigation. `href` is `None` for an area not built yet.
pub struct NavItem {
    pub label: &'static str,
    pub href: Option<&'static str>,
    pub active: bool,
}

/// The data of `base.html`.
pub struct Chrome {
    pub user_name: String,
    pub department_name: String,
    pub role_label: &'static str,
    pub csrf: String,
    pub nav: Vec<NavItem>,
}

impl Chrome {
    /// The frame for `user`, with the entry at `active` (a path) highlighted.
    pub fn new(user: &CurrentUser, active: &str) -> Chrome {
        let scope = &user.scope;
        // A role sees the areas it may use, and the areas no role can use yet (即将上线); never
        // a built area it may not open.
        let mut entries: Vec<Entry> = vec![
            ("工作台", Some("/")),
            ("检查", None),
            ("案件", None),
            ("统计报表", None),
            ("公开查询", None),
        ];
        if scope.can(Permission::ViewRegistries) {
            insert_after(&mut entries, "工作台", ("登记数据", Some("/registries")));
            insert_after(&mut entries, "登记数据", ("证照比对", Some("/reconcile")));
            insert_after(&mut entries, "证照比对", ("主体库", Some("/operators")));
        } else if scope.operator_id.is_some() {
            insert_after(
                &mut entries,
                "工作台",
                ("本机构档案", Some("/operators/mine")),
            );
        }
        if scope.can(Permission::HandleLeads) {
            let before_inspections = entries.iter().position(|e| e.0 == "检查").unwrap_or(1);
            entries.splice(
                before_inspections..before_inspections,
                [
                    ("投诉举报", Some("/leads/new")),
                    ("线索台账", Some("/leads")),
                    ("移送", Some("/referrals")),
                ],
            );
        }
        if scope.can(Permission::ApproveRewards) {
            insert_after(&mut entries, "移送", ("举报奖励", Some("/rewards")));
        }
        // Cases: the departments that handle them and those who watch them; an institution's
        // account sees none.
        let cases = scope.operator_id.is_none()
            && (scope.can(Permission::HandleLeads) || scope.can(Permission::ViewStatistics));
        match entries.iter().position(|e| e.0 == "案件") {
            Some(at) if cases => entries[at].1 = Some("/cases"),
            Some(at) => {
                entries.remove(at);
            }
            None => {}
        }
        if scope.can(Permission::HandleLeads) || scope.can(Permission::ViewStatistics) {
            let entry = ("投诉举报汇总", Some("/leads/summary"));
            match entries.iter().position(|e| e.0 == "统计报表") {
                Some(at) => entries.insert(at, entry),
                None => entries.push(entry),
            }
        }
        if scope.can(Permission::ViewDirectory) {
            entries.push(("部门通讯录", Some("/departments")));
        }
        if scope.can(Permission::ViewAuditLog) {
            entries.push(("审计日志", Some("/audit")));
        }
        if scope.can(Permission::ManageAccounts) {
            entries.push(("系统管理", Some("/admin")));
        }
        let nav = entries
            .into_iter()
            .map(|(label, href)| NavItem {
                label,
                href,
                active: href == Some(active),
            })
            .collect();
        Chrome {
            user_name: user.principal.account.display_name.clone(),
            department_name: user.principal.department.name.clone(),
            role_label: user.scope.role.label_zh(),
            csrf: user.csrf_token.clone(),
            nav,
        }
    }
}

type Entry = (&'static str, Option<&'static str>);

/// Inserts `entry` after the entry `label`, or at the end.
fn insert_after(entries: &mut Vec<Entry>, label: &str, entry: Entry) {
    match entries.iter().position(|e| e.0 == label) {
        Some(at) => entries.insert(at + 1, entry),
        None => entries.push(entry),
    }
}

/// Who did it, for people: a signed-in user's name as stored, the system's own actors in
/// words (演示数据, the public, the command line).
pub fn actor_label(actor: &str) -> String {
    match actor {
        "demo" => "演示数据".to_string(),
        "anonymous" => "公众（未登录）".to_string(),
        "system" => "系统".to_string(),
        other => match other.strip_prefix("cli:") {
            Some(user) => format!("命令行（{user}）"),
            None => other.to_string(),
        },
    }
}

/// Chinese name of an audited record type.
pub fn entity_label(entity: &str) -> &'static str {
    match entity {
        "account" => "用户",
        "department" => "部门",
        "calendar_override" => "工作日历",
        "duty_rule" => "职责分工",
        "import_run" => "数据导入",
        "lead" => "线索",
        "lead_referral" => "线索移送",
        "reconcile_decision" => "比对认定",
        "reconcile_run" => "证照比对",
        "operator" => "经营主体",
        "reward" => "举报奖励",
        "enforcement_case" => "案件",
        "legal_basis" => "法律依据",
        _ => "记录",
    }
}

/// Chinese label of an audit action code.
pub fn action_label(action: &str) -> &str {
    match action {
        "account.login" => "登录",
        "account.logout" => "退出登录",
        "account.login_failed" => "登录失败",
        "account.locked" => "账户锁定",
        "account.login_refused" => "拒绝登录（账户已停用）",
        "account.create" => "新增用户",
        "account.bind_operator" => "绑定机构",
        "operator.merge" => "合并主体",
        "operator.split" => "拆分主体",
        "operator.provisional" => "登记临时主体",
        "account.disable" => "停用账户",
        "account.enable" => "启用账户",
        "account.unlock" => "解除锁定",
        "account.set_password" => "重置密码",
        "department.create" => "新增部门",
        "registry.import" => "导入登记数据",
        "reconcile.run" => "运行证照比对",
        "reconcile.decide" => "比对复核决定",
        "reconcile.revoke" => "撤销比对决定",
        "calendar_override.set" => "调整工作日历",
        "calendar_override.remove" => "删除工作日历调整",
        "duty_rule.set" => "设置职责分工",
        "duty_rule.reset" => "恢复默认职责分工",
        "complaint.receive" => "收到投诉举报",
        "lead.record" => "登记线索",
        "lead.accept" => "受理线索",
        "lead.decline" => "不予受理",
        "lead.verify" => "核查线索",
        "lead.conclude" => "办结线索",
        "case.open" => "立案",
        "case.investigate" => "案件调查取证",
        "case.notify" => "案件告知",
        "case.decide" => "作出处罚决定",
        "case.execute" => "案件执行",
        "case.close" => "结案",
        "case.withdraw" => "撤销案件",
        "case.supervise" => "督办案件",
        "case.extend" => "申请案件延期",
        "case.extension" => "审批案件延期",
        "case.party_add" => "添加当事人",
        "case.party_remove" => "删除当事人",
        "case.severity" => "裁量情形",
        "case.action_add" => "添加处罚",
        "case.action_remove" => "删除处罚",
        "case.evidence" => "添加证据",
        "case.basis" => "修改法律依据",
        "case.share" => "联合办案授权",
        "case.unshare" => "取消联合办案授权",
        "case.meeting" => "重大案件会商",
        "legal_basis.add" => "新增法律依据",
        "legal_basis.retire" => "停用法律依据",
        "case.import_cases" => "导入历史案件",
        "case.import_penalties" => "导入历史处罚决定",
        "operator.disposal" => "记录处置",
        "operator.disposal_files" => "补充处置证据",
        "operator.close" => "销号",
        "operator.reopen" => "恢复（撤销销号）",
        "lead.reply" => "答复举报人",
        "lead.satisfaction" => "记录满意度",
        "lead.supervise" => "督办线索",
        "lead.extension_request" => "申请延期",
        "lead.extension_grant" => "批准延期",
        "lead.extension_refuse" => "不批准延期",
        "lead.link_operator" => "关联主体",
        "referral.send" => "移送线索",
        "referral.police" => "提请移送公安",
        "referral.police_approved" => "批准移送公安",
        "referral.police_withdrawn" => "不批准移送公安",
        "referral.acknowledged" => "签收移送",
        "referral.accepted" => "接收移送",
        "referral.returned" => "退回移送",
        "referral.filed" => "公安立案",
        "referral.refused" => "公安不予立案",
        "referral.reconsider" => "申请复议",
        "reward.propose" => "申请举报奖励",
        "reward.approved" => "批准举报奖励",
        "reward.rejected" => "不批准举报奖励",
        "reward.paid" => "发放举报奖励",
        // 行刑衔接 steps are named by the case history's own labels.
        other => other
            .strip_prefix("case.transfer.")
            .and_then(meijian_domain::case::CaseAction::from_code)
            .map_or(other, |a| a.label_zh()),
    }
}
