//! 线索 (leads): complaints, reports and other signs of a violation, and the rules for handling
//! them — categories, channels, states, the duty matrix (职责分工), legal time limits and the
//! reward rules (举报奖励).
//!
//! Codes are stored in the database: never change one. Numbers the law does not fix firmly
//! (`DOMAIN.md` marks them [U]) live in [`rules::LeadRules`], which the deployment configures.

pub mod codes;
pub mod duty;
pub mod mask;
pub mod money;
pub mod referral;
pub mod rules;
pub mod workflow;

pub use codes::{
    Category, Channel, ExtensionState, Finding, LeadKind, LeadState, Outcome, ReferralKind,
    ReferralState, RewardState, Satisfaction, Source,
};
pub use duty::DutyRule;
pub use money::Fen;
pub use rules::{LeadRules, RewardLevel, RewardRules, TimeLimits};
pub use workflow::{LeadFacts, LeadStep};
