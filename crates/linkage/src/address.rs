//! Addresses in comparable form (地址归一): 山东省枣庄市薛城区泰山南路１２３号３号楼 and
//! 泰山南路123号3栋 are one place.

use crate::fold::fold;
use crate::regions::RegionNames;

/// An address reduced to what identifies the place.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AddressKey {
    /// Without region names and room: 泰山南路123号3栋.
    pub full: String,
    /// Road and number: 泰山南路123号 (empty when the address has no numbered road).
    pub street: String,
    /// Road: 泰山南路.
    pub road: String,
}

const ROAD_MARKERS: [&str; 6] = ["大道", "路", "街", "道", "巷", "胡同"];

impl AddressKey {
    /// The key of `raw`; `context` is the record's region code, for county short names.
    pub fn parse(raw: &str, context: Option<&str>) -> AddressKey {
        let mut text = canonical_marks(&fold(raw));
        let regions = RegionNames::embedded();
        while let Some((_, len)) = regions.match_prefix(&text, context) {
            text.drain(..len);
        }
        // A room (1201室) or unit (1单元) at the end is often left out.
        for marker in ["室", "单元"] {
            if let Some(stem) = text.strip_suffix(marker) {
                let digits = stem.chars().rev().take_while(char::is_ascii_digit).count();
                if digits > 0 {
                    text.truncate(stem.len() - digits);
                }
            }
        }
        let street_end = street_end(&text);
        let street = street_end.map(|e| text[..e].to_owned()).unwrap_or_default();
        let road = road_of(&street);
        AddressKey {
            full: text,
            street,
            road,
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

/// The end of the first `<digits>号` that follows a road marker.
fn street_end(text: &str) -> Option<usize> {
    let road_end = ROAD_MARKERS
        .iter()
        .filter_map(|m| text.find(m).map(|i| i + m.len()))
        .min()?;
    let rest = &text[road_end..];
    let hao = rest.find('号')?;
    let number = &rest[..hao];
    (!number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || c == '-'))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_of_one_address_agree() {
        let a = AddressKey::parse("山东省枣庄市薛城区泰山南路123号3号楼1201室", Some("370403"));
        let b = AddressKey::parse("泰山南路１２３＃3栋", Some("370403"));
        let c = AddressKey::parse("枣庄市 泰山南路123号 3号楼", Some("370403"));
        assert_eq!(a.full, "泰山南路123号3栋");
        assert_eq!(a.full, b.full);
        assert_eq!(a.full, c.full);
        assert_eq!(a.street, "泰山南路123号");
        assert_eq!(a.road, "泰山南路");
    }

    #[test]
    fn no_numbered_road() {
        let a = AddressKey::parse("薛城区某某小区", Some("370403"));
        assert_eq!(a.street, "");
        assert_eq!(a.full, "某某小区");
    }
}
