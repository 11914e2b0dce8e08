//! The subcommands and the options they share.

mod account;
mod audit;
mod backup;
mod demo_data;
mod department;
mod export;
mod import;
mod reconcile;
mod serve;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use meijian_store::Store;

use crate::config::Config;

/// 医美综合监管平台 (Meijian): the shared workbench of the departments that supervise the medical
/// aesthetics industry.
#[derive(Debug, Parser)]
#[command(name = "meijian", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server (migrates the database first).
    Serve(serve::ServeArgs),
    /// Run the server with a fresh demo database (枣庄市 and three districts) and print the accounts.
    Demo(serve::DemoArgs),
    /// Import a registry export (CSV or XLSX with the headers of DATA.md).
    Import(import::ImportArgs),
    /// Export a registry's records in a jurisdiction as XLSX (read-only).
    Export(export::ExportArgs),
    /// The cross-check (证照比对) of the registry files: operators and their classes.
    Reconcile(reconcile::ReconcileArgs),
    /// Write realistic registry files of a demo city, with the noise of real exports and a ground truth.
    DemoData(demo_data::DemoDataArgs),
    /// Apply database migrations and print which ran.
    Migrate(DbArgs),
    /// Manage user accounts: add, list, unlock, set a password.
    #[command(subcommand)]
    User(account::UserCommand),
    /// Manage departments: add, list.
    #[command(subcommand)]
    Department(department::DepartmentCommand),
    /// Write a consistent copy of the SQLite database while the server runs.
    Backup(backup::BackupArgs),
    /// Restore a SQLite backup after checking it against its manifest.
    Restore(backup::RestoreArgs),
    /// Check the audit log.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
}

/// Where the configuration and the database are.
#[derive(Debug, Clone, clap::Args)]
pub struct DbArgs {
    /// Configuration file (TOML).
    #[arg(long, env = "MEIJIAN_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL: sqlite:PATH or postgres://user:password@host/db (overrides the config file).
    #[arg(long, env = "MEIJIAN_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
}

impl DbArgs {
    /// The configuration with the command-line database URL applied.
    pub fn config(&self) -> anyhow::Result<Config> {
        let mut config = Config::load(self.config.as_deref())?;
        if let Some(url) = &self.database_url {
            config.database.url = url.clone();
        }
        Ok(config)
    }

    /// Connects and migrates (a command that writes may start a new SQLite database).
    pub async fn open(&self) -> anyhow::Result<(Config, Store)> {
        let config = self.config()?;
        let store = open_store(&config.database.url).await?;
        Ok((config, store))
    }

    /// Connects to the database, which must exist, without changing it (read-only commands).
    pub async fn connect_existing(&self) -> anyhow::Result<(Config, Store)> {
        let config = self.config()?;
        require_existing(&config.database.url)?;
        let store = Store::connect(&config.database.url).await?;
        Ok((config, store))
    }
}

/// Refuses an SQLite URL whose file is not there, naming it, instead of creating an empty
/// database that then fails with "no such table".
fn require_existing(url: &str) -> anyhow::Result<()> {
    let Some(rest) = url.strip_prefix("sqlite:") else {
        return Ok(());
    };
    let file = rest.trim_start_matches("//");
    let file = file.split_once('?').map_or(file, |(f, _)| f);
    if file == ":memory:" || std::path::Path::new(file).exists() {
        return Ok(());
    }
    anyhow::bail!(
        "找不到数据库 {file}（数据库地址 {url}，来自 --database-url、MEIJIAN_DATABASE_URL、配置文件或默认值）：\
         请用 --database-url 指定已有的数据库，或先运行 meijian migrate 建立新数据库"
    )
}

/// Connects to `url` and applies pending migrations.
pub async fn open_store(url: &str) -> anyhow::Result<Store> {
    let store = Store::connect(url).await?;
    let applied = store.migrate().await?;
    if !applied.is_empty() {
        tracing::info!(?applied, "migrations applied");
    }
    Ok(store)
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(a) => serve::serve(a).await,
        Command::Demo(a) => serve::demo(a).await,
        Command::Migrate(a) => {
            let config = a.config()?;
            let store = Store::connect(&config.database.url).await?;
            let applied = store.migrate().await?;
            let all = store.applied_versions().await?;
            if applied.is_empty() {
                println!("数据库已是最新（共 {} 个迁移）", all.len());
            } else {
                println!("已应用迁移：{applied:?}（共 {} 个）", all.len());
            }
            Ok(())
        }
        Command::Import(a) => import::import(a).await,
        Command::Export(a) => export::run(a).await,
        Command::DemoData(a) => demo_data::run(a),
        Command::Reconcile(a) => reconcile::run(a).await,
        Command::User(c) => account::run(c).await,
        Command::Department(c) => department::run(c).await,
        Command::Backup(a) => backup::backup(a).await,
        Command::Restore(a) => backup::restore(a).await,
        Command::Audit(c) => audit::run(c).await,
    }
}

/// The actor recorded in the audit log for command-line changes: `cli:<os user>`.
pub fn cli_actor() -> meijian_store::Actor {
    let who = std::env::var("USER").unwrap_or_else(|_| "unknown".to_string());
    meijian_store::Actor::system(format!("cli:{who}"))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        super::Cli::command().debug_assert();
    }
}
