//! The kinds of noise the generator puts into the exports, each with its documented rate.
//!
//! A rate is the probability that the noise is applied to one eligible record (or operator); the
//! doc of each variant says what is eligible. [`crate::Summary::noise`] reports what a run did.

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
}

impl NoiseKind {
    /// Every kind, in report order.
    pub const ALL: [NoiseKind; 22] = [
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
    ];

    /// The documented probability per eligible record or operator.
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

    pub(crate) fn counts(&self) -> Vec<crate::NoiseCount> {
        NoiseKind::ALL
            .iter()
            .map(|&kind| crate::NoiseCount {
                kind,
                eligible: self.eligible[kind.index()],
                applied: self.applied[kind.index()],
            })
            .collect()
    }
}
