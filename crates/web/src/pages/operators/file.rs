//! 一户一档: one operator's file — identity, every registry record with its versions, its class
//! run by run, its history (merges, splits, absences), its leads and complaints, its 处置 and
//! 销号 ([`super::disposal`]), and the places later features fill (inspections, cases and
//! penalties, credit, monitoring). Officers who run the cross-check merge operators and ask for
//! splits here; a lead's handler registers a business no registry knows as a provisional
//! operator.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use meijian_domain::operator::{self as rule, OperatorStatus, OperatorStep, Origin};
use meijian_store::operators::{actions, read, Operator};
use serde::Deserialize;

use super::{name_or_blank, others};
use crate::chrome::Chrome;
use crate::error::{AppError, AppResult};
use crate::pages::registries::short_region;
use crate::pages::{region_name, render};
use crate::session::CurrentUser;
use crate::state::AppState;

struct RecordView {
    id: String,
    registry: &'static str,
    key: String,
    name: String,
    status: String,
    region: String,
    version: i64,
    missing: String,
    link: String,
}

struct ClassView {
    finished_at: String,
    as_of: String,
    class: &'static str,
    members: i64,
    /// The id it had then, when another (merged into this one).
    other_id: String,
}

struct EventView {
    at: String,
    what: &'static str,
    other_id: String,
    note: String,
    actor: String,
}

struct LeadView {
    id: String,
    code: String,
    kind: &'static str,
    category: &'static str,
    state: &'static str,
    received: String,
    department: String,
    complaints: i64,
}

#[derive(Template)]
#[template(path = "operator.html")]
pub(super) struct FilePage {
    chrome: Chrome,
    id: String,
    name: String,
    origin: &'static str,
    provisional: bool,
    status: &'static str,
    merged_into: String,
    split_from: String,
    absent_since: String,
    region: String,
    class: &'static str,
    public_kind: String,
    uscc: String,
    legal_rep: String,
    address: String,
    other_names: Vec<String>,
    persons: Vec<String>,
    other_addresses: Vec<String>,
    source_lead: String,
    records: Vec<RecordView>,
    classes: Vec<ClassView>,
    events: Vec<EventView>,
    leads: Vec<LeadView>,
    sees_leads: bool,
    can_merge: bool,
    can_split: bool,
    notice: Option<&'static str>,
    /// Its cases and penalties; `None` for those who do not read cases.
    cases: Option<Vec<CaseView>>,
    /// 处置与销号; `None` for those who do not read it.
    disposal: Option<super::disposal::Section>,
}

/// A case of the operator as its file lists it.
pub struct CaseView {
    pub id: String,
    pub case_no: String,
    pub title: String,
    pub stage: &'static str,
    pub category: &'static str,
    pub filed_on: String,
    /// 警告；罚款 30,000.00 元（2026-03-01）…
    pub penalties: String,
}

#[derive(Deserialize, Default)]
pub struct FileQuery {
    #[serde(default)]
    notice: String,
}

impl FileQuery {
    fn text(&self) -> Option<&'static str> {
        match self.notice.as_str() {
            "merged" => Some("已合并：原主体的线索等记录已转到本主体，原编号仍可查到并指向本主体。"),
            "split" => Some("拆分已记录，下一次证照比对时生效；拆分出的记录将成为新的主体。"),
            "provisional" => Some("已登记为临时主体（暂无登记记录），分类为无照无证；以后的比对发现其登记记录时会自动关联。"),
            "disposal" => Some("处置情况已记录。"),
            "closed" => Some("已销号。"),
            "reopened" => Some("已恢复，可继续记录处置情况。"),
            _ => None,
        }
    }
}

/// An institution account's own file.
#[tracing::instrument(skip_all)]
pub async fn mine(user: CurrentUser) -> AppResult<Response> {
    match &user.scope.operator_id {
        Some(id) => Ok(Redirect::to(&format!("/operators/{id}")).into_response()),
        None => Err(AppError::NotFound),
    }
}

#[tracing::instrument(skip_all)]
pub async fn show_file(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(query): Query<FileQuery>,
) -> AppResult<Response> {
    Ok(render(&page(&state, &user, &id, query.text(), None).await?)?.into_response())
}

/// The file of operator `id`, with a notice, or the reason a form on it was refused.
pub(super) async fn page(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    notice: Option<&'static str>,
    error: Option<String>,
) -> AppResult<FilePage> {
    let operator = read::get(&state.store, &user.scope, id).await?;
    let store = &state.store;
    let disposal = super::disposal::section(state, user, &operator, error).await?;
    let records = read::records(store, &operator).await?;
    let classes = read::classes(store, &operator).await?;
    let events = read::events(store, &operator).await?;
    let leads = read::leads(store, &user.scope, &operator).await?;
    let steps = rule::available(operator.origin, operator.status, |p| user.scope.can(p));
    let sees_cases = user.scope.operator_id.is_none()
        && (user.scope.can(meijian_domain::Permission::HandleLeads)
            || user.scope.can(meijian_domain::Permission::ViewStatistics));
    let cases = if sees_cases {
        let list = meijian_store::cases::of_operator(store, &user.scope, &operator.id).await?;
        Some(
            list.into_iter()
                .map(|oc| CaseView {
                    penalties: oc
                        .actions
                        .iter()
                        .map(|a| {
                            let amount = if a.kind.has_amount() {
                                format!(" {} 元", a.amount.yuan_text())
                            } else {
                                String::new()
                            };
                            format!("{}{amount}（{}）", a.kind.label_zh(), a.decided_on)
                        })
                        .collect::<Vec<_>>()
                        .join("；"),
                    id: oc.case.id,
                    case_no: oc.case.case_no,
                    title: oc.case.title,
                    stage: oc.case.stage.label_zh(),
                    category: oc.case.category.label_zh(),
                    filed_on: oc.case.filed_on.to_string(),
                })
                .collect(),
        )
    } else {
        None
    };
    let has = |step| steps.iter().any(|r| r.step == step);
    let o = &operator;
    Ok(FilePage {
        chrome: Chrome::new(user, "/operators"),
        id: o.id.clone(),
        name: name_or_blank(o),
        origin: o.origin.label_zh(),
        provisional: o.origin == Origin::Provisional,
        status: o.status.label_zh(),
        merged_into: if o.status == OperatorStatus::Merged {
            o.merged_into.clone().unwrap_or_default()
        } else {
            String::new()
        },
        split_from: o.split_from.clone().unwrap_or_default(),
        absent_since: o
            .absent_since
            .map(crate::pages::show_time)
            .unwrap_or_default(),
        region: region_name(&o.region_code),
        class: o.class_zh(),
        public_kind: o.public_kind.clone().unwrap_or_default(),
        uscc: o.uscc.clone().unwrap_or_default(),
        legal_rep: o.legal_rep.clone().unwrap_or_default(),
        address: o.address.clone().unwrap_or_default(),
        other_names: others(&o.names, Some(&o.name)),
        persons: others(&o.persons, o.legal_rep.as_deref()),
        other_addresses: others(&o.addresses, o.address.as_deref()),
        source_lead: o.source_lead_id.clone().unwrap_or_default(),
        records: records
            .into_iter()
            .map(|r| RecordView {
                link: format!("/records/{}", r.record_id),
                id: r.record_id,
                registry: r.registry.label_zh(),
                key: r.record_key,
                name: r.name.unwrap_or_default(),
                status: r.status.unwrap_or_default(),
                region: short_region(&r.region_code),
                version: r.version,
                missing: r
                    .missing_since
                    .map(crate::pages::show_time)
                    .unwrap_or_default(),
            })
            .collect(),
        classes: classes
            .iter()
            .rev()
            .map(|c| ClassView {
                finished_at: crate::pages::show_time(c.finished_at),
                as_of: c.as_of.clone(),
                class: c.class_zh(),
                members: c.members,
                other_id: if c.operator_id == o.id {
                    String::new()
                } else {
                    c.operator_id.clone()
                },
            })
            .collect(),
        events: events
            .into_iter()
            .map(|e| EventView {
                at: crate::pages::show_time(e.at),
                what: e.kind.label_zh(),
                other_id: e.other_id.unwrap_or_default(),
                note: e.note,
                actor: crate::chrome::actor_label(&e.actor_name),
            })
            .collect(),
        cases,
        sees_leads: user.scope.can(meijian_domain::Permission::HandleLeads)
            || user.scope.can(meijian_domain::Permission::ViewStatistics),
        leads: leads
            .into_iter()
            .map(|l| LeadView {
                id: l.id,
                code: l.code,
                kind: l.kind.label_zh(),
                category: l.category.label_zh(),
                state: l.state.label_zh(),
                received: crate::pages::show_time(l.received_at),
                department: l.department_name,
                complaints: l.complaints,
            })
            .collect(),
        can_merge: has(OperatorStep::Merge),
        can_split: has(OperatorStep::Split),
        notice,
        disposal,
    })
}

#[derive(Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    into: String,
    #[serde(default)]
    note: String,
}

/// 合并到另一主体.
#[tracing::instrument(skip_all)]
pub async fn merge(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Form(form): Form<MergeForm>,
) -> AppResult<Response> {
    let merged = actions::merge(
        &state.store,
        &user.scope,
        &id,
        &form.into,
        &form.note,
        state.now(),
    )
    .await?;
    let into = merged.merged_into.unwrap_or(merged.id);
    Ok(Redirect::to(&format!("/operators/{into}?notice=merged")).into_response())
}

#[derive(Deserialize)]
pub struct SplitForm {
    /// The record ids to split off, comma-separated (the page's check boxes).
    #[serde(default)]
    records: Vec<String>,
    #[serde(default)]
    note: String,
}

/// 拆分登记记录.
#[tracing::instrument(skip_all)]
pub async fn split(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    axum_extra::extract::Form(form): axum_extra::extract::Form<SplitForm>,
) -> AppResult<Response> {
    actions::request_split(
        &state.store,
        &user.scope,
        &id,
        &form.records,
        &form.note,
        state.now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/operators/{id}?notice=split")).into_response())
}

#[derive(Deserialize)]
pub struct ProvisionalForm {
    #[serde(default)]
    lead: String,
}

/// 登记为临时主体: from a lead page, for a business no registry knows.
#[tracing::instrument(skip_all)]
pub async fn register_provisional(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<ProvisionalForm>,
) -> AppResult<Response> {
    let operator: Operator =
        actions::register_provisional(&state.store, &user.scope, &form.lead, state.now()).await?;
    Ok(Redirect::to(&format!("/operators/{}?notice=provisional", operator.id)).into_response())
}
