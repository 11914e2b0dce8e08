//! 技术处理 of a typical case (seed `003`, attachment 2, 注: “涉及执法主体、管理相对人和当事人的
//! 姓名名称、地址、资历证明等信息时，应作技术处理”): every name, address and number of the
//! enforcing body, its officers and the parties is replaced, and each replacement is listed for
//! the officer to review before the case is handed up.
//!
//! What is replaced:
//! - from the case record: the authority's name and its shorter forms (`越城区卫生健康局`,
//!   `越城区卫健局`) → `某区卫生健康局` (`某区卫健局`), its places (`绍兴市` → `某市`); each
//!   officer → `执法人员甲`, `执法人员乙` …; a person → surname + 某 (`张三` → `张某`; two of
//!   one surname `张某甲`, `张某乙`); an organisation → 某 + its kind (`美丽人生医疗美容诊所` →
//!   `某医疗美容诊所`), and its 字号 alone → `某`; an address, whole or in part →
//!   `某市某区某路某号`; the parties' certificate numbers and the decision numbers → [`MASK`];
//! - found by their form, recorded or not: 统一社会信用代码 (checked with [`crate::uscc`]),
//!   18-digit 身份证号码, mobile and fixed telephone numbers, runs of 12 or more letters and digits
//!   (licence, practising-certificate and registration numbers), a number after a label such as
//!   `登记号：`, the 文号 of an enforcement document (`越卫医罚〔2026〕12号`, a court's
//!   `（2026）浙0602刑初12号`; a normative document such as `国卫医发〔2020〕18号` is kept), and a
//!   road address (`解放北路88号2楼` → `某路某号`).
//!
//! The text is scanned once, left to right, and at each place the longest match wins, so a
//! replacement is never itself replaced and anonymising twice changes nothing more.

use serde::{Deserialize, Serialize};

use super::{Part, TypicalCase, TypicalCaseInput};
use crate::case::PartyKind;

mod detect;
mod names;

use detect::{classify_run, detect_decision_numbers, detect_roads, detect_runs};
use names::{address_segments, anonymised_segments, division_prefix, org_keyword, Level, Segment};
pub use names::{anonymise_address, anonymise_authority, anonymise_organisation, anonymise_person};

/// What a number is replaced with.
pub const MASK: &str = "****";

/// What a replaced text was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplacementKind {
    Authority,
    Officer,
    Party,
    Place,
    Address,
    Uscc,
    IdNumber,
    Licence,
    DecisionNo,
    Phone,
}

impl ReplacementKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            ReplacementKind::Authority => "执法机关名称",
            ReplacementKind::Officer => "执法人员姓名",
            ReplacementKind::Party => "当事人姓名或名称",
            ReplacementKind::Place => "地名",
            ReplacementKind::Address => "地址",
            ReplacementKind::Uscc => "统一社会信用代码",
            ReplacementKind::IdNumber => "身份证号码",
            ReplacementKind::Licence => "证照编号",
            ReplacementKind::DecisionNo => "文书文号",
            ReplacementKind::Phone => "电话号码",
        }
    }
}

/// One replaced text in one part, for the officer to review: where, what it was, what it
/// became, and the character offsets in the replaced text where each occurrence of
/// `replacement` now begins.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replacement {
    pub part: Part,
    pub kind: ReplacementKind,
    pub original: String,
    pub replacement: String,
    pub positions: Vec<usize>,
}

/// A case after [`anonymise`], with what was replaced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anonymised {
    pub case: TypicalCase,
    pub replacements: Vec<Replacement>,
}

/// Replaces the names, addresses and numbers of `input` (and those found by their form) in
/// every part of `case`.
pub fn anonymise(case: &TypicalCase, input: &TypicalCaseInput) -> Anonymised {
    Anonymiser::new(input).case(case)
}

/// A recorded text to replace.
#[derive(Clone, Debug)]
struct Name {
    text: Vec<char>,
    replacement: String,
    kind: ReplacementKind,
}

/// The replacements known from one case record; [`Anonymiser::text`] applies them with the
/// detectors of numbers and addresses.
#[derive(Clone, Debug, Default)]
pub struct Anonymiser {
    names: Vec<Name>,
}

const OFFICER_PREFIX: &str = "执法人员";

/// How the names of authorities are shortened in writing (`越城区卫健局`, `柯桥区市监局`).
const AUTHORITY_SHORT_FORMS: [(&str, &str); 4] = [
    ("卫生健康委员会", "卫健委"),
    ("卫生健康", "卫健"),
    ("市场监督管理", "市场监管"),
    ("市场监督管理", "市监"),
];
const ORDINALS: [char; 10] = ['甲', '乙', '丙', '丁', '戊', '己', '庚', '辛', '壬', '癸'];

fn ordinal(i: usize) -> String {
    ORDINALS
        .get(i)
        .map_or_else(|| (i + 1).to_string(), |c| c.to_string())
}

impl Anonymiser {
    pub fn new(input: &TypicalCaseInput) -> Self {
        let mut a = Anonymiser::default();
        // The authority: its full name, each shorter form at a place boundary, its places.
        let authority = input.authority.trim();
        if !authority.is_empty() {
            let replacement = anonymise_authority(authority);
            let (segments, rest) = division_prefix(authority);
            let mut forms = vec![authority.to_string()];
            for i in 1..segments.len() {
                let short: String = segments[i..].iter().map(|s| s.text.as_str()).collect();
                if !rest.is_empty() {
                    forms.push(short + &rest);
                }
            }
            for form in forms {
                for (long, short) in AUTHORITY_SHORT_FORMS {
                    if form.contains(long) {
                        a.add(
                            &form.replace(long, short),
                            &replacement.replace(long, short),
                            ReplacementKind::Authority,
                        );
                    }
                }
                a.add(&form, &replacement, ReplacementKind::Authority);
            }
            a.add_places(&segments);
        }
        for (i, officer) in input.officers.iter().enumerate() {
            let replacement = format!("{OFFICER_PREFIX}{}", ordinal(i));
            a.add(officer.trim(), &replacement, ReplacementKind::Officer);
        }
        // Parties: the recorded ones, then any other name an action is against.
        let mut parties: Vec<(PartyKind, &str)> = input
            .parties
            .iter()
            .map(|p| (p.kind, p.name.trim()))
            .collect();
        for action in &input.actions {
            if let Some(name) = action.party.as_deref().map(str::trim) {
                if !parties.iter().any(|(_, n)| *n == name) {
                    let kind = if org_keyword(&name.chars().collect::<Vec<_>>()).is_some() {
                        PartyKind::Organisation
                    } else {
                        PartyKind::Person
                    };
                    parties.push((kind, name));
                }
            }
        }
        a.add_persons(
            parties
                .iter()
                .filter(|(k, _)| *k == PartyKind::Person)
                .map(|(_, n)| *n),
        );
        for (_, name) in parties
            .iter()
            .filter(|(k, _)| *k == PartyKind::Organisation)
        {
            a.add_organisation(name, authority);
        }
        for p in &input.parties {
            if let Some(id) = p.id_number.as_deref().map(str::trim) {
                let chars: Vec<char> = id.chars().collect();
                let kind = classify_run(&chars).unwrap_or(match p.kind {
                    PartyKind::Organisation => ReplacementKind::Licence,
                    PartyKind::Person => ReplacementKind::IdNumber,
                });
                a.add(id, MASK, kind);
            }
            if let Some(address) = p.address.as_deref().map(str::trim) {
                a.add_address(address);
            }
        }
        for action in &input.actions {
            a.add(action.decision_no.trim(), MASK, ReplacementKind::DecisionNo);
        }
        a
    }

    /// Adds a recorded text unless it is too short to be anything but noise or is known already.
    fn add(&mut self, text: &str, replacement: &str, kind: ReplacementKind) {
        let chars: Vec<char> = text.chars().collect();
        if chars.len() < 2 || text == replacement || self.names.iter().any(|n| n.text == chars) {
            return;
        }
        self.names.push(Name {
            text: chars,
            replacement: replacement.to_string(),
            kind,
        });
    }

    /// Named places of at least two characters before the marker (`绍兴市`, not `东区`).
    fn add_places(&mut self, segments: &[Segment]) {
        for s in segments
            .iter()
            .filter(|s| s.level == Level::Division && s.text.chars().count() >= 3)
        {
            self.add(&s.text, &format!("某{}", s.marker), ReplacementKind::Place);
        }
    }

    /// Persons: surname + 某, with 甲, 乙 … when two persons would read the same.
    fn add_persons<'a>(&mut self, names: impl Iterator<Item = &'a str>) {
        let mut distinct: Vec<&str> = Vec::new();
        for n in names {
            if !n.is_empty() && !distinct.contains(&n) {
                distinct.push(n);
            }
        }
        let plain: Vec<String> = distinct.iter().map(|n| anonymise_person(n)).collect();
        for (i, name) in distinct.iter().enumerate() {
            let same: Vec<usize> = (0..plain.len()).filter(|&j| plain[j] == plain[i]).collect();
            let replacement = if same.len() > 1 {
                let k = same.iter().position(|&j| j == i).unwrap_or(0);
                format!("{}{}", plain[i], ordinal(k))
            } else {
                plain[i].clone()
            };
            self.add(name, &replacement, ReplacementKind::Party);
        }
    }

    /// An organisation: its full name, the name without its places, its 字号 alone, its places.
    fn add_organisation(&mut self, name: &str, authority: &str) {
        let replacement = anonymise_organisation(name);
        self.add(name, &replacement, ReplacementKind::Party);
        let (segments, rest) = division_prefix(name);
        if !segments.is_empty() {
            self.add(&rest, &replacement, ReplacementKind::Party);
        }
        let rest_chars: Vec<char> = rest.chars().collect();
        if let Some(k) = org_keyword(&rest_chars) {
            let trade: String = rest_chars[..k].iter().collect();
            if trade.chars().count() >= 2 && !authority.contains(&trade) {
                self.add(&trade, "某", ReplacementKind::Party);
            }
        }
        self.add_places(&segments);
    }

    /// An address: whole, and every run of its parts that names a street or a building.
    fn add_address(&mut self, address: &str) {
        let (segments, rest) = address_segments(address);
        self.add(
            address,
            &anonymise_address(address),
            ReplacementKind::Address,
        );
        for i in 0..segments.len() {
            for j in i + 1..=segments.len() {
                let run = &segments[i..j];
                if !run.iter().any(|s| s.level == Level::Street) {
                    continue;
                }
                let text: String = run.iter().map(|s| s.text.as_str()).collect();
                let replacement = anonymised_segments(run);
                self.add(&text, &replacement, ReplacementKind::Address);
                if j == segments.len() && !rest.is_empty() {
                    self.add(&(text + &rest), &replacement, ReplacementKind::Address);
                }
            }
        }
        self.add_places(&segments);
    }

    /// Every part of `case` replaced, with the list of replacements.
    pub fn case(&self, case: &TypicalCase) -> Anonymised {
        let mut out = TypicalCase::default();
        let mut replacements = Vec::new();
        for part in Part::ALL {
            let (text, found) = self.text(part, case.part(part));
            *out.part_mut(part) = text;
            replacements.extend(found);
        }
        Anonymised {
            case: out,
            replacements,
        }
    }

    /// `text` replaced, with the replacements made (all marked as in `part`).
    pub fn text(&self, part: Part, text: &str) -> (String, Vec<Replacement>) {
        let chars: Vec<char> = text.chars().collect();
        let mut found: Vec<Candidate> = Vec::new();
        for name in &self.names {
            let n = name.text.len();
            if n == 0 || n > chars.len() {
                continue;
            }
            for start in 0..=chars.len() - n {
                if chars[start..start + n] == name.text[..] {
                    found.push(Candidate {
                        start,
                        end: start + n,
                        replacement: name.replacement.clone(),
                        kind: name.kind,
                        rank: 0,
                    });
                }
            }
        }
        detect_runs(&chars, &mut found);
        detect_decision_numbers(&chars, &mut found);
        detect_roads(&chars, &mut found);
        found.sort_by_key(|c| (c.start, std::cmp::Reverse(c.end), c.rank, c.kind));

        let mut out = String::with_capacity(text.len());
        let mut out_chars = 0;
        let mut at = 0;
        let mut replacements: Vec<Replacement> = Vec::new();
        for c in found {
            if c.start < at {
                continue;
            }
            out.extend(&chars[at..c.start]);
            out_chars += c.start - at;
            let written = match c.replacement.strip_prefix(OFFICER_PREFIX) {
                // `执法人员王五` reads `执法人员甲`, not `执法人员执法人员甲`.
                Some(letter)
                    if c.kind == ReplacementKind::Officer && out.ends_with(OFFICER_PREFIX) =>
                {
                    letter
                }
                _ => c.replacement.as_str(),
            };
            let original: String = chars[c.start..c.end].iter().collect();
            // Where the replacement reads in full (an officer's title may stand before).
            let position = out_chars + written.chars().count() - c.replacement.chars().count();
            match replacements.iter_mut().find(|r| {
                r.kind == c.kind && r.original == original && r.replacement == c.replacement
            }) {
                Some(r) => r.positions.push(position),
                None => replacements.push(Replacement {
                    part,
                    kind: c.kind,
                    original,
                    replacement: c.replacement.clone(),
                    positions: vec![position],
                }),
            }
            out.push_str(written);
            out_chars += written.chars().count();
            at = c.end;
        }
        out.extend(&chars[at..]);
        (out, replacements)
    }
}

/// A place to replace in a text, by character offsets.
#[derive(Clone, Debug)]
struct Candidate {
    start: usize,
    end: usize,
    replacement: String,
    kind: ReplacementKind,
    /// Recorded names (0) before detected forms (1) when both cover the same text.
    rank: u8,
}

fn detected(start: usize, end: usize, replacement: String, kind: ReplacementKind) -> Candidate {
    Candidate {
        start,
        end,
        replacement,
        kind,
        rank: 1,
    }
}
