//! 登记线索: a lead from the departments' own work (检查发现, 监测发现, 执法人员发现), routed by
//! the duty matrix and verified at once, with no acceptance step. The result page says which
//! department it went to.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use meijian_domain::lead::{Category, Source};
use meijian_domain::role::Permission;
use meijian_store::leads::intake::{self, NewClue};
use serde::Deserialize;

use super::intake::{categories, visible, RecordedPage, Routed};
use super::{counties, form_error, with_status};
use crate::chrome::Chrome;
use crate::error::{AppError, AppResult};
use crate::session::CurrentUser;
use crate::state::AppState;

/// The clue form as typed.
#[derive(Deserialize, Default, Clone)]
pub struct ClueForm {
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub region_code: String,
    #[serde(default)]
    pub subject_name: String,
    #[serde(default)]
    pub subject_address: String,
    #[serde(default)]
    pub summary: String,
}

#[derive(Template)]
#[template(path = "leads_clue.html")]
struct CluePage {
    chrome: Chrome,
    error: Option<String>,
    form: ClueForm,
    sources: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, &'static str)>,
    regions: Vec<(String, String)>,
}

fn clue_page(user: &CurrentUser, form: ClueForm, error: Option<String>) -> CluePage {
    CluePage {
        chrome: Chrome::new(user, "/leads"),
        error,
        form,
        sources: Source::ALL
            .iter()
            .filter(|s| **s != Source::Complaint)
            .map(|s| (s.code(), s.label_zh()))
            .collect(),
        categories: categories(),
        regions: counties(user),
    }
}

#[tracing::instrument(skip_all)]
pub async fn show_clue_form(user: CurrentUser) -> AppResult<Response> {
    user.scope.require(Permission::HandleLeads)?;
    let regions = counties(&user);
    let form = ClueForm {
        source: Source::Inspection.code().into(),
        region_code: if regions.len() == 1 {
            regions[0].0.clone()
        } else {
            String::new()
        },
        ..ClueForm::default()
    };
    with_status(StatusCode::OK, &clue_page(&user, form, None))
}

#[tracing::instrument(skip_all)]
pub async fn record_clue(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<ClueForm>,
) -> AppResult<Response> {
    user.scope.require(Permission::HandleLeads)?;
    let cal = state.calendar().await?;
    let parsed = match (
        Source::from_code(&form.source).filter(|s| *s != Source::Complaint),
        Category::from_code(&form.category),
    ) {
        (Some(source), Some(category)) => Ok(NewClue {
            source,
            category,
            region_code: form.region_code.trim().to_string(),
            subject_name: form.subject_name.clone(),
            subject_address: form.subject_address.clone(),
            summary: form.summary.clone(),
        }),
        (None, _) => Err(AppError::Invalid {
            field: "线索来源".into(),
            message: "请选择线索来源".into(),
        }),
        (_, None) => Err(AppError::Invalid {
            field: "类别".into(),
            message: "请选择违法类别".into(),
        }),
    };
    let result = match parsed {
        Ok(c) => intake::record_clue(
            &state.store,
            &user.scope,
            &cal,
            &state.settings.leads,
            state.now(),
            c,
        )
        .await
        .map_err(AppError::from),
        Err(e) => Err(e),
    };
    let recorded = match result {
        Ok(r) => r,
        Err(e) => {
            let message = form_error(e)?;
            return with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &clue_page(&user, form, Some(message)),
            );
        }
    };
    let page = RecordedPage {
        chrome: Chrome::new(&user, "/leads"),
        routed: Routed {
            visible: visible(&user, &recorded.department_id),
            lead_id: recorded.lead_id,
            lead_code: recorded.lead_code,
            department_name: recorded.department_name,
            referred_to: recorded.referred_to,
        },
        ticket: None,
        accept_due: String::new(),
    };
    with_status(StatusCode::OK, &page)
}
