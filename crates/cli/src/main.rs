//! `meijian`: the one binary of the medical aesthetics supervision platform (医美综合监管平台).
//! Each subcommand is a module; this file only parses the command line and reports errors.

mod commands;
mod config;

use clap::Parser;

/// mimalloc: the cross-check and imports allocate many small strings from several threads,
/// where it is faster than the system allocator and returns memory instead of fragmenting it
/// (docs/decisions/0011).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let cli = commands::Cli::parse();
    if let Err(e) = commands::run(cli).await {
        eprintln!("错误：{e:#}");
        std::process::exit(1);
    }
}
