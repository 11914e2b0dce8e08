//! Carrying a cross-check run into the 主体库, in the run's transaction: a failed run changes
//! nothing here either.
//!
//! Only what changed is written: the run's operators are compared with the record by a hash of
//! their identity, so a re-run over an unchanged city reads the record once and writes almost
//! nothing (the benchmark `bench/operators.sh` measures what the update adds to a run).

use meijian_domain::operator::{EventKind, OperatorStatus, Origin};
use meijian_linkage::name::NameParts;
use rustc_hash::{FxHashMap, FxHashSet};
use time::OffsetDateTime;

use super::{Identity, Moves, REFERENCES, SEP};
use crate::sql::{bulk_insert, values, Query};
use crate::{new_id, timefmt, Actor, Backend, StoreError, Tx};

/// Rows per multi-row statement (14 binds a row for operators, 8 for events; well under both
/// databases' bind limits).
const BATCH: usize = 1000;

/// What one run changed in the record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpdateCounts {
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub absent: usize,
    pub merged: usize,
    /// Provisional operators found among the run's operators.
    pub linked: usize,
}

#[derive(sqlx::FromRow)]
struct Known {
    id: String,
    status: String,
    origin: String,
    fingerprint: String,
}

/// An event to write.
pub(crate) struct Event<'a> {
    pub operator_id: &'a str,
    pub kind: EventKind,
    pub other_id: Option<&'a str>,
    pub run_id: Option<&'a str>,
    pub note: &'a str,
}

/// Brings the record of the run's jurisdiction `[lo, hi]` up to the run.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub(crate) async fn after_run(
    tx: &mut Tx,
    backend: Backend,
    actor: &Actor,
    run_id: &str,
    (lo, hi): (&str, &str),
    identities: &[Identity],
    moves: &Moves,
    now: OffsetDateTime,
) -> Result<UpdateCounts, StoreError> {
    let at = timefmt::to_db(now);
    let known: Vec<Known> =
        Query::new("select id, status, origin, fingerprint from operator where status <> 'merged'")
            .in_range("region_code", (lo, hi))
            .fetch_all(&mut **tx)
            .await?;
    let known: FxHashMap<&str, &Known> = known.iter().map(|k| (k.id.as_str(), k)).collect();
    let mut counts = UpdateCounts::default();

    // New and changed operators; unchanged ones are not written at all.
    let mut write = Vec::new();
    for identity in identities {
        let fingerprint = identity.fingerprint();
        match known.get(identity.id.as_str()) {
            Some(k) if k.fingerprint == fingerprint && k.status == "active" => {
                counts.unchanged += 1
            }
            Some(_) => {
                counts.changed += 1;
                write.push((identity, fingerprint));
            }
            None => {
                counts.added += 1;
                write.push((identity, fingerprint));
            }
        }
    }
    let mut events: Vec<(String, EventKind, Option<String>, String)> = Vec::new();
    let (new, write): (Vec<_>, Vec<_>) = write
        .into_iter()
        .partition(|(i, _)| !known.contains_key(i.id.as_str()));
    for chunk in new.chunks(BATCH) {
        write_rows(tx, backend, run_id, &at, chunk, false).await?;
    }
    for (identity, _) in &write {
        if known
            .get(identity.id.as_str())
            .is_some_and(|k| k.status == OperatorStatus::Absent.code())
        {
            events.push((
                identity.id.clone(),
                EventKind::Returned,
                None,
                String::new(),
            ));
        }
    }
    for chunk in write.chunks(BATCH) {
        write_rows(tx, backend, run_id, &at, chunk, true).await?;
    }

    // Operators a run joined into another, then those simply gone.
    let present: FxHashSet<&str> = identities.iter().map(|i| i.id.as_str()).collect();
    let mut merged_away: FxHashSet<&str> = FxHashSet::default();
    for (old, new) in &moves.merged {
        if !known.contains_key(old.as_str()) || present.contains(old.as_str()) {
            continue;
        }
        merge_into(
            tx,
            backend,
            actor,
            old,
            new,
            Some(run_id),
            "比对中其登记记录归入该主体",
            &at,
        )
        .await?;
        merged_away.insert(old);
        counts.merged += 1;
    }
    let mut gone = Vec::new();
    for k in known.values() {
        if k.origin == Origin::Registry.code()
            && k.status == OperatorStatus::Active.code()
            && !present.contains(k.id.as_str())
            && !merged_away.contains(k.id.as_str())
        {
            gone.push(k.id.clone());
        }
    }
    for chunk in gone.chunks(BATCH) {
        let mut q = Query::new("update operator set status = 'absent', absent_since = ");
        q.bind(&at)
            .push(", updated_at = ")
            .bind(&at)
            .push(" where id in (");
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind(id);
        }
        q.push(")").execute(&mut **tx).await?;
        for id in chunk {
            events.push((id.clone(), EventKind::Absent, None, String::new()));
        }
    }
    counts.absent = gone.len();
    for (new, from) in &moves.split {
        if known.contains_key(from.as_str()) {
            events.push((
                new.clone(),
                EventKind::SplitFrom,
                Some(from.clone()),
                String::new(),
            ));
            events.push((
                from.clone(),
                EventKind::SplitOff,
                Some(new.clone()),
                String::new(),
            ));
        }
    }

    counts.linked = link_provisional(tx, backend, actor, run_id, (lo, hi), identities, &at).await?;

    for chunk in events.chunks(BATCH) {
        let batch: Vec<Event> = chunk
            .iter()
            .map(|(id, kind, other, note)| Event {
                operator_id: id,
                kind: *kind,
                other_id: other.as_deref(),
                run_id: Some(run_id),
                note,
            })
            .collect();
        write_events(tx, backend, actor, &at, &batch).await?;
    }
    Ok(counts)
}

/// Writes operators of a run: new ones by a plain multi-row insert, changed ones by an upsert
/// (`replace`). What is the same for every row of a run (origin, status, the run, the time) is
/// written once into the statement's text instead of bound per row: a first run over a city
/// inserts every operator, and the binds are most of its cost. The run id and the time are this
/// code's own (`new_id`, `timefmt::to_db`), never user input.
async fn write_rows(
    tx: &mut Tx,
    backend: Backend,
    run_id: &str,
    at: &str,
    chunk: &[(&Identity, String)],
    replace: bool,
) -> Result<(), StoreError> {
    debug_assert!(run_id.chars().all(|c| c.is_ascii_alphanumeric()));
    debug_assert!(at
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-:T".contains(c)));
    let mut sql = format!(
        "{} operator (id, split_from, region_code, name, names, uscc, legal_rep, persons, \
         address, addresses, class, public_kind, members, fingerprint, origin, status, \
         class_run_id, first_run_id, created_at, updated_at) values ",
        if replace {
            "insert into"
        } else {
            bulk_insert(backend)
        }
    );
    let constants = format!(", 'registry', 'active', '{run_id}', '{run_id}', '{at}', '{at}')");
    let mut n = 0;
    for row in 0..chunk.len() {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for col in 0..14 {
            if col > 0 {
                sql.push_str(", ");
            }
            n += 1;
            sql.push_str(&crate::sql::param(backend, n));
        }
        sql.push_str(&constants);
    }
    if replace {
        // A changed operator is current again; its first run and creation stay, and the run
        // that set its class changes only with the class.
        sql.push_str(
            " on conflict (id) do update set status = 'active', merged_into = null, \
             split_from = coalesce(excluded.split_from, operator.split_from), \
             region_code = excluded.region_code, name = excluded.name, names = excluded.names, \
             uscc = excluded.uscc, legal_rep = excluded.legal_rep, persons = excluded.persons, \
             address = excluded.address, addresses = excluded.addresses, \
             class_run_id = case when operator.class = excluded.class \
             then operator.class_run_id else excluded.class_run_id end, \
             class = excluded.class, public_kind = excluded.public_kind, \
             members = excluded.members, fingerprint = excluded.fingerprint, \
             updated_at = excluded.updated_at, absent_since = null",
        );
    }
    let mut q = sqlx::query(&sql);
    for (i, fingerprint) in chunk {
        q = q
            .bind(&i.id)
            .bind(&i.split_from)
            .bind(&i.region_code)
            .bind(&i.name)
            .bind(i.names.join(SEP))
            .bind(&i.uscc)
            .bind(&i.legal_rep)
            .bind(i.persons.join(SEP))
            .bind(&i.address)
            .bind(i.addresses.join(SEP))
            .bind(&i.class)
            .bind(&i.public_kind)
            .bind(i.members)
            .bind(fingerprint);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// Marks `old` as merged into `new` and moves every reference to `new`; events on both.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub(crate) async fn merge_into(
    tx: &mut Tx,
    backend: Backend,
    actor: &Actor,
    old: &str,
    new: &str,
    run_id: Option<&str>,
    note: &str,
    at: &str,
) -> Result<(), StoreError> {
    let mut q = Query::new("update operator set status = 'merged', merged_into = ");
    q.bind(new)
        .push(", updated_at = ")
        .bind(at)
        .push(" where id = ")
        .bind(old);
    q.execute(&mut **tx).await?;
    // Operators merged into `old` earlier now point at `new`: one step resolves any id.
    let mut q = Query::new("update operator set merged_into = ");
    q.bind(new).push(" where merged_into = ").bind(old);
    q.execute(&mut **tx).await?;
    let name: Option<String> = Query::new("select name from operator where id = ")
        .bind(new)
        .fetch_optional::<(String,), _>(&mut **tx)
        .await?
        .map(|(n,)| n);
    for (table, column, name_column) in REFERENCES {
        let mut q = Query::new(&format!("update {table} set {column} = "));
        q.bind(new);
        if let (Some(name_column), Some(name)) = (name_column, &name) {
            q.push(&format!(", {name_column} = ")).bind(name);
        }
        q.push(&format!(" where {column} = ")).bind(old);
        q.execute(&mut **tx).await?;
    }
    write_events(
        tx,
        backend,
        actor,
        at,
        &[
            Event {
                operator_id: old,
                kind: EventKind::MergedInto,
                other_id: Some(new),
                run_id,
                note,
            },
            Event {
                operator_id: new,
                kind: EventKind::Absorbed,
                other_id: Some(old),
                run_id,
                note,
            },
        ],
    )
    .await
}

#[tracing::instrument(skip_all)]
pub(crate) async fn write_events(
    tx: &mut Tx,
    backend: Backend,
    actor: &Actor,
    at: &str,
    events: &[Event<'_>],
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "{} operator_event (id, operator_id, at, kind, other_id, run_id, note, actor_name) \
         values {}",
        bulk_insert(backend),
        values(backend, events.len(), 8, 1)
    );
    let mut q = sqlx::query(&sql);
    for e in events {
        q = q
            .bind(new_id())
            .bind(e.operator_id)
            .bind(at)
            .bind(e.kind.code())
            .bind(e.other_id)
            .bind(e.run_id)
            .bind(e.note)
            .bind(&actor.name);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct Provisional {
    id: String,
    region_code: String,
    name: String,
    uscc: Option<String>,
}

/// Provisional operators of the jurisdiction that a run found among registry operators: the
/// same 统一社会信用代码, or the same name core (字号 and industry) in the same district with
/// exactly one such operator. They are merged into it; the rest stay 无照无证.
async fn link_provisional(
    tx: &mut Tx,
    backend: Backend,
    actor: &Actor,
    run_id: &str,
    (lo, hi): (&str, &str),
    identities: &[Identity],
    at: &str,
) -> Result<usize, StoreError> {
    let provisional: Vec<Provisional> = Query::new(
        "select id, region_code, name, uscc from operator \
         where origin = 'provisional' and status = 'active'",
    )
    .in_range("region_code", (lo, hi))
    .fetch_all(&mut **tx)
    .await?;
    if provisional.is_empty() {
        return Ok(0);
    }
    let mut by_uscc: FxHashMap<&str, &str> = FxHashMap::default();
    let mut by_core: FxHashMap<(String, &str), Vec<&str>> = FxHashMap::default();
    for i in identities {
        if let Some(u) = &i.uscc {
            by_uscc.insert(u, &i.id);
        }
        for name in &i.names {
            let core = NameParts::parse(name, Some(&i.region_code)).core;
            if core.chars().count() >= 2 {
                let ids = by_core.entry((core, i.region_code.as_str())).or_default();
                if !ids.contains(&i.id.as_str()) {
                    ids.push(&i.id);
                }
            }
        }
    }
    let mut linked = 0;
    for p in &provisional {
        let by_code = p.uscc.as_deref().and_then(|u| by_uscc.get(u).copied());
        let core = NameParts::parse(&p.name, Some(&p.region_code)).core;
        let by_name = by_core
            .get(&(core, p.region_code.as_str()))
            .filter(|ids| ids.len() == 1)
            .map(|ids| ids[0]);
        if let Some(target) = by_code.or(by_name) {
            let note = if by_code.is_some() {
                "比对发现统一社会信用代码相同的登记主体"
            } else {
                "比对发现同一区县名称相同的登记主体"
            };
            merge_into(tx, backend, actor, &p.id, target, Some(run_id), note, at).await?;
            write_events(
                tx,
                backend,
                actor,
                at,
                &[Event {
                    operator_id: target,
                    kind: EventKind::Linked,
                    other_id: Some(&p.id),
                    run_id: Some(run_id),
                    note,
                }],
            )
            .await?;
            linked += 1;
        }
    }
    Ok(linked)
}
