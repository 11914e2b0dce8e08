//! The demo city: 枣庄市 (370400, the city of seed `001`) with three districts, a department
//! of every kind at the city, the main enforcement departments in each district, and one
//! account per role (plus a second district officer, to show that districts do not see each
//! other). Passwords are random and returned for printing.

use meijian_domain::department::DepartmentKind;
use meijian_domain::region::RegionCode;
use meijian_domain::role::Role;
use time::OffsetDateTime;

use crate::accounts::departments::{self, NewDepartment};
use crate::accounts::password;
use crate::accounts::{self, LoginPolicy, NewAccount};
use crate::{Actor, Scope, Store, StoreError};

/// The demo city and its districts.
pub const CITY: &str = "370400";
/// 市中区, 薛城区, 峄城区.
pub const DISTRICTS: [&str; 3] = ["370402", "370403", "370404"];

/// Department kinds set up in every district.
const DISTRICT_KINDS: [DepartmentKind; 6] = [
    DepartmentKind::Health,
    DepartmentKind::HealthSupervision,
    DepartmentKind::MarketRegulation,
    DepartmentKind::Police,
    DepartmentKind::Commerce,
    DepartmentKind::Tax,
];

/// One demo account as printed on start.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: String,
    pub password: String,
    pub role: Role,
    pub department: String,
    pub id: String,
}

/// (username, name, role, department kind, region)
const ACCOUNTS: [(&str, &str, Role, DepartmentKind, &str); 8] = [
    (
        "admin",
        "王管理",
        Role::Administrator,
        DepartmentKind::Health,
        CITY,
    ),
    (
        "leader",
        "李主任",
        Role::Leader,
        DepartmentKind::Health,
        CITY,
    ),
    (
        "officer",
        "张执法",
        Role::Officer,
        DepartmentKind::HealthSupervision,
        "370402",
    ),
    (
        "officer2",
        "赵执法",
        Role::Officer,
        DepartmentKind::MarketRegulation,
        "370403",
    ),
    (
        "police",
        "孙警官",
        Role::Officer,
        DepartmentKind::Police,
        "370402",
    ),
    (
        "liaison",
        "刘联络",
        Role::Liaison,
        DepartmentKind::Health,
        "370402",
    ),
    (
        "analyst",
        "陈分析",
        Role::Analyst,
        DepartmentKind::MarketRegulation,
        CITY,
    ),
    (
        "institution",
        "孙机构",
        Role::Institution,
        DepartmentKind::Health,
        "370404",
    ),
];

fn code(s: &str) -> Result<RegionCode, StoreError> {
    RegionCode::parse(s).map_err(|e| StoreError::Other(e.to_string()))
}

/// Fills an empty, migrated database with the demo city. One transaction: all or nothing.
#[tracing::instrument(skip_all)]
pub async fn seed(store: &Store, now: OffsetDateTime) -> Result<Vec<DemoAccount>, StoreError> {
    let scope = Scope::system(Actor::system("demo"));
    let policy = LoginPolicy::default();
    let mut tx = store.begin().await?;
    let mut ids = std::collections::HashMap::new();
    for kind in DepartmentKind::all() {
        let d = departments::create(
            &mut tx,
            &scope,
            now,
            NewDepartment {
                kind: *kind,
                region: code(CITY)?,
                name: None,
            },
        )
        .await?;
        ids.insert((*kind, CITY), (d.id, d.name));
    }
    for district in DISTRICTS {
        for kind in DISTRICT_KINDS {
            let d = departments::create(
                &mut tx,
                &scope,
                now,
                NewDepartment {
                    kind,
                    region: code(district)?,
                    name: None,
                },
            )
            .await?;
            ids.insert((kind, district), (d.id, d.name));
        }
    }
    let mut out = Vec::new();
    for (username, name, role, kind, region) in ACCOUNTS {
        let (dept_id, dept_name) = ids.get(&(kind, region)).cloned().ok_or_else(|| {
            StoreError::Other(format!("demo department {kind:?}@{region} missing"))
        })?;
        let pw = password::generate();
        let v = accounts::create(
            &mut tx,
            &scope,
            now,
            &policy,
            NewAccount {
                username: username.to_string(),
                display_name: name.to_string(),
                role,
                department_id: dept_id,
                password: pw.clone(),
            },
        )
        .await?;
        out.push(DemoAccount {
            username: username.to_string(),
            password: pw,
            role,
            department: dept_name,
            id: v.id,
        });
    }
    tx.commit().await?;
    Ok(out)
}

/// Binds the demo institution account to a licensed operator (有证有照) of its district, once
/// the demo's cross-check has filled the 主体库; returns the operator's name.
#[tracing::instrument(skip_all)]
pub async fn bind_institution(
    store: &Store,
    now: OffsetDateTime,
) -> Result<Option<String>, StoreError> {
    let scope = Scope::system(Actor::system("demo"));
    let account = crate::accounts::find_by_username(store, &scope, "institution").await?;
    let operator: Option<(String, String)> = crate::sql::Query::new(
        "select id, name from operator where class = 'both' and status = 'active' \
         and region_code = ",
    )
    .bind(&account.region_code)
    .push(" order by name, id limit 1")
    .fetch_optional(store.pool())
    .await?;
    let Some((id, name)) = operator else {
        return Ok(None);
    };
    crate::accounts::bind_operator(store, &scope, now, &account.id, Some(&id)).await?;
    Ok(Some(name))
}
