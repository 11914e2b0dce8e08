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
        let base = *rng.pick(&city.districts[district].roads);
        let road = match (rng.below(10), base.strip_suffix('路')) {
            (0..=3, Some(stem)) if !stem.ends_with(['东', '西', '南', '北', '中']) => {
                format!("{stem}{}路", rng.pick(&["东", "西", "南", "北", "中"]))
            }
            _ => base.to_string(),
        };
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
        }
        out
    }
}
