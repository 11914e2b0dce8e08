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
use crate::name::{beauty_brand, Name, OrgForm};
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
    let chosen = platforms(ctx, owner.medical, count);
    let short = ctx.city.districts[op.district].short.clone();
    // Dense: a brand unlike the 字号, drawn once for all of the operator's hidden shops.
    let mut unlike: Option<String> = None;
    for platform in chosen {
        let branch = branch_marker(ctx, &short);
        let hidden = ctx.is_dense()
            && owner.entity.is_some()
            && owner.uscc.is_some()
            && ctx.roll(NoiseKind::UnlikeShopBrand);
        let brand = if hidden {
            unlike
                .get_or_insert_with(|| unlike_brand(ctx, owner.brand))
                .clone()
        } else {
            owner.brand.to_string()
        };
        let shop = Name {
            prefix: String::new(),
            paren: false,
            brand,
            industry: owner.shop_word.to_string(),
            form: OrgForm::None,
            branch,
        };
        let shop_name = ctx.name_for(&shop, NameNoise::SHOP);
        let entity_name = match owner.entity {
            Some(_) if hidden && ctx.rng.chance(0.5) => String::new(),
            Some(name) => ctx.name_for(name, NameNoise::DISPLAYED),
            None => owner.person.to_string(),
        };
        let uscc = match owner.uscc {
            Some(_) if hidden => String::new(),
            Some(code) => ctx.reported_uscc(code, owner.stale, NoiseKind::BlankUsccPlatform),
            None if ctx.roll(NoiseKind::BorrowedUscc) => ctx.other_code("").unwrap_or_default(),
            None => String::new(),
        };
        write_shop(
            ctx,
            sink,
            op,
            platform,
            [&shop_name, &entity_name, &uscc],
            owner,
        )?;
    }
    Ok(())
}

/// Dense ([`NoiseKind::ScatteredSeller`]): an unregistered seller on two to four platforms, each
/// shop under a name of its own (the brand with another shop word, or another brand), shown as a
/// person's name or a blank subject, without a code.
pub(crate) fn write_scattered_shops(
    ctx: &mut Ctx,
    sink: &mut Sink,
    op: &Op,
    owner: &Owner<'_>,
    shop_words: &[&str],
    keeper: &str,
) -> Result<(), DemoDataError> {
    let count = 2 + ctx.rng.below(3);
    let chosen = platforms(ctx, owner.medical, count);
    let short = ctx.city.districts[op.district].short.clone();
    for (n, platform) in chosen.into_iter().enumerate() {
        let (brand, word) = match (n, ctx.rng.below(2)) {
            (0, _) => (owner.brand.to_string(), owner.shop_word.to_string()),
            (_, 0) => (
                owner.brand.to_string(),
                (*ctx.rng.pick(shop_words)).to_string(),
            ),
            _ => (
                beauty_brand(&mut ctx.rng),
                (*ctx.rng.pick(shop_words)).to_string(),
            ),
        };
        let branch = branch_marker(ctx, &short);
        let shop = Name {
            prefix: String::new(),
            paren: false,
            brand,
            industry: word,
            form: OrgForm::None,
            branch,
        };
        let shop_name = ctx.name_for(&shop, NameNoise::SHOP);
        let shown = if ctx.rng.chance(0.5) { keeper } else { "" };
        write_shop(ctx, sink, op, platform, [&shop_name, shown, ""], owner)?;
    }
    Ok(())
}

/// `count` distinct platforms by weight (新氧 only for medical sellers).
fn platforms(ctx: &mut Ctx, medical: bool, count: usize) -> Vec<usize> {
    let weights: Vec<u32> = PLATFORMS
        .iter()
        .map(|&(name, _, w)| if name == "新氧" && !medical { 0 } else { w })
        .collect();
    let available = weights.iter().filter(|&&w| w > 0).count();
    let mut chosen: Vec<usize> = Vec::with_capacity(count);
    while chosen.len() < count.min(available) {
        let i = ctx.rng.weighted(&weights);
        if !chosen.contains(&i) {
            chosen.push(i);
        }
    }
    chosen
}

/// （薛城店）, 薛城分店, ·薛城店 or nothing.
fn branch_marker(ctx: &mut Ctx, short: &str) -> String {
    match ctx.rng.below(10) {
        0..=2 => format!("（{short}店）"),
        3 => format!("{short}分店"),
        4 => format!("·{short}店"),
        _ => String::new(),
    }
}

/// A beauty brand sharing no character with `brand`.
fn unlike_brand(ctx: &mut Ctx, brand: &str) -> String {
    let mut candidate = beauty_brand(&mut ctx.rng);
    for _ in 0..8 {
        if !candidate.chars().any(|c| brand.contains(c)) {
            break;
        }
        candidate = beauty_brand(&mut ctx.rng);
    }
    candidate
}

/// Writes one shop row: `names` are the shop name, 主体名称 and code as displayed.
fn write_shop(
    ctx: &mut Ctx,
    sink: &mut Sink,
    op: &Op,
    platform: usize,
    names: [&str; 3],
    owner: &Owner<'_>,
) -> Result<(), DemoDataError> {
    let (platform_name, host, _) = PLATFORMS[platform];
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
        ctx.city.districts[op.district].code.clone()
    };
    let [shop_name, entity_name, uscc] = names;
    sink.platform(
        &op.as_ref(),
        [
            platform_name,
            shop_name,
            entity_name,
            uscc,
            &address,
            category,
            &url,
            &region,
        ],
    )
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
