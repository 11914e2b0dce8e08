//! Beauty salons (美容院, 美甲店 …): those that keep to life beauty (out of scope) and those that
//! also sell injections, fillers or light treatments (有照无证).
//!
//! An injecting salon always leaves evidence: medical services in its filing or a platform shop
//! under a medical 服务类目. Its 经营范围 never names 医疗美容.

use crate::error::DemoDataError;
use crate::gen::common::{alive_status, any_status, founded, salon_scope};
use crate::gen::ctx::Ctx;
use crate::gen::entity::{write_entity_tax, write_registration, write_tax, Entity};
use crate::gen::online::{services, write_filing, write_shops, Owner};
use crate::gen::Op;
use crate::ids;
use crate::name::{company_form, company_prefix, individual_prefix, person, Name, OrgForm};
use crate::noise_kind::NoiseKind;
use crate::pools::{
    LIFE_CATEGORIES, LIFE_SERVICES, MEDICAL_CATEGORIES, MEDICAL_SERVICES, SALON_WORDS,
};
use crate::sink::Sink;

/// One salon with all its records; `injecting` salons sell medical aesthetics.
pub(crate) fn salon(
    ctx: &mut Ctx,
    sink: &mut Sink,
    op: &Op,
    injecting: bool,
) -> Result<(), DemoDataError> {
    // A family salon (dense) takes its clinic's 字号 and is never a chain member.
    let family = op.sibling.as_ref();
    let chain = if family.is_some() {
        None
    } else {
        ctx.roll(NoiseKind::ChainMember)
            .then(|| ctx.rng.below(ctx.salon_chains.len()))
    };
    let brand = match (family, chain) {
        (Some(f), _) => f.brand.clone(),
        (None, Some(i)) => ctx.salon_chains[i].brand.clone(),
        (None, None) => ctx.brand(op, true),
    };
    let shop_word = *ctx.rng.pick(SALON_WORDS);
    let registered = family.is_some() || injecting || ctx.rng.chance(0.95);
    let individual = chain.is_none() && ctx.rng.chance(0.8);
    let name = salon_name(ctx, op, &brand, shop_word, chain.is_some(), individual);
    let shop = Name {
        prefix: String::new(),
        paren: false,
        brand: brand.clone(),
        industry: shop_word.to_string(),
        form: OrgForm::None,
        branch: String::new(),
    };
    let entity = if registered {
        let status = if injecting {
            alive_status(&mut ctx.rng)
        } else {
            any_status(&mut ctx.rng)
        };
        let date = founded(ctx, false);
        let scope = salon_scope(&mut ctx.rng);
        let mut e = Entity::new(ctx, op, name.clone(), individual, scope, status, date)?;
        if let Some(f) = family {
            e.legal_rep = f.legal_rep.clone();
        }
        write_registration(ctx, sink, op, &e)?;
        Some(e)
    } else {
        None
    };
    let address = match &entity {
        Some(e) => e.address.clone(),
        None => ctx.business_address(op),
    };
    let keeper = entity
        .as_ref()
        .map_or_else(|| person(&mut ctx.rng), |e| e.legal_rep.clone());
    let has_filing = ctx.rng.chance(if injecting { 0.7 } else { 0.55 });
    let medical_filing = injecting && has_filing && ctx.rng.chance(0.5);
    // An unregistered salon is seen somewhere: in a filing or on a platform.
    let must_show = (injecting && !medical_filing) || (entity.is_none() && !has_filing);
    let has_shops = ctx.rng.chance(if injecting { 0.8 } else { 0.45 }) || must_show;
    let owner = Owner {
        brand: &brand,
        shop_word,
        entity: entity.as_ref().map(|e| &e.name),
        person: &keeper,
        uscc: entity.as_ref().map(|e| e.uscc.as_str()),
        stale: None,
        address: &address,
        categories: if injecting {
            MEDICAL_CATEGORIES
        } else {
            LIFE_CATEGORIES
        },
        medical: false,
    };
    if has_filing {
        let n_medical = if medical_filing {
            1 + ctx.rng.below(2)
        } else {
            0
        };
        let list = services(ctx, LIFE_SERVICES, MEDICAL_SERVICES, n_medical);
        let filed_name = if individual { &name } else { &shop };
        write_filing(ctx, sink, op, filed_name, &owner, &list)?;
    }
    if has_shops {
        write_shops(ctx, sink, op, &owner)?;
    }
    if ctx.rng.chance(0.72) {
        match &entity {
            Some(e) => write_entity_tax(ctx, sink, op, e)?,
            None => {
                let district_code = ctx.city.districts[op.district].code.clone();
                let id = ids::id_card(&ctx.perms, &district_code, op.index);
                write_tax(ctx, sink, op, &id, &keeper, &address)?;
            }
        }
    }
    Ok(())
}

fn salon_name(
    ctx: &mut Ctx,
    op: &Op,
    brand: &str,
    shop_word: &str,
    chain: bool,
    individual: bool,
) -> Name {
    let brand = brand.to_string();
    if individual {
        let prefix = individual_prefix(&ctx.city, op.district, &mut ctx.rng);
        return Name {
            prefix,
            paren: false,
            brand,
            industry: shop_word.to_string(),
            form: OrgForm::None,
            branch: String::new(),
        };
    }
    let industry = (*ctx.rng.pick(&["美容服务", "美容美发", "健康管理", "美业"])).to_string();
    if chain && ctx.roll(NoiseKind::BranchOffice) {
        let branch = format!("{}分公司", ctx.city.districts[op.district].short);
        return Name {
            prefix: ctx.city.short.clone(),
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
