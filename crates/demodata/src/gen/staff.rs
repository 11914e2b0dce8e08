//! Practitioners (执业注册) at licensed institutions and the institutions' advertisement review
//! certificates (医疗广告审查证明). Neither file is part of the cross-check; both cite the license.
//!
//! 证书编码 is 15 digits (DOMAIN §5): kind digit (1 doctor, 2 nurse), year, province and eight
//! digits of a permuted per-file sequence, so every code is unique.

use crate::address::Address;
use crate::error::DemoDataError;
use crate::gen::ctx::{Ctx, NameNoise};
use crate::gen::license::License;
use crate::gen::Op;
use crate::name::person;
use crate::sink::Sink;

/// What kind of institution the staff work at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Profile {
    Aesthetic,
    Dental,
    Tcm,
    General,
}

/// Writes `doctors` doctors and `nurses` nurses registered at `license`.
pub(crate) fn write_staff(
    ctx: &mut Ctx,
    sink: &mut Sink,
    op: &Op,
    license: &License,
    profile: Profile,
    doctors: u32,
    nurses: u32,
) -> Result<(), DemoDataError> {
    let region = ctx.city.districts[op.district].code.clone();
    let province = ctx.city.code.get(..2).unwrap_or("37").to_string();
    for i in 0..doctors + nurses {
        let doctor = i < doctors;
        ctx.seq.practitioner += 1;
        let year = ctx.rng.range(1998, ctx.as_of.year().max(1999) as u32);
        let cert = format!(
            "{}{year}{province}{:08}",
            if doctor { 1 } else { 2 },
            ctx.perms.seq8.apply(ctx.seq.practitioner)
        );
        let name = person(&mut ctx.rng);
        let (category, scope, lead) = if doctor {
            doctor_fields(ctx, profile)
        } else {
            ("", "", "")
        };
        let institution = ctx.name_for(&license.name, NameNoise::STAFF);
        let license_no = if ctx.rng.chance(0.05) {
            ""
        } else {
            license.no.as_str()
        };
        let status = if ctx.rng.chance(0.06) {
            "注销"
        } else {
            "有效"
        };
        let kind = if doctor { "医师" } else { "护士" };
        sink.practitioner([
            &name,
            &cert,
            kind,
            category,
            scope,
            &institution,
            license_no,
            lead,
            status,
            &region,
        ])?;
    }
    Ok(())
}

/// 执业类别, 执业范围 and 主诊医师专业 of a doctor.
fn doctor_fields(ctx: &mut Ctx, profile: Profile) -> (&'static str, &'static str, &'static str) {
    match profile {
        Profile::Aesthetic => {
            let (category, scope, lead) = *ctx.rng.pick(&[
                ("临床", "外科专业", "美容外科"),
                ("临床", "外科专业", "美容外科"),
                ("临床", "皮肤病与性病专业", "美容皮肤科"),
                ("临床", "医疗美容专业", "美容外科"),
                ("临床", "医疗美容专业", "美容皮肤科"),
                ("口腔", "口腔专业", "美容牙科"),
                ("中医", "中医专业", "美容中医科"),
            ]);
            (category, scope, if ctx.rng.chance(0.6) { lead } else { "" })
        }
        Profile::Dental => ("口腔", "口腔专业", ""),
        Profile::Tcm => ("中医", "中医专业", ""),
        Profile::General => *ctx.rng.pick(&[
            ("临床", "内科专业", ""),
            ("临床", "外科专业", ""),
            ("临床", "妇产科专业", ""),
            ("临床", "儿科专业", ""),
            ("临床", "全科医学专业", ""),
        ]),
    }
}

/// Writes one or two advertisement review certificates of a licensed institution.
pub(crate) fn write_ads(
    ctx: &mut Ctx,
    sink: &mut Sink,
    license: &License,
    address: &Address,
) -> Result<(), DemoDataError> {
    for _ in 0..1 + ctx.rng.below(2) {
        ctx.seq.ad += 1;
        let from = ctx
            .rng
            .date(ctx.as_of.add_years(-2), ctx.as_of.add_days(-1));
        let until = from.add_years(1).add_days(-1);
        let cert = format!(
            "（{}）医广【{}】第{:02}-{:02}-{:04}号",
            ctx.city.province_abbr,
            from.year(),
            from.month(),
            from.day(),
            ctx.seq.ad
        );
        let institution = license.name.render();
        let media = *ctx
            .rng
            .pick(&["网络", "户外", "印刷品", "广播", "电视", "其他"]);
        let break_line = if ctx.rng.chance(0.3) { "\n" } else { "；" };
        let phone = if ctx.city.code == "370400" {
            format!("0632-{}", ctx.rng.range(3_000_000, 8_999_999))
        } else {
            format!(
                "1{}{:09}",
                ctx.rng.range(3, 9),
                ctx.rng.range(0, 999_999_999)
            )
        };
        let content = format!(
            "医疗机构第一名称：{institution}{break_line}《医疗机构执业许可证》登记号：{}{break_line}医疗机构地址：{}{break_line}诊疗科目：{}{break_line}联系电话：{phone}",
            license.no,
            address.canonical(&ctx.city),
            license.subjects
        );
        sink.ad([
            &cert,
            &institution,
            &license.no,
            media,
            &content,
            &from.iso(),
            &until.iso(),
        ])?;
    }
    Ok(())
}
