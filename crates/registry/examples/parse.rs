//! Benchmark baseline: read a registry CSV two ways and print rows and seconds.
//!
//! `bare`: the csv crate alone, counting records (the floor any import stands on).
//! `reader`: `meijian_registry::open` — detection, decoding, header mapping and validation.
//!
//! Usage: `cargo run --release -p meijian-registry --example parse -- bare|reader REGISTRY FILE`

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (mode, registry, file) = match args.as_slice() {
        [_, m, r, f] => (m.as_str(), r.as_str(), f.as_str()),
        _ => return Err("usage: parse bare|reader REGISTRY FILE".into()),
    };
    let started = Instant::now();
    let rows = match mode {
        "bare" => {
            let mut reader = csv::ReaderBuilder::new().flexible(true).from_path(file)?;
            let mut record = csv::ByteRecord::new();
            let mut n = 0u64;
            while reader.read_byte_record(&mut record)? {
                n += 1;
            }
            n
        }
        "reader" => {
            let kind =
                meijian_registry::RegistryKind::from_code(registry).ok_or("unknown registry")?;
            let reader =
                meijian_registry::open(std::path::Path::new(file), kind, &Default::default())?;
            reader.count() as u64
        }
        _ => return Err("mode is bare or reader".into()),
    };
    println!("{mode}\t{rows}\t{:.3}", started.elapsed().as_secs_f64());
    Ok(())
}
