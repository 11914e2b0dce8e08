//! The permission matrix, as a table test, and the codes of roles and permissions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use serde::de::{value::Error as DeError, IntoDeserializer};
use std::collections::HashSet;

/// Columns: administrator, leader, officer, liaison, analyst, institution.
const COLUMNS: [Role; 6] = [
    Role::Administrator,
    Role::Leader,
    Role::Officer,
    Role::Liaison,
    Role::Analyst,
    Role::Institution,
];

/// The policy of the brief, written out: `x` granted, `.` refused.
const MATRIX: [(Permission, &str); 14] = [
    (Permission::ViewDashboard, "xxxxx."),
    (Permission::ViewDirectory, "xxxxx."),
    (Permission::ManageAccounts, "x....."),
    (Permission::ViewAuditLog, "xx...."),
    (Permission::ViewRegistries, "xxxxx."),
    (Permission::ImportRegistries, "x.x..."),
    (Permission::Reconcile, "x.x..."),
    (Permission::ManageSettings, "x....."),
    (Permission::HandleLeads, ".xx..."),
    (Permission::SuperviseDeadlines, ".x...."),
    (Permission::ApproveRewards, ".x...."),
    (Permission::FileReports, ".x.x.."),
    (Permission::ViewStatistics, "xx.xx."),
    (Permission::SelfInspect, ".....x"),
];

#[test]
fn permission_matrix() {
    let covered: HashSet<Permission> = MATRIX.iter().map(|(p, _)| *p).collect();
    assert_eq!(covered.len(), Permission::ALL.len());
    for (permission, row) in MATRIX {
        for (role, cell) in COLUMNS.into_iter().zip(row.chars()) {
            assert_eq!(role.can(permission), cell == 'x', "{role} {permission}");
        }
    }
}

/// The table in the module documentation says the same as `Role::can`.
#[test]
fn module_doc_table_matches_the_policy() {
    let source = include_str!("../role.rs");
    let mut rows = 0;
    for line in source.lines().filter(|l| l.starts_with("//! | `")) {
        let cells: Vec<&str> = line.trim_start_matches("//!").split('|').collect();
        let code = cells[1].trim().split('`').nth(1).unwrap();
        let permission = Permission::from_code(code).unwrap();
        let granted: Vec<bool> = cells[2..8].iter().map(|c| c.trim() == "✓").collect();
        let expected: Vec<bool> = COLUMNS.iter().map(|r| r.can(permission)).collect();
        assert_eq!(granted, expected, "{code}");
        rows += 1;
    }
    assert_eq!(rows, Permission::ALL.len());
}

#[test]
fn only_institutions_self_inspect_and_they_do_nothing_else() {
    for permission in Permission::ALL {
        assert_eq!(
            Role::Institution.can(permission),
            permission == Permission::SelfInspect
        );
    }
}

#[test]
fn role_codes_and_labels() {
    let pinned = [
        (Role::Administrator, "administrator", "系统管理员"),
        (Role::Leader, "leader", "领导"),
        (Role::Officer, "officer", "执法人员"),
        (Role::Liaison, "liaison", "联络员"),
        (Role::Analyst, "analyst", "分析员"),
        (Role::Institution, "institution", "医疗机构"),
    ];
    assert_eq!(pinned.len(), Role::all().len());
    for ((role, code, label), listed) in pinned.into_iter().zip(Role::ALL) {
        assert_eq!(role, listed);
        assert_eq!(role.code(), code);
        assert_eq!(role.label_zh(), label);
        assert_eq!(Role::from_code(code), Some(role));
        let de: Result<Role, DeError> = Role::deserialize(code.into_deserializer());
        assert_eq!(de.unwrap(), role);
    }
    assert_eq!(Role::from_code("admin"), None);
    let bad: Result<Role, DeError> = Role::deserialize("root".into_deserializer());
    assert!(bad
        .unwrap_err()
        .to_string()
        .contains("未知的角色代码“root”"));
}

#[test]
fn permission_codes_round_trip_and_are_unique() {
    let mut codes = HashSet::new();
    for permission in Permission::ALL {
        assert!(codes.insert(permission.code()));
        assert_eq!(Permission::from_code(permission.code()), Some(permission));
        assert_eq!(permission.to_string(), permission.code());
        let de: Result<Permission, DeError> =
            Permission::deserialize(permission.code().into_deserializer());
        assert_eq!(de.unwrap(), permission);
    }
    assert_eq!(Permission::from_code("view_everything"), None);
}
