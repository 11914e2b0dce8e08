//! Registered entities (市场主体): building one, and writing its registration and tax rows.
//!
//! The registration is the canonical record: full name, canonical address, a valid code (except
//! the rare deliberately invalid key). A converted entity (个转企) also leaves its old 个体工商户
//! row, 注销, under its old name and 92 code.

use crate::address::Address;
use crate::date::Date;
use crate::error::DemoDataError;
use crate::gen::ctx::{Ctx, NameNoise};
use crate::gen::Op;
use crate::ids::{self, Body};
use crate::name::{person, Name, OrgForm};
use crate::noise_kind::NoiseKind;
use crate::sink::Sink;

/// The 个体工商户 an entity was before it became a company.
pub(crate) struct Former {
    pub name: Name,
    pub uscc: String,
    pub founded: Date,
    pub scope: String,
}

/// A market entity with its registration data.
pub(crate) struct Entity {
    pub name: Name,
    pub uscc: String,
    pub individual: bool,
    pub legal_rep: String,
    pub address: Address,
    pub scope: String,
    pub status: &'static str,
    pub founded: Date,
    pub city_level: bool,
    /// Converted (个转企): the old registration.
    pub converted: Option<Former>,
    /// Renamed: the name other registries may still use.
    pub former_name: Option<Name>,
    /// Dense: the 住所 the registration shows when it is not where the business is (a 集中登记
    /// cluster slot or an old address).
    pub registered_address: Option<Address>,
}

impl Entity {
    /// A new entity of operator `op`; `version` 0 is the operator's current code.
    pub(crate) fn new(
        ctx: &mut Ctx,
        op: &Op,
        name: Name,
        individual: bool,
        scope: String,
        status: &'static str,
        founded: Date,
    ) -> Result<Entity, DemoDataError> {
        let city_level = !individual && ctx.rng.chance(0.15);
        let uscc = entity_code(ctx, op, individual, city_level, founded, 0)?;
        Ok(Entity {
            name,
            uscc,
            individual,
            legal_rep: person(&mut ctx.rng),
            address: ctx.business_address(op),
            scope,
            status,
            founded,
            city_level,
            converted: None,
            former_name: None,
            registered_address: None,
        })
    }

    /// 主体类型 as the registration writes it.
    pub(crate) fn entity_type(&self) -> &'static str {
        if self.individual {
            "个体工商户"
        } else if !self.name.branch.is_empty() {
            "分公司"
        } else if self.name.form == OrgForm::JointStock {
            "股份有限公司"
        } else {
            "有限责任公司"
        }
    }

    /// Makes this company a converted 个体工商户: the old row gets `old_name` and a 92 code.
    pub(crate) fn convert_from(
        &mut self,
        ctx: &mut Ctx,
        op: &Op,
        old_name: Name,
    ) -> Result<(), DemoDataError> {
        let founded = ctx.rng.date(Date::jan1(2008), self.founded.add_days(-30));
        let uscc = entity_code(ctx, op, true, false, founded, 1)?;
        self.converted = Some(Former {
            name: old_name,
            uscc,
            founded,
            scope: self.scope.clone(),
        });
        Ok(())
    }

    /// The name the other registries usually see: the former one for a renamed entity.
    pub(crate) fn known_name(&self) -> &Name {
        self.converted
            .as_ref()
            .map(|f| &f.name)
            .or(self.former_name.as_ref())
            .unwrap_or(&self.name)
    }

    /// The code before conversion, if any.
    pub(crate) fn stale_code(&self) -> Option<&str> {
        self.converted.as_ref().map(|f| f.uscc.as_str())
    }
}

fn entity_code(
    ctx: &mut Ctx,
    op: &Op,
    individual: bool,
    city_level: bool,
    founded: Date,
    version: u64,
) -> Result<String, DemoDataError> {
    let region = if city_level {
        ctx.city.code.clone()
    } else {
        ctx.city.districts[op.district].code.clone()
    };
    let body = if founded >= new_scheme_start() {
        Body::New("MA")
    } else {
        Body::Old
    };
    let prefix = if individual { "92" } else { "91" };
    ids::uscc(&ctx.perms, prefix, &region, body, op.index * 2 + version)
}

/// The first day codes were issued with an `MA` body.
pub(crate) fn new_scheme_start() -> Date {
    Date::new(2015, 10, 1).unwrap_or(Date::jan1(2016))
}

/// Writes the registration row (and the old row of a converted entity).
pub(crate) fn write_registration(
    ctx: &mut Ctx,
    sink: &mut Sink,
    op: &Op,
    e: &Entity,
) -> Result<(), DemoDataError> {
    let key = if ctx.roll(NoiseKind::InvalidRegistrationUscc) {
        ctx.invalid_key(&e.uscc).unwrap_or_else(|| e.uscc.clone())
    } else {
        e.uscc.clone()
    };
    let dead = matches!(e.status, "注销" | "吊销");
    let authority = authority(ctx, op, e.city_level, dead && e.founded.year() < 2014);
    let founded = ctx.registration_date(e.founded);
    let address = e
        .registered_address
        .as_ref()
        .unwrap_or(&e.address)
        .canonical(&ctx.city);
    let region = ctx.city.districts[op.district].code.clone();
    let name = e.name.render();
    let row = [
        key.as_str(),
        &name,
        e.entity_type(),
        &e.legal_rep,
        &address,
        &e.scope,
        e.status,
        &founded,
        &authority,
        &region,
    ];
    sink.registration(&op.as_ref(), row)?;
    if let Some(old) = &e.converted {
        let old_name = old.name.render();
        let old_founded = ctx.registration_date(old.founded);
        let old_authority = authority_of(ctx, op, false, false);
        let row = [
            old.uscc.as_str(),
            &old_name,
            "个体工商户",
            &e.legal_rep,
            &address,
            &old.scope,
            "注销",
            &old_founded,
            &old_authority,
            &region,
        ];
        sink.registration(&op.as_ref(), row)?;
    }
    ctx.remember_code(&e.uscc);
    Ok(())
}

fn authority(ctx: &mut Ctx, op: &Op, city_level: bool, old_era: bool) -> String {
    let use_old_name = old_era && ctx.rng.chance(0.5);
    authority_of(ctx, op, city_level, use_old_name)
}

fn authority_of(ctx: &Ctx, op: &Op, city_level: bool, old_name: bool) -> String {
    let name = ctx.city.market_authority(op.district, city_level);
    if old_name {
        name.replace("市场监督管理局", "工商行政管理局")
    } else {
        name
    }
}

/// Writes the tax row of a registered entity: the code for most, an old 注册号 for some entities
/// founded before the reform, the owner's 身份证号 for some 个体工商户.
pub(crate) fn write_entity_tax(
    ctx: &mut Ctx,
    sink: &mut Sink,
    op: &Op,
    e: &Entity,
) -> Result<(), DemoDataError> {
    let district_code = ctx.city.districts[op.district].code.clone();
    let r = ctx.rng.below(100);
    let old_no = (r < 5 && e.founded < new_scheme_start())
        .then(|| ctx.old_registration_no(&e.uscc))
        .flatten();
    let id = if let Some(old_no) = old_no {
        old_no
    } else if r < 5 && e.founded < new_scheme_start() {
        ids::registration_no(
            &ctx.perms,
            &district_code,
            e.individual,
            op.index,
            &mut ctx.rng,
        )
    } else if r >= 96 && e.individual {
        ids::id_card(&ctx.perms, &district_code, op.index)
    } else {
        e.uscc.clone()
    };
    let known = if e.former_name.is_some() && ctx.rng.chance(0.3) {
        e.known_name()
    } else {
        &e.name
    };
    let known = known.clone();
    let name = ctx.name_for(&known, NameNoise::TAX);
    write_tax(ctx, sink, op, &id, &name, &e.address)
}

/// Writes one tax row.
pub(crate) fn write_tax(
    ctx: &mut Ctx,
    sink: &mut Sink,
    op: &Op,
    id: &str,
    name: &str,
    address: &Address,
) -> Result<(), DemoDataError> {
    let address = ctx.address_for(address);
    let authority = ctx.city.tax_authority(op.district);
    let region = &ctx.city.districts[op.district].code;
    sink.tax(&op.as_ref(), [id, name, &address, &authority, region])
}
