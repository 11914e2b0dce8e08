//! The department directory (部门通讯录): departments of the jurisdiction and their people.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use meijian_store::accounts::departments::{self, Department};
use meijian_store::accounts::{self, AccountView};

use crate::chrome::Chrome;
use crate::error::AppResult;
use crate::pages::{region_name, render};
use crate::session::CurrentUser;
use crate::state::AppState;

pub struct DepartmentRow {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    pub region: String,
    pub region_code: String,
}

impl From<Department> for DepartmentRow {
    fn from(d: Department) -> Self {
        DepartmentRow {
            kind: d.kind_label(),
            region: d.region_name(),
            id: d.id,
            name: d.name,
            region_code: d.region_code,
        }
    }
}

#[derive(Template)]
#[template(path = "departments.html")]
struct ListPage {
    chrome: Chrome,
    jurisdiction: String,
    departments: Vec<DepartmentRow>,
}

#[tracing::instrument(skip_all)]
pub async fn list_departments(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Html<String>> {
    let list = departments::list(&state.store, &user.scope).await?;
    render(&ListPage {
        chrome: Chrome::new(&user, "/departments"),
        jurisdiction: region_name(&user.principal.department.region_code),
        departments: list.into_iter().map(DepartmentRow::from).collect(),
    })
}

#[derive(Template)]
#[template(path = "department.html")]
struct DetailPage {
    chrome: Chrome,
    department: DepartmentRow,
    members: Vec<AccountView>,
}

#[tracing::instrument(skip_all)]
pub async fn show_department(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    let department = departments::get(&state.store, &user.scope, &id).await?;
    let members = accounts::members(&state.store, &user.scope, &department.id).await?;
    render(&DetailPage {
        chrome: Chrome::new(&user, "/departments"),
        department: department.into(),
        members,
    })
}
