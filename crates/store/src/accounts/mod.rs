//! Accounts (用户账号): creation, the admin list, disabling, unlocking and passwords. Signing
//! in is in [`login`]; departments, passwords and sessions live beside it.

pub mod departments;
pub mod login;
pub mod password;
pub mod sessions;

use meijian_domain::region::RegionCode;
use meijian_domain::role::{Permission, Role};
use serde::Serialize;
use time::OffsetDateTime;

use crate::audit::{self, Change};
use crate::stored::At;
use crate::{new_id, timefmt, Actor, Scope, Store, StoreError, Tx};
use departments::Department;

pub use login::{authenticate, LoginError, LoginPolicy};

/// An account, decoded from its row.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub department_id: String,
    pub failed_logins: i64,
    pub locked_until: Option<OffsetDateTime>,
    pub disabled: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// The operator an institution account is bound to.
    pub operator_id: Option<String>,
}

/// An account row as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct AccountRecord {
    id: String,
    username: String,
    display_name: String,
    password_hash: String,
    role: String,
    department_id: String,
    failed_logins: i64,
    locked_until: Option<String>,
    disabled: i64,
    created_at: String,
    updated_at: String,
    operator_id: Option<String>,
}

impl TryFrom<AccountRecord> for Account {
    type Error = StoreError;

    fn try_from(r: AccountRecord) -> Result<Account, StoreError> {
        let at = At::new("account", &r.id);
        Ok(Account {
            role: at.code("role", &r.role, Role::from_code)?,
            locked_until: at.time_opt("locked_until", r.locked_until.as_deref())?,
            created_at: at.time("created_at", &r.created_at)?,
            updated_at: at.time("updated_at", &r.updated_at)?,
            disabled: r.disabled != 0,
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            password_hash: r.password_hash,
            department_id: r.department_id,
            failed_logins: r.failed_logins,
            operator_id: r.operator_id,
        })
    }
}

/// `disabled` as stored (0 or 1), so audit records keep their shape.
fn disabled_as_stored<S: serde::Serializer>(disabled: &bool, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_i64(i64::from(*disabled))
}

/// What the admin pages and the API show of an account.
#[derive(Debug, Clone, Serialize)]
pub struct AccountView {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: String,
    pub department_name: String,
    pub region_code: String,
    pub failed_logins: i64,
    #[serde(serialize_with = "crate::timefmt::as_stored::option::serialize")]
    pub locked_until: Option<OffsetDateTime>,
    #[serde(serialize_with = "disabled_as_stored")]
    pub disabled: bool,
    #[serde(serialize_with = "crate::timefmt::as_stored::serialize")]
    pub created_at: OffsetDateTime,
    /// The operator (主体编号) an institution account is bound to.
    pub operator_id: Option<String>,
}

/// An account view row as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
struct ViewRecord {
    id: String,
    username: String,
    display_name: String,
    role: String,
    department_id: String,
    department_name: String,
    region_code: String,
    failed_logins: i64,
    locked_until: Option<String>,
    disabled: i64,
    created_at: String,
    operator_id: Option<String>,
}

impl TryFrom<ViewRecord> for AccountView {
    type Error = StoreError;

    fn try_from(r: ViewRecord) -> Result<AccountView, StoreError> {
        let at = At::new("account", &r.id);
        Ok(AccountView {
            role: at.code("role", &r.role, Role::from_code)?,
            locked_until: at.time_opt("locked_until", r.locked_until.as_deref())?,
            created_at: at.time("created_at", &r.created_at)?,
            disabled: r.disabled != 0,
            id: r.id,
            username: r.username,
            display_name: r.display_name,
            department_id: r.department_id,
            department_name: r.department_name,
            region_code: r.region_code,
            failed_logins: r.failed_logins,
            operator_id: r.operator_id,
        })
    }
}

fn views(rows: Vec<ViewRecord>) -> Result<Vec<AccountView>, StoreError> {
    rows.into_iter().map(AccountView::try_from).collect()
}

fn view_opt(row: Option<ViewRecord>) -> Result<Option<AccountView>, StoreError> {
    row.map(AccountView::try_from).transpose()
}

impl AccountView {
    pub fn role_label(&self) -> &'static str {
        self.role.label_zh()
    }
}

/// A signed-in user: the account and its department, from which the scope follows.
#[derive(Debug, Clone)]
pub struct Principal {
    pub account: Account,
    pub department: Department,
}

impl Principal {
    /// The account's role; an unknown stored role is an error naming the account, never a
    /// guess.
    pub fn role(&self) -> Result<Role, StoreError> {
        Ok(self.account.role)
    }

    /// The scope every request of this user runs in.
    pub fn scope(&self, mut actor: Actor) -> Result<Scope, StoreError> {
        actor.account_id = Some(self.account.id.clone());
        actor.name = self.account.username.clone();
        let region = RegionCode::parse(&self.department.region_code)
            .map_err(|e| StoreError::Other(format!("部门行政区划代码无效：{e}")))?;
        Ok(
            Scope::for_user(actor, self.role()?, self.department.id.clone(), region)
                .bound_to(self.account.operator_id.clone()),
        )
    }
}

/// An account to create.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub department_id: String,
    pub password: String,
}

fn check_username(username: &str) -> Result<(), StoreError> {
    let ok_chars = username
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.'));
    if !(3..=32).contains(&username.len()) || !ok_chars {
        return Err(StoreError::invalid(
            "用户名",
            "应为 3 至 32 位小写字母、数字或 _ - .",
        ));
    }
    Ok(())
}

/// Creates an account in a department of the scope's jurisdiction (administrators only).
#[tracing::instrument(skip_all)]
pub async fn create(
    tx: &mut Tx,
    scope: &Scope,
    now: OffsetDateTime,
    policy: &LoginPolicy,
    new: NewAccount,
) -> Result<AccountView, StoreError> {
    scope.require(Permission::ManageAccounts)?;
    let username = new.username.trim().to_string();
    check_username(&username)?;
    let display_name = new.display_name.trim().to_string();
    if display_name.is_empty() || display_name.chars().count() > 50 {
        return Err(StoreError::invalid("姓名", "不能为空，且不超过 50 个字"));
    }
    password::check_policy(&new.password, &username, policy.min_password_len)?;
    let (lo, hi) = scope.region_range();
    let dept: Option<departments::DepartmentRecord> =
        sqlx::query_as("select * from department where id = $1 and region_code between $2 and $3")
            .bind(&new.department_id)
            .bind(lo)
            .bind(hi)
            .fetch_optional(&mut **tx)
            .await?;
    let dept = Department::try_from(
        dept.ok_or_else(|| StoreError::invalid("所属部门", "部门不存在或不在您的管辖范围内"))?,
    )?;
    let id = new_id();
    let at = timefmt::to_db(now);
    let inserted = sqlx::query(
        "insert into account (id, username, display_name, password_hash, role, department_id, \
         failed_logins, locked_until, disabled, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, 0, null, 0, $7, $7)",
    )
    .bind(&id)
    .bind(&username)
    .bind(&display_name)
    .bind(password::hash(&new.password)?)
    .bind(new.role.code())
    .bind(&dept.id)
    .bind(&at)
    .execute(&mut **tx)
    .await;
    if let Err(e) = inserted {
        return Err(if StoreError::is_unique_violation(&e) {
            StoreError::Conflict {
                field: "用户名",
                message: format!("“{username}”已被使用"),
            }
        } else {
            e.into()
        });
    }
    let view = AccountView {
        id: id.clone(),
        username,
        display_name,
        role: new.role,
        department_id: dept.id.clone(),
        department_name: dept.name.clone(),
        region_code: dept.region_code.clone(),
        failed_logins: 0,
        locked_until: None,
        disabled: false,
        created_at: now.replace_nanosecond(0).unwrap_or(now),
        operator_id: None,
    };
    audit::record(
        tx,
        &scope.actor,
        now,
        Change {
            action: "account.create",
            entity: "account",
            entity_id: &id,
            region_code: Some(&dept.region_code),
            before: None,
            after: serde_json::to_value(&view).ok(),
        },
    )
    .await?;
    Ok(view)
}

const VIEW_SELECT: &str = "select a.id, a.username, a.display_name, a.role, a.department_id, \
     d.name as department_name, d.region_code, a.failed_logins, a.locked_until, a.disabled, \
     a.created_at, a.operator_id from account a join department d on d.id = a.department_id";

/// Accounts of the departments in the scope's jurisdiction (administrators only).
#[tracing::instrument(skip_all)]
pub async fn list(store: &Store, scope: &Scope) -> Result<Vec<AccountView>, StoreError> {
    scope.require(Permission::ManageAccounts)?;
    let (lo, hi) = scope.region_range();
    views(
        sqlx::query_as::<_, ViewRecord>(&format!(
            "{VIEW_SELECT} where d.region_code between $1 and $2 order by d.region_code, d.kind, a.username"
        ))
        .bind(lo)
        .bind(hi)
        .fetch_all(store.pool())
        .await?,
    )
}

/// Members of a department the scope can see (the directory: names and roles only).
#[tracing::instrument(skip_all)]
pub async fn members(
    store: &Store,
    scope: &Scope,
    department_id: &str,
) -> Result<Vec<AccountView>, StoreError> {
    scope.require(Permission::ViewDirectory)?;
    let (lo, hi) = scope.region_range();
    views(
        sqlx::query_as::<_, ViewRecord>(&format!(
            "{VIEW_SELECT} where a.department_id = $1 and d.region_code between $2 and $3 \
             order by a.username"
        ))
        .bind(department_id)
        .bind(lo)
        .bind(hi)
        .fetch_all(store.pool())
        .await?,
    )
}

/// One account in the scope (administrators only); `NotFound` otherwise.
#[tracing::instrument(skip_all)]
pub async fn get(store: &Store, scope: &Scope, id: &str) -> Result<AccountView, StoreError> {
    scope.require(Permission::ManageAccounts)?;
    let (lo, hi) = scope.region_range();
    sqlx::query_as::<_, ViewRecord>(&format!(
        "{VIEW_SELECT} where a.id = $1 and d.region_code between $2 and $3"
    ))
    .bind(id)
    .bind(lo)
    .bind(hi)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?
    .try_into()
}

/// Finds an account by username in the scope (for the command line).
#[tracing::instrument(skip_all)]
pub async fn find_by_username(
    store: &Store,
    scope: &Scope,
    username: &str,
) -> Result<AccountView, StoreError> {
    let (lo, hi) = scope.region_range();
    sqlx::query_as::<_, ViewRecord>(&format!(
        "{VIEW_SELECT} where a.username = $1 and d.region_code between $2 and $3"
    ))
    .bind(username)
    .bind(lo)
    .bind(hi)
    .fetch_optional(store.pool())
    .await?
    .ok_or(StoreError::NotFound)?
    .try_into()
}

/// Number of accounts in the whole database (to tell a fresh installation).
#[tracing::instrument(skip_all)]
pub async fn count(store: &Store) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar("select count(*) from account")
        .fetch_one(store.pool())
        .await?)
}

/// The administrative changes to an account.
#[derive(Debug, Clone)]
pub enum AccountChange {
    Disable,
    Enable,
    Unlock,
    SetPassword(String),
}

/// Applies `change` to an account in the scope, ends its sessions where the change calls
/// for it, and audits it.
#[tracing::instrument(skip_all)]
pub async fn change(
    tx: &mut Tx,
    scope: &Scope,
    now: OffsetDateTime,
    policy: &LoginPolicy,
    id: &str,
    change: AccountChange,
) -> Result<(), StoreError> {
    scope.require(Permission::ManageAccounts)?;
    let (lo, hi) = scope.region_range();
    let before: Option<ViewRecord> = sqlx::query_as(&format!(
        "{VIEW_SELECT} where a.id = $1 and d.region_code between $2 and $3"
    ))
    .bind(id)
    .bind(lo)
    .bind(hi)
    .fetch_optional(&mut **tx)
    .await?;
    let before = AccountView::try_from(before.ok_or(StoreError::NotFound)?)?;
    let at = timefmt::to_db(now);
    let action = match &change {
        AccountChange::Disable => {
            sqlx::query("update account set disabled = 1, updated_at = $2 where id = $1")
                .bind(id)
                .bind(&at)
                .execute(&mut **tx)
                .await?;
            sessions::delete_for_account(tx, id).await?;
            "account.disable"
        }
        AccountChange::Enable => {
            sqlx::query("update account set disabled = 0, updated_at = $2 where id = $1")
                .bind(id)
                .bind(&at)
                .execute(&mut **tx)
                .await?;
            "account.enable"
        }
        AccountChange::Unlock => {
            sqlx::query(
                "update account set failed_logins = 0, locked_until = null, updated_at = $2 where id = $1",
            )
            .bind(id)
            .bind(&at)
            .execute(&mut **tx)
            .await?;
            sqlx::query("delete from rate_limit where key = $1")
                .bind(crate::accounts::login::name_key(&before.username))
                .execute(&mut **tx)
                .await?;
            "account.unlock"
        }
        AccountChange::SetPassword(pw) => {
            password::check_policy(pw, &before.username, policy.min_password_len)?;
            sqlx::query(
                "update account set password_hash = $2, failed_logins = 0, locked_until = null, \
                 updated_at = $3 where id = $1",
            )
            .bind(id)
            .bind(password::hash(pw)?)
            .bind(&at)
            .execute(&mut **tx)
            .await?;
            sessions::delete_for_account(tx, id).await?;
            "account.set_password"
        }
    };
    let after: Option<ViewRecord> = sqlx::query_as(&format!("{VIEW_SELECT} where a.id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    let after = view_opt(after)?;
    audit::record(
        tx,
        &scope.actor,
        now,
        Change {
            action,
            entity: "account",
            entity_id: id,
            region_code: Some(&before.region_code),
            before: serde_json::to_value(&before).ok(),
            after: after.and_then(|a| serde_json::to_value(a).ok()),
        },
    )
    .await?;
    Ok(())
}

/// What an administrator does to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountAction {
    Disable,
    Enable,
    /// Releases the name's sign-in throttle.
    Unlock,
    /// Sets a random password, returned once; ends the account's sessions.
    ResetPassword,
}

impl AccountAction {
    /// The `{action}` of `POST /admin/users/{id}/{action}`.
    pub fn from_path(path: &str) -> Option<AccountAction> {
        match path {
            "disable" => Some(AccountAction::Disable),
            "enable" => Some(AccountAction::Enable),
            "unlock" => Some(AccountAction::Unlock),
            "reset-password" => Some(AccountAction::ResetPassword),
            _ => None,
        }
    }
}

/// An administrator's action on an account, by its code (`disable`, `enable`, `unlock`,
/// `reset-password`), in its own transaction. Returns the new random password of a reset, to
/// be shown once. `NotFound` for an unknown action; nobody may disable their own account.
#[tracing::instrument(skip_all)]
pub async fn act(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    policy: &LoginPolicy,
    id: &str,
    action: AccountAction,
) -> Result<Option<String>, StoreError> {
    let mut new_password = None;
    let change = match action {
        AccountAction::Disable => AccountChange::Disable,
        AccountAction::Enable => AccountChange::Enable,
        AccountAction::Unlock => AccountChange::Unlock,
        AccountAction::ResetPassword => {
            let pw = password::generate();
            new_password = Some(pw.clone());
            AccountChange::SetPassword(pw)
        }
    };
    if scope.actor.account_id.as_deref() == Some(id) && matches!(change, AccountChange::Disable) {
        return Err(StoreError::invalid("账户", "不能停用自己的账户"));
    }
    let mut tx = store.begin().await?;
    self::change(&mut tx, scope, now, policy, id, change).await?;
    tx.commit().await?;
    Ok(new_password)
}

/// Binds an institution account (医疗机构) to its operator, or unbinds it (`None`): the account
/// then sees that operator's file and nothing else. The operator must be one the
/// administrator's jurisdiction holds; a merged id binds to the operator it became.
#[tracing::instrument(skip_all)]
pub async fn bind_operator(
    store: &Store,
    scope: &Scope,
    now: OffsetDateTime,
    id: &str,
    operator_id: Option<&str>,
) -> Result<AccountView, StoreError> {
    let before = get(store, scope, id).await?;
    if before.role != Role::Institution {
        return Err(StoreError::invalid(
            "绑定机构",
            "只有医疗机构账户可以绑定机构",
        ));
    }
    let operator = match operator_id.map(str::trim).filter(|o| !o.is_empty()) {
        Some(o) => Some(
            crate::operators::read::resolve(store, scope, o)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound => {
                        StoreError::invalid("主体编号", format!("您的辖区内没有主体“{o}”"))
                    }
                    other => other,
                })?
                .id,
        ),
        None => None,
    };
    let mut tx = store.begin().await?;
    let mut q = crate::sql::Query::new("update account set operator_id = ");
    q.bind(operator.clone())
        .push(", updated_at = ")
        .bind(timefmt::to_db(now))
        .push(" where id = ")
        .bind(id);
    q.execute(&mut *tx).await?;
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        Change {
            action: "account.bind_operator",
            entity: "account",
            entity_id: id,
            region_code: Some(&before.region_code),
            before: Some(serde_json::json!({"operator_id": before.operator_id})),
            after: Some(serde_json::json!({"operator_id": operator})),
        },
    )
    .await?;
    tx.commit().await?;
    get(store, scope, id).await
}

/// Loads an account with its department by id (for sessions).
#[tracing::instrument(skip_all)]
pub(crate) async fn principal_by_id(
    store: &Store,
    id: &str,
) -> Result<Option<Principal>, StoreError> {
    let account: Option<AccountRecord> = sqlx::query_as("select * from account where id = $1")
        .bind(id)
        .fetch_optional(store.pool())
        .await?;
    let Some(account) = account else {
        return Ok(None);
    };
    let account = Account::try_from(account)?;
    let department = departments::by_id(store.pool(), &account.department_id)
        .await?
        .ok_or_else(|| StoreError::Corrupt {
            table: "account",
            id: account.id.clone(),
            column: "department_id",
            value: account.department_id.clone(),
        })?;
    Ok(Some(Principal {
        account,
        department,
    }))
}

/// Whether any account exists (the demo seeds only an empty database).
#[tracing::instrument(skip_all)]
pub async fn any_exist(store: &Store) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query_scalar("select count(*) from account")
        .fetch_one(store.pool())
        .await?;
    Ok(n > 0)
}
