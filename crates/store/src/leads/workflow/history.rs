//! The history of a lead (办理记录): every step, who took it, and whether the reporter sees it.

use time::OffsetDateTime;

use crate::leads::Lead;
use crate::{new_id, timefmt, Actor, Store, StoreError, Tx};

/// Appends a history event. `public` events are shown to the reporter on the status page.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn event(
    tx: &mut Tx,
    lead_id: &str,
    now: OffsetDateTime,
    action: &str,
    actor: &Actor,
    department_id: Option<&str>,
    note: Option<&str>,
    public: bool,
) -> Result<(), StoreError> {
    sqlx::query(
        "insert into lead_event (id, lead_id, at, action, actor_id, actor_name, department_id, \
         note, public) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(lead_id)
    .bind(timefmt::to_db(now))
    .bind(action)
    .bind(&actor.account_id)
    .bind(&actor.name)
    .bind(department_id)
    .bind(note)
    .bind(i64::from(public))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One history event, for the lead page.
#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow)]
pub struct Event {
    pub at: String,
    pub action: String,
    pub actor_name: String,
    pub note: Option<String>,
    pub public: i64,
}

impl Event {
    /// The step in Chinese.
    pub fn action_zh(&self) -> &'static str {
        action_zh(&self.action)
    }
}

/// Chinese name of a history action.
pub fn action_zh(action: &str) -> &'static str {
    match action {
        "received" => "收到投诉举报",
        "recorded" => "登记线索",
        "accepted" => "受理",
        "declined" => "不予受理",
        "verified" => "核查",
        "concluded" => "办结",
        "replied" => "答复",
        "satisfaction" => "满意度回访",
        "supervised" => "督办",
        "extension_requested" => "申请延期",
        "extension_granted" => "批准延期",
        "extension_refused" => "不批准延期",
        "linked" => "关联主体",
        "grouped" => "合并办理",
        "referred" => "移送",
        "referral_acknowledged" => "签收移送",
        "referral_accepted" => "接收移送",
        "referral_returned" => "退回移送",
        "police_filed" => "公安立案",
        "police_refused" => "公安不予立案",
        "police_approved" => "批准移送公安",
        "police_withdrawn" => "不批准移送公安",
        "police_reconsider" => "申请复议",
        "reward" => "举报奖励",
        _ => "其他",
    }
}

/// The history of a lead the caller may see.
/// `lead` comes from [`crate::leads::get`] or [`crate::leads::list`], so the caller may see it.
#[tracing::instrument(skip_all)]
pub async fn events(store: &Store, lead: &Lead) -> Result<Vec<Event>, StoreError> {
    Ok(sqlx::query_as::<_, Event>(
        "select at, action, actor_name, note, public from lead_event where lead_id = $1 \
         order by at, id",
    )
    .bind(&lead.id)
    .fetch_all(store.pool())
    .await?)
}
