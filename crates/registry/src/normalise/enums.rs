//! Enumerated values (枚举值): mapping the variants found in real exports onto the values of
//! DATA.md, e.g. 存续（在营、开业、在册） → 存续, 已注销 → 注销, 执业医师 → 医师.
//!
//! A variant is mapped only onto a value the field allows, so one alias table serves every
//! field. Unknown values return `None` and the caller rejects the row.

/// (variant, value of DATA.md). A variant may appear twice for different fields.
const ALIASES: &[(&str, &str)] = &[
    // 登记状态
    ("在营", "存续"),
    ("开业", "存续"),
    ("在册", "存续"),
    ("正常", "存续"),
    ("吊销,未注销", "吊销"),
    ("吊销未注销", "吊销"),
    ("吊销,已注销", "注销"),
    ("吊销已注销", "注销"),
    // 许可证状态
    ("正常", "有效"),
    // 证件类型
    ("医疗机构执业许可证", "执业许可证"),
    ("诊所备案", "诊所备案凭证"),
    ("备案凭证", "诊所备案凭证"),
    // 人员类别
    ("执业医师", "医师"),
    ("执业助理医师", "医师"),
    ("助理医师", "医师"),
    ("注册护士", "护士"),
    // 产品类别
    ("第二类", "第二类医疗器械"),
    ("二类", "第二类医疗器械"),
    ("二类医疗器械", "第二类医疗器械"),
    ("Ⅱ类医疗器械", "第二类医疗器械"),
    ("II类医疗器械", "第二类医疗器械"),
    ("第三类", "第三类医疗器械"),
    ("三类", "第三类医疗器械"),
    ("三类医疗器械", "第三类医疗器械"),
    ("Ⅲ类医疗器械", "第三类医疗器械"),
    ("III类医疗器械", "第三类医疗器械"),
    // 主诊医师专业
    ("中医美容科", "美容中医科"),
];

/// The allowed value that `raw` stands for, if any.
pub(super) fn normalise(allowed: &'static [&'static str], raw: &str) -> Option<&'static str> {
    let compact: String = raw
        .chars()
        .map(super::half_width)
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut form = compact.as_str();
    let mut tried: Vec<&str> = vec![form];
    // Successively looser forms: 在营（开业）企业 → 在营(开业) → 在营; 已注销 → 注销; 美容外科专业 → 美容外科.
    form = form.strip_suffix("企业").unwrap_or(form);
    tried.push(form);
    if let Some((before, _)) = form.split_once('(') {
        form = before;
        tried.push(form);
    }
    form = form.strip_prefix('已').unwrap_or(form);
    tried.push(form);
    form = form.strip_suffix("专业").unwrap_or(form);
    tried.push(form);
    tried
        .into_iter()
        .find_map(|candidate| lookup(allowed, candidate))
}

fn lookup(allowed: &'static [&'static str], candidate: &str) -> Option<&'static str> {
    if candidate.is_empty() {
        return None;
    }
    if let Some(value) = allowed.iter().find(|v| **v == candidate) {
        return Some(value);
    }
    ALIASES
        .iter()
        .filter(|(variant, _)| *variant == candidate)
        .find_map(|(_, value)| allowed.iter().find(|v| *v == value).copied())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::tables::{LICENSE_STATUS, PRODUCT_KIND, REGISTRATION_STATUS};

    #[test]
    fn variants_map_onto_allowed_values() {
        let cases = [
            ("存续", "存续"),
            ("存续（在营、开业、在册）", "存续"),
            ("存续(在营、开业、在册)", "存续"),
            ("在营（开业）企业", "存续"),
            ("已注销", "注销"),
            ("注销企业", "注销"),
            ("吊销，未注销", "吊销"),
            (" 迁出 ", "迁出"),
            ("正常", "存续"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalise(REGISTRATION_STATUS, raw), Some(want), "{raw}");
        }
        assert_eq!(normalise(LICENSE_STATUS, "正常"), Some("有效"));
        assert_eq!(normalise(LICENSE_STATUS, "已过期"), Some("过期"));
        assert_eq!(
            normalise(PRODUCT_KIND, "Ⅲ类医疗器械"),
            Some("第三类医疗器械")
        );
        assert_eq!(normalise(REGISTRATION_STATUS, "有效"), None);
        assert_eq!(normalise(REGISTRATION_STATUS, "停业"), None);
        assert_eq!(normalise(REGISTRATION_STATUS, ""), None);
    }
}
