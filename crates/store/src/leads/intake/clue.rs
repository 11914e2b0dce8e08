//! Leads from the departments' own work: an inspection finding, a monitoring hit or an
//! officer's observation.

use meijian_domain::lead::rules::LeadRules;
use meijian_domain::lead::{Category, Source};
use meijian_domain::region::{RegionCode, RegionLevel, RegionTable};
use meijian_domain::role::Permission;
use meijian_domain::workdays::Calendar;
use time::OffsetDateTime;

use super::random_code;
use crate::leads::{deadlines, routing, written};
use crate::{audit, new_id, timefmt, Scope, Store, StoreError};

/// A lead from the departments' own work.
#[derive(Clone, Debug)]
pub struct NewClue {
    pub source: Source,
    pub category: Category,
    pub region_code: String,
    pub subject_name: String,
    pub subject_address: String,
    pub summary: String,
}

/// A lead recorded from the departments' own work, and where it went.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub lead_id: String,
    pub lead_code: String,
    /// The department that holds the lead now: the recorder's own.
    pub department_id: String,
    pub department_name: String,
    /// The department the duty matrix gives it to, when that is another one: the lead has been
    /// referred there and waits for it to accept.
    pub referred_to: Option<String>,
}

/// Records an inspection finding, a monitoring hit or an officer's observation as a lead of
/// the officer's department. When the duty matrix gives the category to another department,
/// the lead is referred to it at once (线索移送, seed `004`): the receiver acknowledges and
/// accepts it, and the finder keeps sight of it and learns the outcome.
#[tracing::instrument(skip_all)]
pub async fn record_clue(
    store: &Store,
    scope: &Scope,
    cal: &Calendar,
    rules: &LeadRules,
    now: OffsetDateTime,
    c: NewClue,
) -> Result<Recorded, StoreError> {
    scope.require(Permission::HandleLeads)?;
    if c.source == Source::Complaint {
        return Err(StoreError::invalid("线索来源", "投诉举报请用受理登记"));
    }
    if !scope.covers(&c.region_code)
        || !RegionCode::parse(&c.region_code).ok().is_some_and(|r| {
            RegionTable::embedded()
                .get(&r)
                .is_some_and(|r| r.level == RegionLevel::County)
        })
    {
        return Err(StoreError::invalid("发生地", "请选择本辖区的区县"));
    }
    let subject = written("涉及对象", &c.subject_name, 2, 100)?.to_string();
    let address = written("地址", &c.subject_address, 0, 200)?.to_string();
    let summary = written("线索内容", &c.summary, 5, 2000)?.to_string();
    let matrix = routing::rules_in_force(store, &c.region_code).await?;
    let (duty_department, duty_name) =
        routing::route(store, &matrix, &c.region_code, c.category).await?;
    let department_id = scope
        .department_id
        .clone()
        .ok_or_else(|| StoreError::invalid("部门", "系统账号不能登记线索"))?;
    let department_name: String = sqlx::query_scalar("select name from department where id = $1")
        .bind(&department_id)
        .fetch_one(store.pool())
        .await?;
    let id = new_id();
    let date = deadlines::china_date(now);
    let code = format!(
        "XS{:04}{:02}{:02}{}",
        date.year(),
        u8::from(date.month()),
        date.day(),
        random_code(5)
    );
    let now_db = timefmt::to_db(now);
    let verify_due = deadlines::due_db(cal, now, rules.limits.verify);
    let mut tx = store.begin().await?;
    // A lead the departments found themselves needs no acceptance: it is verified at once.
    sqlx::query(
        "insert into lead (id, code, kind, source, category, region_code, department_id, state, \
         subject_name, subject_address, summary, received_at, accepted_at, verify_due, \
         next_due, next_step, created_by, created_at, updated_at) \
         values ($1, $2, 'clue', $3, $4, $5, $6, 'accepted', $7, $8, $9, $10, $10, $11, $11, \
         'verify', $12, $10, $10)",
    )
    .bind(&id)
    .bind(&code)
    .bind(c.source.code())
    .bind(c.category.code())
    .bind(&c.region_code)
    .bind(&department_id)
    .bind(&subject)
    .bind(Some(address.as_str()).filter(|s| !s.is_empty()))
    .bind(&summary)
    .bind(&now_db)
    .bind(&verify_due)
    .bind(&scope.actor.account_id)
    .execute(&mut *tx)
    .await?;
    crate::leads::workflow::event(
        &mut tx,
        &id,
        now,
        "recorded",
        &scope.actor,
        Some(&department_id),
        Some(c.source.label_zh()),
        false,
    )
    .await?;
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        audit::Change {
            action: "lead.record",
            entity: "lead",
            entity_id: &id,
            region_code: Some(&c.region_code),
            before: None,
            after: Some(serde_json::json!({
                "code": code, "source": c.source.code(), "category": c.category.code(),
                "department_id": department_id,
            })),
        },
    )
    .await?;
    if duty_department != department_id {
        crate::leads::referral::send_in_tx(
            &mut tx,
            scope,
            cal,
            rules,
            now,
            &id,
            &c.region_code,
            &department_id,
            &duty_department,
            &format!("按职责分工，{}由{duty_name}牵头办理", c.category.label_zh()),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Recorded {
        lead_id: id,
        lead_code: code,
        referred_to: (duty_department != department_id).then_some(duty_name),
        department_id,
        department_name,
    })
}
