//! The archetypes of operators (主体) in the modelled city, their shares and true classes.
//!
//! Shares are per 10,000 operators; the crate doc explains the choice. Each archetype decides
//! which registries hold records of the operator (`gen::*`).

use crate::summary::TrueClass;
use crate::Profile;

/// What kind of real-world operator this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Restaurants, shops, trading and service companies: a registration, usually a tax record.
    Ordinary,
    /// A life-beauty salon (facials, hair, nails) that stays within life beauty.
    LifeSalon,
    /// A dental, internal-medicine or TCM clinic: licensed, not aesthetic.
    OtherClinic,
    /// A public hospital or health centre without an aesthetic department.
    PublicHospital,
    /// 美容医院 / 医疗美容门诊部 / 医疗美容诊所 with registration and a valid license.
    Aesthetic,
    /// Registered with 医疗美容服务 in scope, never licensed.
    ScopeOnly,
    /// Registered with 医疗美容服务 in scope; the license expired, was cancelled or revoked.
    Lapsed,
    /// A registered beauty salon that sells injections, fillers or light treatments.
    SalonInjecting,
    /// A registered consulting / cosmetics company selling medical aesthetics on platforms.
    OnlineSeller,
    /// A studio in a flat or a WeChat seller: platform shops, sometimes a tax record.
    Studio,
    /// Registration 吊销/注销 but still selling medical aesthetics online.
    RevokedSeller,
    /// A public hospital (事业单位, 12…) with a 医疗美容科: licensed, outside the market registry.
    PublicAesthetic,
    /// A 民办非企业单位 (52…) aesthetic hospital or clinic.
    NonProfit,
    /// An enterprise with a valid license whose registration is gone or missing.
    LicenseAnomaly,
}

/// Archetypes and their shares per 10,000 operators.
pub(crate) const SHARES: [(Kind, u32); 14] = [
    (Kind::Ordinary, 7000),
    (Kind::LifeSalon, 900),
    (Kind::OtherClinic, 270),
    (Kind::PublicHospital, 30),
    (Kind::Aesthetic, 300),
    (Kind::ScopeOnly, 250),
    (Kind::Lapsed, 100),
    (Kind::SalonInjecting, 350),
    (Kind::OnlineSeller, 100),
    (Kind::Studio, 500),
    (Kind::RevokedSeller, 100),
    (Kind::PublicAesthetic, 40),
    (Kind::NonProfit, 30),
    (Kind::LicenseAnomaly, 30),
];

/// The dense profile's shares: twice the public hospitals with a 医疗美容科 and the 民办非企业
/// aesthetic institutions (有证无照 outside the market registry), taken from ordinary businesses.
pub(crate) const DENSE_SHARES: [(Kind, u32); 14] = [
    (Kind::Ordinary, 6930),
    (Kind::LifeSalon, 900),
    (Kind::OtherClinic, 270),
    (Kind::PublicHospital, 30),
    (Kind::Aesthetic, 300),
    (Kind::ScopeOnly, 250),
    (Kind::Lapsed, 100),
    (Kind::SalonInjecting, 350),
    (Kind::OnlineSeller, 100),
    (Kind::Studio, 500),
    (Kind::RevokedSeller, 100),
    (Kind::PublicAesthetic, 80),
    (Kind::NonProfit, 60),
    (Kind::LicenseAnomaly, 30),
];

/// The archetype shares of a profile.
pub(crate) fn shares(profile: Profile) -> &'static [(Kind, u32); 14] {
    match profile {
        Profile::Standard => &SHARES,
        Profile::Dense => &DENSE_SHARES,
    }
}

impl Kind {
    /// Whether the operator's premises are a business address (shop, office, clinic) that can sit
    /// in a shared building; studios are in flats and public hospitals on a street of their own.
    pub(crate) fn has_business_address(self) -> bool {
        !matches!(
            self,
            Kind::Studio | Kind::PublicHospital | Kind::PublicAesthetic
        )
    }

    /// The share of each true class per 10,000 operators in a profile.
    pub(crate) fn class_share_in(class: TrueClass, profile: Profile) -> u32 {
        shares(profile)
            .iter()
            .filter(|(kind, _)| kind.class() == class)
            .map(|&(_, share)| share)
            .sum()
    }

    /// The operator's true class.
    pub(crate) fn class(self) -> TrueClass {
        match self {
            Kind::Ordinary | Kind::LifeSalon | Kind::OtherClinic | Kind::PublicHospital => {
                TrueClass::OutOfScope
            }
            Kind::Aesthetic => TrueClass::Licensed,
            Kind::ScopeOnly | Kind::Lapsed | Kind::SalonInjecting | Kind::OnlineSeller => {
                TrueClass::RegisteredUnlicensed
            }
            Kind::Studio | Kind::RevokedSeller => TrueClass::Neither,
            Kind::PublicAesthetic | Kind::NonProfit | Kind::LicenseAnomaly => {
                TrueClass::LicensedUnregistered
            }
        }
    }

    /// The share of each true class per 10,000 operators, as [`SHARES`] adds up.
    pub(crate) fn class_share(class: TrueClass) -> u32 {
        SHARES
            .iter()
            .filter(|(kind, _)| kind.class() == class)
            .map(|&(_, share)| share)
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_add_up_to_ten_thousand() {
        assert_eq!(SHARES.iter().map(|&(_, s)| s).sum::<u32>(), 10_000);
        assert_eq!(Kind::class_share(TrueClass::OutOfScope), 8200);
        assert_eq!(Kind::class_share(TrueClass::Licensed), 300);
        assert_eq!(Kind::class_share(TrueClass::RegisteredUnlicensed), 800);
        assert_eq!(Kind::class_share(TrueClass::Neither), 600);
        assert_eq!(Kind::class_share(TrueClass::LicensedUnregistered), 100);
        let dense: u32 = DENSE_SHARES.iter().map(|&(_, s)| s).sum();
        assert_eq!(dense, 10_000);
        assert_eq!(
            Kind::class_share_in(TrueClass::LicensedUnregistered, Profile::Dense),
            170
        );
    }
}
