//! `meijian audit verify`: walks the audit chain and names the first broken entry.

use meijian_store::audit::{self, Verdict};

use super::DbArgs;

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Check every entry's hash and link; exit 1 and name the first broken entry if any.
    Verify {
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn run(cmd: AuditCommand) -> anyhow::Result<()> {
    match cmd {
        AuditCommand::Verify { db } => {
            let (_, store) = db.connect_existing().await?;
            match audit::verify(&store).await? {
                Verdict::Intact { entries } => {
                    println!("审计链完整：共 {entries} 条记录，逐条校验通过");
                    Ok(())
                }
                Verdict::Broken { seq, reason } => {
                    anyhow::bail!("审计链在第 {seq} 条断开：{reason}")
                }
            }
        }
    }
}
