//! 案件 (administrative cases): a case with its parties, penalty actions, legal basis, evidence,
//! the leads it came from and its history. The workflow is the domain's table
//! (`meijian_domain::case::workflow`); [`workflow::act`] is its one entry point.
//!
//! Who sees a case: the handling department, a department it is shared with (联合办案), and
//! leaders and analysts of its district's jurisdiction.

pub mod basis;
pub mod evidence;
pub mod import;
pub mod legacy;
pub mod open;
pub mod parties;
pub mod share;
pub mod stats;
pub mod transfer;
pub mod typical;
pub mod workflow;

use meijian_domain::case::{CaseOrigin, CaseSource, PartyKind, PenaltyKind, Severity, Stage};
use meijian_domain::lead::{Category, ExtensionState, Fen};
use meijian_domain::role::Permission;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::sql::Query;
use crate::stored::At;
use crate::{timefmt, Scope, Store, StoreError};

/// A case as officers read it.
#[derive(Clone, Debug, Serialize)]
pub struct Case {
    pub id: String,
    /// 案件编号.
    pub case_no: String,
    pub title: String,
    pub category: Category,
    pub origin: CaseOrigin,
    pub stage: Stage,
    pub region_code: String,
    /// The handling department; `None` for a history case whose 办案机关 is not one of ours.
    pub department_id: Option<String>,
    /// 办案机关, as the department is named (or the history file wrote it).
    pub authority: String,
    pub violation: String,
    #[serde(with = "timefmt::as_day")]
    pub filed_on: Date,
    /// The decision limit; `None` once decided, or for history cases.
    #[serde(with = "timefmt::as_stored::option")]
    pub decide_due: Option<OffsetDateTime>,
    pub extension_state: Option<ExtensionState>,
    pub extension_reason: Option<String>,
    #[serde(with = "timefmt::as_day::option")]
    pub notified_on: Option<Date>,
    /// The party asked for a hearing (听证) after the notice.
    pub hearing: bool,
    pub defence_note: Option<String>,
    #[serde(with = "timefmt::as_day::option")]
    pub decided_on: Option<Date>,
    #[serde(with = "timefmt::as_day::option")]
    pub closed_on: Option<Date>,
    pub close_note: Option<String>,
    #[serde(with = "timefmt::as_stored::option")]
    pub withdrawn_at: Option<OffsetDateTime>,
    pub withdraw_reason: Option<String>,
    pub source: CaseSource,
    pub created_by: String,
    #[serde(with = "timefmt::as_stored")]
    pub created_at: OffsetDateTime,
    #[serde(with = "timefmt::as_stored")]
    pub updated_at: OffsetDateTime,
    /// Changes name the version they saw; a stale one is refused (two officers, one case).
    pub version: i64,
}

impl Case {
    /// Past its decision limit without a decision.
    pub fn overdue(&self, now: OffsetDateTime) -> bool {
        self.stage.before_decision() && self.decide_due.is_some_and(|d| d < now)
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct CaseRow {
    id: String,
    case_no: String,
    title: String,
    category: String,
    origin: String,
    stage: String,
    region_code: String,
    department_id: Option<String>,
    authority: String,
    violation: String,
    filed_on: String,
    decide_due: Option<String>,
    extension_state: Option<String>,
    extension_reason: Option<String>,
    notified_on: Option<String>,
    hearing: i64,
    defence_note: Option<String>,
    decided_on: Option<String>,
    closed_on: Option<String>,
    close_note: Option<String>,
    withdrawn_at: Option<String>,
    withdraw_reason: Option<String>,
    source: String,
    created_by: String,
    created_at: String,
    updated_at: String,
    version: i64,
}

pub(crate) const COLUMNS: &str = "c.id, c.case_no, c.title, c.category, c.origin, c.stage, \
    c.region_code, c.department_id, c.authority, c.violation, c.filed_on, c.decide_due, \
    c.extension_state, c.extension_reason, c.notified_on, c.hearing, c.defence_note, \
    c.decided_on, c.closed_on, c.close_note, c.withdrawn_at, c.withdraw_reason, c.source, \
    c.created_by, c.created_at, c.updated_at, c.version";

impl CaseRow {
    pub(crate) fn decode(self) -> Result<Case, StoreError> {
        let at = At::new("enforcement_case", &self.id);
        Ok(Case {
            category: at.code("category", &self.category, Category::from_code)?,
            origin: at.code("origin", &self.origin, CaseOrigin::from_code)?,
            stage: at.code("stage", &self.stage, Stage::from_code)?,
            filed_on: at.date("filed_on", &self.filed_on)?,
            decide_due: at.time_opt("decide_due", self.decide_due.as_deref())?,
            extension_state: at.code_opt(
                "extension_state",
                self.extension_state.as_deref(),
                ExtensionState::from_code,
            )?,
            notified_on: at.date_opt("notified_on", self.notified_on.as_deref())?,
            decided_on: at.date_opt("decided_on", self.decided_on.as_deref())?,
            closed_on: at.date_opt("closed_on", self.closed_on.as_deref())?,
            withdrawn_at: at.time_opt("withdrawn_at", self.withdrawn_at.as_deref())?,
            source: at.code("source", &self.source, CaseSource::from_code)?,
            created_at: at.time("created_at", &self.created_at)?,
            updated_at: at.time("updated_at", &self.updated_at)?,
            hearing: self.hearing != 0,
            id: self.id,
            case_no: self.case_no,
            title: self.title,
            region_code: self.region_code,
            department_id: self.department_id,
            authority: self.authority,
            violation: self.violation,
            extension_reason: self.extension_reason,
            defence_note: self.defence_note,
            close_note: self.close_note,
            withdraw_reason: self.withdraw_reason,
            created_by: self.created_by,
            version: self.version,
        })
    }
}

/// A party (当事人) of a case.
#[derive(Clone, Debug, Serialize)]
pub struct Party {
    pub id: String,
    pub case_id: String,
    pub seq: i64,
    pub kind: PartyKind,
    pub name: String,
    /// USCC or ID number. A person's is masked wherever it is shown.
    pub id_number: Option<String>,
    /// 主体编号 in the 主体库.
    pub operator_id: Option<String>,
    pub severity: Option<Severity>,
    pub severity_reason: Option<String>,
}

#[derive(sqlx::FromRow)]
struct PartyRow {
    id: String,
    case_id: String,
    seq: i64,
    kind: String,
    name: String,
    id_number: Option<String>,
    operator_id: Option<String>,
    severity: Option<String>,
    severity_reason: Option<String>,
}

impl PartyRow {
    fn decode(self) -> Result<Party, StoreError> {
        let at = At::new("case_party", &self.id);
        Ok(Party {
            kind: at.code("kind", &self.kind, PartyKind::from_code)?,
            severity: at.code_opt("severity", self.severity.as_deref(), Severity::from_code)?,
            id: self.id,
            case_id: self.case_id,
            seq: self.seq,
            name: self.name,
            id_number: self.id_number,
            operator_id: self.operator_id,
            severity_reason: self.severity_reason,
        })
    }
}

/// One penalty action (处罚决定) against one party.
#[derive(Clone, Debug, Serialize)]
pub struct Action {
    pub id: String,
    /// 处罚编号.
    pub penalty_no: String,
    pub case_id: String,
    pub party_id: String,
    pub kind: PenaltyKind,
    pub amount: Fen,
    pub ban_years: Option<i64>,
    #[serde(with = "timefmt::as_day")]
    pub decided_on: Date,
    pub decision_no: String,
}

#[derive(sqlx::FromRow)]
struct ActionRow {
    id: String,
    penalty_no: String,
    case_id: String,
    party_id: String,
    kind: String,
    amount_fen: i64,
    ban_years: Option<i64>,
    decided_on: String,
    decision_no: String,
}

impl ActionRow {
    fn decode(self) -> Result<Action, StoreError> {
        let at = At::new("case_action", &self.id);
        Ok(Action {
            kind: at.code("kind", &self.kind, PenaltyKind::from_code)?,
            decided_on: at.date("decided_on", &self.decided_on)?,
            amount: Fen(self.amount_fen),
            id: self.id,
            penalty_no: self.penalty_no,
            case_id: self.case_id,
            party_id: self.party_id,
            ban_years: self.ban_years,
            decision_no: self.decision_no,
        })
    }
}

/// ` and (the caller may see case c)`. Leaders, analysts and the system see every case of their
/// jurisdiction; a department sees the cases it handles and those shared with it.
pub(crate) fn visible(scope: &Scope) -> Query {
    let mut q = Query::default();
    if scope.department_id.is_none()
        || scope.can(Permission::SuperviseDeadlines)
        || scope.can(Permission::ViewStatistics)
    {
        q.in_scope("c.region_code", scope);
        return q;
    }
    let dept = scope.department_id.clone().unwrap_or_default();
    q.push(" and (c.department_id = ")
        .bind(&dept)
        .push(
            " or c.id in (select g.case_id from case_grant g where g.revoked_at is null \
             and g.department_id = ",
        )
        .bind(&dept)
        .push("))");
    q
}

/// Whether the scope may read cases at all: institutions and the public may not.
fn may_read(scope: &Scope) -> Result<(), StoreError> {
    if scope.operator_id.is_some()
        || !(scope.can(Permission::HandleLeads) || scope.can(Permission::ViewStatistics))
    {
        return Err(StoreError::Forbidden);
    }
    Ok(())
}

/// The case `id`, if the scope may see it.
#[tracing::instrument(skip_all)]
pub async fn get(store: &Store, scope: &Scope, id: &str) -> Result<Case, StoreError> {
    may_read(scope)?;
    let mut q = Query::new(&format!(
        "select {COLUMNS} from enforcement_case c where c.id = "
    ));
    q.bind(id).append(&visible(scope));
    q.fetch_optional::<CaseRow, _>(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?
        .decode()
}

/// The parties of a case, in order.
#[tracing::instrument(skip_all)]
pub async fn parties(store: &Store, case_id: &str) -> Result<Vec<Party>, StoreError> {
    sqlx::query_as::<_, PartyRow>(
        "select id, case_id, seq, kind, name, id_number, operator_id, severity, severity_reason \
         from case_party where case_id = $1 order by seq",
    )
    .bind(case_id)
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .map(PartyRow::decode)
    .collect()
}

/// The penalty actions of a case, by party then date.
#[tracing::instrument(skip_all)]
pub async fn actions(store: &Store, case: &Case) -> Result<Vec<Action>, StoreError> {
    sqlx::query_as::<_, ActionRow>(
        "select a.id, a.penalty_no, a.case_id, a.party_id, a.kind, a.amount_fen, a.ban_years, \
         a.decided_on, a.decision_no from case_action a join case_party p on p.id = a.party_id \
         where a.case_id = $1 order by p.seq, a.decided_on, a.penalty_no",
    )
    .bind(&case.id)
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .map(ActionRow::decode)
    .collect()
}

/// One event of a case's history.
#[derive(Clone, Debug, Serialize)]
pub struct Event {
    #[serde(with = "timefmt::as_stored")]
    pub at: OffsetDateTime,
    pub action: meijian_domain::case::CaseAction,
    pub actor_name: String,
    pub note: Option<String>,
}

/// Who did what when, in order.
#[tracing::instrument(skip_all)]
pub async fn events(store: &Store, case: &Case) -> Result<Vec<Event>, StoreError> {
    let rows: Vec<(String, String, String, String, Option<String>)> = sqlx::query_as(
        "select id, at, action, actor_name, note from case_event where case_id = $1 \
         order by at, id",
    )
    .bind(&case.id)
    .fetch_all(store.pool())
    .await?;
    rows.into_iter()
        .map(|(id, at_text, action, actor_name, note)| {
            let at = At::new("case_event", &id);
            Ok(Event {
                at: at.time("at", &at_text)?,
                action: at.code(
                    "action",
                    &action,
                    meijian_domain::case::CaseAction::from_code,
                )?,
                actor_name,
                note,
            })
        })
        .collect()
}

/// The leads a case came from: (lead id, 线索编号).
#[tracing::instrument(skip_all)]
pub async fn leads(store: &Store, case: &Case) -> Result<Vec<(String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "select l.id, l.code from case_lead cl join lead l on l.id = cl.lead_id \
         where cl.case_id = $1 order by l.code",
    )
    .bind(&case.id)
    .fetch_all(store.pool())
    .await?)
}

/// Which cases a list shows.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// A region inside the jurisdiction: the cases of it and below.
    pub region: Option<String>,
    pub stage: Option<Stage>,
    pub category: Option<Category>,
    pub origin: Option<CaseOrigin>,
    /// Only cases past their decision limit.
    pub overdue: bool,
    /// Case number, title or party name contains.
    pub text: Option<String>,
    /// Cases with this operator as a party.
    pub operator_id: Option<String>,
}

/// One row of a case list.
#[derive(Clone, Debug, Serialize)]
pub struct ListRow {
    pub case: Case,
    /// The parties' names, '、'-joined.
    pub parties: String,
    /// 罚款 + 没收违法所得 decided.
    pub forfeiture: Fen,
}

#[derive(sqlx::FromRow)]
struct ListSqlRow {
    #[sqlx(flatten)]
    case: CaseRow,
    party_name: Option<String>,
    party_count: i64,
    forfeiture_fen: i64,
}

impl Filter {
    fn conditions(&self, scope: &Scope, now: OffsetDateTime) -> Result<Query, StoreError> {
        let mut q = visible(scope);
        if let Some(region) = &self.region {
            let region = meijian_domain::region::RegionCode::parse(region)
                .map_err(|_| StoreError::invalid("地区", "行政区划代码应为6位数字"))?;
            let (lo, hi) = meijian_domain::region::Jurisdiction::new(region).code_range();
            if region_is_leaf(&lo, &hi) {
                q.and("c.region_code =", lo);
            } else {
                q.in_range("c.region_code", (&lo, &hi));
            }
        }
        if let Some(stage) = self.stage {
            q.and("c.stage =", stage.code());
        }
        if let Some(category) = self.category {
            q.and("c.category =", category.code());
        }
        if let Some(origin) = self.origin {
            q.and("c.origin =", origin.code());
        }
        if self.overdue {
            q.push(" and c.stage in ('filed', 'investigating', 'notified')")
                .and("c.decide_due <", timefmt::to_db(now));
        }
        if let Some(text) = self
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let like = format!("%{}%", text.replace(['%', '_'], ""));
            q.push(" and (c.case_no like ")
                .bind(&like)
                .push(" or c.title like ")
                .bind(&like)
                .push(" or c.id in (select p.case_id from case_party p where p.name like ")
                .bind(&like)
                .push("))");
        }
        if let Some(op) = &self.operator_id {
            q.push(" and c.id in (select p.case_id from case_party p where p.operator_id = ")
                .bind(op)
                .push(")");
        }
        Ok(q)
    }
}

/// A county-level code (`xxxxyy`, `yy` ≠ 00) has no regions below it: compare by equality,
/// which lets the list index serve the order.
fn region_is_leaf(lo: &str, hi: &str) -> bool {
    lo == hi
}

/// A page of cases, newest 立案 first, and how many match.
#[tracing::instrument(skip_all)]
pub async fn list(
    store: &Store,
    scope: &Scope,
    filter: &Filter,
    now: OffsetDateTime,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ListRow>, i64), StoreError> {
    may_read(scope)?;
    let conds = filter.conditions(scope, now)?;
    let mut count = Query::new("select count(*) from enforcement_case c where 1 = 1");
    count.append(&conds);
    let total: i64 = count.fetch_scalar(store.pool()).await?;
    let mut page = Query::new(&format!(
        "select {COLUMNS}, \
         (select min(p.name) from case_party p where p.case_id = c.id) as party_name, \
         (select count(*) from case_party p where p.case_id = c.id) as party_count, \
         cast(coalesce((select sum(a.amount_fen) from case_action a where a.case_id = c.id \
         and a.kind in ('fine', 'confiscate_income')), 0) as bigint) as forfeiture_fen \
         from enforcement_case c where c.id in (select c.id from enforcement_case c where 1 = 1"
    ));
    // The page's ids first, from the index alone; then their columns and sums. Otherwise SQLite
    // computes the columns of every row of a city before sorting (seconds at a million cases).
    page.append(&conds)
        .push(" order by c.filed_on desc, c.id desc")
        .page(limit, offset)
        .push(") order by c.filed_on desc, c.id desc");
    let rows = page
        .fetch_all::<ListSqlRow, _>(store.pool())
        .await?
        .into_iter()
        .map(|r| {
            let parties = match (r.party_name, r.party_count) {
                (Some(n), k) if k > 1 => format!("{n} 等{k}个"),
                (Some(n), _) => n,
                (None, _) => String::new(),
            };
            Ok(ListRow {
                case: r.case.decode()?,
                parties,
                forfeiture: Fen(r.forfeiture_fen),
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok((rows, total))
}

/// A 决定书 or 处罚 number is shown as written; a person's ID number is masked to its first
/// six and last four characters.
pub fn shown_id_number(kind: PartyKind, id_number: &str) -> String {
    match kind {
        PartyKind::Organisation => id_number.to_string(),
        PartyKind::Person => {
            let chars: Vec<char> = id_number.chars().collect();
            if chars.len() <= 10 {
                "*".repeat(chars.len())
            } else {
                let head: String = chars[..6].iter().collect();
                let tail: String = chars[chars.len() - 4..].iter().collect();
                format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
            }
        }
    }
}

/// Refuses a change that names a version other than the stored one.
pub(crate) fn stale() -> StoreError {
    StoreError::Conflict {
        field: "案件",
        message: "案件已被他人修改，请刷新页面查看最新内容后再操作".into(),
    }
}

/// A case in which an operator is a party, with what was decided against it (一户一档).
#[derive(Clone, Debug, Serialize)]
pub struct OperatorCase {
    pub case: Case,
    /// The actions against the operator, in date order.
    pub actions: Vec<Action>,
}

/// The cases the scope sees in which operator `operator_id` is a party, newest first.
#[tracing::instrument(skip_all)]
pub async fn of_operator(
    store: &Store,
    scope: &Scope,
    operator_id: &str,
) -> Result<Vec<OperatorCase>, StoreError> {
    may_read(scope)?;
    let mut q = Query::new(&format!(
        "select {COLUMNS} from enforcement_case c where c.id in \
         (select p.case_id from case_party p where p.operator_id = "
    ));
    q.bind(operator_id)
        .push(")")
        .append(&visible(scope))
        .push(" order by c.filed_on desc, c.id desc limit 200");
    let cases: Vec<Case> = q
        .fetch_all::<CaseRow, _>(store.pool())
        .await?
        .into_iter()
        .map(CaseRow::decode)
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(cases.len());
    for case in cases {
        let actions = sqlx::query_as::<_, ActionRow>(
            "select a.id, a.penalty_no, a.case_id, a.party_id, a.kind, a.amount_fen, a.ban_years, \
             a.decided_on, a.decision_no from case_action a join case_party p on p.id = a.party_id \
             where a.case_id = $1 and p.operator_id = $2 order by a.decided_on, a.penalty_no",
        )
        .bind(&case.id)
        .bind(operator_id)
        .fetch_all(store.pool())
        .await?
        .into_iter()
        .map(ActionRow::decode)
        .collect::<Result<_, _>>()?;
        out.push(OperatorCase { case, actions });
    }
    Ok(out)
}
