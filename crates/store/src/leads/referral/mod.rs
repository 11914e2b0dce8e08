//! 线索移送: a department sends a lead it cannot handle to the department whose duty it is,
//! saying why; the receiver acknowledges (签收) and accepts or returns it within configured
//! limits; both see the state, and the sender keeps seeing the lead to learn its outcome.
//!
//! A suspected crime goes to the police as a step of its case (行刑衔接,
//! `crate::cases::transfer`), not as a referral of the lead.

use meijian_domain::lead::referral::{
    check_referral, ReferralRefusal, ReferralStep, ReferralTaker,
};
use meijian_domain::lead::rules::LeadRules;
use meijian_domain::lead::workflow::LeadStep;
use meijian_domain::lead::{LeadState, Outcome, ReferralKind, ReferralState};
use meijian_domain::region::{Jurisdiction, RegionCode};
use meijian_domain::role::Permission;
use meijian_domain::workdays::Calendar;
use time::OffsetDateTime;

use super::routing::region_chain;
use super::workflow::{event, permitted};
use super::{deadlines, get, is_handler};
use crate::leads::Lead;
use crate::stored::At;
use crate::{audit, new_id, timefmt, Scope, Store, StoreError, Tx};

/// A referral with the names of the departments and the lead it carries.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Referral {
    pub id: String,
    pub lead_id: String,
    pub lead_code: String,
    pub lead_state: LeadState,
    pub lead_outcome: Option<Outcome>,
    pub subject_name: String,
    pub kind: ReferralKind,
    pub from_department_id: String,
    pub from_name: String,
    pub to_department_id: String,
    pub to_name: String,
    pub copy_department_id: Option<String>,
    pub copy_name: Option<String>,
    pub reason: String,
    pub state: ReferralState,
    #[serde(with = "time::serde::rfc3339")]
    pub sent_at: OffsetDateTime,
    pub sent_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub acknowledge_due: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub act_due: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub acknowledged_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub acted_at: Option<OffsetDateTime>,
    pub response: Option<String>,
}

/// A referral row as stored.
#[derive(sqlx::FromRow)]
struct ReferralRow {
    id: String,
    lead_id: String,
    lead_code: String,
    lead_state: String,
    lead_outcome: Option<String>,
    subject_name: String,
    kind: String,
    from_department_id: String,
    from_name: String,
    to_department_id: String,
    to_name: String,
    copy_department_id: Option<String>,
    copy_name: Option<String>,
    reason: String,
    state: String,
    sent_at: String,
    sent_by: String,
    acknowledge_due: String,
    act_due: String,
    acknowledged_at: Option<String>,
    acted_at: Option<String>,
    response: Option<String>,
}

impl ReferralRow {
    fn decode(self) -> Result<Referral, StoreError> {
        let id = self.id.clone();
        let at = At::new("lead_referral", &id);
        let kind = at.code("kind", &self.kind, ReferralKind::from_code)?;
        let state = at.code("state", &self.state, ReferralState::from_code)?;
        let lead = At::new("lead", &self.lead_id);
        let lead_state = lead.code("state", &self.lead_state, LeadState::from_code)?;
        let lead_outcome =
            lead.code_opt("outcome", self.lead_outcome.as_deref(), Outcome::from_code)?;
        Ok(Referral {
            id: self.id,
            lead_id: self.lead_id,
            lead_code: self.lead_code,
            lead_state,
            lead_outcome,
            subject_name: self.subject_name,
            kind,
            from_department_id: self.from_department_id,
            from_name: self.from_name,
            to_department_id: self.to_department_id,
            to_name: self.to_name,
            copy_department_id: self.copy_department_id,
            copy_name: self.copy_name,
            reason: self.reason,
            state,
            sent_at: at.time("sent_at", &self.sent_at)?,
            sent_by: self.sent_by,
            acknowledge_due: at.time("acknowledge_due", &self.acknowledge_due)?,
            act_due: at.time("act_due", &self.act_due)?,
            acknowledged_at: at.time_opt("acknowledged_at", self.acknowledged_at.as_deref())?,
            acted_at: at.time_opt("acted_at", self.acted_at.as_deref())?,
            response: self.response,
        })
    }
}

fn decode_all(rows: Vec<ReferralRow>) -> Result<Vec<Referral>, StoreError> {
    rows.into_iter().map(ReferralRow::decode).collect()
}

const COLUMNS: &str = "r.id, r.lead_id, l.code as lead_code, l.state as lead_state, \
    l.outcome as lead_outcome, l.subject_name, r.kind, r.from_department_id, \
    f.name as from_name, r.to_department_id, t.name as to_name, r.copy_department_id, \
    c.name as copy_name, r.reason, r.state, r.sent_at, r.sent_by, r.acknowledge_due, r.act_due, \
    r.acknowledged_at, r.acted_at, r.response";
const FROM: &str = "lead_referral r join lead l on l.id = r.lead_id \
    join department f on f.id = r.from_department_id join department t on t.id = r.to_department_id \
    left join department c on c.id = r.copy_department_id";

impl Referral {
    pub fn state_zh(&self) -> &'static str {
        self.state.label_zh()
    }
    pub fn kind_zh(&self) -> &'static str {
        self.kind.label_zh()
    }
    /// Still waiting for the receiver.
    pub fn is_pending(&self) -> bool {
        self.state.is_open_referral()
    }
    /// The deadline the receiver must meet next.
    pub fn due(&self) -> OffsetDateTime {
        if self.state == ReferralState::Sent {
            self.acknowledge_due
        } else {
            self.act_due
        }
    }
    pub fn lead_state_zh(&self) -> &'static str {
        self.lead_state.label_zh()
    }
    pub fn lead_outcome_zh(&self) -> &'static str {
        self.lead_outcome.map_or("", |o| o.label_zh())
    }
}

/// Whether the referral table lets the caller take `step` on `r`; the one check of who
/// answers which referral in which state.
pub(crate) fn referral_permitted(
    scope: &Scope,
    r: &Referral,
    step: ReferralStep,
) -> Result<&'static meijian_domain::lead::referral::ReferralTransition, StoreError> {
    let who = ReferralTaker {
        role: scope.role,
        receiver: scope.department_id.as_deref() == Some(r.to_department_id.as_str()),
    };
    check_referral(r.state, &who, step).map_err(|refusal| match refusal {
        ReferralRefusal::NotFound => StoreError::NotFound,
        ReferralRefusal::State => {
            StoreError::invalid("移送状态", format!("移送当前为“{}”", r.state_zh()))
        }
    })
}

/// Referrals of a lead the caller may see.
/// `lead` comes from [`crate::leads::get`] or [`crate::leads::list`], so the caller may see it.
#[tracing::instrument(skip_all)]
pub async fn for_lead(store: &Store, lead: &Lead) -> Result<Vec<Referral>, StoreError> {
    decode_all(
        sqlx::query_as::<_, ReferralRow>(&format!(
            "select {COLUMNS} from {FROM} where r.lead_id = $1 order by r.sent_at"
        ))
        .bind(&lead.id)
        .fetch_all(store.pool())
        .await?,
    )
}

/// The caller's department's referrals: received (`incoming`) or sent, newest first.
#[tracing::instrument(skip_all)]
pub async fn for_department(
    store: &Store,
    scope: &Scope,
    incoming: bool,
) -> Result<Vec<Referral>, StoreError> {
    scope.require(Permission::HandleLeads)?;
    let dept = scope.department_id.clone().unwrap_or_default();
    let side = if incoming {
        "r.to_department_id = $1"
    } else {
        "r.from_department_id = $1"
    };
    decode_all(
        sqlx::query_as::<_, ReferralRow>(&format!(
            "select {COLUMNS} from {FROM} where {side} order by r.sent_at desc limit 500"
        ))
        .bind(dept)
        .fetch_all(store.pool())
        .await?,
    )
}

async fn referral(store: &Store, id: &str) -> Result<Referral, StoreError> {
    sqlx::query_as::<_, ReferralRow>(&format!("select {COLUMNS} from {FROM} where r.id = $1"))
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?
        .decode()
}

/// A department a lead may be sent to.
#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow)]
pub struct Destination {
    pub id: String,
    pub name: String,
    pub region_code: String,
}

/// Where the handling department may send a lead: every department of the lead's city (its
/// districts and the city itself) and of its province, except the one handling it. A
/// referral is the one way a lead crosses districts, so this reaches past the caller's
/// jurisdiction.
#[tracing::instrument(skip_all)]
pub async fn destinations(
    store: &Store,
    scope: &Scope,
    lead_id: &str,
) -> Result<Vec<Destination>, StoreError> {
    let lead = get(store, scope, lead_id).await?;
    if !is_handler(scope, &lead) {
        return Err(StoreError::Forbidden);
    }
    let chain = region_chain(&lead.region_code);
    // County, city, province: the city's subtree, or the county's when it has no city.
    let (lo, hi) = match chain.get(1).and_then(|c| RegionCode::parse(c).ok()) {
        Some(city) if chain.len() > 2 => Jurisdiction::new(city).code_range(),
        _ => (lead.region_code.clone(), lead.region_code.clone()),
    };
    let province = chain.last().cloned().unwrap_or_default();
    Ok(sqlx::query_as::<_, Destination>(
        "select id, name, region_code from department where id <> $1 \
         and (region_code between $2 and $3 or region_code = $4) order by region_code, kind",
    )
    .bind(&lead.department_id)
    .bind(lo)
    .bind(hi)
    .bind(province)
    .fetch_all(store.pool())
    .await?)
}

#[allow(clippy::too_many_arguments)]
async fn insert(
    tx: &mut Tx,
    scope: &Scope,
    now: OffsetDateTime,
    lead_id: &str,
    from: &str,
    to: &str,
    reason: &str,
    acknowledge_due: String,
    act_due: String,
) -> Result<String, StoreError> {
    let id = new_id();
    sqlx::query(
        "insert into lead_referral (id, lead_id, kind, from_department_id, to_department_id, \
         reason, state, sent_at, sent_by, acknowledge_due, act_due) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(lead_id)
    .bind(ReferralKind::Department.code())
    .bind(from)
    .bind(to)
    .bind(reason)
    .bind(ReferralState::Sent.code())
    .bind(timefmt::to_db(now))
    .bind(&scope.actor.name)
    .bind(acknowledge_due)
    .bind(act_due)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

fn check_reason(reason: &str) -> Result<String, StoreError> {
    Ok(super::written("移送理由", reason, 4, 1000)?.to_string())
}

/// Writes a department referral, its history event and audit entry inside `tx` (for a lead
/// just recorded, whose duty lies with another department).
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub(crate) async fn send_in_tx(
    tx: &mut Tx,
    scope: &Scope,
    cal: &Calendar,
    rules: &LeadRules,
    now: OffsetDateTime,
    lead_id: &str,
    region_code: &str,
    from: &str,
    to: &str,
    reason: &str,
) -> Result<String, StoreError> {
    let l = &rules.limits;
    let id = insert(
        tx,
        scope,
        now,
        lead_id,
        from,
        to,
        reason,
        deadlines::due_db(cal, now, l.referral_acknowledge),
        deadlines::due_db(cal, now, l.referral_act),
    )
    .await?;
    event(
        tx,
        lead_id,
        now,
        "referred",
        &scope.actor,
        Some(from),
        Some(reason),
        false,
    )
    .await?;
    audit::record(
        tx,
        &scope.actor,
        now,
        audit::Change {
            action: "referral.send",
            entity: "lead_referral",
            entity_id: &id,
            region_code: Some(region_code),
            before: None,
            after: Some(serde_json::json!({"lead_id": lead_id, "to": to, "reason": reason})),
        },
    )
    .await?;
    Ok(id)
}

/// Sends a lead the caller's department handles to `to_department_id`. Whether the lead may
/// be referred now is the workflow table's rule (`LeadStep::Refer`).
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn refer(
    store: &Store,
    scope: &Scope,
    cal: &Calendar,
    rules: &LeadRules,
    now: OffsetDateTime,
    lead_id: &str,
    to_department_id: &str,
    reason: &str,
) -> Result<String, StoreError> {
    let lead = permitted(store, scope, now, None, lead_id, LeadStep::Refer).await?;
    let to_department_id = to_department_id.trim();
    if to_department_id.is_empty() {
        return Err(StoreError::invalid("接收部门", "请选择接收部门"));
    }
    if to_department_id == lead.department_id {
        return Err(StoreError::invalid("接收部门", "不能移送给本部门"));
    }
    let exists: i64 = sqlx::query_scalar("select count(*) from department where id = $1")
        .bind(to_department_id)
        .fetch_one(store.pool())
        .await?;
    if exists == 0 {
        return Err(StoreError::invalid("接收部门", "部门不存在"));
    }
    let reason = check_reason(reason)?;
    let mut tx = store.begin().await?;
    let id = send_in_tx(
        &mut tx,
        scope,
        cal,
        rules,
        now,
        &lead.id,
        &lead.region_code,
        &lead.department_id,
        to_department_id,
        &reason,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// What the receiver does with a referral: a receiver's step of the referral table.
pub type Response = ReferralStep;

/// The receiving department answers a referral.
#[tracing::instrument(skip_all)]
pub async fn respond(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    referral_id: &str,
    response: Response,
    note: &str,
) -> Result<(), StoreError> {
    let r = referral(store, referral_id).await?;
    let row = referral_permitted(scope, &r, response)?;
    let (to_state, action) = (row.to.code(), row.event);
    let note = note.trim();
    if response != Response::Acknowledge && note.chars().count() < 2 {
        return Err(StoreError::invalid("答复意见", "请填写意见"));
    }
    let now_db = timefmt::to_db(now);
    let mut tx = store.begin().await?;
    let sql = if response == Response::Acknowledge {
        "update lead_referral set state = $1, acknowledged_at = $2 where id = $3 and state = $4"
    } else {
        "update lead_referral set state = $1, acknowledged_at = coalesce(acknowledged_at, $2), \
         acted_at = $2, response = $5 where id = $3 and state = $4"
    };
    let mut q = sqlx::query(sql)
        .bind(to_state)
        .bind(&now_db)
        .bind(&r.id)
        .bind(r.state.code());
    if response != Response::Acknowledge {
        q = q.bind(note);
    }
    if q.execute(&mut *tx).await?.rows_affected() == 0 {
        return Err(crate::leads::stale("移送状态", "移送已被他人处理"));
    }
    if response == Response::Accept {
        sqlx::query("update lead set department_id = $1, updated_at = $2 where id = $3")
            .bind(&r.to_department_id)
            .bind(&now_db)
            .bind(&r.lead_id)
            .execute(&mut *tx)
            .await?;
    }
    let text = if note.is_empty() { None } else { Some(note) };
    event(
        &mut tx,
        &r.lead_id,
        now,
        action,
        &scope.actor,
        Some(&r.to_department_id),
        text,
        false,
    )
    .await?;
    let region: Option<String> = sqlx::query_scalar("select region_code from lead where id = $1")
        .bind(&r.lead_id)
        .fetch_optional(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        audit::Change {
            action: &format!("referral.{to_state}"),
            entity: "lead_referral",
            entity_id: &r.id,
            region_code: region.as_deref(),
            before: Some(serde_json::json!({"state": r.state.code()})),
            after: Some(serde_json::json!({"state": to_state, "note": note})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
