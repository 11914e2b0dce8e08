//! `meijian department …`: departments from the command line.

use meijian_store::accounts::departments::{self, NewDepartment};
use meijian_store::Scope;

use super::{cli_actor, DbArgs};

#[derive(Debug, clap::Subcommand)]
pub enum DepartmentCommand {
    /// Add a department: a kind at a region, e.g. --kind market_regulation --region 370403.
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// One of: health, health_supervision, tcm, market_regulation, drug_regulation, cyberspace,
        /// police, customs, postal, commerce, human_resources, tax, medical_insurance,
        /// administrative_approval, court, procuratorate, discipline, industry_association.
        #[arg(long)]
        kind: String,
        /// 6-digit region code (GB/T 2260), e.g. 370403.
        #[arg(long)]
        region: String,
        /// Name; by default the region and the kind, e.g. 枣庄市薛城区市场监督管理局.
        #[arg(long)]
        name: Option<String>,
    },
    /// List departments with their ids.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn run(cmd: DepartmentCommand) -> anyhow::Result<()> {
    let scope = Scope::system(cli_actor());
    match cmd {
        DepartmentCommand::Add {
            db,
            kind,
            region,
            name,
        } => {
            let (_, store) = db.open().await?;
            let new = NewDepartment::parse(&kind, &region, name)?;
            let mut tx = store.begin().await?;
            let d =
                departments::create(&mut tx, &scope, time::OffsetDateTime::now_utc(), new).await?;
            tx.commit().await?;
            println!("已创建部门 {}（编号 {}）", d.name, d.id);
            Ok(())
        }
        DepartmentCommand::List { db } => {
            let (_, store) = db.connect_existing().await?;
            for d in departments::list(&store, &scope).await? {
                println!("{}  {}@{}  {}", d.id, d.kind, d.region_code, d.name);
            }
            Ok(())
        }
    }
}
