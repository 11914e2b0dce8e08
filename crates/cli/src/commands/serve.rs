//! `meijian serve` and `meijian demo`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use meijian_store::accounts::sessions;
use meijian_store::{demo, Store};
use meijian_web::{AppState, SystemClock};

use super::{open_store, DbArgs};
use crate::config::Config;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Address to listen on, e.g. 0.0.0.0:8080 (overrides the config file).
    #[arg(long, env = "MEIJIAN_LISTEN")]
    listen: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// Folder for the demo database; its demo.db is replaced at every start.
    #[arg(long, default_value = "meijian-demo")]
    data_dir: PathBuf,
    /// Put the demo city into this PostgreSQL database instead (it must hold no accounts
    /// yet), e.g. to try several servers or to probe PostgreSQL.
    #[arg(long)]
    database_url: Option<String>,
}

fn init_logging(format: &str, level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    // Colour codes only for a terminal: redirected to a file they are noise in every line.
    let colour = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr);
    let _ = if format == "json" {
        builder.json().flatten_event(true).try_init()
    } else {
        builder.compact().try_init()
    };
}

fn parse_listen(s: &str) -> anyhow::Result<SocketAddr> {
    s.parse()
        .map_err(|_| anyhow::anyhow!("监听地址“{s}”无效，应形如 127.0.0.1:8080"))
}

pub async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let mut config = args.db.config()?;
    if let Some(l) = args.listen {
        config.server.listen = l;
    }
    init_logging(&config.log.format, &config.log.level);
    let addr = parse_listen(&config.server.listen)?;
    let listener = meijian_web::bind(addr).await.map_err(anyhow::Error::msg)?;
    let metrics = bind_metrics(&config, addr).await?;
    let store = open_store(&config.database.url).await?;
    let accounts = meijian_store::accounts::count(&store).await?;
    if accounts == 0 {
        eprintln!("提示：数据库中还没有用户。先用 `meijian department add` 建立部门，再用 `meijian user add --role administrator` 建立第一个管理员。");
    }
    tracing::info!(%addr, database = %meijian_store::redact_url(&config.database.url), "serving");
    eprintln!("医美综合监管平台已启动：http://{addr}/");
    run_server(listener, metrics, store, &config).await
}

/// The listener of `[metrics] listen`, if configured (validated with the config file; checked
/// here against a `--listen` that overrode the main address).
async fn bind_metrics(
    config: &Config,
    main: SocketAddr,
) -> anyhow::Result<Option<tokio::net::TcpListener>> {
    let Some(listen) = &config.metrics.listen else {
        return Ok(None);
    };
    let addr = parse_listen(listen)?;
    if addr == main {
        anyhow::bail!("配置项 metrics.listen 须与服务地址 {main} 不同");
    }
    let listener = meijian_web::bind(addr).await.map_err(anyhow::Error::msg)?;
    eprintln!("监控指标（/metrics）：http://{addr}/metrics");
    Ok(Some(listener))
}

async fn run_server(
    listener: tokio::net::TcpListener,
    metrics: Option<tokio::net::TcpListener>,
    store: Store,
    config: &Config,
) -> anyhow::Result<()> {
    let settings = config.web_settings();
    let session_policy = settings.session;
    let state = AppState::new(store.clone(), settings, Arc::new(SystemClock)).await?;
    // Expired sessions are refused on sight; this sweep only keeps the table small.
    let sweeper = tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            tick.tick().await;
            let now = time::OffsetDateTime::now_utc();
            if let Err(e) = sessions::purge_expired(&store, now, &session_policy).await {
                tracing::warn!(error = %e, "session sweep failed");
            }
        }
    });
    // `/metrics` on its own address: stopped with the main server.
    let metrics = metrics.map(|l| {
        tokio::spawn(meijian_web::health::serve_metrics(
            l,
            meijian_web::metrics_handle(),
            config.metrics.token.clone(),
            std::future::pending(),
        ))
    });
    let result = meijian_web::serve(listener, state, shutdown_signal()).await;
    sweeper.abort();
    if let Some(m) = metrics {
        m.abort();
    }
    result.map_err(|e| anyhow::anyhow!("服务器异常退出：{e}"))
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("正在停止……");
}

/// Generates the registries of a city of 2,000 operators (`meijian demo-data`) and imports
/// them, so that every registry page has data to show.
async fn import_demo_registries(store: &Store, data_dir: &std::path::Path) -> anyhow::Result<()> {
    use meijian_registry::RegistryKind;
    use meijian_store::registries::import::{import_file, ImportOptions};
    let dir = data_dir.join("registries");
    std::fs::create_dir_all(&dir)
        .map_err(|e| anyhow::anyhow!("无法创建目录 {}：{e}", dir.display()))?;
    let opts = meijian_demodata::Options {
        operators: 2_000,
        ..meijian_demodata::Options::default()
    };
    meijian_demodata::generate(&opts, &dir, &mut |_| {})?;
    // Imported as the city's administrator would from the upload page, so that rows without a
    // region of their own (products, ad certificates) belong to the city.
    let city = meijian_domain::region::RegionCode::parse(demo::CITY)?;
    let scope = meijian_store::Scope::for_user(
        meijian_store::Actor::system("demo"),
        meijian_domain::role::Role::Administrator,
        String::new(),
        city,
    );
    let now = || time::OffsetDateTime::now_utc();
    for kind in RegistryKind::all() {
        let file = dir.join(format!("{}.csv", kind.code()));
        let import = ImportOptions::new(*kind);
        let r = import_file(store, &scope, &now, &file, &import, &mut |_, _, _| {}).await?;
        eprintln!(
            "演示数据：{} 导入 {} 条，拒绝 {} 条",
            kind.label_zh(),
            r.added,
            r.rejected
        );
    }
    Ok(())
}

/// Pads to `width` terminal columns, counting a Chinese character as two.
fn pad(s: &str, width: usize) -> String {
    let used: usize = s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(used)))
}

pub async fn demo(args: DemoArgs) -> anyhow::Result<()> {
    init_logging("text", "info");
    let addr = parse_listen(&args.listen)?;
    let listener = meijian_web::bind(addr).await.map_err(anyhow::Error::msg)?;
    std::fs::create_dir_all(&args.data_dir)
        .map_err(|e| anyhow::anyhow!("无法创建目录 {}：{e}", args.data_dir.display()))?;
    let db = args.data_dir.join("demo.db");
    let url = match &args.database_url {
        Some(url) => url.clone(),
        None => {
            for suffix in ["", "-wal", "-shm"] {
                let mut p = db.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(p));
            }
            format!("sqlite:{}", db.display())
        }
    };
    let store = open_store(&url).await?;
    if meijian_store::accounts::any_exist(&store).await? {
        anyhow::bail!(
            "数据库 {} 中已有账户，演示数据只能放入空数据库",
            meijian_store::redact_url(&url)
        );
    }
    let accounts = demo::seed(&store, time::OffsetDateTime::now_utc()).await?;
    import_demo_registries(&store, &args.data_dir).await?;
    let started = time::OffsetDateTime::now_utc();
    let city = meijian_domain::region::RegionCode::parse(demo::CITY)?;
    let scope = meijian_store::Scope::system_at(meijian_store::Actor::system("demo"), city);
    let today = meijian_store::timefmt::date_cst(started);
    meijian_store::reconcile::run(&store, &scope, &today, started).await?;
    let leads = meijian_store::leads::demo::seed(&store, started).await?;
    eprintln!("演示数据：证照比对已运行，投诉举报 {leads} 件");
    if let Some(name) = demo::bind_institution(&store, started).await? {
        eprintln!("演示数据：医疗机构账户 institution 绑定“{name}”");
    }
    println!("医美综合监管平台 · 演示环境");
    match &args.database_url {
        Some(url) => println!("数据库：{}", meijian_store::redact_url(url)),
        None => println!("数据库：{}（每次启动重新生成）", db.display()),
    }
    println!("地址：  http://{addr}/");
    println!();
    println!(
        "{}{}{}部门",
        pad("用户名", 14),
        pad("密码", 18),
        pad("角色", 12)
    );
    for a in &accounts {
        let role = a.role.label_zh();
        println!(
            "{}{}{}{}",
            pad(&a.username, 14),
            pad(&a.password, 18),
            pad(role, 12),
            a.department
        );
    }
    println!();
    println!("按 Ctrl+C 停止。");
    let mut config = Config::default();
    config.database.url = url;
    run_server(listener, None, store, &config).await
}
