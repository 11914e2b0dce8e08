//! 典型案例: a closed case written up in the format of seed `003_27dc04dedaa30c7b.txt`
//! attachment 2 (典型案例格式) — 案例名称, then 【案情介绍】, 【案件评析】 and 【思考建议】; at most
//! 1,200 characters (“案例字数限定在 1200 字”); and the names, addresses and certificates of the
//! enforcing body, the parties and the persons concerned “应作技术处理” ([`anonymise`]).
//!
//! [`prefill`] drafts the 案情介绍 from what the case record knows, in the order the seed lists
//! (受理情况, 调查经过, 主要证据, 适用的法律法规, 处罚决定及履行情况, 另案处理结果); the officer
//! then edits it and writes the 评析 and the 建议, which are left empty ([`Part::guide`] gives
//! the seed's own instructions for each part, for a form to show beside the field).
//!
//! Pure: no I/O, no clock; the dates come from the input.

mod anonymise;
mod prefill;

use serde::{Deserialize, Serialize};
use time::Date;

use super::PartyKind;
use crate::lead::Fen;

pub use anonymise::{
    anonymise, anonymise_address, anonymise_authority, anonymise_organisation, anonymise_person,
    Anonymised, Anonymiser, Replacement, ReplacementKind, MASK,
};
pub use prefill::{amount_zh, date_zh, prefill};

/// The most characters a typical case may have (seed `003`, attachment 2, 注).
pub const MAX_CHARS: usize = 1_200;

/// A case as the store knows it: what [`prefill`] writes from and what [`anonymise`] hides.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypicalCaseInput {
    /// 案件名称.
    pub title: String,
    /// 案件类别, as labelled (e.g. `无证行医`).
    pub category: String,
    /// 案件来源, as labelled (e.g. `投诉举报`, see [`super::CaseOrigin`]).
    pub origin: String,
    /// 立案日期.
    pub filed_on: Option<Date>,
    /// 执法机关, in full (e.g. `绍兴市越城区卫生健康局`).
    pub authority: String,
    /// 执法人员.
    pub officers: Vec<String>,
    /// 当事人.
    pub parties: Vec<TypicalParty>,
    /// 违法行为 and the facts found.
    pub facts: String,
    /// The evidence, as file names (`现场检查笔录.pdf`).
    pub evidence: Vec<String>,
    /// 法律依据.
    pub bases: Vec<TypicalBasis>,
    /// 处罚决定, one action each.
    pub actions: Vec<TypicalAction>,
    /// 执行 and 结案: how the decision was carried out (履行情况).
    pub execution: Option<String>,
    /// 另案处理结果: what the police, the procuratorate or a court did with a related case.
    pub related_outcome: Option<String>,
}

/// A party (当事人) of the case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypicalParty {
    pub kind: PartyKind,
    pub name: String,
    /// 统一社会信用代码 for an organisation, 身份证号码 for a person.
    pub id_number: Option<String>,
    pub address: Option<String>,
}

/// One provision applied (法律依据).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypicalBasis {
    /// The law, with or without 《》.
    pub law: String,
    /// `第九十九条`.
    pub article: String,
    /// What the provision is about (`未取得医疗机构执业许可证擅自执业`); may be empty.
    pub content: String,
}

/// One action of the decision (处罚决定).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypicalAction {
    /// 处罚种类, as labelled (`罚款`, `警告`, `移送司法机关`; see [`super::PenaltyKind`]).
    pub kind: String,
    /// For 罚款 and 没收违法所得.
    pub amount: Option<Fen>,
    pub decided_on: Option<Date>,
    /// 决定书文号.
    pub decision_no: String,
    /// The party it is against, by name as in [`TypicalCaseInput::parties`]; `None` when the
    /// case has one party or it does not matter.
    pub party: Option<String>,
}

/// A part of a typical case: its name and the three sections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// 案例名称.
    Title,
    /// 【案情介绍】.
    Intro,
    /// 【案件评析】.
    Analysis,
    /// 【思考建议】.
    Suggestions,
}

impl Part {
    pub const ALL: [Part; 4] = [Part::Title, Part::Intro, Part::Analysis, Part::Suggestions];
    /// The three sections, in the seed's order.
    pub const SECTIONS: [Part; 3] = [Part::Intro, Part::Analysis, Part::Suggestions];

    pub fn label_zh(self) -> &'static str {
        match self {
            Part::Title => "案例名称",
            Part::Intro => "案情介绍",
            Part::Analysis => "案件评析",
            Part::Suggestions => "思考建议",
        }
    }

    /// The heading as printed, `【案情介绍】`; empty for the title, which is printed alone.
    pub fn heading(self) -> &'static str {
        match self {
            Part::Title => "",
            Part::Intro => "【案情介绍】",
            Part::Analysis => "【案件评析】",
            Part::Suggestions => "【思考建议】",
        }
    }

    /// The seed's instruction (说明) for a section, for a form to show beside the field; for
    /// the name, which the seed gives none, ours.
    pub fn guide(self) -> &'static str {
        match self {
            Part::Title => "案例名称应简明概括案件性质，不出现当事人的真实姓名或名称。",
            Part::Intro => "案情介绍应是对案情过程的描述，包括案件受理情况、调查经过、取得的主要证据、适用的法律法规、下达的行政处罚决定及履行情况等内容，涉及另案处理的也需描述结果。撰写时要把握案情过程的先后次序，做到通俗易懂，层次清楚，重点突出，详略得当。",
            Part::Analysis => "案件评析是在案情介绍的基础上，对案件办理过程进行分析与总结。撰写时应当把握案件的重点与难点，突出办案过程中值得借鉴与参考的部分，从法理、事理、情理等方面有针对性地展开评述，杜绝或尽量减少自我肯定式的泛泛评价。",
            Part::Suggestions => "思考建议应当有较强的思想性和说服力，以引发读者进行深入思考。可以结合案例存在问题，对相关法律、法规、司法解释、政策精神进行分析，提出建议；可以将案件体现出的个性问题归纳为普遍的共性问题；可以围绕案件争议焦点或分歧意见，进行比较论述；可以指出案件办理中的瑕疵并提出建议等。对法条的引用可采取链接形式。",
        }
    }
}

/// A typical case as written: the name and the three sections. A section's paragraphs are
/// separated by line breaks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypicalCase {
    pub title: String,
    pub intro: String,
    pub analysis: String,
    pub suggestions: String,
}

impl TypicalCase {
    pub fn part(&self, part: Part) -> &str {
        match part {
            Part::Title => &self.title,
            Part::Intro => &self.intro,
            Part::Analysis => &self.analysis,
            Part::Suggestions => &self.suggestions,
        }
    }

    pub fn part_mut(&mut self, part: Part) -> &mut String {
        match part {
            Part::Title => &mut self.title,
            Part::Intro => &mut self.intro,
            Part::Analysis => &mut self.analysis,
            Part::Suggestions => &mut self.suggestions,
        }
    }

    /// The three sections as (heading as printed, body), in order: what a document writer
    /// lays out under the title.
    pub fn sections(&self) -> [(&'static str, &str); 3] {
        Part::SECTIONS.map(|p| (p.heading(), self.part(p)))
    }
}

/// Why a typical case is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TypicalCaseError {
    #[error("案例共 {count} 字（含案例名称、小标题和标点符号），超过 {MAX_CHARS} 字的限定，请删减 {} 字", count - MAX_CHARS)]
    TooLong { count: usize },
    #[error("请填写{}", .0.label_zh())]
    Empty(Part),
}

/// How the seed's “字数” is counted here: every character is one — a Chinese character, a
/// punctuation mark (full- or half-width), an ASCII letter or digit alike — and white space
/// (spaces, line breaks, the full-width space) is not counted. Counting each digit of `2026`
/// as one is never fewer than a word processor's 字数, which counts the number as one word,
/// so a case within the limit here is within it there too.
pub fn count_chars(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// The length of the whole case as the seed limits it (“案例字数”): the name, the three printed
/// headings and the three sections, by [`count_chars`].
pub fn length(case: &TypicalCase) -> usize {
    Part::ALL
        .iter()
        .map(|&p| count_chars(p.heading()) + count_chars(case.part(p)))
        .sum()
}

/// Refuses a case over [`MAX_CHARS`], naming its length; returns the length otherwise. For a
/// draft: the parts may still be empty.
pub fn check_length(case: &TypicalCase) -> Result<usize, TypicalCaseError> {
    let count = length(case);
    if count > MAX_CHARS {
        return Err(TypicalCaseError::TooLong { count });
    }
    Ok(count)
}

/// Refuses a case that cannot be handed up: a part left empty, or over [`MAX_CHARS`].
pub fn check(case: &TypicalCase) -> Result<usize, TypicalCaseError> {
    if let Some(&part) = Part::ALL.iter().find(|&&p| case.part(p).trim().is_empty()) {
        return Err(TypicalCaseError::Empty(part));
    }
    check_length(case)
}

#[cfg(test)]
mod tests;
