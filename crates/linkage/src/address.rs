//! Addresses in comparable form (地址归一): 山东省枣庄市薛城区泰山南路１２３号３号楼 and
//! 泰山南路123号3栋 are one place. In a tower where dozens of businesses sit, the floor and room
//! tell them apart, so they are kept apart from the building: 金鼎大厦12层1203室, 1203, 12F-03
//! and 12-03 are floor 12, room 3.

use crate::fold::fold;
use crate::regions::RegionNames;

/// An address reduced to what identifies the place.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddressKey {
    /// Without region names, 街道 and direction words: 泰山南路123号3栋1201.
    pub full: String,
    /// Road and number: 泰山南路123号 (empty when the address has no numbered road).
    pub street: String,
    /// Road: 泰山南路.
    pub road: String,
    /// The building or complex named in the address (时代金融中心, 世茂写字楼), or "".
    pub place: String,
    /// The building inside it: 3栋, E座 (or "").
    pub block: String,
    /// Floor (负一层 is -1), when the address gives one.
    pub floor: Option<i16>,
    /// Room on the floor (1203室 on the 12th floor is 3), when the address gives one.
    pub unit: Option<u16>,
}

const ROAD_MARKERS: [&str; 6] = ["大道", "路", "街", "道", "巷", "胡同"];

/// Words that end a building's or complex's name.
const PLACE_ENDS: [&str; 22] = [
    "购物中心",
    "写字楼",
    "大厦",
    "大楼",
    "中心",
    "广场",
    "商厦",
    "商城",
    "商场",
    "国际",
    "公寓",
    "花园",
    "小区",
    "新村",
    "家园",
    "名邸",
    "翠苑",
    "苑",
    "城",
    "园",
    "SOHO",
    "MALL",
];

/// Hyphens separate floor and room (17-02, L3-004); the name folding drops them, so they are
/// kept as this character until the address is parsed.
const DASH: char = '之';

impl AddressKey {
    /// The key of `raw`; `context` is the record's region code, for county short names.
    pub fn parse(raw: &str, context: Option<&str>) -> AddressKey {
        let dashed: String = raw
            .chars()
            .map(|c| match c {
                '-' | '－' | '—' | '–' | '~' => DASH,
                c => c,
            })
            .collect();
        let mut text = chinese_floors(&canonical_marks(&fold(&dashed)));
        let regions = RegionNames::embedded();
        while let Some((_, len)) = regions.match_prefix(&text, context) {
            text.drain(..len);
        }
        drop_subdistrict(&mut text);
        drop_crossing(&mut text);
        let street_end = street_end(&text);
        let street = street_end.map(|e| text[..e].to_owned()).unwrap_or_default();
        let road = road_of(&street);
        let tail = &text[street.len()..];
        let (place, rest) = split_place(tail);
        let (block, rest) = split_block(rest);
        let (floor, unit) = floor_and_unit(rest);
        let full = text.replace(DASH, "");
        AddressKey {
            full,
            street,
            road,
            place,
            block,
            floor,
            unit,
        }
    }
}

/// One spelling of building and number marks: 3号楼, 3#楼 and 3幢 are 3栋; 12# is 12号;
/// brackets go.
fn canonical_marks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' | '号' if chars.peek() == Some(&'楼') => {
                chars.next();
                out.push('栋');
            }
            '#' => out.push('号'),
            '幢' => out.push('栋'),
            '(' | ')' => {}
            c => out.push(c),
        }
    }
    out
}

/// 十二楼 → 12楼, 负一层 → -1层: floors written in Chinese numerals, as digits.
fn chinese_floors(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        let negative = chars[i] == '负';
        let mut j = if negative { i + 1 } else { i };
        while j < chars.len() && digit_of(chars[j]).is_some() {
            j += 1;
        }
        let marked = j > start + usize::from(negative)
            && j < chars.len()
            && matches!(chars[j], '楼' | '层')
            && j - start <= 4;
        if marked {
            if let Some(n) = chinese_number(&chars[start + usize::from(negative)..j]) {
                if negative {
                    out.push(DASH);
                }
                out.push_str(&n.to_string());
                i = j;
                continue;
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

fn digit_of(c: char) -> Option<u32> {
    "零一二三四五六七八九十"
        .chars()
        .position(|d| d == c)
        .map(|p| p as u32)
}

/// 一 … 九十九.
fn chinese_number(chars: &[char]) -> Option<u32> {
    let d: Vec<u32> = chars.iter().map(|c| digit_of(*c)).collect::<Option<_>>()?;
    match d.as_slice() {
        [n] if *n < 10 => Some(*n),
        [10] => Some(10),
        [10, n] if *n < 10 => Some(10 + n),
        [t, 10] if *t < 10 => Some(t * 10),
        [t, 10, n] if *t < 10 && *n < 10 => Some(t * 10 + n),
        _ => None,
    }
}

/// 昌兴街道晖湖路90号 → 晖湖路90号: a 街道 (or 镇, 乡) before the road names the area, not the
/// place.
fn drop_subdistrict(text: &mut String) {
    for marker in ["街道办事处", "街道", "镇", "乡"] {
        if let Some(at) = text.find(marker) {
            let end = at + marker.len();
            let head = text[..at].chars().count();
            let rest = &text[end..];
            let road_next = ROAD_MARKERS.iter().any(|m| rest.starts_with(m));
            if (1..=5).contains(&head) && rest.chars().count() >= 3 && !road_next {
                text.drain(..end);
                return;
            }
        }
    }
}

/// 湖野路与锦昌东路交叉口东北角天玺大厦3栋603 → 天玺大厦3栋603: a crossing locates the place
/// but is no house number; what follows the direction words is.
fn drop_crossing(text: &mut String) {
    let Some(at) = ["交叉口", "交汇处", "路口"]
        .iter()
        .filter_map(|m| text.find(m).map(|i| i + m.len()))
        .min()
    else {
        return;
    };
    let rest: String = text[at..]
        .chars()
        .skip_while(|c| "东南西北侧角向往约米处旁对面0123456789".contains(*c))
        .collect();
    *text = rest;
}

/// The end of the first `<digits>号` that follows a road marker.
fn street_end(text: &str) -> Option<usize> {
    let road_end = ROAD_MARKERS
        .iter()
        .filter_map(|m| text.find(m).map(|i| i + m.len()))
        .min()?;
    let rest = &text[road_end..];
    let hao = rest.find('号')?;
    let number = &rest[..hao];
    (!number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || c == DASH))
        .then_some(road_end + hao + '号'.len_utf8())
}

fn road_of(street: &str) -> String {
    let end = street
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit())
        .map(|(i, _)| i)
        .unwrap_or(street.len());
    street[..end].to_owned()
}

/// The complex's name at the start of `tail` (up to the last word that ends such a name before
/// the first digit), and what follows it.
fn split_place(tail: &str) -> (String, &str) {
    // The name stops at the first digit, or at a level letter before one (L3, B1, F2).
    let mut stop = tail.len();
    let chars: Vec<(usize, char)> = tail.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let next_digit = chars.get(k + 1).is_some_and(|(_, n)| n.is_ascii_digit());
        if c.is_ascii_digit() || c == DASH || (matches!(c, 'L' | 'B' | 'F') && next_digit) {
            stop = i;
            break;
        }
        // A single block letter (E座) ends the name too.
        if c.is_ascii_uppercase() && chars.get(k + 1).is_some_and(|(_, n)| *n == '座') {
            stop = i;
            break;
        }
    }
    let head = &tail[..stop];
    let end = PLACE_ENDS
        .iter()
        .filter_map(|w| head.rfind(w).map(|i| i + w.len()))
        .max();
    match end {
        Some(end) if head[..end].chars().count() >= 3 => (head[..end].to_owned(), &tail[end..]),
        _ => (String::new(), tail),
    }
}

/// 3栋 / E座 / 6栋1单元 at the start of `rest`: the building inside a complex.
fn split_block(rest: &str) -> (String, &str) {
    let mut end = 0;
    let mut chars = rest.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_ascii_alphanumeric() {
            chars.next();
            continue;
        }
        if matches!(c, '栋' | '座') && i > 0 {
            end = i + c.len_utf8();
        }
        break;
    }
    if end == 0 {
        return (String::new(), rest);
    }
    let mut block = rest[..end].to_owned();
    let mut rest = &rest[end..];
    // An entrance (1单元) belongs to the block: rooms are numbered per entrance.
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && rest[digits..].starts_with("单元") {
        block.push_str(&rest[..digits + "单元".len()]);
        rest = &rest[digits + "单元".len()..];
    }
    (block, rest)
}

/// Floor and room from what follows the building: 12层1203室, 12F, 1203, 17-02, L3-004,
/// 3F-08, B1-10, 负1层, 26楼, 901号. A three- or four-digit room number carries its floor
/// (1203 is on the 12th); a floor written separately wins.
fn floor_and_unit(rest: &str) -> (Option<i16>, Option<u16>) {
    let chars: Vec<char> = rest.chars().collect();
    let mut numbers: Vec<(i32, Option<char>, bool)> = Vec::new(); // (value, mark after, dash after)
    let mut i = 0;
    let mut negative_next = false;
    while i < chars.len() && numbers.len() < 4 {
        let c = chars[i];
        if c == 'B' && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
            negative_next = true;
            i += 1;
            continue;
        }
        if c == DASH && numbers.is_empty() {
            negative_next = true;
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() && i - start < 6 {
                i += 1;
            }
            let n: i32 = chars[start..i]
                .iter()
                .collect::<String>()
                .parse()
                .unwrap_or(0);
            let n = if negative_next { -n } else { n };
            negative_next = false;
            let mark = chars.get(i).copied();
            let dash = mark == Some(DASH);
            numbers.push((n, mark, dash));
            if dash {
                i += 1;
            }
            continue;
        }
        i += 1;
    }
    let floor_mark = |m: Option<char>| matches!(m, Some('层' | '楼' | 'F'));
    let mut floor: Option<i32> = None;
    let mut unit: Option<i32> = None;
    let mut k = 0;
    while k < numbers.len() {
        let (n, mark, dash) = numbers[k];
        if floor.is_none() && (floor_mark(mark) || dash) {
            floor = Some(n);
            if dash {
                // 17-02, L3-004, B1-10: the number after the dash is the room.
                if let Some(&(m, _, _)) = numbers.get(k + 1) {
                    unit = Some(m.rem_euclid(100));
                    break;
                }
            }
        } else if unit.is_none() && !floor_mark(mark) && mark != Some('单') {
            let digits = n.unsigned_abs().to_string().len();
            match floor {
                // 12层1203室: the room's own floor digits agree with the floor.
                Some(f) if digits >= 3 && n / 100 == f => unit = Some(n % 100),
                Some(_) => unit = Some(n % 1000),
                None if digits >= 3 && n > 0 => {
                    floor = Some(n / 100);
                    unit = Some(n % 100);
                }
                None => unit = Some(n),
            }
            break;
        }
        k += 1;
    }
    let floor = floor
        .and_then(|f| i16::try_from(f).ok())
        .filter(|f| (-9..=200).contains(f));
    let unit = unit.and_then(|u| u16::try_from(u).ok());
    (floor, unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(raw: &str) -> AddressKey {
        AddressKey::parse(raw, Some("370403"))
    }

    #[test]
    fn variants_of_one_address_agree() {
        let a = key("山东省枣庄市薛城区泰山南路123号3号楼1201室");
        let b = key("泰山南路１２３＃3栋1201");
        let c = key("枣庄市 泰山南路123号 3号楼 1201室");
        assert_eq!(a.full, "泰山南路123号3栋1201室");
        assert_eq!(
            (a.street.as_str(), a.block.as_str()),
            ("泰山南路123号", "3栋")
        );
        for k in [&b, &c] {
            assert_eq!(
                (&k.street, &k.block, k.floor, k.unit),
                (&a.street, &a.block, a.floor, a.unit)
            );
        }
        assert_eq!((a.floor, a.unit), (Some(12), Some(1)));
        assert_eq!(a.road, "泰山南路");
    }

    #[test]
    fn floors_and_rooms_are_read_as_clerks_write_them() {
        let fu = |raw: &str| {
            let k = key(raw);
            (k.floor, k.unit)
        };
        assert_eq!(fu("人民路88号金鼎大厦12层1203室"), (Some(12), Some(3)));
        assert_eq!(fu("人民路88号金鼎大厦1203"), (Some(12), Some(3)));
        assert_eq!(fu("人民路88号金鼎大厦十二楼"), (Some(12), None));
        assert_eq!(fu("人民路88号金鼎大厦12F"), (Some(12), None));
        assert_eq!(fu("人民路88号时代金融中心17-02"), (Some(17), Some(2)));
        assert_eq!(fu("人民路88号中央购物中心L3-004"), (Some(3), Some(4)));
        assert_eq!(fu("人民路88号中央购物中心3F-04"), (Some(3), Some(4)));
        assert_eq!(fu("人民路88号中央购物中心B1-10"), (Some(-1), Some(10)));
        assert_eq!(fu("人民路88号华润大楼E座5层501室"), (Some(5), Some(1)));
        assert_eq!(fu("人民路88号6号楼1单元225"), (Some(2), Some(25)));
        assert_eq!(fu("人民路88号云鼎金融中心901号"), (Some(9), Some(1)));
        assert_eq!(fu("人民路88号"), (None, None));
        let k = key("人民路88号华润大楼E座5层501室");
        assert_eq!((k.place.as_str(), k.block.as_str()), ("华润大楼", "E座"));
    }

    #[test]
    fn crossings_and_subdistricts_leave_the_place() {
        let a = key("薛城区湖野路与锦昌东路交叉口东北角天玺大厦3号楼603");
        assert_eq!(a.street, "");
        assert_eq!((a.place.as_str(), a.block.as_str()), ("天玺大厦", "3栋"));
        assert_eq!((a.floor, a.unit), (Some(6), Some(3)));
        let b = key("薛城区昌兴街道晖湖路90号");
        assert_eq!(b.street, "晖湖路90号");
    }

    #[test]
    fn no_numbered_road() {
        let a = key("薛城区某某小区");
        assert_eq!(a.street, "");
        assert_eq!(a.full, "某某小区");
    }
}
