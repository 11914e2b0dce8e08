//! Storage of Meijian on SQLite (the embedded default) and PostgreSQL (production).
//!
//! One code path serves both: portable SQL through sqlx's `Any` driver (see
//! `docs/decisions/0002-one-sql-dialect-for-sqlite-and-postgres.md`). Every read of a scoped
//! record takes a [`Scope`]; there is no unscoped getter for the web layer to forget about.
//! Every change writes an [`audit`] entry in the same transaction.
//!
//! The crate divides where features divide (decision 0001): `base` is the core (pool,
//! transactions, scope, audit, SQL helpers, calendar, backup, test harness), re-exported at the
//! root; each feature is one folder named as its web pages and API are.

mod base;

pub mod accounts;
pub mod cases;
pub mod dashboard;
pub mod demo;
pub mod leads;
pub mod operators;
pub mod public;
pub mod reconcile;
pub mod registries;

pub use base::error::StoreError;
pub use base::scope::{Actor, Scope};
pub(crate) use base::sql;
pub use base::store::{redact_url, Backend, Store, Tx};
#[cfg(feature = "testing")]
pub use base::testing;
pub use base::{audit, backup, calendar, shared, stored, timefmt};

/// A fresh random id for a new record (UUID v7: time-ordered, so inserts stay index-friendly,
/// and unguessable enough that ids in URLs reveal nothing).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}
