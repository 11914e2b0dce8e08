//! 职责分工: the duty matrix in force for a place, its editing by an administrator, and the
//! routing of a lead to the department that must handle it.
//!
//! A jurisdiction's own rules (table `duty_rule`) replace the defaults of
//! [`meijian_domain::lead::duty::defaults`] category by category; the rule of the nearest
//! region wins (a district's over its city's).

use meijian_domain::department::DepartmentKind;
use meijian_domain::lead::{duty, Category, DutyRule};
use meijian_domain::region::{RegionCode, RegionTable};
use meijian_domain::role::Permission;
use time::OffsetDateTime;

use crate::{audit, timefmt, Scope, Store, StoreError};

/// A rule in force, and where it comes from.
#[derive(Clone, Debug)]
pub struct RuleInForce {
    pub rule: DutyRule,
    /// The region whose administrator set it; `None` for the seed default.
    pub set_at: Option<String>,
    pub basis_text: String,
}

/// The region itself and its ancestors, nearest first.
pub(crate) fn region_chain(code: &str) -> Vec<String> {
    let mut chain = vec![code.to_string()];
    if let Ok(c) = RegionCode::parse(code) {
        let table = RegionTable::embedded();
        chain.extend(
            table
                .ancestors(&c)
                .into_iter()
                .rev()
                .map(|r| r.code.as_str().to_string()),
        );
    }
    chain
}

fn parse_kinds(s: &str) -> Vec<DepartmentKind> {
    s.split(',')
        .filter_map(|k| DepartmentKind::from_code(k.trim()))
        .collect()
}

fn join_kinds(kinds: &[DepartmentKind]) -> String {
    kinds.iter().map(|k| k.code()).collect::<Vec<_>>().join(",")
}

/// The matrix in force at `region_code`, one rule per category in the 汇总表 order.
#[tracing::instrument(skip_all)]
pub async fn rules_in_force(
    store: &Store,
    region_code: &str,
) -> Result<Vec<RuleInForce>, StoreError> {
    let chain = region_chain(region_code);
    let list = (1..=chain.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "select region_code, category, lead_kinds, assist_kinds, basis from duty_rule \
         where region_code in ({list})"
    );
    let mut q = sqlx::query_as::<_, (String, String, String, String, String)>(&sql);
    for r in &chain {
        q = q.bind(r);
    }
    let rows = q.fetch_all(store.pool()).await?;
    let mut out = Vec::new();
    for default in duty::defaults() {
        let own = chain.iter().find_map(|r| {
            rows.iter()
                .find(|row| &row.0 == r && row.1 == default.category.code())
        });
        out.push(match own {
            Some((region, _, lead, assist, basis)) => RuleInForce {
                rule: DutyRule {
                    category: default.category,
                    lead: parse_kinds(lead),
                    assist: parse_kinds(assist),
                    basis: default.basis,
                },
                set_at: Some(region.clone()),
                basis_text: basis.clone(),
            },
            None => RuleInForce {
                basis_text: meijian_domain::lead::duty::basis_text(default.basis),
                rule: default,
                set_at: None,
            },
        });
    }
    Ok(out)
}

/// Replaces the rule for `category` in the administrator's jurisdiction.
#[tracing::instrument(skip_all)]
pub async fn set_rule(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    category: Category,
    lead: &[DepartmentKind],
    assist: &[DepartmentKind],
    basis: &str,
) -> Result<(), StoreError> {
    scope.require(Permission::ManageSettings)?;
    let region = scope
        .region
        .as_ref()
        .ok_or_else(|| StoreError::invalid("管辖范围", "全国范围不能设置职责分工"))?
        .as_str()
        .to_string();
    if lead.is_empty() {
        return Err(StoreError::invalid("牵头部门", "至少选择一个牵头部门"));
    }
    let basis = basis.trim();
    if basis.is_empty() || basis.chars().count() > 200 {
        return Err(StoreError::invalid("依据", "请填写依据（200字以内）"));
    }
    let mut tx = store.begin().await?;
    let before: Option<(String, String)> = sqlx::query_as(
        "select lead_kinds, assist_kinds from duty_rule where region_code = $1 and category = $2",
    )
    .bind(&region)
    .bind(category.code())
    .fetch_optional(&mut *tx)
    .await?;
    sqlx::query("delete from duty_rule where region_code = $1 and category = $2")
        .bind(&region)
        .bind(category.code())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "insert into duty_rule (region_code, category, lead_kinds, assist_kinds, basis, \
         updated_by, updated_at) values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&region)
    .bind(category.code())
    .bind(join_kinds(lead))
    .bind(join_kinds(assist))
    .bind(basis)
    .bind(&scope.actor.name)
    .bind(timefmt::to_db(now))
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        audit::Change {
            action: "duty_rule.set",
            entity: "duty_rule",
            entity_id: &format!("{region}:{}", category.code()),
            region_code: Some(&region),
            before: before.map(|(l, a)| serde_json::json!({"lead": l, "assist": a})),
            after: Some(serde_json::json!({
                "lead": join_kinds(lead), "assist": join_kinds(assist), "basis": basis
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Drops the jurisdiction's own rule for `category`, so the default (or the city's) applies.
#[tracing::instrument(skip_all)]
pub async fn reset_rule(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    category: Category,
) -> Result<(), StoreError> {
    scope.require(Permission::ManageSettings)?;
    let region = scope
        .region
        .as_ref()
        .ok_or(StoreError::NotFound)?
        .as_str()
        .to_string();
    let mut tx = store.begin().await?;
    let n = sqlx::query("delete from duty_rule where region_code = $1 and category = $2")
        .bind(&region)
        .bind(category.code())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        audit::Change {
            action: "duty_rule.reset",
            entity: "duty_rule",
            entity_id: &format!("{region}:{}", category.code()),
            region_code: Some(&region),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A department on the way up from a place: id, name, kind code, region code.
pub(crate) type Nearby = (String, String, String, String);

/// The departments at a place and above it (county, city, province), in one query.
#[tracing::instrument(skip_all)]
pub(crate) async fn departments_along(
    store: &Store,
    region_code: &str,
) -> Result<(Vec<String>, Vec<Nearby>), StoreError> {
    let chain = region_chain(region_code);
    let list = (1..=chain.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql =
        format!("select id, name, kind, region_code from department where region_code in ({list})");
    let mut q = sqlx::query_as::<_, Nearby>(&sql);
    for r in &chain {
        q = q.bind(r);
    }
    let found = q.fetch_all(store.pool()).await?;
    Ok((chain, found))
}

/// Of `found`, the first of `kinds` at the nearest region of `chain`: (id, name).
pub(crate) fn nearest(
    chain: &[String],
    found: &[Nearby],
    kinds: &[DepartmentKind],
) -> Option<(String, String)> {
    chain.iter().find_map(|region| {
        kinds.iter().find_map(|kind| {
            found
                .iter()
                .find(|d| &d.3 == region && d.2 == kind.code())
                .map(|d| (d.0.clone(), d.1.clone()))
        })
    })
}

/// The department that must handle a lead of `category` at `region_code`: the first lead kind
/// with a department at the place, else nearest above it; failing all, the health commission
/// nearest the place (it leads the campaign, seed `000` 三(一)).
#[tracing::instrument(skip_all)]
pub async fn route(
    store: &Store,
    rules: &[RuleInForce],
    region_code: &str,
    category: Category,
) -> Result<(String, String), StoreError> {
    let kinds: Vec<DepartmentKind> = rules
        .iter()
        .find(|r| r.rule.category == category)
        .map(|r| r.rule.lead.clone())
        .unwrap_or_default();
    let (chain, found) = departments_along(store, region_code).await?;
    nearest(&chain, &found, &kinds)
        .or_else(|| nearest(&chain, &found, &[DepartmentKind::Health]))
        .ok_or_else(|| StoreError::invalid("发生地", "当地尚未设置承办部门，请改用电话投诉"))
}
