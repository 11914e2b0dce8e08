//! Generates demo data from the command line and prints the summary and the time taken:
//! `cargo run --release -p meijian-demodata --example demodata -- OPERATORS OUT_DIR [SEED] [PROFILE]`
//! (PROFILE `standard`, the default, or `dense`).

use std::path::PathBuf;
use std::time::Instant;

use meijian_demodata::{generate, Options, Profile};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let operators: usize = args.next().unwrap_or_else(|| "10000".into()).parse()?;
    let out = PathBuf::from(args.next().unwrap_or_else(|| "demodata-out".into()));
    let seed: u64 = args.next().unwrap_or_else(|| "1".into()).parse()?;
    let profile_arg = args.next().unwrap_or_else(|| "standard".into());
    let profile = Profile::parse(&profile_arg)
        .ok_or_else(|| format!("unknown profile {profile_arg:?}: standard or dense"))?;
    let opts = Options {
        operators,
        seed,
        profile,
        ..Options::default()
    };
    let start = Instant::now();
    let summary = generate(&opts, &out, &mut |done| {
        if done % 100_000 == 0 {
            eprintln!("{done} operators");
        }
    })?;
    println!("{summary}");
    println!("elapsed: {:.2} s", start.elapsed().as_secs_f64());
    Ok(())
}
