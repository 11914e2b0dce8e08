//! Names of entities and people: the parts of a 主体名称 (region prefix, 字号, industry,
//! organisation form, branch) and how they are drawn.
//!
//! Names are kept as parts so the other registries can write them the way their clerks do
//! (without the prefix or the 有限公司, with 门诊部 added) and the noise can act on one part.

use crate::city::City;
use crate::pools::{BEAUTY_CHARS, BRAND_PHRASES, GIVEN, LATIN_BRANDS, SURNAMES, TRADE_CHARS};
use crate::rng::Rng;

/// 组织形式 at the end of a company name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OrgForm {
    None,
    /// 有限公司
    Ltd,
    /// 有限责任公司
    Llc,
    /// （有限公司）
    ParenLtd,
    /// 股份有限公司
    JointStock,
}

impl OrgForm {
    pub(crate) fn text(self) -> &'static str {
        match self {
            OrgForm::None => "",
            OrgForm::Ltd => "有限公司",
            OrgForm::Llc => "有限责任公司",
            OrgForm::ParenLtd => "（有限公司）",
            OrgForm::JointStock => "股份有限公司",
        }
    }
}

/// A 主体名称 in parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Name {
    /// 枣庄市薛城区, 枣庄, 滕州市 or empty.
    pub prefix: String,
    /// Write the prefix in brackets after the 字号: 悦颜（枣庄）医疗美容有限公司.
    pub paren: bool,
    /// 字号.
    pub brand: String,
    /// 医疗美容诊所, 餐饮管理, 美容院 …
    pub industry: String,
    pub form: OrgForm,
    /// 滕州分公司, 薛城店 or empty.
    pub branch: String,
}

impl Name {
    pub(crate) fn render(&self) -> String {
        let mut out = String::with_capacity(64);
        if self.paren && !self.prefix.is_empty() {
            out.push_str(&self.brand);
            out.push('（');
            out.push_str(&self.prefix);
            out.push('）');
        } else {
            out.push_str(&self.prefix);
            out.push_str(&self.brand);
        }
        out.push_str(&self.industry);
        out.push_str(self.form.text());
        out.push_str(&self.branch);
        out
    }
}

/// A person's name: surname and one or two given characters.
pub(crate) fn person(rng: &mut Rng) -> String {
    let mut name = String::from(*rng.pick(SURNAMES));
    name.push_str(rng.pick::<&str>(GIVEN));
    if rng.chance(0.65) {
        name.push_str(rng.pick::<&str>(GIVEN));
    }
    name
}

/// A 字号 for a beauty business.
pub(crate) fn beauty_brand(rng: &mut Rng) -> String {
    match rng.below(100) {
        0..=69 => distinct_chars(rng, BEAUTY_CHARS, 2),
        70..=81 => distinct_chars(rng, BEAUTY_CHARS, 3),
        82..=91 => (*rng.pick(BRAND_PHRASES)).to_string(),
        _ => format!("{}{}", rng.pick(LATIN_BRANDS), rng.pick(BEAUTY_CHARS)),
    }
}

/// A 字号 for an ordinary business.
pub(crate) fn trade_brand(rng: &mut Rng) -> String {
    match rng.below(100) {
        0..=84 => distinct_chars(rng, TRADE_CHARS, 2),
        85..=96 => distinct_chars(rng, TRADE_CHARS, 3),
        _ => format!("{}{}", rng.pick(LATIN_BRANDS), rng.pick(TRADE_CHARS)),
    }
}

fn distinct_chars(rng: &mut Rng, pool: &[&str], k: usize) -> String {
    rng.distinct(pool.len(), k)
        .into_iter()
        .map(|i| pool[i])
        .collect()
}

/// The region prefix of a company name registered in district `d`, and whether it is written in
/// brackets after the 字号.
pub(crate) fn company_prefix(city: &City, d: usize, rng: &mut Rng) -> (String, bool) {
    let district = &city.districts[d];
    let r = rng.below(100);
    if district.county_city {
        return match r {
            0..=69 => (district.name.clone(), false),
            70..=84 => (city.short.clone(), false),
            85..=92 => (district.short.clone(), true),
            _ => (city.name.clone(), false),
        };
    }
    match r {
        0..=44 => (format!("{}{}", city.name, district.name), false),
        45..=74 => (city.short.clone(), false),
        75..=89 => (city.name.clone(), false),
        90..=94 => (city.short.clone(), true),
        _ => (String::new(), false),
    }
}

/// The region prefix of a 个体工商户 name: the district, with or without the city.
pub(crate) fn individual_prefix(city: &City, d: usize, rng: &mut Rng) -> String {
    let district = &city.districts[d];
    if district.county_city || rng.chance(0.55) {
        district.name.clone()
    } else {
        format!("{}{}", city.name, district.name)
    }
}

/// A company's organisation form, as registered.
pub(crate) fn company_form(rng: &mut Rng) -> OrgForm {
    match rng.below(100) {
        0..=74 => OrgForm::Ltd,
        75..=96 => OrgForm::Llc,
        _ => OrgForm::JointStock,
    }
}
