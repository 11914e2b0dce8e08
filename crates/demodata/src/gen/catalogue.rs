//! The product registry: drug approvals (国药准字) and device registrations (国械注准/进/许,
//! 省械注准) of aesthetic products, per DOMAIN §6. National data, not tied to operators; its size
//! grows slowly with the run (60 + operators / 2,000, at most 3,000 rows).
//!
//! 重点产品 marks the products the campaigns single out (A型肉毒毒素, 透明质酸钠凝胶, 射频治疗仪,
//! other injectable fillers). Devices carry a GTIN-14 产品标识 with a valid GS1 check digit; drugs
//! have none. Holders are invented names.

use crate::date::Date;
use crate::error::DemoDataError;
use crate::gen::ctx::Ctx;
use crate::ids::with_gs1_check;
use crate::name::beauty_brand;
use crate::sink::Sink;

/// How a product is registered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    /// 国药准字 + letter.
    Drug(char),
    /// Device class (2 or 3) and its 2-digit classification code.
    Device(u8, &'static str),
}

/// Product templates: name, route, key product, specs, indications.
const TEMPLATES: &[(&str, Route, bool, &[&str], &str)] = &[
    (
        "注射用A型肉毒毒素",
        Route::Drug('S'),
        true,
        &["100单位/瓶", "50单位/瓶"],
        "用于暂时性改善成人中度至重度皱眉纹",
    ),
    (
        "盐酸利多卡因注射液",
        Route::Drug('H'),
        false,
        &["5ml:0.1g", "10ml:0.2g"],
        "用于浸润麻醉、表面麻醉及神经传导阻滞",
    ),
    (
        "复方利多卡因乳膏",
        Route::Drug('H'),
        false,
        &["5g/支", "10g/支"],
        "用于皮肤激光治疗等操作前的表面麻醉",
    ),
    (
        "注射用交联透明质酸钠凝胶",
        Route::Device(3, "13"),
        true,
        &["1.0ml/支", "2.0ml/支"],
        "适用于面部真皮组织中层至深层注射以纠正中重度鼻唇沟皱纹",
    ),
    (
        "注射用修饰透明质酸钠凝胶",
        Route::Device(3, "13"),
        true,
        &["1.0ml/支"],
        "适用于面部真皮组织注射填充以纠正中重度鼻唇沟皱纹",
    ),
    (
        "聚左旋乳酸面部填充剂",
        Route::Device(3, "13"),
        true,
        &["5ml/瓶"],
        "用于面部真皮深层注射以纠正中重度鼻唇沟皱纹",
    ),
    (
        "胶原蛋白植入剂",
        Route::Device(3, "13"),
        true,
        &["0.5ml/支", "1.0ml/支"],
        "用于面部真皮组织填充以纠正额部动力性皱纹",
    ),
    (
        "射频皮肤治疗仪",
        Route::Device(3, "09"),
        true,
        &["RF-3000", "RF-600", "TM-5"],
        "用于面部皱纹的非侵入性治疗",
    ),
    (
        "皮秒激光治疗仪",
        Route::Device(3, "09"),
        false,
        &["PS-1064", "PL-755"],
        "用于色素性皮肤病的治疗",
    ),
    (
        "强脉冲光治疗仪",
        Route::Device(2, "09"),
        false,
        &["IPL-600", "IPL-900"],
        "用于浅表色素性和血管性皮肤病的辅助治疗",
    ),
    (
        "半导体激光脱毛仪",
        Route::Device(2, "09"),
        false,
        &["DL-808"],
        "用于去除多余毛发",
    ),
    (
        "医用透明质酸钠修复贴",
        Route::Device(2, "14"),
        false,
        &["25ml×5片/盒"],
        "用于非慢性创面及周围皮肤的护理",
    ),
];

const HOLDER_CITIES: &[&str] = &[
    "北京", "上海", "杭州", "深圳", "西安", "济南", "长春", "苏州", "广州", "成都",
];
const FOREIGN_HOLDERS: &[&str] = &[
    "Aurelia Medical GmbH",
    "Lumina Aesthetics Ltd.",
    "Seoul Derma Co., Ltd.",
    "Belle Biopharma S.A.",
    "Nordlys Medical AB",
];

/// Writes the product catalogue of a run of `operators` operators.
pub(crate) fn write_products(
    ctx: &mut Ctx,
    sink: &mut Sink,
    operators: usize,
) -> Result<(), DemoDataError> {
    let count = (60 + operators / 2000).min(3000);
    for serial in 1..=count {
        let &(name, route, key, specs, indications) = ctx.rng.pick(TEMPLATES);
        let imported = ctx.rng.chance(0.3);
        let approved = ctx.rng.date(Date::jan1(2010), ctx.as_of.add_days(-30));
        let year = approved.year();
        let (reg_no, kind) = match route {
            Route::Drug(letter) => {
                let j = if imported { "J" } else { "" };
                (format!("国药准字{letter}{j}{year}{serial:04}"), "药品")
            }
            Route::Device(class, code) => {
                let head = match (imported, class) {
                    (true, _) => if ctx.rng.chance(0.85) {
                        "国械注进"
                    } else {
                        "国械注许"
                    }
                    .to_string(),
                    (false, 3) => "国械注准".to_string(),
                    (false, _) => format!("{}械注准", ctx.city.province_abbr),
                };
                let kind = if class == 3 {
                    "第三类医疗器械"
                } else {
                    "第二类医疗器械"
                };
                (format!("{head}{year}{class}{code}{serial:04}"), kind)
            }
        };
        let holder = if imported {
            (*ctx.rng.pick(FOREIGN_HOLDERS)).to_string()
        } else {
            format!(
                "{}{}生物科技股份有限公司",
                ctx.rng.pick(HOLDER_CITIES),
                beauty_brand(&mut ctx.rng)
            )
        };
        let spec = *ctx.rng.pick(specs);
        let (until, status) = validity(ctx, approved);
        let udi = match route {
            Route::Drug(_) => String::new(),
            Route::Device(..) => {
                let prefix = if imported {
                    *ctx.rng.pick(&["400", "880", "300", "760"])
                } else {
                    "690"
                };
                with_gs1_check(&format!(
                    "0{prefix}{:09}",
                    ctx.perms.seq8.apply(serial as u64) % 1_000_000_000
                ))
            }
        };
        let row = [
            reg_no.as_str(),
            name,
            kind,
            &holder,
            spec,
            indications,
            &approved.iso(),
            &until.iso(),
            status,
            if key { "是" } else { "否" },
            &udi,
        ];
        sink.product(row)?;
    }
    Ok(())
}

/// 有效期至 (five years, renewed while in use) and 状态.
fn validity(ctx: &mut Ctx, approved: Date) -> (Date, &'static str) {
    let mut until = approved.add_years(5).add_days(-1);
    while until < ctx.as_of && ctx.rng.chance(0.7) {
        until = until.add_years(5);
    }
    if until >= ctx.as_of {
        (until, "有效")
    } else if ctx.rng.chance(0.6) {
        (until, "过期")
    } else {
        (until, "注销")
    }
}
