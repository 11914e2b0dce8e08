//! Blocking (分块): which pairs of records are worth comparing. Comparing every pair of a
//! million records is 5 × 10^11 comparisons; records that share a code, a 字号 in one city, a
//! numbered address or a person are few.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::compare::one_char_apart;
use crate::features::Features;
use crate::input::{InputRecord, Source};

/// Blocks larger than this are skipped: a key that common identifies nothing.
const MAX_BLOCK: usize = 3_000;

/// The code alphabet of GB 32100, for finding the code a mistyped one was meant to be.
const CODE_CHARS: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/// Candidate pairs `(a, b)` with `a < b`, sorted and without repeats.
pub fn candidate_pairs(records: &[InputRecord], features: &[Features]) -> Vec<(u32, u32)> {
    let mut blocks: FxHashMap<String, Vec<u32>> = FxHashMap::default();
    let mut by_code: FxHashMap<&str, Vec<u32>> = FxHashMap::default();
    for (i, f) in features.iter().enumerate() {
        let i = i as u32;
        if f.unusable {
            continue;
        }
        if let Some(code) = &f.uscc {
            by_code.entry(code).or_default().push(i);
        }
        for key in keys(f) {
            blocks.entry(key).or_default().push(i);
        }
    }
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for members in blocks.values() {
        if members.len() < 2 || members.len() > MAX_BLOCK {
            continue;
        }
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                if worth_comparing(records[a as usize].source, records[b as usize].source) {
                    pairs.push((a.min(b), a.max(b)));
                }
            }
        }
    }
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
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// Two registrations are compared only through codes, addresses and persons: same-name
/// registrations in one city are mostly different entities. Other pairs are all worth it.
fn worth_comparing(a: Source, b: Source) -> bool {
    !(a == b && matches!(a, Source::Registrations | Source::Tax | Source::Licenses))
}

/// The blocking keys of one record.
fn keys(f: &Features) -> Vec<String> {
    let city = f
        .region
        .as_deref()
        .map(|r| &r[..r.len().min(4)])
        .unwrap_or("");
    let mut keys = Vec::with_capacity(6);
    if let Some(code) = &f.uscc {
        keys.push(format!("U{code}"));
    }
    if let Some(org) = &f.org_code {
        keys.push(format!("O{org}"));
    }
    let mut seen = FxHashSet::default();
    for n in &f.names {
        if n.trade.chars().count() < 2 {
            continue;
        }
        let family = if n.beauty_family {
            "美"
        } else {
            n.industry.get(..6).unwrap_or(&n.industry)
        };
        let key = format!("T{}|{family}|{city}", n.trade);
        if seen.insert(key.clone()) {
            keys.push(key);
        }
    }
    if !f.address.street.is_empty() {
        keys.push(format!("A{}|{city}", f.address.street));
    } else if f.address.full.chars().count() >= 6 {
        keys.push(format!("F{}|{city}", f.address.full));
    }
    for p in &f.persons {
        keys.push(format!("P{p}|{city}"));
    }
    keys
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
