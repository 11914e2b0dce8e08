//! Names, places and addresses as published: a person by surname + 某, an organisation by
//! 某 + its kind, an authority by 某 + its level, an address by 某 + each part's marker.

/// Two-character surnames, so that `欧阳娜娜` reads `欧阳某`.
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "钟离", "端木", "申屠", "澹台", "太史", "南宫", "西门", "呼延", "独孤",
    "万俟", "闻人", "赫连", "拓跋", "百里", "东郭", "公羊", "濮阳", "左丘", "第五",
];

/// A person's name as published: surname + 某 (`张三` → `张某`, `欧阳娜娜` → `欧阳某`).
pub fn anonymise_person(name: &str) -> String {
    let name = name.trim();
    let surname = COMPOUND_SURNAMES
        .iter()
        .find(|s| name.starts_with(*s) && name.chars().count() > 2)
        .map(|s| s.to_string())
        .or_else(|| name.chars().next().map(String::from))
        .unwrap_or_default();
    if name.chars().count() < 2 {
        return "某".to_string();
    }
    format!("{surname}某")
}

/// An enforcing body as published: its places replaced by 某 + the last place's level
/// (`绍兴市越城区卫生健康局` → `某区卫生健康局`, `浙江省卫生健康委员会` → `某省卫生健康委员会`).
pub fn anonymise_authority(name: &str) -> String {
    let name = name.trim();
    let (segments, rest) = division_prefix(name);
    match segments.last() {
        Some(last) => format!("某{}{rest}", last.marker),
        None => format!("某{name}"),
    }
}

/// Words that begin the kind of an organisation after its places and 字号, longest first where
/// one begins another.
const ORG_KEYWORDS: &[&str] = &[
    "医疗美容",
    "医学美容",
    "整形",
    "美容",
    "美体",
    "美发",
    "美甲",
    "美妆",
    "美业",
    "皮肤",
    "口腔",
    "齿科",
    "牙科",
    "中医",
    "医院",
    "门诊部",
    "门诊",
    "诊所",
    "卫生室",
    "医务室",
    "医药",
    "大药房",
    "药房",
    "药店",
    "生物",
    "科技",
    "健康",
    "养生",
    "保健",
    "理疗",
    "会所",
    "工作室",
    "化妆品",
    "贸易",
    "商贸",
    "商行",
    "文化",
    "传媒",
    "网络",
    "信息",
    "咨询",
    "管理",
    "服务",
    "实业",
    "投资",
    "集团",
    "有限责任公司",
    "股份有限公司",
    "有限公司",
    "中心",
];
/// One-character kinds, looked for only when no word above is found.
const ORG_KEYWORDS_SHORT: &[&str] = &["馆", "店", "院", "部", "厂", "社", "坊"];

pub(super) fn starts_with_at(chars: &[char], at: usize, word: &str) -> bool {
    word.chars()
        .enumerate()
        .all(|(j, w)| chars.get(at + j) == Some(&w))
}

/// Where the kind of an organisation begins in its name (after its places).
pub(super) fn org_keyword(chars: &[char]) -> Option<usize> {
    for words in [ORG_KEYWORDS, ORG_KEYWORDS_SHORT] {
        let found = (0..chars.len()).find(|&i| words.iter().any(|w| starts_with_at(chars, i, w)));
        if found.is_some() {
            return found;
        }
    }
    None
}

/// An organisation as published: 某 + its kind (`绍兴市越城区美丽人生医疗美容诊所` →
/// `某医疗美容诊所`); `某单位` when its kind cannot be told.
pub fn anonymise_organisation(name: &str) -> String {
    let (_, rest) = division_prefix(name.trim());
    let chars: Vec<char> = rest.chars().collect();
    match org_keyword(&chars) {
        Some(k) => format!("某{}", chars[k..].iter().collect::<String>()),
        None => "某单位".to_string(),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Level {
    /// 省, 市, 区, 县, 镇 …
    Division,
    /// 路, 街, 村, 小区 …
    Street,
    /// 号, 幢, 楼, 室 …
    Unit,
}

const DIVISIONS: &[&str] = &[
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "街道",
    "省",
    "市",
    "州",
    "盟",
    "区",
    "县",
    "旗",
    "镇",
    "乡",
];
const STREETS: &[&str] = &[
    "大道", "大街", "胡同", "社区", "小区", "花园", "大厦", "广场", "路", "街", "巷", "弄", "村",
    "组",
];
const UNITS: &[&str] = &["号楼", "单元", "号", "幢", "栋", "楼", "层", "室", "铺"];

/// A place name and its level marker (`越城区`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Segment {
    pub(super) text: String,
    pub(super) marker: &'static str,
    pub(super) level: Level,
}

/// The longest marker of `levels` at `at`.
pub(super) fn marker_at(
    chars: &[char],
    at: usize,
    levels: &[Level],
) -> Option<(&'static str, Level)> {
    let mut best: Option<(&'static str, Level)> = None;
    for (words, level) in [
        (DIVISIONS, Level::Division),
        (STREETS, Level::Street),
        (UNITS, Level::Unit),
    ] {
        if !levels.contains(&level) {
            continue;
        }
        for w in words {
            if starts_with_at(chars, at, w)
                && best.is_none_or(|(b, _)| w.chars().count() > b.chars().count())
            {
                best = Some((w, level));
            }
        }
    }
    best
}

pub(super) fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{20000}'..='\u{2FFFF}')
}

/// A letter or digit, half- or full-width.
pub(super) fn is_alnum(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(c, '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}')
}

pub(super) fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '\u{FF10}'..='\u{FF19}')
}

/// Splits the leading place names of `text` into segments, each a name of one to
/// `max_name` characters followed by a marker of `levels`; the rest is returned as it is.
fn segments(text: &str, levels: &[Level], max_name: usize) -> (Vec<Segment>, String) {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut pos = 0;
    'segments: while pos < chars.len() {
        for k in pos + 1..chars.len().min(pos + max_name + 1) {
            let c = chars[k - 1];
            if !(is_han(c) || is_alnum(c) || matches!(c, '-' | '－')) {
                break 'segments;
            }
            if let Some((marker, level)) = marker_at(&chars, k, levels) {
                let mut end = k + marker.chars().count();
                // 杭州市, 宁乡市: a one-character place marker that begins the next marker.
                if matches!(marker, "州" | "乡" | "镇" | "盟") && level == Level::Division {
                    if let Some((next, Level::Division)) = marker_at(&chars, end, levels) {
                        if next.chars().count() == 1 {
                            end += 1;
                            out.push(Segment {
                                text: chars[pos..end].iter().collect(),
                                marker: next,
                                level,
                            });
                            pos = end;
                            continue 'segments;
                        }
                    }
                }
                out.push(Segment {
                    text: chars[pos..end].iter().collect(),
                    marker,
                    level,
                });
                pos = end;
                continue 'segments;
            }
        }
        break;
    }
    (out, chars[pos..].iter().collect())
}

/// The places at the start of a name (`绍兴市`, `越城区`) and the rest (`卫生健康局`).
pub(super) fn division_prefix(name: &str) -> (Vec<Segment>, String) {
    segments(name, &[Level::Division], 8)
}

pub(super) fn address_segments(address: &str) -> (Vec<Segment>, String) {
    segments(address, &[Level::Division, Level::Street, Level::Unit], 12)
}

/// 某 + marker for each part, down to the first house number or building part.
pub(super) fn anonymised_segments(segments: &[Segment]) -> String {
    let mut out = String::new();
    for s in segments {
        out.push('某');
        out.push_str(s.marker);
        if s.level == Level::Unit {
            break;
        }
    }
    out
}

/// An address as published: `绍兴市越城区解放北路88号2楼201室` → `某市某区某路某号`; `某地` when
/// no part of it is recognised.
pub fn anonymise_address(address: &str) -> String {
    let (segments, _) = address_segments(address.trim());
    if segments.is_empty() {
        return "某地".to_string();
    }
    anonymised_segments(&segments)
}
