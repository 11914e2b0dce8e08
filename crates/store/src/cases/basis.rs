//! 法律依据: the maintained list of provisions (seeded from `DOMAIN.md` §8; administrators add,
//! correct and retire entries) and the provisions a case applies.

use meijian_domain::case::workflow::CaseStep;
use meijian_domain::case::CaseAction;
use meijian_domain::role::Permission;
use serde::Serialize;
use time::OffsetDateTime;

use super::open::{checked_basis, text};
use super::workflow::{audit_step, bump, event, permitted};
use crate::{audit, new_id, timefmt, Scope, Store, StoreError};

/// One provision.
#[derive(Clone, Debug, Serialize, sqlx::FromRow)]
pub struct LegalBasis {
    pub id: String,
    /// e.g. 基本医疗卫生与健康促进法.
    pub law: String,
    /// e.g. 第九十九条.
    pub article: String,
    /// The conduct it covers.
    pub content: String,
    /// The penalty it provides.
    pub penalty: String,
    /// 0 where the reference marks the provision unverified.
    pub verified: i64,
    pub retired_at: Option<String>,
}

impl LegalBasis {
    /// 《法》第N条.
    pub fn citation(&self) -> String {
        format!("《{}》{}", self.law, self.article)
    }
}

const COLUMNS: &str = "id, law, article, content, penalty, verified, retired_at";

/// The current list (retired entries too when `all`).
#[tracing::instrument(skip_all)]
pub async fn list(store: &Store, all: bool) -> Result<Vec<LegalBasis>, StoreError> {
    let sql = format!(
        "select {COLUMNS} from legal_basis {} order by law, id",
        if all { "" } else { "where retired_at is null" }
    );
    Ok(sqlx::query_as(&sql).fetch_all(store.pool()).await?)
}

/// The provisions a case applies.
#[tracing::instrument(skip_all)]
pub async fn of_case(store: &Store, case_id: &str) -> Result<Vec<LegalBasis>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "select {} from legal_basis b join case_basis cb on cb.basis_id = b.id \
         where cb.case_id = $1 order by b.law, b.id",
        COLUMNS
            .split(", ")
            .map(|c| format!("b.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
    .bind(case_id)
    .fetch_all(store.pool())
    .await?)
}

/// Replaces the provisions a case applies.
#[tracing::instrument(skip_all)]
pub async fn set_for_case(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    case_id: &str,
    version: i64,
    ids: &[String],
) -> Result<(), StoreError> {
    let (case, _) = permitted(store, scope, now, case_id, version, CaseStep::Basis).await?;
    checked_basis(store, ids).await?;
    let mut tx = store.begin().await?;
    bump(&mut tx, &case, now, None).await?;
    sqlx::query("delete from case_basis where case_id = $1")
        .bind(&case.id)
        .execute(&mut *tx)
        .await?;
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    for id in &ids {
        sqlx::query("insert into case_basis (case_id, basis_id) values ($1, $2)")
            .bind(&case.id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    event(
        &mut tx,
        &case.id,
        now,
        CaseAction::BasisChanged,
        scope,
        Some(&ids.join("、")),
    )
    .await?;
    audit_step(
        &mut tx,
        scope,
        now,
        &case,
        "case.basis",
        serde_json::json!({"basis": ids}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A provision as an administrator enters it.
#[derive(Clone, Debug)]
pub struct BasisInput {
    pub law: String,
    pub article: String,
    pub content: String,
    pub penalty: String,
    pub verified: bool,
}

/// Adds a provision to the list (an administrator). Returns its id.
#[tracing::instrument(skip_all)]
pub async fn add(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    input: &BasisInput,
) -> Result<String, StoreError> {
    scope.require(Permission::ManageSettings)?;
    let law = text("法律法规名称", &input.law, 2, 100)?;
    let article = text("条款", &input.article, 2, 50)?;
    let content = text("违法行为", &input.content, 2, 500)?;
    let penalty = text("处罚规定", &input.penalty, 2, 2000)?;
    let id = format!("LB{}", &new_id()[..12]);
    let mut tx = store.begin().await?;
    sqlx::query(
        "insert into legal_basis (id, law, article, content, penalty, verified, retired_at, \
         updated_by, updated_at) values ($1, $2, $3, $4, $5, $6, null, $7, $8)",
    )
    .bind(&id)
    .bind(law)
    .bind(article)
    .bind(content)
    .bind(penalty)
    .bind(i64::from(input.verified))
    .bind(&scope.actor.name)
    .bind(timefmt::to_db(now))
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        audit::Change {
            action: "legal_basis.add",
            entity: "legal_basis",
            entity_id: &id,
            region_code: None,
            before: None,
            after: Some(
                serde_json::json!({"law": law, "article": article, "verified": input.verified}),
            ),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Retires a provision: cases that cite it keep it, new ones cannot choose it.
#[tracing::instrument(skip_all)]
pub async fn retire(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    id: &str,
) -> Result<(), StoreError> {
    scope.require(Permission::ManageSettings)?;
    let mut tx = store.begin().await?;
    let n = sqlx::query(
        "update legal_basis set retired_at = $1, updated_by = $2, updated_at = $1 \
         where id = $3 and retired_at is null",
    )
    .bind(timefmt::to_db(now))
    .bind(&scope.actor.name)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        audit::Change {
            action: "legal_basis.retire",
            entity: "legal_basis",
            entity_id: id,
            region_code: None,
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
