//! Shared draws for the archetypes: founding dates, registration statuses and 经营范围 texts.
//!
//! Only aesthetic archetypes ever get "医疗美容" into a 经营范围; every other scope is written so
//! that it cannot be read as medical aesthetics (生活美容服务, 健康咨询服务（不含诊疗服务）).

use crate::date::Date;
use crate::gen::ctx::Ctx;
use crate::pools::AESTHETIC_GENERAL_ITEMS;
use crate::rng::Rng;

const PERMIT_NOTE: &str = "（依法须经批准的项目，经相关部门批准后方可开展经营活动，具体经营项目以相关部门批准文件或许可证件为准）";
const GENERAL_NOTE: &str = "（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）";
const OLD_NOTE: &str = "（依法须经批准的项目，经相关部门批准后方可开展经营活动）";

/// A founding date: most in the last six years, the rest back to 1998 (`older`: at least three
/// years ago).
pub(crate) fn founded(ctx: &mut Ctx, older: bool) -> Date {
    let end = ctx.as_of.add_days(-20);
    if older {
        return ctx.rng.date(Date::jan1(1998), ctx.as_of.add_years(-3));
    }
    if ctx.rng.chance(0.55) {
        ctx.rng.date(ctx.as_of.add_years(-6), end)
    } else {
        ctx.rng.date(Date::jan1(1998), end)
    }
}

/// A status that still counts as 照: 存续, 在业 or 迁出.
pub(crate) fn alive_status(rng: &mut Rng) -> &'static str {
    ["存续", "在业", "迁出"][rng.weighted(&[68, 29, 3])]
}

/// 注销 or 吊销.
pub(crate) fn dead_status(rng: &mut Rng) -> &'static str {
    ["注销", "吊销"][rng.weighted(&[60, 40])]
}

/// Any status, as in the whole register.
pub(crate) fn any_status(rng: &mut Rng) -> &'static str {
    ["存续", "在业", "迁出", "注销", "吊销"][rng.weighted(&[55, 25, 2, 12, 6])]
}

/// A 经营范围 with 医疗美容服务, in the current (许可项目/一般项目) or the older style.
pub(crate) fn aesthetic_scope(rng: &mut Rng) -> String {
    let general = items(rng, AESTHETIC_GENERAL_ITEMS, 1, 3);
    if rng.chance(0.7) {
        let permits = if rng.chance(0.6) {
            "医疗美容服务；医疗服务"
        } else {
            "医疗美容服务"
        };
        format!("许可项目：{permits}。{PERMIT_NOTE}一般项目：{general}。{GENERAL_NOTE}")
    } else {
        format!("医疗美容服务；{general}。{OLD_NOTE}")
    }
}

/// A life-beauty salon's 经营范围.
pub(crate) fn salon_scope(rng: &mut Rng) -> String {
    const ITEMS: &[&str] = &[
        "生活美容服务",
        "理发服务",
        "美甲服务",
        "化妆品零售",
        "足浴服务",
        "养生保健服务（非医疗）",
        "美发饰品销售",
    ];
    let list = items(rng, ITEMS, 2, 4);
    general_scope(rng, &list)
}

/// A consulting or cosmetics company's 经营范围 (no 医疗美容).
pub(crate) fn seller_scope(rng: &mut Rng) -> String {
    const ITEMS: &[&str] = &[
        "美容服务",
        "健康咨询服务（不含诊疗服务）",
        "化妆品零售",
        "互联网销售（除销售需要许可的商品）",
        "信息咨询服务（不含许可类信息咨询服务）",
        "日用品销售",
    ];
    let list = items(rng, ITEMS, 2, 4);
    general_scope(rng, &list)
}

/// A non-aesthetic clinic's 经营范围.
pub(crate) fn clinic_scope(rng: &mut Rng) -> String {
    let general = items(
        rng,
        &[
            "健康咨询服务（不含诊疗服务）",
            "第一类医疗器械销售",
            "第二类医疗器械销售",
        ],
        1,
        2,
    );
    format!("许可项目：医疗服务。{PERMIT_NOTE}一般项目：{general}。{GENERAL_NOTE}")
}

/// An ordinary business's 经营范围 from its industry's items.
pub(crate) fn ordinary_scope(rng: &mut Rng, industry_items: &str) -> String {
    let list: Vec<&str> = industry_items.split('；').collect();
    let chosen = items(rng, &list, 1, list.len());
    general_scope(rng, &chosen)
}

fn general_scope(rng: &mut Rng, items: &str) -> String {
    if rng.chance(0.7) {
        format!("一般项目：{items}。{GENERAL_NOTE}")
    } else {
        format!("{items}。{OLD_NOTE}")
    }
}

/// Between `min` and `max` distinct items joined by ；, in pool order.
pub(crate) fn items(rng: &mut Rng, pool: &[&str], min: usize, max: usize) -> String {
    let k = min + rng.below(max.saturating_sub(min) + 1);
    let mut picked = rng.distinct(pool.len(), k);
    picked.sort_unstable();
    picked
        .iter()
        .map(|&i| pool[i])
        .collect::<Vec<_>>()
        .join("；")
}
