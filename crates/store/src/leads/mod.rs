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

use meijian_domain::lead::codes::NextStep;
use meijian_domain::lead::{
    mask, Category, Finding, LeadKind, LeadState, Outcome, Satisfaction, Source,
};
use meijian_domain::role::Permission;
use serde::Serialize;
use time::OffsetDateTime;

use crate::sql::Query;
use crate::stored::At;
use crate::{timefmt, Scope, Store, StoreError};

/// A lead as stored, with the name of the department handling it: codes decoded into the
/// domain's types, instants as times, money in fen. Read through [`LeadRow`], so an unknown
/// stored code is an error naming the lead ([`StoreError::Corrupt`]).
#[derive(Clone, Debug, Serialize)]
pub struct Lead {
    pub id: String,
    pub code: String,
    pub kind: LeadKind,
    pub source: Source,
    pub category: Category,
    pub region_code: String,
    pub department_id: String,
    pub department_name: String,
    pub state: LeadState,
    pub subject_name: String,
    pub subject_address: Option<String>,
    pub operator_id: Option<String>,
    pub operator_name: Option<String>,
    pub group_id: Option<String>,
    pub summary: String,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub accept_due: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub verify_due: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub conclude_due: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub reply_due: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub accepted_at: Option<OffsetDateTime>,
    pub decline_reason: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub declined_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub verified_at: Option<OffsetDateTime>,
    pub finding: Option<Finding>,
    pub verification_note: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub concluded_at: Option<OffsetDateTime>,
    pub outcome: Option<Outcome>,
    pub conclusion_note: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub replied_at: Option<OffsetDateTime>,
    pub reply_text: Option<String>,
    pub satisfaction: Option<Satisfaction>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_due: Option<OffsetDateTime>,
    /// The step the lead waits for, whose deadline is `next_due`.
    pub next_step: Option<NextStep>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A lead row as stored: text codes and RFC 3339 text, converted once by [`LeadRow::decode`].
#[derive(sqlx::FromRow)]
pub(crate) struct LeadRow {
    id: String,
    code: String,
    kind: String,
    source: String,
    category: String,
    region_code: String,
    department_id: String,
    department_name: String,
    state: String,
    subject_name: String,
    subject_address: Option<String>,
    operator_id: Option<String>,
    operator_name: Option<String>,
    group_id: Option<String>,
    summary: String,
    received_at: String,
    accept_due: Option<String>,
    verify_due: Option<String>,
    conclude_due: Option<String>,
    reply_due: Option<String>,
    accepted_at: Option<String>,
    decline_reason: Option<String>,
    declined_at: Option<String>,
    verified_at: Option<String>,
    finding: Option<String>,
    verification_note: Option<String>,
    concluded_at: Option<String>,
    outcome: Option<String>,
    conclusion_note: Option<String>,
    replied_at: Option<String>,
    reply_text: Option<String>,
    satisfaction: Option<String>,
    next_due: Option<String>,
    next_step: Option<String>,
    created_at: String,
    updated_at: String,
}

impl LeadRow {
    pub(crate) fn decode(self) -> Result<Lead, StoreError> {
        let id = self.id;
        let at = At::new("lead", &id);
        let lead = Lead {
            code: self.code,
            kind: at.code("kind", &self.kind, LeadKind::from_code)?,
            source: at.code("source", &self.source, Source::from_code)?,
            category: at.code("category", &self.category, Category::from_code)?,
            region_code: self.region_code,
            department_id: self.department_id,
            department_name: self.department_name,
            state: at.code("state", &self.state, LeadState::from_code)?,
            subject_name: self.subject_name,
            subject_address: self.subject_address,
            operator_id: self.operator_id,
            operator_name: self.operator_name,
            group_id: self.group_id,
            summary: self.summary,
            received_at: at.time("received_at", &self.received_at)?,
            accept_due: at.time_opt("accept_due", self.accept_due.as_deref())?,
            verify_due: at.time_opt("verify_due", self.verify_due.as_deref())?,
            conclude_due: at.time_opt("conclude_due", self.conclude_due.as_deref())?,
            reply_due: at.time_opt("reply_due", self.reply_due.as_deref())?,
            accepted_at: at.time_opt("accepted_at", self.accepted_at.as_deref())?,
            decline_reason: self.decline_reason,
            declined_at: at.time_opt("declined_at", self.declined_at.as_deref())?,
            verified_at: at.time_opt("verified_at", self.verified_at.as_deref())?,
            finding: at.code_opt("finding", self.finding.as_deref(), Finding::from_code)?,
            verification_note: self.verification_note,
            concluded_at: at.time_opt("concluded_at", self.concluded_at.as_deref())?,
            outcome: at.code_opt("outcome", self.outcome.as_deref(), Outcome::from_code)?,
            conclusion_note: self.conclusion_note,
            replied_at: at.time_opt("replied_at", self.replied_at.as_deref())?,
            reply_text: self.reply_text,
            satisfaction: at.code_opt(
                "satisfaction",
                self.satisfaction.as_deref(),
                Satisfaction::from_code,
            )?,
            next_due: at.time_opt("next_due", self.next_due.as_deref())?,
            next_step: at.code_opt("next_step", self.next_step.as_deref(), NextStep::from_code)?,
            created_at: at.time("created_at", &self.created_at)?,
            updated_at: at.time("updated_at", &self.updated_at)?,
            id: String::new(),
        };
        Ok(Lead { id, ..lead })
    }
}

/// Decodes fetched rows (see [`LeadRow::decode`]).
pub(crate) fn decode_all(rows: Vec<LeadRow>) -> Result<Vec<Lead>, StoreError> {
    rows.into_iter().map(LeadRow::decode).collect()
}

/// The columns of [`LeadRow`], for `select {LEAD_COLUMNS} from lead l join department d …`.
pub(crate) const LEAD_COLUMNS: &str = "l.id, l.code, l.kind, l.source, l.category, \
    l.region_code, l.department_id, d.name as department_name, l.state, l.subject_name, \
    l.subject_address, l.operator_id, l.operator_name, l.group_id, l.summary, l.received_at, \
    l.accept_due, l.verify_due, l.conclude_due, l.reply_due, l.accepted_at, l.decline_reason, l.declined_at, \
    l.verified_at, l.finding, l.verification_note, l.concluded_at, l.outcome, l.conclusion_note, \
    l.replied_at, l.reply_text, l.satisfaction, l.next_due, l.next_step, l.created_at, \
    l.updated_at";

impl Lead {
    pub fn state(&self) -> LeadState {
        self.state
    }
    pub fn state_zh(&self) -> &'static str {
        self.state.label_zh()
    }
    pub fn kind_zh(&self) -> &'static str {
        self.kind.label_zh()
    }
    pub fn source_zh(&self) -> &'static str {
        self.source.label_zh()
    }
    pub fn category_zh(&self) -> &'static str {
        self.category.label_zh()
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
         and (r.from_department_id = ${d} or r.to_department_id = ${d})) \
         or (${all} = 1 and l.region_code between ${lo} and ${hi}))"
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

/// ` and (the caller may see lead l)`, as a condition of a [`Query`]; see [`visible_sql`].
pub(crate) fn visible(scope: &Scope) -> Query {
    let (dept, all, lo, hi) = visible_binds(scope);
    let mut q = Query::new(" and (l.department_id = ");
    q.bind(&dept)
        .push(
            " or exists (select 1 from lead_referral r where r.lead_id = l.id \
             and (r.from_department_id = ",
        )
        .bind(&dept)
        .push(" or r.to_department_id = ")
        .bind(&dept)
        .push(")) or (")
        .bind(all)
        .push(" = 1 and l.region_code between ")
        .bind(lo)
        .push(" and ")
        .bind(hi)
        .push("))");
    q
}

/// One lead the caller may see.
#[tracing::instrument(skip_all)]
pub async fn get(store: &Store, scope: &Scope, id: &str) -> Result<Lead, StoreError> {
    let (dept, all, lo, hi) = visible_binds(scope);
    let sql = format!(
        "select {LEAD_COLUMNS} from lead l join department d on d.id = l.department_id \
         where l.id = $1 and {}",
        visible_sql(2)
    );
    sqlx::query_as::<_, LeadRow>(&sql)
        .bind(id)
        .bind(dept)
        .bind(all)
        .bind(lo)
        .bind(hi)
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?
        .decode()
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
#[tracing::instrument(skip_all)]
pub async fn list(
    store: &Store,
    scope: &Scope,
    filter: &LeadFilter,
    now: OffsetDateTime,
    warn_until: OffsetDateTime,
) -> Result<(Vec<Lead>, i64), StoreError> {
    let (now, warn_until) = (timefmt::to_db(now), timefmt::to_db(warn_until));
    if !scope.can(Permission::HandleLeads) {
        return Err(StoreError::Forbidden);
    }
    let mut cond = visible(scope);
    match filter.due {
        Due::All => {}
        Due::Open => {
            cond.push(" and l.next_due is not null");
        }
        Due::Closed => {
            cond.push(" and l.state in ('declined', 'concluded') and l.next_due is null");
        }
        Due::Overdue => {
            cond.and("l.next_due <", &now);
        }
        Due::DueSoon => {
            cond.and("l.next_due >=", &now)
                .and("l.next_due <=", &warn_until);
        }
    }
    if let Some(c) = filter.category {
        cond.and("l.category =", c.code());
    }
    if filter.mine {
        cond.and(
            "l.department_id =",
            scope.department_id.clone().unwrap_or_default(),
        );
    }
    if let Some(d) = &filter.department_id {
        cond.and("l.department_id =", d);
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let esc = q
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let pattern = format!("%{esc}%");
        cond.push(" and (l.subject_name like ")
            .bind(&pattern)
            .push(" escape '\\' or l.code like ")
            .bind(pattern)
            .push(" escape '\\')");
    }
    let total: i64 = Query::new("select count(*) from lead l where 1 = 1")
        .append(&cond)
        .fetch_scalar(store.pool())
        .await?;
    let limit = if filter.limit <= 0 {
        50
    } else {
        filter.limit.min(500)
    };
    let rows: Vec<LeadRow> = Query::new(&format!(
        "select {LEAD_COLUMNS} from lead l join department d on d.id = l.department_id \
         where 1 = 1"
    ))
    .append(&cond)
    .push(
        " order by case when l.next_due is null then 1 else 0 end, l.next_due, \
         l.received_at desc",
    )
    .page(limit, filter.offset.max(0))
    .fetch_all(store.pool())
    .await?;
    Ok((decode_all(rows)?, total))
}
