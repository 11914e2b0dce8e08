//! Reading stored values into domain types. A row is fetched as it is stored (text codes, RFC
//! 3339 text) and converted once, here: an unknown code or a malformed time is an error naming
//! the table, the row and the column ([`StoreError::Corrupt`]), never a silent default.

use time::{Date, OffsetDateTime};

use crate::{timefmt, StoreError};

/// Where a stored value came from, for the error that names it.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    pub table: &'static str,
    pub id: &'a str,
}

impl<'a> At<'a> {
    pub fn new(table: &'static str, id: &'a str) -> At<'a> {
        At { table, id }
    }

    fn corrupt(self, column: &'static str, value: &str) -> StoreError {
        StoreError::Corrupt {
            table: self.table,
            id: self.id.to_owned(),
            column,
            value: value.to_owned(),
        }
    }

    /// A stored code decoded by `parse` (a domain type's `from_code`).
    pub fn code<T>(
        self,
        column: &'static str,
        value: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<T, StoreError> {
        parse(value).ok_or_else(|| self.corrupt(column, value))
    }

    /// An optional stored code: null stays `None`, an unknown code is an error.
    pub fn code_opt<T>(
        self,
        column: &'static str,
        value: Option<&str>,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, StoreError> {
        value.map(|v| self.code(column, v, parse)).transpose()
    }

    /// A stored instant (see [`timefmt::to_db`]).
    pub fn time(self, column: &'static str, value: &str) -> Result<OffsetDateTime, StoreError> {
        timefmt::from_db(value).ok_or_else(|| self.corrupt(column, value))
    }

    pub fn time_opt(
        self,
        column: &'static str,
        value: Option<&str>,
    ) -> Result<Option<OffsetDateTime>, StoreError> {
        value.map(|v| self.time(column, v)).transpose()
    }

    /// A stored calendar day (`YYYY-MM-DD`, see [`timefmt::day_to_db`]).
    pub fn date(self, column: &'static str, value: &str) -> Result<Date, StoreError> {
        timefmt::day_from_db(value).ok_or_else(|| self.corrupt(column, value))
    }

    pub fn date_opt(
        self,
        column: &'static str,
        value: Option<&str>,
    ) -> Result<Option<Date>, StoreError> {
        value.map(|v| self.date(column, v)).transpose()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_code_names_the_table_row_and_column() {
        let at = At::new("lead", "0190abc");
        let err = at
            .code("state", "archived", |c| (c == "open").then_some(()))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "lead 表 0190abc 行的 state 无法读取：“archived”"
        );
        assert!(at.code_opt("state", None, |_| Some(())).unwrap().is_none());
        assert!(at.time("received_at", "yesterday").is_err());
        assert_eq!(
            at.time("received_at", "2026-11-22T08:00:00Z").unwrap(),
            time::macros::datetime!(2026-11-22 08:00 UTC)
        );
    }
}
