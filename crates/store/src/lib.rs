//! Storage of Meijian on SQLite (the embedded default) and PostgreSQL (production).
//!
//! One code path serves both: portable SQL through sqlx's `Any` driver (see
//! `docs/decisions/0002-one-sql-dialect-for-sqlite-and-postgres.md`). Every read of a scoped
//! record takes a [`Scope`]; there is no unscoped getter for the web layer to forget about.
//! Every change writes an [`audit`] entry in the same transaction.

pub mod accounts;
pub mod audit;
pub mod backup;
pub mod calendar;
pub mod dashboard;
pub mod demo;
pub mod departments;
mod error;
pub mod leads;
pub mod login;
pub mod password;
pub mod public_form;
pub mod public_lookup;
pub mod reconcile;
pub mod registry_import;
pub mod registry_records;
mod scope;
pub mod search_index;
pub mod sessions;
pub mod shared;
mod sql;
mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod timefmt;

pub use error::StoreError;
pub use scope::{Actor, Scope};
pub use store::{redact_url, Backend, Store, Tx};

/// A fresh random id for a new record (UUID v7: time-ordered, so inserts stay index-friendly,
/// and unguessable enough that ids in URLs reveal nothing).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}
