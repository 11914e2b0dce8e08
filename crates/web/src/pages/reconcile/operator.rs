//! One operator of the latest cross-check with its records side by side, the pairs left for
//! review (待复核), and the officers' merge and split decisions, which apply from the next run.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Form;
use meijian_domain::role::Permission;
use meijian_store::reconcile::{self, CandidateRow, DecisionKind, MemberRow};
use serde::Deserialize;

use super::list::remark;
use super::{latest, percent, registry_label, NoticeQuery};
use crate::chrome::Chrome;
use crate::error::{AppError, AppResult};
use crate::pages::{region_name, render};
use crate::session::CurrentUser;
use crate::state::AppState;

const REVIEW_PER_PAGE: i64 = 50;

/// A record of an operator as its card shows it.
pub struct MemberView {
    /// `registry:key`, the value a decision form posts.
    pub value: String,
    pub source: String,
    pub key: String,
    pub record_id: String,
    pub name: String,
    pub uscc: String,
    pub status: String,
    pub address: String,
    pub region: String,
    pub evidence: String,
    pub confidence: String,
}

fn member_view(m: MemberRow) -> MemberView {
    let data: BTreeMap<String, String> = serde_json::from_str(&m.data_json).unwrap_or_default();
    MemberView {
        value: format!("{}:{}", m.registry.code(), m.record_key),
        source: m.registry.label_zh().to_owned(),
        name: m.name.unwrap_or_default(),
        uscc: m.uscc.unwrap_or_default(),
        status: m.status.unwrap_or_default(),
        address: data.get("address").cloned().unwrap_or_default(),
        region: region_name(&m.region_code),
        evidence: evidence_for_people(&m.evidence),
        confidence: percent(m.confidence),
        key: m.record_key,
        record_id: m.record_id,
    }
}

/// 照 first, then 证, then the other registries, as an officer compares them.
fn in_reading_order(mut members: Vec<MemberRow>) -> Vec<MemberView> {
    use meijian_registry::RegistryKind as K;
    const ORDER: [K; 5] = [
        K::Registrations,
        K::Licenses,
        K::SalonFilings,
        K::PlatformMerchants,
        K::Tax,
    ];
    members.sort_by_key(|m| {
        ORDER
            .iter()
            .position(|r| *r == m.registry)
            .unwrap_or(ORDER.len())
    });
    members.into_iter().map(member_view).collect()
}

/// A pair below the threshold, as the review forms show it.
pub struct CandidateView {
    pub a_value: String,
    pub a_label: String,
    pub a_key: String,
    pub a_operator: String,
    pub b_value: String,
    pub b_label: String,
    pub b_key: String,
    pub b_operator: String,
    pub confidence: String,
    pub evidence: String,
}

fn candidate_view(c: CandidateRow) -> CandidateView {
    CandidateView {
        a_value: format!("{}:{}", c.a_registry, c.a_key),
        a_label: registry_label(&c.a_registry),
        b_value: format!("{}:{}", c.b_registry, c.b_key),
        b_label: registry_label(&c.b_registry),
        confidence: percent(c.confidence),
        a_key: c.a_key,
        a_operator: c.a_operator,
        b_key: c.b_key,
        b_operator: c.b_operator,
        evidence: evidence_for_people(&c.evidence),
    }
}

#[derive(Template)]
#[template(path = "reconcile_operator.html")]
struct OperatorPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    id: String,
    name: String,
    region: String,
    class: &'static str,
    previous_class: &'static str,
    scope_reason: String,
    remark: String,
    as_of: String,
    members: Vec<MemberView>,
    candidates: Vec<CandidateView>,
    can_decide: bool,
}

#[tracing::instrument(skip_all)]
pub async fn show_operator(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    user.scope.require(Permission::ViewRegistries)?;
    let run = latest(&state, &user).await?.ok_or(AppError::NotFound)?;
    let (op, members, candidates) =
        reconcile::operator(&state.store, &user.scope, &run.id, &id).await?;
    render(&OperatorPage {
        chrome: Chrome::new(&user, "/reconcile"),
        notice: query.text(),
        name: if op.name.is_empty() {
            "（无名称）".to_string()
        } else {
            op.name.clone()
        },
        region: region_name(&op.region_code),
        class: op.class_zh(),
        previous_class: op.previous_class_zh(),
        scope_reason: op.scope_reason.clone().unwrap_or_default(),
        remark: remark(&op),
        as_of: run.as_of,
        members: in_reading_order(members),
        candidates: candidates.into_iter().map(candidate_view).collect(),
        can_decide: user.scope.can(Permission::Reconcile),
        id: op.operator_id,
    })
}

/// A decision as people read it.
pub struct DecisionView {
    pub id: String,
    pub kind: &'static str,
    pub a: String,
    pub b: String,
    pub note: String,
    pub actor: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "reconcile_review.html")]
struct ReviewPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    as_of: String,
    candidates: Vec<CandidateView>,
    decisions: Vec<DecisionView>,
    can_decide: bool,
    total: i64,
    page: i64,
    pages: i64,
}

#[derive(Deserialize, Default)]
pub struct ReviewQuery {
    #[serde(default)]
    notice: String,
    page: Option<i64>,
}

#[tracing::instrument(skip_all)]
pub async fn show_review(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ReviewQuery>,
) -> AppResult<Response> {
    user.scope.require(Permission::ViewRegistries)?;
    let Some(run) = latest(&state, &user).await? else {
        return Ok(Redirect::to("/reconcile").into_response());
    };
    let page = query.page.unwrap_or(1).max(1);
    let (rows, total) = reconcile::candidates(
        &state.store,
        &user.scope,
        &run.id,
        REVIEW_PER_PAGE,
        (page - 1) * REVIEW_PER_PAGE,
    )
    .await?;
    let decisions = reconcile::decisions(&state.store, &user.scope)
        .await?
        .into_iter()
        .map(|d| DecisionView {
            id: d.id.clone(),
            kind: d.kind.label_zh(),
            a: format!("{} {}", registry_label(&d.a_registry), d.a_key),
            b: format!("{} {}", registry_label(&d.b_registry), d.b_key),
            note: d.note,
            actor: d.actor_name,
            at: crate::pages::show_time(d.decided_at),
        })
        .collect();
    Ok(render(&ReviewPage {
        chrome: Chrome::new(&user, "/reconcile"),
        notice: NoticeQuery {
            notice: query.notice,
        }
        .text(),
        as_of: run.as_of,
        candidates: rows.into_iter().map(candidate_view).collect(),
        decisions,
        can_decide: user.scope.can(Permission::Reconcile),
        total,
        page,
        pages: ((total + REVIEW_PER_PAGE - 1) / REVIEW_PER_PAGE).max(1),
    })?
    .into_response())
}

#[derive(Deserialize)]
pub struct DecisionForm {
    kind: String,
    /// `registry:key` of each record.
    a: String,
    b: String,
    #[serde(default)]
    note: String,
    /// The operator page to go back to; the review page if empty.
    #[serde(default)]
    operator: String,
}

fn record_of(value: &str) -> AppResult<(&str, &str)> {
    value.split_once(':').ok_or_else(|| AppError::Invalid {
        field: "记录".into(),
        message: "请选择两条记录".into(),
    })
}

/// Keeps a merge or split decision; the store checks that both records lie in the scope.
#[tracing::instrument(skip_all)]
pub async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<DecisionForm>,
) -> AppResult<Response> {
    user.scope.require(Permission::Reconcile)?;
    let kind = DecisionKind::from_code(&form.kind).ok_or_else(|| AppError::Invalid {
        field: "决定".into(),
        message: "请选择合并或拆分".into(),
    })?;
    let a = record_of(&form.a)?;
    let b = record_of(&form.b)?;
    reconcile::decide(
        &state.store,
        &user.scope,
        kind,
        a,
        b,
        &form.note,
        state.now(),
    )
    .await?;
    let operator = form.operator.trim();
    let back = if !operator.is_empty() && operator.bytes().all(|c| c.is_ascii_alphanumeric()) {
        format!("/reconcile/operators/{operator}?notice=decided")
    } else {
        "/reconcile/review?notice=decided".to_string()
    };
    Ok(Redirect::to(&back).into_response())
}

/// 撤销: withdraws a decision; the next run no longer applies it.
#[tracing::instrument(skip_all)]
pub async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    user.scope.require(Permission::Reconcile)?;
    reconcile::revoke_decision(&state.store, &user.scope, &id, state.now()).await?;
    Ok(Redirect::to("/reconcile/review?notice=revoked").into_response())
}

/// The stored evidence (`字号一致「悦颜」(+9.1)；同一道路(-1.7)`, weights kept for the CSV's
/// analysts) in words for the page: what speaks for one operator, then what speaks against.
fn evidence_for_people(stored: &str) -> String {
    let (mut for_, mut against) = (Vec::new(), Vec::new());
    for part in stored.split('；').map(str::trim).filter(|p| !p.is_empty()) {
        let (text, weight) = match part.rfind('(') {
            Some(at) if part.ends_with(')') => (
                &part[..at],
                part[at + 1..part.len() - 1].parse::<f64>().ok(),
            ),
            _ => (part, None),
        };
        if weight.is_some_and(|w| w < 0.0) {
            against.push(text);
        } else {
            for_.push(text);
        }
    }
    let mut out = Vec::new();
    if !for_.is_empty() {
        out.push(format!("支持：{}", for_.join("、")));
    }
    if !against.is_empty() {
        out.push(format!("不支持：{}", against.join("、")));
    }
    out.join("；")
}

#[cfg(test)]
mod tests {
    use super::evidence_for_people;

    #[test]
    fn evidence_reads_without_weights() {
        assert_eq!(
            evidence_for_people(
                "统一社会信用代码一致(+18.2)；字号一致「悦颜」(+9.1)；同一道路(-1.7)"
            ),
            "支持：统一社会信用代码一致、字号一致「悦颜」；不支持：同一道路"
        );
        assert_eq!(evidence_for_people(""), "");
    }
}
