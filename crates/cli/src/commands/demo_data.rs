//! `meijian demo-data`: registry files of a realistic city for demos, tests and benchmarks.

use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressStyle};
use meijian_demodata::{Options, Profile};

#[derive(Debug, clap::Args)]
pub struct DemoDataArgs {
    /// How many real-world operators (主体) the city has.
    #[arg(long, default_value_t = 10_000)]
    operators: usize,
    /// Random seed: the same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The city (6-digit region code); its real districts are used.
    #[arg(long, default_value = "370400")]
    city: String,
    /// Output folder (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// The kind of city: `standard`, or `dense` (businesses crowded into shared towers, reused
    /// trade names, virtual addresses and more of what a cross-check misses).
    #[arg(long, default_value = "standard", value_parser = ["standard", "dense"])]
    profile: String,
}

pub fn run(args: DemoDataArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all(&args.out)
        .map_err(|e| anyhow::anyhow!("无法创建目录 {}：{e}", args.out.display()))?;
    let profile = Profile::parse(&args.profile)
        .ok_or_else(|| anyhow::anyhow!("未知的数据档位“{}”：standard 或 dense", args.profile))?;
    let opts = Options {
        operators: args.operators,
        seed: args.seed,
        city: args.city.clone(),
        profile,
        ..Options::default()
    };
    let bar = ProgressBar::new(args.operators as u64);
    bar.set_style(
        ProgressStyle::with_template(
            "[{elapsed_precise}] {wide_bar} {pos}/{len} 个主体  剩余 {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let summary =
        meijian_demodata::generate(&opts, &args.out, &mut |n| bar.set_position(n as u64))?;
    bar.finish_and_clear();
    println!(
        "已在 {} 生成 {} 个主体的登记数据：",
        args.out.display(),
        args.operators
    );
    println!("{summary}");
    Ok(())
}
