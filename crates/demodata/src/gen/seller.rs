//! Operators who sell medical aesthetics without any license: a registered consulting or
//! cosmetics company (有照无证), a studio in a flat or a WeChat seller seen only online and in tax
//! records, and a business whose registration was cancelled or revoked but still sells (无照无证).

use crate::address::Address;
use crate::error::DemoDataError;
use crate::gen::common::{
    aesthetic_scope, alive_status, dead_status, founded, salon_scope, seller_scope,
};
use crate::gen::ctx::Ctx;
use crate::gen::entity::{write_entity_tax, write_registration, write_tax, Entity};
use crate::gen::online::{services, write_filing, write_scattered_shops, write_shops, Owner};
use crate::gen::Op;
use crate::ids;
use crate::name::{
    beauty_brand, company_form, company_prefix, individual_prefix, person, Name, OrgForm,
};
use crate::noise_kind::NoiseKind;
use crate::pools::{LIFE_SERVICES, MEDICAL_CATEGORIES, MEDICAL_SERVICES, SALON_WORDS};
use crate::sink::Sink;

const STUDIO_WORDS: &[&str] = &[
    "轻医美工作室",
    "皮肤管理工作室",
    "美学工作室",
    "医美工作室",
    "微整工作室",
    "美容工作室",
];
const SELLER_SHOP_WORDS: &[&str] = &["医美", "皮肤管理", "轻医美", "美肤中心", "抗衰中心"];

/// A registered consulting / cosmetics company selling medical aesthetics on platforms.
pub(crate) fn online_seller(ctx: &mut Ctx, sink: &mut Sink, op: &Op) -> Result<(), DemoDataError> {
    let brand = ctx.brand(op, true);
    let industry = (*ctx
        .rng
        .pick(&["美容咨询", "健康管理", "生物科技", "化妆品", "美业管理"]))
    .to_string();
    let (prefix, paren) = company_prefix(&ctx.city, op.district, &mut ctx.rng);
    let form = company_form(&mut ctx.rng);
    let name = Name {
        prefix,
        paren,
        brand,
        industry,
        form,
        branch: String::new(),
    };
    let date = founded(ctx, false);
    let scope = seller_scope(&mut ctx.rng);
    let status = alive_status(&mut ctx.rng);
    let e = Entity::new(ctx, op, name, false, scope, status, date)?;
    write_registration(ctx, sink, op, &e)?;
    let shop_word = *ctx.rng.pick(SELLER_SHOP_WORDS);
    let owner = Owner {
        brand: &e.name.brand,
        shop_word,
        entity: Some(&e.name),
        person: "",
        uscc: Some(&e.uscc),
        stale: None,
        address: &e.address,
        categories: MEDICAL_CATEGORIES,
        medical: true,
    };
    write_shops(ctx, sink, op, &owner)?;
    if ctx.rng.chance(0.8) {
        write_entity_tax(ctx, sink, op, &e)?;
    }
    Ok(())
}

/// A studio in a flat: platform shops, sometimes a salon filing or a tax record of the person.
pub(crate) fn studio(ctx: &mut Ctx, sink: &mut Sink, op: &Op) -> Result<(), DemoDataError> {
    let brand = beauty_brand(&mut ctx.rng);
    let shop_word = *ctx.rng.pick(STUDIO_WORDS);
    let address = Address::flat(&ctx.city, op.district, &mut ctx.rng);
    let keeper = person(&mut ctx.rng);
    let shown = if ctx.rng.chance(0.4) {
        keeper.clone()
    } else {
        String::new()
    };
    let owner = Owner {
        brand: &brand,
        shop_word,
        entity: None,
        person: &shown,
        uscc: None,
        stale: None,
        address: &address,
        categories: MEDICAL_CATEGORIES,
        medical: true,
    };
    if ctx.is_dense() && ctx.roll(NoiseKind::ScatteredSeller) {
        write_scattered_shops(ctx, sink, op, &owner, STUDIO_WORDS, &keeper)?;
    } else {
        write_shops(ctx, sink, op, &owner)?;
    }
    if ctx.rng.chance(0.05) {
        let shop = Name {
            prefix: String::new(),
            paren: false,
            brand: brand.clone(),
            industry: shop_word.to_string(),
            form: OrgForm::None,
            branch: String::new(),
        };
        let n_medical = 1 + ctx.rng.below(2);
        let list = services(ctx, LIFE_SERVICES, MEDICAL_SERVICES, n_medical);
        let filer = Owner {
            person: &keeper,
            ..owner
        };
        write_filing(ctx, sink, op, &shop, &filer, &list)?;
    }
    if ctx.rng.chance(0.25) {
        let district_code = ctx.city.districts[op.district].code.clone();
        let id = ids::id_card(&ctx.perms, &district_code, op.index);
        let name = if ctx.rng.chance(0.7) {
            keeper.clone()
        } else {
            format!("{brand}{shop_word}")
        };
        write_tax(ctx, sink, op, &id, &name, &address)?;
    }
    Ok(())
}

/// A business whose registration is 注销 or 吊销 but which still sells medical aesthetics.
pub(crate) fn revoked_seller(ctx: &mut Ctx, sink: &mut Sink, op: &Op) -> Result<(), DemoDataError> {
    let brand = ctx.brand(op, true);
    let individual = ctx.rng.chance(0.6);
    let medical_scope = ctx.rng.chance(0.5);
    let name = if individual {
        let prefix = individual_prefix(&ctx.city, op.district, &mut ctx.rng);
        let industry = if medical_scope {
            "医疗美容诊所"
        } else {
            *ctx.rng.pick(SALON_WORDS)
        };
        Name {
            prefix,
            paren: false,
            brand,
            industry: industry.to_string(),
            form: OrgForm::None,
            branch: String::new(),
        }
    } else {
        let (prefix, paren) = company_prefix(&ctx.city, op.district, &mut ctx.rng);
        let industry = if medical_scope {
            "医疗美容"
        } else {
            "美容服务"
        };
        let form = company_form(&mut ctx.rng);
        Name {
            prefix,
            paren,
            brand,
            industry: industry.to_string(),
            form,
            branch: String::new(),
        }
    };
    let scope = if medical_scope {
        aesthetic_scope(&mut ctx.rng)
    } else {
        salon_scope(&mut ctx.rng)
    };
    let date = founded(ctx, true);
    let status = dead_status(&mut ctx.rng);
    let e = Entity::new(ctx, op, name, individual, scope, status, date)?;
    write_registration(ctx, sink, op, &e)?;
    let shop_word = *ctx.rng.pick(SELLER_SHOP_WORDS);
    let owner = Owner {
        brand: &e.name.brand,
        shop_word,
        entity: Some(&e.name),
        person: "",
        uscc: Some(&e.uscc),
        stale: None,
        address: &e.address,
        categories: MEDICAL_CATEGORIES,
        medical: true,
    };
    write_shops(ctx, sink, op, &owner)?;
    if ctx.rng.chance(0.3) {
        write_entity_tax(ctx, sink, op, &e)?;
    }
    Ok(())
}
