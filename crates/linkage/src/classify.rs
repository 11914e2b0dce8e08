//! The four lists (四类名单) of DATA.md, judged per operator on an as-of date.

use meijian_domain::uscc::{EntityKind, Uscc};

use crate::input::{InputRecord, RegistrationState, Source};

/// 分类: an operator's class. Operators outside medical aesthetics have none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    /// 有证有照: a live registration and a valid license.
    Both,
    /// 有照无证: a live registration, no valid license.
    RegisteredOnly,
    /// 无照无证: neither.
    Neither,
    /// 有证无照: a valid license, no live registration.
    LicensedOnly,
}

impl Class {
    pub const ALL: [Class; 4] = [
        Class::Both,
        Class::RegisteredOnly,
        Class::Neither,
        Class::LicensedOnly,
    ];

    /// The 分类 value of `result.csv`.
    pub fn label_zh(self) -> &'static str {
        match self {
            Class::Both => "有证有照",
            Class::RegisteredOnly => "有照无证",
            Class::Neither => "无照无证",
            Class::LicensedOnly => "有证无照",
        }
    }

    /// A stable code for storage and URLs.
    pub fn code(self) -> &'static str {
        match self {
            Class::Both => "both",
            Class::RegisteredOnly => "registered_only",
            Class::Neither => "neither",
            Class::LicensedOnly => "licensed_only",
        }
    }

    pub fn from_code(code: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn from_label(label: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.label_zh() == label)
    }
}

/// An operator's class and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    pub class: Option<Class>,
    /// Why it is in scope (the first sign of medical aesthetics found), if it is.
    pub scope_reason: Option<String>,
    /// 有证无照 of an entity that never holds a 营业执照 (事业单位, 民办非企业单位 …): a
    /// public-sector institution, not an anomaly.
    pub public_institution: Option<EntityKind>,
}

/// The verdict on an operator made of `members`.
pub fn classify<'a>(
    members: impl Iterator<Item = &'a InputRecord> + Clone,
    as_of: &str,
) -> Verdict {
    let registered = members
        .clone()
        .any(|r| r.registration == Some(RegistrationState::Alive));
    let licensed = members
        .clone()
        .any(|r| r.license.as_ref().is_some_and(|l| l.is_valid_on(as_of)));
    let scope_reason = members
        .clone()
        .find_map(|r| r.aesthetic.as_ref())
        .map(|s| s.reason.clone());
    let class = scope_reason.as_ref().map(|_| match (licensed, registered) {
        (true, true) => Class::Both,
        (false, true) => Class::RegisteredOnly,
        (true, false) => Class::LicensedOnly,
        (false, false) => Class::Neither,
    });
    let public_institution = (class == Some(Class::LicensedOnly))
        .then(|| {
            members
                .filter(|r| r.source != Source::Registrations)
                .filter_map(|r| r.uscc.as_deref())
                .filter_map(|c| Uscc::parse(c).ok())
                .map(|c| c.entity_kind())
                .find(|k| !k.has_market_registration() && *k != EntityKind::Other)
        })
        .flatten();
    Verdict {
        class,
        scope_reason,
        public_institution,
    }
}
