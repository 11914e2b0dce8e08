//! What the public complaint form (投诉举报) reads before anyone signs in: the places a
//! complaint can be sent to, and the names of registered and licensed subjects for the "as
//! you type" lookup. Only public facts: a subject's name and address, never a legal
//! representative, a number or anything about a reporter.

use std::collections::BTreeMap;

use meijian_domain::region::{RegionCode, RegionLevel, RegionTable};

use crate::{Store, StoreError};

/// A county (区县) with departments, as the form's 发生地 choice.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub code: String,
    /// E.g. 枣庄市薛城区.
    pub name: String,
}

/// Every county (区县) in the jurisdiction of some department, ordered by code: a county
/// without a department of its own is offered too, and its complaints go up to the city's
/// departments by the duty matrix ([`crate::leads::routing`]).
#[tracing::instrument(skip_all)]
pub async fn places(store: &Store) -> Result<Vec<Place>, StoreError> {
    let codes: Vec<String> =
        sqlx::query_scalar("select distinct region_code from department order by region_code")
            .fetch_all(store.pool())
            .await?;
    let table = RegionTable::embedded();
    let mut counties = BTreeMap::new();
    let mut pending: Vec<RegionCode> = codes
        .iter()
        .filter_map(|c| RegionCode::parse(c).ok())
        .collect();
    while let Some(code) = pending.pop() {
        let Some(region) = table.get(&code) else {
            continue;
        };
        if region.level == RegionLevel::County {
            counties.insert(region.code.as_str().to_string(), region);
        } else {
            pending.extend(table.children(&code).into_iter().map(|r| r.code.clone()));
        }
    }
    Ok(counties
        .into_iter()
        .map(|(code, region)| Place {
            name: crate::accounts::departments::short_region_name(&region.code)
                .unwrap_or_else(|| region.name.clone()),
            code,
        })
        .collect())
}

/// A registered or licensed subject whose name matched.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SubjectName {
    pub name: String,
    pub address: String,
}

/// Up to `limit` names of current market-entity registrations (存续、在业) and valid
/// medical licenses (有效, not expired on `today`, YYYY-MM-DD) containing `q`; one entry per
/// name and address. Fewer than two characters give nothing.
#[tracing::instrument(skip_all)]
pub async fn subject_names(
    store: &Store,
    q: &str,
    today: &str,
    limit: usize,
) -> Result<Vec<SubjectName>, StoreError> {
    let q = q.trim().to_lowercase();
    if q.chars().count() < 2 {
        return Ok(Vec::new());
    }
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let rows: Vec<(String, String, Option<String>, String)> = sqlx::query_as(
        "select id, registry, status, data_json from registry_record \
         where registry in ('registrations', 'licenses') and missing_since is null \
         and search_text like $1 escape '\\' order by name, record_key limit $2",
    )
    .bind(format!("%{escaped}%"))
    .bind((limit * 5) as i64)
    .fetch_all(store.pool())
    .await?;
    let mut out: Vec<SubjectName> = Vec::new();
    for (id, registry, status, json) in rows {
        let registry = crate::stored::At::new("registry_record", &id).code(
            "registry",
            &registry,
            meijian_registry::RegistryKind::from_code,
        )?;
        let data: BTreeMap<String, String> = serde_json::from_str(&json).unwrap_or_default();
        let current = match registry {
            meijian_registry::RegistryKind::Licenses => {
                status.as_deref() == Some("有效")
                    && data.get("valid_until").is_none_or(|d| d.as_str() >= today)
            }
            _ => !matches!(status.as_deref(), Some("注销" | "吊销" | "迁出")),
        };
        let Some(name) = data.get("name").filter(|_| current) else {
            continue;
        };
        let entry = SubjectName {
            name: name.clone(),
            address: data.get("address").cloned().unwrap_or_default(),
        };
        if !out.contains(&entry) {
            out.push(entry);
        }
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}
