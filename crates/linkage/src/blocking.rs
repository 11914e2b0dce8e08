//! Blocking (分块): which pairs of records are worth comparing. Comparing every pair of a
//! million records is 5 × 10^11 comparisons; records that share a code, a 字号 in one city, a
//! numbered address or a person are few.

use std::hash::{BuildHasher, Hash};

use rayon::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};

use meijian_domain::region::{RegionCode, RegionTable};

use crate::compare::one_char_apart;
use crate::features::Features;
use crate::input::{InputRecord, Source};

/// Blocks larger than this are skipped: a key that common identifies nothing.
const MAX_BLOCK: usize = 3_000;

/// The code alphabet of GB 32100, for finding the code a mistyped one was meant to be.
const CODE_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Candidate pairs `(a, b)` with `a < b`, sorted and without repeats.
pub fn candidate_pairs(records: &[InputRecord], features: &[Features]) -> Vec<(u32, u32)> {
    let mut by_code: FxHashMap<&str, Vec<u32>> = FxHashMap::default();
    for (i, f) in features.iter().enumerate() {
        if let Some(code) = f.uscc.as_deref().filter(|_| !f.unusable) {
            by_code.entry(code).or_default().push(i as u32);
        }
    }
    // Every (key, record), sorted by key: a run of one key is a block.
    let mut keyed: Vec<(u64, u32)> = features
        .par_iter()
        .enumerate()
        .filter(|(_, f)| !f.unusable)
        .flat_map_iter(|(i, f)| keys(f).into_iter().map(move |k| (k, i as u32)))
        .collect();
    keyed.par_sort_unstable();
    let mut blocks: Vec<&[(u64, u32)]> = Vec::new();
    let mut start = 0;
    for end in 1..=keyed.len() {
        if end == keyed.len() || keyed[end].0 != keyed[start].0 {
            let block = &keyed[start..end];
            if block.len() >= 2 && block.len() <= MAX_BLOCK {
                blocks.push(block);
            }
            start = end;
        }
    }
    let mut pairs: Vec<(u32, u32)> = blocks
        .par_iter()
        .flat_map_iter(|block| {
            let mut out = Vec::new();
            for (x, &(_, a)) in block.iter().enumerate() {
                for &(_, b) in &block[x + 1..] {
                    if worth_comparing(&records[a as usize], &records[b as usize]) {
                        out.push((a.min(b), a.max(b)));
                    }
                }
            }
            out
        })
        .collect();
    // A mistyped code: try every one-character correction against the valid codes.
    for (i, f) in features.iter().enumerate() {
        let Some(bad) = &f.invalid_uscc else { continue };
        for fixed in corrections(bad) {
            if let Some(members) = by_code.get(fixed.as_str()) {
                for &b in members {
                    debug_assert!(one_char_apart(bad, &fixed));
                    let a = i as u32;
                    pairs.push((a.min(b), a.max(b)));
                }
            }
        }
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// Whether two records sharing a name, address or person key are worth scoring. Two records
/// of one registry that keeps one row per entity (registrations, tax, licenses) are different
/// entities unless their codes say otherwise, and codes are blocked on their own; likewise a
/// registration and a tax record with different valid codes, since both registries hold the
/// entity's own code. Reported codes (licenses, salons, platforms) can be stale or mistyped,
/// so those pairs are always scored.
fn worth_comparing(a: &InputRecord, b: &InputRecord) -> bool {
    let official = |s: Source| matches!(s, Source::Registrations | Source::Tax);
    if a.source == b.source
        && matches!(
            a.source,
            Source::Registrations | Source::Tax | Source::Licenses
        )
    {
        return false;
    }
    if official(a.source) && official(b.source) {
        if let (Some(x), Some(y)) = (&a.uscc, &b.uscc) {
            return x == y;
        }
    }
    true
}

/// The blocking keys of one record.
fn keys(f: &Features) -> Vec<u64> {
    let city = f
        .region
        .as_deref()
        .map(|r| &r[..r.len().min(4)])
        .unwrap_or("");
    let mut keys = Vec::with_capacity(6);
    if let Some(code) = &f.uscc {
        keys.push(key(&("U", code)));
    }
    if let Some(org) = &f.org_code {
        keys.push(key(&("O", org)));
    }
    // 字号 blocks are per county: a record known only to its city is put in each of the
    // city's counties.
    let counties = counties_of(f.region.as_deref());
    let mut seen = FxHashSet::default();
    for n in &f.names {
        if n.trade().chars().count() < 2 {
            continue;
        }
        let family = if n.beauty_family {
            "美"
        } else {
            n.industry().get(..6).unwrap_or(n.industry())
        };
        for county in &counties {
            let k = key(&("T", n.trade(), family, county));
            if seen.insert(k) {
                keys.push(k);
            }
        }
    }
    if !f.address.street().is_empty() {
        keys.push(key(&("A", f.address.street(), city)));
    } else if f.address.full().chars().count() >= 6 {
        keys.push(key(&("F", f.address.full(), city)));
    }
    // A complex by name: an address written as a crossing meets the same tower's numbered one.
    if !f.address.place().is_empty() {
        keys.push(key(&("B", f.address.place(), city)));
    }
    for p in &f.persons {
        keys.push(key(&("P", p, city)));
    }
    keys
}

/// A block key: a 64-bit hash of its parts (a collision only adds pairs to score).
fn key(parts: &impl Hash) -> u64 {
    FxBuildHasher.hash_one(parts)
}

/// The county codes a record's region stands for: itself, or every county of a city.
fn counties_of(region: Option<&str>) -> Vec<String> {
    let Some(code) = region else {
        return vec![String::new()];
    };
    if !code.ends_with("00") {
        return vec![code.to_owned()];
    }
    let children = RegionCode::parse(code)
        .map(|c| RegionTable::embedded().children(&c))
        .unwrap_or_default();
    let mut out: Vec<String> = children
        .iter()
        .map(|r| r.code.as_str().to_owned())
        .collect();
    out.push(code.to_owned());
    out
}

/// Every valid code one character away from `bad`.
fn corrections(bad: &str) -> Vec<String> {
    let chars: Vec<char> = bad.chars().collect();
    if chars.len() != 18 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for i in 0..18 {
        for c in CODE_CHARS.chars() {
            if c == chars[i] {
                continue;
            }
            let mut candidate = chars.clone();
            candidate[i] = c;
            let candidate: String = candidate.into_iter().collect();
            if meijian_domain::uscc::Uscc::parse(&candidate).is_ok() {
                out.push(candidate);
            }
        }
    }
    out
}
