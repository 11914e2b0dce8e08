//! Clustering (聚合) with constraints: links are taken strongest first, and a link that would put
//! two live registrations with different codes into one operator is refused — two valid codes
//! of live market entities are two operators, however alike their names. Officers' decisions
//! come first: a merge they made is applied before any link, a split they made is never undone.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::input::{InputRecord, RegistrationState, Source};

/// A scored pair.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    pub a: u32,
    pub b: u32,
    pub weight: f64,
}

/// The operators found: for each record, its operator's index; and the links that made them.
#[derive(Clone, Debug)]
pub struct Clusters {
    pub cluster_of: Vec<u32>,
    pub count: usize,
    /// Links taken, strongest first (a spanning forest of the operators).
    pub accepted: Vec<Edge>,
    /// Links refused because they would join two live registrations, with the edge.
    pub refused: Vec<Edge>,
}

struct Sets {
    parent: Vec<u32>,
    size: Vec<u32>,
    /// The live registration code of each root's set, if any.
    live_code: Vec<Option<u32>>,
}

impl Sets {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let up = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = up;
            x = up;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
        if self.live_code[a as usize].is_none() {
            self.live_code[a as usize] = self.live_code[b as usize];
        }
    }
}

/// Clusters `records` by `edges` (any order), after the officers' `merges`, never joining the
/// pairs of `splits`.
pub fn cluster(
    records: &[InputRecord],
    edges: &mut [Edge],
    merges: &[(u32, u32)],
    splits: &[(u32, u32)],
) -> Clusters {
    let n = records.len();
    let mut sets = Sets {
        parent: (0..n as u32).collect(),
        size: vec![1; n],
        live_code: records
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (r.source == Source::Registrations
                    && r.registration == Some(RegistrationState::Alive)
                    && r.uscc.is_some())
                .then_some(i as u32)
            })
            .collect(),
    };
    for &(a, b) in merges {
        sets.union(a, b);
    }
    let split_set: FxHashSet<(u32, u32)> =
        splits.iter().map(|&(a, b)| (a.min(b), a.max(b))).collect();
    let mut split_of: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    for &(a, b) in splits {
        split_of.entry(a).or_default().push(b);
        split_of.entry(b).or_default().push(a);
    }
    edges.sort_by(|x, y| {
        y.weight
            .total_cmp(&x.weight)
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    for edge in edges.iter() {
        let (ra, rb) = (sets.find(edge.a), sets.find(edge.b));
        if ra == rb || split_set.contains(&(edge.a.min(edge.b), edge.a.max(edge.b))) {
            continue;
        }
        let (ca, cb) = (sets.live_code[ra as usize], sets.live_code[rb as usize]);
        if let (Some(x), Some(y)) = (ca, cb) {
            if records[x as usize].uscc != records[y as usize].uscc {
                refused.push(*edge);
                continue;
            }
        }
        if violates_split(&mut sets, &split_of, ra, rb) {
            continue;
        }
        sets.union(edge.a, edge.b);
        accepted.push(*edge);
    }
    let mut index = vec![u32::MAX; n];
    let mut cluster_of = vec![0; n];
    let mut count = 0u32;
    for i in 0..n as u32 {
        let root = sets.find(i) as usize;
        if index[root] == u32::MAX {
            index[root] = count;
            count += 1;
        }
        cluster_of[i as usize] = index[root];
    }
    Clusters {
        cluster_of,
        count: count as usize,
        accepted,
        refused,
    }
}

/// Whether joining sets `ra` and `rb` would put both records of an officer's split together.
fn violates_split(sets: &mut Sets, split_of: &FxHashMap<u32, Vec<u32>>, ra: u32, rb: u32) -> bool {
    for (&x, others) in split_of {
        let rx = sets.find(x);
        if rx != ra && rx != rb {
            continue;
        }
        let other_side = if rx == ra { rb } else { ra };
        if others.iter().any(|&y| sets.find(y) == other_side) {
            return true;
        }
    }
    false
}
