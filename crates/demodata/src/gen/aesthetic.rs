//! Registered aesthetic operators: licensed (有证有照), registered with 医疗美容服务 but never
//! licensed, and those whose license lapsed (both 有照无证).
//!
//! Chain members share a brand with operators in other districts; half of them are 分公司 of the
//! brand's company. Some licensed ones were renamed or converted from 个体工商户, and their license
//! keeps the old name (and the old code, for a conversion).

use crate::error::DemoDataError;
use crate::gen::common::{aesthetic_scope, alive_status, founded};
use crate::gen::ctx::Ctx;
use crate::gen::entity::{write_entity_tax, write_registration, Entity};
use crate::gen::license::{
    aesthetic_subjects, institution_name, write_license, Category, LicenseSpec, Validity,
    AESTHETIC_CLINIC, AESTHETIC_HOSPITAL, AESTHETIC_OUTPATIENT, DENTAL_OUTPATIENT,
};
use crate::gen::online::{write_shops, Owner};
use crate::gen::staff::{write_ads, write_staff, Profile};
use crate::gen::Op;
use crate::name::{beauty_brand, company_form, company_prefix, individual_prefix, Name, OrgForm};
use crate::noise_kind::NoiseKind;
use crate::pools::MEDICAL_CATEGORIES;
use crate::sink::Sink;

const SHOP_WORDS: &[&str] = &[
    "医疗美容",
    "医美",
    "整形美容",
    "医疗美容门诊",
    "医美中心",
    "皮肤科医美",
];

/// What happens to the license of a registered aesthetic operator.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Licensed,
    NeverLicensed,
    Lapsed,
}

/// One registered aesthetic operator with all its records.
pub(crate) fn registered(
    ctx: &mut Ctx,
    sink: &mut Sink,
    op: &Op,
    outcome: Outcome,
) -> Result<(), DemoDataError> {
    let category = [
        AESTHETIC_HOSPITAL,
        AESTHETIC_OUTPATIENT,
        AESTHETIC_CLINIC,
        DENTAL_OUTPATIENT,
    ][ctx.rng.weighted(&[10, 35, 50, 5])];
    let chain = ctx
        .roll(NoiseKind::ChainMember)
        .then(|| ctx.rng.below(ctx.chains.len()));
    let individual = chain.is_none() && category == AESTHETIC_CLINIC && ctx.rng.chance(0.15);
    let name = entity_name(ctx, op, &category, chain, individual);
    let date = founded(ctx, outcome == Outcome::Lapsed);
    let scope = aesthetic_scope(&mut ctx.rng);
    let status = alive_status(&mut ctx.rng);
    let mut e = Entity::new(ctx, op, name, individual, scope, status, date)?;
    if outcome != Outcome::NeverLicensed {
        history(ctx, op, &mut e, &category)?;
    }
    if ctx.is_dense() {
        dense_premises(ctx, op, &mut e, chain.is_none());
    }
    write_registration(ctx, sink, op, &e)?;
    let short = ctx.city.districts[op.district].short.clone();
    let mut license = None;
    if outcome != Outcome::NeverLicensed {
        let subjects = aesthetic_subjects(ctx, &category);
        let filing =
            category == AESTHETIC_CLINIC && e.founded.year() >= 2023 && ctx.rng.chance(0.5);
        let spec = LicenseSpec {
            name: institution_name(e.known_name(), &category, &short),
            uscc: &e.uscc,
            stale: e.stale_code(),
            category: category.name,
            category_code: category.code,
            econ: if individual { "17" } else { "15" },
            nonprofit: false,
            subjects,
            address: &e.address,
            legal_rep: &e.legal_rep,
            validity: if outcome == Outcome::Licensed {
                Validity::Valid
            } else {
                Validity::Lapsed
            },
            filing: filing && outcome == Outcome::Licensed,
            city_level: category == AESTHETIC_HOSPITAL,
        };
        license = Some(write_license(ctx, sink, op, spec)?);
    }
    if let Some(lic) = &license {
        let (doctors, nurses) = staff_size(ctx, &category);
        if outcome == Outcome::Licensed || ctx.rng.chance(0.5) {
            write_staff(ctx, sink, op, lic, Profile::Aesthetic, doctors, nurses)?;
        }
        if outcome == Outcome::Licensed && ctx.rng.chance(0.35) {
            write_ads(ctx, sink, lic, &e.address)?;
        }
    }
    let shop_odds = match outcome {
        Outcome::Licensed => 0.7,
        Outcome::NeverLicensed => 0.4,
        Outcome::Lapsed => 0.5,
    };
    if ctx.rng.chance(shop_odds) {
        let shop_word = *ctx.rng.pick(SHOP_WORDS);
        let owner = Owner {
            brand: &e.name.brand,
            shop_word,
            entity: Some(&e.name),
            person: "",
            uscc: Some(&e.uscc),
            stale: e.stale_code(),
            address: &e.address,
            categories: MEDICAL_CATEGORIES,
            medical: true,
        };
        write_shops(ctx, sink, op, &owner)?;
    }
    let tax_odds = if outcome == Outcome::Licensed {
        0.95
    } else {
        0.82
    };
    if ctx.rng.chance(tax_odds) {
        write_entity_tax(ctx, sink, op, &e)?;
    }
    Ok(())
}

/// The registered name of an aesthetic operator.
pub(crate) fn entity_name(
    ctx: &mut Ctx,
    op: &Op,
    category: &Category,
    chain: Option<usize>,
    individual: bool,
) -> Name {
    let brand = match chain {
        Some(i) => ctx.chains[i].brand.clone(),
        None => ctx.brand(op, true),
    };
    let industry = (*ctx.rng.pick(category.industries)).to_string();
    if individual {
        let prefix = individual_prefix(&ctx.city, op.district, &mut ctx.rng);
        return Name {
            prefix,
            paren: false,
            brand,
            industry,
            form: OrgForm::None,
            branch: String::new(),
        };
    }
    if chain.is_some() && ctx.roll(NoiseKind::BranchOffice) {
        let branch = format!("{}分公司", ctx.city.districts[op.district].short);
        let prefix = ctx.city.short.clone();
        return Name {
            prefix,
            paren: false,
            brand,
            industry,
            form: OrgForm::Ltd,
            branch,
        };
    }
    let (prefix, paren) = company_prefix(&ctx.city, op.district, &mut ctx.rng);
    let form = company_form(&mut ctx.rng);
    Name {
        prefix,
        paren,
        brand,
        industry,
        form,
        branch: String::new(),
    }
}

/// Dense: the registration at a 集中登记 cluster or an old address occupied by another business
/// ([`NoiseKind::VirtualAddress`]), and the family salon one floor up
/// ([`NoiseKind::SameOwnerSalon`]) for a clinic in a shared building that is not a chain member.
fn dense_premises(ctx: &mut Ctx, op: &Op, e: &mut Entity, own_brand: bool) {
    if ctx.roll(NoiseKind::VirtualAddress) {
        let old = if ctx.rng.chance(1.0 / 3.0) {
            ctx.old_address(op.district, &e.address)
        } else {
            None
        };
        e.registered_address = Some(match old {
            Some(address) => address,
            None => ctx.cluster_address(op.district),
        });
    }
    if let (true, Some(seat)) = (own_brand, &op.seat) {
        if ctx.roll(NoiseKind::SameOwnerSalon) {
            ctx.queue_sibling(&e.name.brand, &e.legal_rep, seat);
        }
    }
}

/// Conversion from 个体工商户 or renaming: the license will carry the old name.
fn history(
    ctx: &mut Ctx,
    op: &Op,
    e: &mut Entity,
    category: &Category,
) -> Result<(), DemoDataError> {
    if *category == AESTHETIC_CLINIC
        && !e.individual
        && e.name.branch.is_empty()
        && e.founded.year() > 2009
        && ctx.roll(NoiseKind::Converted)
    {
        let prefix = individual_prefix(&ctx.city, op.district, &mut ctx.rng);
        let old = Name {
            prefix,
            paren: false,
            brand: e.name.brand.clone(),
            industry: category.industries[0].to_string(),
            form: OrgForm::None,
            branch: String::new(),
        };
        return e.convert_from(ctx, op, old);
    }
    if e.name.branch.is_empty() && ctx.roll(NoiseKind::Renamed) {
        let mut old = e.name.clone();
        if ctx.rng.chance(0.6) {
            while old.brand == e.name.brand {
                old.brand = beauty_brand(&mut ctx.rng);
            }
        } else if old.prefix == ctx.city.short {
            old.prefix = ctx.city.city_district(op.district);
        } else {
            old.prefix = ctx.city.short.clone();
        }
        e.former_name = Some(old);
    }
    Ok(())
}

fn staff_size(ctx: &mut Ctx, category: &Category) -> (u32, u32) {
    if *category == AESTHETIC_HOSPITAL {
        (ctx.rng.range(8, 20), ctx.rng.range(10, 30))
    } else if *category == AESTHETIC_CLINIC {
        (ctx.rng.range(1, 3), ctx.rng.range(1, 3))
    } else {
        (ctx.rng.range(3, 8), ctx.rng.range(4, 10))
    }
}
