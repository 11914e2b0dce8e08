//! 典型案例 of a case (seed `003`, attachment 2): a decided or closed case written up as 案例名称,
//! 【案情介绍】, 【案件评析】 and 【思考建议】, at most 1,200 characters, with the names, addresses and
//! numbers of the enforcing body and the parties replaced (技术处理) before it is handed up.
//!
//! The text itself is the domain's (`meijian_domain::case::typical`); here the case record
//! becomes its [`TypicalCaseInput`] ([`input_of`]), and the draft is kept in `typical_case`.
//!
//! Who does what:
//! - reading ([`draft`]): anyone who may see the case ([`super::get`]); a case from another
//!   district is not found;
//! - writing the draft ([`save`]): the handling department only, as the workflow table's
//!   `Who::Handler` rows decide it ([`super::workflow::taker`]), with `HandleLeads`;
//! - publishing ([`publish`]): a leader (`SuperviseDeadlines`) whose jurisdiction covers the
//!   case — the same holder who presses and withdraws cases. Publishing is the review the seed
//!   asks for before a case is handed up: the leader reads the anonymised text with its list of
//!   replacements and publishes it; the anonymised text then replaces the draft, so no name is
//!   ever stored in a published case. Saving a published case again returns it to a draft,
//!   to be published again.
//!
//! Every save and publish names the version of the typical case the caller read
//! ([`Draft::version`], 0 before the first save) and raises it: a stale one is a
//! [`StoreError::Conflict`] and writes nothing, so two officers editing the same draft never
//! overwrite each other unseen.
//!
//! Only a case with a penalty decision ([`Stage::decided`]: 决定, 执行 or 结案) has a typical
//! case; a withdrawn case never does. Every write is audited in its transaction; the audit entry
//! records the state and the lengths, not the text, which holds names until published.

use meijian_domain::case::typical::{
    anonymise, check, check_length, length, prefill, Anonymised, TypicalAction, TypicalBasis,
    TypicalCase, TypicalCaseInput, TypicalParty,
};
use meijian_domain::case::{PartyKind, Stage};
use meijian_domain::role::Permission;
use serde::Serialize;
use time::OffsetDateTime;

use super::workflow::taker;
use super::{actions, basis, evidence, get, parties, Case};
use crate::stored::At;
use crate::{audit, timefmt, Scope, Store, StoreError, Tx};

/// The field named in refusals.
const FIELD: &str = "典型案例";

/// Where a typical case stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TypicalState {
    /// 草稿: kept by the handling department, with the names as written.
    Draft,
    /// 已发布: anonymised and published by a leader.
    Published,
}

impl TypicalState {
    pub fn code(self) -> &'static str {
        match self {
            TypicalState::Draft => "draft",
            TypicalState::Published => "published",
        }
    }

    pub fn from_code(code: &str) -> Option<TypicalState> {
        match code {
            "draft" => Some(TypicalState::Draft),
            "published" => Some(TypicalState::Published),
            _ => None,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            TypicalState::Draft => "草稿",
            TypicalState::Published => "已发布",
        }
    }
}

/// A stored typical case: its state and who wrote and published it.
#[derive(Clone, Debug, Serialize)]
pub struct Saved {
    pub state: TypicalState,
    /// Raised by every save and publish; named by the next one.
    pub version: i64,
    pub updated_by: String,
    #[serde(with = "timefmt::as_stored")]
    pub updated_at: OffsetDateTime,
    pub published_by: Option<String>,
    #[serde(with = "timefmt::as_stored::option")]
    pub published_at: Option<OffsetDateTime>,
}

/// The typical case of a case as the page shows it: the case, what the record knows of it,
/// the text (saved, or drafted from the record) and, once saved, its state.
#[derive(Clone, Debug)]
pub struct Draft {
    pub case: Case,
    pub input: TypicalCaseInput,
    pub text: TypicalCase,
    /// `None` until first saved: the text is then [`prefill`]'s.
    pub saved: Option<Saved>,
}

impl Draft {
    /// The text with the names, addresses and numbers replaced, and the list of replacements
    /// for review. A published text is anonymised already and comes back unchanged.
    pub fn anonymised(&self) -> Anonymised {
        anonymise(&self.text, &self.input)
    }

    /// The version to name when saving or publishing: the stored one, or 0 before the first
    /// save.
    pub fn version(&self) -> i64 {
        self.saved.as_ref().map_or(0, |s| s.version)
    }

    pub fn published(&self) -> bool {
        self.saved
            .as_ref()
            .is_some_and(|s| s.state == TypicalState::Published)
    }
}

/// Refuses a case that has no typical case: withdrawn, or without a penalty decision yet.
fn has_typical(case: &Case) -> Result<(), StoreError> {
    if case.stage == Stage::Withdrawn {
        return Err(StoreError::invalid(FIELD, "案件已撤销，不能撰写典型案例"));
    }
    if !case.stage.decided() {
        return Err(StoreError::invalid(
            FIELD,
            format!(
                "案件处于“{}”阶段，作出处罚决定后才能撰写典型案例",
                case.stage.label_zh()
            ),
        ));
    }
    Ok(())
}

/// What the case record knows, as the typical case is written from it: the case's facts, the
/// officers (the people of a department who took a step on the case, in the order of their
/// first step, by their names), the parties with their certificate numbers (and an operator's
/// address from the 主体库), the evidence by file name, the provisions applied, the actions of
/// the decision, and the 结案 note as how the decision was carried out. Another case's outcome
/// (另案处理结果) is not recorded yet.
#[tracing::instrument(skip_all)]
pub async fn input_of(
    store: &Store,
    scope: &Scope,
    case: &Case,
) -> Result<TypicalCaseInput, StoreError> {
    // The case as the scope sees it: a caller with a case of another district learns nothing.
    let case = get(store, scope, &case.id).await?;
    let officers: Vec<(String, String)> = sqlx::query_as(
        "select coalesce(a.display_name, e.actor_name) as name, min(e.at) as first_at \
         from case_event e left join account a on a.id = e.actor_id \
         where e.case_id = $1 and e.department_id is not null \
         group by coalesce(a.display_name, e.actor_name) order by first_at, name",
    )
    .bind(&case.id)
    .fetch_all(store.pool())
    .await?;
    let stored_parties = parties(store, &case.id).await?;
    let mut typical_parties = Vec::with_capacity(stored_parties.len());
    for p in &stored_parties {
        let address = match (&p.kind, &p.operator_id) {
            (PartyKind::Organisation, Some(op)) => {
                sqlx::query_scalar::<_, String>("select address from operator where id = $1")
                    .bind(op)
                    .fetch_optional(store.pool())
                    .await?
                    .filter(|a| !a.trim().is_empty())
            }
            _ => None,
        };
        typical_parties.push(TypicalParty {
            kind: p.kind,
            name: p.name.clone(),
            id_number: p.id_number.clone().filter(|n| !n.trim().is_empty()),
            address,
        });
    }
    let one_party = stored_parties.len() <= 1;
    let typical_actions = actions(store, &case)
        .await?
        .into_iter()
        .map(|a| TypicalAction {
            kind: a.kind.label_zh().to_string(),
            amount: a.kind.has_amount().then_some(a.amount),
            decided_on: Some(a.decided_on),
            decision_no: a.decision_no,
            party: if one_party {
                None
            } else {
                stored_parties
                    .iter()
                    .find(|p| p.id == a.party_id)
                    .map(|p| p.name.clone())
            },
        })
        .collect();
    Ok(TypicalCaseInput {
        title: case.title.clone(),
        category: case.category.label_zh().to_string(),
        origin: case.origin.label_zh().to_string(),
        filed_on: Some(case.filed_on),
        authority: case.authority.clone(),
        officers: officers
            .into_iter()
            .map(|(name, _)| name)
            .filter(|n| !n.trim().is_empty())
            .collect(),
        parties: typical_parties,
        facts: case.violation.clone(),
        evidence: evidence::list(store, &case)
            .await?
            .into_iter()
            .map(|e| e.file_name)
            .collect(),
        bases: basis::of_case(store, &case.id)
            .await?
            .into_iter()
            .map(|b| TypicalBasis {
                law: b.law,
                article: b.article,
                content: b.content,
            })
            .collect(),
        actions: typical_actions,
        execution: case.close_note.clone().filter(|n| !n.trim().is_empty()),
        related_outcome: None,
    })
}

#[derive(sqlx::FromRow)]
struct Row {
    title: String,
    intro: String,
    analysis: String,
    suggestions: String,
    state: String,
    version: i64,
    updated_by: String,
    updated_at: String,
    published_by: Option<String>,
    published_at: Option<String>,
}

impl Row {
    fn decode(self, case_id: &str) -> Result<(TypicalCase, Saved), StoreError> {
        let at = At::new("typical_case", case_id);
        Ok((
            TypicalCase {
                title: self.title,
                intro: self.intro,
                analysis: self.analysis,
                suggestions: self.suggestions,
            },
            Saved {
                state: at.code("state", &self.state, TypicalState::from_code)?,
                version: self.version,
                updated_at: at.time("updated_at", &self.updated_at)?,
                published_at: at.time_opt("published_at", self.published_at.as_deref())?,
                updated_by: self.updated_by,
                published_by: self.published_by,
            },
        ))
    }
}

async fn stored(store: &Store, case_id: &str) -> Result<Option<(TypicalCase, Saved)>, StoreError> {
    sqlx::query_as::<_, Row>(
        "select title, intro, analysis, suggestions, state, version, updated_by, updated_at, \
         published_by, published_at from typical_case where case_id = $1",
    )
    .bind(case_id)
    .fetch_optional(store.pool())
    .await?
    .map(|r| r.decode(case_id))
    .transpose()
}

/// The typical case of case `case_id`: the saved one, or a fresh one drafted from the record
/// ([`prefill`]). Not found outside the scope; refused for a case without a decision.
#[tracing::instrument(skip_all)]
pub async fn draft(store: &Store, scope: &Scope, case_id: &str) -> Result<Draft, StoreError> {
    let case = get(store, scope, case_id).await?;
    has_typical(&case)?;
    let input = input_of(store, scope, &case).await?;
    let (text, saved) = match stored(store, &case.id).await? {
        Some((text, saved)) => (text, Some(saved)),
        None => (prefill(&input), None),
    };
    Ok(Draft {
        case,
        input,
        text,
        saved,
    })
}

/// Whether the scope may write the draft of `case`: the handling department, by the workflow
/// table's `Who::Handler` rule, with the permission of the steps that handle cases.
pub async fn may_edit(store: &Store, scope: &Scope, case: &Case) -> Result<bool, StoreError> {
    if !scope.can(Permission::HandleLeads) {
        return Ok(false);
    }
    Ok(taker(store, scope, case).await?.handler)
}

/// Whether the scope may publish the typical case of `case`: a leader covering its district.
pub fn may_publish(scope: &Scope, case: &Case) -> bool {
    scope.can(Permission::SuperviseDeadlines) && scope.covers(&case.region_code)
}

/// The text as typed: line breaks made `\n`, each part trimmed.
fn tidy(edits: &TypicalCase) -> TypicalCase {
    let part = |s: &str| {
        s.replace("\r\n", "\n")
            .replace('\r', "\n")
            .trim()
            .to_string()
    };
    TypicalCase {
        title: part(&edits.title),
        intro: part(&edits.intro),
        analysis: part(&edits.analysis),
        suggestions: part(&edits.suggestions),
    }
}

fn refused(e: meijian_domain::case::typical::TypicalCaseError) -> StoreError {
    StoreError::invalid(FIELD, e.to_string())
}

/// Refuses a write that names a version other than the stored one.
fn stale() -> StoreError {
    StoreError::Conflict {
        field: FIELD,
        message: "典型案例已被他人修改，请刷新页面查看最新内容后再操作".into(),
    }
}

/// What the audit entry says of a text: its length, not its words.
fn summary(text: &TypicalCase, state: TypicalState) -> serde_json::Value {
    serde_json::json!({
        "state": state.code(),
        "length": length(text),
    })
}

/// Writes the row of a typical case if it is still at `version` (0: no row yet, inserted at 1),
/// raising the version; a stale version is [`stale`] and writes nothing. The check is the
/// `where` of the update (or the primary key of the insert), so two writers racing between
/// read and write cannot both pass it.
async fn write(
    tx: &mut Tx,
    case_id: &str,
    version: i64,
    text: &TypicalCase,
    state: TypicalState,
    updated: (&str, &str),
    published: (Option<&str>, Option<&str>),
) -> Result<(), StoreError> {
    if version == 0 {
        let inserted = sqlx::query(
            "insert into typical_case (case_id, title, intro, analysis, suggestions, state, \
             updated_by, updated_at, published_by, published_at, version) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1)",
        )
        .bind(case_id)
        .bind(&text.title)
        .bind(&text.intro)
        .bind(&text.analysis)
        .bind(&text.suggestions)
        .bind(state.code())
        .bind(updated.0)
        .bind(updated.1)
        .bind(published.0)
        .bind(published.1)
        .execute(&mut **tx)
        .await;
        return match inserted {
            Ok(_) => Ok(()),
            // Someone saved the first draft since it was read.
            Err(e) if StoreError::is_unique_violation(&e) => Err(stale()),
            Err(e) => Err(e.into()),
        };
    }
    let n = sqlx::query(
        "update typical_case set title = $1, intro = $2, analysis = $3, suggestions = $4, \
         state = $5, updated_by = $6, updated_at = $7, published_by = $8, published_at = $9, \
         version = version + 1 where case_id = $10 and version = $11",
    )
    .bind(&text.title)
    .bind(&text.intro)
    .bind(&text.analysis)
    .bind(&text.suggestions)
    .bind(state.code())
    .bind(updated.0)
    .bind(updated.1)
    .bind(published.0)
    .bind(published.1)
    .bind(case_id)
    .bind(version)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(stale());
    }
    Ok(())
}

async fn audit_typical(
    tx: &mut Tx,
    scope: &Scope,
    now: OffsetDateTime,
    case: &Case,
    action: &str,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> Result<(), StoreError> {
    audit::record(
        tx,
        &scope.actor,
        now,
        audit::Change {
            action,
            entity: "typical_case",
            entity_id: &case.id,
            region_code: Some(&case.region_code),
            before,
            after: Some(after),
        },
    )
    .await?;
    Ok(())
}

/// Saves the draft of case `case_id` as edited: the handling department only, a case with a
/// decision, at most 1,200 characters (the parts may still be empty), `version` the one read
/// ([`Draft::version`]). A published case saved again becomes a draft, to be published again.
/// Returns the length.
#[tracing::instrument(skip_all)]
pub async fn save(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    case_id: &str,
    edits: &TypicalCase,
    version: i64,
) -> Result<usize, StoreError> {
    let case = get(store, scope, case_id).await?;
    if !may_edit(store, scope, &case).await? {
        return Err(StoreError::Forbidden);
    }
    has_typical(&case)?;
    let text = tidy(edits);
    let count = check_length(&text).map_err(refused)?;
    let before = stored(store, &case.id).await?;
    if before.as_ref().map_or(0, |(_, s)| s.version) != version {
        return Err(stale());
    }
    let at = timefmt::to_db(now);
    let mut tx = store.begin().await?;
    write(
        &mut tx,
        &case.id,
        version,
        &text,
        TypicalState::Draft,
        (&scope.actor.name, &at),
        (None, None),
    )
    .await?;
    audit_typical(
        &mut tx,
        scope,
        now,
        &case,
        "typical_case.save",
        before.map(|(t, s)| summary(&t, s.state)),
        summary(&text, TypicalState::Draft),
    )
    .await?;
    tx.commit().await?;
    Ok(count)
}

/// Publishes the typical case of case `case_id`: a leader covering the case's district. The
/// saved draft is anonymised, checked (every part written, at most 1,200 characters) and
/// stored in place of the draft as published, if it is still at `version` (the one the leader
/// reviewed). Returns the published text and what was replaced.
#[tracing::instrument(skip_all)]
pub async fn publish(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    case_id: &str,
    version: i64,
) -> Result<Anonymised, StoreError> {
    let case = get(store, scope, case_id).await?;
    if !may_publish(scope, &case) {
        return Err(StoreError::Forbidden);
    }
    has_typical(&case)?;
    let Some((text, saved)) = stored(store, &case.id).await? else {
        return Err(StoreError::invalid(
            FIELD,
            "办案部门尚未保存典型案例，不能发布",
        ));
    };
    if saved.version != version {
        return Err(stale());
    }
    let input = input_of(store, scope, &case).await?;
    let anonymised = anonymise(&text, &input);
    let count = check(&anonymised.case).map_err(refused)?;
    let at = timefmt::to_db(now);
    let mut tx = store.begin().await?;
    write(
        &mut tx,
        &case.id,
        version,
        &anonymised.case,
        TypicalState::Published,
        (&saved.updated_by, &timefmt::to_db(saved.updated_at)),
        (Some(&scope.actor.name), Some(&at)),
    )
    .await?;
    audit_typical(
        &mut tx,
        scope,
        now,
        &case,
        "typical_case.publish",
        Some(summary(&text, saved.state)),
        serde_json::json!({
            "state": TypicalState::Published.code(),
            "length": count,
            "replacements": anonymised.replacements.len(),
        }),
    )
    .await?;
    tx.commit().await?;
    Ok(anonymised)
}
