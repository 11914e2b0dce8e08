//! Reading the 主体库: one operator's file (一户一档) and the search of operators.

use meijian_domain::lead::{Category, LeadKind, LeadState};
use meijian_domain::operator::{EventKind, OperatorStatus};
use meijian_domain::region::{Jurisdiction, RegionCode};
use meijian_domain::role::Permission;
use meijian_linkage::Class;
use meijian_registry::RegistryKind;
use serde::Serialize;
use time::OffsetDateTime;

use super::{Operator, OperatorRecord, COLUMNS};
use crate::sql::Query;
use crate::stored::At;
use crate::{Scope, Store, StoreError};

/// An operator the scope may read, by id; a merged id is returned as stored (its
/// `merged_into` says where it went).
#[tracing::instrument(skip_all)]
pub async fn get(store: &Store, scope: &Scope, id: &str) -> Result<Operator, StoreError> {
    let record: OperatorRecord = Query::new(&format!("select {COLUMNS} from operator where id = "))
        .bind(id)
        .fetch_optional(store.pool())
        .await?
        .ok_or(StoreError::NotFound)?;
    let operator = Operator::try_from(record)?;
    if !scope.sees_operator(&operator.id, &operator.region_code) {
        return Err(StoreError::NotFound);
    }
    Ok(operator)
}

/// The operator an id stands for today: itself, or the one it was merged into.
#[tracing::instrument(skip_all)]
pub async fn resolve(store: &Store, scope: &Scope, id: &str) -> Result<Operator, StoreError> {
    let operator = get(store, scope, id).await?;
    match (&operator.status, &operator.merged_into) {
        (OperatorStatus::Merged, Some(into)) => get(store, scope, into).await,
        _ => Ok(operator),
    }
}

/// What an operator search shows.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// Part of a name, person or address; or a whole 主体编号 or 统一社会信用代码.
    pub q: Option<String>,
    /// A region inside the scope; its subtree.
    pub region: Option<String>,
    /// A class code, `out` for operators outside medical aesthetics.
    pub class: Option<String>,
    /// Merged operators too (they are left out otherwise).
    pub with_merged: bool,
    /// Provisional operators only.
    pub provisional_only: bool,
    /// Only operators whose 处置情况 matches (seed 002 task 11).
    pub disposal: Option<meijian_domain::disposal::DisposalFilter>,
}

impl Search {
    fn conditions(&self, scope: &Scope) -> Result<Query, StoreError> {
        let mut q = Query::default();
        match &self.region {
            Some(r) if scope.covers(r) => {
                let code = RegionCode::parse(r)
                    .map_err(|e| StoreError::invalid("行政区划", e.to_string()))?;
                let (lo, hi) = Jurisdiction::new(code).code_range();
                q.in_range("region_code", (&lo, &hi));
            }
            Some(_) => return Err(StoreError::NotFound),
            None => {
                q.in_scope("region_code", scope);
            }
        }
        if let Some(class) = &self.class {
            let code = match class.as_str() {
                "out" => "",
                code => Class::from_code(code)
                    .map(Class::code)
                    .ok_or_else(|| StoreError::invalid("分类", format!("没有“{code}”这一分类")))?,
            };
            q.and("class =", code);
        }
        if !self.with_merged {
            q.push(" and status <> 'merged'");
        }
        if self.provisional_only {
            q.push(" and origin = 'provisional'");
        }
        if let Some(text) = self.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            if text.chars().count() > 100 {
                return Err(StoreError::invalid("查询内容", "不能超过 100 个字"));
            }
            let like = format!("%{}%", text.replace(['%', '_'], ""));
            let exact = text.to_uppercase();
            q.push(" and (id = ")
                .bind(&exact)
                .push(" or uscc = ")
                .bind(&exact)
                .push(" or names like ")
                .bind(&like)
                .push(" or persons like ")
                .bind(&like)
                .push(" or addresses like ")
                .bind(&like)
                .push(")");
        }
        if let Some(filter) = self.disposal {
            q.append(&super::disposal::condition("id", "class", filter));
        }
        Ok(q)
    }
}

/// Operators matching a search in the scope, by district and name; `limit` from `offset`.
#[tracing::instrument(skip_all)]
pub async fn search(
    store: &Store,
    scope: &Scope,
    search: &Search,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Operator>, i64), StoreError> {
    scope.require(Permission::ViewRegistries)?;
    let conds = search.conditions(scope)?;
    let total: i64 = Query::new("select count(*) from operator where 1 = 1")
        .append(&conds)
        .fetch_scalar(store.pool())
        .await?;
    let rows: Vec<OperatorRecord> =
        Query::new(&format!("select {COLUMNS} from operator where 1 = 1"))
            .append(&conds)
            .push(" order by region_code, name, id")
            .page(limit, offset)
            .fetch_all(store.pool())
            .await?;
    let rows = rows
        .into_iter()
        .map(Operator::try_from)
        .collect::<Result<_, _>>()?;
    Ok((rows, total))
}

/// The class an operator had in one run.
#[derive(Debug, Clone, Serialize)]
pub struct ClassInRun {
    pub run_id: String,
    pub as_of: String,
    #[serde(with = "time::serde::rfc3339")]
    pub finished_at: OffsetDateTime,
    /// The id it had in that run (an operator merged into this one had its own).
    pub operator_id: String,
    #[serde(skip)]
    pub class: Option<Class>,
    pub members: i64,
}

impl ClassInRun {
    pub fn class_zh(&self) -> &'static str {
        self.class.map_or("非医美", Class::label_zh)
    }
}

/// The class of an operator (and of the operators merged into it) run by run, oldest first.
#[tracing::instrument(skip_all)]
pub async fn classes(store: &Store, operator: &Operator) -> Result<Vec<ClassInRun>, StoreError> {
    let rows: Vec<(String, String, String, String, String, i64)> = Query::new(
        "select r.id, r.as_of, r.finished_at, o.operator_id, o.class, o.members \
         from reconcile_operator o join reconcile_run r on r.id = o.run_id \
         where (o.operator_id = ",
    )
    .bind(&operator.id)
    .push(" or o.operator_id in (select id from operator where merged_into = ")
    .bind(&operator.id)
    .push(")) order by r.finished_at, r.id")
    .fetch_all(store.pool())
    .await?;
    rows.into_iter()
        .map(
            |(run_id, as_of, finished_at, operator_id, class, members)| {
                let at = At::new("reconcile_operator", &run_id);
                Ok(ClassInRun {
                    finished_at: at.time("finished_at", &finished_at)?,
                    class: match class.as_str() {
                        "" => None,
                        code => Some(at.code("class", code, Class::from_code)?),
                    },
                    run_id,
                    as_of,
                    operator_id,
                    members,
                })
            },
        )
        .collect()
}

/// One entry of an operator's history.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub kind: EventKind,
    pub other_id: Option<String>,
    pub run_id: Option<String>,
    pub note: String,
    pub actor_name: String,
}

/// An operator's history, newest first.
#[tracing::instrument(skip_all)]
pub async fn events(store: &Store, operator: &Operator) -> Result<Vec<Event>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        at: String,
        kind: String,
        other_id: Option<String>,
        run_id: Option<String>,
        note: String,
        actor_name: String,
    }
    let rows: Vec<Row> = Query::new(
        "select id, at, kind, other_id, run_id, note, actor_name from operator_event \
         where operator_id = ",
    )
    .bind(&operator.id)
    .push(" order by at desc, id desc")
    .fetch_all(store.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            let row = At::new("operator_event", &r.id);
            Ok(Event {
                at: row.time("at", &r.at)?,
                kind: row.code("kind", &r.kind, EventKind::from_code)?,
                other_id: r.other_id,
                run_id: r.run_id,
                note: r.note,
                actor_name: r.actor_name,
            })
        })
        .collect()
}

/// A registry record of an operator, from the newest run that has the operator.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    pub record_id: String,
    pub registry: RegistryKind,
    pub record_key: String,
    pub name: Option<String>,
    pub status: Option<String>,
    pub region_code: String,
    /// Versions imported (1 for a record never changed).
    pub version: i64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub missing_since: Option<OffsetDateTime>,
    /// Probability of the link that joined it, in thousandths.
    pub confidence: i64,
    pub evidence: String,
    pub run_id: String,
}

/// The operator's registry records as the newest run that has it joined them.
#[tracing::instrument(skip_all)]
pub async fn records(store: &Store, operator: &Operator) -> Result<Vec<Record>, StoreError> {
    type Row = (
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        i64,
        Option<String>,
        i64,
        String,
        String,
    );
    let rows: Vec<Row> = Query::new(
        "select r.id, r.registry, r.record_key, r.name, r.status, r.region_code, r.version, \
         r.missing_since, m.confidence, m.evidence, m.run_id \
         from reconcile_member m join registry_record r on r.id = m.record_id \
         where m.operator_id = ",
    )
    .bind(&operator.id)
    .push(
        " and m.run_id = (select o.run_id from reconcile_operator o \
         join reconcile_run x on x.id = o.run_id where o.operator_id = ",
    )
    .bind(&operator.id)
    .push(" order by x.finished_at desc, x.id desc limit 1) order by r.registry, r.record_key")
    .fetch_all(store.pool())
    .await?;
    rows.into_iter()
        .map(
            |(
                id,
                registry,
                key,
                name,
                status,
                region,
                version,
                missing,
                confidence,
                evidence,
                run,
            )| {
                let at = At::new("registry_record", &id);
                Ok(Record {
                    registry: at.code("registry", &registry, RegistryKind::from_code)?,
                    missing_since: at.time_opt("missing_since", missing.as_deref())?,
                    record_id: id,
                    record_key: key,
                    name,
                    status,
                    region_code: region,
                    version,
                    confidence,
                    evidence,
                    run_id: run,
                })
            },
        )
        .collect()
}

/// A lead about an operator, as its file lists it: no reporter, no summary.
#[derive(Debug, Clone, Serialize)]
pub struct LeadOf {
    pub id: String,
    pub code: String,
    pub kind: LeadKind,
    pub category: Category,
    pub state: LeadState,
    #[serde(with = "time::serde::rfc3339")]
    pub received_at: OffsetDateTime,
    pub department_name: String,
    /// Complaints from the public behind it (0 for an officer's clue).
    pub complaints: i64,
}

/// The leads about an operator (and operators merged into it, whose leads moved to it) in the
/// scope's jurisdiction, newest first, for those who work or watch leads. Each opens on the
/// lead page, which applies its own rule of who may read it.
#[tracing::instrument(skip_all)]
pub async fn leads(
    store: &Store,
    scope: &Scope,
    operator: &Operator,
) -> Result<Vec<LeadOf>, StoreError> {
    if !(scope.can(Permission::HandleLeads) || scope.can(Permission::ViewStatistics)) {
        return Ok(Vec::new());
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        code: String,
        kind: String,
        category: String,
        state: String,
        received_at: String,
        department_name: String,
        complaints: i64,
    }
    let rows: Vec<Row> = Query::new(
        "select l.id, l.code, l.kind, l.category, l.state, l.received_at, \
         d.name as department_name, \
         (select count(*) from complaint c where c.lead_id = l.id) as complaints \
         from lead l join department d on d.id = l.department_id where l.operator_id = ",
    )
    .bind(&operator.id)
    .in_scope("l.region_code", scope)
    .push(" order by l.received_at desc, l.id")
    .fetch_all(store.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            let at = At::new("lead", &r.id);
            Ok(LeadOf {
                kind: at.code("kind", &r.kind, LeadKind::from_code)?,
                category: at.code("category", &r.category, Category::from_code)?,
                state: at.code("state", &r.state, LeadState::from_code)?,
                received_at: at.time("received_at", &r.received_at)?,
                id: r.id,
                code: r.code,
                department_name: r.department_name,
                complaints: r.complaints,
            })
        })
        .collect()
}
