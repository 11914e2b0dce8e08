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
        let mut entries: Vec<(&'static str, Option<&'static str>)> = vec![
            ("工作台", Some("/")),
            ("登记数据", Some("/registries")),
            ("投诉举报", None),
            ("线索台账", None),
            ("检查", None),
            ("案件", None),
            ("统计报表", None),
            ("公开查询", None),
        ];
        if scope.can(Permission::ViewRegistries) {
            entries.insert(2, ("证照比对", Some("/reconcile")));
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
            role_label: user.principal.role().label_zh(),
            csrf: user.csrf_token.clone(),
            nav,
        }
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
        "account.disable" => "停用账户",
        "account.enable" => "启用账户",
        "account.unlock" => "解除锁定",
        "account.set_password" => "重置密码",
        "department.create" => "新增部门",
        other => other,
    }
}
