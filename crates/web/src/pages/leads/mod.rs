//! The officers' side of leads (线索台账): the ledger with its XLSX, intake of complaints taken
//! at the desk and of the departments' own findings, a lead's page with the steps of its
//! handling, attachments, referrals between departments, rewards for leaders, and the
//! complaint line of the 汇总表.
//!
//! Every read and write goes through `meijian_store::leads` with the session's scope, which
//! decides what the user may see, masks the reporter for everyone but the handling department
//! and writes the audit entries. Pages never show a reporter's identity outside the lead page,
//! and never put one in an export.

pub mod actions;
pub mod attachments;
pub mod clocks;
pub mod clue;
pub mod detail;
pub mod intake;
pub mod list;
pub mod referrals;
pub mod rewards;
pub mod summary;

use askama::Template;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use meijian_domain::lead::codes::NextStep;
use meijian_domain::lead::Fen;
use meijian_domain::region::{RegionCode, RegionLevel, RegionTable};
use meijian_store::leads::intake::AttachmentLimits;
use meijian_store::leads::Lead;
use time::OffsetDateTime;

use crate::error::{AppError, AppResult};
use crate::pages::render;
use crate::session::CurrentUser;
use crate::state::AppState;
use crate::uploads;

/// The routes of this module. The body limit of a desk intake follows the attachment limits.
pub fn router(attachments: AttachmentLimits) -> Router<AppState> {
    Router::new()
        .route("/leads", get(list::list_leads))
        .route("/leads.xlsx", get(list::export_leads))
        .route(
            "/leads/new",
            get(intake::show_complaint_form)
                .post(intake::take_complaint)
                .layer(DefaultBodyLimit::max(uploads::max_body_bytes(attachments))),
        )
        .route(
            "/leads/clue",
            get(clue::show_clue_form).post(clue::record_clue),
        )
        .route("/leads/summary", get(summary::show_summary))
        .route("/leads/summary.xlsx", get(summary::export_summary))
        .route(
            "/leads/attachments/{id}",
            get(attachments::download_attachment),
        )
        .route("/leads/{id}", get(detail::show_lead))
        .route("/leads/{id}/{action}", post(actions::act_on_lead))
        .route("/referrals", get(referrals::list_referrals))
        .route(
            "/referrals/{id}/{response}",
            post(referrals::respond_to_referral),
        )
        .route("/rewards", get(rewards::list_rewards))
        .route("/rewards/{id}/{decision}", post(rewards::decide_reward))
}

/// A form mistake the page shows beside the form; anything else is an error page.
pub fn form_error(e: AppError) -> AppResult<String> {
    match e {
        AppError::Invalid { .. } | AppError::Conflict { .. } => Ok(e.info().message),
        other => Err(other),
    }
}

/// Renders `page` with `status` (422 for a form sent back with a mistake).
pub fn with_status<T: Template>(status: StatusCode, page: &T) -> AppResult<Response> {
    Ok((status, render(page)?).into_response())
}

/// A deadline as a list or page shows it: China time, and whether it has passed.
pub struct DueView {
    pub at: String,
    pub step: &'static str,
    pub overdue: bool,
}

impl DueView {
    /// The lead's current deadline, if something waits.
    pub fn of(lead: &Lead, now: OffsetDateTime) -> Option<DueView> {
        let due = lead.next_due?;
        Some(DueView {
            at: crate::pages::show_time(due),
            step: lead.next_step.map_or("", NextStep::label_zh),
            overdue: due < now,
        })
    }
}

/// The state as officers read it: 已办结 becomes 已答复 once the reporter has the reply.
pub fn state_label(lead: &Lead) -> &'static str {
    if lead.replied_at.is_some() {
        "已答复"
    } else {
        lead.state_zh()
    }
}

/// The county-level regions of the user's jurisdiction, in code order: the places a lead
/// can be recorded at and the rows of the 汇总表.
pub fn counties(user: &CurrentUser) -> Vec<(String, String)> {
    let table = RegionTable::embedded();
    let Ok(root) = RegionCode::parse(&user.principal.department.region_code) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(code) = stack.pop() {
        match table.get(&code) {
            Some(r) if r.level == RegionLevel::County => {
                out.push((r.code.as_str().to_string(), r.name.clone()));
            }
            Some(_) => stack.extend(table.children(&code).into_iter().map(|c| c.code.clone())),
            None => {}
        }
    }
    out.sort();
    out
}

/// An optional whole amount in 元 as officers type it (`12,000`, `12000元`, empty for 0).
pub fn parse_yuan(field: &str, s: &str) -> AppResult<Fen> {
    let text: String = s.chars().filter(|c| !matches!(c, ' ' | '元')).collect();
    Fen::parse_yuan(&text).map_err(|message| AppError::Invalid {
        field: field.to_string(),
        message: message.into(),
    })
}

/// A checkbox value from a form.
pub fn checked(v: &str) -> bool {
    matches!(v, "1" | "on" | "true")
}

/// Ids in URLs are the store's hex ids: anything else cannot name a record.
pub fn plain_id(id: &str) -> AppResult<&str> {
    if !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(id)
    } else {
        Err(AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_as_typed() {
        assert_eq!(parse_yuan("罚款", "").ok(), Some(Fen::ZERO));
        assert_eq!(parse_yuan("罚款", "12,000").ok(), Some(Fen(1_200_000)));
        assert_eq!(parse_yuan("罚款", "5000元").ok(), Some(Fen(500_000)));
        assert_eq!(parse_yuan("罚款", "1234.56").ok(), Some(Fen(123_456)));
        assert!(parse_yuan("罚款", "1.5万").is_err());
        match parse_yuan("罚款金额", "12.345") {
            Err(AppError::Invalid { field, message }) => {
                assert_eq!(field, "罚款金额");
                assert!(message.contains("两位小数"), "{message}");
            }
            _ => panic!("three decimals are refused"),
        }
    }

    #[test]
    fn ids() {
        assert!(plain_id("0193abcDEF").is_ok());
        assert!(plain_id("../x").is_err());
        assert!(plain_id("").is_err());
    }
}
