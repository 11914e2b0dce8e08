//! System administration (系统管理): users and departments of the administrator's
//! jurisdiction. New and reset passwords are random and shown once.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::Form;
use meijian_domain::department::DepartmentKind;
use meijian_domain::region::{RegionCode, RegionTable};
use meijian_domain::role::{Permission, Role};
use meijian_store::accounts::departments::{self, NewDepartment};
use meijian_store::accounts::password;
use meijian_store::accounts::{self, AccountView, NewAccount};
use serde::Deserialize;

use crate::chrome::Chrome;
use crate::error::{AppError, AppResult};
use crate::pages::render;
use crate::session::CurrentUser;
use crate::state::AppState;

/// A user as the admin pages list it.
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: &'static str,
    pub department: String,
    pub status: String,
    pub created_at: String,
    /// An institution account: the operator it is bound to (empty when not yet bound).
    pub institution: bool,
    pub operator_id: String,
}

fn user_row(v: AccountView) -> UserRow {
    let status = if v.disabled {
        "已停用".to_string()
    } else if v.failed_logins > 0 {
        format!("正常（连续登录失败 {} 次）", v.failed_logins)
    } else {
        "正常".to_string()
    };
    UserRow {
        role: v.role_label(),
        id: v.id,
        username: v.username,
        display_name: v.display_name,
        department: v.department_name,
        status,
        created_at: crate::pages::show_time(v.created_at),
        institution: v.role == meijian_domain::Role::Institution,
        operator_id: v.operator_id.unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct AdminPage {
    chrome: Chrome,
    notice: Option<String>,
    error: Option<String>,
    users: Vec<UserRow>,
    departments: Vec<departments::Department>,
    roles: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    regions: Vec<(String, String)>,
}

/// The region choices under the jurisdiction root: root, then children, then grandchildren.
fn region_options(root: &str) -> Vec<(String, String)> {
    let table = RegionTable::embedded();
    let mut out = Vec::new();
    let Ok(code) = RegionCode::parse(root) else {
        return out;
    };
    let Some(r) = table.get(&code) else {
        return out;
    };
    out.push((r.code.as_str().to_string(), r.name.clone()));
    for c in table.children(&code) {
        out.push((c.code.as_str().to_string(), format!("　{}", c.name)));
        for g in table.children(&c.code) {
            out.push((g.code.as_str().to_string(), format!("　　{}", g.name)));
        }
    }
    out
}

async fn admin_page(
    state: &AppState,
    user: &CurrentUser,
    notice: Option<String>,
    error: Option<String>,
) -> AppResult<Html<String>> {
    user.scope.require(Permission::ManageAccounts)?;
    let users = accounts::list(&state.store, &user.scope).await?;
    let departments = departments::list(&state.store, &user.scope).await?;
    render(&AdminPage {
        chrome: Chrome::new(user, "/admin"),
        notice,
        error,
        users: users.into_iter().map(user_row).collect(),
        departments,
        roles: Role::all()
            .iter()
            .map(|r| (r.code(), r.label_zh()))
            .collect(),
        kinds: DepartmentKind::all()
            .iter()
            .map(|k| (k.code(), k.label_zh()))
            .collect(),
        regions: region_options(&user.principal.department.region_code),
    })
}

#[tracing::instrument(skip_all)]
pub async fn show_admin(
    State(state): State<AppState>,
    user: CurrentUser,
) -> AppResult<Html<String>> {
    admin_page(&state, &user, None, None).await
}

#[derive(Deserialize)]
pub struct NewUserForm {
    username: String,
    display_name: String,
    role: String,
    department_id: String,
}

#[tracing::instrument(skip_all)]
pub async fn create_user(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<NewUserForm>,
) -> AppResult<Html<String>> {
    let role = Role::from_code(&form.role).ok_or_else(|| AppError::Invalid {
        field: "角色".into(),
        message: "未知角色".into(),
    })?;
    let initial = password::generate();
    let mut tx = state.store.begin().await?;
    let created = accounts::create(
        &mut tx,
        &user.scope,
        state.now(),
        &state.settings.login,
        NewAccount {
            username: form.username,
            display_name: form.display_name,
            role,
            department_id: form.department_id,
            password: initial.clone(),
        },
    )
    .await;
    match created {
        Ok(v) => {
            tx.commit().await?;
            let notice = format!("已创建用户 {}（{}），初始密码：{initial}（仅显示这一次，请当面或通过安全渠道告知本人）", v.display_name, v.username);
            admin_page(&state, &user, Some(notice), None).await
        }
        Err(
            e @ (meijian_store::StoreError::Invalid { .. }
            | meijian_store::StoreError::Conflict { .. }),
        ) => admin_page(&state, &user, None, Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct NewDepartmentForm {
    kind: String,
    region_code: String,
    #[serde(default)]
    name: String,
}

#[tracing::instrument(skip_all)]
pub async fn create_department(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<NewDepartmentForm>,
) -> AppResult<Html<String>> {
    let new = NewDepartment::parse(&form.kind, &form.region_code, Some(form.name))?;
    let mut tx = state.store.begin().await?;
    let created = departments::create(&mut tx, &user.scope, state.now(), new).await;
    match created {
        Ok(d) => {
            tx.commit().await?;
            admin_page(&state, &user, Some(format!("已创建部门：{}", d.name)), None).await
        }
        Err(
            e @ (meijian_store::StoreError::Invalid { .. }
            | meijian_store::StoreError::Conflict { .. }),
        ) => admin_page(&state, &user, None, Some(e.to_string())).await,
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "admin_user.html")]
struct UserPage {
    chrome: Chrome,
    notice: Option<String>,
    user: UserRow,
    actions: Vec<(&'static str, &'static str)>,
}

async fn user_page(
    state: &AppState,
    me: &CurrentUser,
    id: &str,
    notice: Option<String>,
) -> AppResult<Html<String>> {
    let view = accounts::get(&state.store, &me.scope, id).await?;
    let mut actions = Vec::new();
    if view.disabled {
        actions.push(("enable", "启用账户"));
    } else {
        actions.push(("disable", "停用账户"));
    }
    // Releases the name's sign-in throttle (slowed after repeated wrong passwords).
    actions.push(("unlock", "解除登录限制"));
    actions.push(("reset-password", "重置密码"));
    render(&UserPage {
        chrome: Chrome::new(me, "/admin"),
        notice,
        user: user_row(view),
        actions,
    })
}

#[derive(serde::Deserialize)]
pub struct BindForm {
    #[serde(default)]
    operator: String,
}

/// 绑定机构: ties an institution account to its operator (empty: unbinds).
#[tracing::instrument(skip_all)]
pub async fn bind_operator(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<BindForm>,
) -> AppResult<Html<String>> {
    let operator = Some(form.operator.trim()).filter(|o| !o.is_empty());
    accounts::bind_operator(&state.store, &me.scope, state.now(), &id, operator).await?;
    let notice = match operator {
        Some(_) => "已绑定机构：该账户只能查看本机构的档案。",
        None => "已解除绑定：该账户暂时看不到任何机构档案。",
    };
    user_page(&state, &me, &id, Some(notice.to_string())).await
}

#[tracing::instrument(skip_all)]
pub async fn show_user(
    State(state): State<AppState>,
    me: CurrentUser,
    Path(id): Path<String>,
) -> AppResult<Html<String>> {
    user_page(&state, &me, &id, None).await
}

#[tracing::instrument(skip_all)]
pub async fn change_user(
    State(state): State<AppState>,
    me: CurrentUser,
    Path((id, action)): Path<(String, String)>,
) -> AppResult<Html<String>> {
    let action = accounts::AccountAction::from_path(&action).ok_or(AppError::NotFound)?;
    let new_password = accounts::act(
        &state.store,
        &me.scope,
        state.now(),
        &state.settings.login,
        &id,
        action,
    )
    .await?;
    let notice = match new_password {
        Some(pw) => format!("密码已重置，新密码：{pw}（仅显示这一次）。该用户的所有会话已结束。"),
        None => "已保存。".to_string(),
    };
    user_page(&state, &me, &id, Some(notice)).await
}
