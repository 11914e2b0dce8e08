//! Domain types and rules of Meijian (医美综合监管平台): identifiers, regions, departments, roles.
//!
//! Pure: no I/O, no network, no file reads at run time, no clock. Data the rules need (the
//! region table) is compiled in. Every other crate builds on these types; storage keeps their
//! `code()` strings, so those never change once released.

#[macro_use]
mod coded;

pub mod case;
pub mod department;
pub mod disposal;
pub mod lead;
pub mod operator;
pub mod region;
pub mod role;
pub mod uscc;
pub mod workdays;

pub use department::DepartmentKind;
pub use region::{Jurisdiction, Region, RegionCode, RegionLevel, RegionTable};
pub use role::{Permission, Role};
pub use uscc::{EntityKind, Uscc, UsccError};
