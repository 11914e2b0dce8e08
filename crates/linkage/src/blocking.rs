//! Blocking (分块): which pairs of records are worth comparing. Comparing every pair of a
//! million records is 5 × 10^11 comparisons; records that share a code, a 字号 in one county, a
//! building or a person are few. A few keys are shared by many — a 字号 reused across a
//! county, a tower of dozens of businesses, a common name — and grow with the city: such a
//! block is compared by sorted neighbourhood (each record against its nearest neighbours when
//! the block is sorted by the name, then by the building, then by the person), so the work
//! grows with the records, not with the square of the block.

use std::hash::{BuildHasher, Hash};

use rayon::prelude::*;
use rustc_hash::{FxBuildHasher, FxHashMap, FxHashSet};

use meijian_domain::region::{RegionCode, RegionTable};

use crate::compare::one_char_apart;
use crate::features::Features;
use crate::input::{InputRecord, Source};

/// Blocks larger than this are skipped: a key that common identifies nothing.
const MAX_BLOCK: usize = 200_000;

/// Blocks up to this size are compared pair by pair.
const FULL_BLOCK: usize = 40;

/// In a larger block, each record is compared with this many neighbours after it in each
/// sorted order.
const WINDOW: usize = 8;

/// What a block key is made of: the top three bits of the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KeyKind {
    Code = 0,
    Trade = 1,
    Address = 2,
    Person = 3,
}

impl KeyKind {
    fn of(key: u64) -> KeyKind {
        match key >> 61 {
            0 => KeyKind::Code,
            1 => KeyKind::Trade,
            2 => KeyKind::Address,
            _ => KeyKind::Person,
        }
    }

    /// The orders a large block of this kind is compared in: what its records share besides
    /// the key. Indexes into [`Orders`].
    fn passes(self) -> &'static [usize] {
        match self {
            KeyKind::Code => &[CORE, BUILDING],
            KeyKind::Trade => &[CORE, BUILDING, PERSON],
            KeyKind::Address => &[ROOM, TRADE, CORE, PERSON],
            KeyKind::Person => &[BUILDING, TRADE],
        }
    }
}

const CORE: usize = 0;
const TRADE: usize = 1;
const BUILDING: usize = 2;
const ROOM: usize = 3;
const PERSON: usize = 4;

/// A record's sort keys for large blocks (hashes; `u64::MAX` when the record has none, so
/// those sort last together).
type Orders = [u64; 5];

fn orders(f: &Features) -> Orders {
    let h = |v: Option<&str>| v.filter(|v| !v.is_empty()).map_or(u64::MAX, |v| key(&v));
    let name = f.names.first();
    [
        h(name.map(|n| n.core())),
        h(name.map(|n| n.trade())),
        h(Some(f.address.building())),
        f.address.room_key().unwrap_or(u64::MAX),
        h(f.persons.first().map(|p| &**p)),
    ]
}

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
    let orders: Vec<Orders> = features.par_iter().map(orders).collect();
    let mut pairs: Vec<(u32, u32)> = blocks
        .par_iter()
        .flat_map_iter(|block| {
            let mut out = Vec::new();
            let mut push = |a: u32, b: u32| {
                if worth_comparing(&records[a as usize], &records[b as usize]) {
                    out.push((a.min(b), a.max(b)));
                }
            };
            if block.len() <= FULL_BLOCK {
                for (x, &(_, a)) in block.iter().enumerate() {
                    for &(_, b) in &block[x + 1..] {
                        push(a, b);
                    }
                }
            } else {
                let mut members: Vec<u32> = block.iter().map(|&(_, r)| r).collect();
                for &pass in KeyKind::of(block[0].0).passes() {
                    members.sort_unstable_by_key(|&r| (orders[r as usize][pass], r));
                    for (x, &a) in members.iter().enumerate() {
                        for &b in members[x + 1..].iter().take(WINDOW) {
                            push(a, b);
                        }
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
        keys.push(kinded(KeyKind::Code, &("U", code)));
    }
    if let Some(org) = &f.org_code {
        keys.push(kinded(KeyKind::Code, &("O", org)));
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
            let k = kinded(KeyKind::Trade, &("T", n.trade(), family, county));
            if seen.insert(k) {
                keys.push(k);
            }
        }
    }
    if !f.address.street().is_empty() {
        keys.push(kinded(KeyKind::Address, &("A", f.address.street(), city)));
    } else if f.address.full().chars().count() >= 6 {
        keys.push(kinded(KeyKind::Address, &("F", f.address.full(), city)));
    }
    // A complex by name: an address written as a crossing meets the same tower's numbered one.
    if !f.address.place().is_empty() {
        keys.push(kinded(KeyKind::Address, &("B", f.address.place(), city)));
    }
    for p in &f.persons {
        keys.push(kinded(KeyKind::Person, &("P", p, city)));
    }
    keys
}

/// A 64-bit hash of `parts` (a collision of block keys only adds pairs to score).
fn key(parts: &impl Hash) -> u64 {
    FxBuildHasher.hash_one(parts)
}

/// A block key: the hash of its parts, its kind in the top three bits.
fn kinded(kind: KeyKind, parts: &impl Hash) -> u64 {
    (key(parts) & (u64::MAX >> 3)) | ((kind as u64) << 61)
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
