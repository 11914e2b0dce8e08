//! Linking a lead to its operator (主体) from the cross-check: suggestions from the reported
//! name and address, the officer's confirmation, and the grouping of repeated complaints about
//! one operator so that one verification answers them all.

use meijian_linkage::address::AddressKey;
use meijian_linkage::name::NameParts;
use time::OffsetDateTime;

use super::workflow::event;
use super::{get, is_handler, Lead};
use crate::sql::Query;
use crate::{audit, timefmt, Scope, Store, StoreError};

/// A suggested operator with why.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Suggestion {
    pub operator_id: String,
    pub name: String,
    pub address: String,
    /// `None` outside medical aesthetics.
    #[serde(skip)]
    pub class: Option<crate::operators::Class>,
    /// A provisional operator (no registry record yet).
    pub provisional: bool,
    /// 0–100.
    pub score: u32,
    pub reason: String,
}

impl Suggestion {
    pub fn class_zh(&self) -> &'static str {
        self.class
            .map_or("非医美", crate::operators::Class::label_zh)
    }
}

/// Character bigrams of `s`.
fn bigrams(s: &str) -> Vec<(char, char)> {
    let chars: Vec<char> = s.chars().collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Dice similarity of two strings' bigrams, 0–1.
fn dice(a: &str, b: &str) -> f64 {
    let (x, y) = (bigrams(a), bigrams(b));
    if x.is_empty() || y.is_empty() {
        return if !a.is_empty() && a == b { 1.0 } else { 0.0 };
    }
    let mut used = vec![false; y.len()];
    let mut common = 0;
    for g in &x {
        if let Some(i) = y.iter().enumerate().position(|(i, h)| !used[i] && h == g) {
            used[i] = true;
            common += 1;
        }
    }
    2.0 * common as f64 / (x.len() + y.len()) as f64
}

/// How well an operator matches what the reporter wrote, 0–1, and the reasons.
pub fn score(
    reported_name: &str,
    reported_address: &str,
    region: &str,
    name: &str,
    address: &str,
) -> (f64, Vec<&'static str>) {
    let a = NameParts::parse(reported_name, Some(region));
    let b = NameParts::parse(name, Some(region));
    let mut reasons = Vec::new();
    let mut s = if !a.trade.is_empty() && a.trade == b.trade {
        reasons.push("字号相同");
        0.6
    } else {
        let d = dice(&a.core, &b.core).max(dice(&a.trade, &b.trade));
        if d >= 0.5 {
            reasons.push("名称相近");
        }
        0.6 * d
    };
    if !reported_address.trim().is_empty() && !address.is_empty() {
        let x = AddressKey::parse(reported_address, Some(region));
        let y = AddressKey::parse(address, Some(region));
        if !x.street.is_empty() && x.street == y.street {
            reasons.push("地址相同");
            s += 0.4;
        } else if !x.road.is_empty() && x.road == y.road {
            reasons.push("同一道路");
            s += 0.15;
        }
    }
    (s.min(1.0), reasons)
}

/// Up to five operators of the 主体库 that may be the one the lead is about.
#[tracing::instrument(skip_all)]
pub async fn suggestions(
    store: &Store,
    scope: &Scope,
    lead_id: &str,
) -> Result<Vec<Suggestion>, StoreError> {
    let lead = get(store, scope, lead_id).await?;
    // The operators of the lead's district in the 主体库 (provisional ones included), as the
    // record keeps them: every name and address their records carry is compared.
    let rows: Vec<crate::operators::OperatorRecord> = Query::new(&format!(
        "select {} from operator where status <> 'merged' and region_code = ",
        crate::operators::COLUMNS
    ))
    .bind(&lead.region_code)
    .fetch_all(store.pool())
    .await?;
    let operators = rows
        .into_iter()
        .map(crate::operators::Operator::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    let address = lead.subject_address.clone().unwrap_or_default();
    let mut out: Vec<Suggestion> = operators
        .into_iter()
        .filter_map(|o| {
            // The best of its names against the reported name, with the best address.
            let names = if o.names.is_empty() {
                vec![o.name.clone()]
            } else {
                o.names.clone()
            };
            let addresses = if o.addresses.is_empty() {
                vec![o.address.clone().unwrap_or_default()]
            } else {
                o.addresses.clone()
            };
            let (s, reasons) = names
                .iter()
                .flat_map(|n| addresses.iter().map(move |a| (n, a)))
                .map(|(n, a)| score(&lead.subject_name, &address, &lead.region_code, n, a))
                .max_by(|x, y| x.0.total_cmp(&y.0))?;
            (s >= 0.3).then(|| Suggestion {
                provisional: o.origin == meijian_domain::operator::Origin::Provisional,
                address: o.address.clone().unwrap_or_default(),
                operator_id: o.id,
                name: o.name,
                class: o.class,
                score: (s * 100.0).round() as u32,
                reason: reasons.join("、"),
            })
        })
        .collect();
    out.sort_by(|a, b| b.score.cmp(&a.score).then(a.name.cmp(&b.name)));
    out.truncate(5);
    Ok(out)
}

/// The officer confirms which operator the lead is about: one of the lead's own district or
/// of the officer's jurisdiction (a lead referred from another district keeps its place). If another open lead of the same
/// department is about that operator, the two are grouped (合并办理) under the earlier one.
/// Returns the group's first lead id when grouped.
#[tracing::instrument(skip_all)]
pub async fn link_operator(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    lead_id: &str,
    operator_id: &str,
) -> Result<Option<String>, StoreError> {
    let lead = get(store, scope, lead_id).await?;
    if !is_handler(scope, &lead) {
        return Err(StoreError::Forbidden);
    }
    if lead.group_id.is_some() {
        return Err(StoreError::invalid(
            "关联主体",
            "合并办理中的线索不能改关联主体",
        ));
    }
    let (lo, hi) = scope.region_range();
    // The operator of the 主体库 (a merged id stands for the one it became), of the lead's
    // district or the officer's jurisdiction.
    let found: Option<(String, String, String, Option<String>)> =
        Query::new("select id, name, region_code, merged_into from operator where id = ")
            .bind(operator_id.trim())
            .fetch_optional(store.pool())
            .await?;
    let found = match found {
        Some((_, _, _, Some(into))) => {
            Query::new("select id, name, region_code, merged_into from operator where id = ")
                .bind(&into)
                .fetch_optional(store.pool())
                .await?
        }
        other => other,
    };
    let (operator_id, name) = match found {
        Some((id, name, region, _))
            if region == lead.region_code || (lo <= region.as_str() && region.as_str() <= hi) =>
        {
            (id, name)
        }
        _ => {
            return Err(StoreError::invalid(
                "关联主体",
                "主体编号不存在或不在管辖范围内",
            ))
        }
    };
    let operator_id = operator_id.as_str();
    let now_db = timefmt::to_db(now);
    let mut tx = store.begin().await?;
    sqlx::query(
        "update lead set operator_id = $1, operator_name = $2, updated_at = $3 where id = $4",
    )
    .bind(operator_id)
    .bind(&name)
    .bind(&now_db)
    .bind(&lead.id)
    .execute(&mut *tx)
    .await?;
    event(
        &mut tx,
        &lead.id,
        now,
        "linked",
        &scope.actor,
        Some(&lead.department_id),
        Some(&format!("{name}（{operator_id}）")),
        false,
    )
    .await?;
    let mut grouped = None;
    if matches!(lead.state.as_str(), "received" | "accepted") {
        let other: Option<(String, String, Option<String>)> = sqlx::query_as(
            "select id, code, group_id from lead where operator_id = $1 and department_id = $2 \
             and id <> $3 and state in ('received', 'accepted') \
             and (group_id is null or group_id = id) order by received_at limit 1",
        )
        .bind(operator_id)
        .bind(&lead.department_id)
        .bind(&lead.id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((first_id, first_code, _)) = other {
            sqlx::query("update lead set group_id = $1, updated_at = $2 where id in ($1, $3)")
                .bind(&first_id)
                .bind(&now_db)
                .bind(&lead.id)
                .execute(&mut *tx)
                .await?;
            event(
                &mut tx,
                &lead.id,
                now,
                "grouped",
                &scope.actor,
                Some(&lead.department_id),
                Some(&format!("与线索 {first_code} 合并办理")),
                false,
            )
            .await?;
            event(
                &mut tx,
                &first_id,
                now,
                "grouped",
                &scope.actor,
                Some(&lead.department_id),
                Some(&format!("并入线索 {}", lead.code)),
                false,
            )
            .await?;
            grouped = Some(first_id);
        }
    }
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        audit::Change {
            action: "lead.link_operator",
            entity: "lead",
            entity_id: &lead.id,
            region_code: Some(&lead.region_code),
            before: Some(serde_json::json!({"operator_id": lead.operator_id})),
            after: Some(serde_json::json!({"operator_id": operator_id, "group": grouped})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(grouped)
}

/// The leads grouped with `lead` (its group's other leads), for the lead page.
#[tracing::instrument(skip_all)]
pub async fn group(
    store: &Store,
    lead: &Lead,
) -> Result<Vec<(String, String, String)>, StoreError> {
    let Some(g) = &lead.group_id else {
        return Ok(Vec::new());
    };
    Ok(sqlx::query_as(
        "select id, code, state from lead where group_id = $1 and id <> $2 order by received_at",
    )
    .bind(g)
    .bind(&lead.id)
    .fetch_all(store.pool())
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_trade_name_and_street_score_high() {
        let (s, why) = score(
            "悦颜美容",
            "薛城区泰山南路123号",
            "370403",
            "枣庄市薛城区悦颜医疗美容有限公司",
            "山东省枣庄市薛城区泰山南路１２３号３号楼",
        );
        assert!(s >= 0.9, "{s}");
        assert!(why.contains(&"字号相同") && why.contains(&"地址相同"));
        let (low, _) = score("悦颜美容", "", "370403", "枣庄市光明口腔诊所", "");
        assert!(low < 0.3, "{low}");
    }
}
