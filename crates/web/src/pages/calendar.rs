//! The working-day calendar page (工作日历): the days administrators set over the shipped
//! holiday arrangement, and the arrangement of this year and the next, so a missing year shows.
//!
//! Administrators only (`ManageSettings`). Every change goes through the store, which audits
//! it; this module never writes SQL.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use meijian_domain::role::Permission;
use meijian_domain::workdays::{parse_date, Calendar, DayKind};
use meijian_store::calendar::{self, StoredOverride};
use meijian_store::{timefmt, StoreError};
use serde::Deserialize;
use time::{Date, Month, Weekday};

use crate::chrome::Chrome;
use crate::error::{AppError, AppResult};
use crate::pages::render;
use crate::session::CurrentUser;
use crate::state::AppState;

/// The routes of this page.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/calendar", get(show_calendar).post(add_day))
        .route("/admin/calendar/{date}/delete", post(delete_day))
}

/// A listed day as the page shows it.
pub struct DayRow {
    pub date: String,
    pub weekday: &'static str,
    pub kind: &'static str,
    pub name: String,
    /// For an override: who set it and when; for a shipped day: whether an override replaces it.
    pub note: String,
}

fn weekday_zh(d: Date) -> &'static str {
    match d.weekday() {
        Weekday::Monday => "周一",
        Weekday::Tuesday => "周二",
        Weekday::Wednesday => "周三",
        Weekday::Thursday => "周四",
        Weekday::Friday => "周五",
        Weekday::Saturday => "周六",
        Weekday::Sunday => "周日",
    }
}

fn override_row(o: StoredOverride) -> DayRow {
    DayRow {
        weekday: weekday_zh(o.date),
        kind: o.kind_label(),
        note: format!(
            "{} 于 {}",
            o.created_by,
            crate::pages::show_time(o.created_at)
        ),
        date: o.date.to_string(),
        name: o.name,
    }
}

#[derive(Template)]
#[template(path = "admin_calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    notice: Option<&'static str>,
    error: Option<String>,
    overrides: Vec<DayRow>,
    shipped: Vec<DayRow>,
    years: String,
    source: &'static str,
    known_until: String,
    /// Set when next year's arrangement is in neither the shipped table nor the overrides.
    missing_year: Option<i32>,
    kinds: Vec<(&'static str, &'static str)>,
    /// The add form's values, kept after an error.
    form: DayForm,
}

async fn calendar_page(
    state: &AppState,
    user: &CurrentUser,
    notice: Option<&'static str>,
    error: Option<String>,
    form: DayForm,
) -> AppResult<Html<String>> {
    user.scope.require(Permission::ManageSettings)?;
    let stored = calendar::list(&state.store).await?;
    let effective = calendar::calendar(&state.store).await?;
    let shipped = Calendar::embedded();
    let year = state.now().to_offset(timefmt::cst()).year();
    let first = Date::from_calendar_date(year, Month::January, 1)
        .map_err(|e| AppError::Internal(format!("calendar year {year}: {e}")))?;
    let last = Date::from_calendar_date(year + 1, Month::December, 31)
        .map_err(|e| AppError::Internal(format!("calendar year {year}: {e}")))?;
    let shipped_rows = shipped
        .days(first, last)
        .map(|(date, kind, name)| DayRow {
            date: date.to_string(),
            weekday: weekday_zh(date),
            kind: kind.label_zh(),
            name: name.to_string(),
            note: match effective.day_kind(date) {
                Some(k) if k == kind && effective.day_name(date) == Some(name) => String::new(),
                _ => "已被调整覆盖".to_string(),
            },
        })
        .collect();
    render(&CalendarPage {
        chrome: Chrome::new(user, "/admin"),
        notice,
        error,
        overrides: stored.into_iter().map(override_row).collect(),
        shipped: shipped_rows,
        years: format!("{year}–{}年", year + 1),
        source: shipped.source(),
        known_until: shipped.known_until().to_string(),
        missing_year: (effective.known_until().year() <= year).then_some(year + 1),
        kinds: DayKind::ALL
            .iter()
            .map(|k| (k.code(), k.label_zh()))
            .collect(),
        form,
    })
}

/// `?notice=` after a change: fixed texts only, so nothing of the URL is echoed.
#[derive(Deserialize)]
pub struct NoticeQuery {
    notice: Option<String>,
}

impl NoticeQuery {
    fn text(&self) -> Option<&'static str> {
        match self.notice.as_deref() {
            Some("saved") => Some("已保存。期限计算即时采用新的工作日历。"),
            Some("removed") => Some("已删除，该日恢复为内置节假日安排。"),
            _ => None,
        }
    }
}

#[tracing::instrument(skip_all)]
pub async fn show_calendar(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<NoticeQuery>,
) -> AppResult<Html<String>> {
    calendar_page(&state, &user, query.text(), None, DayForm::default()).await
}

/// The add form. Every field defaults to empty, so a missing one gets the store's Chinese
/// message naming it rather than a bare rejection.
#[derive(Deserialize, Default)]
pub struct DayForm {
    #[serde(default)]
    date: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
}

#[tracing::instrument(skip_all)]
pub async fn add_day(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<DayForm>,
) -> AppResult<Response> {
    user.scope.require(Permission::ManageSettings)?;
    let saved = match calendar::parse_override(&form.date, &form.kind, &form.name) {
        Ok(day) => calendar::set_override(&state.store, &user.scope, state.now(), day).await,
        Err(e) => Err(e),
    };
    let refused = match saved {
        Ok(()) => return Ok(Redirect::to("/admin/calendar?notice=saved").into_response()),
        Err(e @ (StoreError::Invalid { .. } | StoreError::Conflict { .. })) => e,
        Err(e) => return Err(e.into()),
    };
    let status = match refused {
        StoreError::Conflict { .. } => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let page = calendar_page(&state, &user, None, Some(refused.to_string()), form).await?;
    Ok((status, page).into_response())
}

#[tracing::instrument(skip_all)]
pub async fn delete_day(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(date): Path<String>,
) -> AppResult<Response> {
    user.scope.require(Permission::ManageSettings)?;
    let date = parse_date(&date).ok_or(AppError::NotFound)?;
    calendar::remove_override(&state.store, &user.scope, state.now(), date).await?;
    Ok(Redirect::to("/admin/calendar?notice=removed").into_response())
}
