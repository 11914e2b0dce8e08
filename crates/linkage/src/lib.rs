//! 证照比对: record linkage of the registries into operators (主体), and each operator's class.
//!
//! The pipeline, pure and in memory (no I/O; callers read files or the database):
//!
//! 1. [`features`]: names split into region, 字号, industry, organisation form and branch
//!    ([`name`]), addresses reduced to road and number ([`address`]), codes checked.
//! 2. [`blocking`]: candidate pairs that share a code, a 字号 in one city, an address or a person.
//! 3. [`compare`] and [`model`]: each pair compared field by field, each level weighed by a
//!    Fellegi–Sunter model learned from the same data, with term frequencies.
//! 4. [`cluster`]: links taken strongest first, never joining two live registrations with
//!    different codes, and always following officers' decisions.
//! 5. [`classify`]: 有证有照 / 有照无证 / 无照无证 / 有证无照 per DATA.md on an as-of date.
//! 6. [`operator_id`]: 主体编号 that stay stable across runs.
//!
//! Every input record is in exactly one operator; a record with no usable name and no code is an
//! operator of its own and says so.

pub mod address;
pub mod blocking;
pub mod classify;
pub mod cluster;
pub mod compare;
pub mod features;
pub mod fold;
pub mod input;
pub mod model;
pub mod name;
pub mod operator_id;
pub mod regions;
pub mod result;
pub mod scope;
mod words;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

pub use classify::{Class, Verdict};
pub use compare::{Field, Level};
pub use input::{InputRecord, LicenseState, RegistrationState, Source};
pub use model::{Contribution, Model};

use cluster::Edge;
use features::Features;

/// A record by its registry and key, as officers' decisions and previous runs name it.
pub type RecordRef = (Source, String);

/// Settings of a run; the thresholds are configuration, not code (DOMAIN.md: unverified
/// numbers are configurable).
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Link two records when the probability that they are one operator is at least this:
    /// 0.5 links whatever is more likely one operator than two (equal costs of both errors).
    pub link_probability: f64,
    /// Offer a pair for review when its probability is at least this (and below the link).
    pub review_probability: f64,
    /// 比对基准日 `YYYY-MM-DD`: licenses expired before it are not 证.
    pub as_of: String,
}

impl Settings {
    pub fn new(as_of: impl Into<String>) -> Settings {
        Settings {
            link_probability: 0.5,
            review_probability: 0.1,
            as_of: as_of.into(),
        }
    }
}

/// Officers' decisions, kept and applied on every run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decisions {
    /// 合并 / 确认: these records are one operator.
    pub merges: Vec<(RecordRef, RecordRef)>,
    /// 拆分: these records are never one operator.
    pub splits: Vec<(RecordRef, RecordRef)>,
}

/// One operator found.
#[derive(Clone, Debug)]
pub struct Operator {
    /// 主体编号.
    pub id: String,
    /// Indexes into the input records.
    pub members: Vec<u32>,
    pub verdict: Verdict,
    /// A record with no usable name and no code, alone.
    pub unusable: bool,
}

/// A scored pair of records.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Link {
    pub a: u32,
    pub b: u32,
    /// Sum of the field weights, in bits.
    pub weight: f64,
    /// Probability that the two are one operator, with the run's prior.
    pub probability: f64,
}

/// The outcome of a run.
pub struct Linkage {
    pub operators: Vec<Operator>,
    /// Per input record, the index of its operator.
    pub operator_of: Vec<u32>,
    /// Links taken, strongest first.
    pub links: Vec<Link>,
    /// Pairs in different operators scoring in the review band, or refused by the
    /// live-registration rule: 待复核.
    pub candidates: Vec<Link>,
    /// The prior log-odds (bits) that two records are one operator.
    pub prior_bits: f64,
    pub model: Model,
    /// Candidate pairs compared.
    pub compared_pairs: usize,
    /// Wall time of each stage, for the benchmark report.
    pub timings: Timings,
    features: Vec<Features>,
}

impl Linkage {
    /// Why records `a` and `b` are (or might be) one operator: each field's level and weight.
    pub fn explain(&self, a: u32, b: u32) -> [Contribution; 5] {
        let c = compare::compare(&self.features[a as usize], &self.features[b as usize]);
        self.model.contributions(&c)
    }

    /// The strongest taken link of each record (none for a record alone).
    pub fn best_links(&self) -> Vec<Option<Link>> {
        let mut best: Vec<Option<Link>> = vec![None; self.operator_of.len()];
        for link in &self.links {
            for end in [link.a, link.b] {
                let slot = &mut best[end as usize];
                if slot.is_none_or(|l| l.weight < link.weight) {
                    *slot = Some(*link);
                }
            }
        }
        best
    }

    /// The evidence of a link in Chinese: `统一社会信用代码一致(+18.2)；字号一致「悦颜」(+9.1)`;
    /// a value many records share says so: `字号一致「美丽」(+2.3，字号常见)`.
    pub fn evidence_zh(&self, a: u32, b: u32) -> String {
        self.explain(a, b)
            .iter()
            .filter(|c| !c.level.is_missing())
            .map(|c| {
                let common = match (c.common, c.level.field()) {
                    (false, _) => "",
                    (true, Field::Name) => "，字号常见",
                    (true, Field::Address) => "，同楼多家",
                    (true, _) => "，常见",
                };
                match &c.value {
                    Some(v) => format!("{}「{v}」({:+.1}{common})", c.level.label_zh(), c.weight),
                    None => format!("{}({:+.1})", c.level.label_zh(), c.weight),
                }
            })
            .collect::<Vec<_>>()
            .join("；")
    }

    /// The operator of a record.
    pub fn operator(&self, record: u32) -> &Operator {
        &self.operators[self.operator_of[record as usize] as usize]
    }
}

/// Wall time per stage of a run, in order.
#[derive(Clone, Debug)]
pub struct Timings {
    pub stages: Vec<(&'static str, std::time::Duration)>,
    last: std::time::Instant,
}

impl Timings {
    fn start() -> Timings {
        Timings {
            stages: Vec::new(),
            last: std::time::Instant::now(),
        }
    }

    /// Records the time since the previous lap (or the start) as `stage`.
    fn lap(&mut self, stage: &'static str) {
        let now = std::time::Instant::now();
        self.stages.push((stage, now - self.last));
        self.last = now;
    }
}

impl std::fmt::Display for Timings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .stages
            .iter()
            .map(|(stage, d)| format!("{stage} {:.1} 秒", d.as_secs_f64()))
            .collect();
        f.write_str(&parts.join("，"))
    }
}

/// Links `records` into operators and classifies them.
pub fn link(
    records: &[InputRecord],
    settings: &Settings,
    decisions: &Decisions,
    previous: &FxHashMap<RecordRef, String>,
) -> Linkage {
    let mut timings = Timings::start();
    let features = Features::all(records);
    timings.lap("特征");
    let pairs = blocking::candidate_pairs(records, &features);
    timings.lap("分块");
    let model = Model::learn(&features, &pairs);
    let prior_bits = prior_bits(records.len(), &features, &pairs);
    timings.lap("学习权重");
    let review_bits = logit_bits(settings.review_probability) - prior_bits;
    let link_bits = logit_bits(settings.link_probability) - prior_bits;

    let scored: Vec<(Edge, bool)> = pairs
        .par_iter()
        .filter_map(|&(a, b)| {
            let (fa, fb) = (&features[a as usize], &features[b as usize]);
            let c = compare::compare(fa, fb);
            let weight = model.weight(&c);
            (weight >= review_bits).then(|| (Edge { a, b, weight }, corroborated(&c)))
        })
        .collect();
    let mut edges: Vec<Edge> = scored
        .iter()
        .filter(|(e, ok)| *ok && e.weight >= link_bits)
        .map(|(e, _)| *e)
        .collect();

    let index: FxHashMap<(Source, &str), u32> = records
        .iter()
        .enumerate()
        .map(|(i, r)| ((r.source, r.key.as_str()), i as u32))
        .collect();
    let resolve = |pairs: &[(RecordRef, RecordRef)]| -> Vec<(u32, u32)> {
        pairs
            .iter()
            .filter_map(|((sa, ka), (sb, kb))| {
                Some((
                    *index.get(&(*sa, ka.as_str()))?,
                    *index.get(&(*sb, kb.as_str()))?,
                ))
            })
            .collect()
    };
    timings.lap("评分");
    let clusters = cluster::cluster(
        records,
        &mut edges,
        &resolve(&decisions.merges),
        &resolve(&decisions.splits),
    );

    let mut members: Vec<Vec<u32>> = vec![Vec::new(); clusters.count];
    for (i, &c) in clusters.cluster_of.iter().enumerate() {
        members[c as usize].push(i as u32);
    }
    timings.lap("聚合");
    let ids = operator_id::assign(&members, records, previous);
    let operators: Vec<Operator> = members
        .into_iter()
        .zip(ids)
        .map(|(members, id)| {
            let verdict = classify::classify(
                members.iter().map(|&i| &records[i as usize]),
                &settings.as_of,
            );
            let unusable = members.len() == 1 && features[members[0] as usize].unusable;
            Operator {
                id,
                members,
                verdict,
                unusable,
            }
        })
        .collect();

    let probability = |weight: f64| 1.0 / (1.0 + (-(weight + prior_bits)).exp2());
    let to_link = |e: &Edge| Link {
        a: e.a,
        b: e.b,
        weight: e.weight,
        probability: probability(e.weight),
    };
    timings.lap("编号与分类");
    let links = clusters.accepted.iter().map(to_link).collect();
    let mut candidates: Vec<Link> = scored
        .iter()
        .map(|(e, _)| e)
        .filter(|e| clusters.cluster_of[e.a as usize] != clusters.cluster_of[e.b as usize])
        .map(to_link)
        .collect();
    candidates.sort_by(|x, y| y.weight.total_cmp(&x.weight));

    Linkage {
        operators,
        operator_of: clusters.cluster_of,
        links,
        candidates,
        prior_bits,
        model,
        compared_pairs: pairs.len(),
        timings,
        features,
    }
}

/// A shared code alone does not make one operator: a studio's shop may display a borrowed
/// code (借用资质), a clerk may type another entity's code. A link also needs the name, the
/// address or the person to agree at least in part.
fn corroborated(c: &compare::Comparison) -> bool {
    use compare::{AddressLevel, NameLevel, PersonLevel};
    let name = matches!(
        c.levels[1],
        Level::Name(NameLevel::SameCore | NameLevel::SameTrade | NameLevel::SimilarTrade)
    );
    let address = matches!(
        c.levels[2],
        Level::Address(AddressLevel::Same | AddressLevel::SameStreet)
    );
    let person = c.levels[3] == Level::Person(PersonLevel::Same);
    name || address || person
}

fn logit_bits(p: f64) -> f64 {
    let p = p.clamp(1e-9, 1.0 - 1e-9);
    (p / (1.0 - p)).log2()
}

/// The prior log-odds that two random records are one operator, estimated from the data:
/// pairs that share a valid code are counted, and scaled up for the records that carry no
/// code (a pair is seen by its code only when both records carry one).
fn prior_bits(n: usize, features: &[Features], pairs: &[(u32, u32)]) -> f64 {
    if n < 2 {
        return 0.0;
    }
    let with_code = features.iter().filter(|f| f.uscc.is_some()).count() as f64 / n as f64;
    let code_pairs = pairs
        .iter()
        .filter(|&&(a, b)| {
            let (x, y) = (&features[a as usize].uscc, &features[b as usize].uscc);
            x.is_some() && x == y
        })
        .count() as f64;
    let matches = (code_pairs / with_code.max(0.05).powi(2)).max(1.0);
    let all_pairs = n as f64 * (n as f64 - 1.0) / 2.0;
    logit_bits((matches / all_pairs).min(0.5))
}
