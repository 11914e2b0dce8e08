//! Comparing two records field by field (逐项比较): each comparison lands on one level, and the
//! model gives each level a weight. Levels are few and named, so every link can be explained.

use crate::features::Features;
use crate::features::NameKey;

/// The fields compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Code,
    Name,
    Address,
    Person,
    Region,
}

impl Field {
    pub const ALL: [Field; 5] = [
        Field::Code,
        Field::Name,
        Field::Address,
        Field::Person,
        Field::Region,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            Field::Code => "统一社会信用代码",
            Field::Name => "名称",
            Field::Address => "地址",
            Field::Person => "负责人",
            Field::Region => "行政区划",
        }
    }

    /// The number of levels, [`Level::index`] below it.
    pub fn levels(self) -> usize {
        match self {
            Field::Code => 5,
            Field::Name => 6,
            Field::Address => 6,
            Field::Person => 3,
            Field::Region => 4,
        }
    }
}

/// The level one comparison lands on. `Missing` (either side blank) always weighs 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    Code(CodeLevel),
    Name(NameLevel),
    Address(AddressLevel),
    Person(PersonLevel),
    Region(RegionLevel),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodeLevel {
    Missing,
    /// The same valid 统一社会信用代码.
    Same,
    /// The same 组织机构代码 (from a code, or a license's 登记号).
    SameOrgCode,
    /// One side's invalid code is one character away from the other's valid code.
    OneCharOff,
    /// Two different valid codes.
    Different,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NameLevel {
    Missing,
    /// The same name once region, organisation form and branch are set aside.
    SameCore,
    /// The same 字号, industries of one family.
    SameTrade,
    /// The same 字号 in unrelated industries.
    SameTradeOtherIndustry,
    /// 字号 one character apart, or one inside the other.
    SimilarTrade,
    Different,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AddressLevel {
    Missing,
    /// The same building and room (floor and room both known), or the same address text.
    Same,
    /// The same building (road and number, or complex), the floor or room missing on a side.
    SameStreet,
    SameRoad,
    Different,
    /// The same building, different floors or rooms (or different blocks of one complex):
    /// in a tower of dozens of businesses, strong evidence of two operators.
    DifferentRoom,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PersonLevel {
    Missing,
    Same,
    Different,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegionLevel {
    Missing,
    SameCounty,
    /// One is a city's code and the other a county inside it.
    Within,
    Different,
}

impl Level {
    pub fn field(self) -> Field {
        match self {
            Level::Code(_) => Field::Code,
            Level::Name(_) => Field::Name,
            Level::Address(_) => Field::Address,
            Level::Person(_) => Field::Person,
            Level::Region(_) => Field::Region,
        }
    }

    /// Position within the field's levels; 0 is `Missing`.
    pub fn index(self) -> usize {
        match self {
            Level::Code(l) => l as usize,
            Level::Name(l) => l as usize,
            Level::Address(l) => l as usize,
            Level::Person(l) => l as usize,
            Level::Region(l) => l as usize,
        }
    }

    pub fn is_missing(self) -> bool {
        self.index() == 0
    }

    /// The level in Chinese, as officers read it in the evidence.
    pub fn label_zh(self) -> &'static str {
        match self {
            Level::Code(CodeLevel::Missing) => "代码缺失",
            Level::Code(CodeLevel::Same) => "统一社会信用代码一致",
            Level::Code(CodeLevel::SameOrgCode) => "组织机构代码一致",
            Level::Code(CodeLevel::OneCharOff) => "代码仅差一位（疑似录入错误）",
            Level::Code(CodeLevel::Different) => "统一社会信用代码不同",
            Level::Name(NameLevel::Missing) => "名称缺失",
            Level::Name(NameLevel::SameCore) => "名称一致（去除区划、组织形式、分支后）",
            Level::Name(NameLevel::SameTrade) => "字号一致",
            Level::Name(NameLevel::SameTradeOtherIndustry) => "字号一致但行业不同",
            Level::Name(NameLevel::SimilarTrade) => "字号相近",
            Level::Name(NameLevel::Different) => "名称不同",
            Level::Address(AddressLevel::Missing) => "地址缺失",
            Level::Address(AddressLevel::Same) => "地址一致（同楼同室）",
            Level::Address(AddressLevel::SameStreet) => "同一楼宇（楼层房号不全）",
            Level::Address(AddressLevel::DifferentRoom) => "同楼不同室",
            Level::Address(AddressLevel::SameRoad) => "同一道路",
            Level::Address(AddressLevel::Different) => "地址不同",
            Level::Person(PersonLevel::Missing) => "负责人缺失",
            Level::Person(PersonLevel::Same) => "法定代表人/负责人一致",
            Level::Person(PersonLevel::Different) => "负责人不同",
            Level::Region(RegionLevel::Missing) => "区划缺失",
            Level::Region(RegionLevel::SameCounty) => "同一区县",
            Level::Region(RegionLevel::Within) => "区划相容（市级与区县）",
            Level::Region(RegionLevel::Different) => "不同区县",
        }
    }
}

/// The outcome of comparing two records: a level per field, and the value that agreed where a
/// term-frequency weight applies.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison<'a> {
    pub levels: [Level; 5],
    /// The agreeing 字号 or name core, for its frequency.
    pub name_value: Option<&'a str>,
    /// The agreeing building or address.
    pub address_value: Option<&'a str>,
    /// The agreeing room (building, block, floor, room), hashed.
    pub room_key: Option<u64>,
    /// A platform shop is one of the two: names are weighed as shops' names differ.
    pub shop: bool,
    pub person_value: Option<&'a str>,
}

/// Compares two records' features.
pub fn compare<'a>(a: &'a Features, b: &'a Features) -> Comparison<'a> {
    let (name, name_value) = compare_names(&a.names, &b.names);
    let (address, address_value) = compare_addresses(a, b);
    let room_key = (address == AddressLevel::Same)
        .then(|| a.address.room_key())
        .flatten();
    let (person, person_value) = compare_persons(&a.persons, &b.persons);
    Comparison {
        levels: [
            Level::Code(compare_codes(a, b)),
            Level::Name(name),
            Level::Address(address),
            Level::Person(person),
            Level::Region(compare_regions(a.region.as_deref(), b.region.as_deref())),
        ],
        name_value,
        address_value,
        room_key,
        person_value,
        shop: a.shop || b.shop,
    }
}

fn compare_codes(a: &Features, b: &Features) -> CodeLevel {
    match (&a.uscc, &b.uscc) {
        (Some(x), Some(y)) if x == y => return CodeLevel::Same,
        (Some(_), Some(_)) => {
            return if a.org_code == b.org_code {
                CodeLevel::SameOrgCode
            } else {
                CodeLevel::Different
            }
        }
        _ => {}
    }
    match (&a.org_code, &b.org_code) {
        (Some(x), Some(y)) if x == y => return CodeLevel::SameOrgCode,
        _ => {}
    }
    let typo = |bad: &Option<Box<str>>, good: &Option<Box<str>>| match (bad, good) {
        (Some(bad), Some(good)) => one_char_apart(bad, good),
        _ => false,
    };
    if typo(&a.invalid_uscc, &b.uscc) || typo(&b.invalid_uscc, &a.uscc) {
        CodeLevel::OneCharOff
    } else {
        CodeLevel::Missing
    }
}

/// Two codes of equal length that differ in exactly one character.
pub fn one_char_apart(x: &str, y: &str) -> bool {
    x.len() == y.len() && x.chars().zip(y.chars()).filter(|(p, q)| p != q).count() == 1
}

fn compare_names<'a>(a: &'a [NameKey], b: &'a [NameKey]) -> (NameLevel, Option<&'a str>) {
    let mut best = (NameLevel::Missing, None);
    for x in a {
        for y in b {
            let (level, value) = compare_name(x, y);
            if rank(level) > rank(best.0) {
                best = (level, value);
            }
        }
    }
    best
}

fn rank(level: NameLevel) -> u8 {
    match level {
        NameLevel::Missing => 0,
        NameLevel::Different => 1,
        NameLevel::SameTradeOtherIndustry => 2,
        NameLevel::SimilarTrade => 3,
        NameLevel::SameTrade => 4,
        NameLevel::SameCore => 5,
    }
}

fn compare_name<'a>(x: &'a NameKey, y: &'a NameKey) -> (NameLevel, Option<&'a str>) {
    if x.core().is_empty() || y.core().is_empty() {
        return (NameLevel::Missing, None);
    }
    if x.core() == y.core() {
        return (NameLevel::SameCore, Some(x.core()));
    }
    let same_family = x.beauty_family == y.beauty_family
        && (x.beauty_family || industry_head(x.industry()) == industry_head(y.industry()));
    if x.trade() == y.trade() {
        return if same_family {
            (NameLevel::SameTrade, Some(x.trade()))
        } else {
            (NameLevel::SameTradeOtherIndustry, Some(x.trade()))
        };
    }
    if same_family && similar_trade(x.trade(), y.trade()) {
        return (NameLevel::SimilarTrade, None);
    }
    (NameLevel::Different, None)
}

/// The first two characters of an industry: 餐饮管理 and 餐饮服务 are one industry; a blank
/// industry fits any.
fn industry_head(industry: &str) -> &str {
    let end = industry
        .char_indices()
        .nth(2)
        .map(|(i, _)| i)
        .unwrap_or(industry.len());
    &industry[..end]
}

/// 字号 of two or more characters that differ in one character, or where one holds the other.
fn similar_trade(x: &str, y: &str) -> bool {
    let xs: Vec<char> = x.chars().collect();
    let ys: Vec<char> = y.chars().collect();
    if xs.len() < 2 || ys.len() < 2 {
        return false;
    }
    if xs.len() == ys.len() {
        return xs.iter().zip(&ys).filter(|(p, q)| p != q).count() == 1;
    }
    let (short, long) = if xs.len() < ys.len() { (x, y) } else { (y, x) };
    short.chars().count() >= 2 && long.contains(short)
}

fn compare_addresses<'a>(a: &'a Features, b: &'a Features) -> (AddressLevel, Option<&'a str>) {
    let (x, y) = (&a.address, &b.address);
    if x.full().is_empty() || y.full().is_empty() {
        return (AddressLevel::Missing, None);
    }
    let same_street = !x.street().is_empty() && x.street() == y.street();
    // A complex named on both sides is one building unless their house numbers differ.
    let same_place = !x.place().is_empty()
        && x.place() == y.place()
        && (x.street().is_empty() || y.street().is_empty() || same_street);
    if same_street || same_place {
        let building = if same_street { x.street() } else { x.place() };
        let blocks_differ =
            !x.block().is_empty() && !y.block().is_empty() && x.block() != y.block();
        let level = match (x.floor, y.floor, x.unit, y.unit) {
            _ if blocks_differ => AddressLevel::DifferentRoom,
            (Some(f), Some(g), _, _) if f != g => AddressLevel::DifferentRoom,
            (Some(_), Some(_), Some(u), Some(v)) if u != v => AddressLevel::DifferentRoom,
            (Some(_), Some(_), Some(_), Some(_)) => AddressLevel::Same,
            _ => AddressLevel::SameStreet,
        };
        return match level {
            AddressLevel::Same => (level, Some(x.full())),
            AddressLevel::DifferentRoom => (level, None),
            _ => (level, Some(building)),
        };
    }
    if x.full() == y.full() {
        return (AddressLevel::Same, Some(x.full()));
    }
    if !x.road().is_empty() && x.road() == y.road() {
        return (AddressLevel::SameRoad, None);
    }
    (AddressLevel::Different, None)
}

fn compare_persons<'a>(a: &'a [Box<str>], b: &'a [Box<str>]) -> (PersonLevel, Option<&'a str>) {
    if a.is_empty() || b.is_empty() {
        return (PersonLevel::Missing, None);
    }
    match a.iter().find(|p| b.contains(p)) {
        Some(p) => (PersonLevel::Same, Some(&**p)),
        None => (PersonLevel::Different, None),
    }
}

fn compare_regions(a: Option<&str>, b: Option<&str>) -> RegionLevel {
    let (Some(a), Some(b)) = (a, b) else {
        return RegionLevel::Missing;
    };
    if a == b {
        return RegionLevel::SameCounty;
    }
    let contains = |outer: &str, inner: &str| {
        outer.ends_with("00") && inner.starts_with(outer.trim_end_matches("00"))
    };
    if contains(a, b) || contains(b, a) {
        RegionLevel::Within
    } else {
        RegionLevel::Different
    }
}
