//! Operators with nothing to do with medical aesthetics: ordinary businesses (the bulk of the
//! register) and non-aesthetic clinics (dental, TCM, general). Their records exist in the files
//! and get an empty 分类 in the ground truth.

use crate::error::DemoDataError;
use crate::gen::common::{alive_status, any_status, clinic_scope, founded, ordinary_scope};
use crate::gen::ctx::Ctx;
use crate::gen::entity::{write_entity_tax, write_registration, Entity};
use crate::gen::license::{institution_name, write_license, Category, LicenseSpec, Validity};
use crate::gen::staff::{write_ads, write_staff, Profile};
use crate::gen::Op;
use crate::name::{company_form, company_prefix, individual_prefix, person, Name, OrgForm};
use crate::noise_kind::NoiseKind;
use crate::pools::INDUSTRIES;
use crate::sink::Sink;

/// An ordinary business: a registration and usually a tax record.
pub(crate) fn ordinary(ctx: &mut Ctx, sink: &mut Sink, op: &Op) -> Result<(), DemoDataError> {
    let &(industry, shop, items) = ctx.rng.pick(INDUSTRIES);
    let individual = ctx.rng.chance(0.45);
    let brand = ctx.brand(op, false);
    let name = if individual {
        let prefix = individual_prefix(&ctx.city, op.district, &mut ctx.rng);
        Name {
            prefix,
            paren: false,
            brand,
            industry: shop.to_string(),
            form: OrgForm::None,
            branch: String::new(),
        }
    } else {
        let (prefix, paren) = company_prefix(&ctx.city, op.district, &mut ctx.rng);
        let form = company_form(&mut ctx.rng);
        let branch = if ctx.rng.chance(0.04) {
            format!("{}分公司", ctx.city.districts[op.district].short)
        } else {
            String::new()
        };
        Name {
            prefix,
            paren,
            brand,
            industry: industry.to_string(),
            form,
            branch,
        }
    };
    let status = any_status(&mut ctx.rng);
    let dead = matches!(status, "注销" | "吊销");
    let date = founded(ctx, dead);
    let scope = ordinary_scope(&mut ctx.rng, items);
    let mut e = Entity::new(ctx, op, name, individual, scope, status, date)?;
    if !individual && ctx.is_dense() && ctx.roll(NoiseKind::ClusterRegistration) {
        e.registered_address = Some(ctx.cluster_address(op.district));
    }
    write_registration(ctx, sink, op, &e)?;
    if ctx.rng.chance(if dead { 0.4 } else { 0.8 }) {
        write_entity_tax(ctx, sink, op, &e)?;
    }
    Ok(())
}

/// Non-aesthetic clinic types: category, industry word, subjects, staff profile, weight.
const CLINICS: [(Category, &[&str], Profile, u32); 5] = [
    (
        Category {
            name: "口腔诊所",
            code: "D215",
            word: "诊所",
            industries: &["口腔诊所"],
        },
        &["口腔科"],
        Profile::Dental,
        35,
    ),
    (
        Category {
            name: "口腔门诊部",
            code: "D152",
            word: "门诊部",
            industries: &["口腔门诊部"],
        },
        &["口腔科"],
        Profile::Dental,
        10,
    ),
    (
        Category {
            name: "中医诊所",
            code: "D212",
            word: "诊所",
            industries: &["中医诊所"],
        },
        &["中医科"],
        Profile::Tcm,
        20,
    ),
    (
        Category {
            name: "普通诊所",
            code: "D211",
            word: "诊所",
            industries: &["诊所", "内科诊所"],
        },
        &["内科"],
        Profile::General,
        25,
    ),
    (
        Category {
            name: "综合门诊部",
            code: "D110",
            word: "门诊部",
            industries: &["综合门诊部"],
        },
        &["内科", "外科", "妇产科", "儿科", "医学检验科", "医学影像科"],
        Profile::General,
        10,
    ),
];

/// A dental, TCM or general clinic: registration, license, staff, sometimes ads, tax.
pub(crate) fn other_clinic(ctx: &mut Ctx, sink: &mut Sink, op: &Op) -> Result<(), DemoDataError> {
    let weights: Vec<u32> = CLINICS.iter().map(|c| c.3).collect();
    let (category, subjects, profile, _) = CLINICS[ctx.rng.weighted(&weights)];
    let individual = category.word == "诊所" && ctx.rng.chance(0.5);
    let industry = (*ctx.rng.pick(category.industries)).to_string();
    let name = if individual {
        let prefix = individual_prefix(&ctx.city, op.district, &mut ctx.rng);
        let brand = if ctx.rng.chance(0.5) {
            person(&mut ctx.rng)
        } else {
            ctx.brand(op, false)
        };
        Name {
            prefix,
            paren: false,
            brand,
            industry,
            form: OrgForm::None,
            branch: String::new(),
        }
    } else {
        let (prefix, paren) = company_prefix(&ctx.city, op.district, &mut ctx.rng);
        let brand = ctx.brand(op, false);
        let form = company_form(&mut ctx.rng);
        Name {
            prefix,
            paren,
            brand,
            industry,
            form,
            branch: String::new(),
        }
    };
    let date = founded(ctx, false);
    let scope = clinic_scope(&mut ctx.rng);
    let status = alive_status(&mut ctx.rng);
    let e = Entity::new(ctx, op, name, individual, scope, status, date)?;
    write_registration(ctx, sink, op, &e)?;
    let short = ctx.city.districts[op.district].short.clone();
    let spec = LicenseSpec {
        name: institution_name(&e.name, &category, &short),
        uscc: &e.uscc,
        stale: None,
        category: category.name,
        category_code: category.code,
        econ: if individual { "17" } else { "15" },
        nonprofit: false,
        subjects: subjects.to_vec(),
        address: &e.address,
        legal_rep: &e.legal_rep,
        validity: if ctx.rng.chance(0.88) {
            Validity::Valid
        } else {
            Validity::Lapsed
        },
        filing: false,
        city_level: false,
    };
    let license = write_license(ctx, sink, op, spec)?;
    let doctors = ctx
        .rng
        .range(1, if category.word == "门诊部" { 6 } else { 3 });
    let nurses = ctx.rng.range(0, 3);
    write_staff(ctx, sink, op, &license, profile, doctors, nurses)?;
    if ctx.rng.chance(0.1) {
        write_ads(ctx, sink, &license, &e.address)?;
    }
    if ctx.rng.chance(0.9) {
        write_entity_tax(ctx, sink, op, &e)?;
    }
    Ok(())
}
