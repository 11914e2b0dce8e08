//! Entity names in parts (名称拆分): region, 字号, industry, organisation form and branch.
//!
//! The same operator is 枣庄市薛城区悦颜医疗美容有限公司 in the market register, 悦颜医疗美容
//! 门诊部 on its license and 悦颜醫美（薛城店） on a platform. What they share is the 字号 悦颜
//! and the family of the industry; the rest is how each clerk writes names.

use crate::fold::fold;
use crate::regions::RegionNames;
use crate::words::{BEAUTY_FAMILY, BRANCH_MARKERS, INDUSTRY_WORDS, ORG_FORMS};

/// A name in parts. All parts are folded (see [`crate::fold`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameParts {
    /// 字号 (or, when a name is nothing but region and industry words, the whole core).
    pub trade: String,
    /// The industry words after the 字号, e.g. 医疗美容, 餐饮管理.
    pub industry: String,
    /// 字号 + industry: the name without region, organisation form and branch.
    pub core: String,
    /// A region named in the name (prefix, bracket or branch), as a GB/T 2260 code.
    pub region: Option<String>,
    /// The branch part, e.g. 薛城 of （薛城店）, 滕州 of 滕州分公司.
    pub branch: Option<String>,
    /// In the medical, aesthetic and beauty family.
    pub beauty_family: bool,
}

impl NameParts {
    /// Splits `raw`; `context` is the record's region code, for county short names.
    pub fn parse(raw: &str, context: Option<&str>) -> NameParts {
        let regions = RegionNames::embedded();
        let mut text = fold(raw);
        let mut parts = NameParts::default();

        // A trailing bracket: （薛城店）, （有限公司）, （枣庄）.
        if text.ends_with(')') {
            if let Some(open) = text.rfind('(') {
                let inner = text[open + 1..text.len() - 1].to_owned();
                text.truncate(open);
                if !ORG_FORMS.contains(&inner.as_str()) {
                    parts.branch = Some(branch_place(&inner, regions, context, &mut parts.region));
                }
            }
        }
        // Brackets inside: 悦颜（枣庄）医疗美容 — a region is dropped, anything else unwrapped.
        while let Some(open) = text.find('(') {
            let close = text[open..]
                .find(')')
                .map(|c| open + c)
                .unwrap_or(text.len());
            let inner = text[open + 1..close].to_owned();
            let tail = text.get(close + 1..).unwrap_or("").to_owned();
            text.truncate(open);
            if let Some(code) = regions.meaning(&inner, context) {
                parts.region.get_or_insert_with(|| code.to_owned());
            } else {
                text.push_str(&inner);
            }
            text.push_str(&tail);
        }
        // Unbracketed branch: …有限公司滕州分公司, …美容薛城店.
        if parts.branch.is_none() {
            split_branch(&mut text, &mut parts, regions, context);
        }
        strip_org_forms(&mut text);
        // Region prefixes, possibly several: 山东省枣庄市薛城区.
        while let Some((code, len)) = regions.match_prefix(&text, context) {
            if text[len..].chars().count() < 2 {
                break;
            }
            if parts
                .region
                .as_deref()
                .is_none_or(|r| code.starts_with(r.trim_end_matches('0')))
            {
                parts.region = Some(code.to_owned());
            }
            text.drain(..len);
        }
        strip_org_forms(&mut text);

        parts.beauty_family = BEAUTY_FAMILY.iter().any(|w| text.contains(w));
        let trade_end = trade_end(&text);
        parts.trade = text[..trade_end].to_owned();
        parts.industry = text[trade_end..].to_owned();
        if parts.trade.chars().count() < 2 {
            parts.trade = text.clone();
        }
        parts.core = text;
        parts
    }
}

/// Where the 字号 ends: industry words are taken off the end while at least one character of
/// 字号 is left.
fn trade_end(text: &str) -> usize {
    let mut end = text.len();
    'strip: loop {
        for word in INDUSTRY_WORDS {
            if text[..end].ends_with(word) && end - word.len() > 0 {
                end -= word.len();
                continue 'strip;
            }
        }
        return end;
    }
}

fn strip_org_forms(text: &mut String) {
    'strip: loop {
        for form in ORG_FORMS {
            if text.ends_with(form) && text.len() > form.len() {
                text.truncate(text.len() - form.len());
                continue 'strip;
            }
        }
        return;
    }
}

/// The place of a bracketed branch (薛城店 → 薛城), noting the region it names.
fn branch_place(
    inner: &str,
    regions: &RegionNames,
    context: Option<&str>,
    region: &mut Option<String>,
) -> String {
    let place = BRANCH_MARKERS
        .iter()
        .find_map(|m| inner.strip_suffix(m))
        .filter(|p| !p.is_empty())
        .unwrap_or(inner);
    if let Some(code) = regions.meaning(place, context) {
        *region = Some(code.to_owned());
    }
    place.to_owned()
}

/// …有限公司滕州分公司 → branch 滕州; …美容薛城店 → branch 薛城. Only a region name before the
/// marker makes a branch, since 店 alone ends many names.
fn split_branch(
    text: &mut String,
    parts: &mut NameParts,
    regions: &RegionNames,
    context: Option<&str>,
) {
    for marker in ["分公司", "分店", "店"] {
        let Some(stem) = text.strip_suffix(marker) else {
            continue;
        };
        // The longest region name that ends the stem, leaving something before it.
        let starts: Vec<usize> = stem.char_indices().map(|(i, _)| i).skip(1).collect();
        let found = starts.iter().find_map(|&start| {
            let place = &stem[start..];
            (place.chars().count() <= 8)
                .then(|| regions.meaning(place, context))
                .flatten()
                .map(|code| (start, code))
        });
        if let Some((start, code)) = found {
            parts.region = Some(code.to_owned());
            parts.branch = Some(stem[start..].to_owned());
            text.truncate(start);
        }
        return;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(raw: &str) -> NameParts {
        NameParts::parse(raw, Some("370403"))
    }

    #[test]
    fn registered_name() {
        let p = parse("枣庄市薛城区悦颜医疗美容有限公司");
        assert_eq!(p.trade, "悦颜");
        assert_eq!(p.industry, "医疗美容");
        assert_eq!(p.region.as_deref(), Some("370403"));
        assert!(p.beauty_family);
    }

    #[test]
    fn license_and_shop_names_share_the_trade_name() {
        assert_eq!(parse("悦颜医疗美容门诊部").trade, "悦颜");
        let shop = parse("悦颜醫美（薛城店）");
        assert_eq!(shop.trade, "悦颜");
        assert_eq!(shop.branch.as_deref(), Some("薛城"));
        assert_eq!(shop.region.as_deref(), Some("370403"));
        assert_eq!(parse("悦颜（枣庄）医疗美容有限责任公司").trade, "悦颜");
        assert_eq!(parse("悦颜医疗美容（有限公司）").trade, "悦颜");
    }

    #[test]
    fn branch_office() {
        let p = parse("悦颜医疗美容有限公司滕州分公司");
        assert_eq!(p.trade, "悦颜");
        assert_eq!(p.branch.as_deref(), Some("滕州"));
        assert_eq!(p.region.as_deref(), Some("370481"));
    }

    #[test]
    fn ordinary_business() {
        let p = parse("枣庄鑫华餐饮管理有限公司");
        assert_eq!(p.trade, "鑫华");
        assert_eq!(p.industry, "餐饮管理");
        assert!(!p.beauty_family);
    }

    #[test]
    fn a_name_of_only_region_and_industry_keeps_its_core() {
        let p = parse("薛城区人民医院");
        assert_eq!(p.trade, "人民");
        let q = parse("枣庄市立医院");
        assert!(q.trade.chars().count() >= 2, "{q:?}");
    }
}
