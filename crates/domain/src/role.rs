//! 角色与权限: the roles a user account can hold and what each may do.
//!
//! [`Role::can`] is the whole policy, one `match`; nothing else grants a permission. What a
//! permission reaches is further limited by the user's jurisdiction and department, which this
//! module does not know about. Codes are stored in the database: never change one.
//!
//! | permission | administrator | leader | officer | liaison | analyst | institution |
//! |---|:-:|:-:|:-:|:-:|:-:|:-:|
//! | `view_dashboard` | ✓ | ✓ | ✓ | ✓ | ✓ | |
//! | `view_directory` (departments and colleagues in the jurisdiction) | ✓ | ✓ | ✓ | ✓ | ✓ | |
//! | `manage_accounts` (users and departments in the jurisdiction) | ✓ | | | | | |
//! | `view_audit_log` | ✓ | ✓ | | | | |
//! | `view_registries` | ✓ | ✓ | ✓ | ✓ | ✓ | |
//! | `import_registries` | ✓ | | ✓ | | | |
//! | `reconcile` (run the 证照比对, confirm, split and merge its links) | ✓ | | ✓ | | | |
//! | `manage_settings` (duty matrix, working-day calendar, reward rules) | ✓ | | | | | |
//! | `handle_leads` (complaints, leads, cases) | | ✓ | ✓ | | | |
//! | `supervise_deadlines` (督办) | | ✓ | | | | |
//! | `approve_rewards` (举报奖励) | | ✓ | | | | |
//! | `file_reports` (monthly 汇总表) | | ✓ | | ✓ | | |
//! | `view_statistics` | ✓ | ✓ | | ✓ | ✓ | |
//! | `self_inspect` (依法执业自查) | | | | | | ✓ |

use std::fmt;

use serde::{Deserialize, Serialize};

/// 角色: role of a user account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Role {
    /// 系统管理员: users, departments, jurisdictions, settings.
    Administrator,
    /// 领导: leader or task-force convenor (召集人); sees and approves.
    Leader,
    /// 执法人员: enforcement officer.
    Officer,
    /// 联络员: liaison who files the periodic reports.
    Liaison,
    /// 分析员: analyst, read-only statistics.
    Analyst,
    /// 医疗机构: account of a medical-aesthetics institution.
    Institution,
}

/// What a role may do. See the table in the module documentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Permission {
    ViewDashboard,
    /// See departments and colleagues in one's jurisdiction.
    ViewDirectory,
    /// Manage users and departments in one's jurisdiction.
    ManageAccounts,
    ViewAuditLog,
    ViewRegistries,
    ImportRegistries,
    /// Run the 证照比对 and confirm, split or merge its links.
    Reconcile,
    /// Edit the jurisdiction's settings: the duty matrix (职责分工), the working-day calendar,
    /// the reward rules.
    ManageSettings,
    /// Work complaints, leads and cases.
    HandleLeads,
    /// 督办: supervise deadlines of others' work.
    SuperviseDeadlines,
    /// Approve 举报奖励 (rewards to whistle-blowers).
    ApproveRewards,
    /// Fill and submit the monthly 汇总表.
    FileReports,
    ViewStatistics,
    /// An institution's own 依法执业自查 (self-inspection).
    SelfInspect,
}

/// A string that is no role or permission code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("未知的{kind}代码“{code}”")]
pub struct UnknownCode {
    /// 角色 or 权限.
    pub kind: &'static str,
    pub code: String,
}

impl Role {
    /// Every role, in declaration order.
    pub const ALL: [Role; 6] = [
        Role::Administrator,
        Role::Leader,
        Role::Officer,
        Role::Liaison,
        Role::Analyst,
        Role::Institution,
    ];

    /// Every role, in declaration order.
    pub fn all() -> &'static [Role] {
        &Self::ALL
    }

    /// Stable snake_case code, stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Leader => "leader",
            Role::Officer => "officer",
            Role::Liaison => "liaison",
            Role::Analyst => "analyst",
            Role::Institution => "institution",
        }
    }

    /// The role with this code.
    pub fn from_code(code: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|role| role.code() == code)
    }

    /// Chinese name of the role.
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Administrator => "系统管理员",
            Role::Leader => "领导",
            Role::Officer => "执法人员",
            Role::Liaison => "联络员",
            Role::Analyst => "分析员",
            Role::Institution => "医疗机构",
        }
    }

    /// Whether this role holds `permission`: the whole policy.
    pub fn can(self, permission: Permission) -> bool {
        use Permission as P;
        use Role as R;
        match permission {
            P::ViewDashboard | P::ViewDirectory | P::ViewRegistries => self != R::Institution,
            P::ManageAccounts | P::ManageSettings => self == R::Administrator,
            P::ViewAuditLog => matches!(self, R::Administrator | R::Leader),
            P::ImportRegistries | P::Reconcile => matches!(self, R::Administrator | R::Officer),
            P::HandleLeads => matches!(self, R::Officer | R::Leader),
            P::SuperviseDeadlines | P::ApproveRewards => self == R::Leader,
            P::FileReports => matches!(self, R::Liaison | R::Leader),
            P::ViewStatistics => {
                matches!(self, R::Administrator | R::Leader | R::Analyst | R::Liaison)
            }
            P::SelfInspect => self == R::Institution,
        }
    }
}

impl Permission {
    /// Every permission, in declaration order.
    pub const ALL: [Permission; 14] = [
        Permission::ViewDashboard,
        Permission::ViewDirectory,
        Permission::ManageAccounts,
        Permission::ViewAuditLog,
        Permission::ViewRegistries,
        Permission::ImportRegistries,
        Permission::Reconcile,
        Permission::ManageSettings,
        Permission::HandleLeads,
        Permission::SuperviseDeadlines,
        Permission::ApproveRewards,
        Permission::FileReports,
        Permission::ViewStatistics,
        Permission::SelfInspect,
    ];

    /// Stable snake_case code.
    pub fn code(self) -> &'static str {
        match self {
            Permission::ViewDashboard => "view_dashboard",
            Permission::ViewDirectory => "view_directory",
            Permission::ManageAccounts => "manage_accounts",
            Permission::ViewAuditLog => "view_audit_log",
            Permission::ViewRegistries => "view_registries",
            Permission::ImportRegistries => "import_registries",
            Permission::Reconcile => "reconcile",
            Permission::ManageSettings => "manage_settings",
            Permission::HandleLeads => "handle_leads",
            Permission::SuperviseDeadlines => "supervise_deadlines",
            Permission::ApproveRewards => "approve_rewards",
            Permission::FileReports => "file_reports",
            Permission::ViewStatistics => "view_statistics",
            Permission::SelfInspect => "self_inspect",
        }
    }

    /// The permission with this code.
    pub fn from_code(code: &str) -> Option<Permission> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl From<Role> for &'static str {
    fn from(role: Role) -> &'static str {
        role.code()
    }
}

impl From<Permission> for &'static str {
    fn from(permission: Permission) -> &'static str {
        permission.code()
    }
}

impl TryFrom<String> for Role {
    type Error = UnknownCode;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        Role::from_code(&code).ok_or(UnknownCode {
            kind: "角色", code
        })
    }
}

impl TryFrom<String> for Permission {
    type Error = UnknownCode;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        Permission::from_code(&code).ok_or(UnknownCode {
            kind: "权限", code
        })
    }
}

#[cfg(test)]
mod tests;
