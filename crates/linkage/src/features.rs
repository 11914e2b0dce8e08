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
    pub names: Vec<NameKey>,
    pub address: PlaceKey,
    /// Valid codes: the USCC, and the 组织机构代码 inside it or on a license's 登记号.
    pub uscc: Option<Box<str>>,
    /// A reported code that fails its check (a typo of some valid code, perhaps).
    pub invalid_uscc: Option<Box<str>>,
    pub org_code: Option<Box<str>>,
    pub persons: Vec<Box<str>>,
    /// The most precise region known: the record's code, or a county its name names when the
    /// record's code is only a city's.
    pub region: Option<Box<str>>,
    /// No usable name and no code: linked to nothing, listed alone.
    pub unusable: bool,
    /// A platform shop: its name is a brand chosen for the platform, not a registered name.
    pub shop: bool,
}

impl Features {
    pub fn of(record: &InputRecord) -> Features {
        let context = record.region.as_deref();
        let parts: Vec<NameParts> = std::iter::once(record.name.as_str())
            .chain(record.entity_name.as_deref())
            .map(|n| NameParts::parse(n, context))
            .filter(|n| !n.core.is_empty())
            .collect();
        let region = precise_region(context, parts.iter().filter_map(|n| n.region.as_deref()));
        let mut names: Vec<NameKey> = parts.iter().map(NameKey::of).collect();
        names.dedup_by(|a, b| a.core == b.core);
        let org_code = record
            .uscc
            .as_deref()
            .map(|c| c[8..17].into())
            .or_else(|| record.license_org_code.as_deref().map(Into::into));
        let unusable = names.is_empty()
            && record.persons.is_empty()
            && record.uscc.is_none()
            && org_code.is_none();
        Features {
            address: record
                .address
                .as_deref()
                .map(|a| PlaceKey::of(AddressKey::parse(a, region.as_deref())))
                .unwrap_or_default(),
            uscc: record.uscc.as_deref().map(Into::into),
            invalid_uscc: record.invalid_uscc.as_deref().map(Into::into),
            org_code,
            persons: record.persons.iter().map(|p| fold(p).into()).collect(),
            names,
            region: region.map(Into::into),
            unusable,
            shop: record.source == crate::input::Source::PlatformMerchants,
        }
    }

    /// The features of every record, in parallel.
    pub fn all(records: &[InputRecord]) -> Vec<Features> {
        records.par_iter().map(Features::of).collect()
    }
}

/// A name as compared: [`NameParts`] without the parts only shown, in one allocation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameKey {
    core: Box<str>,
    trade_end: usize,
    industry_start: usize,
    pub beauty_family: bool,
}

impl NameKey {
    fn of(parts: &NameParts) -> NameKey {
        NameKey {
            core: parts.core.as_str().into(),
            trade_end: parts.trade.len().min(parts.core.len()),
            industry_start: parts.core.len().saturating_sub(parts.industry.len()),
            beauty_family: parts.beauty_family,
        }
    }

    /// 字号 + industry.
    pub fn core(&self) -> &str {
        &self.core
    }

    /// 字号.
    pub fn trade(&self) -> &str {
        &self.core[..self.trade_end]
    }

    pub fn industry(&self) -> &str {
        &self.core[self.industry_start..]
    }
}

/// An address as compared: [`AddressKey`] with the text in one allocation (street and road
/// are prefixes).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlaceKey {
    full: Box<str>,
    street_end: usize,
    road_end: usize,
    place: Box<str>,
    block: Box<str>,
    pub floor: Option<i16>,
    pub unit: Option<u16>,
}

impl PlaceKey {
    fn of(key: AddressKey) -> PlaceKey {
        let street_end = if key.full.starts_with(&key.street) {
            key.street.len()
        } else {
            0
        };
        let road_end = if key.full.starts_with(&key.road) {
            key.road.len()
        } else {
            0
        };
        PlaceKey {
            full: key.full.into(),
            street_end,
            road_end,
            place: key.place.into(),
            block: key.block.into(),
            floor: key.floor,
            unit: key.unit,
        }
    }

    pub fn full(&self) -> &str {
        &self.full
    }

    /// Road and number, or "".
    pub fn street(&self) -> &str {
        &self.full[..self.street_end]
    }

    /// Road, or "".
    pub fn road(&self) -> &str {
        &self.full[..self.road_end]
    }

    /// The complex's name (时代金融中心), or "".
    pub fn place(&self) -> &str {
        &self.place
    }

    /// The building inside the complex (3栋, E座), or "".
    pub fn block(&self) -> &str {
        &self.block
    }

    /// The building: road and number, else the complex's name; "" when neither is known.
    pub fn building(&self) -> &str {
        if self.street_end > 0 {
            self.street()
        } else {
            &self.place
        }
    }

    /// The room as one value, for its frequency: building, block, floor and room.
    pub fn room_key(&self) -> Option<u64> {
        let (floor, unit) = (self.floor?, self.unit?);
        Some(FxBuildHasher.hash_one((self.building(), &*self.block, floor, unit)))
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
    /// Buildings: road and number, or the complex's name.
    pub street: FxHashMap<u64, u32>,
    pub address: FxHashMap<u64, u32>,
    pub room: FxHashMap<u64, u32>,
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
                *f.trade.entry(hash(n.trade())).or_default() += 1;
                *f.core.entry(hash(n.core())).or_default() += 1;
            }
            if !feat.address.building().is_empty() {
                *f.street.entry(hash(feat.address.building())).or_default() += 1;
            }
            if !feat.address.full().is_empty() {
                *f.address.entry(hash(feat.address.full())).or_default() += 1;
            }
            if let Some(room) = feat.address.room_key() {
                *f.room.entry(room).or_default() += 1;
            }
            for p in &feat.persons {
                *f.person.entry(hash(p)).or_default() += 1;
            }
        }
        f
    }

    /// The share of records with `value` in `map`, smoothed towards `prior` (the level's u)
    /// as [`crate::model`] smooths everything, so a handful of records cannot make a value
    /// look common.
    pub fn share(&self, map: &FxHashMap<u64, u32>, value: &str, prior: f64) -> f64 {
        self.share_of(map, hash(value), prior)
    }

    /// How many records have `value` in `map`.
    pub fn count(&self, map: &FxHashMap<u64, u32>, value: &str) -> u32 {
        map.get(&hash(value)).copied().unwrap_or(0)
    }

    /// [`Frequencies::share`] of a value already hashed.
    pub fn share_of(&self, map: &FxHashMap<u64, u32>, value: u64, prior: f64) -> f64 {
        let count = f64::from(map.get(&value).copied().unwrap_or(1).max(1));
        (count + crate::model::PRIOR_WEIGHT * prior)
            / (f64::from(self.records) + crate::model::PRIOR_WEIGHT)
    }
}
