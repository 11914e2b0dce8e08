//! 线索台账: complaints and other leads, from intake to the reply to the reporter.
//!
//! Who sees a lead: the department handling it, the departments on its referrals (sender,
//! receiver, the procuratorate copied), and leaders (督办) of the jurisdiction where it
//! happened. Only officers of the handling department read the reporter's name, phone and
//! address; everyone else gets them masked, and nothing here ever writes them to the audit
//! log. An id outside what the caller may see is [`StoreError::NotFound`].

pub mod batch;
pub mod deadlines;
pub mod demo;
pub mod detail;
pub mod intake;
pub mod referral;
pub mod reward;
pub mod routing;
pub mod stats;
pub mod status;
pub mod suggest;
pub mod workflow;

use meijian_domain::lead::{mask, Category, LeadKind, LeadState, Source};
use meijian_domain::role::Permission;
use serde::Serialize;

use crate::{Scope, Store, StoreError};

/// A lead as stored, with the name of the department handling it.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct Lead {
    pub id: String,
    pub code: String,
    pub kind: String,
    pub source: String,
    pub category: String,
    pub region_code: String,
    pub department_id: String,
    pub department_name: String,
    pub state: String,
    pub subject_name: String,
    pub subject_address: Option<String>,
    pub operator_id: Option<String>,
    pub operator_name: Option<String>,
    pub group_id: Option<String>,
    pub summary: String,
    pub received_at: String,
    pub accept_due: Option<String>,
    pub verify_due: Option<String>,
    pub conclude_due: Option<String>,
    pub reply_due: Option<String>,
    pub accepted_at: Option<String>,
    pub decline_reason: Option<String>,
    pub declined_at: Option<String>,
    pub verified_at: Option<String>,
    pub finding: Option<String>,
    pub verification_note: Option<String>,
    pub concluded_at: Option<String>,
    pub outcome: Option<String>,
    pub conclusion_note: Option<String>,
    pub fine_yuan: i64,
    pub confiscation_yuan: i64,
    pub suspended_or_revoked: i64,
    pub party_organisation: i64,
    pub replied_at: Option<String>,
    pub reply_text: Option<String>,
    pub satisfaction: Option<String>,
    pub next_due: Option<String>,
    pub next_step: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// The columns of [`Lead`], for `select {LEAD_COLUMNS} from lead l join department d …`.
pub(crate) const LEAD_COLUMNS: &str = "l.id, l.code, l.kind, l.source, l.category, \
    l.region_code, l.department_id, d.name as department_name, l.state, l.subject_name, \
    l.subject_address, l.operator_id, l.operator_name, l.group_id, l.summary, l.received_at, \
    l.accept_due, l.verify_due, l.conclude_due, l.reply_due, l.accepted_at, l.decline_reason, l.declined_at, \
    l.verified_at, l.finding, l.verification_note, l.concluded_at, l.outcome, l.conclusion_note, \
    l.fine_yuan, l.confiscation_yuan, l.suspended_or_revoked, l.party_organisation, \
    l.replied_at, l.reply_text, l.satisfaction, l.next_due, l.next_step, l.created_at, \
    l.updated_at";

impl Lead {
    pub fn state(&self) -> LeadState {
        LeadState::from_code(&self.state).unwrap_or(LeadState::Received)
    }
    pub fn state_zh(&self) -> &'static str {
        self.state().label_zh()
    }
    pub fn kind_zh(&self) -> &'static str {
        LeadKind::from_code(&self.kind).map_or("", |k| k.label_zh())
    }
    pub fn source_zh(&self) -> &'static str {
        Source::from_code(&self.source).map_or("", |k| k.label_zh())
    }
    pub fn category_zh(&self) -> &'static str {
        Category::from_code(&self.category).map_or("", |k| k.label_zh())
    }
    /// The lead whose verification answers this one: its group's first, or itself.
    pub fn primary_id(&self) -> &str {
        self.group_id.as_deref().unwrap_or(&self.id)
    }
    /// Whether another lead's verification answers this one.
    pub fn is_grouped_member(&self) -> bool {
        self.group_id.as_deref().is_some_and(|g| g != self.id)
    }
}

/// The reporter as the caller may see them.
#[derive(Clone, Debug, Serialize)]
pub struct ReporterView {
    pub name: String,
    pub phone: String,
    pub address: String,
    pub email: String,
    /// True when the fields are masked for this caller.
    pub masked: bool,
}

impl ReporterView {
    pub(crate) fn new(
        name: String,
        phone: String,
        address: Option<String>,
        email: Option<String>,
        reveal: bool,
    ) -> ReporterView {
        let address = address.unwrap_or_default();
        let email = email.unwrap_or_default();
        if reveal {
            ReporterView {
                name,
                phone,
                address,
                email,
                masked: false,
            }
        } else {
            ReporterView {
                name: mask::name(&name),
                phone: mask::phone(&phone),
                address: mask::address(&address),
                email: if email.is_empty() {
                    email
                } else {
                    "****".into()
                },
                masked: true,
            }
        }
    }
}

/// A written field (a description, a reason, a reply), trimmed, between `min` and `max`
/// characters; otherwise "请写明{field}（min–max字）", with the count when it is too long.
pub(crate) fn written<'a>(
    field: &'static str,
    text: &'a str,
    min: usize,
    max: usize,
) -> Result<&'a str, StoreError> {
    let text = text.trim();
    let n = text.chars().count();
    if n < min || n > max {
        let range = if min <= 1 {
            format!("{max}字以内")
        } else {
            format!("{min}–{max}字")
        };
        let mut message = format!("请写明{field}（{range}）");
        if n > max {
            message.push_str(&format!("，现有{n}个字"));
        }
        return Err(StoreError::invalid(field, message));
    }
    Ok(text)
}

/// Another request changed the record first: `what` (e.g. 线索已被他人处理) and ask to reload.
pub(crate) fn stale(field: &'static str, what: &str) -> StoreError {
    StoreError::Conflict {
        field,
        message: format!("{what}，请刷新后再试"),
    }
}

/// Whether the scope's department handles the lead (and so may act on it and read the
/// reporter).
pub fn is_handler(scope: &Scope, lead: &Lead) -> bool {
    scope.can(Permission::HandleLeads)
        && scope.department_id.as_deref() == Some(lead.department_id.as_str())
}

/// The SQL condition for "the caller may see lead `l`". Binds, in order from `first`:
/// department id, sees-all flag (1/0), region lo, region hi.
pub(crate) fn visible_sql(first: usize) -> String {
    let (d, all, lo, hi) = (first, first + 1, first + 2, first + 3);
    format!(
        "(l.department_id = ${d} or exists (select 1 from lead_referral r where r.lead_id = l.id \
         and (r.from_department_id = ${d} or ((r.to_department_id = ${d} \
         or r.copy_department_id = ${d}) and r.state not in ('proposed', 'withdrawn')))) or (${all} = 1 and l.region_code between ${lo} and ${hi}))"
    )
}

/// The values for [`visible_sql`]'s binds.
pub(crate) fn visible_binds(scope: &Scope) -> (String, i64, String, String) {
    let (lo, hi) = scope.region_range();
    (
        scope.department_id.clone().unwrap_or_default(),
        i64::from(scope.can(Permission::SuperviseDeadlines) || scope.department_id.is_none()),
        lo.to_string(),
        hi.to_string(),
    )
}

/// One lead the caller may see.
pub async fn get(store: &Store, scope: &Scope, id: &str) -> Result<Lead, StoreError> {
    let (dept, all, lo, hi) = visible_binds(scope);
    let sql = format!(
        "select {LEAD_COLUMNS} from lead l join department d on d.id = l.department_id \
         where l.id = $1 and {}",
        visible_sql(2)
    );
    sqlx::query_as::<_, Lead>(&sql)
        .bind(id)
        .bind(dept)
        .bind(all)
        .bind(lo)
        .bind(hi)
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)
}

/// Which leads a list shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Due {
    /// Every lead.
    #[default]
    All,
    /// Still being worked.
    Open,
    /// Past a deadline.
    Overdue,
    /// A deadline within the warning window, not yet past.
    DueSoon,
    Closed,
}

/// Filters of the lead list.
#[derive(Clone, Debug, Default)]
pub struct LeadFilter {
    pub due: Due,
    pub category: Option<Category>,
    /// Only the caller's own department's leads.
    pub mine: bool,
    /// Part of the subject's name or the lead code.
    pub q: Option<String>,
    /// Only this department's leads (a leader's list per department).
    pub department_id: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

/// Leads the caller may see, most urgent first.
pub async fn list(
    store: &Store,
    scope: &Scope,
    filter: &LeadFilter,
    now: &str,
    warn_until: &str,
) -> Result<(Vec<Lead>, i64), StoreError> {
    if !scope.can(Permission::HandleLeads) {
        return Err(StoreError::Forbidden);
    }
    let (dept, all, lo, hi) = visible_binds(scope);
    let mut cond = visible_sql(1);
    let mut n = 5;
    let mut extra: Vec<String> = Vec::new();
    match filter.due {
        Due::All => {}
        Due::Open => cond.push_str(" and l.next_due is not null"),
        Due::Closed => {
            cond.push_str(" and l.state in ('declined', 'concluded') and l.next_due is null")
        }
        Due::Overdue => {
            cond.push_str(&format!(" and l.next_due < ${n}"));
            extra.push(now.to_string());
            n += 1;
        }
        Due::DueSoon => {
            cond.push_str(&format!(
                " and l.next_due >= ${n} and l.next_due <= ${}",
                n + 1
            ));
            extra.push(now.to_string());
            extra.push(warn_until.to_string());
            n += 2;
        }
    }
    if let Some(c) = filter.category {
        cond.push_str(&format!(" and l.category = ${n}"));
        extra.push(c.code().to_string());
        n += 1;
    }
    if filter.mine {
        cond.push_str(&format!(" and l.department_id = ${n}"));
        extra.push(dept.clone());
        n += 1;
    }
    if let Some(d) = &filter.department_id {
        cond.push_str(&format!(" and l.department_id = ${n}"));
        extra.push(d.clone());
        n += 1;
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let esc = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        cond.push_str(&format!(
            " and (l.subject_name like ${n} escape '\\' or l.code like ${n} escape '\\')"
        ));
        extra.push(format!("%{esc}%"));
        n += 1;
    }
    let count_sql = format!("select count(*) from lead l where {cond}");
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql)
        .bind(&dept)
        .bind(all)
        .bind(&lo)
        .bind(&hi);
    for v in &extra {
        count = count.bind(v);
    }
    let total = count.fetch_one(store.pool()).await?;
    let sql = format!(
        "select {LEAD_COLUMNS} from lead l join department d on d.id = l.department_id \
         where {cond} order by case when l.next_due is null then 1 else 0 end, l.next_due, \
         l.received_at desc limit ${n} offset ${}",
        n + 1
    );
    let mut q = sqlx::query_as::<_, Lead>(&sql)
        .bind(&dept)
        .bind(all)
        .bind(&lo)
        .bind(&hi);
    for v in &extra {
        q = q.bind(v);
    }
    let limit = if filter.limit <= 0 {
        50
    } else {
        filter.limit.min(500)
    };
    let rows = q
        .bind(limit)
        .bind(filter.offset.max(0))
        .fetch_all(store.pool())
        .await?;
    Ok((rows, total))
}
