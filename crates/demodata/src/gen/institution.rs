//! Licensed operators outside the market registry: public hospitals (事业单位, 12…) with or without
//! a 医疗美容科, 民办非企业 aesthetic hospitals (52…), and aesthetic companies holding a valid
//! license while their registration is gone or was never made (true 有证无照 anomalies).

use crate::address::Address;
use crate::error::DemoDataError;
use crate::gen::aesthetic::entity_name;
use crate::gen::common::{aesthetic_scope, dead_status, founded};
use crate::gen::ctx::{Ctx, NameNoise};
use crate::gen::entity::{new_scheme_start, write_registration, write_tax, Entity};
use crate::gen::license::{
    aesthetic_subjects, institution_name, write_license, LicenseSpec, Validity, AESTHETIC_CLINIC,
    AESTHETIC_HOSPITAL, AESTHETIC_OUTPATIENT,
};
use crate::gen::online::{write_shops, Owner};
use crate::gen::staff::{write_ads, write_staff, Profile};
use crate::gen::Op;
use crate::ids::{self, Body};
use crate::name::{person, Name, OrgForm};
use crate::pools::{MEDICAL_CATEGORIES, PLACE_NAMES};
use crate::sink::Sink;

const NUMERALS: &[&str] = &["第一", "第二", "第三", "第四", "第五", "第六", "第七"];

/// A licensed institution and the odds of its other records.
struct Institution<'a> {
    name: Name,
    uscc: &'a str,
    category: &'static str,
    category_code: &'static str,
    econ: &'static str,
    nonprofit: bool,
    subjects: Vec<&'static str>,
    address: &'a Address,
    legal_rep: &'a str,
    city_level: bool,
    aesthetic: bool,
    shops: f64,
    tax: f64,
}

/// A public hospital; `aesthetic` ones have a 医疗美容科 on their license.
pub(crate) fn public_hospital(
    ctx: &mut Ctx,
    sink: &mut Sink,
    op: &Op,
    aesthetic: bool,
) -> Result<(), DemoDataError> {
    let city_name = ctx.city.name.clone();
    let district_name = ctx.city.districts[op.district].name.clone();
    let kind = if aesthetic {
        ctx.rng.weighted(&[70, 30, 0, 0])
    } else {
        ctx.rng.weighted(&[40, 20, 15, 25])
    };
    let city_level = kind < 2 && ctx.rng.chance(0.3);
    let (prefix, industry, category, code, mut subjects): (
        String,
        String,
        &'static str,
        &'static str,
        Vec<&'static str>,
    ) = match kind {
        0 if city_level => (
            city_name,
            format!("{}人民医院", ctx.rng.pick(NUMERALS)),
            "综合医院",
            "A100",
            general_subjects(),
        ),
        0 => (
            district_name,
            "人民医院".into(),
            "综合医院",
            "A100",
            general_subjects(),
        ),
        1 => (
            if city_level { city_name } else { district_name },
            "中医医院".into(),
            "中医医院",
            "A210",
            vec![
                "内科",
                "外科",
                "中医科",
                "针灸科",
                "康复医学科",
                "医学检验科",
            ],
        ),
        2 => (
            district_name,
            "妇幼保健院".into(),
            "妇幼保健院",
            "G110",
            vec!["妇产科", "儿科", "妇女保健科", "儿童保健科"],
        ),
        _ => (
            district_name,
            format!("{}镇卫生院", ctx.rng.pick(PLACE_NAMES)),
            "乡镇卫生院",
            "C100",
            vec!["全科医疗科", "内科", "预防保健科"],
        ),
    };
    if aesthetic {
        subjects.extend(["医疗美容科", "美容外科", "美容皮肤科"]);
        if kind == 1 {
            subjects.push("美容中医科");
        }
    }
    let name = Name {
        prefix,
        paren: false,
        brand: String::new(),
        industry,
        form: OrgForm::None,
        branch: String::new(),
    };
    let region = if city_level {
        ctx.city.code.clone()
    } else {
        ctx.city.districts[op.district].code.clone()
    };
    let uscc = ids::uscc(&ctx.perms, "12", &region, Body::Old, op.index * 2)?;
    let address = Address::street(&ctx.city, op.district, &mut ctx.rng);
    let legal_rep = person(&mut ctx.rng);
    let inst = Institution {
        name,
        uscc: &uscc,
        category,
        category_code: code,
        econ: "11",
        nonprofit: true,
        subjects,
        address: &address,
        legal_rep: &legal_rep,
        city_level,
        aesthetic,
        shops: if aesthetic { 0.15 } else { 0.0 },
        tax: 0.9,
    };
    write_institution(ctx, sink, op, inst)
}

fn general_subjects() -> Vec<&'static str> {
    vec![
        "内科",
        "外科",
        "妇产科",
        "儿科",
        "眼科",
        "耳鼻咽喉科",
        "口腔科",
        "皮肤科",
        "麻醉科",
        "医学检验科",
        "医学影像科",
        "中医科",
    ]
}

/// A 民办非企业单位 aesthetic hospital or outpatient department.
pub(crate) fn non_profit(ctx: &mut Ctx, sink: &mut Sink, op: &Op) -> Result<(), DemoDataError> {
    let category = if ctx.is_dense() {
        // The dense profile adds 民办非企业 clinics.
        [AESTHETIC_HOSPITAL, AESTHETIC_OUTPATIENT, AESTHETIC_CLINIC]
            [ctx.rng.weighted(&[20, 40, 40])]
    } else if ctx.rng.chance(0.3) {
        AESTHETIC_HOSPITAL
    } else {
        AESTHETIC_OUTPATIENT
    };
    let brand = ctx.brand(op, true);
    let industry = category.industries[0].to_string();
    let name = Name {
        prefix: ctx.city.short.clone(),
        paren: false,
        brand,
        industry,
        form: OrgForm::None,
        branch: String::new(),
    };
    let date = founded(ctx, false);
    let body = if date >= new_scheme_start() {
        Body::New("MJ")
    } else {
        Body::Old
    };
    let region = ctx.city.districts[op.district].code.clone();
    let uscc = ids::uscc(&ctx.perms, "52", &region, body, op.index * 2)?;
    let address = ctx.business_address(op);
    let legal_rep = person(&mut ctx.rng);
    let subjects = aesthetic_subjects(ctx, &category);
    let inst = Institution {
        name,
        uscc: &uscc,
        category: category.name,
        category_code: category.code,
        econ: "19",
        nonprofit: true,
        subjects,
        address: &address,
        legal_rep: &legal_rep,
        city_level: false,
        aesthetic: true,
        shops: 0.4,
        tax: 0.9,
    };
    write_institution(ctx, sink, op, inst)
}

/// An aesthetic company with a valid license whose registration is 注销/吊销 (half) or missing.
pub(crate) fn license_anomaly(
    ctx: &mut Ctx,
    sink: &mut Sink,
    op: &Op,
) -> Result<(), DemoDataError> {
    let category = [AESTHETIC_OUTPATIENT, AESTHETIC_CLINIC][ctx.rng.weighted(&[40, 60])];
    let name = entity_name(ctx, op, &category, None, false);
    let date = founded(ctx, false);
    let scope = aesthetic_scope(&mut ctx.rng);
    let status = dead_status(&mut ctx.rng);
    let e = Entity::new(ctx, op, name, false, scope, status, date)?;
    if ctx.rng.chance(0.5) {
        write_registration(ctx, sink, op, &e)?;
    }
    let short = ctx.city.districts[op.district].short.clone();
    let subjects = aesthetic_subjects(ctx, &category);
    let inst = Institution {
        name: institution_name(&e.name, &category, &short),
        uscc: &e.uscc,
        category: category.name,
        category_code: category.code,
        econ: "15",
        nonprofit: false,
        subjects,
        address: &e.address,
        legal_rep: &e.legal_rep,
        city_level: false,
        aesthetic: true,
        shops: 0.3,
        tax: 0.6,
    };
    write_institution(ctx, sink, op, inst)
}

/// The license, staff, ads, shops and tax record of an institution.
fn write_institution(
    ctx: &mut Ctx,
    sink: &mut Sink,
    op: &Op,
    inst: Institution<'_>,
) -> Result<(), DemoDataError> {
    let spec = LicenseSpec {
        name: inst.name.clone(),
        uscc: inst.uscc,
        stale: None,
        category: inst.category,
        category_code: inst.category_code,
        econ: inst.econ,
        nonprofit: inst.nonprofit,
        subjects: inst.subjects,
        address: inst.address,
        legal_rep: inst.legal_rep,
        validity: Validity::Valid,
        filing: false,
        city_level: inst.city_level,
    };
    let license = write_license(ctx, sink, op, spec)?;
    let (profile, doctors, nurses) = if inst.aesthetic {
        (Profile::Aesthetic, ctx.rng.range(2, 8), ctx.rng.range(2, 8))
    } else {
        (Profile::General, ctx.rng.range(4, 12), ctx.rng.range(4, 12))
    };
    write_staff(ctx, sink, op, &license, profile, doctors, nurses)?;
    if inst.aesthetic && ctx.rng.chance(0.25) {
        write_ads(ctx, sink, &license, inst.address)?;
    }
    if ctx.rng.chance(inst.shops) {
        let brand = if inst.name.brand.is_empty() {
            inst.name.render()
        } else {
            inst.name.brand.clone()
        };
        let shop_word = if inst.name.brand.is_empty() {
            "医疗美容科"
        } else {
            "医疗美容"
        };
        let owner = Owner {
            brand: &brand,
            shop_word,
            entity: Some(&inst.name),
            person: "",
            uscc: Some(inst.uscc),
            stale: None,
            address: inst.address,
            categories: MEDICAL_CATEGORIES,
            medical: true,
        };
        write_shops(ctx, sink, op, &owner)?;
    }
    ctx.remember_code(inst.uscc);
    if ctx.rng.chance(inst.tax) {
        let shown = ctx.name_for(&inst.name, NameNoise::TAX);
        write_tax(ctx, sink, op, inst.uscc, &shown, inst.address)?;
    }
    Ok(())
}
