//! The kinds of noise the generator puts into the exports, each with its documented rate.
//!
//! A rate is the probability that the noise is applied to one eligible record (or operator); the
//! doc of each variant says what is eligible. [`crate::Summary::noise`] reports what a run did.
//!
//! The last ten kinds (from [`NoiseKind::SharedBuilding`]) exist only in the
//! [`crate::Profile::Dense`] profile, which also raises a few standard rates
//! ([`NoiseKind::rate_in`]); a standard run neither draws nor reports them.

use crate::Profile;

/// One kind of noise of real registry exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NoiseKind {
    /// Region prefix dropped (枣庄市薛城区悦颜… → 悦颜…): names outside registrations that have one
    /// and a 字号 (a public hospital's region is part of its name and stays).
    RegionPrefixDropped,
    /// Organisation form changed (有限公司 / 有限责任公司 / （有限公司） / missing): company names in
    /// tax, platform 主体名称 and salon filings.
    OrgFormVariant,
    /// Full-width ↔ half-width letters, digits and brackets: names and addresses outside
    /// registrations that contain such a character.
    WidthVariant,
    /// One character of the 字号 replaced (a homophone or a look-alike): names outside registrations.
    NameTypo,
    /// Traditional characters (醫療美容): shop names on platforms and in salon filings.
    TraditionalChars,
    /// Address written differently (号 → #, 号楼 → 栋, spaces, no 区, no province/city, no room):
    /// addresses outside registrations.
    AddressVariant,
    /// 统一社会信用代码 left blank: licenses of entities that have one.
    BlankUsccLicense,
    /// Left blank: salon filings of entities that have one.
    BlankUsccSalon,
    /// Left blank (not displayed): platform shops of entities that have one.
    BlankUsccPlatform,
    /// The old code of a converted (个转企) entity reported instead of the new one.
    StaleUscc,
    /// One character of a reported code changed (the check character then fails).
    MistypedUscc,
    /// A reported code is another entity's valid code.
    WrongUscc,
    /// A reported code in lower case, full width or with surrounding spaces (still valid).
    UsccFormat,
    /// A platform shop of an unregistered studio displays someone else's code (借用资质).
    BorrowedUscc,
    /// A registration row whose key is a mistyped, invalid code (reported, not linked by code).
    InvalidRegistrationUscc,
    /// 成立日期 written as `YYYY/M/D` (2/3 of these) or `YYYY年M月D日` (1/3): registration rows.
    NonIsoDate,
    /// Renamed: the registration has the new name, other records the old (aesthetic operators
    /// with a registration and a license, not converted, not branches).
    Renamed,
    /// Converted from 个体工商户 to a company: an old 注销 registration row with the old name and
    /// 92 code beside the new one (licensed or lapsed 医疗美容诊所 companies founded after 2009).
    Converted,
    /// Member of a chain sharing a brand with other operators in other districts (registered
    /// aesthetic operators and beauty salons).
    ChainMember,
    /// A chain member registered as a 分公司 of the brand's company (chain members).
    BranchOffice,
    /// Shops on two or three platforms for one operator (operators with platform shops).
    MultiPlatform,
    /// A platform row whose 行政区划代码 is the city's, not the district's.
    CityLevelRegion,
    /// Dense: the operator sits in a shared tower or mall (same road, number and building as
    /// dozens of others, its own 座/楼层/室): operators with a business address (everyone but
    /// studios in flats and public hospitals; not the family salons of [`NoiseKind::SameOwnerSalon`]).
    SharedBuilding,
    /// Dense: the floor and room (1/2), or the room alone (1/2), left out of an address: addresses
    /// outside registrations of operators in a shared building (not written as a landmark).
    RoomOmitted,
    /// Dense: the 字号 of an unrelated earlier operator of the same district reused (a
    /// two-character one): registered operators drawing a 字号 of their own (not chains, not
    /// family salons) once their district has 字号 to reuse.
    ReusedTradeName,
    /// Dense: the next operator is the same family's beauty salon one floor up, with the same 字号
    /// and legal representative and its own registration: registered aesthetic operators in a
    /// shared building that are not chain members.
    SameOwnerSalon,
    /// Dense: the registration's 住所 is a 集中登记 cluster address (2/3) or an old address that
    /// another business really occupies (1/3); the other records carry the real address:
    /// registered aesthetic operators (有证有照 and 有照无证 clinics).
    VirtualAddress,
    /// Dense: registered at a 集中登记 cluster address, the real address only in the tax record:
    /// ordinary companies (not 个体工商户).
    ClusterRegistration,
    /// Dense: a platform shop under a brand unlike the registered 字号, no code displayed and
    /// the 主体名称 left blank half the time: shops of operators that have a code.
    UnlikeShopBrand,
    /// Dense: an unregistered studio on two to four platforms, each shop under its own name,
    /// 主体名称 a person's name or blank, no code: studios in flats.
    ScatteredSeller,
    /// Dense: an address written as a crossing (…路与…路交叉口向东50米) or by its 街道, without a road
    /// number: addresses outside registrations.
    LandmarkAddress,
    /// Dense: the old 15-digit 工商注册号 (MOD 11,10 check) reported instead of the code: reported
    /// codes (licenses, salon filings, platforms) of enterprises and 个体工商户 whose code has a
    /// pre-2015 body.
    OldRegistrationNo,
}

impl NoiseKind {
    /// Every kind, in report order: the standard kinds, then the dense-only ones.
    pub const ALL: [NoiseKind; 32] = [
        NoiseKind::RegionPrefixDropped,
        NoiseKind::OrgFormVariant,
        NoiseKind::WidthVariant,
        NoiseKind::NameTypo,
        NoiseKind::TraditionalChars,
        NoiseKind::AddressVariant,
        NoiseKind::BlankUsccLicense,
        NoiseKind::BlankUsccSalon,
        NoiseKind::BlankUsccPlatform,
        NoiseKind::StaleUscc,
        NoiseKind::MistypedUscc,
        NoiseKind::WrongUscc,
        NoiseKind::UsccFormat,
        NoiseKind::BorrowedUscc,
        NoiseKind::InvalidRegistrationUscc,
        NoiseKind::NonIsoDate,
        NoiseKind::Renamed,
        NoiseKind::Converted,
        NoiseKind::ChainMember,
        NoiseKind::BranchOffice,
        NoiseKind::MultiPlatform,
        NoiseKind::CityLevelRegion,
        NoiseKind::SharedBuilding,
        NoiseKind::RoomOmitted,
        NoiseKind::ReusedTradeName,
        NoiseKind::SameOwnerSalon,
        NoiseKind::VirtualAddress,
        NoiseKind::ClusterRegistration,
        NoiseKind::UnlikeShopBrand,
        NoiseKind::ScatteredSeller,
        NoiseKind::LandmarkAddress,
        NoiseKind::OldRegistrationNo,
    ];

    /// Whether a run of `profile` draws (and reports) this kind.
    pub fn applies_in(self, profile: Profile) -> bool {
        profile == Profile::Dense || self.index() < NoiseKind::SharedBuilding.index()
    }

    /// The kinds a run of `profile` reports, in report order.
    pub fn of(profile: Profile) -> Vec<NoiseKind> {
        NoiseKind::ALL
            .into_iter()
            .filter(|k| k.applies_in(profile))
            .collect()
    }

    /// The documented probability in a run of `profile`: [`NoiseKind::rate`], except that the
    /// dense profile raises mistyped codes to 6 %, renamed entities to 15 % and chain members to
    /// 30 %.
    pub fn rate_in(self, profile: Profile) -> f64 {
        match (profile, self) {
            (Profile::Dense, NoiseKind::MistypedUscc) => 0.06,
            (Profile::Dense, NoiseKind::Renamed) => 0.15,
            (Profile::Dense, NoiseKind::ChainMember) => 0.30,
            _ => self.rate(),
        }
    }

    /// The documented probability per eligible record or operator (the standard profile's; the
    /// dense-only kinds' own).
    pub fn rate(self) -> f64 {
        match self {
            NoiseKind::RegionPrefixDropped => 0.30,
            NoiseKind::OrgFormVariant => 0.20,
            NoiseKind::WidthVariant => 0.08,
            NoiseKind::NameTypo => 0.03,
            NoiseKind::TraditionalChars => 0.03,
            NoiseKind::AddressVariant => 0.35,
            NoiseKind::BlankUsccLicense => 0.08,
            NoiseKind::BlankUsccSalon => 0.25,
            NoiseKind::BlankUsccPlatform => 0.45,
            NoiseKind::StaleUscc => 0.60,
            NoiseKind::MistypedUscc => 0.03,
            NoiseKind::WrongUscc => 0.01,
            NoiseKind::UsccFormat => 0.02,
            NoiseKind::BorrowedUscc => 0.05,
            NoiseKind::InvalidRegistrationUscc => 0.002,
            NoiseKind::NonIsoDate => 0.30,
            NoiseKind::Renamed => 0.06,
            NoiseKind::Converted => 0.10,
            NoiseKind::ChainMember => 0.20,
            NoiseKind::BranchOffice => 0.50,
            NoiseKind::MultiPlatform => 0.40,
            NoiseKind::CityLevelRegion => 0.15,
            NoiseKind::SharedBuilding => 0.35,
            NoiseKind::RoomOmitted => 0.25,
            NoiseKind::ReusedTradeName => 0.12,
            NoiseKind::SameOwnerSalon => 0.25,
            NoiseKind::VirtualAddress => 0.15,
            NoiseKind::ClusterRegistration => 0.05,
            NoiseKind::UnlikeShopBrand => 0.12,
            NoiseKind::ScatteredSeller => 0.50,
            NoiseKind::LandmarkAddress => 0.06,
            NoiseKind::OldRegistrationNo => 0.10,
        }
    }

    /// A stable snake_case code for reports.
    pub fn code(self) -> &'static str {
        match self {
            NoiseKind::RegionPrefixDropped => "region_prefix_dropped",
            NoiseKind::OrgFormVariant => "org_form_variant",
            NoiseKind::WidthVariant => "width_variant",
            NoiseKind::NameTypo => "name_typo",
            NoiseKind::TraditionalChars => "traditional_chars",
            NoiseKind::AddressVariant => "address_variant",
            NoiseKind::BlankUsccLicense => "blank_uscc_license",
            NoiseKind::BlankUsccSalon => "blank_uscc_salon",
            NoiseKind::BlankUsccPlatform => "blank_uscc_platform",
            NoiseKind::StaleUscc => "stale_uscc",
            NoiseKind::MistypedUscc => "mistyped_uscc",
            NoiseKind::WrongUscc => "wrong_uscc",
            NoiseKind::UsccFormat => "uscc_format",
            NoiseKind::BorrowedUscc => "borrowed_uscc",
            NoiseKind::InvalidRegistrationUscc => "invalid_registration_uscc",
            NoiseKind::NonIsoDate => "non_iso_date",
            NoiseKind::Renamed => "renamed",
            NoiseKind::Converted => "converted",
            NoiseKind::ChainMember => "chain_member",
            NoiseKind::BranchOffice => "branch_office",
            NoiseKind::MultiPlatform => "multi_platform",
            NoiseKind::CityLevelRegion => "city_level_region",
            NoiseKind::SharedBuilding => "shared_building",
            NoiseKind::RoomOmitted => "room_omitted",
            NoiseKind::ReusedTradeName => "reused_trade_name",
            NoiseKind::SameOwnerSalon => "same_owner_salon",
            NoiseKind::VirtualAddress => "virtual_address",
            NoiseKind::ClusterRegistration => "cluster_registration",
            NoiseKind::UnlikeShopBrand => "unlike_shop_brand",
            NoiseKind::ScatteredSeller => "scattered_seller",
            NoiseKind::LandmarkAddress => "landmark_address",
            NoiseKind::OldRegistrationNo => "old_registration_no",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Per-kind counts of one run.
#[derive(Clone, Debug, Default)]
pub(crate) struct NoiseCounters {
    eligible: [usize; NoiseKind::ALL.len()],
    applied: [usize; NoiseKind::ALL.len()],
}

impl NoiseCounters {
    pub(crate) fn record(&mut self, kind: NoiseKind, applied: bool) {
        self.eligible[kind.index()] += 1;
        self.applied[kind.index()] += usize::from(applied);
    }

    /// The counts of the kinds `profile` reports.
    pub(crate) fn counts(&self, profile: Profile) -> Vec<crate::NoiseCount> {
        NoiseKind::of(profile)
            .into_iter()
            .map(|kind| crate::NoiseCount {
                kind,
                eligible: self.eligible[kind.index()],
                applied: self.applied[kind.index()],
            })
            .collect()
    }
}
