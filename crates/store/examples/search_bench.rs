//! Benchmark: name and number search over an imported registry, through the in-memory index
//! and through SQL `like`, with latency percentiles.
//!
//! Usage: `cargo run --release -p meijian-store --example search_bench -- DATABASE_URL [QUERIES] [LIKE_QUERIES]`
//! The queries are drawn (seeded) from the registrations' own names and codes: substrings of
//! 2 to 5 characters and 8 to 12 character code prefixes.

use std::time::{Duration, Instant};

use meijian_registry::RegistryKind;
use meijian_store::registries::records::{self, Filter};
use meijian_store::registries::search_index::SearchIndex;
use meijian_store::{Actor, Scope, Store};
use rand::{Rng, SeedableRng};

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .ok_or("usage: search_bench DATABASE_URL [QUERIES]")?;
    let n: usize = args.get(2).map(|s| s.parse()).transpose()?.unwrap_or(500);
    // How many of the queries also go through SQL `like` for comparison (slow: seconds each).
    let like: usize = args.get(3).map(|s| s.parse()).transpose()?.unwrap_or(20);
    let store = Store::connect(url).await?;
    let records: i64 =
        sqlx::query_scalar("select count(*) from registry_record where registry = 'registrations'")
            .fetch_one(store.pool())
            .await?;
    let sample: Vec<(Option<String>, String)> = sqlx::query_as(
        "select name, record_key from registry_record where registry = 'registrations' order by id limit 20000",
    )
    .fetch_all(store.pool())
    .await?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let queries: Vec<String> = (0..n)
        .map(|i| {
            let (name, key) = &sample[rng.gen_range(0..sample.len())];
            let chars: Vec<char> = name.clone().unwrap_or_default().chars().collect();
            if i % 5 == 4 || chars.len() < 6 {
                key.chars().take(rng.gen_range(8..=12)).collect()
            } else {
                let len = rng.gen_range(2..=5);
                let start = rng.gen_range(0..chars.len() - len);
                chars[start..start + len].iter().collect()
            }
        })
        .collect();
    let index = SearchIndex::default();
    let started = Instant::now();
    index.refresh(&store).await?;
    let load = started.elapsed();
    let scope = Scope::system(Actor::system("bench"));
    let mut results = Vec::new();
    for (label, use_index) in [("index", true), ("sql like", false)] {
        let mut times = Vec::new();
        let mut matches = 0i64;
        for q in queries.iter().take(if use_index { n } else { n.min(like) }) {
            let filter = Filter {
                q: Some(q.clone()),
                ..Filter::default()
            };
            let t = Instant::now();
            let (_, total) = records::list(
                &store,
                &scope,
                use_index.then_some(&index),
                RegistryKind::Registrations,
                &filter,
                1,
                50,
            )
            .await?;
            times.push(t.elapsed());
            matches += total;
        }
        times.sort();
        results.push((
            label,
            times.len(),
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            percentile(&times, 0.99),
            matches,
        ));
    }
    // The in-memory search alone, without the refresh and the page read from the database.
    let mut times = Vec::new();
    let mut matches = 0i64;
    for q in &queries {
        let filter = Filter {
            q: Some(q.clone()),
            ..Filter::default()
        };
        let (lo, hi) = scope.region_range();
        let t = Instant::now();
        let hits = index.search("registrations", lo, hi, &filter, 1, 50);
        times.push(t.elapsed());
        matches += hits.map_or(0, |h| h.total);
    }
    times.sort();
    results.push((
        "index only",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 0.99),
        matches,
    ));
    println!(
        "records\t{records}\tindex load\t{:.2} s",
        load.as_secs_f64()
    );
    println!("path\tqueries\tp50 ms\tp95 ms\tp99 ms\tmatches");
    for (label, count, p50, p95, p99, matches) in results {
        println!("{label}\t{count}\t{p50:.1}\t{p95:.1}\t{p99:.1}\t{matches}");
    }
    Ok(())
}
