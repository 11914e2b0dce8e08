//! 案件 (administrative cases): the codes of a case, its parties and penalties, the workflow from
//! 立案 to 结案 as a table, and the numbers a deployment configures (time limits).
//!
//! Codes are stored in the database: never change one. The category of a case is the
//! [`crate::lead::Category`] of leads (the seven of the seed 汇总表, plus 价格, 税收, 其他).

pub mod codes;
pub mod penalty;
pub mod rules;
pub mod transfer;
pub mod typical;
pub mod workflow;

pub use crate::lead::Category;
pub use codes::{CaseAction, CaseOrigin, CaseSource, PartyKind, PenaltyKind, Severity, Stage};
pub use penalty::{ActionInput, PenaltyError};
pub use rules::CaseRules;
pub use workflow::{CaseFacts, CaseStep};
