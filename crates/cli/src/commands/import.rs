//! `meijian import <registry> <file>`: import a registry export, with a progress bar, a
//! dry run, and the rejected rows printed and optionally written to an XLSX file.
//! `meijian import cases <file>` and `meijian import penalties <file>` import the enforcement
//! history (DATA.md §Enforcement history) the same way, as the same administrator-like actor.

use std::path::PathBuf;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use meijian_registry::{ReadOptions, RegistryKind};
use meijian_store::cases::import::{self as history, HistoryFile, HistoryImportOptions};
use meijian_store::registries::import::{self, ImportOptions};
use meijian_store::Scope;

use super::{cli_actor, DbArgs};

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// registrations, licenses, salon_filings, platform_merchants, tax, practitioners, products or
    /// ad_certificates; or the enforcement history: cases, then penalties.
    registry: String,
    /// A CSV (UTF-8, GBK or GB18030; comma or tab) or XLSX file with the headers of DATA.md.
    file: PathBuf,
    /// Report what would be added, changed and rejected without writing anything.
    #[arg(long)]
    dry_run: bool,
    /// Force the text encoding of a CSV file: utf-8, gbk or gb18030.
    #[arg(long)]
    encoding: Option<String>,
    /// The XLSX sheet to read (default: the first).
    #[arg(long)]
    sheet: Option<String>,
    /// The file holds only some records: do not mark the records it lacks as missing (registries only).
    #[arg(long)]
    partial: bool,
    /// When a key appears twice in the file, keep the last row instead of rejecting it (registries only).
    #[arg(long)]
    last_wins: bool,
    /// Write the rejected rows (line, column, value, reason) to this XLSX file.
    #[arg(long)]
    rejections_xlsx: Option<PathBuf>,
    /// Rows per transaction.
    #[arg(long, default_value_t = import::DEFAULT_BATCH_SIZE)]
    batch_size: usize,
}

/// A progress bar of rows read: bytes (CSV) or rows (XLSX) done of the total, rows per second.
fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {percent:>3}%  {msg}  剩余 {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

pub async fn import(args: ImportArgs) -> anyhow::Result<()> {
    if let Some(file) = HistoryFile::from_code(&args.registry) {
        return import_history(args, file).await;
    }
    let registry = RegistryKind::from_code(&args.registry).ok_or_else(|| {
        let mut all: Vec<&str> = RegistryKind::all().iter().map(|k| k.code()).collect();
        all.extend(HistoryFile::ALL.iter().map(|f| f.code()));
        anyhow::anyhow!("未知登记类别“{}”，可选：{}", args.registry, all.join(", "))
    })?;
    let (_, store) = args.db.open().await?;
    let scope = Scope::system(cli_actor());
    let opts = ImportOptions {
        registry,
        read: ReadOptions {
            encoding: args.encoding.clone(),
            sheet: args.sheet.clone(),
            delimiter: None,
        },
        full_export: !args.partial,
        last_wins: args.last_wins,
        dry_run: args.dry_run,
        batch_size: args.batch_size,
        run_id: None,
        file_name: None,
    };
    let bar = progress_bar();
    let started = std::time::Instant::now();
    let mut progress = |done: u64, total: u64, rows: u64| {
        bar.set_length(total);
        bar.set_position(done);
        let secs = started.elapsed().as_secs_f64().max(0.001);
        bar.set_message(format!("{rows} 行，{:.0} 行/秒", rows as f64 / secs));
    };
    let now = || time::OffsetDateTime::now_utc();
    let report = import::import_file(&store, &scope, &now, &args.file, &opts, &mut progress).await;
    bar.finish_and_clear();
    let report = report?;
    let verb = if args.dry_run {
        "试导入（未写入）"
    } else {
        "导入完成"
    };
    println!(
        "{verb}：{} → {}（编码 {}）",
        report.file_name,
        registry.label_zh(),
        report.encoding
    );
    if let Some(line) = report.resumed_after_line {
        println!("  接续上次中断的导入，从第 {} 行之后继续", line);
    }
    println!(
        "  读取 {} 行：新增 {}，更新 {}，未变 {}，拒绝 {}",
        report.rows_read, report.added, report.changed, report.unchanged, report.rejected
    );
    if !args.partial {
        println!("  本次完整导出中缺失、已标记的记录：{}", report.missing);
    }
    println!("  用时 {:.1} 秒", started.elapsed().as_secs_f64());
    for r in report.rejections.iter().take(20) {
        println!(
            "  第 {} 行 {}「{}」：{}",
            r.line, r.column, r.value, r.reason
        );
    }
    if report.rejected > 20 {
        println!("  ……另有 {} 行被拒绝", report.rejected - 20);
    }
    if let Some(path) = args.rejections_xlsx {
        let rows = match report.run_id.as_deref() {
            Some(id) => import::issues_of(&store, &scope, id).await?,
            None => {
                let issue = |r: &meijian_registry::Rejection, rejected: bool| import::RowIssue {
                    line: r.line,
                    column: r.column.clone(),
                    value: r.value.clone(),
                    reason: r.reason.clone(),
                    rejected,
                };
                let mut all: Vec<_> = report.rejections.iter().map(|r| issue(r, true)).collect();
                all.extend(report.warnings.iter().map(|r| issue(r, false)));
                all.sort_by_key(|i| i.line);
                all
            }
        };
        meijian_web::pages::registries::imports::write_rejections(&path, &rows)?;
        println!("  问题行（拒绝与警告）已写入 {}", path.display());
    }
    Ok(())
}

/// `meijian import cases|penalties FILE`: the enforcement history, nationwide as the registry
/// imports are (a row is refused only for its content, never for its region).
async fn import_history(args: ImportArgs, file: HistoryFile) -> anyhow::Result<()> {
    if args.partial || args.last_wins {
        anyhow::bail!(
            "--partial 与 --last-wins 只适用于登记数据的导入，执法记录导入不使用这两个选项"
        );
    }
    let (_, store) = args.db.open().await?;
    let scope = Scope::system(cli_actor());
    let opts = HistoryImportOptions {
        read: ReadOptions {
            encoding: args.encoding.clone(),
            sheet: args.sheet.clone(),
            delimiter: None,
        },
        dry_run: args.dry_run,
        batch_size: args.batch_size,
        ..HistoryImportOptions::new(file)
    };
    let bar = progress_bar();
    let started = std::time::Instant::now();
    let mut progress = |done: u64, total: u64, rows: u64| {
        bar.set_length(total);
        bar.set_position(done);
        let secs = started.elapsed().as_secs_f64().max(0.001);
        bar.set_message(format!("{rows} 行，{:.0} 行/秒", rows as f64 / secs));
    };
    let now = || time::OffsetDateTime::now_utc();
    let report = history::import_file(&store, &scope, &now, &args.file, &opts, &mut progress).await;
    bar.finish_and_clear();
    let report = report?;
    print_history(&args, file, &report, started)
}

fn print_history(
    args: &ImportArgs,
    file: HistoryFile,
    report: &history::HistoryImportReport,
    started: std::time::Instant,
) -> anyhow::Result<()> {
    let verb = if args.dry_run {
        "试导入（未写入）"
    } else {
        "导入完成"
    };
    println!(
        "{verb}：{} → {}（编码 {}）",
        report.file_name,
        file.label_zh(),
        report.encoding
    );
    println!(
        "  读取 {} 行：新增 {}，更新 {}，未变 {}，拒绝 {}；涉及案件 {} 件",
        report.rows_read,
        report.added,
        report.changed,
        report.unchanged,
        report.rejected,
        report.cases_touched
    );
    println!("  用时 {:.1} 秒", started.elapsed().as_secs_f64());
    for r in report.rejections.iter().take(20) {
        println!(
            "  第 {} 行 {}「{}」：{}",
            r.line, r.column, r.value, r.reason
        );
    }
    if report.rejected > 20 {
        println!("  ……另有 {} 行被拒绝", report.rejected - 20);
    }
    if let Some(path) = &args.rejections_xlsx {
        let rows: Vec<import::RowIssue> = report
            .rejections
            .iter()
            .map(|r| import::RowIssue {
                line: r.line,
                column: r.column.clone(),
                value: r.value.clone(),
                reason: r.reason.clone(),
                rejected: true,
            })
            .collect();
        meijian_web::pages::registries::imports::write_rejections(path, &rows)?;
        if (report.rejected as usize) > rows.len() {
            println!(
                "  被拒绝的行已写入 {}（前 {} 行，共 {} 行）",
                path.display(),
                rows.len(),
                report.rejected
            );
        } else {
            println!("  被拒绝的行已写入 {}", path.display());
        }
    }
    Ok(())
}
