//! 受理登记: a complaint from the public page or taken by an officer (phone, letter, 12345 and
//! 12315 transfers, walk-ins), and leads from the departments' own work. Every complaint
//! becomes a lead, routed by the duty matrix to the department whose duty it is.
//!
//! Checking and preparing happen before the write ([`prepare_complaint`]), so the write itself
//! ([`write_complaint`]) is short and can share a transaction with others (see [`super::batch`]).
//! Leads from the departments' own work are in [`clue`], the checks of attached files in
//! [`files`].

use meijian_domain::lead::rules::LeadRules;
use meijian_domain::lead::{Category, Channel, LeadKind, Source};
use meijian_domain::region::{RegionCode, RegionLevel, RegionTable};
use meijian_domain::role::Permission;
use meijian_domain::workdays::Calendar;
use rand::Rng;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{deadlines, routing, written};
use crate::{audit, new_id, timefmt, Actor, Scope, Store, StoreError, Tx};

mod clue;
mod files;
pub use clue::{record_clue, NewClue, Recorded};
pub use files::{safe_file_name, sniff, stored_file_name, AttachmentIn, AttachmentLimits};

/// Letters and digits that cannot be misread (no 0/O, 1/I/L).
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

pub(crate) fn random_code(len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

/// The SHA-256 of a ticket secret, as stored.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(normalise_code(secret).as_bytes()))
}

/// Upper case without spaces or dashes: what people type back is compared in this form.
pub fn normalise_code(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// 查询码 and 查询密码, returned once to the reporter.
#[derive(Clone, Debug)]
pub struct Ticket {
    pub ticket_code: String,
    pub secret: String,
    pub lead_id: String,
    pub lead_code: String,
    /// When the acceptance decision is due.
    pub accept_due: String,
    /// The department the duty matrix routed it to (承办部门).
    pub department_id: String,
    pub department_name: String,
}

/// The reporter's contact details (absent when anonymous).
#[derive(Clone, Debug, Default)]
pub struct ReporterIn {
    pub name: String,
    pub phone: String,
    pub address: String,
    pub email: String,
}

/// A complaint or report as submitted.
#[derive(Clone, Debug)]
pub struct NewComplaint {
    pub kind: LeadKind,
    pub category: Category,
    pub channel: Channel,
    /// 12345/12315 工单号, a letter's reference.
    pub channel_ref: Option<String>,
    /// The county (区县) where it happened.
    pub region_code: String,
    pub subject_name: String,
    pub subject_address: String,
    /// YYYY-MM-DD.
    pub happened_on: Option<String>,
    pub description: String,
    /// `None`: anonymous.
    pub reporter: Option<ReporterIn>,
    pub attachments: Vec<AttachmentIn>,
    /// When it was received, if earlier than now (a letter); clocks run from it.
    pub received_at: Option<OffsetDateTime>,
}

/// A checked complaint with its ids, codes and deadlines, ready to write.
#[derive(Clone, Debug)]
pub struct Prepared {
    complaint: NewComplaint,
    attachments: Vec<(AttachmentIn, &'static str, String)>,
    department_id: String,
    department_name: String,
    received_at: String,
    accept_due: String,
    verify_due: Option<String>,
    lead_id: String,
    lead_code: String,
    ticket_code: String,
    secret: String,
    actor: Actor,
    received_by: Option<String>,
}

fn is_phone(s: &str) -> bool {
    let digits: String = s.chars().filter(|c| *c != '-' && *c != ' ').collect();
    let all_digits = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    all_digits
        && ((digits.len() == 11 && digits.starts_with('1'))
            || (digits.starts_with('0') && (10..=12).contains(&digits.len())))
}

/// Checks a complaint and fixes everything about it but the write: the department by the
/// duty matrix, the codes, the deadlines.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn prepare_complaint(
    store: &Store,
    cal: &Calendar,
    rules: &LeadRules,
    limits: AttachmentLimits,
    now: OffsetDateTime,
    actor: Actor,
    received_by: Option<String>,
    mut c: NewComplaint,
) -> Result<Prepared, StoreError> {
    if c.kind == LeadKind::Clue {
        return Err(StoreError::invalid("类型", "请选择投诉或举报"));
    }
    let region = RegionCode::parse(&c.region_code)
        .ok()
        .filter(|r| {
            RegionTable::embedded()
                .get(r)
                .is_some_and(|r| r.level == RegionLevel::County)
        })
        .ok_or_else(|| StoreError::invalid("发生地", "请选择区县"))?;
    c.subject_name = written("被投诉对象", &c.subject_name, 2, 100)?.to_string();
    c.subject_address = written("地址", &c.subject_address, 0, 200)?.to_string();
    c.description = written("问题描述", &c.description, 10, 2000)?.to_string();
    c.channel_ref = match c.channel_ref.as_deref().map(str::trim) {
        Some(r) if !r.is_empty() => Some(written("工单号", r, 1, 50)?.to_string()),
        _ => None,
    };
    let received = c.received_at.unwrap_or(now).min(now);
    if let Some(d) = c
        .happened_on
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        let parsed = time::Date::parse(
            d,
            &time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map_err(|_| StoreError::invalid("发生时间", "日期格式应为 2026-11-22"))?;
        if parsed > deadlines::china_date(now) {
            return Err(StoreError::invalid("发生时间", "不能晚于今天"));
        }
        c.happened_on = Some(d.to_string());
    } else {
        c.happened_on = None;
    }
    if let Some(r) = c.reporter.as_mut() {
        r.name = written("姓名", &r.name, 1, 50)?.to_string();
        r.phone = r.phone.trim().to_string();
        if !is_phone(&r.phone) {
            return Err(StoreError::invalid(
                "联系电话",
                "请填写手机号或带区号的固定电话",
            ));
        }
        r.address = written("联系地址", &r.address, 0, 200)?.to_string();
        r.email = r.email.trim().to_string();
        if !r.email.is_empty() && (!r.email.contains('@') || r.email.chars().count() > 100) {
            return Err(StoreError::invalid("电子邮箱", "格式不正确"));
        }
    }
    if c.attachments.len() > limits.max_files {
        return Err(StoreError::invalid(
            "附件",
            format!("最多上传{}个文件", limits.max_files),
        ));
    }
    let mut attachments = Vec::new();
    for a in std::mem::take(&mut c.attachments) {
        let name = safe_file_name(&a.file_name);
        if a.bytes.is_empty() {
            continue;
        }
        if a.bytes.len() > limits.max_file_bytes {
            return Err(StoreError::invalid(
                "附件",
                format!("“{name}”超过{} MB", limits.max_file_bytes / (1024 * 1024)),
            ));
        }
        let kind = sniff(&a.bytes).ok_or_else(|| {
            StoreError::invalid(
                "附件",
                format!("“{name}”不是照片（JPG、PNG、WebP）或 PDF 文件"),
            )
        })?;
        let sha = hex::encode(Sha256::digest(&a.bytes));
        attachments.push((
            AttachmentIn {
                // Named by what it is: a JPEG sent as `poly.html` is kept as `poly.jpg`.
                file_name: stored_file_name(&name, kind),
                bytes: a.bytes,
            },
            kind,
            sha,
        ));
    }
    let matrix = routing::rules_in_force(store, region.as_str()).await?;
    let (department_id, department_name) =
        routing::route(store, &matrix, region.as_str(), c.category).await?;
    let limits_cfg = &rules.limits;
    let verify_due =
        (c.kind == LeadKind::Report).then(|| deadlines::due_db(cal, received, limits_cfg.verify));
    let date = deadlines::china_date(received);
    Ok(Prepared {
        accept_due: deadlines::due_db(cal, received, limits_cfg.accept),
        verify_due,
        department_id,
        department_name,
        received_at: timefmt::to_db(received),
        lead_id: new_id(),
        lead_code: format!(
            "XS{:04}{:02}{:02}{}",
            date.year(),
            u8::from(date.month()),
            date.day(),
            random_code(5)
        ),
        ticket_code: random_code(12),
        secret: random_code(16),
        attachments,
        complaint: c,
        actor,
        received_by,
    })
}

impl Prepared {
    /// Draws the lead code's random part and the ticket code again, after the database
    /// refused one as taken (five characters repeat among tens of thousands of a day's leads).
    pub fn redraw_codes(&mut self) {
        let day: String = self.lead_code.chars().take(10).collect();
        self.lead_code = format!("{day}{}", random_code(5));
        self.ticket_code = random_code(12);
    }

    pub fn ticket(&self) -> Ticket {
        Ticket {
            ticket_code: self.ticket_code.clone(),
            secret: self.secret.clone(),
            lead_id: self.lead_id.clone(),
            lead_code: self.lead_code.clone(),
            accept_due: self.accept_due.clone(),
            department_id: self.department_id.clone(),
            department_name: self.department_name.clone(),
        }
    }
}

/// Writes a prepared complaint, its lead, reporter, attachments, first event and audit entry
/// inside `tx`. The audit entry names the lead and channel, never the reporter.
#[tracing::instrument(skip_all)]
pub async fn write_complaint(
    tx: &mut Tx,
    p: &Prepared,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    let c = &p.complaint;
    let now_db = timefmt::to_db(now);
    let reporter_id = match &c.reporter {
        Some(r) => {
            let id = new_id();
            sqlx::query(
                "insert into reporter (id, name, phone, address, email, created_at) \
                 values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&id)
            .bind(&r.name)
            .bind(&r.phone)
            .bind(Some(r.address.as_str()).filter(|s| !s.is_empty()))
            .bind(Some(r.email.as_str()).filter(|s| !s.is_empty()))
            .bind(&now_db)
            .execute(&mut **tx)
            .await?;
            Some(id)
        }
        None => None,
    };
    let source = Source::Complaint;
    sqlx::query(
        "insert into lead (id, code, kind, source, category, region_code, department_id, state, \
         subject_name, subject_address, summary, received_at, accept_due, verify_due, \
         next_due, next_step, created_by, created_at, updated_at) \
         values ($1, $2, $3, $4, $5, $6, $7, 'received', $8, $9, $10, $11, $12, $13, $12, \
         'accept', $14, $15, $15)",
    )
    .bind(&p.lead_id)
    .bind(&p.lead_code)
    .bind(c.kind.code())
    .bind(source.code())
    .bind(c.category.code())
    .bind(&c.region_code)
    .bind(&p.department_id)
    .bind(&c.subject_name)
    .bind(Some(c.subject_address.as_str()).filter(|s| !s.is_empty()))
    .bind(summary_of(&c.description))
    .bind(&p.received_at)
    .bind(&p.accept_due)
    .bind(&p.verify_due)
    .bind(&p.received_by)
    .bind(&now_db)
    .execute(&mut **tx)
    .await?;
    let complaint_id = new_id();
    sqlx::query(
        "insert into complaint (id, lead_id, ticket_code, secret_hash, channel, channel_ref, \
         reporter_id, happened_on, description, received_at, received_by) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&complaint_id)
    .bind(&p.lead_id)
    .bind(&p.ticket_code)
    .bind(secret_hash(&p.secret))
    .bind(c.channel.code())
    .bind(&c.channel_ref)
    .bind(&reporter_id)
    .bind(&c.happened_on)
    .bind(&c.description)
    .bind(&p.received_at)
    .bind(&p.received_by)
    .execute(&mut **tx)
    .await?;
    for (a, kind, sha) in &p.attachments {
        sqlx::query(
            "insert into complaint_attachment (id, complaint_id, file_name, content_type, \
             size_bytes, sha256, data, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id())
        .bind(&complaint_id)
        .bind(&a.file_name)
        .bind(*kind)
        .bind(a.bytes.len() as i64)
        .bind(sha)
        .bind(a.bytes.clone())
        .bind(&now_db)
        .execute(&mut **tx)
        .await?;
    }
    super::workflow::event(
        tx,
        &p.lead_id,
        now,
        "received",
        &p.actor,
        Some(&p.department_id),
        Some(&format!("已收到（{}）", c.channel.label_zh())),
        true,
    )
    .await?;
    audit::record(
        tx,
        &p.actor,
        now,
        audit::Change {
            action: "complaint.receive",
            entity: "lead",
            entity_id: &p.lead_id,
            region_code: Some(&c.region_code),
            before: None,
            after: Some(serde_json::json!({
                "code": p.lead_code, "kind": c.kind.code(), "channel": c.channel.code(),
                "category": c.category.code(), "department_id": p.department_id,
                "anonymous": c.reporter.is_none(), "attachments": p.attachments.len(),
            })),
        },
    )
    .await?;
    Ok(())
}

fn summary_of(description: &str) -> String {
    description.chars().take(120).collect()
}

/// Takes a complaint at an officer's desk: phone, letter, 12345/12315 or a walk-in. Returns
/// the ticket to hand to the reporter.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn take_complaint(
    store: &Store,
    scope: &Scope,
    cal: &Calendar,
    rules: &LeadRules,
    limits: AttachmentLimits,
    now: OffsetDateTime,
    c: NewComplaint,
) -> Result<Ticket, StoreError> {
    scope.require(Permission::HandleLeads)?;
    if c.channel == Channel::Online {
        return Err(StoreError::invalid(
            "受理渠道",
            "请选择电话、信件、转办或来访",
        ));
    }
    if !scope.covers(&c.region_code) {
        return Err(StoreError::invalid("发生地", "不在本人管辖范围内"));
    }
    let p = prepare_complaint(
        store,
        cal,
        rules,
        limits,
        now,
        scope.actor.clone(),
        scope.actor.account_id.clone(),
        c,
    )
    .await?;
    let mut tx = store.begin().await?;
    write_complaint(&mut tx, &p, now).await?;
    tx.commit().await?;
    Ok(p.ticket())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn codes_read_back_in_any_case_and_spacing() {
        assert_eq!(normalise_code("abcd-efgh 2345"), "ABCDEFGH2345");
        assert_eq!(secret_hash("abcd-efgh"), secret_hash("ABCDEFGH"));
    }

    async fn taken_codes_are_drawn_again(backend: crate::Backend) {
        let db = crate::testing::TestDb::new(backend).await;
        let now = time::macros::datetime!(2026-11-20 02:00 UTC);
        crate::demo::seed(&db.store, now).await.unwrap();
        let c = NewComplaint {
            kind: LeadKind::Report,
            category: Category::Advertising,
            channel: Channel::Online,
            channel_ref: None,
            region_code: "370403".into(),
            subject_name: "薛城某某诊所".into(),
            subject_address: String::new(),
            happened_on: None,
            description: "朋友圈发布未经审查的医疗美容广告".into(),
            reporter: None,
            attachments: Vec::new(),
            received_at: None,
        };
        let (cal, rules) = (Calendar::embedded().clone(), LeadRules::default());
        let prepare = || {
            let c = c.clone();
            let (store, cal, rules) = (&db.store, &cal, &rules);
            async move {
                let limits = AttachmentLimits::default();
                let actor = Actor::system("test");
                prepare_complaint(store, cal, rules, limits, now, actor, None, c)
                    .await
                    .unwrap()
            }
        };
        let first = prepare().await;
        let mut second = prepare().await;
        second.lead_code = first.lead_code.clone();
        second.ticket_code = first.ticket_code.clone();
        let queue = super::super::batch::SubmitQueue::start(db.store.clone(), 8);
        let (a, b) = tokio::join!(queue.submit(first, now), queue.submit(second, now));
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_ne!(a.lead_code, b.lead_code);
        assert_ne!(a.ticket_code, b.ticket_code);
        assert!(b.lead_code.starts_with("XS20261120") && b.lead_code.len() == 15);
        let n: i64 = sqlx::query_scalar("select count(*) from lead")
            .fetch_one(db.store.pool())
            .await
            .unwrap();
        assert_eq!(n, 2);
    }

    #[tokio::test]
    async fn taken_codes_are_drawn_again_sqlite() {
        taken_codes_are_drawn_again(crate::Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn taken_codes_are_drawn_again_postgres() {
        taken_codes_are_drawn_again(crate::Backend::Postgres).await;
    }

    #[test]
    fn phones() {
        assert!(is_phone("13812345678"));
        assert!(is_phone("0632-3698609"));
        assert!(!is_phone("12345"));
        assert!(!is_phone("1381234567x"));
    }
}
