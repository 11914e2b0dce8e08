//! 职责分工 (the duty matrix): which kind of department handles a category of lead.
//!
//! The defaults below come from the seeds' division of duties; an administrator can replace
//! them per jurisdiction (the set of issuers changes between campaigns, `DOMAIN.md` §0). Each
//! category lists kinds in order of preference: a lead goes to the first kind that has a
//! department in the lead's district or, failing that, nearest above it. Several kinds are
//! needed because not every county has every department (原平 of `002` folds drug regulation
//! into 市场监管).

use crate::department::DepartmentKind as K;

use super::Category;

/// One row of the matrix: a category and the department kinds that handle it, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DutyRule {
    pub category: Category,
    /// 牵头: the kinds that take the lead, first preferred.
    pub lead: Vec<K>,
    /// 配合: kinds that assist (shown on the lead, copied on referrals).
    pub assist: Vec<K>,
    /// The seed passages the rule rests on.
    pub basis: &'static str,
}

/// The documents the default matrix cites, by the number of their seed file, as officers
/// know them.
const SOURCES: [(&str, &str); 3] = [
    ("000", "《打击非法医疗美容服务专项整治工作方案》"),
    ("001", "《枣庄市严厉打击非法医疗美容专项行动方案》"),
    ("002", "《原平市医疗美容行业突出问题专项治理工作实施方案》"),
];

/// A rule's basis for people: `000 三(一)；002 (9)–(13)` becomes
/// `《打击非法医疗美容服务专项整治工作方案》三(一)；《原平市…实施方案》(9)–(13)`.
pub fn basis_text(basis: &str) -> String {
    basis
        .split('；')
        .map(|part| {
            let part = part.trim();
            SOURCES
                .iter()
                .find_map(|(file, title)| {
                    part.strip_prefix(file)
                        .map(|rest| format!("{title}{}", rest.trim_start()))
                })
                .unwrap_or_else(|| part.to_string())
        })
        .collect::<Vec<_>>()
        .join("；")
}

/// The default matrix, one rule per category, from seeds `000`, `001` and `002`.
pub fn defaults() -> Vec<DutyRule> {
    use Category as C;
    let rule = |category, lead: &[K], assist: &[K], basis| DutyRule {
        category,
        lead: lead.to_vec(),
        assist: assist.to_vec(),
        basis,
    };
    vec![
        rule(
            C::UnlicensedPractice,
            &[K::HealthSupervision, K::Health],
            &[K::Police, K::MarketRegulation],
            "000 三(一)；001 三(一)、(五)；002 (9)–(13)",
        ),
        rule(
            C::MedicalInstitution,
            &[K::HealthSupervision, K::Health],
            &[],
            "000 三(一)；002 (14)–(17)",
        ),
        rule(
            C::Drug,
            &[K::DrugRegulation, K::MarketRegulation],
            &[K::Customs, K::Police],
            "000 三(七)；001 三(二)；002 (20)–(25)",
        ),
        rule(
            C::Device,
            &[K::DrugRegulation, K::MarketRegulation],
            &[K::Customs, K::Police],
            "000 三(七)；001 三(二)；002 (20)–(29)",
        ),
        rule(
            C::Training,
            &[K::HumanResources],
            &[K::HealthSupervision],
            "001 二(三)、三(四)",
        ),
        rule(
            C::Advertising,
            &[K::MarketRegulation],
            &[K::HealthSupervision],
            "000 三(五)；001 三(五)；002 (4)–(6)",
        ),
        rule(
            C::InternetInfo,
            &[K::Cyberspace],
            &[K::MarketRegulation],
            "000 三(二)；001 三(六)；002 (39)–(41)",
        ),
        rule(
            C::Price,
            &[K::MarketRegulation],
            &[K::Health],
            "000 三(五)；002 (31)–(33)",
        ),
        rule(C::Tax, &[K::Tax], &[], "002 (34)"),
        rule(C::Other, &[K::MarketRegulation, K::Health], &[], "000 三"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_name_their_documents_not_their_files() {
        assert_eq!(
            basis_text("000 三(一)；002 (9)–(13)"),
            "《打击非法医疗美容服务专项整治工作方案》三(一)；\
             《原平市医疗美容行业突出问题专项治理工作实施方案》(9)–(13)"
        );
        for rule in defaults() {
            let shown = basis_text(rule.basis);
            assert!(!shown.contains("00"), "{shown}");
        }
    }

    #[test]
    fn every_category_has_a_default_with_a_lead_kind() {
        let rules = defaults();
        for c in Category::ALL {
            let r = rules.iter().find(|r| r.category == *c);
            assert!(r.is_some_and(|r| !r.lead.is_empty()), "{c:?}");
        }
        assert_eq!(rules.len(), Category::ALL.len());
    }

    #[test]
    fn seed_duties() {
        let rules = defaults();
        let lead = |c| rules.iter().find(|r| r.category == c).map(|r| r.lead[0]);
        assert_eq!(
            lead(Category::UnlicensedPractice),
            Some(K::HealthSupervision)
        );
        assert_eq!(lead(Category::Advertising), Some(K::MarketRegulation));
        assert_eq!(lead(Category::InternetInfo), Some(K::Cyberspace));
        assert_eq!(lead(Category::Training), Some(K::HumanResources));
        assert_eq!(lead(Category::Tax), Some(K::Tax));
    }
}
