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
use std::sync::RwLock;
use std::time::{Duration, Instant};

use crate::registry_records::Filter;
use crate::{Store, StoreError};

struct Doc {
    record_id: Box<str>,
    registry: u16,
    region: [u8; 6],
    status: u16,
    category: u16,
    missing: bool,
    name: Box<str>,
    text: Box<str>,
}

#[derive(Default)]
struct Inner {
    docs: Vec<Doc>,
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
        let docs = self.inner.read().map(|i| i.docs.len()).unwrap_or(0);
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

    fn upsert(&mut self, row: IndexRow) {
        let registry = self.word(Some(&row.registry));
        let status = self.word(row.status.as_deref());
        let category = self.word(row.category.as_deref());
        let mut region = [b'0'; 6];
        for (i, b) in row.region_code.bytes().take(6).enumerate() {
            region[i] = b;
        }
        let doc = Doc {
            record_id: row.id.as_str().into(),
            registry,
            region,
            status,
            category,
            missing: row.missing_since.is_some(),
            name: row.name.unwrap_or_default().into(),
            text: row.search_text.into(),
        };
        let grams = bigrams(&doc.text);
        let id = match self.by_record.get(row.id.as_str()) {
            Some(id) => {
                let id = *id;
                if let Some(slot) = self.docs.get_mut(id as usize) {
                    *slot = doc;
                }
                id
            }
            None => {
                let id = u32::try_from(self.docs.len()).unwrap_or(u32::MAX);
                self.by_record.insert(row.id.into(), id);
                self.docs.push(doc);
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

#[derive(sqlx::FromRow)]
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

/// One page of results: record ids in display order, and the number of matches.
pub struct Hits {
    pub record_ids: Vec<String>,
    pub total: i64,
}

impl SearchIndex {
    /// Loads what changed since the last refresh (everything, the first time).
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
        let changed = !rows.is_empty();
        for row in rows {
            if row.updated_at > inner.watermark {
                inner.watermark.clone_from(&row.updated_at);
            }
            inner.upsert(row);
        }
        if changed {
            inner.tidy();
        }
        inner.ready = true;
        inner.last_refresh = Some(Instant::now());
        Ok(())
    }

    /// Refreshes if the last refresh is older than `max_age`.
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
        let (rlo, rhi) = match filter
            .region
            .as_deref()
            .and_then(|r| meijian_domain::region::RegionCode::parse(r).ok())
        {
            Some(code) => meijian_domain::region::Jurisdiction::new(code).code_range(),
            None => (lo.to_string(), hi.to_string()),
        };
        let (lo, hi) = (
            lo.max(rlo.as_str()).as_bytes(),
            hi.min(rhi.as_str()).as_bytes(),
        );
        // A two-character query is one bigram: its posting list is the exact answer, and
        // checking each text again would only cost a cache miss per match.
        let exact = q.chars().count() == 2;
        let keep = |d: &Doc| {
            d.registry == registry
                && (filter.include_missing || !d.missing)
                && status.is_none_or(|s| d.status == s)
                && category.is_none_or(|c| d.category == c)
                && &d.region[..] >= lo
                && &d.region[..] <= hi
                && (exact || d.text.contains(q.as_str()))
        };
        let mut hits: Vec<&Doc> = match candidates(&inner, &q) {
            Some(ids) => ids
                .into_iter()
                .filter_map(|i| inner.docs.get(i as usize))
                .filter(|d| keep(d))
                .collect(),
            None => inner.docs.iter().filter(|d| keep(d)).collect(),
        };
        let total = hits.len() as i64;
        let start = ((page.max(1) - 1) * per_page) as usize;
        let end = (start + per_page as usize).min(hits.len());
        let order = |a: &&Doc, b: &&Doc| (a.region, &a.name).cmp(&(b.region, &b.name));
        // Only the requested page needs ordering: select the first `end` in linear time, then
        // sort just those. A two-character query can match half the registry.
        if end > 0 && end < hits.len() {
            hits.select_nth_unstable_by(end - 1, order);
            hits.truncate(end);
        }
        hits.sort_unstable_by(order);
        let record_ids = hits
            .iter()
            .skip(start)
            .take(per_page as usize)
            .map(|d| d.record_id.to_string())
            .collect();
        Some(Hits { record_ids, total })
    }
}

/// Documents whose text holds every bigram of `q`; `None` when `q` has no bigram (0–1 chars).
fn candidates(inner: &Inner, q: &str) -> Option<Vec<u32>> {
    let grams = bigrams(q);
    if grams.is_empty() {
        return None;
    }
    let mut lists: Vec<&Vec<u32>> = Vec::with_capacity(grams.len());
    for g in &grams {
        match inner.postings.get(g) {
            Some(l) => lists.push(l),
            None => return Some(Vec::new()),
        }
    }
    lists.sort_by_key(|l| l.len());
    let mut result: Vec<u32> = lists[0].clone();
    for other in &lists[1..] {
        result.retain(|id| other.binary_search(id).is_ok());
        if result.is_empty() {
            break;
        }
    }
    Some(result)
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
