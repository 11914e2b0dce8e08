//! The field tables of DATA.md, one per registry, in the order DATA.md lists them.
//!
//! Required (必填): the record key and the name of the subject; everything else is optional.
//! Enum value lists come from DATA.md; variants seen in real exports are mapped onto them in
//! `normalise::enums`, never added here.

use super::{FieldKind, FieldSpec, RegistryKind, RegistrySpec};
use FieldKind::{Code, Date, DateOpenEnded, Enum, List, Region, Text, Url, UsccKey, UsccReported};

const fn req(name: &'static str, header: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec {
        name,
        header,
        kind,
        required: true,
    }
}

const fn opt(name: &'static str, header: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec {
        name,
        header,
        kind,
        required: false,
    }
}

/// 登记状态 of a market entity.
pub(crate) const REGISTRATION_STATUS: &[&str] = &["存续", "在业", "迁出", "注销", "吊销"];
/// 证件类型 of a license.
pub(crate) const LICENSE_TYPE: &[&str] = &["执业许可证", "诊所备案凭证"];
/// 状态 of a license.
pub(crate) const LICENSE_STATUS: &[&str] = &["有效", "注销", "吊销", "过期"];
/// 人员类别 of a practitioner.
pub(crate) const PRACTITIONER_KIND: &[&str] = &["医师", "护士"];
/// 主诊医师专业 of a practitioner (blank when none).
pub(crate) const LEAD_SPECIALTY: &[&str] = &["美容外科", "美容牙科", "美容皮肤科", "美容中医科"];
/// 产品类别 of a product.
pub(crate) const PRODUCT_KIND: &[&str] = &["药品", "第二类医疗器械", "第三类医疗器械"];

static REGISTRATIONS: RegistrySpec = RegistrySpec {
    kind: RegistryKind::Registrations,
    key: "uscc",
    fields: &[
        req("uscc", "统一社会信用代码", UsccKey),
        req("name", "主体名称", Text),
        opt("entity_type", "主体类型", Text),
        opt("legal_rep", "法定代表人", Text),
        opt("address", "住所", Text),
        opt("business_scope", "经营范围", Text),
        opt("status", "登记状态", Enum(REGISTRATION_STATUS)),
        opt("founded", "成立日期", Date),
        opt("authority", "登记机关", Text),
        opt("region", "行政区划代码", Region),
    ],
};

static LICENSES: RegistrySpec = RegistrySpec {
    kind: RegistryKind::Licenses,
    key: "license_no",
    fields: &[
        req("license_no", "登记号", Code),
        opt("license_type", "证件类型", Enum(LICENSE_TYPE)),
        req("name", "机构名称", Text),
        opt("uscc", "统一社会信用代码", UsccReported),
        opt("category", "机构类别", Text),
        opt("subjects", "诊疗科目", List),
        opt("address", "地址", Text),
        opt("legal_rep", "法定代表人", Text),
        opt("principal", "主要负责人", Text),
        opt("valid_until", "有效期至", DateOpenEnded),
        opt("authority", "发证机关", Text),
        opt("region", "行政区划代码", Region),
        opt("status", "状态", Enum(LICENSE_STATUS)),
    ],
};

static SALON_FILINGS: RegistrySpec = RegistrySpec {
    kind: RegistryKind::SalonFilings,
    key: "filing_no",
    fields: &[
        req("filing_no", "备案编号", Code),
        req("name", "店铺名称", Text),
        opt("uscc", "统一社会信用代码", UsccReported),
        opt("address", "地址", Text),
        opt("operator", "经营者", Text),
        opt("services", "服务项目", List),
        opt("region", "行政区划代码", Region),
    ],
};

static PLATFORM_MERCHANTS: RegistrySpec = RegistrySpec {
    kind: RegistryKind::PlatformMerchants,
    key: "url",
    fields: &[
        opt("platform", "平台名称", Text),
        req("shop_name", "店铺名称", Text),
        opt("entity_name", "主体名称", Text),
        opt("uscc", "统一社会信用代码", UsccReported),
        opt("address", "地址", Text),
        opt("service_category", "服务类目", Text),
        req("url", "店铺链接", Url),
        opt("region", "行政区划代码", Region),
    ],
};

static TAX: RegistrySpec = RegistrySpec {
    kind: RegistryKind::Tax,
    key: "taxpayer_id",
    fields: &[
        // Equals the USCC for most entities but not all: never rejected for not being one.
        req("taxpayer_id", "纳税人识别号", UsccReported),
        req("name", "纳税人名称", Text),
        opt("address", "生产经营地址", Text),
        opt("authority", "主管税务机关", Text),
        opt("region", "行政区划代码", Region),
    ],
};

static PRACTITIONERS: RegistrySpec = RegistrySpec {
    kind: RegistryKind::Practitioners,
    key: "cert_no",
    fields: &[
        req("name", "姓名", Text),
        req("cert_no", "证书编码", Code),
        opt("kind", "人员类别", Enum(PRACTITIONER_KIND)),
        opt("practice_category", "执业类别", Text),
        opt("practice_scope", "执业范围", Text),
        opt("institution", "主执业机构", Text),
        opt("institution_license_no", "主执业机构登记号", Code),
        opt("lead_specialty", "主诊医师专业", Enum(LEAD_SPECIALTY)),
        opt("status", "状态", Text),
        opt("region", "行政区划代码", Region),
    ],
};

static PRODUCTS: RegistrySpec = RegistrySpec {
    kind: RegistryKind::Products,
    key: "reg_no",
    fields: &[
        req("reg_no", "注册证编号", Code),
        req("name", "产品名称", Text),
        opt("kind", "产品类别", Enum(PRODUCT_KIND)),
        opt("holder", "注册人", Text),
        opt("spec", "规格型号", Text),
        opt("indications", "适用范围", Text),
        opt("approved", "批准日期", Date),
        opt("valid_until", "有效期至", DateOpenEnded),
        opt("status", "状态", Text),
        opt("key_product", "重点产品", FieldKind::YesNo),
        opt("udi_di", "产品标识", Code),
    ],
};

static AD_CERTIFICATES: RegistrySpec = RegistrySpec {
    kind: RegistryKind::AdCertificates,
    key: "cert_no",
    fields: &[
        req("cert_no", "证明文号", Code),
        req("institution", "医疗机构名称", Text),
        opt("license_no", "登记号", Code),
        opt("media", "媒体类别", Text),
        opt("content", "广告内容", Text),
        opt("valid_from", "有效期起", Date),
        opt("valid_until", "有效期至", DateOpenEnded),
    ],
};

pub(super) fn spec(kind: RegistryKind) -> &'static RegistrySpec {
    match kind {
        RegistryKind::Registrations => &REGISTRATIONS,
        RegistryKind::Licenses => &LICENSES,
        RegistryKind::SalonFilings => &SALON_FILINGS,
        RegistryKind::PlatformMerchants => &PLATFORM_MERCHANTS,
        RegistryKind::Tax => &TAX,
        RegistryKind::Practitioners => &PRACTITIONERS,
        RegistryKind::Products => &PRODUCTS,
        RegistryKind::AdCertificates => &AD_CERTIFICATES,
    }
}
