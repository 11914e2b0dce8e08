//! The comparable features of each record (比对特征), computed once: name parts, address key,
//! codes, persons and the most precise region known.

use rayon::prelude::*;
use std::hash::BuildHasher;

use rustc_hash::{FxBuildHasher, FxHashMap};

use crate::address::AddressKey;
use crate::fold::fold;
use crate::input::InputRecord;
use crate::name::NameParts;

/// One record's features.
#[derive(Clone, Debug, Default)]
pub struct Features {
    /// The record's names in parts: the main name and, for a platform shop, the displayed
    /// 主体名称.
    pub names: Vec<NameParts>,
    pub address: AddressKey,
    /// Valid codes: the USCC, and the 组织机构代码 inside it or on a license's 登记号.
    pub uscc: Option<String>,
    /// A reported code that fails its check (a typo of some valid code, perhaps).
    pub invalid_uscc: Option<String>,
    pub org_code: Option<String>,
    pub persons: Vec<String>,
    /// The most precise region known: the record's code, or a county its name names when the
    /// record's code is only a city's.
    pub region: Option<String>,
    /// No usable name and no code: linked to nothing, listed alone.
    pub unusable: bool,
}

impl Features {
    pub fn of(record: &InputRecord) -> Features {
        let context = record.region.as_deref();
        let mut names: Vec<NameParts> = std::iter::once(record.name.as_str())
            .chain(record.entity_name.as_deref())
            .filter(|n| !fold(n).is_empty())
            .map(|n| NameParts::parse(n, context))
            .collect();
        names.dedup_by(|a, b| a.core == b.core);
        let org_code = record
            .uscc
            .as_deref()
            .map(|c| c[8..17].to_owned())
            .or_else(|| record.license_org_code.clone());
        let region = precise_region(context, names.iter().filter_map(|n| n.region.as_deref()));
        let unusable = names.is_empty() && record.uscc.is_none() && org_code.is_none();
        Features {
            address: record
                .address
                .as_deref()
                .map(|a| AddressKey::parse(a, region.as_deref()))
                .unwrap_or_default(),
            uscc: record.uscc.clone(),
            invalid_uscc: record.invalid_uscc.clone(),
            org_code,
            persons: record.persons.iter().map(|p| fold(p)).collect(),
            names,
            region,
            unusable,
        }
    }

    /// The features of every record, in parallel.
    pub fn all(records: &[InputRecord]) -> Vec<Features> {
        records.par_iter().map(Features::of).collect()
    }
}

/// The record's region, made more precise by a county its name names inside it.
fn precise_region<'a>(
    record: Option<&str>,
    mut named: impl Iterator<Item = &'a str>,
) -> Option<String> {
    let Some(code) = record else {
        return named.find(|c| !c.ends_with("00")).map(str::to_owned);
    };
    if code.ends_with("00") {
        let stem = code.trim_end_matches("00");
        if let Some(county) = named.find(|c| c.starts_with(stem) && !c.ends_with("00")) {
            return Some(county.to_owned());
        }
    }
    Some(code.to_owned())
}

/// How often each value occurs, for term-frequency weights: a 字号 shared by 300 shops says
/// less than one shared by two. Values are kept as 64-bit hashes.
#[derive(Clone, Debug, Default)]
pub struct Frequencies {
    pub trade: FxHashMap<u64, u32>,
    pub core: FxHashMap<u64, u32>,
    pub street: FxHashMap<u64, u32>,
    pub address: FxHashMap<u64, u32>,
    pub person: FxHashMap<u64, u32>,
    pub records: u32,
}

fn hash(value: &str) -> u64 {
    FxBuildHasher.hash_one(value)
}

impl Frequencies {
    pub fn of(features: &[Features]) -> Frequencies {
        let mut f = Frequencies {
            records: u32::try_from(features.len()).unwrap_or(u32::MAX),
            ..Frequencies::default()
        };
        for feat in features {
            for n in &feat.names {
                *f.trade.entry(hash(&n.trade)).or_default() += 1;
                *f.core.entry(hash(&n.core)).or_default() += 1;
            }
            if !feat.address.street.is_empty() {
                *f.street.entry(hash(&feat.address.street)).or_default() += 1;
            }
            if !feat.address.full.is_empty() {
                *f.address.entry(hash(&feat.address.full)).or_default() += 1;
            }
            for p in &feat.persons {
                *f.person.entry(hash(p)).or_default() += 1;
            }
        }
        f
    }

    /// The share of records with `value` in `map` (at least one record's worth).
    pub fn share(&self, map: &FxHashMap<u64, u32>, value: &str) -> f64 {
        let count = map.get(&hash(value)).copied().unwrap_or(1).max(1);
        f64::from(count) / f64::from(self.records.max(1))
    }
}
