//! Benchmark of the case list (`bench/case_list.sh`): `cases::list` — the page of 50 and the
//! total count — over a generated city of 1,000,000 cases, on SQLite or PostgreSQL.
//!
//! 1. migrates the (empty) database, seeds the demo city (`demo::seed`) and adds the six
//!    district departments of the three districts the demo leaves out (台儿庄区, 山亭区, 滕州市);
//! 2. generates CASES cases with multi-row inserts in transactions: the six districts of 枣庄市
//!    and a few city cases, 7 stages (by the case's age: old cases mostly 结案, some 撤销, a
//!    few still open and overdue), 10 categories, 立案 days over 5 years, 1–2 parties each,
//!    0–3 penalty actions each (decided cases only), 0.5 % shared with a second department;
//! 3. `analyze` (PostgreSQL: `vacuum analyze`, as autovacuum would leave a loaded table);
//! 4. times `cases::list` as the city's leader (`Role::Leader` at 370400) and as an officer of
//!    a district's 卫生监督 department, for COMBOS random (district, stage, category) filters,
//!    pages 1 and 5, plus the unfiltered first page and the overdue filter; prints p50, p95
//!    and max in ms;
//! 5. with `--explain`, splits representative queries into the count and the page and prints
//!    their plans (SQLite `explain query plan`, PostgreSQL `explain (analyze, buffers)`). The
//!    SQL there is a literal copy of what `cases::list` builds (kept in step by hand).
//!
//! Usage: `case_list_bench DATABASE_URL [CASES] [COMBOS] [--explain] [--load-only]`
//! (defaults 1,000,000 and 200). The script gives it an empty database; a database that
//! already holds cases (kept with `--load-only`) is measured as it is, without loading.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use meijian_domain::case::Stage;
use meijian_domain::department::DepartmentKind;
use meijian_domain::lead::Category;
use meijian_domain::region::RegionCode;
use meijian_domain::role::Role;
use meijian_store::accounts::departments::{self, NewDepartment};
use meijian_store::cases::{self, Filter};
use meijian_store::{demo, new_id, timefmt, Actor, Backend, Scope, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::{Executor, Row};
use time::{Date, OffsetDateTime};

const CITY: &str = "370400";
/// (district, weight): 滕州市 is the largest.
const DISTRICTS: [(&str, u32); 6] = [
    ("370402", 18),
    ("370403", 15),
    ("370404", 10),
    ("370405", 8),
    ("370406", 9),
    ("370481", 35),
];
/// Share of cases filed by the city's own departments, in percent.
const CITY_SHARE: u32 = 5;
const CATEGORY_WEIGHTS: [(Category, u32); 10] = [
    (Category::UnlicensedPractice, 25),
    (Category::MedicalInstitution, 20),
    (Category::Drug, 8),
    (Category::Device, 7),
    (Category::Training, 5),
    (Category::Advertising, 12),
    (Category::InternetInfo, 10),
    (Category::Price, 6),
    (Category::Tax, 3),
    (Category::Other, 4),
];
/// Which department of a region handles a case.
const HANDLER_WEIGHTS: [(&str, u32); 6] = [
    ("health_supervision", 45),
    ("market_regulation", 35),
    ("health", 10),
    ("police", 4),
    ("commerce", 3),
    ("tax", 3),
];
const ORIGINS: [&str; 6] = [
    "complaint",
    "inspection",
    "random_inspection",
    "monitoring",
    "referral",
    "other",
];
const CASES_PER_TX: usize = 20_000;
const ROWS_PER_INSERT: usize = 1_000;

fn pick<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut r = rng.gen_range(0..total);
    for (item, w) in items {
        if r < *w {
            return *item;
        }
        r -= w;
    }
    items[items.len() - 1].0
}

fn stage_for_age(rng: &mut StdRng, age_days: i64) -> Stage {
    let r = rng.gen_range(0..100);
    if age_days < 90 {
        match r {
            0..=19 => Stage::Filed,
            20..=59 => Stage::Investigating,
            60..=79 => Stage::Notified,
            80..=89 => Stage::Decided,
            90..=94 => Stage::Executing,
            _ => Stage::Withdrawn,
        }
    } else if age_days < 365 {
        match r {
            0..=2 => Stage::Investigating,
            3..=4 => Stage::Notified,
            5..=11 => Stage::Decided,
            12..=26 => Stage::Executing,
            27..=94 => Stage::Closed,
            _ => Stage::Withdrawn,
        }
    } else {
        match r {
            0 => Stage::Investigating,
            1..=2 => Stage::Executing,
            3..=95 => Stage::Closed,
            _ => Stage::Withdrawn,
        }
    }
}

fn day(d: Date) -> String {
    timefmt::day_to_db(d)
}

fn opt(v: Option<String>) -> String {
    v.map_or_else(|| "null".to_string(), |s| format!("'{s}'"))
}

/// Departments by (kind code, region code), and each department's name.
async fn departments_of(store: &Store) -> HashMap<(String, String), (String, String)> {
    let rows: Vec<(String, String, String, String)> =
        sqlx::query_as("select id, kind, region_code, name from department")
            .fetch_all(store.pool())
            .await
            .unwrap();
    rows.into_iter()
        .map(|(id, kind, region, name)| ((kind, region), (id, name)))
        .collect()
}

async fn setup(store: &Store, now: OffsetDateTime) {
    store.migrate().await.expect("migrate");
    demo::seed(store, now).await.expect("demo seed");
    let scope = Scope::system(Actor::system("bench"));
    let mut tx = store.begin().await.unwrap();
    for district in ["370405", "370406", "370481"] {
        for kind in [
            DepartmentKind::Health,
            DepartmentKind::HealthSupervision,
            DepartmentKind::MarketRegulation,
            DepartmentKind::Police,
            DepartmentKind::Commerce,
            DepartmentKind::Tax,
        ] {
            departments::create(
                &mut tx,
                &scope,
                now,
                NewDepartment {
                    kind,
                    region: RegionCode::parse(district).unwrap(),
                    name: None,
                },
            )
            .await
            .expect("department");
        }
    }
    tx.commit().await.unwrap();
}

/// Inserts `n` cases with their parties, actions and a few grants.
async fn generate(store: &Store, now: OffsetDateTime, n: usize) -> (usize, usize, usize) {
    let depts = departments_of(store).await;
    let mut rng = StdRng::seed_from_u64(12);
    let today = now.date();
    let at = timefmt::to_db(now);
    let (mut parties, mut actions, mut grants) = (0usize, 0usize, 0usize);
    let mut done = 0usize;
    while done < n {
        let in_tx = CASES_PER_TX.min(n - done);
        let mut tx = store.begin().await.unwrap();
        let mut chunk = 0;
        while chunk < in_tx {
            let rows = ROWS_PER_INSERT.min(in_tx - chunk);
            let mut cs = String::from(
                "insert into enforcement_case (id, case_no, title, category, origin, stage, \
                 region_code, department_id, authority, violation, filed_on, decide_due, \
                 notified_on, decided_on, closed_on, withdrawn_at, withdraw_reason, source, \
                 created_by, created_at, updated_at, version) values ",
            );
            let mut ps = String::from(
                "insert into case_party (id, case_id, seq, kind, name, id_number, operator_id, \
                 severity, severity_reason, created_at) values ",
            );
            let mut acts = String::from(
                "insert into case_action (id, penalty_no, case_id, party_id, kind, amount_fen, \
                 ban_years, decided_on, decision_no, created_at) values ",
            );
            let mut gs = String::from(
                "insert into case_grant (case_id, department_id, granted_by, granted_at, note) \
                 values ",
            );
            let (mut any_action, mut any_grant) = (false, false);
            for k in 0..rows {
                let i = done + chunk + k;
                let id = new_id();
                let region = if rng.gen_range(0..100) < CITY_SHARE {
                    CITY
                } else {
                    pick(&mut rng, &DISTRICTS)
                };
                let category = pick(&mut rng, &CATEGORY_WEIGHTS);
                let age = rng.gen_range(0..5 * 365 + 1);
                let filed = today - time::Duration::days(age);
                let stage = stage_for_age(&mut rng, age);
                let handler = pick(&mut rng, &HANDLER_WEIGHTS);
                let (dept_id, dept_name) = depts
                    .get(&(handler.to_string(), region.to_string()))
                    .or_else(|| depts.get(&("health_supervision".into(), region.to_string())))
                    .cloned()
                    .unwrap();
                let decide_due = stage
                    .before_decision()
                    .then(|| format!("{}T16:00:00Z", day(filed + time::Duration::days(89))));
                let notified = matches!(
                    stage,
                    Stage::Notified | Stage::Decided | Stage::Executing | Stage::Closed
                )
                .then(|| day(filed + time::Duration::days(30.min(age))));
                let decided = stage
                    .decided()
                    .then(|| filed + time::Duration::days(rng.gen_range(35..80).min(age)));
                let closed = (stage == Stage::Closed)
                    .then(|| day(decided.unwrap() + time::Duration::days(20.min(age))));
                let withdrawn = (stage == Stage::Withdrawn).then(|| {
                    format!(
                        "{}T02:00:00Z",
                        day(filed + time::Duration::days(5.min(age)))
                    )
                });
                let source = if age > 365 { "history" } else { "officer" };
                let origin = ORIGINS[rng.gen_range(0..ORIGINS.len())];
                let subject = format!("枣庄某某医疗美容{}号店", i % 9973);
                if k > 0 {
                    cs.push(',');
                }
                write!(
                    cs,
                    "('{id}','BENCH{i:07}','{subject}涉嫌{}案','{}','{origin}','{}','{region}',\
                     '{dept_id}','{dept_name}','经查，当事人{subject}存在{}行为，事实清楚，证据确凿。',\
                     '{}',{},{},{},{},{},{},'{source}','bench','{at}','{at}',1)",
                    category.label_zh(),
                    category.code(),
                    stage.code(),
                    category.label_zh(),
                    day(filed),
                    opt(decide_due),
                    opt(notified),
                    opt(decided.map(day)),
                    opt(closed),
                    opt(withdrawn.clone()),
                    opt(withdrawn.map(|_| "立案错误".to_string())),
                )
                .unwrap();
                let n_parties = if rng.gen_range(0..100) < 80 { 1 } else { 2 };
                let mut party_ids = Vec::new();
                for seq in 1..=n_parties {
                    let pid = format!("{id}-P{seq}");
                    let (kind, name, number) = if seq == 1 {
                        (
                            "organisation",
                            subject.clone(),
                            format!("91370400MA{:08}", i % 100_000_000),
                        )
                    } else {
                        (
                            "person",
                            format!("张某{}", i % 997),
                            format!("37040219{:02}0101{:04}", 60 + i % 40, i % 10_000),
                        )
                    };
                    if k > 0 || seq > 1 {
                        ps.push(',');
                    }
                    write!(
                        ps,
                        "('{pid}','{id}',{seq},'{kind}','{name}','{number}',null,null,null,'{at}')"
                    )
                    .unwrap();
                    party_ids.push(pid);
                }
                parties += n_parties;
                if let Some(decided) = decided {
                    for a in 0..rng.gen_range(0..=3usize) {
                        let kind = ["fine", "confiscate_income", "warning"][a];
                        let amount: i64 = if kind == "warning" {
                            0
                        } else {
                            rng.gen_range(1_000..200_000) * 100
                        };
                        let party = &party_ids[a % party_ids.len()];
                        if any_action {
                            acts.push(',');
                        }
                        any_action = true;
                        write!(
                            acts,
                            "('{id}-A{a}','BENCH{i:07}-{a}','{id}','{party}','{kind}',{amount},null,\
                             '{}','枣卫罚〔{}〕{i}号','{at}')",
                            day(decided),
                            decided.year()
                        )
                        .unwrap();
                        actions += 1;
                    }
                }
                if rng.gen_range(0..1000) < 5 {
                    // Shared with the region's police (联合办案), or market regulation.
                    let other = if handler == "police" {
                        "market_regulation"
                    } else {
                        "police"
                    };
                    if let Some((gid, _)) = depts.get(&(other.to_string(), region.to_string())) {
                        if any_grant {
                            gs.push(',');
                        }
                        any_grant = true;
                        write!(gs, "('{id}','{gid}','bench','{at}','联合办案')").unwrap();
                        grants += 1;
                    }
                }
            }
            tx.execute(cs.as_str()).await.expect("insert cases");
            tx.execute(ps.as_str()).await.expect("insert parties");
            if any_action {
                tx.execute(acts.as_str()).await.expect("insert actions");
            }
            if any_grant {
                tx.execute(gs.as_str()).await.expect("insert grants");
            }
            chunk += rows;
        }
        tx.commit().await.unwrap();
        done += in_tx;
        if done.is_multiple_of(200_000) || done == n {
            eprintln!("  {done} cases");
        }
    }
    (parties, actions, grants)
}

fn ms(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len());
    sorted[i - 1].as_secs_f64() * 1000.0
}

struct Series {
    name: String,
    times: Vec<Duration>,
    matched: i64,
}

impl Series {
    fn new(name: &str) -> Series {
        Series {
            name: name.to_string(),
            times: Vec::new(),
            matched: 0,
        }
    }
}

fn leader(depts: &HashMap<(String, String), (String, String)>) -> Scope {
    let (id, _) = depts
        .get(&("health".to_string(), CITY.to_string()))
        .unwrap();
    Scope::for_user(
        Actor::system("bench-leader"),
        Role::Leader,
        id.clone(),
        RegionCode::parse(CITY).unwrap(),
    )
}

fn officer(depts: &HashMap<(String, String), (String, String)>, district: &str) -> Scope {
    let (id, _) = depts
        .get(&("health_supervision".to_string(), district.to_string()))
        .unwrap();
    Scope::for_user(
        Actor::system("bench-officer"),
        Role::Officer,
        id.clone(),
        RegionCode::parse(district).unwrap(),
    )
}

async fn timed(
    store: &Store,
    s: &mut Series,
    scope: &Scope,
    filter: &Filter,
    now: OffsetDateTime,
    offset: i64,
) {
    let t = Instant::now();
    let (rows, total) = cases::list(store, scope, filter, now, 50, offset)
        .await
        .expect("list");
    s.times.push(t.elapsed());
    s.matched += total;
    assert!(rows.len() as i64 <= 50);
}

/// The SQL `cases::list` builds, with literals (a copy; see crates/store/src/cases/mod.rs).
fn list_sql(visible: &str, filter: &str, offset: i64) -> (String, String) {
    let count = format!("select count(*) from enforcement_case c where 1 = 1{visible}{filter}");
    let page = format!(
        "select c.id, c.case_no, c.title, c.category, c.origin, c.stage, \
         c.region_code, c.department_id, c.authority, c.violation, c.filed_on, c.decide_due, \
         c.extension_state, c.extension_reason, c.notified_on, c.hearing, c.defence_note, \
         c.decided_on, c.closed_on, c.close_note, c.withdrawn_at, c.withdraw_reason, c.source, \
         c.created_by, c.created_at, c.updated_at, c.version, \
         (select min(p.name) from case_party p where p.case_id = c.id) as party_name, \
         (select count(*) from case_party p where p.case_id = c.id) as party_count, \
         cast(coalesce((select sum(a.amount_fen) from case_action a where a.case_id = c.id \
         and a.kind in ('fine', 'confiscate_income')), 0) as bigint) as forfeiture_fen \
         from enforcement_case c where 1 = 1{visible}{filter} \
         order by c.filed_on desc, c.id desc limit 50 offset {offset}"
    );
    (count, page)
}

/// Median of three runs of `sql` with `binds` (i64), in ms.
async fn median_ms(store: &Store, sql: &str, binds: &[i64]) -> f64 {
    let mut t = Vec::new();
    for _ in 0..3 {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = q.bind(*b);
        }
        let started = Instant::now();
        q.fetch_all(store.pool()).await.unwrap();
        t.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    t.sort_by(f64::total_cmp);
    t[1]
}

async fn explain(store: &Store, label: &str, sql: &str) {
    let once = median_ms(store, sql, &[]).await;
    let mut lines = Vec::new();
    match store.backend() {
        Backend::Sqlite => {
            for r in sqlx::query(&format!("explain query plan {sql}"))
                .fetch_all(store.pool())
                .await
                .unwrap()
            {
                let id: i64 = r.try_get(0).unwrap();
                let parent: i64 = r.try_get(1).unwrap();
                let detail: String = r.try_get(3).unwrap();
                lines.push(format!("    [{id}<-{parent}] {detail}"));
            }
        }
        Backend::Postgres => {
            for r in sqlx::query(&format!("explain (analyze, buffers) {sql}"))
                .fetch_all(store.pool())
                .await
                .unwrap()
            {
                let line: String = r.try_get(0).unwrap();
                lines.push(format!("    {line}"));
            }
        }
    }
    println!("  {label}: {once:.1} ms (median of 3, literals)");
    for l in lines {
        println!("{l}");
    }
}

/// `sql` with its quoted literals after `where` (and the limit and offset) turned into bound
/// parameters, as `cases::list` binds them (the overdue stage list is literal text there too).
fn bind_literals(sql: &str) -> (String, Vec<String>) {
    const STAGES: &str = "('filed', 'investigating', 'notified')";
    let at = sql.find(" where 1 = 1").unwrap();
    let (head, tail) = sql.split_at(at);
    let tail = tail.replace(STAGES, "@STAGES@");
    let mut out = head.to_string();
    let mut binds = Vec::new();
    let mut rest = tail.as_str();
    while let Some(i) = rest.find('\'') {
        out.push_str(&rest[..i]);
        let j = rest[i + 1..].find('\'').unwrap() + i + 1;
        binds.push(rest[i + 1..j].to_string());
        write!(out, "${}", binds.len()).unwrap();
        rest = &rest[j + 1..];
    }
    out.push_str(rest);
    let out = out.replace("@STAGES@", STAGES);
    // limit 50 offset N → bound integers.
    let (out, limits) = match out.rfind(" limit 50 offset ") {
        Some(k) => {
            let after = &out[k + " limit 50 offset ".len()..];
            let digits = after.chars().take_while(char::is_ascii_digit).count();
            let n = binds.len();
            (
                format!(
                    "{} limit ${} offset ${}{}",
                    &out[..k],
                    n + 1,
                    n + 2,
                    &after[digits..]
                ),
                vec!["50".to_string(), after[..digits].to_string()],
            )
        }
        None => (out, Vec::new()),
    };
    binds.extend(limits.into_iter().map(|l| format!("#{l}")));
    (out, binds)
}

/// Runs `sql` with `binds` (`#n` for an integer) 8 times on one connection, as a prepared
/// statement the way `cases::list` runs it (PostgreSQL turns to a generic plan after five
/// runs when it looks no dearer); the median of the last three, in ms.
async fn bound_ms(conn: &mut sqlx::AnyConnection, sql: &str, binds: &[String]) -> f64 {
    let mut t = Vec::new();
    for _ in 0..8 {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = match b.strip_prefix('#') {
                Some(n) => q.bind(n.parse::<i64>().unwrap()),
                None => q.bind(b.clone()),
            };
        }
        let started = Instant::now();
        q.fetch_all(&mut *conn).await.unwrap();
        t.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let mut last = t[5..].to_vec();
    last.sort_by(f64::total_cmp);
    last[1]
}

/// The count and the page with bound parameters (as `cases::list` runs them), the page with the
/// ids chosen first (columns and subqueries computed for the 50 rows only) and, on PostgreSQL,
/// the plan PostgreSQL uses for the bound count and page once it has switched to a generic plan.
async fn variants(store: &Store, label: &str, visible: &str, filter: &str, offset: i64) {
    let (count, page) = list_sql(visible, filter, offset);
    let mut conn = store.pool().acquire().await.unwrap();
    let (bcount, cbinds) = bind_literals(&count);
    let (bpage, pbinds) = bind_literals(&page);
    let count_ms = bound_ms(&mut conn, &bcount, &cbinds).await;
    let page_ms = bound_ms(&mut conn, &bpage, &pbinds).await;
    let cols = &page[..page.find(" from enforcement_case c where").unwrap()];
    let ids_first = format!(
        "{cols} from (select c.id from enforcement_case c where 1 = 1{visible}{filter} \
         order by c.filed_on desc, c.id desc limit 50 offset {offset}) pg \
         join enforcement_case c on c.id = pg.id order by c.filed_on desc, c.id desc"
    );
    let (bids, ibinds) = bind_literals(&ids_first);
    let ids_ms = bound_ms(&mut conn, &bids, &ibinds).await;
    println!(
        "  {label} — bound, 6th-8th run: count {count_ms:.1} ms, page {page_ms:.1} ms; \
         page with ids first {ids_ms:.1} ms"
    );
    if matches!(store.backend(), Backend::Postgres) {
        for (what, sql, binds) in [("count", &bcount, &cbinds), ("page", &bpage, &pbinds)] {
            let args: Vec<String> = binds
                .iter()
                .map(|b| match b.strip_prefix('#') {
                    Some(n) => n.to_string(),
                    None => format!("'{b}'"),
                })
                .collect();
            conn.execute("set plan_cache_mode = force_generic_plan")
                .await
                .unwrap();
            conn.execute(format!("prepare bench_q as {sql}").as_str())
                .await
                .unwrap();
            let rows = conn
                .fetch_all(
                    format!(
                        "explain (analyze, buffers) execute bench_q({})",
                        args.join(", ")
                    )
                    .as_str(),
                )
                .await
                .unwrap();
            conn.execute("deallocate bench_q; reset plan_cache_mode")
                .await
                .unwrap();
            println!("  {label} — {what}, generic plan (bound parameters):");
            for r in rows {
                let line: String = r.try_get(0).unwrap();
                println!("    {line}");
            }
        }
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let url = args
        .get(1)
        .expect("usage: case_list_bench DATABASE_URL [CASES] [COMBOS] [--explain]");
    let positional: Vec<&String> = args[2..].iter().filter(|a| !a.starts_with("--")).collect();
    let n: usize = positional.first().map_or(1_000_000, |s| s.parse().unwrap());
    let combos: usize = positional.get(1).map_or(200, |s| s.parse().unwrap());
    let with_explain = args.iter().any(|a| a == "--explain");
    let store = Store::connect(url).await.expect("connect");
    let backend = match store.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();

    let existing: i64 = sqlx::query_scalar("select count(*) from enforcement_case")
        .fetch_one(store.pool())
        .await
        .unwrap_or(0);
    if existing > 0 {
        // A database kept from an earlier run (`--load-only`): measure it as it is.
        println!("{backend}: reusing {existing} cases already in the database");
    } else {
        let t = Instant::now();
        setup(&store, now).await;
        let setup_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let (parties, actions, grants) = generate(&store, now, n).await;
        let load_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        match store.backend() {
            Backend::Sqlite => store.pool().execute("analyze").await.unwrap(),
            Backend::Postgres => store.pool().execute("vacuum analyze").await.unwrap(),
        };
        let analyze_s = t.elapsed().as_secs_f64();
        println!(
            "{backend}: {n} cases, {parties} parties, {actions} actions, {grants} grants; \
             migrate+seed {setup_s:.1} s, load {load_s:.1} s ({:.0} cases/s), analyze {analyze_s:.1} s",
            n as f64 / load_s
        );
    }
    if args.iter().any(|a| a == "--load-only") {
        store.close().await;
        return;
    }

    let depts = departments_of(&store).await;
    let boss = leader(&depts);
    let mut rng = StdRng::seed_from_u64(99);
    let stages = Stage::ALL;
    let districts: Vec<&str> = DISTRICTS.iter().map(|(d, _)| *d).collect();
    let combo_list: Vec<(&str, Stage, Category)> = (0..combos)
        .map(|_| {
            (
                districts[rng.gen_range(0..districts.len())],
                stages[rng.gen_range(0..stages.len())],
                Category::ALL[rng.gen_range(0..Category::ALL.len())],
            )
        })
        .collect();

    // Warm-up, untimed: a few queries of each shape.
    for (d, stage, category) in combo_list.iter().take(5) {
        let f = Filter {
            region: Some(d.to_string()),
            stage: Some(*stage),
            category: Some(*category),
            ..Filter::default()
        };
        cases::list(&store, &boss, &f, now, 50, 0).await.unwrap();
        cases::list(&store, &officer(&depts, d), &f, now, 50, 0)
            .await
            .unwrap();
    }

    let mut series = vec![
        Series::new("leader  district+stage+category p1"),
        Series::new("leader  district+stage+category p5"),
        Series::new("officer district+stage+category p1"),
        Series::new("officer district+stage+category p5"),
        Series::new("leader  unfiltered p1"),
        Series::new("officer unfiltered p1"),
        Series::new("leader  overdue p1"),
        Series::new("officer overdue p1"),
    ];
    for (d, stage, category) in &combo_list {
        let f = Filter {
            region: Some(d.to_string()),
            stage: Some(*stage),
            category: Some(*category),
            ..Filter::default()
        };
        let off = officer(&depts, d);
        timed(&store, &mut series[0], &boss, &f, now, 0).await;
        timed(&store, &mut series[1], &boss, &f, now, 200).await;
        timed(&store, &mut series[2], &off, &f, now, 0).await;
        timed(&store, &mut series[3], &off, &f, now, 200).await;
    }
    let reps = (combos / 4).max(10);
    let overdue = Filter {
        overdue: true,
        ..Filter::default()
    };
    for r in 0..reps {
        let off = officer(&depts, districts[r % districts.len()]);
        timed(&store, &mut series[4], &boss, &Filter::default(), now, 0).await;
        timed(&store, &mut series[5], &off, &Filter::default(), now, 0).await;
        timed(&store, &mut series[6], &boss, &overdue, now, 0).await;
        timed(&store, &mut series[7], &off, &overdue, now, 0).await;
    }
    println!("{backend}\tquery\truns\tp50 ms\tp95 ms\tmax ms\tmean matches");
    for s in &mut series {
        s.times.sort();
        println!(
            "{backend}\t{}\t{}\t{:.1}\t{:.1}\t{:.1}\t{:.0}",
            s.name,
            s.times.len(),
            ms(&s.times, 0.5),
            ms(&s.times, 0.95),
            ms(&s.times, 1.0),
            s.matched as f64 / s.times.len() as f64
        );
    }

    if with_explain {
        let (lo, hi) = boss.region_range();
        let lead_vis = format!(" and c.region_code between '{lo}' and '{hi}'");
        let d = "370481";
        let off_id = officer(&depts, d).department_id.unwrap();
        let off_vis = format!(
            " and (c.department_id = '{off_id}' or c.id in (select g.case_id from case_grant g \
             where g.revoked_at is null and g.department_id = '{off_id}'))"
        );
        let filtered =
            format!(" and c.region_code = '{d}' and c.stage = 'closed' and c.category = 'unlicensed_practice'");
        let overdue = format!(
            " and c.stage in ('filed', 'investigating', 'notified') and c.decide_due < '{}'",
            timefmt::to_db(now)
        );
        println!("{backend} plans (one run each, after the timings; 滕州市 370481, the largest district)");
        for (label, vis, filter, offset) in [
            (
                "leader filtered closed+unlicensed p1",
                &lead_vis,
                filtered.as_str(),
                0,
            ),
            (
                "leader filtered closed+unlicensed p5",
                &lead_vis,
                filtered.as_str(),
                200,
            ),
            (
                "officer filtered closed+unlicensed p1",
                &off_vis,
                filtered.as_str(),
                0,
            ),
            ("leader unfiltered p1", &lead_vis, "", 0),
            ("officer unfiltered p1", &off_vis, "", 0),
            ("leader overdue p1", &lead_vis, overdue.as_str(), 0),
            ("officer overdue p1", &off_vis, overdue.as_str(), 0),
        ] {
            let (count, page) = list_sql(vis, filter, offset);
            explain(&store, &format!("{label} — count"), &count).await;
            explain(&store, &format!("{label} — page"), &page).await;
            variants(&store, label, vis, filter, offset).await;
        }
    }
    store.close().await;
}
