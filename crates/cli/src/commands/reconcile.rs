//! `meijian reconcile`: the cross-check (证照比对) on the imported registries, stored with its
//! evidence and compared with the previous run; or, with `--from-files DIR --out result.csv`,
//! straight on the registry files of DATA.md without a database. Both write DATA.md's
//! `result.csv` when given `--out`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use meijian_linkage::result::HEADER;
use meijian_linkage::{Class, Decisions, InputRecord, RecordRef, Settings, Source};
use meijian_registry::{ParsedRow, ReadOptions, Rejection};
use rustc_hash::FxHashMap;

#[derive(Debug, clap::Args)]
pub struct ReconcileArgs {
    /// Folder with the registry files: registrations, licenses, salon_filings,
    /// platform_merchants and tax, each as NAME.csv or NAME.xlsx (a missing one is skipped).
    /// Without it, the imported registries in the database are cross-checked and the run stored.
    #[arg(long)]
    from_files: Option<PathBuf>,
    /// Where to write result.csv (required with --from-files).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Database mode: the jurisdiction to cross-check (6-digit region code; default: all).
    #[arg(long)]
    region: Option<String>,
    #[command(flatten)]
    db: super::DbArgs,
    /// 比对基准日 YYYY-MM-DD: licenses expired before it are not valid (default: today, China time).
    #[arg(long)]
    as_of: Option<String>,
    /// An earlier result.csv: operators keep the 主体编号 their records had there.
    #[arg(long)]
    previous: Option<PathBuf>,
    /// Link two records when the probability that they are one operator is at least this.
    #[arg(long, default_value_t = Settings::new("").link_probability)]
    link_probability: f64,
    /// Offer pairs from this probability (below the link threshold) for review.
    #[arg(long, default_value_t = Settings::new("").review_probability)]
    review_probability: f64,
    /// Force the encoding of CSV files (utf-8, gbk, gb18030); detected by default.
    #[arg(long)]
    encoding: Option<String>,
}

/// The records read from one file, and its rejected rows.
struct FileRead {
    path: PathBuf,
    records: Vec<InputRecord>,
    rejections: Vec<Rejection>,
}

pub async fn run(args: ReconcileArgs) -> anyhow::Result<()> {
    let as_of = match &args.as_of {
        Some(d) => meijian_registry::parse_date(d)
            .map(|d| d.to_string())
            .map_err(|e| anyhow::anyhow!("--as-of “{d}”{e}"))?,
        None => meijian_store::timefmt::date_cst(time::OffsetDateTime::now_utc()),
    };
    match (&args.from_files, &args.out) {
        (Some(dir), Some(out)) => run_files(&args, dir, out, as_of),
        (Some(_), None) => anyhow::bail!("--from-files 需要同时给出 --out（结果文件路径）"),
        (None, _) => run_stored(&args, as_of).await,
    }
}

/// The cross-check of the imported registries, stored as a run.
async fn run_stored(args: &ReconcileArgs, as_of: String) -> anyhow::Result<()> {
    let (_, store) = args.db.open().await?;
    let actor = super::cli_actor();
    let scope = match &args.region {
        Some(code) => meijian_store::Scope::system_at(
            actor,
            meijian_domain::region::RegionCode::parse(code)
                .map_err(|e| anyhow::anyhow!("--region “{code}”：{e}"))?,
        ),
        None => meijian_store::Scope::system(actor),
    };
    let started = Instant::now();
    let run =
        meijian_store::reconcile::run(&store, &scope, &as_of, time::OffsetDateTime::now_utc())
            .await?;
    println!(
        "比对基准日 {}：{} 条记录归并为 {} 个主体，{} 对待复核（{:.1} 秒）",
        run.as_of,
        run.records,
        run.operators,
        run.candidates,
        started.elapsed().as_secs_f64()
    );
    let t = run.timings;
    println!(
        "  用时：读取 {:.1} 秒，比对 {:.1} 秒，写入比对结果 {:.1} 秒，更新主体库 {:.1} 秒",
        t.read, t.link, t.write, t.operators
    );
    if run.previous_run_id.is_some() {
        println!(
            "  与上次比对相比，{} 个主体为新主体或分类有变化",
            run.changed
        );
        let filter = meijian_store::reconcile::OperatorFilter {
            changed_only: true,
            ..Default::default()
        };
        let (moved, total) =
            meijian_store::reconcile::operators(&store, &scope, &run.id, &filter, 20, 0).await?;
        for op in &moved {
            println!(
                "    {} {}：{} → {}",
                op.operator_id,
                op.name,
                op.previous_class_zh(),
                op.class_zh()
            );
        }
        if total > moved.len() as i64 {
            println!(
                "    …… 另有 {} 个，见网页“本次变化”",
                total - moved.len() as i64
            );
        }
    }
    for d in meijian_store::reconcile::district_counts(&store, &scope, &run.id).await? {
        let name = meijian_domain::region::RegionCode::parse(&d.region_code)
            .ok()
            .and_then(|c| meijian_domain::region::RegionTable::embedded().full_name(&c))
            .unwrap_or_else(|| d.region_code.clone());
        let [both, registered, neither, licensed, out] = d.counts;
        println!(
            "  {name}：有证有照 {both}，有照无证 {registered}，无照无证 {neither}，有证无照 {licensed}，非医美 {out}"
        );
    }
    if let Some(out) = &args.out {
        let rows = meijian_store::reconcile::result_rows(&store, &scope, &run.id).await?;
        write_csv(out, rows.iter().map(|r| r.fields()))?;
        println!("结果已写入 {}", out.display());
    }
    store.close().await;
    Ok(())
}

fn settings(args: &ReconcileArgs, as_of: &str) -> anyhow::Result<Settings> {
    let ok = |p: f64| (0.0..1.0).contains(&p) && p > 0.0;
    anyhow::ensure!(
        ok(args.link_probability) && ok(args.review_probability),
        "--link-probability 与 --review-probability 应在 0 与 1 之间"
    );
    anyhow::ensure!(
        args.review_probability <= args.link_probability,
        "--review-probability 不能高于 --link-probability"
    );
    Ok(Settings {
        link_probability: args.link_probability,
        review_probability: args.review_probability,
        ..Settings::new(as_of)
    })
}

/// The cross-check straight on the files of a folder.
fn run_files(args: &ReconcileArgs, dir: &Path, out: &Path, as_of: String) -> anyhow::Result<()> {
    let started = Instant::now();
    let opts = ReadOptions {
        encoding: args.encoding.clone(),
        ..ReadOptions::default()
    };
    let files: Vec<(Source, PathBuf)> = Source::ALL
        .iter()
        .filter_map(|&s| find_file(dir, s).map(|p| (s, p)))
        .collect();
    anyhow::ensure!(
        !files.is_empty(),
        "{} 中没有找到任何登记文件（应为 registrations.csv、licenses.csv、salon_filings.csv、platform_merchants.csv、tax.csv 或同名 .xlsx）",
        dir.display()
    );
    let reads: Vec<anyhow::Result<FileRead>> = std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .iter()
            .map(|(source, path)| scope.spawn(|| read_file(*source, path, &opts)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("读取线程异常退出")))
            })
            .collect()
    });
    let mut records = Vec::new();
    for read in reads {
        let read = read?;
        println!(
            "读取 {}：{} 条记录，{} 行被拒绝",
            read.path.display(),
            read.records.len(),
            read.rejections.len()
        );
        for r in read.rejections.iter().take(20) {
            eprintln!(
                "  {} 第 {} 行 {}：{}",
                read.path.display(),
                r.line,
                if r.column.is_empty() {
                    "整行"
                } else {
                    &r.column
                },
                r.reason
            );
        }
        if read.rejections.len() > 20 {
            eprintln!("  …… 另有 {} 行被拒绝", read.rejections.len() - 20);
        }
        records.extend(read.records);
    }
    let read_time = started.elapsed();

    let previous = match &args.previous {
        Some(path) => read_previous(path)?,
        None => FxHashMap::default(),
    };
    let linking = Instant::now();
    let linkage = meijian_linkage::link(
        &records,
        &settings(args, &as_of)?,
        &Decisions::default(),
        &previous,
    );
    let link_time = linking.elapsed();
    println!("比对各阶段：{}", linkage.timings);
    let p = args.link_probability;
    println!(
        "  先验对数几率 {:.1} 位：两条记录的证据合计达到 {:.1} 位即归并",
        linkage.prior_bits,
        (p / (1.0 - p)).log2() - linkage.prior_bits
    );

    let writing = Instant::now();
    write_result(out, &linkage, &records)?;
    let write_time = writing.elapsed();

    let mut counts: FxHashMap<Option<Class>, usize> = FxHashMap::default();
    for op in &linkage.operators {
        *counts.entry(op.verdict.class).or_default() += 1;
    }
    println!(
        "比对基准日 {as_of}：{} 条记录归并为 {} 个主体（比较 {} 对候选，{} 对待复核）",
        records.len(),
        linkage.operators.len(),
        linkage.compared_pairs,
        linkage.candidates.len()
    );
    for class in Class::ALL {
        println!(
            "  {}：{}",
            class.label_zh(),
            counts.get(&Some(class)).unwrap_or(&0)
        );
    }
    println!("  非医美主体：{}", counts.get(&None).unwrap_or(&0));
    println!(
        "结果已写入 {}（读取 {:.1} 秒，比对 {:.1} 秒，写出 {:.1} 秒，共 {:.1} 秒）",
        out.display(),
        read_time.as_secs_f64(),
        link_time.as_secs_f64(),
        write_time.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn find_file(dir: &Path, source: Source) -> Option<PathBuf> {
    ["csv", "xlsx", "CSV", "XLSX"]
        .iter()
        .map(|ext| dir.join(format!("{}.{ext}", source.code())))
        .find(|p| p.is_file())
}

fn read_file(source: Source, path: &Path, opts: &ReadOptions) -> anyhow::Result<FileRead> {
    let reader = meijian_registry::open(path, source.registry(), opts)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut records = Vec::new();
    let mut rejections = Vec::new();
    let mut seen: FxHashMap<String, u64> = FxHashMap::default();
    for row in reader {
        match row {
            ParsedRow::Ok(record) => {
                // The importer's rule: a key twice in one file is a bad row, not a second record.
                if let Some(first) = seen.get(&record.key) {
                    rejections.push(Rejection {
                        line: record.line,
                        column: source.registry().spec().key_field().header.to_owned(),
                        value: record.key.clone(),
                        reason: format!("记录键重复，与第 {first} 行相同"),
                    });
                    continue;
                }
                seen.insert(record.key.clone(), record.line);
                if let Some(input) = InputRecord::from_registry(source.registry(), &record) {
                    records.push(input);
                }
            }
            ParsedRow::Rejected(rejection) => rejections.push(rejection),
        }
    }
    Ok(FileRead {
        path: path.to_owned(),
        records,
        rejections,
    })
}

/// 来源, 记录键 → 主体编号 of an earlier result.
fn read_previous(path: &Path) -> anyhow::Result<FxHashMap<RecordRef, String>> {
    let mut reader = csv::Reader::from_path(path)
        .with_context(|| format!("无法读取上次结果 {}", path.display()))?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .ok_or_else(|| anyhow::anyhow!("{} 缺少“{name}”列", path.display()))
    };
    let (source_col, key_col, id_col) = (column("来源")?, column("记录键")?, column("主体编号")?);
    let mut previous = FxHashMap::default();
    for (i, row) in reader.records().enumerate() {
        let row = row.with_context(|| format!("{} 第 {} 行无法解析", path.display(), i + 2))?;
        let code = row.get(source_col).unwrap_or("");
        let source = meijian_registry::RegistryKind::from_code(code)
            .and_then(Source::of_registry)
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "{} 第 {} 行：来源“{code}”不是比对登记表",
                    path.display(),
                    i + 2
                )
            })?;
        previous.insert(
            (source, row.get(key_col).unwrap_or("").to_owned()),
            row.get(id_col).unwrap_or("").to_owned(),
        );
    }
    Ok(previous)
}

/// Writes the result of a file run.
fn write_result(
    out: &Path,
    linkage: &meijian_linkage::Linkage,
    records: &[InputRecord],
) -> anyhow::Result<()> {
    const CHUNK: usize = 65_536;
    let best = linkage.best_links();
    let chunks = (0..records.len()).step_by(CHUNK).flat_map(|start| {
        let range = start..(start + CHUNK).min(records.len());
        linkage
            .result_rows_of(records, range, &best)
            .into_iter()
            .map(|row| row.fields())
    });
    write_csv(out, chunks)
}

/// Writes `rows` under DATA.md's header to a temporary file beside `out` and renames it, so a
/// crash never leaves a half-written result.
fn write_csv(out: &Path, rows: impl Iterator<Item = [String; 7]>) -> anyhow::Result<()> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("无法在 {} 创建临时文件", dir.display()))?;
    {
        let mut writer = csv::Writer::from_writer(std::io::BufWriter::new(tmp.as_file()));
        writer.write_record(HEADER)?;
        for row in rows {
            writer.write_record(row)?;
        }
        writer.flush()?;
    }
    tmp.persist(out)
        .with_context(|| format!("无法写入 {}", out.display()))?;
    Ok(())
}
