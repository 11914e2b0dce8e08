//! The dense profile's city ([`crate::Profile::Dense`]): shared towers and malls, 集中登记
//! clusters, 字号 reused within a district, family salons beside their clinics, old addresses
//! occupied by other businesses and 15-digit 注册号 in reported code columns.
//!
//! Nothing here needs the whole city in memory. Towers and clusters are pure functions of the
//! seed: operator `i` gets the slot `perm(i)` of a keyed bijection of `0..N`; the first
//! `N × 35 %` slots are tower seats, cut into blocks of [`BLOCK`] slots, and each block is cut into
//! towers whose capacities and addresses are drawn from a random stream keyed by the seed and
//! the block. A seat's offset inside its tower goes through an affine bijection onto
//! 座 × 楼层 × 室, so two operators of one tower never share a room. The rest is a bounded memory:
//! the last 64 two-character 字号 and 16 business addresses per district, one pending family
//! salon and a cluster slot counter.

use crate::address::{road, Address, Detail};
use crate::city::City;
use crate::gen::ctx::Ctx;
use crate::gen::Op;
use crate::ids::{self, Perm};
use crate::kind::Kind;
use crate::name::{beauty_brand, trade_brand};
use crate::noise_kind::NoiseKind;
use crate::pools::{PLACE_NAMES, TOWERS};
use crate::rng::Rng;

/// Slots per block of the tower layout: no tower is larger.
const BLOCK: u64 = 256;

/// Tower size classes: weight (per 100 towers) and the range of seats. Occupancy is the seats
/// taken by operators with a business address (≈ 94 % of them): a median tower of about a dozen
/// businesses, a quarter with 30 or more, 8 % of malls and big towers with 60–120 seats.
pub(crate) const TOWER_SIZES: [(u32, u32, u32); 4] =
    [(45, 4, 12), (30, 13, 30), (17, 31, 60), (8, 61, 120)];

/// Two-character 字号 remembered per district, to reuse.
const RECENT_BRANDS: usize = 64;
/// Business addresses remembered per district, to serve as someone's old address.
const RECENT_ADDRESSES: usize = 16;
/// 集中登记 cluster parks per district.
const PARKS_PER_DISTRICT: u64 = 2;

/// SplitMix64 of `a` and `b`: keys of the side streams, independent of the main one.
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A seat in a shared building: the address and the rooms per floor of its tower.
#[derive(Clone, Debug)]
pub(crate) struct Seat {
    pub address: Address,
    pub rooms_per_floor: u32,
}

/// The family salon that follows its clinic as the next operator.
#[derive(Clone, Debug)]
pub(crate) struct Sibling {
    pub brand: String,
    pub legal_rep: String,
    pub address: Address,
}

/// The tower layout of a run.
pub(crate) struct Towers {
    perm: Perm,
    slots: u64,
    seed: u64,
}

impl Towers {
    fn new(operators: usize, seed: u64) -> Towers {
        let n = operators.max(1) as u64;
        let slots = (n as f64 * NoiseKind::SharedBuilding.rate()).round() as u64;
        Towers {
            perm: Perm::new(n, mix(seed, 0x746F_7765_7273)),
            slots,
            seed,
        }
    }

    /// The seat of operator `index`, if its slot is a tower seat.
    pub(crate) fn seat(&self, city: &City, index: u64) -> Option<Seat> {
        let s = self.perm.apply(index);
        if s >= self.slots {
            return None;
        }
        let block = s / BLOCK;
        let pos = (s % BLOCK) as u32;
        let mut rng = Rng::new(mix(self.seed, 0x1_0000_0000 + block));
        let weights: Vec<u32> = TOWER_SIZES.iter().map(|t| t.0).collect();
        let mut start = 0u32;
        let mut k = 0u64;
        let capacity = loop {
            let (_, lo, hi) = TOWER_SIZES[rng.weighted(&weights)];
            let c = rng.range(lo, hi);
            if pos < start + c {
                break c;
            }
            start += c;
            k += 1;
        };
        let mut tower = Rng::new(mix(mix(self.seed, block), k));
        Some(tower_seat(city, &mut tower, capacity, pos - start))
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// Seat `offset` of a tower of `capacity` seats drawn from `rng`.
fn tower_seat(city: &City, rng: &mut Rng, capacity: u32, offset: u32) -> Seat {
    let district = rng.weighted(&city.weights);
    let road = road(city, district, rng);
    let number = rng.range(1, 2999);
    let province = rng.chance(0.5);
    let word = *rng.pick(TOWERS);
    let building = format!("{}{word}", rng.pick(PLACE_NAMES));
    let style: u8 = if word.contains("广场") || word == "商业街" {
        2
    } else {
        [0, 1, 3][rng.weighted(&[50, 30, 20])]
    };
    let wings = match style {
        1 => rng.range(2, 4),
        3 => rng.range(2, 6),
        _ => 1,
    };
    let rooms = rng.range(6, 20);
    let floors = rng.range(3, 28).max(capacity.div_ceil(wings * rooms));
    let m = u64::from(wings * floors * rooms);
    let mut a = 1;
    for _ in 0..16 {
        let candidate = 1 + rng.next_u64() % m.saturating_sub(1).max(1);
        if gcd(candidate, m) == 1 {
            a = candidate;
            break;
        }
    }
    let c = rng.next_u64() % m;
    let q = (a * u64::from(offset) + c) % m;
    let per_wing = u64::from(floors * rooms);
    let rooms64 = u64::from(rooms);
    Seat {
        address: Address {
            district,
            road,
            number,
            detail: Detail::Unit {
                building,
                style,
                wing: (q / per_wing) as u32,
                floor: ((q % per_wing) / rooms64) as u32 + 1,
                room: (q % rooms64) as u32 + 1,
            },
            province,
        },
        rooms_per_floor: rooms,
    }
}

/// The state of a dense run.
pub(crate) struct DenseState {
    pub towers: Towers,
    seed: u64,
    /// Per district: recent two-character 字号 and the naming family that drew them.
    brands: Vec<Vec<(String, u8)>>,
    addresses: Vec<Vec<Address>>,
    /// The family salon to generate as the next operator.
    pub sibling: Option<Sibling>,
    cluster_seq: u64,
    /// The operator being generated.
    pub index: u64,
}

impl DenseState {
    pub(crate) fn new(operators: usize, seed: u64, districts: usize) -> DenseState {
        DenseState {
            towers: Towers::new(operators, seed),
            seed,
            brands: vec![Vec::new(); districts],
            addresses: vec![Vec::new(); districts],
            sibling: None,
            cluster_seq: 0,
            index: 0,
        }
    }
}

/// Which kind of business a 字号 was drawn for: a reused 字号 comes from another kind, so the
/// two names differ in more than the region prefix.
fn family(kind: Kind) -> u8 {
    match kind {
        Kind::Ordinary => 0,
        Kind::OtherClinic => 1,
        Kind::Aesthetic | Kind::ScopeOnly | Kind::Lapsed | Kind::LicenseAnomaly => 2,
        Kind::LifeSalon | Kind::SalonInjecting => 3,
        Kind::OnlineSeller => 4,
        Kind::RevokedSeller => 5,
        _ => 6,
    }
}

/// The family salon's seat: one floor up, in a room number the tower's own layout never uses.
pub(crate) fn sibling_address(seat: &Seat) -> Address {
    let mut address = seat.address.clone();
    if let Detail::Unit { floor, room, .. } = &mut address.detail {
        *floor += 1;
        *room += seat.rooms_per_floor;
    }
    address
}

impl Ctx {
    /// Whether this is a dense run.
    pub(crate) fn is_dense(&self) -> bool {
        self.dense.is_some()
    }

    /// The premises of a business: its tower seat or its family's (dense), else a shop front,
    /// office or none as [`Address::business`] draws.
    pub(crate) fn business_address(&mut self, op: &Op) -> Address {
        let address = match (&op.sibling, &op.seat) {
            (Some(sibling), _) => sibling.address.clone(),
            (None, Some(seat)) => seat.address.clone(),
            (None, None) => Address::business(&self.city, op.district, &mut self.rng),
        };
        if let Some(dense) = self.dense.as_mut() {
            let recent = &mut dense.addresses[address.district];
            if recent.len() < RECENT_ADDRESSES {
                recent.push(address.clone());
            } else {
                let i = self.rng.below(RECENT_ADDRESSES);
                recent[i] = address.clone();
            }
        }
        address
    }

    /// A 字号 for operator `op` (beauty or trade pool); in a dense run sometimes the 字号 of an
    /// unrelated earlier business of another kind in the same district.
    pub(crate) fn brand(&mut self, op: &Op, beauty: bool) -> String {
        let draw = |rng: &mut Rng| {
            if beauty {
                beauty_brand(rng)
            } else {
                trade_brand(rng)
            }
        };
        let own = family(op.kind);
        let candidates: Vec<usize> = match &self.dense {
            None => return draw(&mut self.rng),
            Some(dense) => dense.brands[op.district]
                .iter()
                .enumerate()
                .filter(|(_, (_, f))| *f != own)
                .map(|(i, _)| i)
                .collect(),
        };
        if !candidates.is_empty() && self.roll(NoiseKind::ReusedTradeName) {
            let i = *self.rng.pick(&candidates);
            if let Some((brand, _)) = self.dense.as_ref().map(|d| &d.brands[op.district][i]) {
                return brand.clone();
            }
        }
        let brand = draw(&mut self.rng);
        if brand.chars().count() == 2 {
            let replace = self.rng.below(RECENT_BRANDS);
            if let Some(dense) = self.dense.as_mut() {
                let recent = &mut dense.brands[op.district];
                if recent.len() < RECENT_BRANDS {
                    recent.push((brand.clone(), own));
                } else {
                    recent[replace] = (brand.clone(), own);
                }
            }
        }
        brand
    }

    /// A fresh slot of one of the district's 集中登记 cluster parks.
    pub(crate) fn cluster_address(&mut self, district: usize) -> Address {
        let park = self.rng.below(PARKS_PER_DISTRICT as usize) as u64;
        let (seed, seq) = match self.dense.as_mut() {
            Some(dense) => {
                dense.cluster_seq += 1;
                (dense.seed, dense.cluster_seq - 1)
            }
            None => (0, 0),
        };
        let mut rng = Rng::new(mix(
            mix(seed, 0xC1A5_7E12),
            district as u64 * PARKS_PER_DISTRICT + park,
        ));
        let road = road(&self.city, district, &mut rng);
        let number = rng.range(1, 2999);
        let province = rng.chance(0.5);
        let name = format!(
            "{}{}",
            rng.pick(PLACE_NAMES),
            rng.pick(&["创业园区", "电商产业园", "科技创业园"])
        );
        Address {
            district,
            road,
            number,
            detail: Detail::Cluster {
                park: name,
                zone: char::from(b'A' + ((seq / 9999) % 26) as u8),
                slot: (seq % 9999) as u32 + 1,
            },
            province,
        }
    }

    /// The real address of an earlier business of the district other than `own`: where an
    /// operator that moved is still registered.
    pub(crate) fn old_address(&mut self, district: usize, own: &Address) -> Option<Address> {
        let candidates: Vec<Address> = self
            .dense
            .as_ref()?
            .addresses
            .get(district)?
            .iter()
            .filter(|a| *a != own)
            .cloned()
            .collect();
        (!candidates.is_empty()).then(|| self.rng.pick(&candidates).clone())
    }

    /// The old 15-digit 注册号 of the current operator if `code` is its enterprise or 个体 code
    /// with a pre-2015 body (dense runs only).
    pub(crate) fn old_registration_no(&self, code: &str) -> Option<String> {
        let dense = self.dense.as_ref()?;
        let individual = match code.get(..2)? {
            "91" => false,
            "92" => true,
            _ => return None,
        };
        let body = code.get(8..16)?;
        if !body.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let region = code.get(2..8)?;
        Some(ids::registration_no_fixed(
            &self.perms,
            region,
            individual,
            dense.index,
        ))
    }

    /// Registers the family salon of a clinic in seat `seat` to follow as the next operator.
    pub(crate) fn queue_sibling(&mut self, brand: &str, legal_rep: &str, seat: &Seat) {
        if let Some(dense) = self.dense.as_mut() {
            dense.sibling = Some(Sibling {
                brand: brand.to_string(),
                legal_rep: legal_rep.to_string(),
                address: sibling_address(seat),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    #[test]
    fn tower_seats_are_distinct_and_towers_are_crowded() {
        let city = match City::load("370400") {
            Ok(city) => city,
            Err(e) => panic!("{e}"),
        };
        let n = 40_000;
        let towers = Towers::new(n, 9);
        let mut seats = HashSet::new();
        let mut sizes: HashMap<(String, u32, String), usize> = HashMap::new();
        let mut seated = 0;
        for i in 0..n as u64 {
            let Some(seat) = towers.seat(&city, i) else {
                continue;
            };
            seated += 1;
            let a = seat.address;
            let Detail::Unit {
                building,
                wing,
                floor,
                room,
                ..
            } = &a.detail
            else {
                panic!("a tower seat");
            };
            let key = (a.road.clone(), a.number, building.clone());
            assert!(seats.insert((key.clone(), *wing, *floor, *room)), "{key:?}");
            *sizes.entry(key).or_default() += 1;
        }
        let share = seated as f64 / n as f64;
        assert!((share - 0.35).abs() < 0.001, "{share}");
        assert!(sizes.values().filter(|&&s| s >= 40).count() > 10);
        assert!(sizes.values().any(|&s| s >= 80));
    }
}
