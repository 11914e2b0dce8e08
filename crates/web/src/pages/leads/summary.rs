//! The complaint line of the seed 汇总表 (`001`) for a month: per district
//! “投诉举报_件；办结_件；实施行政处罚_件；反馈_件；举报人满意_件”, a total row, and the same
//! table as XLSX for the monthly report. Months are calendar months in China time.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use meijian_domain::role::Permission;
use meijian_exports::{Cell, Column, Table};
use meijian_store::leads::stats::{self, ComplaintCounts};
use meijian_store::timefmt;
use serde::Deserialize;
use time::{Month, OffsetDateTime};

use super::counties;
use crate::chrome::Chrome;
use crate::error::{AppError, AppResult};
use crate::pages::registries::short_region;
use crate::pages::{region_name, render};
use crate::session::CurrentUser;
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    #[serde(default)]
    month: String,
}

/// A calendar month and its bounds as stored instants: `[from, to)`.
struct Period {
    year: i32,
    month: Month,
    from: OffsetDateTime,
    to: OffsetDateTime,
}

impl Period {
    /// `2026-11`, or the current month in China when empty.
    fn parse(s: &str, now: OffsetDateTime) -> AppResult<Period> {
        let bad = || AppError::Invalid {
            field: "月份".into(),
            message: "格式应为 2026-11".into(),
        };
        let (year, month) = match s.trim() {
            "" => {
                let t = now.to_offset(timefmt::cst());
                (t.year(), t.month())
            }
            s => timefmt::parse_month(s).ok_or_else(bad)?,
        };
        let (from, to) = timefmt::month_bounds(year, month)
            .and_then(|(from, to)| Some((timefmt::from_db(&from)?, timefmt::from_db(&to)?)))
            .ok_or_else(bad)?;
        Ok(Period {
            year,
            month,
            from,
            to,
        })
    }

    fn code(&self) -> String {
        format!("{:04}-{:02}", self.year, u8::from(self.month))
    }

    fn label(&self) -> String {
        format!("{}年{}月", self.year, u8::from(self.month))
    }
}

/// One row of the table.
pub struct SummaryRow {
    pub region_code: String,
    pub name: String,
    pub counts: ComplaintCounts,
    pub sentence: String,
}

/// The wording of the 汇总表's line.
fn sentence(c: &ComplaintCounts) -> String {
    format!(
        "投诉举报{}件；办结{}件；实施行政处罚{}件；反馈{}件；举报人满意{}件。",
        c.received, c.concluded, c.penalised, c.replied, c.satisfied
    )
}

/// Every district of the jurisdiction (zero when nothing happened), then the total.
async fn rows(
    state: &AppState,
    user: &CurrentUser,
    period: &Period,
) -> AppResult<(Vec<SummaryRow>, SummaryRow)> {
    if !(user.scope.can(Permission::ViewStatistics) || user.scope.can(Permission::HandleLeads)) {
        return Err(AppError::Forbidden);
    }
    let mut counts =
        stats::complaint_counts(&state.store, &user.scope, period.from, period.to).await?;
    let total = counts.pop().unwrap_or_default();
    let mut out: Vec<SummaryRow> = counties(user)
        .into_iter()
        .map(|(code, name)| {
            let c = counts
                .iter()
                .find(|c| c.region_code == code)
                .cloned()
                .unwrap_or_else(|| ComplaintCounts {
                    region_code: code.clone(),
                    ..ComplaintCounts::default()
                });
            SummaryRow {
                region_code: code,
                name,
                sentence: sentence(&c),
                counts: c,
            }
        })
        .collect();
    for c in counts {
        if !out.iter().any(|r| r.region_code == c.region_code) {
            out.push(SummaryRow {
                region_code: c.region_code.clone(),
                name: short_region(&c.region_code),
                sentence: sentence(&c),
                counts: c,
            });
        }
    }
    let total = SummaryRow {
        region_code: String::new(),
        name: "合计".into(),
        sentence: sentence(&total),
        counts: total,
    };
    Ok((out, total))
}

fn title(user: &CurrentUser, period: &Period) -> String {
    format!(
        "{} 投诉举报情况（{}）",
        region_name(&user.principal.department.region_code),
        period.label()
    )
}

#[derive(Template)]
#[template(path = "leads_summary.html")]
struct SummaryPage {
    chrome: Chrome,
    title: String,
    month: String,
    rows: Vec<SummaryRow>,
    total: SummaryRow,
}

#[tracing::instrument(skip_all)]
pub async fn show_summary(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<MonthQuery>,
) -> AppResult<Html<String>> {
    let period = Period::parse(&query.month, state.now())?;
    let (rows, total) = rows(&state, &user, &period).await?;
    render(&SummaryPage {
        chrome: Chrome::new(&user, "/leads/summary"),
        title: title(&user, &period),
        month: period.code(),
        rows,
        total,
    })
}

/// The table as XLSX: 区（市）, the five counts, and the sentence as the 汇总表 words it.
#[tracing::instrument(skip_all)]
pub async fn export_summary(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<MonthQuery>,
) -> AppResult<Response> {
    let period = Period::parse(&query.month, state.now())?;
    let (rows, total) = rows(&state, &user, &period).await?;
    let (table, data) = summary_export(title(&user, &period), &rows, &total);
    let bytes = meijian_exports::to_xlsx_bytes(&table, data).map_err(crate::xlsx::failed)?;
    let name = format!("投诉举报情况{}.xlsx", period.code());
    Ok(crate::xlsx::download(&name, bytes).into_response())
}

/// The 汇总表 as a table: a line per district and the total line.
fn summary_export<'a>(
    title: String,
    rows: &'a [SummaryRow],
    total: &'a SummaryRow,
) -> (Table, impl Iterator<Item = Vec<Cell>> + 'a) {
    let columns = vec![
        Column::text("区（市）"),
        Column::number("投诉举报（件）"),
        Column::number("办结（件）"),
        Column::number("实施行政处罚（件）"),
        Column::number("反馈（件）"),
        Column::number("举报人满意（件）"),
        Column::text("投诉举报情况"),
    ];
    let data = rows.iter().chain(std::iter::once(total)).map(|r| {
        let c = &r.counts;
        vec![
            Cell::text(r.name.as_str()),
            Cell::int(c.received),
            Cell::int(c.concluded),
            Cell::int(c.penalised),
            Cell::int(c.replied),
            Cell::int(c.satisfied),
            Cell::text(r.sentence.as_str()),
        ]
    });
    (Table::new("投诉举报情况", columns).titled(title), data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn months_are_china_months() {
        let p = Period::parse("2026-12", datetime!(2026-11-20 02:00 UTC)).ok();
        let p = p.map(|p| (p.from, p.to));
        assert_eq!(
            p,
            Some((
                datetime!(2026-11-30 16:00 UTC),
                datetime!(2026-12-31 16:00 UTC)
            ))
        );
        // 20:00 UTC on 30 November is already December in China.
        let now = Period::parse("", datetime!(2026-11-30 20:00 UTC)).ok();
        assert_eq!(now.map(|p| p.code()), Some("2026-12".to_string()));
        assert!(Period::parse("2026-13", datetime!(2026-11-20 02:00 UTC)).is_err());
        assert!(Period::parse("11/2026", datetime!(2026-11-20 02:00 UTC)).is_err());
    }

    #[test]
    fn the_summary_export_layout() {
        let line = |code: &str, name: &str, received, concluded| {
            let counts = ComplaintCounts {
                region_code: code.to_string(),
                received,
                concluded,
                ..ComplaintCounts::default()
            };
            SummaryRow {
                region_code: code.to_string(),
                name: name.to_string(),
                sentence: sentence(&counts),
                counts,
            }
        };
        let rows = vec![
            line("370402", "市中区", 3, 2),
            line("370403", "薛城区", 0, 0),
        ];
        let total = line("3704", "合计", 3, 2);
        let (table, data) =
            summary_export("枣庄市 2026年11月 投诉举报情况".to_string(), &rows, &total);
        let text = meijian_exports::preview(&table, data);
        insta::assert_snapshot!(text.map_err(|e| e.to_string()).unwrap_or_default());
    }
}
