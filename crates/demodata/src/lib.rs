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
}

impl Default for Options {
    /// 10,000 operators of 枣庄市 (370400), seed 1, as of 2026-11-22.
    fn default() -> Options {
        Options {
            operators: 10_000,
            seed: 1,
            city: "370400".to_string(),
            as_of: (2026, 11, 22),
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
