//! 法律依据: the maintained list of provisions cases cite. Officers read it; administrators add
//! provisions and retire those no longer in force (cases that cite one keep it).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use meijian_domain::role::Permission;
use meijian_store::cases::basis::{self, BasisInput, LegalBasis};
use serde::Deserialize;

use crate::chrome::Chrome;
use crate::error::{AppError, AppResult};
use crate::pages::leads::{form_error, with_status};
use crate::pages::render;
use crate::session::CurrentUser;
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub struct BasisForm {
    #[serde(default)]
    law: String,
    #[serde(default)]
    article: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    penalty: String,
    #[serde(default)]
    verified: String,
}

#[derive(Template)]
#[template(path = "legal_basis.html")]
struct ListPage {
    chrome: Chrome,
    error: Option<String>,
    provisions: Vec<LegalBasis>,
    may_edit: bool,
    draft: BasisForm,
}

async fn page(
    state: &AppState,
    user: &CurrentUser,
    error: Option<String>,
    draft: BasisForm,
) -> AppResult<ListPage> {
    if !(user.scope.can(Permission::HandleLeads)
        || user.scope.can(Permission::ManageSettings)
        || user.scope.can(Permission::ViewStatistics))
    {
        return Err(AppError::Forbidden);
    }
    Ok(ListPage {
        chrome: Chrome::new(user, "/cases"),
        error,
        provisions: basis::list(&state.store, true).await?,
        may_edit: user.scope.can(Permission::ManageSettings),
        draft,
    })
}

#[tracing::instrument(skip_all)]
pub async fn show_list(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    Ok(render(&page(&state, &user, None, BasisForm::default()).await?)?.into_response())
}

#[tracing::instrument(skip_all)]
pub async fn add(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<BasisForm>,
) -> AppResult<Response> {
    let input = BasisInput {
        law: form.law.clone(),
        article: form.article.clone(),
        content: form.content.clone(),
        penalty: form.penalty.clone(),
        verified: form.verified == "1",
    };
    match basis::add(&state.store, &user.scope, state.now(), &input).await {
        Ok(_) => Ok(Redirect::to("/legal-basis").into_response()),
        Err(e) => {
            let message = form_error(e.into())?;
            with_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&state, &user, Some(message), form).await?,
            )
        }
    }
}

#[tracing::instrument(skip_all)]
pub async fn retire(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Response> {
    basis::retire(&state.store, &user.scope, state.now(), id.trim()).await?;
    Ok(Redirect::to("/legal-basis").into_response())
}
