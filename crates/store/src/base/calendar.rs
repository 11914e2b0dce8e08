//! The working-day calendar (工作日历) as the deployment uses it: the shipped holiday
//! arrangement with the days administrators set on top (`calendar_override`).
//!
//! The calendar is national: reading it needs no scope, and changes carry no region. Only
//! `ManageSettings` may change it, each change in one transaction with its audit entry.

use meijian_domain::role::Permission;
use meijian_domain::workdays::{parse_date, Calendar, DayKind, DayOverride};
use serde::Serialize;
use time::{Date, OffsetDateTime, Weekday};

use crate::audit::{self, Change};
use crate::stored::At;
use crate::{timefmt, Scope, Store, StoreError};

/// Longest name, in characters.
const NAME_MAX: usize = 20;
/// Years a day may be set in: far enough for any limit, near enough to catch a typo.
const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;

/// An override, with who set it and when.
#[derive(Debug, Clone)]
pub struct StoredOverride {
    pub date: Date,
    pub kind: DayKind,
    pub name: String,
    pub created_by: String,
    pub created_at: OffsetDateTime,
}

impl StoredOverride {
    /// The domain value.
    pub fn to_override(&self) -> DayOverride {
        DayOverride {
            date: self.date,
            kind: self.kind,
            name: self.name.clone(),
        }
    }

    pub fn kind_label(&self) -> &'static str {
        self.kind.label_zh()
    }
}

/// An override row as stored (and as its audit entries record it).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
struct Row {
    /// YYYY-MM-DD.
    date: String,
    /// Code of [`DayKind`].
    kind: String,
    name: String,
    created_by: String,
    created_at: String,
}

impl TryFrom<Row> for StoredOverride {
    type Error = StoreError;

    fn try_from(r: Row) -> Result<StoredOverride, StoreError> {
        let at = At::new("calendar_override", &r.date);
        Ok(StoredOverride {
            date: at.code("date", &r.date, parse_date)?,
            kind: at.code("kind", &r.kind, DayKind::from_code)?,
            created_at: at.time("created_at", &r.created_at)?,
            name: r.name,
            created_by: r.created_by,
        })
    }
}

async fn rows(store: &Store) -> Result<Vec<Row>, StoreError> {
    Ok(sqlx::query_as::<_, Row>(
        "select date, kind, name, created_by, created_at from calendar_override order by date",
    )
    .fetch_all(store.pool())
    .await?)
}

/// An override from the strings a form or the API sends; errors name the field.
pub fn parse_override(date: &str, kind: &str, name: &str) -> Result<DayOverride, StoreError> {
    let date = parse_date(date.trim()).ok_or_else(|| {
        StoreError::invalid("日期", format!("“{date}”不是有效日期，应为YYYY-MM-DD"))
    })?;
    let kind = DayKind::from_code(kind).ok_or_else(|| {
        StoreError::invalid("类别", format!("未知类别“{kind}”，可选：holiday, workday"))
    })?;
    Ok(DayOverride {
        date,
        kind,
        name: name.to_string(),
    })
}

/// All overrides, by date. A row no write would have made is an error naming its date.
#[tracing::instrument(skip_all)]
pub async fn list(store: &Store) -> Result<Vec<StoredOverride>, StoreError> {
    rows(store)
        .await?
        .into_iter()
        .map(StoredOverride::try_from)
        .collect()
}

/// All overrides as domain values. A row that does not parse (written by hand in SQL) is
/// left out and logged, so one bad row cannot stop every deadline.
#[tracing::instrument(skip_all)]
pub async fn overrides(store: &Store) -> Result<Vec<DayOverride>, StoreError> {
    Ok(rows(store)
        .await?
        .into_iter()
        .filter_map(|row| match StoredOverride::try_from(row) {
            Ok(o) => Some(o.to_override()),
            Err(e) => {
                tracing::warn!(error = %e, "calendar_override row ignored");
                None
            }
        })
        .collect())
}

/// The calendar deadlines are counted in: the shipped arrangement and the overrides.
#[tracing::instrument(skip_all)]
pub async fn calendar(store: &Store) -> Result<Calendar, StoreError> {
    Ok(Calendar::embedded().with_overrides(&overrides(store).await?))
}

/// Checks an override against the rules a form cannot: name length, year, and that it changes
/// something (a worked weekday or a weekend off needs a shipped row to correct).
fn validate(o: &DayOverride) -> Result<String, StoreError> {
    let name = o.name.trim().to_string();
    if name.is_empty() {
        return Err(StoreError::invalid(
            "名称",
            "不能为空，请填写节假日名称，如：春节",
        ));
    }
    if name.chars().count() > NAME_MAX {
        return Err(StoreError::invalid(
            "名称",
            format!("不能超过{NAME_MAX}个字"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(StoreError::invalid("名称", "不能含有换行或控制字符"));
    }
    if !YEARS.contains(&o.date.year()) {
        return Err(StoreError::invalid(
            "日期",
            format!("应在{}年至{}年之间", YEARS.start(), YEARS.end()),
        ));
    }
    let weekend = matches!(o.date.weekday(), Weekday::Saturday | Weekday::Sunday);
    let shipped = Calendar::embedded().day_kind(o.date);
    let redundant = match o.kind {
        DayKind::Workday => !weekend && shipped != Some(DayKind::Holiday),
        DayKind::Holiday => weekend && shipped != Some(DayKind::Workday),
    };
    if redundant {
        let usual = if weekend { "休息日" } else { "工作日" };
        return Err(StoreError::invalid(
            "类别",
            format!("{} 本来就是{usual}，无需设置", o.date),
        ));
    }
    Ok(name)
}

/// Sets a day, replacing an override of the same date (administrators only).
#[tracing::instrument(skip_all)]
pub async fn set_override(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    o: DayOverride,
) -> Result<(), StoreError> {
    scope.require(Permission::ManageSettings)?;
    let name = validate(&o)?;
    let row = Row {
        date: o.date.to_string(),
        kind: o.kind.code().to_string(),
        name,
        created_by: scope.actor.name.clone(),
        created_at: timefmt::to_db(now),
    };
    let mut tx = store.begin().await?;
    let before = find(&mut tx, &row.date).await?;
    let written = if before.is_some() {
        sqlx::query(
            "update calendar_override set kind = $1, name = $2, created_by = $3, created_at = $4 \
             where date = $5",
        )
        .bind(&row.kind)
        .bind(&row.name)
        .bind(&row.created_by)
        .bind(&row.created_at)
        .bind(&row.date)
        .execute(&mut *tx)
        .await
    } else {
        sqlx::query(
            "insert into calendar_override (date, kind, name, created_by, created_at) \
             values ($1, $2, $3, $4, $5)",
        )
        .bind(&row.date)
        .bind(&row.kind)
        .bind(&row.name)
        .bind(&row.created_by)
        .bind(&row.created_at)
        .execute(&mut *tx)
        .await
    };
    if let Err(e) = written {
        return Err(if StoreError::is_unique_violation(&e) {
            StoreError::Conflict {
                field: "日期",
                message: "该日期刚被他人设置，请刷新后重试".to_string(),
            }
        } else {
            e.into()
        });
    }
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        Change {
            action: "calendar_override.set",
            entity: "calendar_override",
            entity_id: &row.date,
            region_code: None,
            before: before.and_then(|b| serde_json::to_value(b).ok()),
            after: serde_json::to_value(&row).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes the override of `date`, so the shipped arrangement applies again (administrators
/// only); `NotFound` when there is none.
#[tracing::instrument(skip_all)]
pub async fn remove_override(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    date: Date,
) -> Result<(), StoreError> {
    scope.require(Permission::ManageSettings)?;
    let key = date.to_string();
    let mut tx = store.begin().await?;
    let before = find(&mut tx, &key).await?.ok_or(StoreError::NotFound)?;
    sqlx::query("delete from calendar_override where date = $1")
        .bind(&key)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        Change {
            action: "calendar_override.remove",
            entity: "calendar_override",
            entity_id: &key,
            region_code: None,
            before: serde_json::to_value(&before).ok(),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn find(tx: &mut crate::Tx, date: &str) -> Result<Option<Row>, StoreError> {
    Ok(sqlx::query_as::<_, Row>(
        "select date, kind, name, created_by, created_at from calendar_override where date = $1",
    )
    .bind(date)
    .fetch_optional(&mut **tx)
    .await?)
}
