//! Departments (部门): a department kind at a region. Everything a user sees is bounded by
//! the region subtree of their department.

use meijian_domain::department::DepartmentKind;
use meijian_domain::region::{RegionCode, RegionTable};
use meijian_domain::role::Permission;
use serde::Serialize;
use time::OffsetDateTime;

use crate::audit::{self, Change};
use crate::stored::At;
use crate::{new_id, timefmt, Scope, Store, StoreError, Tx};

/// A department, decoded from its row (the kind as [`DepartmentKind`], the region code checked).
#[derive(Debug, Clone, Serialize)]
pub struct Department {
    pub id: String,
    pub kind: DepartmentKind,
    /// A valid 6-digit region code.
    pub region_code: String,
    pub name: String,
    #[serde(serialize_with = "crate::timefmt::as_stored::serialize")]
    pub created_at: OffsetDateTime,
}

/// A department row as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct DepartmentRecord {
    id: String,
    kind: String,
    region_code: String,
    name: String,
    created_at: String,
}

impl TryFrom<DepartmentRecord> for Department {
    type Error = StoreError;

    fn try_from(r: DepartmentRecord) -> Result<Department, StoreError> {
        let at = At::new("department", &r.id);
        let region = at.code("region_code", &r.region_code, |c| RegionCode::parse(c).ok())?;
        Ok(Department {
            kind: at.code("kind", &r.kind, DepartmentKind::from_code)?,
            created_at: at.time("created_at", &r.created_at)?,
            region_code: region.as_str().to_string(),
            id: r.id,
            name: r.name,
        })
    }
}

fn departments(rows: Vec<DepartmentRecord>) -> Result<Vec<Department>, StoreError> {
    rows.into_iter().map(Department::try_from).collect()
}

/// The department with `id`, as stored (for sessions and sign-in).
pub(crate) async fn by_id<'e, E>(executor: E, id: &str) -> Result<Option<Department>, StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as::<_, DepartmentRecord>("select * from department where id = $1")
        .bind(id)
        .fetch_optional(executor)
        .await?
        .map(Department::try_from)
        .transpose()
}

impl Department {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label_zh()
    }

    /// Full region name, e.g. 山东省枣庄市薛城区.
    pub fn region_name(&self) -> String {
        RegionCode::parse(&self.region_code)
            .ok()
            .and_then(|c| RegionTable::embedded().full_name(&c))
            .unwrap_or_else(|| self.region_code.clone())
    }
}

/// A department to create.
#[derive(Debug, Clone)]
pub struct NewDepartment {
    pub kind: DepartmentKind,
    pub region: RegionCode,
    /// Defaults to the region's name and the kind's name, e.g. 枣庄市薛城区市场监督管理局.
    pub name: Option<String>,
}

impl NewDepartment {
    /// From the codes a form, the API or the command line sends; errors name the field.
    pub fn parse(kind: &str, region: &str, name: Option<String>) -> Result<Self, StoreError> {
        let kind = DepartmentKind::from_code(kind).ok_or_else(|| {
            let all: Vec<&str> = DepartmentKind::all().iter().map(|k| k.code()).collect();
            StoreError::invalid(
                "部门类别",
                format!("未知类别“{kind}”，可选：{}", all.join(", ")),
            )
        })?;
        let region = RegionCode::parse(region)
            .map_err(|e| StoreError::invalid("行政区划代码", e.to_string()))?;
        Ok(NewDepartment { kind, region, name })
    }
}

/// Creates a department inside the scope's jurisdiction (administrators only).
#[tracing::instrument(skip_all)]
pub async fn create(
    tx: &mut Tx,
    scope: &Scope,
    now: OffsetDateTime,
    new: NewDepartment,
) -> Result<Department, StoreError> {
    scope.require(Permission::ManageAccounts)?;
    let table = RegionTable::embedded();
    let region = table.get(&new.region).ok_or_else(|| {
        StoreError::invalid(
            "行政区划代码",
            format!("{} 不是有效的行政区划代码", new.region),
        )
    })?;
    if !scope.covers(new.region.as_str()) {
        return Err(StoreError::invalid("行政区划代码", "不在您的管辖范围内"));
    }
    let name = match new.name.map(|n| n.trim().to_string()) {
        Some(n) if n.chars().count() > 60 => {
            return Err(StoreError::invalid("部门名称", "不能超过 60 个字"));
        }
        Some(n) if !n.is_empty() => n,
        _ => format!(
            "{}{}",
            short_region_name(&new.region).unwrap_or_else(|| region.name.clone()),
            new.kind.label_zh()
        ),
    };
    let dept = Department {
        id: new_id(),
        kind: new.kind,
        region_code: new.region.as_str().to_string(),
        name,
        created_at: now.replace_nanosecond(0).unwrap_or(now),
    };
    let inserted = sqlx::query(
        "insert into department (id, kind, region_code, name, created_at) values ($1, $2, $3, $4, $5)",
    )
    .bind(&dept.id)
    .bind(dept.kind.code())
    .bind(&dept.region_code)
    .bind(&dept.name)
    .bind(timefmt::to_db(now))
    .execute(&mut **tx)
    .await;
    if let Err(e) = inserted {
        return Err(if StoreError::is_unique_violation(&e) {
            StoreError::Conflict {
                field: "部门",
                message: format!("该行政区划已有{}", new.kind.label_zh()),
            }
        } else {
            e.into()
        });
    }
    audit::record(
        tx,
        &scope.actor,
        now,
        Change {
            action: "department.create",
            entity: "department",
            entity_id: &dept.id,
            region_code: Some(&dept.region_code),
            before: None,
            after: serde_json::to_value(&dept).ok(),
        },
    )
    .await?;
    Ok(dept)
}

/// The name of a region as people write it in department names: city and county without
/// the province (枣庄市薛城区), or the province alone for a provincial department.
pub fn short_region_name(code: &RegionCode) -> Option<String> {
    let table = RegionTable::embedded();
    let mut chain = table.ancestors(code);
    chain.extend(table.get(code));
    let names: Vec<&str> = chain
        .iter()
        .skip(usize::from(chain.len() > 1))
        .map(|r| r.name.as_str())
        .filter(|n| {
            !matches!(
                *n,
                "市辖区" | "县" | "省直辖县级行政区划" | "自治区直辖县级行政区划"
            )
        })
        .collect();
    if names.is_empty() {
        chain.first().map(|r| r.name.clone())
    } else {
        Some(names.concat())
    }
}

/// Departments in the scope's jurisdiction, ordered by region then kind.
#[tracing::instrument(skip_all)]
pub async fn list(store: &Store, scope: &Scope) -> Result<Vec<Department>, StoreError> {
    scope.require(Permission::ViewDirectory)?;
    let (lo, hi) = scope.region_range();
    departments(
        sqlx::query_as::<_, DepartmentRecord>(
            "select * from department where region_code between $1 and $2 order by region_code, kind",
        )
        .bind(lo)
        .bind(hi)
        .fetch_all(store.pool())
        .await?,
    )
}

/// One department, if it exists and lies in the scope; otherwise `NotFound` (the same answer
/// for both, so a guessed id reveals nothing).
#[tracing::instrument(skip_all)]
pub async fn get(store: &Store, scope: &Scope, id: &str) -> Result<Department, StoreError> {
    scope.require(Permission::ViewDirectory)?;
    let (lo, hi) = scope.region_range();
    sqlx::query_as::<_, DepartmentRecord>(
        "select * from department where id = $1 and region_code between $2 and $3",
    )
    .bind(id)
    .bind(lo)
    .bind(hi)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?
    .try_into()
}

/// Finds a department by kind and region, within the scope.
#[tracing::instrument(skip_all)]
pub async fn find(
    store: &Store,
    scope: &Scope,
    kind: DepartmentKind,
    region: &RegionCode,
) -> Result<Department, StoreError> {
    let (lo, hi) = scope.region_range();
    sqlx::query_as::<_, DepartmentRecord>(
        "select * from department where kind = $1 and region_code = $2 \
         and region_code between $3 and $4",
    )
    .bind(kind.code())
    .bind(region.as_str())
    .bind(lo)
    .bind(hi)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?
    .try_into()
}
