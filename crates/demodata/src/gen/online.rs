//! Platform shops (美团, 大众点评, 抖音, 小红书, 新氧) and life-beauty salon filings (商务).
//!
//! An operator with shops has one, or two or three on different platforms
//! ([`crate::NoiseKind::MultiPlatform`]); each shop has a unique fake URL on an `example.com`
//! host. Shop names are the brand and a shop word, often with a branch marker
//! (（薛城店）, 薛城分店, ·薛城店).

use crate::address::Address;
use crate::error::DemoDataError;
use crate::gen::ctx::{Ctx, NameNoise};
use crate::gen::Op;
use crate::name::{Name, OrgForm};
use crate::noise_kind::NoiseKind;
use crate::sink::Sink;

/// The platforms: name, host and weight.
const PLATFORMS: [(&str, &str, u32); 5] = [
    ("美团", "meituan.example.com", 35),
    ("大众点评", "dianping.example.com", 25),
    ("抖音", "douyin.example.com", 20),
    ("小红书", "xiaohongshu.example.com", 10),
    ("新氧", "soyoung.example.com", 10),
];

/// Who a shop or filing belongs to, as far as the records show.
pub(crate) struct Owner<'a> {
    pub brand: &'a str,
    /// 医疗美容, 轻医美工作室, 美甲店 …
    pub shop_word: &'a str,
    /// The registered name shown as 主体名称, if any.
    pub entity: Option<&'a Name>,
    /// Shown as 主体名称 when there is no entity (a person), or empty.
    pub person: &'a str,
    pub uscc: Option<&'a str>,
    pub stale: Option<&'a str>,
    pub address: &'a Address,
    /// The 服务类目 to draw from.
    pub categories: &'a [&'a str],
    /// Whether a medical platform (新氧) fits.
    pub medical: bool,
}

/// Writes one to three shops of `owner` on different platforms.
pub(crate) fn write_shops(
    ctx: &mut Ctx,
    sink: &mut Sink,
    op: &Op,
    owner: &Owner<'_>,
) -> Result<(), DemoDataError> {
    let count = if ctx.roll(NoiseKind::MultiPlatform) {
        2 + ctx.rng.below(2)
    } else {
        1
    };
    let weights: Vec<u32> = PLATFORMS
        .iter()
        .map(|&(name, _, w)| {
            if name == "新氧" && !owner.medical {
                0
            } else {
                w
            }
        })
        .collect();
    let mut chosen: Vec<usize> = Vec::with_capacity(count);
    while chosen.len() < count {
        let i = ctx.rng.weighted(&weights);
        if !chosen.contains(&i) {
            chosen.push(i);
        }
    }
    let district = &ctx.city.districts[op.district];
    let short = district.short.clone();
    let district_code = district.code.clone();
    for platform in chosen {
        let (platform_name, host, _) = PLATFORMS[platform];
        let branch = match ctx.rng.below(10) {
            0..=2 => format!("（{short}店）"),
            3 => format!("{short}分店"),
            4 => format!("·{short}店"),
            _ => String::new(),
        };
        let shop = Name {
            prefix: String::new(),
            paren: false,
            brand: owner.brand.to_string(),
            industry: owner.shop_word.to_string(),
            form: OrgForm::None,
            branch,
        };
        let shop_name = ctx.name_for(&shop, NameNoise::SHOP);
        let entity_name = match owner.entity {
            Some(name) => ctx.name_for(name, NameNoise::DISPLAYED),
            None => owner.person.to_string(),
        };
        let uscc = match owner.uscc {
            Some(code) => ctx.reported_uscc(code, owner.stale, NoiseKind::BlankUsccPlatform),
            None if ctx.roll(NoiseKind::BorrowedUscc) => ctx.other_code("").unwrap_or_default(),
            None => String::new(),
        };
        let address = ctx.address_for(owner.address);
        let category = *ctx.rng.pick(owner.categories);
        ctx.seq.shop += 1;
        let url = format!(
            "https://{host}/shop/{:010}",
            ctx.perms.seq10.apply(ctx.seq.shop)
        );
        let region = if ctx.roll(NoiseKind::CityLevelRegion) {
            ctx.city.code.clone()
        } else {
            district_code.clone()
        };
        sink.platform(
            &op.as_ref(),
            [
                platform_name,
                &shop_name,
                &entity_name,
                &uscc,
                &address,
                category,
                &url,
                &region,
            ],
        )?;
    }
    Ok(())
}

/// Writes one salon filing: `name` as the shop name, `services` joined by 、.
pub(crate) fn write_filing(
    ctx: &mut Ctx,
    sink: &mut Sink,
    op: &Op,
    name: &Name,
    owner: &Owner<'_>,
    services: &[&str],
) -> Result<(), DemoDataError> {
    ctx.seq.salon += 1;
    let district_code = ctx.city.districts[op.district].code.clone();
    let year = ctx.rng.range(2016, ctx.as_of.year().max(2016) as u32);
    let filing_no = format!("{district_code}MR{year}{:06}", ctx.seq.salon);
    let shop_name = ctx.name_for(name, NameNoise::SHOP);
    let uscc = match owner.uscc {
        Some(code) => ctx.reported_uscc(code, owner.stale, NoiseKind::BlankUsccSalon),
        None => String::new(),
    };
    let address = ctx.address_for(owner.address);
    let services = services.join("、");
    sink.salon(
        &op.as_ref(),
        [
            &filing_no,
            &shop_name,
            &uscc,
            &address,
            owner.person,
            &services,
            &district_code,
        ],
    )
}

/// Between `min` and `max` services from `life`, plus `medical` ones if given.
pub(crate) fn services<'a>(
    ctx: &mut Ctx,
    life: &[&'a str],
    medical: &[&'a str],
    n_medical: usize,
) -> Vec<&'a str> {
    let n_life = 2 + ctx.rng.below(3);
    let mut out: Vec<&'a str> = ctx
        .rng
        .distinct(life.len(), n_life)
        .into_iter()
        .map(|i| life[i])
        .collect();
    out.extend(
        ctx.rng
            .distinct(medical.len(), n_medical)
            .into_iter()
            .map(|i| medical[i]),
    );
    out
}
