//! 立案: the form that opens a case, directly or from a lead (its place, category, summary and
//! operator filled in). Parties are operators of the 主体库 (by 主体编号) or named persons.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use meijian_domain::case::{CaseOrigin, PartyKind};
use meijian_domain::lead::Category;
use meijian_domain::role::Permission;
use meijian_store::cases::basis::{self, LegalBasis};
use meijian_store::cases::open::{self, NewCase, NewParty};
use serde::Deserialize;

use super::choices;
use crate::chrome::Chrome;
use crate::error::{AppError, AppResult};
use crate::pages::leads::{form_error, with_status};
use crate::session::CurrentUser;
use crate::state::AppState;

/// How many party rows the form offers; more are added on the case page.
const PARTY_ROWS: usize = 3;

/// The form as sent (and sent back with a mistake).
#[derive(Deserialize, Default, Clone)]
pub struct CaseForm {
    #[serde(default)]
    pub lead: String,
    #[serde(default)]
    pub case_no: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub origin: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub filed_on: String,
    #[serde(default)]
    pub violation: String,
    #[serde(default)]
    pub party_kind: Vec<String>,
    #[serde(default)]
    pub party_operator: Vec<String>,
    #[serde(default)]
    pub party_name: Vec<String>,
    #[serde(default)]
    pub party_id_number: Vec<String>,
    #[serde(default)]
    pub basis: Vec<String>,
}

/// One party row of the form.
pub struct PartyRow {
    pub kind: String,
    pub operator: String,
    pub name: String,
    pub id_number: String,
}

#[derive(Template)]
#[template(path = "cases_new.html")]
struct NewPage {
    chrome: Chrome,
    error: Option<String>,
    form: CaseForm,
    parties: Vec<PartyRow>,
    lead_code: Option<String>,
    categories: Vec<(&'static str, &'static str)>,
    origins: Vec<(&'static str, &'static str)>,
    regions: Vec<(String, String)>,
    provisions: Vec<LegalBasis>,
    today: String,
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    #[serde(default)]
    lead: String,
}

/// A date typed as `YYYY-MM-DD`, or a Chinese error naming the field.
pub fn parse_day(field: &str, text: &str) -> AppResult<time::Date> {
    meijian_store::timefmt::day_from_db(text.trim()).ok_or_else(|| AppError::Invalid {
        field: field.into(),
        message: "请按“2026-03-01”的格式填写日期".into(),
    })
}

fn party_rows(form: &CaseForm) -> Vec<PartyRow> {
    let at = |v: &Vec<String>, i: usize| v.get(i).cloned().unwrap_or_default();
    (0..PARTY_ROWS)
        .map(|i| PartyRow {
            kind: at(&form.party_kind, i),
            operator: at(&form.party_operator, i),
            name: at(&form.party_name, i),
            id_number: at(&form.party_id_number, i),
        })
        .collect()
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    form: CaseForm,
    error: Option<String>,
) -> AppResult<NewPage> {
    let lead_code = match form.lead.trim() {
        "" => None,
        id => Some(
            meijian_store::leads::get(&state.store, &user.scope, id)
                .await?
                .code,
        ),
    };
    Ok(NewPage {
        chrome: Chrome::new(user, "/cases"),
        error,
        parties: party_rows(&form),
        form,
        lead_code,
        categories: choices(Category::ALL, Category::code, Category::label_zh),
        origins: choices(CaseOrigin::ALL, CaseOrigin::code, CaseOrigin::label_zh),
        regions: crate::pages::district_choices(user),
        provisions: basis::list(&state.store, false).await?,
        today: meijian_store::leads::deadlines::china_date(state.now()).to_string(),
    })
}

/// The blank form, or one filled from the lead it opens a case for.
#[tracing::instrument(skip_all)]
pub async fn show_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<NewQuery>,
) -> AppResult<Response> {
    user.scope.require(Permission::HandleLeads)?;
    let today = meijian_store::leads::deadlines::china_date(state.now()).to_string();
    let mut form = CaseForm {
        filed_on: today,
        ..CaseForm::default()
    };
    if !query.lead.trim().is_empty() {
        let lead = meijian_store::leads::get(&state.store, &user.scope, query.lead.trim()).await?;
        form.lead = lead.id.clone();
        form.title = format!("{}涉嫌{}案", lead.subject_name, lead.category.label_zh());
        form.category = lead.category.code().into();
        form.origin = open::origin_of(lead.source).code().into();
        form.region = lead.region_code.clone();
        form.violation = lead.summary.clone();
        match &lead.operator_id {
            Some(op) => {
                form.party_kind = vec![PartyKind::Organisation.code().into()];
                form.party_operator = vec![op.clone()];
                form.party_name = vec![String::new()];
            }
            None => {
                form.party_kind = vec![PartyKind::Person.code().into()];
                form.party_name = vec![String::new()];
            }
        }
    }
    Ok(crate::pages::render(&page(&state, &user, form, None).await?)?.into_response())
}

fn parse(form: &CaseForm) -> AppResult<NewCase> {
    fn pick<T>(field: &str, v: Option<T>) -> AppResult<T> {
        v.ok_or_else(|| AppError::Invalid {
            field: field.into(),
            message: "请选择".into(),
        })
    }
    let mut parties = Vec::new();
    for row in party_rows(form) {
        let operator = row.operator.trim();
        let name = row.name.trim();
        if operator.is_empty() && name.is_empty() {
            continue;
        }
        let kind = match row.kind.as_str() {
            "" if !operator.is_empty() => PartyKind::Organisation,
            "" => PartyKind::Person,
            k => pick("当事人类型", PartyKind::from_code(k))?,
        };
        parties.push(NewParty {
            kind,
            name: name.to_string(),
            id_number: Some(row.id_number.trim().to_string()).filter(|s| !s.is_empty()),
            operator_id: Some(operator.to_string()).filter(|s| !s.is_empty()),
        });
    }
    Ok(NewCase {
        case_no: form.case_no.clone(),
        title: form.title.clone(),
        category: pick("案件类别", Category::from_code(&form.category))?,
        origin: pick("案件来源", CaseOrigin::from_code(&form.origin))?,
        region_code: form.region.trim().to_string(),
        violation: form.violation.clone(),
        filed_on: parse_day("立案日期", &form.filed_on)?,
        parties,
        basis: form.basis.clone(),
        lead_id: Some(form.lead.trim().to_string()).filter(|s| !s.is_empty()),
    })
}

#[tracing::instrument(skip_all)]
pub async fn open_case(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<CaseForm>,
) -> AppResult<Response> {
    let opened = async {
        let new = parse(&form)?;
        let cal = state.calendar().await?;
        Ok::<_, AppError>(
            open::open(
                &state.store,
                &user.scope,
                &cal,
                &state.settings.cases,
                state.now(),
                &new,
            )
            .await?,
        )
    }
    .await;
    match opened {
        Ok(id) => Ok(Redirect::to(&format!("/cases/{id}?notice=opened")).into_response()),
        Err(e) => {
            let status = e.info().status;
            let message = form_error(e)?;
            let status = if status == StatusCode::CONFLICT {
                status
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            with_status(status, &page(&state, &user, form, Some(message)).await?)
        }
    }
}
