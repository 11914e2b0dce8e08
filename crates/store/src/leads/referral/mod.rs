//! 线索移送: a department sends a lead it cannot handle to the department whose duty it is,
//! saying why; the receiver acknowledges (签收) and accepts or returns it within configured
//! limits; both see the state, and the sender keeps seeing the lead to learn its outcome.
//!
//! A lead that suggests a crime goes to the police with a copy to the procuratorate
//! (行刑衔接, `DOMAIN.md` §11): the officer proposes it, a leader (正职负责人) decides within
//! `crime_decide`; once approved the transfer is due within `crime_transfer` and the police
//! decide on 立案 within `police_decide` of receipt. After a refusal the sender may ask for
//! reconsideration (复议) within `police_decide`. The police and the procuratorate see the lead
//! only once the transfer is approved; the copy gives the procuratorate sight for 立案监督.

use meijian_domain::lead::rules::LeadRules;
use meijian_domain::region::{Jurisdiction, RegionCode};
use meijian_domain::role::Permission;
use meijian_domain::workdays::Calendar;
use time::OffsetDateTime;

use super::routing::region_chain;
use super::workflow::event;
use super::{deadlines, get, is_handler};
use crate::leads::Lead;
use crate::{audit, new_id, timefmt, Scope, Store, StoreError, Tx};

mod police;
pub use police::{approve_police, awaiting_approval, refer_to_police, request_reconsideration};

/// A referral with the names of the departments and the lead it carries.
#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow)]
pub struct Referral {
    pub id: String,
    pub lead_id: String,
    pub lead_code: String,
    pub lead_state: String,
    pub lead_outcome: Option<String>,
    pub subject_name: String,
    pub kind: String,
    pub from_department_id: String,
    pub from_name: String,
    pub to_department_id: String,
    pub to_name: String,
    pub copy_department_id: Option<String>,
    pub copy_name: Option<String>,
    pub reason: String,
    pub state: String,
    pub sent_at: String,
    pub sent_by: String,
    pub acknowledge_due: String,
    pub act_due: String,
    pub acknowledged_at: Option<String>,
    pub acted_at: Option<String>,
    pub response: Option<String>,
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
        match self.state.as_str() {
            "proposed" => "待负责人审批",
            "withdrawn" => "未批准移送",
            "reconsider" => "申请复议中",
            "sent" => "待签收",
            "acknowledged" => "已签收",
            "accepted" => "已接收办理",
            "returned" => "已退回",
            "filed" => "已立案",
            "refused" => "不予立案",
            _ => "未知",
        }
    }
    pub fn kind_zh(&self) -> &'static str {
        if self.kind == "police" {
            "涉嫌犯罪移送"
        } else {
            "部门移送"
        }
    }
    /// Still waiting for the receiver.
    pub fn is_pending(&self) -> bool {
        matches!(self.state.as_str(), "sent" | "acknowledged" | "reconsider")
    }
    /// The deadline the receiver must meet next.
    pub fn due(&self) -> &str {
        if self.state == "sent" {
            &self.acknowledge_due
        } else {
            &self.act_due
        }
    }
    pub fn lead_state_zh(&self) -> &'static str {
        meijian_domain::lead::LeadState::from_code(&self.lead_state).map_or("", |s| s.label_zh())
    }
    pub fn lead_outcome_zh(&self) -> &'static str {
        self.lead_outcome
            .as_deref()
            .and_then(meijian_domain::lead::Outcome::from_code)
            .map_or("", |o| o.label_zh())
    }
}

/// Referrals of a lead the caller may see.
/// `lead` comes from [`crate::leads::get`] or [`crate::leads::list`], so the caller may see it.
pub async fn for_lead(store: &Store, lead: &Lead) -> Result<Vec<Referral>, StoreError> {
    Ok(sqlx::query_as::<_, Referral>(&format!(
        "select {COLUMNS} from {FROM} where r.lead_id = $1 order by r.sent_at"
    ))
    .bind(&lead.id)
    .fetch_all(store.pool())
    .await?)
}

/// The caller's department's referrals: received (`incoming`) or sent, newest first.
pub async fn for_department(
    store: &Store,
    scope: &Scope,
    incoming: bool,
) -> Result<Vec<Referral>, StoreError> {
    scope.require(Permission::HandleLeads)?;
    let dept = scope.department_id.clone().unwrap_or_default();
    let side = if incoming {
        "(r.to_department_id = $1 or r.copy_department_id = $1) and r.state not in ('proposed', 'withdrawn')"
    } else {
        "r.from_department_id = $1"
    };
    Ok(sqlx::query_as::<_, Referral>(&format!(
        "select {COLUMNS} from {FROM} where {side} order by r.sent_at desc limit 500"
    ))
    .bind(dept)
    .fetch_all(store.pool())
    .await?)
}

async fn referral(store: &Store, id: &str) -> Result<Referral, StoreError> {
    sqlx::query_as::<_, Referral>(&format!("select {COLUMNS} from {FROM} where r.id = $1"))
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)
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
    kind: &str,
    from: &str,
    to: &str,
    copy: Option<&str>,
    reason: &str,
    acknowledge_due: String,
    act_due: String,
) -> Result<String, StoreError> {
    let id = new_id();
    sqlx::query(
        "insert into lead_referral (id, lead_id, kind, from_department_id, to_department_id, \
         copy_department_id, reason, state, sent_at, sent_by, acknowledge_due, act_due) \
         values ($1, $2, $3, $4, $5, $6, $7, $12, $8, $9, $10, $11)",
    )
    .bind(&id)
    .bind(lead_id)
    .bind(kind)
    .bind(from)
    .bind(to)
    .bind(copy)
    .bind(reason)
    .bind(timefmt::to_db(now))
    .bind(&scope.actor.name)
    .bind(acknowledge_due)
    .bind(act_due)
    // A transfer to the police waits for a leader's approval first.
    .bind(if kind == "police" { "proposed" } else { "sent" })
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

fn check_reason(reason: &str) -> Result<String, StoreError> {
    Ok(super::written("移送理由", reason, 4, 1000)?.to_string())
}

async fn has_pending(store: &Store, lead_id: &str) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query_scalar(
        "select count(*) from lead_referral where lead_id = $1 and kind = 'department' \
         and state in ('sent', 'acknowledged')",
    )
    .bind(lead_id)
    .fetch_one(store.pool())
    .await?;
    Ok(n > 0)
}

/// Writes a department referral, its history event and audit entry inside `tx` (for a lead
/// just recorded, whose duty lies with another department).
#[allow(clippy::too_many_arguments)]
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
        "department",
        from,
        to,
        None,
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

/// Sends a lead the caller's department handles to `to_department_id`.
#[allow(clippy::too_many_arguments)]
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
    let lead = get(store, scope, lead_id).await?;
    if !is_handler(scope, &lead) {
        return Err(StoreError::Forbidden);
    }
    if lead.state().is_closed() {
        return Err(StoreError::invalid(
            "移送",
            "已办结或不予受理的线索不能移送",
        ));
    }
    if lead.is_grouped_member() {
        return Err(StoreError::invalid(
            "移送",
            "合并办理的线索请随首条线索一并处理",
        ));
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
    if has_pending(store, &lead.id).await? {
        return Err(StoreError::invalid("移送", "该线索已有待对方处理的移送"));
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

/// What the receiver does with a referral.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Response {
    /// 签收.
    Acknowledge,
    /// 接收办理: the lead becomes the receiver's.
    Accept,
    /// 退回: the lead stays with the sender.
    Return,
    /// Police: 立案.
    File,
    /// Police: 不予立案.
    Refuse,
}

impl Response {
    pub fn from_code(code: &str) -> Option<Response> {
        match code {
            "acknowledge" => Some(Response::Acknowledge),
            "accept" => Some(Response::Accept),
            "return" => Some(Response::Return),
            "file" => Some(Response::File),
            "refuse" => Some(Response::Refuse),
            _ => None,
        }
    }
}

/// The receiving department answers a referral.
pub async fn respond(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    referral_id: &str,
    response: Response,
    note: &str,
) -> Result<(), StoreError> {
    scope.require(Permission::HandleLeads)?;
    let r = referral(store, referral_id).await?;
    if scope.department_id.as_deref() != Some(r.to_department_id.as_str())
        || matches!(r.state.as_str(), "proposed" | "withdrawn")
    {
        return Err(StoreError::NotFound);
    }
    let police = r.kind == "police";
    let (from_states, to_state, action): (&[&str], &str, &str) = match (response, police) {
        (Response::Acknowledge, _) => (&["sent"], "acknowledged", "referral_acknowledged"),
        (Response::Accept, false) => (&["sent", "acknowledged"], "accepted", "referral_accepted"),
        (Response::Return, false) => (&["sent", "acknowledged"], "returned", "referral_returned"),
        (Response::File, true) => (
            &["sent", "acknowledged", "reconsider"],
            "filed",
            "police_filed",
        ),
        (Response::Refuse, true) => (
            &["sent", "acknowledged", "reconsider"],
            "refused",
            "police_refused",
        ),
        _ => return Err(StoreError::invalid("答复", "该移送不能这样答复")),
    };
    if !from_states.contains(&r.state.as_str()) {
        return Err(StoreError::invalid(
            "移送状态",
            format!("移送当前为“{}”", r.state_zh()),
        ));
    }
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
        .bind(&r.state);
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
            before: Some(serde_json::json!({"state": r.state})),
            after: Some(serde_json::json!({"state": to_state, "note": note})),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
