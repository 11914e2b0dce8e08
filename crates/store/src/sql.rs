//! Small helpers for SQL text that both databases accept.

use crate::Backend;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_for_postgres_anonymous_for_sqlite() {
        assert_eq!(values(Backend::Postgres, 2, 2, 3), "($3, $4), ($5, $6)");
        assert_eq!(values(Backend::Sqlite, 2, 3, 1), "(?, ?, ?), (?, ?, ?)");
    }
}
