//! Addresses: 区 + 路/街 + 号 + 楼/室, kept as parts so each registry can write them its own way.
//!
//! The registration writes the canonical form; other registries may drop the province and city
//! or the district, write 号 as `#`, 号楼 as 栋/幢, insert spaces or leave out the room
//! ([`crate::NoiseKind::AddressVariant`]).

use crate::city::City;
use crate::pools::{ESTATES, PLACE_NAMES, TOWERS};
use crate::rng::Rng;

/// What follows the street number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Detail {
    None,
    /// 金河大厦3楼302室
    Tower {
        name: String,
        floor: u32,
        room: u32,
    },
    /// 阳光花园5号楼2单元501室
    Estate {
        name: String,
        building: u32,
        unit: u32,
        room: u32,
    },
    /// 12号商铺
    Shop(u32),
    /// A seat in a shared tower or mall (dense profile): 金鼎大厦12层1203室, 金鼎国际B座3楼305,
    /// 万达广场3层3012号商铺, 翰林中心2号楼15层1508室 by `style` 0–3; `wing` counts from 0.
    Unit {
        building: String,
        style: u8,
        wing: u32,
        floor: u32,
        room: u32,
    },
    /// A slot of a 集中登记 cluster (dense profile): 金河创业园区集中办公区A区0123号.
    Cluster {
        park: String,
        zone: char,
        slot: u32,
    },
}

impl Detail {
    /// The building part of a tower seat (with its 座 or 号楼), or `None` for other details.
    fn unit_building(&self) -> Option<String> {
        match self {
            Detail::Unit {
                building,
                style,
                wing,
                ..
            } => Some(match style {
                1 => format!("{building}{}座", char::from(b'A' + (*wing % 26) as u8)),
                3 => format!("{building}{}号楼", wing + 1),
                _ => building.clone(),
            }),
            _ => None,
        }
    }
}

/// An address in district `district` of the city.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Address {
    pub district: usize,
    pub road: String,
    pub number: u32,
    pub detail: Detail,
    /// The canonical form starts with the province.
    pub province: bool,
}

/// How to write an address.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Style {
    pub no_city: bool,
    pub no_district: bool,
    pub hash: bool,
    /// 0 号楼, 1 栋, 2 幢, 3 #楼.
    pub building_word: u8,
    pub spaces: bool,
    pub no_detail: bool,
    /// For a tower seat: 0 in full, 1 without the room, 2 without floor and room.
    pub unit_part: u8,
}

impl Address {
    /// A business address: shop front, office tower or none.
    pub(crate) fn business(city: &City, district: usize, rng: &mut Rng) -> Address {
        let detail = match rng.below(10) {
            0..=3 => Detail::Tower {
                name: format!("{}{}", rng.pick(PLACE_NAMES), rng.pick(TOWERS)),
                floor: rng.range(1, 18),
                room: rng.range(1, 30),
            },
            4..=6 => Detail::Shop(rng.range(1, 60)),
            _ => Detail::None,
        };
        Address::with_detail(city, district, detail, rng)
    }

    /// A street address without a building or room (a hospital's).
    pub(crate) fn street(city: &City, district: usize, rng: &mut Rng) -> Address {
        Address::with_detail(city, district, Detail::None, rng)
    }

    /// An address in a residential estate (a studio in a flat).
    pub(crate) fn flat(city: &City, district: usize, rng: &mut Rng) -> Address {
        let detail = Detail::Estate {
            name: format!("{}{}", rng.pick(PLACE_NAMES), rng.pick(ESTATES)),
            building: rng.range(1, 32),
            unit: rng.range(1, 6),
            room: rng.range(1, 33) * 100 + rng.range(1, 4),
        };
        Address::with_detail(city, district, detail, rng)
    }

    fn with_detail(city: &City, district: usize, detail: Detail, rng: &mut Rng) -> Address {
        let road = road(city, district, rng);
        Address {
            district,
            road,
            number: rng.range(1, 2999),
            detail,
            province: rng.chance(0.5),
        }
    }

    /// The canonical form, as the registration writes it.
    pub(crate) fn canonical(&self, city: &City) -> String {
        self.render(city, Style::default())
    }

    /// The address written in `style`.
    pub(crate) fn render(&self, city: &City, style: Style) -> String {
        let district = &city.districts[self.district];
        let sep = if style.spaces { " " } else { "" };
        let mut out = String::with_capacity(96);
        if !style.no_city {
            if self.province {
                out.push_str(&city.province);
            }
            if !district.county_city || style.no_district {
                out.push_str(&city.name);
            }
        }
        if !style.no_district || (district.county_city && style.no_city) {
            out.push_str(&district.name);
        }
        out.push_str(sep);
        out.push_str(&self.road);
        out.push_str(&self.number.to_string());
        out.push_str(if style.hash { "#" } else { "号" });
        if style.no_detail {
            return out;
        }
        match &self.detail {
            Detail::None => {}
            Detail::Tower { name, floor, room } => {
                out.push_str(sep);
                out.push_str(&format!("{name}{floor}楼{floor}{room:02}室"));
            }
            Detail::Estate {
                name,
                building,
                unit,
                room,
            } => {
                let word = ["号楼", "栋", "幢", "#楼"][usize::from(style.building_word % 4)];
                out.push_str(sep);
                out.push_str(&format!("{name}{building}{word}{unit}单元{room}室"));
            }
            Detail::Shop(n) => {
                out.push_str(sep);
                out.push_str(&format!("{n}号商铺"));
            }
            Detail::Unit {
                style: look,
                floor,
                room,
                ..
            } => {
                out.push_str(sep);
                out.push_str(&self.detail.unit_building().unwrap_or_default());
                let floor_word = if *look == 1 { "楼" } else { "层" };
                match style.unit_part {
                    0 => out.push_str(&match look {
                        1 => format!("{floor}{floor_word}{floor}{room:02}"),
                        2 => format!("{floor}{floor_word}{floor}{room:02}号商铺"),
                        _ => format!("{floor}{floor_word}{floor}{room:02}室"),
                    }),
                    1 => out.push_str(&format!("{floor}{floor_word}")),
                    _ => {}
                }
            }
            Detail::Cluster { park, zone, slot } => {
                out.push_str(sep);
                out.push_str(&format!("{park}集中办公区{zone}区{slot:04}号"));
            }
        }
        out
    }

    /// The address as people give directions (dense profile, records outside registrations): a
    /// crossing of the road with another (…路与…路交叉口向东50米) or the 街道 and the building,
    /// without a road number.
    pub(crate) fn landmark(&self, city: &City, rng: &mut Rng) -> String {
        let district = &city.districts[self.district];
        let mut out = String::with_capacity(96);
        if !district.county_city && rng.chance(0.5) {
            out.push_str(&city.name);
        }
        out.push_str(&district.name);
        let crossing = rng.chance(0.5);
        if crossing {
            let others: Vec<&str> = district
                .roads
                .iter()
                .copied()
                .filter(|r| {
                    !self
                        .road
                        .starts_with(r.trim_end_matches(['路', '街', '道']))
                })
                .collect();
            let other = if others.is_empty() {
                "新华路"
            } else {
                *rng.pick(&others)
            };
            out.push_str(&self.road);
            out.push('与');
            out.push_str(other);
            out.push_str(rng.pick::<&str>(&[
                "交叉口向东50米",
                "交叉口向西100米",
                "交叉口向南80米",
                "交叉口向北200米",
                "交叉口东北角",
                "交叉口西南角",
                "交汇处",
            ]));
        } else {
            out.push_str(&street_of(self.district, &self.road));
        }
        match &self.detail {
            Detail::Unit { floor, room, .. } => {
                out.push_str(&self.detail.unit_building().unwrap_or_default());
                if rng.chance(0.5) {
                    out.push_str(&format!("{floor}楼{floor}{room:02}"));
                }
            }
            Detail::Tower { name, floor, .. } => out.push_str(&format!("{name}{floor}楼")),
            Detail::Estate {
                name,
                building,
                unit,
                room,
            } => out.push_str(&format!("{name}{building}号楼{unit}单元{room}室")),
            Detail::Cluster { park, .. } => out.push_str(park),
            Detail::Shop(_) | Detail::None if !crossing => {
                out.push_str(&format!("{}社区", rng.pick(PLACE_NAMES)))
            }
            Detail::Shop(_) | Detail::None => {}
        }
        out
    }
}

/// A road of the district, sometimes with a direction (光明路 → 光明东路).
pub(crate) fn road(city: &City, district: usize, rng: &mut Rng) -> String {
    let base = *rng.pick(&city.districts[district].roads);
    match (rng.below(10), base.strip_suffix('路')) {
        (0..=3, Some(stem)) if !stem.ends_with(['东', '西', '南', '北', '中']) => {
            format!("{stem}{}路", rng.pick(&["东", "西", "南", "北", "中"]))
        }
        _ => base.to_string(),
    }
}

/// The 街道 a road of a district runs through: a fixed pick from the place names.
fn street_of(district: usize, road: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ district as u64;
    for b in road
        .trim_end_matches(['东', '西', '南', '北', '中', '路'])
        .bytes()
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!(
        "{}街道",
        PLACE_NAMES[(h % PLACE_NAMES.len() as u64) as usize]
    )
}
