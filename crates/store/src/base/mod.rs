//! The core every feature stands on: the pool and transactions, the scope every query takes,
//! errors, the audit chain, SQL helpers, time formatting, state shared between servers, the
//! working-day calendar, backup and the test harness. A feature folder uses these and adds its
//! own tables; it does not reach into another feature's tables except through its functions.

pub mod audit;
pub mod backup;
pub mod calendar;
pub(crate) mod error;
pub(crate) mod scope;
pub mod shared;
pub(crate) mod sql;
pub(crate) mod store;
pub mod stored;
#[cfg(feature = "testing")]
pub mod testing;
pub mod timefmt;
