//! Numbers and road addresses found by their form, recorded or not.

use super::names::{is_alnum, is_digit, is_han, marker_at, starts_with_at, Level};
use super::{detected, Candidate, ReplacementKind, MASK};
use crate::uscc::Uscc;

fn halfwidth(c: char) -> char {
    match c {
        '\u{FF10}'..='\u{FF5A}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        c => c,
    }
}

/// GB 11643 check character of an 18-digit 身份证号码.
fn id_check_ok(chars: &[char]) -> bool {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    if chars.len() != 18 {
        return false;
    }
    let mut sum = 0;
    for (c, w) in chars[..17].iter().zip(WEIGHTS) {
        match c.to_digit(10) {
            Some(d) => sum += d * w,
            None => return false,
        }
    }
    CHECK[(sum % 11) as usize] == chars[17].to_ascii_uppercase()
}

/// What a run of letters and digits is, by its form alone.
pub(super) fn classify_run(run: &[char]) -> Option<ReplacementKind> {
    let run: Vec<char> = run.iter().map(|&c| halfwidth(c)).collect();
    let digits = run.iter().filter(|c| c.is_ascii_digit()).count();
    let text: String = run.iter().collect();
    let id_form = run.len() == 18
        && digits >= 17
        && run[..17].iter().all(char::is_ascii_digit)
        && matches!(run[17], '0'..='9' | 'X' | 'x');
    let uscc = run.len() == 18 && Uscc::parse(&text).is_ok();
    if id_form && (id_check_ok(&run) || !uscc) {
        return Some(ReplacementKind::IdNumber);
    }
    if uscc {
        return Some(ReplacementKind::Uscc);
    }
    if run.len() == 11 && digits == 11 && run[0] == '1' && matches!(run[1], '3'..='9') {
        return Some(ReplacementKind::Phone);
    }
    if run.len() >= 12 && digits >= 6 {
        return Some(ReplacementKind::Licence);
    }
    None
}

/// Labels after which a shorter number is masked too.
const LABELS: &[(&str, ReplacementKind)] = &[
    ("联系电话", ReplacementKind::Phone),
    ("电话", ReplacementKind::Phone),
    ("手机号码", ReplacementKind::Phone),
    ("手机", ReplacementKind::Phone),
    ("身份证号码", ReplacementKind::IdNumber),
    ("身份证号", ReplacementKind::IdNumber),
    ("统一社会信用代码", ReplacementKind::Uscc),
    ("执法证号", ReplacementKind::Licence),
    ("执法证件号", ReplacementKind::Licence),
    ("证件号码", ReplacementKind::Licence),
    ("证件号", ReplacementKind::Licence),
    ("证号", ReplacementKind::Licence),
    ("登记号", ReplacementKind::Licence),
    ("注册号", ReplacementKind::Licence),
    ("备案号", ReplacementKind::Licence),
    ("编号", ReplacementKind::Licence),
    ("编码", ReplacementKind::Licence),
    ("代码", ReplacementKind::Licence),
    ("号码", ReplacementKind::Licence),
];

/// The label just before `start` (skipping `：`, `:`, `为`, `是` and spaces), if any.
fn label_before(chars: &[char], start: usize) -> Option<ReplacementKind> {
    let mut i = start;
    let mut skipped = 0;
    while i > 0
        && skipped < 3
        && matches!(chars[i - 1], '：' | ':' | '为' | '是' | ' ' | '\u{3000}')
    {
        i -= 1;
        skipped += 1;
    }
    let before: String = chars[i.saturating_sub(8)..i].iter().collect();
    LABELS
        .iter()
        .find(|(label, _)| before.ends_with(label))
        .map(|(_, kind)| *kind)
}

/// Numbers: each run of letters and digits by its form or its label; fixed telephone numbers
/// (`0575-88137125`).
pub(super) fn detect_runs(chars: &[char], found: &mut Vec<Candidate>) {
    let mut i = 0;
    let mut runs: Vec<(usize, usize)> = Vec::new();
    while i < chars.len() {
        if is_alnum(chars[i]) {
            let start = i;
            while i < chars.len() && is_alnum(chars[i]) {
                i += 1;
            }
            runs.push((start, i));
        } else {
            i += 1;
        }
    }
    for (n, &(start, end)) in runs.iter().enumerate() {
        let run = &chars[start..end];
        let digits = run.iter().filter(|&&c| is_digit(c)).count();
        // 区号-号码.
        if let Some(&(next_start, next_end)) = runs.get(n + 1) {
            let next = &chars[next_start..next_end];
            if next_start == end + 1
                && matches!(chars[end], '-' | '－')
                && (3..=4).contains(&run.len())
                && digits == run.len()
                && halfwidth(run[0]) == '0'
                && (7..=8).contains(&next.len())
                && next.iter().all(|&c| is_digit(c))
            {
                found.push(detected(
                    start,
                    next_end,
                    MASK.into(),
                    ReplacementKind::Phone,
                ));
                continue;
            }
        }
        if let Some(kind) = classify_run(run) {
            found.push(detected(start, end, MASK.into(), kind));
        } else if let Some(kind) = label_before(chars, start) {
            if run.len() >= 6 && digits >= 4 || kind == ReplacementKind::Phone && digits >= 7 {
                found.push(detected(start, end, MASK.into(), kind));
            }
        }
    }
}

/// Characters that end a name going backwards: words around a 文号 or a road name in a
/// sentence (`作出`, `下达`, `位于`, `的`).
const STOPS: &str = "的在于位至到住址及和与或为是从向对将把其该即由以经据按依照并出达了书见送给号";
/// What an enforcement document's 文号 has before its year: 罚 (处罚), 决 (决定), 责 (责令) …
const ENFORCEMENT: &str = "罚处决责告查案立移询勘封扣缴";

fn is_open(c: char) -> bool {
    matches!(c, '〔' | '［' | '[' | '（' | '(' | '【')
}
fn is_close(c: char) -> bool {
    matches!(c, '〕' | '］' | ']' | '）' | ')' | '】')
}

/// 文号 of enforcement documents and court cases: `越卫医罚〔2026〕12号`,
/// `（2026）浙0602刑初12号`.
pub(super) fn detect_decision_numbers(chars: &[char], found: &mut Vec<Candidate>) {
    for i in 0..chars.len() {
        if !is_open(chars[i])
            || i + 6 > chars.len()
            || !chars[i + 1..i + 5].iter().all(|&c| is_digit(c))
            || !is_close(chars[i + 5])
        {
            continue;
        }
        let mut j = i + 6;
        let mut has_digit = false;
        let mut court = false;
        let mut end = None;
        while j < chars.len() && j < i + 6 + 16 {
            let c = chars[j];
            if c == '号' {
                if has_digit {
                    end = Some(j + 1);
                }
                break;
            }
            if is_digit(c) {
                has_digit = true;
            } else if is_han(c) {
                court |= c != '第';
            } else {
                break;
            }
            j += 1;
        }
        let Some(end) = end else { continue };
        let mut start = i;
        while start > 0
            && i - start < 12
            && is_han(chars[start - 1])
            && !STOPS.contains(chars[start - 1])
        {
            start -= 1;
        }
        let prefix: String = chars[start..i].iter().collect();
        if court || prefix.is_empty() || prefix.chars().any(|c| ENFORCEMENT.contains(c)) {
            found.push(detected(
                start,
                end,
                MASK.into(),
                ReplacementKind::DecisionNo,
            ));
        }
    }
}

const ROADS: &[&str] = &["大道", "大街", "路", "街", "巷", "弄", "村"];
/// Characters that end a road name going backwards: the stops and the places before it.
const ROAD_STOPS: &str = "省市区县镇乡旗州";

/// A road and house number (`解放北路88号`, with `2幢301室` after it) → `某路某号`.
pub(super) fn detect_roads(chars: &[char], found: &mut Vec<Candidate>) {
    for i in 1..chars.len() {
        let Some(road) = ROADS.iter().find(|r| starts_with_at(chars, i, r)) else {
            continue;
        };
        let mut j = i + road.chars().count();
        let digits_start = j;
        while j < chars.len() && (is_digit(chars[j]) || matches!(chars[j], '-' | '－')) {
            j += 1;
        }
        if j == digits_start || chars.get(j) != Some(&'号') {
            continue;
        }
        let mut end = j + 1;
        // Building, unit, floor and room after the number.
        loop {
            let mut k = end;
            while k < chars.len() && (is_alnum(chars[k]) || matches!(chars[k], '-' | '－')) {
                k += 1;
            }
            match marker_at(chars, k, &[Level::Unit]) {
                Some((m, _)) if k > end => end = k + m.chars().count(),
                _ => break,
            }
        }
        let mut start = i;
        while start > 0
            && i - start < 8
            && is_han(chars[start - 1])
            && !STOPS.contains(chars[start - 1])
            && !ROAD_STOPS.contains(chars[start - 1])
        {
            start -= 1;
        }
        if start < i {
            found.push(detected(
                start,
                end,
                format!("某{road}某号"),
                ReplacementKind::Address,
            ));
        }
    }
}
