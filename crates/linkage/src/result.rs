//! The rows of `result.csv` (证照比对结果), DATA.md's output contract: 来源, 记录键, 主体编号,
//! 分类, then the evidence behind each record's link.

use rayon::prelude::*;

use crate::input::InputRecord;
use crate::Linkage;

/// The header: DATA.md's four columns, then ours.
pub const HEADER: [&str; 7] = [
    "来源",
    "记录键",
    "主体编号",
    "分类",
    "置信度",
    "依据",
    "说明",
];

/// One output row.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultRow {
    pub source: &'static str,
    pub key: String,
    pub operator_id: String,
    /// Empty for an operator outside medical aesthetics.
    pub class: &'static str,
    /// The probability of the link that joined this record to its operator (1 for a record
    /// alone, or the first of its operator).
    pub confidence: f64,
    /// That link's evidence in Chinese.
    pub evidence: String,
    /// 说明: public institution, or no usable name and code.
    pub note: String,
}

impl ResultRow {
    /// The row as CSV fields, in [`HEADER`] order.
    pub fn fields(&self) -> [String; 7] {
        [
            self.source.to_owned(),
            self.key.clone(),
            self.operator_id.clone(),
            self.class.to_owned(),
            format!("{:.3}", self.confidence),
            self.evidence.clone(),
            self.note.clone(),
        ]
    }
}

/// 说明 of a row: a record listed alone for want of a name and code, or a public-sector
/// institution (事业单位 …) that holds no 营业执照 by law.
pub fn note_zh(unusable: bool, public_kind: Option<&str>) -> String {
    if unusable {
        "无可用名称和代码，单独列出".to_owned()
    } else if let Some(kind) = public_kind {
        format!("{kind}，不办理营业执照，非无照经营")
    } else {
        String::new()
    }
}

impl Linkage {
    /// One row per input record, in input order.
    pub fn result_rows(&self, records: &[InputRecord]) -> Vec<ResultRow> {
        self.result_rows_of(records, 0..records.len(), &self.best_links())
    }

    /// The rows of the records in `range`, for writing a large result in chunks; `best` is
    /// [`Linkage::best_links`].
    pub fn result_rows_of(
        &self,
        records: &[InputRecord],
        range: std::ops::Range<usize>,
        best: &[Option<crate::Link>],
    ) -> Vec<ResultRow> {
        let start = range.start;
        records[range]
            .par_iter()
            .enumerate()
            .map(|(offset, record)| {
                let i = start + offset;
                let operator = self.operator(i as u32);
                let (confidence, evidence) = match best[i] {
                    Some(link) => (link.probability, self.evidence_zh(link.a, link.b)),
                    None => (1.0, String::new()),
                };
                let note = note_zh(
                    operator.unusable,
                    operator.verdict.public_institution.map(|k| k.label_zh()),
                );
                ResultRow {
                    source: record.source.code(),
                    key: record.key.clone(),
                    operator_id: operator.id.clone(),
                    class: operator.verdict.class.map(|c| c.label_zh()).unwrap_or(""),
                    confidence,
                    evidence,
                    note,
                }
            })
            .collect()
    }
}
