//! The name and number search of registry records (登记数据检索), held in memory by each server.
//!
//! A substring search over a million names (`like '%焕颜%'`) scans the whole table: about 300 ms
//! on SQLite. Trigram indexes of the databases do not serve the most common queries, which are
//! two Chinese characters (医美, 焕颜). So each server keeps a character-bigram index of every
//! record's `search_text`, loads it from the database at start, and follows changes through
//! `registry_record.updated_at`; the database stays the only source of truth. Candidates from
//! the bigram postings are always verified against the text, so a stale posting can only cost
//! time, never a wrong result. See `docs/decisions/0009-search-index.md`.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use crate::registries::records::Filter;
use crate::{Store, StoreError};

/// The documents as parallel arrays, indexed by document number: a query's filters read a few
/// bytes per candidate from compact arrays instead of a scattered struct per document.
#[derive(Default)]
struct Docs {
    record_id: Vec<Box<str>>,
    registry: Vec<u16>,
    status: Vec<u16>,
    category: Vec<u16>,
    missing: Vec<bool>,
    /// Display order as one integer: the region code (20 bits) then the first 13 bytes of the
    /// name. Equal keys fall back to the whole name.
    order: Vec<u128>,
    name: Vec<Box<str>>,
    /// Every document's search text in one buffer, in document order, so that checking the
    /// candidates of a posting list reads memory front to back. A changed document's new text
    /// is appended; the old one stays until the index is loaded again.
    texts: String,
    text: Vec<std::ops::Range<usize>>,
    /// Hash of the row as last loaded: a refresh re-reads the rows of the newest second and
    /// skips those it already holds.
    stamp: Vec<u64>,
}

#[derive(Default)]
struct Inner {
    docs: Docs,
    by_record: HashMap<Box<str>, u32>,
    postings: HashMap<u64, Vec<u32>>,
    /// Interned registry codes, statuses and categories (few distinct values, many records).
    words: Vec<Box<str>>,
    word_ids: HashMap<Box<str>, u16>,
    /// Highest `updated_at` loaded; the next refresh reads from there (inclusive).
    watermark: String,
    ready: bool,
    last_refresh: Option<Instant>,
}

/// The in-memory search index; share one per server.
#[derive(Default)]
pub struct SearchIndex {
    inner: RwLock<Inner>,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let docs = self
            .inner
            .read()
            .map(|i| i.docs.record_id.len())
            .unwrap_or(0);
        f.debug_struct("SearchIndex").field("docs", &docs).finish()
    }
}

/// Pairs of consecutive characters, packed, without repeats.
fn bigrams(text: &str) -> Vec<u64> {
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<u64> = chars
        .windows(2)
        .map(|w| (u64::from(w[0] as u32) << 32) | u64::from(w[1] as u32))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// A six-digit region code as a number; `None` for anything else.
fn region_number(code: &str) -> Option<u32> {
    (code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()))
        .then(|| code.parse().ok())
        .flatten()
}

/// The display-order key of a document (see [`Docs::order`]). UTF-8 bytes compare like the
/// characters they encode, so the key orders like `(region_code, name)` up to its length.
fn order_key(region: u32, name: &str) -> u128 {
    let mut key = u128::from(region) << 104;
    for (i, b) in name.bytes().take(13).enumerate() {
        key |= u128::from(b) << (96 - 8 * i);
    }
    key
}

/// Region codes outside 000000–999999 never fall in a range.
const NO_REGION: u32 = (1 << 20) - 1;

impl Inner {
    fn word(&mut self, w: Option<&str>) -> u16 {
        let w = w.unwrap_or("");
        if let Some(id) = self.word_ids.get(w) {
            return *id;
        }
        let id = u16::try_from(self.words.len()).unwrap_or(u16::MAX);
        self.words.push(w.into());
        self.word_ids.insert(w.into(), id);
        id
    }

    /// Adds or replaces a document; `false` when it was already loaded as it is.
    fn upsert(&mut self, row: IndexRow) -> bool {
        let stamp = {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            row.hash(&mut h);
            h.finish()
        };
        let existing = self.by_record.get(row.id.as_str()).copied();
        if let Some(id) = existing {
            if self.docs.stamp.get(id as usize) == Some(&stamp) {
                return false;
            }
        }
        let registry = self.word(Some(&row.registry));
        let status = self.word(row.status.as_deref());
        let category = self.word(row.category.as_deref());
        let region = region_number(&row.region_code).unwrap_or(NO_REGION);
        let name = row.name.unwrap_or_default();
        let order = order_key(region, &name);
        let grams = bigrams(&row.search_text);
        let d = &mut self.docs;
        let id = match existing {
            Some(id) => {
                let i = id as usize;
                d.registry[i] = registry;
                d.status[i] = status;
                d.category[i] = category;
                d.missing[i] = row.missing_since.is_some();
                d.order[i] = order;
                d.name[i] = name.into();
                d.text[i] = d.texts.len()..d.texts.len() + row.search_text.len();
                d.texts.push_str(&row.search_text);
                d.stamp[i] = stamp;
                id
            }
            None => {
                let id = u32::try_from(d.record_id.len()).unwrap_or(u32::MAX);
                self.by_record.insert(row.id.as_str().into(), id);
                d.record_id.push(row.id.into());
                d.registry.push(registry);
                d.status.push(status);
                d.category.push(category);
                d.missing.push(row.missing_since.is_some());
                d.order.push(order);
                d.name.push(name.into());
                d.text
                    .push(d.texts.len()..d.texts.len() + row.search_text.len());
                d.texts.push_str(&row.search_text);
                d.stamp.push(stamp);
                id
            }
        };
        for g in grams {
            let list = self.postings.entry(g).or_default();
            // Appends keep new documents sorted; an updated document may repeat or come out of
            // order, which `tidy` repairs.
            if list.last() != Some(&id) {
                list.push(id);
            }
        }
        true
    }

    fn tidy(&mut self) {
        for list in self.postings.values_mut() {
            if list.windows(2).any(|w| w[0] >= w[1]) {
                list.sort_unstable();
                list.dedup();
            }
        }
    }
}

#[derive(sqlx::FromRow, Hash)]
struct IndexRow {
    id: String,
    registry: String,
    region_code: String,
    status: Option<String>,
    category: Option<String>,
    missing_since: Option<String>,
    name: Option<String>,
    search_text: String,
    updated_at: String,
}

/// A match in display order: region and name prefix, the whole name, the document number.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Hit<'a> {
    order: u128,
    name: &'a str,
    doc: u32,
}

/// One page of results: record ids in display order, and the number of matches.
pub struct Hits {
    pub record_ids: Vec<String>,
    pub total: i64,
}

impl SearchIndex {
    /// Loads what changed since the last refresh (everything, the first time).
    #[tracing::instrument(skip_all)]
    pub async fn refresh(&self, store: &Store) -> Result<(), StoreError> {
        let watermark = self
            .inner
            .read()
            .map(|i| i.watermark.clone())
            .unwrap_or_default();
        let rows: Vec<IndexRow> = sqlx::query_as(
            "select id, registry, region_code, status, category, missing_since, name, search_text, updated_at \
             from registry_record where updated_at >= $1 order by updated_at",
        )
        .bind(&watermark)
        .fetch_all(store.pool())
        .await?;
        let Ok(mut inner) = self.inner.write() else {
            return Err(StoreError::Other("search index lock poisoned".to_string()));
        };
        let mut changed = false;
        for row in rows {
            if row.updated_at > inner.watermark {
                inner.watermark.clone_from(&row.updated_at);
            }
            changed |= inner.upsert(row);
        }
        if changed {
            inner.tidy();
        }
        inner.ready = true;
        inner.last_refresh = Some(Instant::now());
        Ok(())
    }

    /// Refreshes if the last refresh is older than `max_age`.
    #[tracing::instrument(skip_all)]
    pub async fn refresh_if_older(
        &self,
        store: &Store,
        max_age: Duration,
    ) -> Result<(), StoreError> {
        let fresh = self
            .inner
            .read()
            .map(|i| i.last_refresh.is_some_and(|t| t.elapsed() < max_age))
            .unwrap_or(false);
        if fresh {
            Ok(())
        } else {
            self.refresh(store).await
        }
    }

    /// Whether the first load has finished.
    pub fn is_ready(&self) -> bool {
        self.inner.read().map(|i| i.ready).unwrap_or(false)
    }

    /// Matches of `filter.q` in `registry` within the region range, filtered like the list,
    /// ordered by region then name; `None` before the first load (the caller falls back to SQL).
    pub fn search(
        &self,
        registry: &str,
        lo: &str,
        hi: &str,
        filter: &Filter,
        page: i64,
        per_page: i64,
    ) -> Option<Hits> {
        let inner = self.inner.read().ok()?;
        if !inner.ready {
            return None;
        }
        let q = filter
            .q
            .as_deref()
            .map(|q| q.trim().to_lowercase())
            .unwrap_or_default();
        let registry = *inner.word_ids.get(registry)?;
        let status = match filter.status.as_deref() {
            Some(s) => Some(*inner.word_ids.get(s)?),
            None => None,
        };
        let category = match filter.category.as_deref() {
            Some(c) => Some(*inner.word_ids.get(c)?),
            None => None,
        };
        let (mut lo, mut hi) = (region_number(lo)?, region_number(hi)?);
        if let Some(code) = filter
            .region
            .as_deref()
            .and_then(|r| meijian_domain::region::RegionCode::parse(r).ok())
        {
            let (rlo, rhi) = meijian_domain::region::Jurisdiction::new(code).code_range();
            lo = lo.max(region_number(&rlo)?);
            hi = hi.min(region_number(&rhi)?);
        }
        let (key_lo, key_hi) = (u128::from(lo) << 104, (u128::from(hi) + 1) << 104);
        let d = &inner.docs;
        let grams = bigrams(&q);
        // The rarest bigram's postings are the candidates; each is checked against the
        // filters, then against its text. Checking the text costs less than intersecting
        // further lists, which for digits of a USCC hold most of the registry. A two-character
        // query needs no check: its one posting list is the exact answer.
        let mut smallest: Option<&Vec<u32>> = None;
        for g in &grams {
            let list = inner.postings.get(g);
            match (list, smallest) {
                (None, _) => {
                    return Some(Hits {
                        record_ids: Vec::new(),
                        total: 0,
                    })
                }
                (Some(l), Some(s)) if l.len() >= s.len() => {}
                (Some(l), _) => smallest = Some(l),
            }
        }
        let verify = q.chars().count() != 2;
        let finder = memchr::memmem::Finder::new(q.as_bytes());
        let texts = d.texts.as_bytes();
        let keep = |i: u32| {
            let i = i as usize;
            d.registry[i] == registry
                && (filter.include_missing || !d.missing[i])
                && status.is_none_or(|s| d.status[i] == s)
                && category.is_none_or(|c| d.category[i] == c)
                && d.order[i] >= key_lo
                && d.order[i] < key_hi
                && (!verify || finder.find(&texts[d.text[i].clone()]).is_some())
        };
        // One pass counts the matches and keeps the first `end` in display order in a heap:
        // most matches of a large result are turned away by one integer comparison with the
        // heap's last, without collecting or moving them.
        // A page far past the end (a hand-typed `?page=`) saturates instead of overflowing.
        let start =
            usize::try_from((page.max(1) - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
        let end = start.saturating_add(usize::try_from(per_page).unwrap_or(0));
        let mut total = 0i64;
        let mut best: std::collections::BinaryHeap<Hit<'_>> =
            std::collections::BinaryHeap::with_capacity(end.min(4096));
        let mut offer = |i: u32| {
            if !keep(i) {
                return;
            }
            total += 1;
            if end == 0 {
                return;
            }
            let order = d.order[i as usize];
            if best.len() == end && best.peek().is_some_and(|last| order > last.order) {
                return;
            }
            best.push(Hit {
                order,
                name: &d.name[i as usize],
                doc: i,
            });
            if best.len() > end {
                best.pop();
            }
        };
        match smallest {
            Some(list) => list.iter().for_each(|&i| offer(i)),
            None => (0..d.record_id.len() as u32).for_each(&mut offer),
        }
        let record_ids = best
            .into_sorted_vec()
            .into_iter()
            .skip(start)
            .map(|h| d.record_id[h.doc as usize].to_string())
            .collect();
        Some(Hits { record_ids, total })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, region: &str, name: &str, updated: &str) -> IndexRow {
        IndexRow {
            id: id.into(),
            registry: "registrations".into(),
            region_code: region.into(),
            status: Some("存续".into()),
            category: None,
            missing_since: None,
            name: Some(name.into()),
            search_text: format!("{} 9137{id}", name.to_lowercase()),
            updated_at: updated.into(),
        }
    }

    fn index(rows: Vec<IndexRow>) -> SearchIndex {
        let idx = SearchIndex::default();
        if let Ok(mut inner) = idx.inner.write() {
            for r in rows {
                inner.upsert(r);
            }
            inner.tidy();
            inner.ready = true;
        }
        idx
    }

    fn q(text: &str) -> Filter {
        Filter {
            q: Some(text.into()),
            ..Filter::default()
        }
    }

    #[test]
    fn finds_substrings_of_one_two_and_more_characters_and_verifies_them() {
        let idx = index(vec![
            row("a", "370402", "焕颜医疗美容诊所", "1"),
            row("b", "370403", "美丽人生美容院", "1"),
            row("c", "370404", "容美焕发美甲店", "1"),
        ]);
        let ids = |f: &Filter| {
            idx.search("registrations", "370400", "370499", f, 1, 50)
                .map(|h| h.record_ids)
                .unwrap_or_default()
        };
        assert_eq!(ids(&q("美容")), vec!["a", "b"]);
        assert_eq!(ids(&q("焕")), vec!["a", "c"]);
        // Only records holding the whole query count, whatever their bigrams.
        assert_eq!(ids(&q("焕颜医疗")), vec!["a"]);
        assert!(ids(&q("不存在的名字")).is_empty());
        assert_eq!(ids(&q("9137b")), vec!["b"], "numbers too");
        // Scope and region filter.
        assert_eq!(
            idx.search("registrations", "370402", "370402", &q("美"), 1, 50)
                .map(|h| h.total),
            Some(1)
        );
        let f = Filter {
            region: Some("370403".into()),
            ..q("美")
        };
        assert_eq!(ids(&f), vec!["b"]);
    }

    #[test]
    fn an_updated_record_is_found_by_its_new_name_only() {
        let idx = index(vec![row("a", "370402", "旧名字美容", "1")]);
        if let Ok(mut inner) = idx.inner.write() {
            inner.upsert(row("a", "370402", "新名字诊所", "2"));
            inner.tidy();
        }
        let total = |text: &str| {
            idx.search("registrations", "000000", "999999", &q(text), 1, 50)
                .map(|h| h.total)
        };
        assert_eq!(total("旧名字"), Some(0));
        assert_eq!(total("新名字"), Some(1));
    }

    #[test]
    fn pages_are_ordered_by_region_then_name() {
        let rows = (0..120)
            .map(|i| {
                row(
                    &format!("r{i:03}"),
                    if i % 2 == 0 { "370403" } else { "370402" },
                    &format!("店{i:03}美容"),
                    "1",
                )
            })
            .collect();
        let idx = index(rows);
        let p1 = idx
            .search("registrations", "370400", "370499", &q("美容"), 1, 50)
            .map(|h| (h.total, h.record_ids))
            .unwrap_or_default();
        assert_eq!(p1.0, 120);
        assert_eq!(
            p1.1.first().map(String::as_str),
            Some("r001"),
            "370402 first, then by name"
        );
        let p3 = idx
            .search("registrations", "370400", "370499", &q("美容"), 3, 50)
            .map(|h| h.record_ids)
            .unwrap_or_default();
        assert_eq!(p3.len(), 20);
        assert_eq!(p3.last().map(String::as_str), Some("r118"));
    }
}
