//! 立案: open a case directly, or from a lead (with every lead of its group: repeated complaints
//! lead to one case). The decision limit starts on the 立案 day; a lead that becomes a case has
//! no clock of its own while the case runs.

use meijian_domain::case::{CaseAction, CaseOrigin, CaseRules, PartyKind, Stage};
use meijian_domain::lead::{Category, LeadState, Source};
use meijian_domain::role::Permission;
use meijian_domain::workdays::Calendar;
use time::{Date, OffsetDateTime};

use super::workflow::event;
use crate::leads::deadlines;
use crate::{audit, new_id, timefmt, Scope, Store, StoreError, Tx};

/// A party as entered: an operator of the 主体库, or a named person.
#[derive(Clone, Debug)]
pub struct NewParty {
    pub kind: PartyKind,
    /// A person's name; for an operator, empty takes the operator's name.
    pub name: String,
    /// USCC or ID number, if known.
    pub id_number: Option<String>,
    /// 主体编号.
    pub operator_id: Option<String>,
}

/// A case as entered at 立案.
#[derive(Clone, Debug)]
pub struct NewCase {
    /// 案件编号; empty makes one (AJ + date + random).
    pub case_no: String,
    pub title: String,
    pub category: Category,
    pub origin: CaseOrigin,
    /// The district.
    pub region_code: String,
    pub violation: String,
    pub filed_on: Date,
    pub parties: Vec<NewParty>,
    /// Legal basis ids (法律依据).
    pub basis: Vec<String>,
    /// The lead it came from; its group's leads are linked too.
    pub lead_id: Option<String>,
}

/// Trims `text` and checks its length, with a message naming the field.
pub(crate) fn text<'a>(
    field: &'static str,
    value: &'a str,
    min: usize,
    max: usize,
) -> Result<&'a str, StoreError> {
    crate::leads::written(field, value, min, max)
}

/// Checks a party and fills an operator's name and code from the 主体库.
pub(crate) async fn checked_party(
    store: &Store,
    scope: &Scope,
    p: &NewParty,
) -> Result<NewParty, StoreError> {
    match (&p.operator_id, p.kind) {
        (Some(id), kind) => {
            let op = crate::operators::read::resolve(store, scope, id)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound => {
                        StoreError::invalid("当事人", format!("主体库中没有主体“{id}”"))
                    }
                    other => other,
                })?;
            let name = if p.name.trim().is_empty() {
                op.name.clone()
            } else {
                text("当事人名称", &p.name, 2, 200)?.to_string()
            };
            Ok(NewParty {
                kind,
                name,
                id_number: p.id_number.clone().or(op.uscc.clone()),
                operator_id: Some(op.id),
            })
        }
        (None, PartyKind::Person) => {
            let name = p.name.trim();
            if name.chars().count() < 2 {
                return Err(StoreError::invalid(
                    "当事人",
                    "个人当事人请填写姓名（至少2个字）",
                ));
            }
            Ok(NewParty {
                kind: PartyKind::Person,
                name: text("当事人姓名", name, 2, 50)?.to_string(),
                id_number: p
                    .id_number
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
                operator_id: None,
            })
        }
        (None, PartyKind::Organisation) => Err(StoreError::invalid(
            "当事人",
            "单位当事人须从主体库中选择；主体库中没有的，请先登记为临时主体",
        )),
    }
}

/// Inserts a party as the next of the case.
pub(crate) async fn insert_party(
    tx: &mut Tx,
    case_id: &str,
    p: &NewParty,
    now: OffsetDateTime,
) -> Result<String, StoreError> {
    let seq: i64 =
        sqlx::query_scalar("select coalesce(max(seq), 0) + 1 from case_party where case_id = $1")
            .bind(case_id)
            .fetch_one(&mut **tx)
            .await?;
    let id = new_id();
    sqlx::query(
        "insert into case_party (id, case_id, seq, kind, name, id_number, operator_id, \
         created_at) values ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(case_id)
    .bind(seq)
    .bind(p.kind.code())
    .bind(&p.name)
    .bind(p.id_number.as_deref())
    .bind(p.operator_id.as_deref())
    .bind(timefmt::to_db(now))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Checks that every legal basis id exists and is current.
pub(crate) async fn checked_basis(store: &Store, ids: &[String]) -> Result<(), StoreError> {
    for id in ids {
        let found: i64 = sqlx::query_scalar(
            "select count(*) from legal_basis where id = $1 and retired_at is null",
        )
        .bind(id)
        .fetch_one(store.pool())
        .await?;
        if found == 0 {
            return Err(StoreError::invalid("法律依据", format!("没有依据“{id}”")));
        }
    }
    Ok(())
}

/// 立案. Returns the new case's id.
#[allow(clippy::too_many_arguments)]
#[tracing::instrument(skip_all)]
pub async fn open(
    store: &Store,
    scope: &Scope,
    cal: &Calendar,
    rules: &CaseRules,
    now: OffsetDateTime,
    new: &NewCase,
) -> Result<String, StoreError> {
    scope.require(Permission::HandleLeads)?;
    let department_id = scope
        .department_id
        .clone()
        .ok_or_else(|| StoreError::invalid("办案机关", "系统账号不能立案"))?;
    if scope.operator_id.is_some() {
        return Err(StoreError::Forbidden);
    }
    let title = text("案件名称", &new.title, 4, 100)?;
    let violation = text("违法行为", &new.violation, 4, 4000)?;
    let today = deadlines::china_date(now);
    if new.filed_on > today {
        return Err(StoreError::invalid("立案日期", "不能晚于今天"));
    }
    if new.parties.is_empty() {
        return Err(StoreError::invalid("当事人", "请至少添加一个当事人"));
    }
    let mut parties = Vec::with_capacity(new.parties.len());
    for p in &new.parties {
        parties.push(checked_party(store, scope, p).await?);
    }
    checked_basis(store, &new.basis).await?;
    let case_no = match new.case_no.trim() {
        "" => format!(
            "AJ{:04}{:02}{:02}{}",
            today.year(),
            u8::from(today.month()),
            today.day(),
            crate::leads::intake::random_code(5)
        ),
        given => text("案件编号", given, 2, 60)?.to_string(),
    };
    // A lead and its group: visible, handled by this department, not declined, no case yet.
    let leads = match &new.lead_id {
        Some(lead_id) => {
            let lead = crate::leads::get(store, scope, lead_id).await?;
            if !crate::leads::is_handler(scope, &lead) {
                return Err(StoreError::Forbidden);
            }
            if lead.state == LeadState::Declined || lead.state == LeadState::Received {
                return Err(StoreError::invalid(
                    "线索",
                    format!("线索“{}”{}，不能立案", lead.code, lead.state.label_zh()),
                ));
            }
            let group = lead.primary_id().to_string();
            let ids: Vec<(String, String)> = sqlx::query_as(
                "select id, code from lead where id = $1 or group_id = $1 order by code",
            )
            .bind(&group)
            .fetch_all(store.pool())
            .await?;
            // A case of any lead of the group is the group's case: repeated complaints lead
            // to one case.
            let taken: Option<String> = sqlx::query_scalar(
                "select c.case_no from case_lead cl join enforcement_case c on c.id = cl.case_id \
                 join lead l on l.id = cl.lead_id \
                 where (l.id = $1 or l.group_id = $1) and c.stage <> 'withdrawn' limit 1",
            )
            .bind(&group)
            .fetch_optional(store.pool())
            .await?;
            if let Some(no) = taken {
                return Err(StoreError::Conflict {
                    field: "线索",
                    message: format!("该线索已立案（案件编号 {no}）"),
                });
            }
            ids
        }
        None => Vec::new(),
    };
    // The district is the place of the violation: in the jurisdiction, or the place of the
    // lead this department handles (a lead referred here from a neighbouring district).
    let lead_region = match &new.lead_id {
        Some(id) => Some(crate::leads::get(store, scope, id).await?.region_code),
        None => None,
    };
    if !(scope.covers(&new.region_code) || lead_region.as_deref() == Some(&new.region_code))
        || new.region_code.ends_with("00")
    {
        return Err(StoreError::invalid(
            "行政区划",
            "请选择管辖范围内的县（市、区）",
        ));
    }
    let authority: String = sqlx::query_scalar("select name from department where id = $1")
        .bind(&department_id)
        .fetch_one(store.pool())
        .await?;
    let filed_at = deadlines::end_of_day(new.filed_on);
    let due = deadlines::due_db(cal, filed_at.min(now), rules.decide);
    let id = new_id();
    let now_db = timefmt::to_db(now);
    let mut tx = store.begin().await?;
    let inserted = sqlx::query(
        "insert into enforcement_case (id, case_no, title, category, origin, stage, region_code, \
         department_id, authority, violation, filed_on, decide_due, source, created_by, \
         created_at, updated_at, version) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'officer', $13, $14, $14, 1)",
    )
    .bind(&id)
    .bind(&case_no)
    .bind(title)
    .bind(new.category.code())
    .bind(new.origin.code())
    .bind(Stage::Filed.code())
    .bind(&new.region_code)
    .bind(&department_id)
    .bind(&authority)
    .bind(violation)
    .bind(timefmt::day_to_db(new.filed_on))
    .bind(&due)
    .bind(&scope.actor.name)
    .bind(&now_db)
    .execute(&mut *tx)
    .await;
    if let Err(e) = inserted {
        return Err(if StoreError::is_unique_violation(&e) {
            StoreError::Conflict {
                field: "案件编号",
                message: format!("“{case_no}”已被其他案件使用"),
            }
        } else {
            e.into()
        });
    }
    for p in &parties {
        insert_party(&mut tx, &id, p, now).await?;
    }
    for b in &new.basis {
        sqlx::query("insert into case_basis (case_id, basis_id) values ($1, $2)")
            .bind(&id)
            .bind(b)
            .execute(&mut *tx)
            .await?;
    }
    let note = format!(
        "立案：{}（{}）{}",
        title,
        new.category.label_zh(),
        if leads.is_empty() {
            String::new()
        } else {
            format!(
                "，来自线索 {}",
                leads
                    .iter()
                    .map(|l| l.1.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            )
        }
    );
    event(&mut tx, &id, now, CaseAction::Opened, scope, Some(&note)).await?;
    for (lead_id, code) in &leads {
        link_lead(&mut tx, scope, now, &id, &case_no, lead_id, code).await?;
    }
    audit::record(
        &mut tx,
        &scope.actor,
        now,
        audit::Change {
            action: "case.open",
            entity: "enforcement_case",
            entity_id: &id,
            region_code: Some(&new.region_code),
            before: None,
            after: Some(serde_json::json!({
                "case_no": case_no, "category": new.category.code(), "origin": new.origin.code(),
                "filed_on": timefmt::day_to_db(new.filed_on), "decide_due": due,
                "parties": parties.len(), "leads": leads.iter().map(|l| &l.1).collect::<Vec<_>>(),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Links a lead to a case: the lead's own conclusion clock stops (the case's decision limit is
/// the one clock), and its history says so.
async fn link_lead(
    tx: &mut Tx,
    scope: &Scope,
    now: OffsetDateTime,
    case_id: &str,
    case_no: &str,
    lead_id: &str,
    lead_code: &str,
) -> Result<(), StoreError> {
    sqlx::query("insert into case_lead (case_id, lead_id) values ($1, $2)")
        .bind(case_id)
        .bind(lead_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "update lead set next_due = null, next_step = null, updated_at = $2 \
         where id = $1 and next_step = 'conclude'",
    )
    .bind(lead_id)
    .bind(timefmt::to_db(now))
    .execute(&mut **tx)
    .await?;
    crate::leads::workflow::event(
        tx,
        lead_id,
        now,
        "case_opened",
        &scope.actor,
        scope.department_id.as_deref(),
        Some(&format!("立案，案件编号 {case_no}")),
        false,
    )
    .await?;
    event(
        tx,
        case_id,
        now,
        CaseAction::LeadLinked,
        scope,
        Some(&format!("线索 {lead_code}")),
    )
    .await
}

/// The origin a lead's source suggests.
pub fn origin_of(source: Source) -> CaseOrigin {
    match source {
        Source::Complaint => CaseOrigin::Complaint,
        Source::Inspection => CaseOrigin::Inspection,
        Source::Monitoring => CaseOrigin::Monitoring,
        Source::Officer => CaseOrigin::Other,
        Source::JudicialNotice => CaseOrigin::Referral,
    }
}
