//! 主体编号: operator ids that stay put. An id is taken over from the previous run when the
//! operator's records carried it before; a new operator's id is derived from its anchor record
//! (a live registration's code first), so a re-run on the same files gives the same ids even
//! without a previous run.

use rustc_hash::{FxHashMap, FxHashSet};
use sha2::{Digest, Sha256};

use crate::input::{InputRecord, RegistrationState, Source};

/// The anchor of an operator (the member index): the record whose identity is most lasting.
pub fn anchor(members: &[u32], records: &[InputRecord]) -> u32 {
    let rank = |r: &InputRecord| -> u8 {
        match (r.source, r.registration) {
            (Source::Registrations, Some(RegistrationState::Alive)) => 0,
            (Source::Registrations, _) => 1,
            (Source::Licenses, _) => 2,
            (Source::Tax, _) => 3,
            (Source::SalonFilings, _) => 4,
            (Source::PlatformMerchants, _) => 5,
        }
    };
    let record = |i: &u32| &records[*i as usize];
    members
        .iter()
        .copied()
        .min_by(|a, b| {
            let (a, b) = (record(a), record(b));
            rank(a).cmp(&rank(b)).then_with(|| a.key.cmp(&b.key))
        })
        .unwrap_or(members[0])
}

/// `ZT` and 16 hex digits of SHA-256 over the anchor's source and key.
pub fn derived_id(anchor: &InputRecord, salt: u32) -> String {
    let mut hasher = Sha256::new();
    hasher.update(anchor.source.code().as_bytes());
    hasher.update([0]);
    hasher.update(anchor.key.as_bytes());
    if salt > 0 {
        hasher.update(salt.to_le_bytes());
    }
    let digest = hasher.finalize();
    let hex: String = digest[..8].iter().map(|b| format!("{b:02X}")).collect();
    format!("ZT{hex}")
}

/// Ids for `clusters` (members per cluster): the previous id most of a cluster's records had,
/// unless a larger cluster took it; otherwise a derived one.
pub fn assign(
    clusters: &[Vec<u32>],
    records: &[InputRecord],
    previous: &FxHashMap<(crate::Source, String), String>,
) -> Vec<String> {
    let mut order: Vec<usize> = (0..clusters.len()).collect();
    order.sort_by_key(|&c| std::cmp::Reverse(clusters[c].len()));
    let mut taken: FxHashSet<String> = FxHashSet::default();
    let mut ids = vec![String::new(); clusters.len()];
    for c in order {
        let mut votes: FxHashMap<&str, usize> = FxHashMap::default();
        for &i in &clusters[c] {
            let r = &records[i as usize];
            if let Some(id) = previous.get(&(r.source, r.key.clone())) {
                *votes.entry(id).or_default() += 1;
            }
        }
        let mut candidates: Vec<(&str, usize)> = votes.into_iter().collect();
        candidates.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let reused = candidates
            .into_iter()
            .map(|(id, _)| id)
            .find(|id| !taken.contains(*id))
            .map(str::to_owned);
        let id = reused.unwrap_or_else(|| {
            let anchor = &records[anchor(&clusters[c], records) as usize];
            (0..)
                .map(|salt| derived_id(anchor, salt))
                .find(|id| !taken.contains(id))
                .unwrap_or_default()
        });
        taken.insert(id.clone());
        ids[c] = id;
    }
    ids
}
