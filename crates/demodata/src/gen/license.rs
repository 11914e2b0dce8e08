//! Licenses and filings (医疗机构执业许可证 / 诊所备案凭证) and the institution categories.
//!
//! The 登记号 is the 22-character 医疗机构代码 of DOMAIN §3.1: the 9-character organisation code
//! of the holder's USCC, region, 经济类型, 卫生机构类别 and 机构分类管理代码; some older ones start
//! with `PDY` and six digits instead. A valid license is 有效 and unexpired; a lapsed one is expired
//! (still written 有效, or 过期), 注销 or 吊销.

use crate::address::Address;
use crate::date::Date;
use crate::error::DemoDataError;
use crate::gen::ctx::{Ctx, NameNoise};
use crate::gen::Op;
use crate::name::{Name, OrgForm};
use crate::noise_kind::NoiseKind;
use crate::sink::Sink;

/// An institution category (机构类别) with its WS 218 code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Category {
    pub name: &'static str,
    pub code: &'static str,
    /// 医院, 门诊部, 诊所: what a license name ends with.
    pub word: &'static str,
    /// Industry words of a registered name.
    pub industries: &'static [&'static str],
}

pub(crate) const AESTHETIC_HOSPITAL: Category = Category {
    name: "美容医院",
    code: "A529",
    word: "医院",
    industries: &["医疗美容医院", "整形美容医院", "美容医院"],
};
pub(crate) const AESTHETIC_OUTPATIENT: Category = Category {
    name: "医疗美容门诊部",
    code: "D154",
    word: "门诊部",
    industries: &["医疗美容门诊部", "医疗美容", "医学美容"],
};
pub(crate) const AESTHETIC_CLINIC: Category = Category {
    name: "医疗美容诊所",
    code: "D216",
    word: "诊所",
    industries: &["医疗美容诊所", "医疗美容", "医美诊所"],
};
pub(crate) const DENTAL_OUTPATIENT: Category = Category {
    name: "口腔门诊部",
    code: "D152",
    word: "门诊部",
    industries: &["口腔门诊部", "口腔"],
};

/// Whether the license is in force on the as-of date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Validity {
    Valid,
    Lapsed,
}

/// What a license is made from.
pub(crate) struct LicenseSpec<'a> {
    /// The institution name, before the registry's noise.
    pub name: Name,
    pub uscc: &'a str,
    pub stale: Option<&'a str>,
    pub category: &'static str,
    pub category_code: &'static str,
    /// 经济类型: 15 有限责任, 17 私有, 11 国有, 19 其他.
    pub econ: &'static str,
    pub nonprofit: bool,
    pub subjects: Vec<&'static str>,
    pub address: &'a Address,
    pub legal_rep: &'a str,
    pub validity: Validity,
    /// A 诊所备案凭证 rather than a 执业许可证 (no expiry date).
    pub filing: bool,
    /// Issued by the city (hospitals) rather than the district.
    pub city_level: bool,
}

/// A written license, for the records that cite it.
pub(crate) struct License {
    pub no: String,
    pub name: Name,
    pub subjects: String,
}

/// The license name of a registered entity: no organisation form, ending with the category word.
pub(crate) fn institution_name(name: &Name, category: &Category, district_short: &str) -> Name {
    let industry = if name.industry.ends_with(category.word) {
        name.industry.clone()
    } else if category.code == DENTAL_OUTPATIENT.code {
        "口腔门诊部".to_string()
    } else {
        format!("{}{}", name.industry, category.word)
    };
    let branch = if name.branch.is_empty() {
        String::new()
    } else {
        format!("（{district_short}）")
    };
    Name {
        industry,
        form: OrgForm::None,
        branch,
        ..name.clone()
    }
}

/// Writes the license row and returns what other records cite.
pub(crate) fn write_license(
    ctx: &mut Ctx,
    sink: &mut Sink,
    op: &Op,
    spec: LicenseSpec<'_>,
) -> Result<License, DemoDataError> {
    let district = &ctx.city.districts[op.district];
    let region = district.code.clone();
    let org9 = spec.uscc.get(8..17).unwrap_or("000000000").to_string();
    let head = if !spec.filing && ctx.seq.pdy < 1_000_000 && ctx.rng.chance(0.15) {
        ctx.seq.pdy += 1;
        format!("PDY{:06}", ctx.perms.seq6.apply(ctx.seq.pdy))
    } else {
        org9
    };
    let mgmt = if spec.nonprofit { '1' } else { '2' };
    let no = format!("{head}{region}{}{}{mgmt}", spec.econ, spec.category_code);
    let kind = if spec.filing {
        "诊所备案凭证"
    } else {
        "执业许可证"
    };
    let shown_name = ctx.name_for(&spec.name, NameNoise::LICENSE);
    let uscc = ctx.reported_uscc(spec.uscc, spec.stale, NoiseKind::BlankUsccLicense);
    let separator = ["；", ";", "、", ","][ctx.rng.weighted(&[50, 15, 20, 15])];
    let subjects = spec.subjects.join(separator);
    let address = ctx.address_for(spec.address);
    let principal = if ctx.rng.chance(0.5) {
        spec.legal_rep.to_string()
    } else {
        crate::name::person(&mut ctx.rng)
    };
    let (until, status) = validity(ctx, spec.validity, spec.filing);
    let authority = if ctx.rng.chance(0.2) {
        format!(
            "{}行政审批服务局",
            if spec.city_level {
                ctx.city.name.clone()
            } else {
                ctx.city.city_district(op.district)
            }
        )
    } else {
        ctx.city.health_authority(op.district, spec.city_level)
    };
    let row = [
        no.as_str(),
        kind,
        &shown_name,
        &uscc,
        spec.category,
        &subjects,
        &address,
        spec.legal_rep,
        &principal,
        &until,
        &authority,
        &region,
        status,
    ];
    sink.license(&op.as_ref(), row)?;
    Ok(License {
        no,
        name: spec.name,
        subjects: spec.subjects.join("；"),
    })
}

/// 有效期至 and 状态.
fn validity(ctx: &mut Ctx, validity: Validity, filing: bool) -> (String, &'static str) {
    let as_of = ctx.as_of;
    let (until, status) = match validity {
        Validity::Valid if filing => return (String::new(), "有效"),
        Validity::Valid => (ctx.rng.date(as_of.add_days(15), as_of.add_years(5)), "有效"),
        Validity::Lapsed => {
            let expired = ctx.rng.date(as_of.add_years(-4), as_of.add_days(-1));
            match ctx.rng.weighted(&[35, 25, 25, 15]) {
                0 => (expired, "有效"),
                1 => (expired, "过期"),
                2 => (
                    ctx.rng.date(as_of.add_years(-3), as_of.add_years(3)),
                    "注销",
                ),
                _ => (
                    ctx.rng.date(as_of.add_years(-3), as_of.add_years(3)),
                    "吊销",
                ),
            }
        }
    };
    (format_until(ctx, until), status)
}

fn format_until(ctx: &mut Ctx, date: Date) -> String {
    if ctx.rng.chance(0.05) {
        date.slash()
    } else {
        date.iso()
    }
}

/// 诊疗科目 of an aesthetic institution: 医疗美容科 and at least one sub-subject.
pub(crate) fn aesthetic_subjects(ctx: &mut Ctx, category: &Category) -> Vec<&'static str> {
    let mut out = Vec::with_capacity(8);
    if category.code == DENTAL_OUTPATIENT.code {
        return vec!["口腔科", "医疗美容科", "美容牙科"];
    }
    out.push("医疗美容科");
    let hospital = category.code == AESTHETIC_HOSPITAL.code;
    let odds: [(&'static str, f64); 4] = if hospital {
        [
            ("美容外科", 1.0),
            ("美容牙科", 0.5),
            ("美容皮肤科", 1.0),
            ("美容中医科", 0.3),
        ]
    } else if category.code == AESTHETIC_OUTPATIENT.code {
        [
            ("美容外科", 0.7),
            ("美容牙科", 0.3),
            ("美容皮肤科", 0.9),
            ("美容中医科", 0.2),
        ]
    } else {
        [
            ("美容外科", 0.5),
            ("美容牙科", 0.0),
            ("美容皮肤科", 0.8),
            ("美容中医科", 0.1),
        ]
    };
    for (subject, p) in odds {
        if ctx.rng.chance(p) {
            out.push(subject);
        }
    }
    if out.len() == 1 {
        out.push("美容皮肤科");
    }
    if hospital || ctx.rng.chance(0.3) {
        out.push("麻醉科");
    }
    if hospital && ctx.rng.chance(0.5) {
        out.extend(["医学检验科", "医学影像科"]);
    }
    out
}
