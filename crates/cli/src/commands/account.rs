//! `meijian user …`: accounts from the command line (for the first administrator, and for
//! scripts). Changes are audited as `cli:<os user>`.

use std::io::Read;

use meijian_domain::department::DepartmentKind;
use meijian_domain::region::RegionCode;
use meijian_domain::role::Role;
use meijian_store::accounts::{self, AccountChange, NewAccount};
use meijian_store::accounts::{departments, password};
use meijian_store::{Scope, Store};

use super::{cli_actor, DbArgs};

#[derive(Debug, clap::Subcommand)]
pub enum UserCommand {
    /// Add an account. Prints a random initial password unless --password-stdin is given.
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// Login name: 3–32 lowercase letters, digits, _ - .
        #[arg(long)]
        username: String,
        /// The person's name, e.g. 张三.
        #[arg(long)]
        name: String,
        /// administrator, leader, officer, liaison, analyst or institution.
        #[arg(long)]
        role: String,
        /// The department: its id, or KIND@REGION such as health@370402 (see `meijian department list`).
        #[arg(long)]
        department: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Release the sign-in throttle of an account after repeated wrong passwords.
    Unlock {
        #[command(flatten)]
        db: DbArgs,
        username: String,
    },
    /// Set a new password (random unless --password-stdin); ends the account's sessions.
    Passwd {
        #[command(flatten)]
        db: DbArgs,
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

fn read_password() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    Ok(s.trim_end_matches(['\n', '\r']).to_string())
}

/// Resolves `--department`: an id, or KIND@REGION.
pub async fn resolve_department(
    store: &Store,
    scope: &Scope,
    spec: &str,
) -> anyhow::Result<String> {
    if let Some((kind, region)) = spec.split_once('@') {
        let kind = DepartmentKind::from_code(kind).ok_or_else(|| {
            let all: Vec<&str> = DepartmentKind::all().iter().map(|k| k.code()).collect();
            anyhow::anyhow!("未知部门类别“{kind}”，可选：{}", all.join(", "))
        })?;
        let region = RegionCode::parse(region)?;
        let d = departments::find(store, scope, kind, &region)
            .await
            .map_err(|_| {
                anyhow::anyhow!(
                    "{region} 没有{}：先用 `meijian department add` 建立",
                    kind.label_zh()
                )
            })?;
        Ok(d.id)
    } else {
        Ok(departments::get(store, scope, spec)
            .await
            .map_err(|_| anyhow::anyhow!("找不到部门 {spec}"))?
            .id)
    }
}

pub async fn run(cmd: UserCommand) -> anyhow::Result<()> {
    let scope = Scope::system(cli_actor());
    let now = time::OffsetDateTime::now_utc();
    match cmd {
        UserCommand::Add {
            db,
            username,
            name,
            role,
            department,
            password_stdin,
        } => {
            let (config, store) = db.open().await?;
            let role = Role::from_code(&role).ok_or_else(|| {
                let all: Vec<&str> = Role::all().iter().map(|r| r.code()).collect();
                anyhow::anyhow!("未知角色“{role}”，可选：{}", all.join(", "))
            })?;
            let department_id = resolve_department(&store, &scope, &department).await?;
            let (pw, generated) = if password_stdin {
                (read_password()?, false)
            } else {
                (password::generate(), true)
            };
            let mut tx = store.begin().await?;
            let v = accounts::create(
                &mut tx,
                &scope,
                now,
                &config.login_policy(),
                NewAccount {
                    username,
                    display_name: name,
                    role,
                    department_id,
                    password: pw.clone(),
                },
            )
            .await?;
            tx.commit().await?;
            println!(
                "已创建用户 {}（{}，{}，{}）",
                v.username,
                v.display_name,
                v.role_label(),
                v.department_name
            );
            if generated {
                println!("初始密码：{pw}");
            }
            Ok(())
        }
        UserCommand::List { db } => {
            let (_, store) = db.connect_existing().await?;
            let list = accounts::list(&store, &scope).await?;
            println!(
                "{:<16} {:<10} {:<10} {:<8} 部门",
                "用户名", "姓名", "角色", "状态"
            );
            for v in list {
                let status = if v.disabled {
                    "停用"
                } else if v.failed_logins > 0 {
                    "连续失败"
                } else {
                    "正常"
                };
                println!(
                    "{:<16} {:<10} {:<10} {:<8} {}",
                    v.username,
                    v.display_name,
                    v.role_label(),
                    status,
                    v.department_name
                );
            }
            Ok(())
        }
        UserCommand::Unlock { db, username } => {
            let (config, store) = db.open().await?;
            let v = accounts::find_by_username(&store, &scope, &username)
                .await
                .map_err(|_| anyhow::anyhow!("找不到用户 {username}"))?;
            let mut tx = store.begin().await?;
            accounts::change(
                &mut tx,
                &scope,
                now,
                &config.login_policy(),
                &v.id,
                AccountChange::Unlock,
            )
            .await?;
            tx.commit().await?;
            println!("已解除 {username} 的登录限制");
            Ok(())
        }
        UserCommand::Passwd {
            db,
            username,
            password_stdin,
        } => {
            let (config, store) = db.open().await?;
            let v = accounts::find_by_username(&store, &scope, &username)
                .await
                .map_err(|_| anyhow::anyhow!("找不到用户 {username}"))?;
            let (pw, generated) = if password_stdin {
                (read_password()?, false)
            } else {
                (password::generate(), true)
            };
            let mut tx = store.begin().await?;
            accounts::change(
                &mut tx,
                &scope,
                now,
                &config.login_policy(),
                &v.id,
                AccountChange::SetPassword(pw.clone()),
            )
            .await?;
            tx.commit().await?;
            println!("已为 {username} 设置新密码，其所有会话已结束");
            if generated {
                println!("新密码：{pw}");
            }
            Ok(())
        }
    }
}
