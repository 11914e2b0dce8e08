//! What the cross-check reads of each record (比对输入): a compact copy of the fields that link
//! and classify, so a million records fit in memory beside the work.

use meijian_domain::uscc::Uscc;
use meijian_registry::{Record, RegistryKind};

use crate::scope::{self, AestheticSign};

/// 来源: the five registries of the cross-check (DATA.md "The cross-check result").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    Registrations,
    Licenses,
    SalonFilings,
    PlatformMerchants,
    Tax,
}

impl Source {
    /// Every source, in DATA.md order.
    pub const ALL: [Source; 5] = [
        Source::Registrations,
        Source::Licenses,
        Source::SalonFilings,
        Source::PlatformMerchants,
        Source::Tax,
    ];

    /// The registry this source is.
    pub fn registry(self) -> RegistryKind {
        match self {
            Source::Registrations => RegistryKind::Registrations,
            Source::Licenses => RegistryKind::Licenses,
            Source::SalonFilings => RegistryKind::SalonFilings,
            Source::PlatformMerchants => RegistryKind::PlatformMerchants,
            Source::Tax => RegistryKind::Tax,
        }
    }

    /// The source of a registry, if it takes part in the cross-check.
    pub fn of_registry(kind: RegistryKind) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.registry() == kind)
    }

    /// The 来源 value of `result.csv`: `registrations`, `licenses` …
    pub fn code(self) -> &'static str {
        self.registry().code()
    }

    /// The Chinese name shown to users.
    pub fn label_zh(self) -> &'static str {
        self.registry().label_zh()
    }
}

/// 登记状态 of a registration, reduced to what the classes need.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationState {
    /// 存续, 在业, 迁出, or blank: counts as 照.
    Alive,
    /// 注销 or 吊销.
    Ended,
}

/// One record of the cross-check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputRecord {
    pub source: Source,
    /// 记录键.
    pub key: String,
    /// The main name: 主体名称, 机构名称, 店铺名称, 纳税人名称.
    pub name: String,
    /// A second name: the 主体名称 a platform shop displays.
    pub entity_name: Option<String>,
    /// A valid 统一社会信用代码 carried by the record (the key of a registration, the reported
    /// or displayed code elsewhere, a 纳税人识别号 that is a code).
    pub uscc: Option<String>,
    /// A reported code that is not valid (mistyped): kept to find the code it was meant to be.
    pub invalid_uscc: Option<String>,
    /// The 9-character 组织机构代码 on a license's 登记号, when it has a valid one.
    pub license_org_code: Option<String>,
    pub address: Option<String>,
    /// 法定代表人, 主要负责人, 经营者.
    pub persons: Vec<String>,
    /// 行政区划代码.
    pub region: Option<String>,
    /// Registrations: whether it is a 照.
    pub registration: Option<RegistrationState>,
    /// Licenses: 状态 and 有效期至 (ISO date), judged on the run's as-of date.
    pub license: Option<LicenseState>,
    /// Why this record shows medical aesthetics, if it does.
    pub aesthetic: Option<AestheticSign>,
}

/// A license's state as read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LicenseState {
    /// 有效, 注销, 吊销, 过期 (blank read as 有效).
    pub status: String,
    /// `YYYY-MM-DD`, `9999-12-31` for 长期; `None` when blank.
    pub valid_until: Option<String>,
}

impl LicenseState {
    /// 证: 有效 and not expired on `as_of` (`YYYY-MM-DD`).
    pub fn is_valid_on(&self, as_of: &str) -> bool {
        self.status == "有效" && self.valid_until.as_deref().is_none_or(|d| d >= as_of)
    }
}

impl InputRecord {
    /// The cross-check's copy of a registry record, or `None` for a registry outside the
    /// cross-check.
    pub fn from_registry(kind: RegistryKind, record: &Record) -> Option<InputRecord> {
        let source = Source::of_registry(kind)?;
        let get = |field: &str| record.get(field).map(str::to_owned);
        let (name, code_field) = match source {
            Source::Registrations => (get("name"), "uscc"),
            Source::Licenses => (get("name"), "uscc"),
            Source::SalonFilings => (get("name"), "uscc"),
            Source::PlatformMerchants => (get("shop_name").or_else(|| get("entity_name")), "uscc"),
            Source::Tax => (get("name"), "taxpayer_id"),
        };
        let reported = record
            .get(code_field)
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let parsed = reported.map(Uscc::parse);
        let (uscc, invalid_uscc) = match parsed {
            // A 居民身份证号码 can pass the code's check by chance (one in 31): it is a person's.
            Some(Ok(_)) if reported.is_some_and(looks_like_id_number) => (None, None),
            Some(Ok(code)) => (Some(code.to_string()), None),
            // A 纳税人识别号 that is not a code (an old 注册号 or an ID number) is not a typo.
            Some(Err(_)) if source == Source::Tax => (None, None),
            Some(Err(_)) => (None, reported.map(str::to_uppercase)),
            None => (None, None),
        };
        let mut persons: Vec<String> = ["legal_rep", "principal", "operator"]
            .iter()
            .filter_map(|f| record.get(f))
            .map(|p| p.split_whitespace().collect::<String>())
            .filter(|p| !p.is_empty())
            .collect();
        // A natural person on the tax register (自然人纳税人: an ID number, a person's name) is
        // a person, not a business name: compared with the persons of other records, not
        // with their names.
        let mut name = name;
        if source == Source::Tax
            && uscc.is_none()
            && record.get("taxpayer_id").is_some_and(looks_like_id_number)
            && name.as_deref().is_some_and(looks_like_person)
        {
            persons.extend(name.take());
        }
        // Likewise a platform shop run by a person displays the person as its 主体名称.
        let mut entity_name = get("entity_name").filter(|_| source == Source::PlatformMerchants);
        if entity_name.as_deref().is_some_and(looks_like_person) {
            persons.extend(entity_name.take());
        }
        let registration = (source == Source::Registrations).then(|| match record.get("status") {
            Some("注销") | Some("吊销") => RegistrationState::Ended,
            _ => RegistrationState::Alive,
        });
        let license = (source == Source::Licenses).then(|| LicenseState {
            status: record.get("status").unwrap_or("有效").to_owned(),
            valid_until: get("valid_until"),
        });
        let license_org_code = record
            .get("license_no")
            .filter(|_| source == Source::Licenses)
            .and_then(org_code_of_license_no);
        Some(InputRecord {
            source,
            key: record.key.clone(),
            name: name.unwrap_or_default(),
            entity_name,
            uscc,
            invalid_uscc,
            license_org_code,
            address: get("address"),
            persons,
            region: get("region"),
            registration,
            license,
            aesthetic: scope::sign_of(source, record),
        })
    }
}

/// A 居民身份证号码: 17 digits and a digit or X, a birth date (YYYYMMDD, 1900–2099) at
/// positions 7–14, and a start that is no USCC's 登记管理部门码 and 机构类别码.
fn looks_like_id_number(id: &str) -> bool {
    let id = id.trim();
    if id.len() != 18 || !id.is_ascii() {
        return false;
    }
    let digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    let number = |s: &str| s.parse::<u32>().unwrap_or(0);
    let last = id.as_bytes()[17];
    let (year, month, day) = (number(&id[6..10]), number(&id[10..12]), number(&id[12..14]));
    let mut start = id.chars();
    let kind = meijian_domain::uscc::EntityKind::from_codes(
        start.next().unwrap_or(' '),
        start.next().unwrap_or(' '),
    );
    digits(&id[..17])
        && (last.is_ascii_digit() || last == b'X' || last == b'x')
        && (1900..2100).contains(&year)
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && kind == meijian_domain::uscc::EntityKind::Other
}

/// Two to four Chinese characters and nothing of a business name in them.
fn looks_like_person(name: &str) -> bool {
    let name = name.trim();
    let count = name.chars().count();
    (2..=4).contains(&count)
        && name.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        && !crate::words::INDUSTRY_WORDS
            .iter()
            .any(|w| name.contains(w))
        && !crate::words::ORG_FORMS.iter().any(|w| name.contains(w))
        && !["店", "部", "厂", "社", "馆", "室", "中心"]
            .iter()
            .any(|w| name.contains(w))
}

/// The 组织机构代码 a 22-character 医疗机构登记号 starts with, when its check character holds
/// (DOMAIN.md §3.1: the embedding is common practice, so only a valid one is used).
fn org_code_of_license_no(license_no: &str) -> Option<String> {
    let chars: Vec<char> = license_no.trim().chars().collect();
    if chars.len() != 22 {
        return None;
    }
    let body: String = chars[..8].iter().collect::<String>().to_uppercase();
    let check = meijian_domain::uscc::org_code_check_char(&body)?;
    (chars[8].to_ascii_uppercase() == check).then(|| format!("{body}{check}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_number_is_a_person_not_a_code() {
        // Passes the USCC check by chance, and is a person's 身份证号码.
        assert!(Uscc::parse("370404198912183776").is_ok());
        assert!(looks_like_id_number("370404198912183776"));
        assert!(looks_like_id_number("37048120000502474X"));
        assert!(!looks_like_id_number("913704037851146137"));
        assert!(!looks_like_id_number("92370481MALHTX05X5"));
        assert!(looks_like_person("范艳振"));
        assert!(!looks_like_person("鑫华饭店"));
        assert!(!looks_like_person("悦颜医美"));
    }
}
