//! 联合办案 and 重大案件会商: a case shared with other departments through an explicit, audited
//! grant (revocable; the same mechanism will serve joint inspections), and consultation meetings
//! with their participants and conclusions.

use meijian_domain::case::workflow::CaseStep;
use meijian_domain::case::CaseAction;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use super::open::text;
use super::workflow::{audit_step, bump, event, permitted};
use super::Case;
use crate::leads::deadlines;
use crate::stored::At;
use crate::{new_id, timefmt, Scope, Store, StoreError, Tx};

/// A department a case is shared with.
#[derive(Clone, Debug, Serialize)]
pub struct Grant {
    pub department_id: String,
    pub department_name: String,
    pub granted_by: String,
    #[serde(with = "timefmt::as_stored")]
    pub granted_at: OffsetDateTime,
    pub note: String,
}

/// The departments a case is shared with now.
#[tracing::instrument(skip_all)]
pub async fn grants(store: &Store, case: &Case) -> Result<Vec<Grant>, StoreError> {
    let rows: Vec<(String, String, String, String, String)> = sqlx::query_as(
        "select g.department_id, d.name, g.granted_by, g.granted_at, g.note from case_grant g \
         join department d on d.id = g.department_id \
         where g.case_id = $1 and g.revoked_at is null order by g.granted_at",
    )
    .bind(&case.id)
    .fetch_all(store.pool())
    .await?;
    rows.into_iter()
        .map(
            |(department_id, department_name, granted_by, granted_at, note)| {
                Ok(Grant {
                    granted_at: At::new("case_grant", &department_id)
                        .time("granted_at", &granted_at)?,
                    department_id,
                    department_name,
                    granted_by,
                    note,
                })
            },
        )
        .collect()
}

/// Shares a case with a department (or, `grant` false, takes the access back).
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn share(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    case_id: &str,
    version: i64,
    department_id: &str,
    grant: bool,
    note: &str,
) -> Result<(), StoreError> {
    let (case, _) = permitted(store, scope, now, case_id, version, CaseStep::Share).await?;
    let name: Option<String> = sqlx::query_scalar("select name from department where id = $1")
        .bind(department_id)
        .fetch_optional(store.pool())
        .await?;
    let name = name.ok_or_else(|| StoreError::invalid("部门", "没有这个部门"))?;
    if case.department_id.as_deref() == Some(department_id) {
        return Err(StoreError::invalid("部门", "办案部门本身不需要授权"));
    }
    let note = text("授权说明", note, if grant { 2 } else { 0 }, 500)?;
    let now_db = timefmt::to_db(now);
    let mut tx = store.begin().await?;
    bump(&mut tx, &case, now, None).await?;
    let active: i64 = sqlx::query_scalar(
        "select count(*) from case_grant where case_id = $1 and department_id = $2 \
         and revoked_at is null",
    )
    .bind(&case.id)
    .bind(department_id)
    .fetch_one(&mut *tx)
    .await?;
    match (grant, active > 0) {
        (true, true) => return Err(StoreError::invalid("部门", format!("已授权{name}"))),
        (false, false) => return Err(StoreError::invalid("部门", format!("{name}没有授权"))),
        (true, false) => {
            grant_in(&mut tx, scope, now, &case.id, department_id, note).await?;
        }
        (false, true) => {
            sqlx::query(
                "update case_grant set revoked_at = $1, revoked_by = $2 \
                 where case_id = $3 and department_id = $4 and revoked_at is null",
            )
            .bind(&now_db)
            .bind(&scope.actor.name)
            .bind(&case.id)
            .bind(department_id)
            .execute(&mut *tx)
            .await?;
        }
    }
    let (action, said) = if grant {
        (CaseAction::Shared, format!("授权{name}联合办案：{note}"))
    } else {
        (CaseAction::Unshared, format!("取消{name}的联合办案授权"))
    };
    event(&mut tx, &case.id, now, action, scope, Some(&said)).await?;
    audit_step(
        &mut tx,
        scope,
        now,
        &case,
        if grant { "case.share" } else { "case.unshare" },
        serde_json::json!({"department": department_id}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Grants department `department_id` access to case `case_id` inside `tx`, unless it has an
/// active grant already (a revoked one is replaced). The caller writes the event and the audit.
pub(crate) async fn grant_in(
    tx: &mut Tx,
    scope: &Scope,
    now: OffsetDateTime,
    case_id: &str,
    department_id: &str,
    note: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "delete from case_grant where case_id = $1 and department_id = $2 \
         and revoked_at is not null",
    )
    .bind(case_id)
    .bind(department_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "insert into case_grant (case_id, department_id, granted_by, granted_at, note) \
         select $1, $2, $3, $4, $5 where not exists \
         (select 1 from case_grant where case_id = $1 and department_id = $2)",
    )
    .bind(case_id)
    .bind(department_id)
    .bind(&scope.actor.name)
    .bind(timefmt::to_db(now))
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A consultation meeting (重大案件会商).
#[derive(Clone, Debug, Serialize)]
pub struct Meeting {
    pub id: String,
    #[serde(with = "timefmt::as_day")]
    pub held_on: Date,
    /// The invited departments' names.
    pub departments: Vec<String>,
    pub participants: String,
    pub conclusions: String,
    pub recorded_by: String,
}

/// Records a meeting: the departments invited, who took part, what was concluded.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn record_meeting(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    case_id: &str,
    version: i64,
    held_on: Date,
    department_ids: &[String],
    participants: &str,
    conclusions: &str,
) -> Result<String, StoreError> {
    let (case, _) = permitted(store, scope, now, case_id, version, CaseStep::Meeting).await?;
    if held_on > deadlines::china_date(now) {
        return Err(StoreError::invalid("会商日期", "不能晚于今天"));
    }
    if department_ids.is_empty() {
        return Err(StoreError::invalid("参加部门", "请至少选择一个部门"));
    }
    let mut names = Vec::new();
    for d in department_ids {
        let name: Option<String> = sqlx::query_scalar("select name from department where id = $1")
            .bind(d)
            .fetch_optional(store.pool())
            .await?;
        names.push(name.ok_or_else(|| StoreError::invalid("参加部门", "没有这个部门"))?);
    }
    let participants = text("参会人员", participants, 2, 1000)?;
    let conclusions = text("会商意见", conclusions, 4, 4000)?;
    let id = new_id();
    let mut tx = store.begin().await?;
    bump(&mut tx, &case, now, None).await?;
    sqlx::query(
        "insert into case_meeting (id, case_id, held_on, departments, participants, \
         conclusions, recorded_by, recorded_at) values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(&case.id)
    .bind(timefmt::day_to_db(held_on))
    .bind(department_ids.join(","))
    .bind(participants)
    .bind(conclusions)
    .bind(&scope.actor.name)
    .bind(timefmt::to_db(now))
    .execute(&mut *tx)
    .await?;
    event(
        &mut tx,
        &case.id,
        now,
        CaseAction::Meeting,
        scope,
        Some(&format!(
            "{held_on} 会商（{}）：{conclusions}",
            names.join("、")
        )),
    )
    .await?;
    audit_step(
        &mut tx,
        scope,
        now,
        &case,
        "case.meeting",
        serde_json::json!({"meeting": id, "departments": department_ids}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The meetings of a case, oldest first.
#[tracing::instrument(skip_all)]
pub async fn meetings(store: &Store, case: &Case) -> Result<Vec<Meeting>, StoreError> {
    let rows: Vec<(String, String, String, String, String, String)> = sqlx::query_as(
        "select id, held_on, departments, participants, conclusions, recorded_by \
         from case_meeting where case_id = $1 order by held_on, id",
    )
    .bind(&case.id)
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, held_on, departments, participants, conclusions, recorded_by) in rows {
        let held_on = At::new("case_meeting", &id).date("held_on", &held_on)?;
        let mut names = Vec::new();
        for d in departments.split(',').filter(|d| !d.is_empty()) {
            let name: Option<String> =
                sqlx::query_scalar("select name from department where id = $1")
                    .bind(d)
                    .fetch_optional(store.pool())
                    .await?;
            names.push(name.unwrap_or_else(|| d.to_string()));
        }
        out.push(Meeting {
            id,
            held_on,
            departments: names,
            participants,
            conclusions,
            recorded_by,
        });
    }
    Ok(out)
}

/// The departments a case may be shared with or invite to a meeting: those of its district and
/// of the city and province above it (the police, the procuratorate, the other regulators),
/// other than the handling department. (id, name).
#[tracing::instrument(skip_all)]
pub async fn partner_choices(
    store: &Store,
    case: &Case,
) -> Result<Vec<(String, String)>, StoreError> {
    let code = &case.region_code;
    let (city, province) = if code.len() == 6 {
        (format!("{}00", &code[..4]), format!("{}0000", &code[..2]))
    } else {
        (code.clone(), code.clone())
    };
    Ok(sqlx::query_as(
        "select id, name from department where region_code in ($1, $2, $3) \
         and id <> $4 order by region_code desc, kind",
    )
    .bind(code)
    .bind(city)
    .bind(province)
    .bind(case.department_id.as_deref().unwrap_or(""))
    .fetch_all(store.pool())
    .await?)
}
