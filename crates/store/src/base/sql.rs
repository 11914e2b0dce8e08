//! Small helpers for SQL text that both databases accept.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, Arguments};

use crate::{Backend, Scope};

/// The placeholders of a multi-row `values` clause for `rows` rows of `cols` columns, binds
/// numbered from `first`: `($1, $2), ($3, $4)`. On SQLite the anonymous `?` is used instead:
/// SQLite finds a numbered parameter by a linear search of the statement's parameters, which
/// made large batched inserts spend a third of their time looking up names.
pub(crate) fn values(backend: Backend, rows: usize, cols: usize, first: usize) -> String {
    let mut out = String::with_capacity(rows * cols * 5);
    let mut n = first;
    for r in 0..rows {
        out.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols {
            if c > 0 {
                out.push_str(", ");
            }
            match backend {
                Backend::Sqlite => out.push('?'),
                Backend::Postgres => {
                    out.push('$');
                    out.push_str(&n.to_string());
                }
            }
            n += 1;
        }
        out.push(')');
    }
    out
}

/// The placeholder of bind number `n`: `$n` on PostgreSQL, `?` on SQLite (see [`values`]). A
/// statement must use one style throughout, with binds in order.
pub(crate) fn param(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Sqlite => "?".to_string(),
        Backend::Postgres => format!("${n}"),
    }
}

/// The start of a multi-row insert. On SQLite `insert or fail`: a plain insert of several rows
/// copies every page it touches to a statement journal first, so that a failing row can undo
/// the rows before it; the import rolls back the whole transaction on any error, so it does not
/// need that (about 5% of an import's time in a profile). PostgreSQL has no such journal.
pub(crate) fn bulk_insert(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "insert or fail into",
        Backend::Postgres => "insert into",
    }
}

/// The backend a connection talks to.
pub(crate) fn backend_of(conn: &sqlx::AnyConnection) -> Backend {
    if conn.backend_name().eq_ignore_ascii_case("sqlite") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    }
}

/// A value bound to a [`Query`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
    Null,
}

impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(v.to_owned())
    }
}

impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(v)
    }
}

impl From<&String> for Arg {
    fn from(v: &String) -> Arg {
        Arg::Text(v.clone())
    }
}

impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::Int(v)
    }
}

impl<T: Into<Arg>> From<Option<T>> for Arg {
    fn from(v: Option<T>) -> Arg {
        v.map_or(Arg::Null, Into::into)
    }
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Bind(Arg),
}

/// A statement whose conditions grow at run time, built like sqlx's `QueryBuilder` but for the
/// `Any` driver, whose own builder writes `?` (which PostgreSQL refuses). Text and binds are
/// kept apart and the placeholders are numbered when the statement is rendered, so a set of
/// conditions can be appended to a `count(*)` and to a page query alike and nobody counts `$n`
/// by hand. The scope is one more condition ([`Query::in_scope`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct Query {
    parts: Vec<Part>,
}

impl Query {
    pub(crate) fn new(text: &str) -> Query {
        let mut q = Query::default();
        q.push(text);
        q
    }

    /// Appends SQL text; it must not hold placeholders (use [`Query::bind`]).
    pub(crate) fn push(&mut self, text: &str) -> &mut Query {
        debug_assert!(!text.contains('$'), "placeholders come from bind(): {text}");
        self.parts.push(Part::Text(text.to_owned()));
        self
    }

    /// Appends the placeholder of one value.
    pub(crate) fn bind(&mut self, value: impl Into<Arg>) -> &mut Query {
        self.parts.push(Part::Bind(value.into()));
        self
    }

    /// Appends ` and {condition} {placeholder}`: `and("class =", code)`.
    pub(crate) fn and(&mut self, condition: &str, value: impl Into<Arg>) -> &mut Query {
        self.push(" and ").push(condition).push(" ").bind(value)
    }

    /// Appends ` and {column} between lo and hi`: the column holds a region code, which must
    /// lie in the scope's jurisdiction.
    pub(crate) fn in_scope(&mut self, column: &str, scope: &Scope) -> &mut Query {
        let (lo, hi) = scope.region_range();
        self.in_range(column, (lo, hi))
    }

    /// Appends ` and {column} between lo and hi`.
    pub(crate) fn in_range(&mut self, column: &str, (lo, hi): (&str, &str)) -> &mut Query {
        self.push(" and ")
            .push(column)
            .push(" between ")
            .bind(lo)
            .push(" and ")
            .bind(hi)
    }

    /// Appends another query's text and binds.
    pub(crate) fn append(&mut self, other: &Query) -> &mut Query {
        self.parts.extend(other.parts.iter().cloned());
        self
    }

    /// Appends ` limit … offset …`.
    pub(crate) fn page(&mut self, limit: i64, offset: i64) -> &mut Query {
        self.push(" limit ")
            .bind(limit)
            .push(" offset ")
            .bind(offset)
    }

    /// The SQL text with numbered placeholders.
    pub(crate) fn sql(&self) -> String {
        let mut out = String::new();
        let mut n = 0;
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Bind(_) => {
                    n += 1;
                    out.push('$');
                    out.push_str(&n.to_string());
                }
            }
        }
        out
    }

    fn arguments(&self) -> AnyArguments<'_> {
        let mut args = AnyArguments::default();
        for part in &self.parts {
            if let Part::Bind(arg) = part {
                // Adding a text or integer to AnyArguments cannot fail.
                let added = match arg {
                    Arg::Text(v) => args.add(v.as_str()),
                    Arg::Int(v) => args.add(*v),
                    Arg::Null => args.add(Option::<String>::None),
                };
                debug_assert!(added.is_ok());
            }
        }
        args
    }

    #[tracing::instrument(skip_all)]
    pub(crate) async fn fetch_all<'e, O, E>(&self, executor: E) -> Result<Vec<O>, sqlx::Error>
    where
        O: for<'r> sqlx::FromRow<'r, AnyRow> + Send + Unpin,
        E: sqlx::Executor<'e, Database = Any>,
    {
        let sql = self.sql();
        sqlx::query_as_with(&sql, self.arguments())
            .fetch_all(executor)
            .await
    }

    #[tracing::instrument(skip_all)]
    pub(crate) async fn fetch_optional<'e, O, E>(
        &self,
        executor: E,
    ) -> Result<Option<O>, sqlx::Error>
    where
        O: for<'r> sqlx::FromRow<'r, AnyRow> + Send + Unpin,
        E: sqlx::Executor<'e, Database = Any>,
    {
        let sql = self.sql();
        sqlx::query_as_with(&sql, self.arguments())
            .fetch_optional(executor)
            .await
    }

    /// The first column of the one row: a `count(*)`.
    #[tracing::instrument(skip_all)]
    pub(crate) async fn fetch_scalar<'e, T, E>(&self, executor: E) -> Result<T, sqlx::Error>
    where
        T: sqlx::Type<Any> + for<'r> sqlx::Decode<'r, Any> + Send + Unpin,
        (T,): for<'r> sqlx::FromRow<'r, AnyRow>,
        E: sqlx::Executor<'e, Database = Any>,
    {
        let sql = self.sql();
        sqlx::query_scalar_with(&sql, self.arguments())
            .fetch_one(executor)
            .await
    }

    #[tracing::instrument(skip_all)]
    pub(crate) async fn execute<'e, E>(&self, executor: E) -> Result<u64, sqlx::Error>
    where
        E: sqlx::Executor<'e, Database = Any>,
    {
        let sql = self.sql();
        Ok(sqlx::query_with(&sql, self.arguments())
            .execute(executor)
            .await?
            .rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_for_postgres_anonymous_for_sqlite() {
        assert_eq!(values(Backend::Postgres, 2, 2, 3), "($3, $4), ($5, $6)");
        assert_eq!(values(Backend::Sqlite, 2, 3, 1), "(?, ?, ?), (?, ?, ?)");
    }

    #[test]
    fn a_query_numbers_its_own_placeholders_across_appended_parts() {
        let mut conds = Query::default();
        conds
            .and("class =", "both")
            .in_range("region_code", ("370400", "370499"));
        let mut count = Query::new("select count(*) from t where run_id = ");
        count.bind("r1").append(&conds);
        assert_eq!(
            count.sql(),
            "select count(*) from t where run_id = $1 and class = $2 \
             and region_code between $3 and $4"
        );
        let mut list = Query::new("select * from t where 1 = 1");
        list.append(&conds).page(50, 100);
        assert_eq!(
            list.sql(),
            "select * from t where 1 = 1 and class = $1 and region_code between $2 and $3 \
             limit $4 offset $5"
        );
    }
}
