//! 部门类别: the kinds of department that take part in supervising medical aesthetics.
//!
//! A department is a kind at a region (卫生健康委员会 of 枣庄市 …); this module holds only the kind.
//! [`DepartmentKind::code`] is stored in the database and sent over the API: a code must never
//! change once released. Add a kind by appending a variant, a code and a label.

use std::fmt;

use serde::{Deserialize, Serialize};

/// 部门类别: kind of department.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum DepartmentKind {
    /// 卫生健康委员会: health commission.
    Health,
    /// 卫生监督机构: health supervision agency (卫生监督所 / 执法队), a department of its own.
    HealthSupervision,
    /// 中医药管理局: traditional Chinese medicine administration.
    Tcm,
    /// 市场监督管理局: market regulation.
    MarketRegulation,
    /// 药品监督管理局: drug (and device) regulation.
    DrugRegulation,
    /// 网信办: cyberspace administration.
    Cyberspace,
    /// 公安局: police.
    Police,
    /// 海关: customs.
    Customs,
    /// 邮政管理局: postal administration.
    Postal,
    /// 商务局: commerce.
    Commerce,
    /// 人力资源和社会保障局: human resources and social security.
    HumanResources,
    /// 税务局: tax.
    Tax,
    /// 医疗保障局: medical insurance.
    MedicalInsurance,
    /// 行政审批服务局: administrative approval.
    AdministrativeApproval,
    /// 人民法院: court.
    Court,
    /// 人民检察院: procuratorate.
    Procuratorate,
    /// 纪委监委: discipline inspection and supervision (receives copies).
    Discipline,
    /// 行业协会: industry association.
    IndustryAssociation,
}

/// A string that is no [`DepartmentKind::code`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("未知的部门类别代码“{0}”")]
pub struct UnknownDepartmentKind(pub String);

impl DepartmentKind {
    /// Every kind, in declaration order.
    pub const ALL: [DepartmentKind; 18] = [
        DepartmentKind::Health,
        DepartmentKind::HealthSupervision,
        DepartmentKind::Tcm,
        DepartmentKind::MarketRegulation,
        DepartmentKind::DrugRegulation,
        DepartmentKind::Cyberspace,
        DepartmentKind::Police,
        DepartmentKind::Customs,
        DepartmentKind::Postal,
        DepartmentKind::Commerce,
        DepartmentKind::HumanResources,
        DepartmentKind::Tax,
        DepartmentKind::MedicalInsurance,
        DepartmentKind::AdministrativeApproval,
        DepartmentKind::Court,
        DepartmentKind::Procuratorate,
        DepartmentKind::Discipline,
        DepartmentKind::IndustryAssociation,
    ];

    /// Every kind, in declaration order.
    pub fn all() -> &'static [DepartmentKind] {
        &Self::ALL
    }

    /// Stable snake_case code, stored in the database. Never change one.
    pub fn code(self) -> &'static str {
        match self {
            DepartmentKind::Health => "health",
            DepartmentKind::HealthSupervision => "health_supervision",
            DepartmentKind::Tcm => "tcm",
            DepartmentKind::MarketRegulation => "market_regulation",
            DepartmentKind::DrugRegulation => "drug_regulation",
            DepartmentKind::Cyberspace => "cyberspace",
            DepartmentKind::Police => "police",
            DepartmentKind::Customs => "customs",
            DepartmentKind::Postal => "postal",
            DepartmentKind::Commerce => "commerce",
            DepartmentKind::HumanResources => "human_resources",
            DepartmentKind::Tax => "tax",
            DepartmentKind::MedicalInsurance => "medical_insurance",
            DepartmentKind::AdministrativeApproval => "administrative_approval",
            DepartmentKind::Court => "court",
            DepartmentKind::Procuratorate => "procuratorate",
            DepartmentKind::Discipline => "discipline",
            DepartmentKind::IndustryAssociation => "industry_association",
        }
    }

    /// The kind with this code.
    pub fn from_code(code: &str) -> Option<DepartmentKind> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// Short Chinese name, e.g. 市场监督管理局.
    pub fn label_zh(self) -> &'static str {
        match self {
            DepartmentKind::Health => "卫生健康委员会",
            DepartmentKind::HealthSupervision => "卫生监督机构",
            DepartmentKind::Tcm => "中医药管理局",
            DepartmentKind::MarketRegulation => "市场监督管理局",
            DepartmentKind::DrugRegulation => "药品监督管理局",
            DepartmentKind::Cyberspace => "网信办",
            DepartmentKind::Police => "公安局",
            DepartmentKind::Customs => "海关",
            DepartmentKind::Postal => "邮政管理局",
            DepartmentKind::Commerce => "商务局",
            DepartmentKind::HumanResources => "人力资源和社会保障局",
            DepartmentKind::Tax => "税务局",
            DepartmentKind::MedicalInsurance => "医疗保障局",
            DepartmentKind::AdministrativeApproval => "行政审批服务局",
            DepartmentKind::Court => "人民法院",
            DepartmentKind::Procuratorate => "人民检察院",
            DepartmentKind::Discipline => "纪委监委",
            DepartmentKind::IndustryAssociation => "行业协会",
        }
    }
}

impl fmt::Display for DepartmentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl From<DepartmentKind> for &'static str {
    fn from(kind: DepartmentKind) -> &'static str {
        kind.code()
    }
}

impl TryFrom<String> for DepartmentKind {
    type Error = UnknownDepartmentKind;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        DepartmentKind::from_code(&code).ok_or(UnknownDepartmentKind(code))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use serde::de::{value::Error as DeError, IntoDeserializer};
    use std::collections::HashSet;

    /// The stored codes are a contract with the database: this table pins them.
    #[test]
    fn codes_are_pinned() {
        use DepartmentKind as K;
        let pinned = [
            (K::Health, "health", "卫生健康委员会"),
            (K::HealthSupervision, "health_supervision", "卫生监督机构"),
            (K::Tcm, "tcm", "中医药管理局"),
            (K::MarketRegulation, "market_regulation", "市场监督管理局"),
            (K::DrugRegulation, "drug_regulation", "药品监督管理局"),
            (K::Cyberspace, "cyberspace", "网信办"),
            (K::Police, "police", "公安局"),
            (K::Customs, "customs", "海关"),
            (K::Postal, "postal", "邮政管理局"),
            (K::Commerce, "commerce", "商务局"),
            (K::HumanResources, "human_resources", "人力资源和社会保障局"),
            (K::Tax, "tax", "税务局"),
            (K::MedicalInsurance, "medical_insurance", "医疗保障局"),
            (
                K::AdministrativeApproval,
                "administrative_approval",
                "行政审批服务局",
            ),
            (K::Court, "court", "人民法院"),
            (K::Procuratorate, "procuratorate", "人民检察院"),
            (K::Discipline, "discipline", "纪委监委"),
            (K::IndustryAssociation, "industry_association", "行业协会"),
        ];
        assert_eq!(pinned.len(), DepartmentKind::all().len());
        for ((kind, code, label), listed) in pinned.into_iter().zip(DepartmentKind::ALL) {
            assert_eq!(kind, listed);
            assert_eq!(kind.code(), code);
            assert_eq!(kind.label_zh(), label);
        }
    }

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut codes = HashSet::new();
        let mut labels = HashSet::new();
        for kind in DepartmentKind::ALL {
            assert!(codes.insert(kind.code()));
            assert!(labels.insert(kind.label_zh()));
            assert!(kind
                .code()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
            assert_eq!(DepartmentKind::from_code(kind.code()), Some(kind));
            assert_eq!(kind.to_string(), kind.code());
            let de: Result<DepartmentKind, DeError> =
                DepartmentKind::deserialize(kind.code().into_deserializer());
            assert_eq!(de.unwrap(), kind);
        }
        assert_eq!(DepartmentKind::from_code("Health"), None);
        let bad: Result<DepartmentKind, DeError> =
            DepartmentKind::deserialize("hospital".into_deserializer());
        assert!(bad.unwrap_err().to_string().contains("未知的部门类别代码"));
    }
}
