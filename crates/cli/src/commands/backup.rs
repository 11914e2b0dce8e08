//! `meijian backup` and `meijian restore`.

use std::path::PathBuf;

use meijian_store::backup;

use super::DbArgs;

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Where to write the copy (must not exist); a FILE.manifest.json is written beside it.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The backup file written by `meijian backup`.
    #[arg(long)]
    from: PathBuf,
    /// The SQLite database file to restore into (stop the server first).
    #[arg(long)]
    to: PathBuf,
    /// Replace the target if it exists.
    #[arg(long)]
    force: bool,
}

pub async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    let (_, store) = args.db.connect_existing().await?;
    let m = backup::backup(&store, &args.out).await?;
    println!(
        "已备份到 {}（{} 字节，SHA-256 {}）",
        args.out.display(),
        m.bytes,
        m.sha256
    );
    for (table, n) in &m.rows {
        println!("  {table}: {n}");
    }
    Ok(())
}

pub async fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let m = backup::restore(&args.from, &args.to, args.force).await?;
    println!(
        "已从 {} 恢复到 {}，校验通过",
        args.from.display(),
        args.to.display()
    );
    for (table, n) in &m.rows {
        println!("  {table}: {n}");
    }
    Ok(())
}
