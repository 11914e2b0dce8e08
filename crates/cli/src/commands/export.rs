//! `meijian export <registry> --region CODE --out FILE.xlsx`: a registry's records in a
//! jurisdiction as XLSX, the same workbook as the 登记数据 page's export, streamed from the
//! database in bounded memory. Read-only: the database must exist.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use meijian_registry::RegistryKind;
use meijian_store::registries::records::{self, Filter};

use super::DbArgs;

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// registrations, licenses, salon_filings, platform_merchants, tax, practitioners, products or ad_certificates.
    registry: String,
    /// The jurisdiction (6-digit region code): its records and those of the regions under it.
    #[arg(long)]
    region: String,
    /// The XLSX file to write (replaced if it exists).
    #[arg(long)]
    out: PathBuf,
    /// Also the records missing from the latest full export (marked in 状态标记).
    #[arg(long)]
    include_missing: bool,
}

pub async fn run(args: ExportArgs) -> anyhow::Result<()> {
    let registry = RegistryKind::from_code(&args.registry).ok_or_else(|| {
        let all: Vec<&str> = RegistryKind::all().iter().map(|k| k.code()).collect();
        anyhow::anyhow!("未知登记类别“{}”，可选：{}", args.registry, all.join(", "))
    })?;
    let region = meijian_domain::region::RegionCode::parse(&args.region)
        .map_err(|e| anyhow::anyhow!("--region “{}”：{e}", args.region))?;
    let (_, store) = args.db.connect_existing().await?;
    let scope = meijian_store::Scope::system_at(super::cli_actor(), region);
    let filter = Filter {
        include_missing: args.include_missing,
        ..Filter::default()
    };
    let started = Instant::now();
    let export = records::export(&store, &scope, registry, &filter).await?;
    let file = std::fs::File::create(&args.out)
        .with_context(|| format!("无法创建 {}", args.out.display()))?;
    let written = meijian_web::pages::registries::write_records_xlsx(export, registry, file).await;
    let rows = match written {
        Ok(rows) => rows,
        Err(e) => {
            let _ = std::fs::remove_file(&args.out);
            return Err(e.into());
        }
    };
    println!(
        "已导出 {} {} 条记录到 {}（{:.1} 秒）",
        registry.label_zh(),
        rows,
        args.out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
