//! The scoring model (评分模型): a Fellegi–Sunter model whose weights are learned from the data
//! at hand, so they fit each city's registries rather than a guess.
//!
//! * u (how often a level occurs between two unrelated records) comes from random pairs, and
//!   for agreeing names, addresses and persons from the frequency of the agreeing value: a
//!   字号 that 300 shops share counts for less than one that two share.
//! * m (how often it occurs for one operator's records) comes from pairs the data itself
//!   vouches for: pairs with the same valid code teach the name, address, person and region
//!   levels; pairs whose name, address and region all agree teach the code levels.
//!
//! A level's weight is log2(m/u) in bits; a missing value weighs nothing. A pair's weight is
//! the sum over fields.

use crate::compare::{
    compare, AddressLevel, CodeLevel, Comparison, Field, Level, NameLevel, PersonLevel, RegionLevel,
};
use rayon::prelude::*;

use crate::features::{Features, Frequencies};

/// Random pairs drawn to learn u.
const U_SAMPLE: usize = 400_000;
/// Candidate pairs (evenly spaced) that m is learned from.
const M_SAMPLE: usize = 1_000_000;

/// Learned weights.
#[derive(Clone, Debug)]
pub struct Model {
    /// m and u per field and level.
    m: [Vec<f64>; 5],
    /// m of the name levels when a platform shop is one of the two: a shop's name is a brand
    /// (悦颜美学·薛城店, or one unlike the registered 字号), so its names differ more often.
    m_shop_name: Vec<f64>,
    u: [Vec<f64>; 5],
    frequencies: Frequencies,
}

/// One field's contribution to a pair's weight.
#[derive(Clone, Debug, PartialEq)]
pub struct Contribution {
    pub level: Level,
    /// Bits: positive for evidence of one operator, negative against.
    pub weight: f64,
    /// The agreeing value, where its frequency was weighed.
    pub value: Option<String>,
    /// That value is shared by many records (a 字号 many businesses use, a tower of many), so
    /// it weighed little: officers read “字号常见” or “同楼多家”.
    pub common: bool,
}

/// Records sharing a value from which it is called common in the evidence.
const COMMON_VALUE: u32 = 10;

impl Model {
    /// Learns the weights from the records' features and the candidate pairs.
    pub fn learn(features: &[Features], candidates: &[(u32, u32)]) -> Model {
        let frequencies = Frequencies::of(features);
        let u_counts = random_pairs(features.len())
            .par_iter()
            .fold(counts, |mut acc, &(a, b)| {
                tally(&mut acc, &compare(&features[a], &features[b]), None);
                acc
            })
            .reduce(counts, add);
        let step = (candidates.len() / M_SAMPLE).max(1);
        let name = field_index(Field::Name);
        let shop_names = candidates
            .par_iter()
            .step_by(step)
            .fold(
                || vec![0u64; Field::Name.levels()],
                |mut acc, &(a, b)| {
                    let c = compare(&features[a as usize], &features[b as usize]);
                    if c.shop && c.levels[0] == Level::Code(CodeLevel::Same) {
                        acc[c.levels[name].index()] += 1;
                    }
                    acc
                },
            )
            .reduce(
                || vec![0u64; Field::Name.levels()],
                |x, y| x.iter().zip(&y).map(|(a, b)| a + b).collect(),
            );
        let m_counts = candidates
            .par_iter()
            .step_by(step)
            .fold(counts, |mut acc, &(a, b)| {
                let c = compare(&features[a as usize], &features[b as usize]);
                let code_anchor = c.levels[0] == Level::Code(CodeLevel::Same);
                let other_anchor = matches!(
                    c.levels[1],
                    Level::Name(NameLevel::SameCore | NameLevel::SameTrade)
                ) && matches!(
                    c.levels[2],
                    Level::Address(AddressLevel::Same | AddressLevel::SameStreet)
                ) && matches!(
                    c.levels[4],
                    Level::Region(RegionLevel::SameCounty | RegionLevel::Within)
                );
                if code_anchor {
                    tally(&mut acc, &c, Some(Field::Code));
                }
                if other_anchor {
                    tally_field(&mut acc, &c, Field::Code);
                }
                acc
            })
            .reduce(counts, add);
        let m = probabilities(&m_counts, &PRIOR_M);
        // Few shops carry a valid code in a small city: the pooled m is their prior.
        let m_shop_name = smoothed(&shop_names, &m[name]);
        Model {
            m_shop_name,
            m,
            u: probabilities(&u_counts, &PRIOR_U),
            frequencies,
        }
    }

    /// The weight of each field of a comparison.
    pub fn contributions(&self, c: &Comparison) -> [Contribution; 5] {
        let mut out = c.levels.map(|level| Contribution {
            level,
            weight: 0.0,
            value: None,
            common: false,
        });
        for (i, level) in c.levels.iter().enumerate() {
            if level.is_missing() {
                continue;
            }
            out[i].weight = self.level_weight(i, *level, c);
            if let Some((map, value)) = self.tf_value(*level, c) {
                out[i].common = self.frequencies.count(map, value) >= COMMON_VALUE;
                out[i].value = Some(value.to_owned());
            }
        }
        out
    }

    /// The total weight of a comparison.
    pub fn weight(&self, c: &Comparison) -> f64 {
        c.levels
            .iter()
            .enumerate()
            .filter(|(_, level)| !level.is_missing())
            .map(|(i, level)| self.level_weight(i, *level, c))
            .sum()
    }

    /// log2(m/u) of field `i` at `level`, u from the agreeing value's frequency where one applies.
    fn level_weight(&self, i: usize, level: Level, c: &Comparison) -> f64 {
        if level == Level::Address(AddressLevel::DifferentRoom) {
            return self.different_room_weight(i);
        }
        let m = if c.shop && level.field() == Field::Name {
            self.m_shop_name[level.index()]
        } else {
            self.m[i][level.index()]
        };
        let prior_u = self.u[i][level.index()];
        let u = match (self.tf_value(level, c), c.room_key) {
            (Some((map, value)), _) => self.frequencies.share(map, value, prior_u),
            (None, Some(room)) if level == Level::Address(AddressLevel::Same) => self
                .frequencies
                .share_of(&self.frequencies.room, room, prior_u),
            (None, _) => prior_u,
        };
        (m / u).log2()
    }

    /// 同楼不同室: weighed given that the two share the building, which blocking makes the rule
    /// among the pairs compared. One operator's records in one building rarely name different
    /// rooms (m, learned); two businesses of one building almost always do (u given the
    /// building, [`DIFFERENT_ROOM_U`]). The building itself then counts for nothing: a tower
    /// of forty businesses says nothing about which one a record is.
    fn different_room_weight(&self, i: usize) -> f64 {
        let m = &self.m[i];
        let in_building = [
            AddressLevel::Same,
            AddressLevel::SameStreet,
            AddressLevel::DifferentRoom,
        ]
        .iter()
        .map(|l| m[Level::Address(*l).index()])
        .sum::<f64>();
        let m_given = m[Level::Address(AddressLevel::DifferentRoom).index()] / in_building;
        (m_given / DIFFERENT_ROOM_U).log2()
    }

    /// The frequency table and agreeing value of a level weighed by term frequency.
    fn tf_value<'c>(
        &self,
        level: Level,
        c: &Comparison<'c>,
    ) -> Option<(&rustc_hash::FxHashMap<u64, u32>, &'c str)> {
        let f = &self.frequencies;
        match level {
            Level::Name(NameLevel::SameCore) => Some((&f.core, c.name_value?)),
            Level::Name(NameLevel::SameTrade | NameLevel::SameTradeOtherIndustry) => {
                Some((&f.trade, c.name_value?))
            }
            Level::Address(AddressLevel::Same) if c.room_key.is_some() => None,
            Level::Address(AddressLevel::Same) => Some((&f.address, c.address_value?)),
            Level::Address(AddressLevel::SameStreet) => Some((&f.street, c.address_value?)),
            Level::Person(PersonLevel::Same) => Some((&f.person, c.person_value?)),
            _ => None,
        }
    }

    /// The learned m and u of a level, for the model report.
    pub fn m_u(&self, level: Level) -> (f64, f64) {
        let i = field_index(level.field());
        (self.m[i][level.index()], self.u[i][level.index()])
    }
}

fn field_index(field: Field) -> usize {
    Field::ALL.iter().position(|f| *f == field).unwrap_or(0)
}

fn counts() -> [Vec<u64>; 5] {
    Field::ALL.map(|f| vec![0; f.levels()])
}

fn add(mut x: [Vec<u64>; 5], y: [Vec<u64>; 5]) -> [Vec<u64>; 5] {
    for (xs, ys) in x.iter_mut().zip(y) {
        for (a, b) in xs.iter_mut().zip(ys) {
            *a += b;
        }
    }
    x
}

fn tally(counts: &mut [Vec<u64>; 5], c: &Comparison, skip: Option<Field>) {
    for level in c.levels {
        if Some(level.field()) != skip {
            counts[field_index(level.field())][level.index()] += 1;
        }
    }
}

fn tally_field(counts: &mut [Vec<u64>; 5], c: &Comparison, field: Field) {
    let level = c.levels[field_index(field)];
    counts[field_index(field)][level.index()] += 1;
}

/// The share of pairs of different operators sharing a building that name different floors or
/// rooms when both name one: nearly all, since two businesses do not share a room (the rest
/// are clerks' errors and a business at another's old address).
const DIFFERENT_ROOM_U: f64 = 0.95;

/// Pseudo-counts of the prior: with a few dozen records the data say little and the prior
/// below holds; with thousands the data decide.
pub(crate) const PRIOR_WEIGHT: f64 = 100.0;

/// Prior m per field and level (index 0, missing, unused): what one operator's records look
/// like across registries — mostly the same code where both carry one, a name that differs
/// in form but keeps the 字号, an address written differently, the same person, one county.
const PRIOR_M: [&[f64]; 5] = [
    &[1.0, 0.80, 0.10, 0.03, 0.07],
    &[1.0, 0.45, 0.40, 0.03, 0.07, 0.05],
    &[1.0, 0.45, 0.30, 0.10, 0.15, 0.01],
    &[1.0, 0.85, 0.15],
    &[1.0, 0.85, 0.12, 0.03],
];

/// Prior u: how rarely unrelated records in one city agree by chance.
const PRIOR_U: [&[f64]; 5] = [
    &[1.0, 1e-6, 1e-6, 1e-6, 0.999_997],
    &[1.0, 1e-4, 1e-3, 1e-3, 1e-2, 0.987_9],
    &[1.0, 1e-5, 1e-4, 5e-3, 0.994_79, 1e-4],
    &[1.0, 1e-3, 0.999],
    &[1.0, 0.2, 0.1, 0.7],
];

/// Level shares among non-missing comparisons of one field, smoothed towards `prior`.
fn smoothed(levels: &[u64], prior: &[f64]) -> Vec<f64> {
    let present: u64 = levels.iter().skip(1).sum();
    let denominator = present as f64 + PRIOR_WEIGHT;
    levels
        .iter()
        .enumerate()
        .map(|(j, &n)| {
            if j == 0 {
                1.0
            } else {
                (n as f64 + PRIOR_WEIGHT * prior[j]) / denominator
            }
        })
        .collect()
}

/// Level shares among non-missing comparisons, smoothed towards the prior.
fn probabilities(counts: &[Vec<u64>; 5], prior: &[&[f64]; 5]) -> [Vec<f64>; 5] {
    let mut out: [Vec<f64>; 5] = Default::default();
    for (i, levels) in counts.iter().enumerate() {
        let present: u64 = levels.iter().skip(1).sum();
        let denominator = present as f64 + PRIOR_WEIGHT;
        out[i] = levels
            .iter()
            .enumerate()
            .map(|(j, &n)| {
                if j == 0 {
                    1.0
                } else {
                    (n as f64 + PRIOR_WEIGHT * prior[i][j]) / denominator
                }
            })
            .collect();
    }
    out
}

/// Deterministic random pairs of distinct records (SplitMix64), so a run is reproducible.
fn random_pairs(n: usize) -> Vec<(usize, usize)> {
    if n < 2 {
        return Vec::new();
    }
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let wanted = U_SAMPLE.min(n * (n - 1) / 2);
    let mut pairs = Vec::with_capacity(wanted);
    while pairs.len() < wanted {
        let a = (next() % n as u64) as usize;
        let b = (next() % n as u64) as usize;
        if a != b {
            pairs.push((a, b));
        }
    }
    pairs
}
