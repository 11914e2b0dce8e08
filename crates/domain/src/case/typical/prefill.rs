//! The 案情介绍 drafted from the case record, in the seed's order (`003`, attachment 2: 案件受理
//! 情况、调查经过、取得的主要证据、适用的法律法规、下达的行政处罚决定及履行情况, 另案处理的结果).

use time::Date;

use super::{TypicalAction, TypicalCase, TypicalCaseInput, TypicalParty};
use crate::case::{PartyKind, PenaltyKind};
use crate::lead::Fen;

/// The 案情介绍 drafted from the case record, one paragraph for each of the seed's elements the
/// record has (an element with nothing recorded is left out): the officer edits it. The name is
/// the case's title; 评析 and 建议 are left empty for the officer. Names and numbers are
/// written as recorded: [`super::anonymise`] hides them.
pub fn prefill(input: &TypicalCaseInput) -> TypicalCase {
    let paragraphs = [
        acceptance(input),
        investigation(input),
        evidence(input),
        bases(input),
        decision(input),
        related(input),
    ];
    TypicalCase {
        title: input.title.trim().to_string(),
        intro: paragraphs
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("\n"),
        analysis: String::new(),
        suggestions: String::new(),
    }
}

fn authority(input: &TypicalCaseInput) -> &str {
    match input.authority.trim() {
        "" => "执法机关",
        a => a,
    }
}

/// `2026年3月5日`.
pub fn date_zh(date: Date) -> String {
    format!(
        "{}年{}月{}日",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// `人民币5000元`, `人民币1234.50元`.
pub fn amount_zh(amount: Fen) -> String {
    let (yuan, fen) = (amount.0 / 100, (amount.0 % 100).abs());
    if fen == 0 {
        format!("人民币{yuan}元")
    } else {
        format!("人民币{yuan}.{fen:02}元")
    }
}

/// Ends `text` with a full stop unless it ends with a closing mark already.
pub(super) fn sentence(text: &str) -> String {
    let t = text.trim();
    match t.chars().last() {
        None => String::new(),
        Some('。' | '！' | '？' | '；' | '…' | '.' | '”' | '」') => t.to_string(),
        Some('，' | '、' | '：' | ',' | ';' | ':') => {
            let mut s: String = t.chars().take(t.chars().count() - 1).collect();
            s.push('。');
            s
        }
        Some(_) => format!("{t}。"),
    }
}

fn origin_clause(origin: &str) -> String {
    match origin.trim() {
        "" | "其他" => String::new(),
        "投诉举报" => "根据群众投诉举报".to_string(),
        "监督检查" => "根据监督检查中发现的线索".to_string(),
        "双随机抽查" => "根据“双随机、一公开”抽查中发现的线索".to_string(),
        "网络监测" => "根据网络监测发现的线索".to_string(),
        "部门移送" => "根据有关部门移送的线索".to_string(),
        other => format!("根据{other}线索"),
    }
}

fn party_text(p: &TypicalParty) -> String {
    let (id_label, address_label) = match p.kind {
        PartyKind::Organisation => ("统一社会信用代码", "地址"),
        PartyKind::Person => ("身份证号码", "住址"),
    };
    let mut details = Vec::new();
    if let Some(id) = p
        .id_number
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        details.push(format!("{id_label}：{id}"));
    }
    if let Some(a) = p
        .address
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        details.push(format!("{address_label}：{a}"));
    }
    if details.is_empty() {
        p.name.trim().to_string()
    } else {
        format!("{}（{}）", p.name.trim(), details.join("，"))
    }
}

/// 受理情况: when, by whom, from what source, and who the parties are.
fn acceptance(input: &TypicalCaseInput) -> String {
    let mut out = String::new();
    if let Some(d) = input.filed_on {
        out.push_str(&date_zh(d));
        out.push('，');
    }
    out.push_str(authority(input));
    let origin = origin_clause(&input.origin);
    if !origin.is_empty() {
        out.push_str(&origin);
        out.push('，');
    }
    match input.title.trim() {
        "" => out.push_str("对本案立案调查"),
        t => out.push_str(&format!("对“{t}”立案调查")),
    }
    match input.category.trim() {
        "" | "其他" => {}
        c => out.push_str(&format!("（案件类别：{c}）")),
    }
    out.push('。');
    let parties: Vec<String> = input
        .parties
        .iter()
        .filter(|p| !p.name.trim().is_empty())
        .map(party_text)
        .collect();
    match parties.len() {
        0 => {}
        1 => out.push_str(&format!("当事人为{}。", parties[0])),
        _ => out.push_str(&format!("当事人为：{}。", parties.join("；"))),
    }
    out
}

/// 调查经过: the officers and the facts found.
fn investigation(input: &TypicalCaseInput) -> String {
    let officers: Vec<&str> = input
        .officers
        .iter()
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .collect();
    let mut out = if officers.is_empty() {
        format!("立案后，{}依法开展调查。", authority(input))
    } else {
        format!(
            "立案后，{}指派执法人员{}依法开展调查。",
            authority(input),
            officers.join("、")
        )
    };
    let facts = input.facts.trim();
    if !facts.is_empty() {
        let found = ["经查", "经调查", "查明", "现查明", "经核查"]
            .iter()
            .any(|p| facts.starts_with(p));
        if !found {
            out.push_str("经查，");
        }
        out.push_str(&sentence(facts));
    }
    out
}

/// A file name as an item of evidence: without its extension.
pub(super) fn evidence_name(file: &str) -> &str {
    let f = file.trim();
    match f.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && (1..=5).contains(&ext.len())
                && ext.bytes().all(|b| b.is_ascii_alphanumeric())
                && ext.bytes().any(|b| b.is_ascii_alphabetic()) =>
        {
            stem.trim()
        }
        _ => f,
    }
}

/// How many items of evidence are named before “等”.
const EVIDENCE_NAMED: usize = 10;

/// 主要证据.
fn evidence(input: &TypicalCaseInput) -> String {
    let mut items: Vec<&str> = Vec::new();
    for f in &input.evidence {
        let name = evidence_name(f);
        if !name.is_empty() && !items.contains(&name) {
            items.push(name);
        }
    }
    match items.len() {
        0 => String::new(),
        n if n <= EVIDENCE_NAMED => format!("本案取得的主要证据有：{}。", items.join("、")),
        n => format!(
            "本案取得的主要证据有：{}等{n}份证据材料。",
            items[..EVIDENCE_NAMED].join("、")
        ),
    }
}

/// 适用的法律法规: the provisions, grouped by law in the order first named.
fn bases(input: &TypicalCaseInput) -> String {
    let mut laws: Vec<(String, Vec<String>)> = Vec::new();
    for b in &input.bases {
        let law = b.law.trim().trim_start_matches('《').trim_end_matches('》');
        if law.is_empty() {
            continue;
        }
        let mut article = b.article.trim().to_string();
        let content = b.content.trim();
        if !content.is_empty() {
            article.push_str(&format!("（{content}）"));
        }
        match laws.iter_mut().find(|(l, _)| l == law) {
            Some((_, articles)) => articles.push(article),
            None => laws.push((law.to_string(), vec![article])),
        }
    }
    if laws.is_empty() {
        return String::new();
    }
    let named: Vec<String> = laws
        .iter()
        .map(|(law, articles)| {
            let articles: Vec<&str> = articles
                .iter()
                .map(String::as_str)
                .filter(|a| !a.is_empty())
                .collect();
            format!("《{law}》{}", articles.join("、"))
        })
        .collect();
    format!("经审查，本案适用{}的规定。", named.join("，"))
}

/// One action as the decision reads: `警告`, `罚款人民币5000元`.
fn action_text(a: &TypicalAction) -> String {
    let kind = a.kind.trim();
    match (PenaltyKind::from_label_zh(kind), a.amount) {
        (Some(k), Some(amount)) if k.has_amount() && amount > Fen::ZERO => {
            format!("{kind}{}", amount_zh(amount))
        }
        _ => kind.to_string(),
    }
}

/// The actions of one decision: same day, number and party.
struct Decision<'a> {
    date: Option<Date>,
    no: &'a str,
    party: Option<&'a str>,
    texts: Vec<String>,
}

/// 处罚决定及履行情况: one sentence per decision (same day, number and party), the transfers
/// to the judicial organs, then the execution note.
fn decision(input: &TypicalCaseInput) -> String {
    let single_party = match input.parties.as_slice() {
        [p] => Some(p.name.trim()),
        _ => None,
    };
    let mut groups: Vec<Decision> = Vec::new();
    let mut transfers: Vec<&TypicalAction> = Vec::new();
    for a in &input.actions {
        if PenaltyKind::from_label_zh(a.kind.trim()) == Some(PenaltyKind::Judicial) {
            transfers.push(a);
            continue;
        }
        if a.kind.trim().is_empty() {
            continue;
        }
        let party = a.party.as_deref().map(str::trim).or(single_party);
        let no = a.decision_no.trim();
        match groups
            .iter_mut()
            .find(|g| g.date == a.decided_on && g.no == no && g.party == party)
        {
            Some(g) => g.texts.push(action_text(a)),
            None => groups.push(Decision {
                date: a.decided_on,
                no,
                party,
                texts: vec![action_text(a)],
            }),
        }
    }
    let mut out = String::new();
    for Decision {
        date,
        no,
        party,
        texts,
    } in groups
    {
        if let Some(d) = date {
            out.push_str(&date_zh(d));
            out.push('，');
        }
        out.push_str(authority(input));
        out.push_str("依法作出行政处罚决定");
        if !no.is_empty() {
            out.push_str(&format!("（{no}）"));
        }
        let party = party.filter(|p| !p.is_empty()).unwrap_or("当事人");
        out.push_str(&format!("，对{party}作出{}的处罚。", texts.join("、")));
    }
    for t in transfers {
        if let Some(d) = t.decided_on {
            out.push_str(&date_zh(d));
            out.push('，');
        }
        out.push_str(authority(input));
        out.push_str("将涉嫌犯罪的案件移送司法机关");
        if !t.decision_no.trim().is_empty() {
            out.push_str(&format!("（{}）", t.decision_no.trim()));
        }
        out.push('。');
    }
    if let Some(note) = input.execution.as_deref() {
        out.push_str(&sentence(note));
    }
    out
}

/// 另案处理结果.
fn related(input: &TypicalCaseInput) -> String {
    match input.related_outcome.as_deref().map(str::trim) {
        None | Some("") => String::new(),
        Some(text) => format!("另案处理方面，{}", sentence(text)),
    }
}
