//! Region names in entity names and addresses (名称中的行政区划): 枣庄市薛城区悦颜… is 悦颜 of
//! 薛城区. Built once from the shipped GB/T 2260 table of `meijian-domain`.
//!
//! Full names (枣庄市, 薛城区) are recognised anywhere in the country. Short names (枣庄,
//! 薛城) are recognised for provinces and prefectures, and for counties only inside the
//! record's own prefecture, because many county short names are also ordinary words and 字号
//! (新华, 和平, 市中).

use std::sync::OnceLock;

use meijian_domain::region::{RegionLevel, RegionTable};
use rustc_hash::FxHashMap;

/// One region a name can stand for.
#[derive(Clone, Debug)]
struct Meaning {
    code: String,
    level: RegionLevel,
    short: bool,
}

/// The region names of the embedded table.
pub struct RegionNames {
    by_name: FxHashMap<String, Vec<Meaning>>,
    longest: usize,
}

/// Longest suffixes first: the part of a region name that short forms drop.
const SUFFIXES: [&str; 12] = [
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "省",
    "市",
    "区",
    "县",
    "旗",
    "盟",
];

/// Provinces whose short form is not a plain suffix cut.
const PROVINCE_SHORT: [(&str, &str); 5] = [
    ("内蒙古自治区", "内蒙古"),
    ("广西壮族自治区", "广西"),
    ("西藏自治区", "西藏"),
    ("宁夏回族自治区", "宁夏"),
    ("新疆维吾尔自治区", "新疆"),
];

impl RegionNames {
    /// The names of the embedded region table (built on first use).
    pub fn embedded() -> &'static RegionNames {
        static NAMES: OnceLock<RegionNames> = OnceLock::new();
        NAMES.get_or_init(|| RegionNames::from_table(RegionTable::embedded()))
    }

    fn from_table(table: &RegionTable) -> RegionNames {
        let mut by_name: FxHashMap<String, Vec<Meaning>> = FxHashMap::default();
        for region in table.iter() {
            let code = region.code.as_str().to_owned();
            let mut add = |name: String, short: bool| {
                by_name.entry(name).or_default().push(Meaning {
                    code: code.clone(),
                    level: region.level,
                    short,
                });
            };
            add(region.name.clone(), false);
            if let Some(short) = short_name(&region.name) {
                add(short, true);
            }
        }
        let longest = by_name.keys().map(|k| k.chars().count()).max().unwrap_or(0);
        RegionNames { by_name, longest }
    }

    /// The region code meant by the region name at the start of `text`, and the name's length
    /// in bytes; `context` is the record's own region code, if known.
    pub fn match_prefix(&self, text: &str, context: Option<&str>) -> Option<(&str, usize)> {
        // Region names are at least two characters long: try the longest first.
        let mut ends = [0usize; 32];
        let mut count = 0;
        for (i, c) in text.char_indices().take(self.longest.min(ends.len())) {
            ends[count] = i + c.len_utf8();
            count += 1;
        }
        ends[..count]
            .iter()
            .skip(1)
            .rev()
            .find_map(|&end| self.meaning(&text[..end], context).map(|code| (code, end)))
    }

    /// The region code `name` stands for here, if it is a region name we accept.
    pub fn meaning(&self, name: &str, context: Option<&str>) -> Option<&str> {
        let meanings = self.by_name.get(name)?;
        let accepted = |m: &&Meaning| {
            !m.short
                || m.level != RegionLevel::County
                || context.is_some_and(|c| c.len() >= 4 && m.code.starts_with(&c[..4]))
        };
        // Prefer the meaning inside the record's own prefecture, then any accepted one.
        let in_context = context.and_then(|c| {
            meanings
                .iter()
                .filter(accepted)
                .find(|m| c.len() >= 4 && m.code.starts_with(&c[..4]))
        });
        in_context
            .or_else(|| meanings.iter().find(accepted))
            .map(|m| m.code.as_str())
    }
}

/// 枣庄市 → 枣庄, 薛城区 → 薛城; `None` when the short form would be a single character or the
/// name of an autonomous area whose short form is not a plain cut.
fn short_name(name: &str) -> Option<String> {
    if let Some((_, short)) = PROVINCE_SHORT.iter().find(|(full, _)| *full == name) {
        return Some((*short).to_owned());
    }
    let stem = SUFFIXES.iter().find_map(|s| name.strip_suffix(s))?;
    if stem.chars().count() < 2 || stem.contains('族') {
        return None;
    }
    Some(stem.to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn full_and_short_names() {
        let names = RegionNames::embedded();
        assert_eq!(
            names.match_prefix("枣庄市薛城区悦颜", None),
            Some(("370400", 9))
        );
        assert_eq!(names.match_prefix("枣庄悦颜", None), Some(("370400", 6)));
        assert_eq!(names.match_prefix("薛城区悦颜", None), Some(("370403", 9)));
        // A county's short name counts only inside the record's prefecture.
        assert_eq!(names.match_prefix("薛城悦颜", None), None);
        assert_eq!(
            names.match_prefix("薛城悦颜", Some("370402")),
            Some(("370403", 6))
        );
        assert_eq!(names.match_prefix("山东悦颜", None), Some(("370000", 6)));
        assert_eq!(names.match_prefix("悦颜", None), None);
    }
}
