//! The kind of entity a 统一社会信用代码 belongs to, from its positions 1–2 (登记管理部门码 and
//! 机构类别码, DOMAIN.md §1.4).
//!
//! The cross-check uses it to tell entities that never hold a 营业执照 (事业单位, 民办非企业单位 …)
//! from true 有证无照 cases, so it must not guess: codes outside the table are [`EntityKind::Other`].

/// 主体类型: the kind of a registered entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntityKind {
    /// 91 企业: enterprise registered with 市场监管.
    Enterprise,
    /// 92 个体工商户: individual business.
    IndividualBusiness,
    /// 93 农民专业合作社: farmers' specialised cooperative.
    FarmerCooperative,
    /// 11 机关: government organ (机构编制).
    GovernmentOrgan,
    /// 12 事业单位: public institution, e.g. a public hospital (事业单位法人证书, no 营业执照).
    PublicInstitution,
    /// 51 社会团体: social organisation registered with 民政.
    SocialOrganisation,
    /// 52 民办非企业单位: private non-enterprise unit, e.g. a non-profit private hospital.
    PrivateNonEnterprise,
    /// 53 基金会: foundation.
    Foundation,
    /// Any other combination (司法行政, 宗教, 工会, 其他 …).
    Other,
}

impl EntityKind {
    /// All kinds, in declaration order.
    pub const ALL: [EntityKind; 9] = [
        EntityKind::Enterprise,
        EntityKind::IndividualBusiness,
        EntityKind::FarmerCooperative,
        EntityKind::GovernmentOrgan,
        EntityKind::PublicInstitution,
        EntityKind::SocialOrganisation,
        EntityKind::PrivateNonEnterprise,
        EntityKind::Foundation,
        EntityKind::Other,
    ];

    /// The kind for 登记管理部门码 `authority` and 机构类别码 `category` (upper-case ASCII).
    pub fn from_codes(authority: char, category: char) -> EntityKind {
        match (authority, category) {
            ('9', '1') => EntityKind::Enterprise,
            ('9', '2') => EntityKind::IndividualBusiness,
            ('9', '3') => EntityKind::FarmerCooperative,
            ('1', '1') => EntityKind::GovernmentOrgan,
            ('1', '2') => EntityKind::PublicInstitution,
            ('5', '1') => EntityKind::SocialOrganisation,
            ('5', '2') => EntityKind::PrivateNonEnterprise,
            ('5', '3') => EntityKind::Foundation,
            _ => EntityKind::Other,
        }
    }

    /// The Chinese name of the kind.
    pub fn label_zh(self) -> &'static str {
        match self {
            EntityKind::Enterprise => "企业",
            EntityKind::IndividualBusiness => "个体工商户",
            EntityKind::FarmerCooperative => "农民专业合作社",
            EntityKind::GovernmentOrgan => "机关",
            EntityKind::PublicInstitution => "事业单位",
            EntityKind::SocialOrganisation => "社会团体",
            EntityKind::PrivateNonEnterprise => "民办非企业单位",
            EntityKind::Foundation => "基金会",
            EntityKind::Other => "其他",
        }
    }

    /// Whether the entity is registered by 市场监管 (工商) and so should hold a 营业执照:
    /// true only for the 9x kinds.
    pub fn has_market_registration(self) -> bool {
        matches!(
            self,
            EntityKind::Enterprise | EntityKind::IndividualBusiness | EntityKind::FarmerCooperative
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_of_prefixes() {
        let cases = [
            ('9', '1', EntityKind::Enterprise, true),
            ('9', '2', EntityKind::IndividualBusiness, true),
            ('9', '3', EntityKind::FarmerCooperative, true),
            ('9', '9', EntityKind::Other, false),
            ('1', '1', EntityKind::GovernmentOrgan, false),
            ('1', '2', EntityKind::PublicInstitution, false),
            ('1', '3', EntityKind::Other, false),
            ('5', '1', EntityKind::SocialOrganisation, false),
            ('5', '2', EntityKind::PrivateNonEnterprise, false),
            ('5', '3', EntityKind::Foundation, false),
            ('3', '1', EntityKind::Other, false),
            ('Y', '1', EntityKind::Other, false),
            ('N', '2', EntityKind::Other, false),
        ];
        for (authority, category, kind, market) in cases {
            let got = EntityKind::from_codes(authority, category);
            assert_eq!(got, kind, "{authority}{category}");
            assert_eq!(
                got.has_market_registration(),
                market,
                "{authority}{category}"
            );
        }
    }

    #[test]
    fn labels_are_distinct_and_all_is_complete() {
        let mut labels: Vec<&str> = EntityKind::ALL.iter().map(|k| k.label_zh()).collect();
        labels.sort_unstable();
        labels.dedup();
        assert_eq!(labels.len(), EntityKind::ALL.len());
        let market = EntityKind::ALL
            .iter()
            .filter(|k| k.has_market_registration())
            .count();
        assert_eq!(market, 3);
    }
}
