//! Importing the enforcement history (cases and penalties) on SQLite and PostgreSQL: good rows
//! in, bad rows reported with line, column and a Chinese reason; re-importing changes nothing;
//! a newer export updates by key and the case history says what changed; amounts exact in 分;
//! parties identified and linked to the 主体库; the scope bounds what an import may touch.
//!
//! Rows come from a small in-test reader (tab-separated, header by Chinese name or alias) that
//! yields what the registry reader yields; reading real files (encodings, XLSX) is the file
//! reader's, tested at the end once it reads these layouts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use meijian_domain::region::RegionCode;
use meijian_registry::{ParsedRow, Record};
use meijian_store::cases::import::{
    import_rows, HistoryFile, HistoryImportOptions, HistoryImportReport, RowSource,
};
use meijian_store::testing::TestDb;
use meijian_store::{both_backends, Actor, Scope, Store};
use time::macros::datetime;
use time::OffsetDateTime;

const NOW: OffsetDateTime = datetime!(2026-11-20 02:00 UTC);

/// Rows as the registry reader yields them, from tab-separated text whose first line is the
/// header (Chinese headers or English aliases; unknown headers become extras). Line numbers
/// count the header as line 1.
struct TextRows {
    rows: std::vec::IntoIter<ParsedRow>,
    total: u64,
}

impl TextRows {
    fn new(file: HistoryFile, text: &str) -> TextRows {
        let mut lines = text.lines();
        let header: Vec<String> = lines
            .next()
            .unwrap()
            .split('\t')
            .map(|h| h.trim().to_string())
            .collect();
        let names: Vec<Option<&'static str>> = header
            .iter()
            .map(|h| {
                file.columns()
                    .iter()
                    .find(|c| c.header == h || c.name == h)
                    .map(|c| c.name)
            })
            .collect();
        let rows: Vec<ParsedRow> = lines
            .enumerate()
            .map(|(i, line)| {
                let mut fields = BTreeMap::new();
                let mut extras = BTreeMap::new();
                for (cell, (h, name)) in line.split('\t').zip(header.iter().zip(&names)) {
                    let cell = cell.trim();
                    if cell.is_empty() {
                        continue;
                    }
                    match name {
                        Some(n) => {
                            fields.insert(*n, cell.to_string());
                        }
                        None => {
                            extras.insert(h.clone(), cell.to_string());
                        }
                    }
                }
                ParsedRow::Ok(Record {
                    line: i as u64 + 2,
                    key: fields.get(file.key()).cloned().unwrap_or_default(),
                    fields,
                    extras,
                    warnings: Vec::new(),
                })
            })
            .collect();
        let total = rows.len() as u64;
        TextRows {
            rows: rows.into_iter(),
            total,
        }
    }
}

impl RowSource for TextRows {
    fn next_row(&mut self) -> Option<ParsedRow> {
        self.rows.next()
    }

    fn progress(&self) -> (u64, u64) {
        (self.total - self.rows.len() as u64, self.total)
    }

    fn encoding(&self) -> String {
        "UTF-8".to_string()
    }
}

fn zaozhuang() -> Scope {
    Scope::system_at(Actor::system("test"), RegionCode::parse("370400").unwrap())
}

async fn import(
    store: &Store,
    scope: &Scope,
    file: HistoryFile,
    name: &str,
    text: &str,
) -> HistoryImportReport {
    let opts = HistoryImportOptions {
        batch_size: 3,
        file_name: Some(name.to_string()),
        ..HistoryImportOptions::new(file)
    };
    import_rows(
        store,
        scope,
        &|| NOW,
        Box::new(TextRows::new(file, text)),
        &opts,
        &mut |_, _, _| {},
    )
    .await
    .unwrap()
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

async fn text(store: &Store, sql: &str) -> String {
    sqlx::query_scalar(sql)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

const CASES: &str = "案件编号\t案件名称\t立案日期\t办案机关\t行政区划代码\t案件类别\t案件来源\t案件状态\t结案日期\t违法行为\t备注
ZZ-2024-001\t某美容店无证行医案\t2024-03-01\t枣庄市市中区卫生健康局\t370402\t无证行医\t投诉举报\t结案\t2024-06-30\t未取得医疗机构执业许可证开展注射美容\t第一批
ZZ-2024-002\t某诊所超范围执业案\t2024-04-10T09:30:00+08:00\t枣庄市薛城区卫生健康局\t370403\t医疗机构\t双随机抽查\t调查取证\t\t超出登记的诊疗科目开展医疗美容
ZZ-2024-003\t某门诊部价格欺诈案\t2024-05-06T16:30:00Z\t枣庄市市场监督管理局\t370400\t价格\t网络监测\t决定\t\t虚构原价
ZZ-2024-004\t错误类别\t2024-05-06\t某局\t370402\t美容\t投诉举报\t立案\t\t
ZZ-2024-005\t外地案件\t2024-05-06\t北京市某局\t110101\t药品\t投诉举报\t立案\t\t
ZZ-2024-006\t状态错误\t2024-05-06\t某局\t370402\t药品\t投诉举报\t已结\t\t
ZZ-2024-001\t重复的案件编号\t2024-05-06\t某局\t370402\t药品\t投诉举报\t立案\t\t
ZZ-2024-007\t结案早于立案\t2024-05-06\t某局\t370402\t药品\t其他\t结案\t2024-05-01\t";

const PENALTIES: &str = "penalty_id\tcase_no\tparty\tparty_kind\tparty_id\tkind\tamount_yuan\tdecided\tdecision_no
CF-001\tZZ-2024-001\t枣庄市某美容有限公司\t单位\t{USCC}\t罚款\t12,500.50元\t2024-06-01\t枣市中卫医罚〔2024〕1号
CF-002\tZZ-2024-001\t枣庄市某美容有限公司\t单位\t{USCC}\t没收违法所得\t3000\t2024-06-01\t枣市中卫医罚〔2024〕1号
CF-003\tZZ-2024-001\t张某\t个人\t\t警告\t\t2024-06-01\t枣市中卫医罚〔2024〕2号
CF-004\tZZ-2024-001\t张某\t个人\t\t行业禁入\t\t2024-06-01T10:00:00+08:00\t枣市中卫医罚〔2024〕2号
CF-005\tZZ-2024-001\t张某\t个人\t\t罚款\t-500\t2024-06-01\t枣市中卫医罚〔2024〕2号
CF-006\tZZ-2024-001\t张某\t个人\t\t罚款\t\t2024-06-01\t枣市中卫医罚〔2024〕2号
CF-007\tZZ-2024-001\t张某\t个人\t\t警告\t\t2024-02-01\t枣市中卫医罚〔2024〕2号
CF-008\tZZ-2099-999\t李某\t个人\t\t警告\t\t2024-06-01\t某罚〔2024〕9号
CF-009\tZZ-2024-001\t李某\t个人\t\t罚金\t100\t2024-06-01\t某罚〔2024〕9号
CF-010\tZZ-2024-001\t枣庄市某美容有限公司\t单位\t{USCC}\t行业禁入\t\t2024-06-01\t枣市中卫医罚〔2024〕1号
CF-011\tZZ-2024-003\t某门诊部\t单位\t\t移送司法机关\t\t2024-05-07\t枣市监移〔2024〕1号
CF-001\tZZ-2024-001\t重复\t单位\t\t警告\t\t2024-06-01\t枣市中卫医罚〔2024〕1号";

/// A valid USCC of 枣庄市市中区.
fn uscc() -> String {
    let org = "MA000001";
    let check = meijian_domain::uscc::org_code_check_char(org).unwrap();
    let body = format!("91370402{org}{check}");
    meijian_domain::uscc::Uscc::from_body(&body)
        .unwrap()
        .as_str()
        .to_string()
}

fn penalties() -> String {
    PENALTIES.replace("{USCC}", &uscc())
}

async fn add_department(store: &Store, id: &str, name: &str, region: &str) {
    sqlx::query(
        "insert into department (id, kind, region_code, name, created_at) \
         values ($1, 'health', $2, $3, '2026-11-01T00:00:00Z')",
    )
    .bind(id)
    .bind(region)
    .bind(name)
    .execute(store.pool())
    .await
    .unwrap();
}

async fn add_operator(store: &Store, id: &str, uscc: &str) {
    sqlx::query(
        "insert into operator (id, origin, status, region_code, name, names, uscc, persons, \
         addresses, class, members, class_run_id, first_run_id, fingerprint, created_at, \
         updated_at) values ($1, 'registry', 'active', '370402', '枣庄市某美容有限公司', \
         '枣庄市某美容有限公司', $2, '', '', 'registered_only', 1, 'r1', 'r1', '', \
         '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
    )
    .bind(id)
    .bind(uscc)
    .execute(store.pool())
    .await
    .unwrap();
}

/// category, origin, stage, filed_on, closed_on, department_id, decide_due, source.
type StoredCase = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

/// The rejection of `line`: (column, reason).
fn rejection(r: &HistoryImportReport, line: u64) -> (String, String) {
    let found = r
        .rejections
        .iter()
        .find(|x| x.line == line)
        .unwrap_or_else(|| panic!("line {line} not rejected: {:#?}", r.rejections));
    (found.column.clone(), found.reason.clone())
}

both_backends!(
    good_rows_go_in_and_bad_rows_are_reported_with_line_column_and_reason,
    |db: TestDb| async move {
        let store = &db.store;
        let scope = zaozhuang();
        add_department(store, "D1", "枣庄市市中区卫生健康局", "370402").await;
        add_operator(store, "ZT0000000000000001", &uscc()).await;

        let r = import(store, &scope, HistoryFile::Cases, "案件.csv", CASES).await;
        assert_eq!(
            (r.rows_read, r.added, r.changed, r.unchanged, r.rejected),
            (8, 3, 0, 0, 5),
            "{:#?}",
            r.rejections
        );
        assert_eq!(
            rejection(&r, 5),
            (
                "案件类别".into(),
                "案件类别“美容”不是允许的值，应为：无证行医、医疗机构、药品、医疗器械、违规医疗美容培训、违法发布医疗美容广告、违规发布互联网信息、价格、税收、其他".into()
            )
        );
        let (column, reason) = rejection(&r, 6);
        assert_eq!(column, "行政区划代码");
        assert!(reason.contains("不在您的管辖范围内"), "{reason}");
        let (column, reason) = rejection(&r, 7);
        assert_eq!(column, "案件状态");
        assert!(reason.starts_with("案件状态“已结”不是允许的值"), "{reason}");
        let (column, reason) = rejection(&r, 8);
        assert_eq!(column, "案件编号");
        assert!(
            reason.contains("重复") && reason.contains("第 2 行"),
            "{reason}"
        );
        let (column, reason) = rejection(&r, 9);
        assert_eq!(column, "结案日期");
        assert!(reason.contains("早于立案日期"), "{reason}");
        let lines: Vec<u64> = r.rejections.iter().map(|x| x.line).collect();
        assert_eq!(lines, [5, 6, 7, 8, 9], "in file order");

        // What a case holds: codes, China days, the department by name, no decision limit.
        let row: StoredCase =
            sqlx::query_as(
                "select category, origin, stage, filed_on, closed_on, department_id, decide_due, source \
                 from enforcement_case where case_no = 'ZZ-2024-001'",
            )
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(
            row,
            (
                "unlicensed_practice".into(),
                "complaint".into(),
                "closed".into(),
                "2024-03-01".into(),
                Some("2024-06-30".into()),
                Some("D1".into()),
                None,
                "history".into()
            )
        );
        // 16:30 UTC is 00:30 the next day in China.
        assert_eq!(
            text(
                store,
                "select filed_on from enforcement_case where case_no = 'ZZ-2024-003'"
            )
            .await,
            "2024-05-07"
        );
        assert_eq!(
            count(store, "select count(*) from enforcement_case where case_no = 'ZZ-2024-003' \
                 and department_id is null and authority = '枣庄市市场监督管理局' and category = 'price'")
                .await,
            1
        );
        assert_eq!(
            count(
                store,
                "select count(*) from case_event where action = 'imported' \
                 and actor_name = '历史数据导入' and note like '%案件.csv%'"
            )
            .await,
            3
        );
        assert_eq!(
            count(
                store,
                "select count(*) from audit_entry where action = 'case.import_cases'"
            )
            .await,
            1
        );

        let r = import(
            store,
            &scope,
            HistoryFile::Penalties,
            "处罚.csv",
            &penalties(),
        )
        .await;
        assert_eq!(
            (r.rows_read, r.added, r.changed, r.unchanged, r.rejected),
            (12, 5, 0, 0, 7),
            "{:#?}",
            r.rejections
        );
        assert_eq!(
            rejection(&r, 6),
            ("金额（元）".into(), "金额不能为负数".into())
        );
        assert_eq!(
            rejection(&r, 7),
            ("金额（元）".into(), "罚款必须填写金额".into())
        );
        let (column, reason) = rejection(&r, 8);
        assert_eq!(column, "决定日期");
        assert!(reason.contains("早于立案日期 2024-03-01"), "{reason}");
        let (column, reason) = rejection(&r, 9);
        assert_eq!(column, "案件编号");
        assert!(
            reason.contains("ZZ-2099-999") && reason.contains("没有对应的已导入案件"),
            "{reason}"
        );
        let (column, reason) = rejection(&r, 10);
        assert_eq!(column, "处罚种类");
        assert!(reason.starts_with("处罚种类“罚金”不是允许的值"), "{reason}");
        assert_eq!(
            rejection(&r, 11),
            ("处罚种类".into(), "行业禁入只适用于个人".into())
        );
        let (column, reason) = rejection(&r, 13);
        assert_eq!(column, "处罚编号");
        assert!(reason.contains("重复"), "{reason}");

        // 12,500.50元 is 1,250,050 分, exactly.
        assert_eq!(
            count(
                store,
                "select amount_fen from case_action where penalty_no = 'CF-001'"
            )
            .await,
            1_250_050
        );
        assert_eq!(
            count(
                store,
                "select amount_fen from case_action where penalty_no = 'CF-002'"
            )
            .await,
            300_000
        );
        // A ban from a file has no years.
        assert_eq!(
            count(
                store,
                "select count(*) from case_action where penalty_no = 'CF-004' \
                 and kind = 'ban' and ban_years is null and decided_on = '2024-06-01'"
            )
            .await,
            1
        );
        // One party per distinct party: the organisation by its number (linked to the 主体库),
        // the person by name.
        let parties: Vec<(String, String, Option<String>, Option<String>)> = sqlx::query_as(
            "select p.name, p.kind, p.id_number, p.operator_id from case_party p \
             join enforcement_case c on c.id = p.case_id where c.case_no = 'ZZ-2024-001' order by p.seq",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        assert_eq!(
            parties,
            vec![
                (
                    "枣庄市某美容有限公司".into(),
                    "organisation".into(),
                    Some(uscc()),
                    Some("ZT0000000000000001".into())
                ),
                ("张某".into(), "person".into(), None, None),
            ]
        );
        assert_eq!(
            count(
                store,
                "select count(*) from case_event where action = 'import_changed' \
                 and note = '由文件“处罚.csv”导入：新增处罚决定 CF-001、CF-002、CF-003'"
            )
            .await,
            1
        );
    }
);

/// Counts that any change would move.
async fn snapshot(store: &Store) -> (i64, i64, i64, i64, i64) {
    (
        count(store, "select count(*) from case_event").await,
        count(
            store,
            "select cast(sum(version) as bigint) from enforcement_case",
        )
        .await,
        count(store, "select count(*) from case_party").await,
        count(store, "select count(*) from case_action").await,
        count(
            store,
            "select cast(sum(amount_fen) as bigint) from case_action",
        )
        .await,
    )
}

both_backends!(
    re_importing_the_same_files_changes_nothing,
    |db: TestDb| async move {
        let store = &db.store;
        let scope = zaozhuang();
        import(store, &scope, HistoryFile::Cases, "案件.csv", CASES).await;
        import(
            store,
            &scope,
            HistoryFile::Penalties,
            "处罚.csv",
            &penalties(),
        )
        .await;
        let before = snapshot(store).await;
        let r = import(store, &scope, HistoryFile::Cases, "案件.csv", CASES).await;
        assert_eq!((r.added, r.changed, r.unchanged, r.rejected), (0, 0, 3, 5));
        let r = import(
            store,
            &scope,
            HistoryFile::Penalties,
            "处罚.csv",
            &penalties(),
        )
        .await;
        assert_eq!((r.added, r.changed, r.unchanged, r.rejected), (0, 0, 5, 7));
        assert_eq!(r.cases_touched, 0);
        assert_eq!(snapshot(store).await, before);
    }
);

both_backends!(
    a_newer_export_updates_by_key_and_the_case_history_says_what_changed,
    |db: TestDb| async move {
        let store = &db.store;
        let scope = zaozhuang();
        import(store, &scope, HistoryFile::Cases, "2024-06.csv", CASES).await;
        import(
            store,
            &scope,
            HistoryFile::Penalties,
            "处罚-2024-06.csv",
            &penalties(),
        )
        .await;
        let newer = CASES.replace(
            "某诊所超范围执业案\t2024-04-10T09:30:00+08:00\t枣庄市薛城区卫生健康局\t370403\t医疗机构\t双随机抽查\t调查取证\t",
            "某诊所超范围执业案\t2024-04-10T09:30:00+08:00\t枣庄市薛城区卫生健康局\t370403\t医疗机构\t双随机抽查\t结案\t2024-08-01",
        );
        let r = import(store, &scope, HistoryFile::Cases, "2024-08.csv", &newer).await;
        assert_eq!((r.added, r.changed, r.unchanged), (0, 1, 2));
        let (stage, closed, version): (String, Option<String>, i64) = sqlx::query_as(
            "select stage, closed_on, version from enforcement_case where case_no = 'ZZ-2024-002'",
        )
        .fetch_one(store.pool())
        .await
        .unwrap();
        assert_eq!(
            (stage.as_str(), closed.as_deref(), version),
            ("closed", Some("2024-08-01"), 2)
        );
        let note = text(
            store,
            "select e.note from case_event e join enforcement_case c on c.id = e.case_id \
             where c.case_no = 'ZZ-2024-002' and e.action = 'import_changed'",
        )
        .await;
        assert_eq!(
            note,
            "由文件“2024-08.csv”第 3 行更新：案件状态（调查取证 → 结案）、结案日期（空 → 2024-08-01）"
        );

        let newer = penalties().replace("12,500.50元", "15000").replace(
            "CF-003\tZZ-2024-001\t张某\t个人\t\t警告",
            "CF-003\tZZ-2024-001\t张某某\t个人\t\t警告",
        );
        let r = import(
            store,
            &scope,
            HistoryFile::Penalties,
            "处罚-2024-08.csv",
            &newer,
        )
        .await;
        assert_eq!(
            (r.added, r.changed, r.unchanged),
            (0, 2, 3),
            "{:#?}",
            r.rejections
        );
        assert_eq!(
            count(
                store,
                "select amount_fen from case_action where penalty_no = 'CF-001'"
            )
            .await,
            1_500_000
        );
        let note = text(
            store,
            "select e.note from case_event e where e.action = 'import_changed' \
             and e.note like '%处罚-2024-08.csv%'",
        )
        .await;
        assert!(
            note.contains("CF-001：金额（12,500.50 → 15,000.00）"),
            "{note}"
        );
        // 张某某 is another person (a person without a number is known by name): CF-003 moves
        // to a new party; CF-004 stays with 张某.
        assert!(note.contains("CF-003：当事人"), "{note}");
        assert_eq!(
            count(
                store,
                "select count(*) from case_party where name = '张某某'"
            )
            .await,
            1
        );
    }
);

both_backends!(
    history_never_overwrites_a_case_opened_here_and_the_scope_bounds_the_import,
    |db: TestDb| async move {
        let store = &db.store;
        let scope = zaozhuang();
        sqlx::query(
            "insert into enforcement_case (id, case_no, title, category, origin, stage, \
             region_code, authority, violation, filed_on, source, created_by, created_at, \
             updated_at) values ('C1', 'ZZ-2024-001', '本系统立案', 'drug', 'complaint', 'filed', \
             '370402', '某局', '', '2024-01-01', 'officer', 'x', '2026-01-01T00:00:00Z', \
             '2026-01-01T00:00:00Z')",
        )
        .execute(store.pool())
        .await
        .unwrap();
        let r = import(store, &scope, HistoryFile::Cases, "案件.csv", CASES).await;
        let (column, reason) = rejection(&r, 2);
        assert_eq!(column, "案件编号");
        assert!(reason.contains("不能用历史数据覆盖"), "{reason}");
        assert_eq!(
            text(store, "select title from enforcement_case where id = 'C1'").await,
            "本系统立案"
        );
        let r = import(
            store,
            &scope,
            HistoryFile::Penalties,
            "处罚.csv",
            &penalties(),
        )
        .await;
        let (column, reason) = rejection(&r, 2);
        assert_eq!(column, "案件编号");
        assert!(reason.contains("案件页面录入"), "{reason}");

        // 薛城区's scope: a case of 市中区 is outside, so are its penalties.
        let xuecheng =
            Scope::system_at(Actor::system("test"), RegionCode::parse("370403").unwrap());
        let r = import(store, &xuecheng, HistoryFile::Cases, "案件.csv", CASES).await;
        assert_eq!(r.added, 0, "ZZ-2024-002 was imported by the first run");
        let (column, reason) = rejection(&r, 4);
        assert_eq!(column, "行政区划代码");
        assert!(reason.contains("不在您的管辖范围内"), "{reason}");
        let r = import(
            store,
            &xuecheng,
            HistoryFile::Penalties,
            "处罚.csv",
            &penalties(),
        )
        .await;
        let (column, reason) = rejection(&r, 12);
        assert_eq!(column, "案件编号");
        assert!(reason.contains("不在您的管辖范围内"), "{reason}");

        // An analyst may not import history (who may import registries may import history).
        let officer = Scope::for_user(
            Actor::system("officer"),
            meijian_domain::role::Role::Analyst,
            "D1".into(),
            RegionCode::parse("370402").unwrap(),
        );
        let opts = HistoryImportOptions::new(HistoryFile::Cases);
        let refused = import_rows(
            store,
            &officer,
            &|| NOW,
            Box::new(TextRows::new(HistoryFile::Cases, CASES)),
            &opts,
            &mut |_, _, _| {},
        )
        .await;
        assert!(matches!(refused, Err(meijian_store::StoreError::Forbidden)));
    }
);

both_backends!(a_dry_run_writes_nothing, |db: TestDb| async move {
    let store = &db.store;
    let scope = zaozhuang();
    let opts = HistoryImportOptions {
        dry_run: true,
        file_name: Some("案件.csv".into()),
        ..HistoryImportOptions::new(HistoryFile::Cases)
    };
    let r = import_rows(
        store,
        &scope,
        &|| NOW,
        Box::new(TextRows::new(HistoryFile::Cases, CASES)),
        &opts,
        &mut |_, _, _| {},
    )
    .await
    .unwrap();
    assert_eq!((r.added, r.rejected, r.run_id), (3, 5, None));
    assert_eq!(
        count(store, "select count(*) from enforcement_case").await,
        0
    );
    assert_eq!(count(store, "select count(*) from case_event").await, 0);
    assert_eq!(
        count(
            store,
            "select count(*) from audit_entry where action like 'case.%'"
        )
        .await,
        0
    );
});

/// A GBK file, tab-separated with CRLF line ends, headers mixing Chinese and aliases, a quoted
/// field with a newline and an extra column (the UTF-8 text is in the comment below).
///
/// ```text
/// case_no 案件名称 filed 办案机关 行政区划代码 category origin 案件状态 closed violation 备注
/// ZZ-GBK-1 龚某美容店无证行医案 2024年3月1日 枣庄市市中区卫生健康局 370402 无证行医 投诉举报 结案 2024/6/30 "在居民住宅内⏎开展注射美容" 鑫
/// ZZ-GBK-2 骉某诊所案 2024-03-02 某局 370402 其它 投诉举报 立案
/// ```
const GBK_CASES: &[u8] = b"case_no\t\xb0\xb8\xbc\xfe\xc3\xfb\xb3\xc6\tfiled\t\xb0\xec\xb0\xb8\xbb\xfa\xb9\xd8\t\xd0\xd0\xd5\xfe\xc7\xf8\xbb\xae\xb4\xfa\xc2\xeb\tcategory\torigin\t\xb0\xb8\xbc\xfe\xd7\xb4\xcc\xac\tclosed\tviolation\t\xb1\xb8\xd7\xa2\r\nZZ-GBK-1\t\xb9\xa8\xc4\xb3\xc3\xc0\xc8\xdd\xb5\xea\xce\xde\xd6\xa4\xd0\xd0\xd2\xbd\xb0\xb8\t2024\xc4\xea3\xd4\xc21\xc8\xd5\t\xd4\xe6\xd7\xaf\xca\xd0\xca\xd0\xd6\xd0\xc7\xf8\xce\xc0\xc9\xfa\xbd\xa1\xbf\xb5\xbe\xd6\t370402\t\xce\xde\xd6\xa4\xd0\xd0\xd2\xbd\t\xcd\xb6\xcb\xdf\xbe\xd9\xb1\xa8\t\xbd\xe1\xb0\xb8\t2024/6/30\t\"\xd4\xda\xbe\xd3\xc3\xf1\xd7\xa1\xd5\xac\xc4\xda\r\n\xbf\xaa\xd5\xb9\xd7\xa2\xc9\xe4\xc3\xc0\xc8\xdd\"\t\xf6\xce\r\nZZ-GBK-2\t\xf3T\xc4\xb3\xd5\xef\xcb\xf9\xb0\xb8\t2024-03-02\t\xc4\xb3\xbe\xd6\t370402\t\xc6\xe4\xcb\xfc\t\xcd\xb6\xcb\xdf\xbe\xd9\xb1\xa8\t\xc1\xa2\xb0\xb8\t\t\t\r\n";

/// Through the file reader (`meijian_registry::open_table`, see `cases::import::open`); XLSX and
/// the other encodings are the reader's own tests (`crates/registry/tests/read/tables.rs`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gbk_file_is_read_by_the_registry_reader_rules() {
    let db = TestDb::new(meijian_store::Backend::Sqlite).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("案件-GBK.csv");
    std::fs::write(&path, GBK_CASES).unwrap();
    let r = meijian_store::cases::import::import_file(
        &db.store,
        &zaozhuang(),
        &|| NOW,
        &path,
        &HistoryImportOptions::new(HistoryFile::Cases),
        &mut |_, _, _| {},
    )
    .await
    .unwrap();
    assert_eq!((r.added, r.rejected), (1, 1), "{:#?}", r.rejections);
    // The quoted newline makes the second record start on line 4.
    let (column, reason) = rejection(&r, 4);
    assert_eq!(column, "案件类别");
    assert!(reason.starts_with("案件类别“其它”不是允许的值"), "{reason}");
    let (filed, closed, violation): (String, String, String) = sqlx::query_as(
        "select filed_on, closed_on, violation from enforcement_case where case_no = 'ZZ-GBK-1'",
    )
    .fetch_one(db.store.pool())
    .await
    .unwrap();
    assert_eq!(
        (filed.as_str(), closed.as_str()),
        ("2024-03-01", "2024-06-30")
    );
    assert!(violation.starts_with("在居民住宅内") && violation.ends_with("开展注射美容"));
    assert_eq!(
        text(
            &db.store,
            "select note from case_event where action = 'imported'"
        )
        .await,
        "由文件“案件-GBK.csv”第 2 行导入"
    );
}

/// Timing of the import itself (no file): `ROWS` penalty rows (default 1,000,000, env
/// `MEIJIAN_BENCH_ROWS`) on a quarter as many cases, on SQLite and PostgreSQL. A case's
/// penalties are adjacent, as exports list them; `MEIJIAN_BENCH_SPREAD=1` spreads them over the
/// file instead (every batch then touches as many cases as it has rows). Run by
/// `bench/case_import.sh` in release mode; prints rows per second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: bench/case_import.sh runs it"]
async fn bench_million_penalty_rows() {
    let rows: u64 = std::env::var("MEIJIAN_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let backends = match std::env::var("MEIJIAN_BENCH_BACKENDS").as_deref() {
        Ok("sqlite") => vec![meijian_store::Backend::Sqlite],
        Ok("postgres") => vec![meijian_store::Backend::Postgres],
        _ => vec![
            meijian_store::Backend::Sqlite,
            meijian_store::Backend::Postgres,
        ],
    };
    for backend in backends {
        let db = TestDb::new(backend).await;
        let scope = zaozhuang();
        let cases = (rows / 4).max(1);
        for (file, n) in [(HistoryFile::Cases, cases), (HistoryFile::Penalties, rows)] {
            let started = std::time::Instant::now();
            let source = Generated {
                file,
                n,
                i: 0,
                cases,
                spread: std::env::var("MEIJIAN_BENCH_SPREAD").is_ok_and(|v| v == "1"),
            };
            let r = import_rows(
                &db.store,
                &scope,
                &|| NOW,
                Box::new(source),
                &HistoryImportOptions {
                    file_name: Some(format!("{}.csv", file.code())),
                    ..HistoryImportOptions::new(file)
                },
                &mut |_, _, _| {},
            )
            .await
            .unwrap();
            let secs = started.elapsed().as_secs_f64();
            assert_eq!(
                (r.added, r.rejected),
                (n as i64, 0),
                "{:?}",
                r.rejections.first()
            );
            println!(
                "{backend:?}\t{}\t{n} rows\t{secs:.1} s\t{:.0} rows/s",
                file.code(),
                n as f64 / secs
            );
        }
    }
}

/// Generated rows: case `i` of `cases`; four penalties a case (a fine and a confiscation of
/// the organisation, a warning and a ban of a person), penalty `i` on case `i / 4`, or on case
/// `i % cases` when `spread`.
struct Generated {
    file: HistoryFile,
    n: u64,
    i: u64,
    cases: u64,
    spread: bool,
}

impl RowSource for Generated {
    fn next_row(&mut self) -> Option<ParsedRow> {
        if self.i >= self.n {
            return None;
        }
        let i = self.i;
        self.i += 1;
        let mut fields: BTreeMap<&'static str, String> = BTreeMap::new();
        let key = match self.file {
            HistoryFile::Cases => {
                let districts = ["370402", "370403", "370404", "370405", "370406", "370481"];
                let key = format!("ZZ{i:08}");
                fields.insert("case_no", key.clone());
                fields.insert("title", format!("第{i}号医疗美容案"));
                fields.insert("filed", format!("2024-{:02}-{:02}", 1 + i % 12, 1 + i % 28));
                fields.insert("authority", "枣庄市卫生健康委员会".into());
                fields.insert("region", districts[(i % 6) as usize].into());
                fields.insert("category", "无证行医".into());
                fields.insert("origin", "投诉举报".into());
                fields.insert("status", "结案".into());
                fields.insert("closed", "2025-06-30".into());
                fields.insert("violation", "未取得医疗机构执业许可证开展医疗美容".into());
                key
            }
            HistoryFile::Penalties => {
                let (case, which) = if self.spread {
                    (i % self.cases, (i / self.cases) % 4)
                } else {
                    ((i / 4) % self.cases, i % 4)
                };
                let key = format!("CF{i:08}");
                let (party, kind, party_kind, amount) = match which {
                    0 => (
                        format!("枣庄市第{case}号美容有限公司"),
                        "罚款",
                        "单位",
                        "12,500.50元",
                    ),
                    1 => (
                        format!("枣庄市第{case}号美容有限公司"),
                        "没收违法所得",
                        "单位",
                        "3000",
                    ),
                    2 => (format!("张{case}"), "警告", "个人", ""),
                    _ => (format!("张{case}"), "行业禁入", "个人", ""),
                };
                fields.insert("penalty_id", key.clone());
                fields.insert("case_no", format!("ZZ{case:08}"));
                fields.insert("party", party);
                fields.insert("party_kind", party_kind.into());
                if !amount.is_empty() {
                    fields.insert("amount_yuan", amount.into());
                }
                fields.insert("kind", kind.into());
                fields.insert("decided", "2025-06-01".into());
                fields.insert("decision_no", format!("枣卫医罚〔2025〕{case}号"));
                key
            }
        };
        Some(ParsedRow::Ok(Record {
            line: i + 2,
            key,
            fields,
            extras: BTreeMap::new(),
            warnings: Vec::new(),
        }))
    }

    fn progress(&self) -> (u64, u64) {
        (self.i, self.n)
    }

    fn encoding(&self) -> String {
        "UTF-8".into()
    }
}
