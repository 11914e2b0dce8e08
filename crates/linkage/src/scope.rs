//! Whether a record shows medical aesthetics (医疗美容范围), per DATA.md: an aesthetic license
//! category or 诊疗科目, 医疗美容 in a 经营范围, or a shop or salon offering medical aesthetic
//! services (injections, fillers, laser and light treatments, surgery).

use meijian_registry::Record;

use crate::input::Source;

/// 机构类别 that are aesthetic institutions (DOMAIN.md §3.2: A528, A529, D154, D216).
const AESTHETIC_CATEGORIES: [&str; 4] =
    ["美容医院", "整形外科医院", "医疗美容门诊部", "医疗美容诊所"];

/// 诊疗科目 医疗美容科 (14) and its sub-subjects 14.01–14.04.
const AESTHETIC_SUBJECTS: [&str; 5] = [
    "医疗美容科",
    "美容外科",
    "美容牙科",
    "美容皮肤科",
    "美容中医科",
];

/// Services that are medical aesthetics when a shop or salon offers them (《医疗美容项目分级
/// 管理目录》: injections, fillers, laser and light, radio-frequency and ultrasound devices,
/// surgery). Facials, hair, nails and lashes are life beauty and are not listed.
const AESTHETIC_SERVICES: [&str; 36] = [
    "医疗美容",
    "医美",
    "注射",
    "针剂",
    "玻尿酸",
    "透明质酸",
    "肉毒",
    "瘦脸针",
    "水光",
    "填充",
    "微整",
    "整形",
    "埋线",
    "线雕",
    "溶脂",
    "吸脂",
    "隆鼻",
    "隆胸",
    "双眼皮",
    "眼袋",
    "开眼角",
    "激光",
    "光子",
    "皮秒",
    "点阵",
    "热玛吉",
    "超声刀",
    "射频",
    "热拉提",
    "光电",
    "脱毛",
    "洗纹身",
    "植发",
    "嫩肤",
    "童颜针",
    "少女针",
];

/// Why a record puts its operator in scope, shown as evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AestheticSign {
    /// In Chinese, e.g. `机构类别为医疗美容诊所`, `服务项目含“水光针”`.
    pub reason: String,
}

fn sign(reason: String) -> Option<AestheticSign> {
    Some(AestheticSign { reason })
}

/// The sign of medical aesthetics in `record`, if any.
pub fn sign_of(source: Source, record: &Record) -> Option<AestheticSign> {
    match source {
        Source::Licenses => {
            if let Some(category) = record
                .get("category")
                .filter(|c| AESTHETIC_CATEGORIES.iter().any(|a| c.contains(a)))
            {
                return sign(format!("机构类别为{category}"));
            }
            let subjects = record.get("subjects")?;
            let subject = subjects
                .split('；')
                .find(|s| AESTHETIC_SUBJECTS.iter().any(|a| s.contains(a)))?;
            sign(format!("诊疗科目含“{subject}”"))
        }
        Source::Registrations => {
            let scope = record.get("business_scope")?;
            (scope.contains("医疗美容") && !negated(scope, "医疗美容")).then(|| AestheticSign {
                reason: "经营范围含“医疗美容”".to_owned(),
            })
        }
        Source::SalonFilings => service_sign(record.get("services")?, "服务项目"),
        Source::PlatformMerchants => {
            service_sign(record.get("service_category").unwrap_or(""), "服务类目")
                .or_else(|| service_sign(record.get("shop_name").unwrap_or(""), "店铺名称"))
        }
        Source::Tax => None,
    }
}

fn service_sign(text: &str, field: &str) -> Option<AestheticSign> {
    let word = AESTHETIC_SERVICES
        .iter()
        .find(|w| text.contains(*w) && !negated(text, w))?;
    sign(format!("{field}含“{word}”"))
}

/// 不含医疗美容 / 非医疗美容: a scope that names the word to exclude it.
fn negated(text: &str, word: &str) -> bool {
    ["不含", "非", "不得从事", "除"]
        .iter()
        .any(|neg| text.contains(&format!("{neg}{word}")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::BTreeMap;

    use super::*;

    fn record(fields: &[(&'static str, &str)]) -> Record {
        Record {
            line: 2,
            key: "K".into(),
            fields: fields
                .iter()
                .map(|(k, v)| (*k, (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
            extras: BTreeMap::new(),
            warnings: vec![],
        }
    }

    #[test]
    fn license_category_or_subjects() {
        let r = record(&[("category", "医疗美容诊所")]);
        assert!(sign_of(Source::Licenses, &r).is_some());
        let r = record(&[("category", "综合医院"), ("subjects", "内科；美容皮肤科")]);
        assert_eq!(
            sign_of(Source::Licenses, &r).unwrap().reason,
            "诊疗科目含“美容皮肤科”"
        );
        let r = record(&[("category", "口腔门诊部"), ("subjects", "口腔科")]);
        assert!(sign_of(Source::Licenses, &r).is_none());
    }

    #[test]
    fn scope_and_services() {
        let r = record(&[("business_scope", "许可项目：医疗美容服务；美容服务")]);
        assert!(sign_of(Source::Registrations, &r).is_some());
        let r = record(&[("business_scope", "美容服务（不含医疗美容）")]);
        assert!(sign_of(Source::Registrations, &r).is_none());
        let r = record(&[("services", "面部护理；水光针")]);
        assert!(sign_of(Source::SalonFilings, &r).is_some());
        let r = record(&[("services", "面部护理；美甲")]);
        assert!(sign_of(Source::SalonFilings, &r).is_none());
    }
}
