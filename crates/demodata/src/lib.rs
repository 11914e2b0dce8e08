//! Demo data (演示数据): realistic registry exports of one city, with the noise of real exports and
//! the ground truth that a perfect 证照比对 would produce.
//!
//! [`generate`] writes the eight registries of DATA.md (`registrations.csv`, `licenses.csv`,
//! `salon_filings.csv`, `platform_merchants.csv`, `tax.csv`, `practitioners.csv`, `products.csv`,
//! `ad_certificates.csv`), with DATA.md's Chinese headers in its order, UTF-8, comma separated,
//! and `ground_truth.csv` (`来源,记录键,主体编号,分类`): every record of the five cross-check
//! registries exactly once, with its true operator (`OP0000001` …) and true class (empty when out
//! of scope). It streams: each operator's records are written before the next is drawn, so memory
//! does not grow with the number of operators. Same [`Options`] → byte-identical files (one
//! ChaCha8 stream seeded by `seed`; no hash-map order reaches the output).
//!
//! # The world
//!
//! N operators (主体) in the city's real districts (GB/T 2260 codes from `meijian-domain`; 枣庄市
//! weights 滕州市 40, 市中区 18, 薛城区 16, 峄城区 10, 台儿庄区 8, 山亭区 8). Shares per 10,000
//! operators — a mid-size city's register where medical aesthetics is a small minority, made a
//! little denser than life so that 10,000 operators already give hundreds of cases:
//!
//! | class | share | archetypes |
//! |---|---|---|
//! | out of scope | 82 % | ordinary businesses 70 % (餐饮, 商贸, 物流 …, 45 % 个体工商户); life-beauty salons 9 % (facials, hair, nails; 5 % of them unregistered); dental / TCM / general clinics 2.7 %; public hospitals and health centres without aesthetics 0.3 % |
//! | 有证有照 | 3 % | 美容医院 10 %, 医疗美容门诊部 35 %, 医疗美容诊所 50 % (some on a 诊所备案凭证), 口腔门诊部 with 美容牙科 5 %; registration with 医疗美容服务, valid license, practitioners, ads (35 %), platform shops (70 %) |
//! | 有照无证 | 8 % | 医疗美容服务 in scope but never licensed 2.5 %; license lapsed (expired but still 有效 on paper, 过期, 注销, 吊销) 1 %; beauty salons selling injections/light treatments 3.5 %; consulting/cosmetics companies selling 医美 online 1 % |
//! | 无照无证 | 6 % | studios in flats seen on platforms (sometimes in tax, as a person) 5 %; registration 注销/吊销 yet still selling 1 % |
//! | 有证无照 | 1 % | public hospitals (12…) with a 医疗美容科 0.4 %; 民办非企业 (52…) aesthetic hospitals 0.3 %; companies with a valid license and a 注销/吊销 or missing registration 0.3 % |
//!
//! # Keys
//!
//! Keys are unique within each file by construction (see `ids`): registrations by 统一社会信用代码
//! (an operator has one row, two if converted from 个体工商户); licenses by 登记号 (22-character
//! 医疗机构代码, at most one per operator); salon filings by 备案编号; platform shops by 店铺链接
//! (`https://meituan.example.com/shop/…`); tax by 纳税人识别号 (the code, an old 15-digit 注册号 or
//! a 身份证号). Blank, stale and mistyped codes appear only in the *reported* code columns of
//! licenses, salon filings and platforms. The registrations file carries a deliberately invalid
//! key in 0.2 % of rows ([`NoiseKind::InvalidRegistrationUscc`]): a mistyped code, unique, listed
//! in the ground truth like any other record — DATA.md has such a row reported, not linked by code.
//!
//! # Noise
//!
//! Each kind has a documented rate ([`NoiseKind::rate`]) and is counted in [`Summary::noise`]:
//! region prefix dropped 30 %, organisation form variant 20 %, full/half width 8 %, one-character
//! typo 3 %, traditional characters 3 % (shop names), address variant 35 %, blank code 8 % /
//! 25 % / 45 % (licenses / salon filings / platforms), stale code of a converted entity 60 %,
//! mistyped code 3 %, another entity's valid code 1 %, code case/width/padding 2 %, borrowed code
//! on a studio's shop 5 %, invalid registration key 0.2 %, non-ISO 成立日期 30 %, renamed entity
//! 6 % of licensed aesthetic operators, converted (个转企) 10 % of licensed 医疗美容诊所 companies
//! founded after 2009, chain member 20 % (brand shared
//! across districts), 分公司 50 % of chain members, shops on 2–3 platforms 40 %, city-level
//! 行政区划代码 on platforms 15 %. Also always present: license names without 有限公司 and with
//! 门诊部/诊所 added, mixed 诊疗科目 separators, branch markers in shop names, homonymous 字号 in
//! different districts, 有效期至 as `YYYY/M/D` in 5 % of licenses, line breaks inside ad texts.
//!
//! Never: real company names (holders and brands are invented), real URLs (`example.com` hosts),
//! the clock or OS randomness.
//!
//! # The dense profile
//!
//! [`Profile::Standard`] is the city above, byte for byte as before the profiles existed.
//! [`Profile::Dense`] (`meijian demo-data --profile dense`) models a dense city where the
//! cross-check goes wrong (issue 13): businesses crowd into a few towers and malls, 字号 repeat
//! within a district, families run a clinic and a salon side by side, clinics are registered at
//! virtual or old addresses, and more records escape a match. Every record still has its true
//! operator and class in the ground truth. Shares: as above, except public hospitals with a
//! 医疗美容科 0.8 % and 民办非企业 aesthetic hospitals, outpatient departments and (new) clinics
//! 0.6 % (有证无照 1.7 %), ordinary businesses 69.3 %; each family salon takes the place of one
//! drawn operator (about 0.4 % of them), so 有照无证 and out of scope gain about 0.1 point.
//! Added kinds, each in [`NoiseKind`] with what is eligible, counted in [`Summary::noise`]:
//!
//! | kind | rate | eligible | what it does |
//! |---|---|---|---|
//! | [`NoiseKind::SharedBuilding`] | 35 % | operators with a business address (not studios, not public hospitals) | a seat in a shared tower or mall: same road, number and building, own 座/楼层/室 (`XX路88号金鼎大厦12层1203室`, `…金鼎国际B座3楼305`, `…万达广场3层3012号商铺`, `…翰林中心2号楼15层1508室`); no two operators of a tower share a room |
//! | [`NoiseKind::RoomOmitted`] | 25 % | addresses outside registrations of seated operators | room (½) or floor and room (½) left out: a room missing on one side |
//! | [`NoiseKind::ReusedTradeName`] | 12 % | registered operators drawing their own 字号, once their district has one of another kind of business | the two-character 字号 of an unrelated earlier business of the same district (its last 64 remembered), nothing else shared |
//! | [`NoiseKind::SameOwnerSalon`] | 25 % | registered aesthetic operators in a shared building, not chain members | the next operator is the family's beauty salon (40 % injecting, 有照无证; 60 % life beauty, out of scope) one floor up, same 字号 and legal representative, its own registration: two operators |
//! | [`NoiseKind::VirtualAddress`] | 15 % | registered aesthetic operators | the registration's 住所 is a 集中登记 slot (`…金河创业园区集中办公区A区0123号`, ⅔) or the real address of another, earlier business of the district (an old address, ⅓); license, shops and tax keep the real address |
//! | [`NoiseKind::ClusterRegistration`] | 5 % | ordinary companies | registered at a 集中登记 slot of one of the district's two parks |
//! | [`NoiseKind::UnlikeShopBrand`] | 12 % | platform shops of operators with a code | the shop's brand shares no character with the 字号, no code shown, 主体名称 blank half the time |
//! | [`NoiseKind::ScatteredSeller`] | 50 % | studios (无照无证, unregistered) | shops on 2–4 platforms, each under its own name (the brand with another word, or another brand), 主体名称 a person's name or blank, no code |
//! | [`NoiseKind::LandmarkAddress`] | 6 % | addresses outside registrations | written as a crossing (`…古邵路与坛山路交叉口向北200米`) or by its 街道 (`…锦绣街道张庄万达广场`), no road number |
//! | [`NoiseKind::OldRegistrationNo`] | 10 % | reported codes (licenses, salon filings, platforms) of enterprises and 个体 whose code has a pre-2015 body | the old 15-digit 注册号 (ISO 7064 MOD 11,10 check; the same number the tax file shows for the operator) |
//!
//! Raised: mistyped codes 6 % (3 %), renamed entities 15 % (6 %), chain members 30 % (20 %)
//! ([`NoiseKind::rate_in`]). Tower sizes: a tower has 4–12 seats (45 % of towers), 13–30 (30 %),
//! 31–60 (17 %) or 61–120 (8 %), about 94 % of them taken; on 20,000 operators that gives some
//! 340 towers, a median of 11 businesses, a quarter with 23 or more and 40 with 40 or more (up to
//! about 100). Memory stays flat: a tower seat is a pure function of the seed and a keyed
//! bijection of the operator index (see `gen::dense`), and the rest is a bounded memory of
//! recent 字号 and addresses per district.

mod address;
mod city;
mod csv_out;
mod date;
mod error;
mod gen;
mod ids;
mod kind;
mod name;
mod noise;
mod noise_kind;
mod pools;
mod rng;
pub mod schema;
mod sink;
mod summary;

use std::path::Path;

pub use error::DemoDataError;
pub use noise_kind::NoiseKind;
pub use summary::{NoiseCount, Summary, TrueClass};

/// The most operators one run may have: every identifier space stays unique below it.
pub const MAX_OPERATORS: usize = 10_000_000;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Number of real-world operators (主体).
    pub operators: usize,
    /// Seed of the random stream: same options, same bytes.
    pub seed: u64,
    /// 6-digit code of a prefecture-level city in the embedded region table.
    pub city: String,
    /// The date "today" for license validity (year, month, day).
    pub as_of: (i32, u8, u8),
    /// Which city to model: the standard one, or a dense one where businesses crowd into shared
    /// buildings (see the crate doc).
    pub profile: Profile,
}

/// The kind of city generated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Profile {
    /// The mid-size city of the crate doc; its output never changes for a given seed.
    #[default]
    Standard,
    /// A dense city: shared towers and malls, reused 字号, family salons beside clinics, 集中登记
    /// and old addresses, and more of what a cross-check misses (see the crate doc).
    Dense,
}

impl Profile {
    /// `standard` or `dense`.
    pub fn code(self) -> &'static str {
        match self {
            Profile::Standard => "standard",
            Profile::Dense => "dense",
        }
    }

    /// The profile of a code ([`Profile::code`]), case-insensitive.
    pub fn parse(code: &str) -> Option<Profile> {
        match code.trim().to_ascii_lowercase().as_str() {
            "standard" => Some(Profile::Standard),
            "dense" => Some(Profile::Dense),
            _ => None,
        }
    }
}

impl Default for Options {
    /// 10,000 operators of 枣庄市 (370400), seed 1, as of 2026-11-22, standard profile.
    fn default() -> Options {
        Options {
            operators: 10_000,
            seed: 1,
            city: "370400".to_string(),
            as_of: (2026, 11, 22),
            profile: Profile::Standard,
        }
    }
}

/// Writes the nine files into `out_dir` (created if missing; existing files are overwritten) and
/// returns what was written. `progress` is called with the number of operators done, every
/// 10,000 operators and once at the end.
pub fn generate(
    opts: &Options,
    out_dir: &Path,
    progress: &mut dyn FnMut(usize),
) -> Result<Summary, DemoDataError> {
    gen::run(opts, out_dir, progress)
}

/// The documented share of operators of a true class (0.03 for 有证有照 …).
pub fn class_share(class: TrueClass) -> f64 {
    f64::from(kind::Kind::class_share(class)) / 10_000.0
}

/// The documented share of operators of a true class in a profile (the dense profile's family
/// salons replace about 0.4 % of the draws, see the crate doc).
pub fn class_share_in(class: TrueClass, profile: Profile) -> f64 {
    f64::from(kind::Kind::class_share_in(class, profile)) / 10_000.0
}
