//! The generated files: names and header lines, exactly as DATA.md lists them.
//!
//! Headers are the Chinese ones, in DATA.md's order. The first five files are the registries the
//! cross-check reads; `ground_truth.csv` answers it with DATA.md's `result.csv` columns.

/// One output file: its name, the 来源 label used in the ground truth (for the five cross-check
/// registries) and its header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileSpec {
    pub file_name: &'static str,
    /// `Some(label)` for the five registries the ground truth covers.
    pub source: Option<&'static str>,
    pub headers: &'static [&'static str],
}

/// 营业执照 registrations (市场监管), key 统一社会信用代码.
pub const REGISTRATIONS: FileSpec = FileSpec {
    file_name: "registrations.csv",
    source: Some("registrations"),
    headers: &[
        "统一社会信用代码",
        "主体名称",
        "主体类型",
        "法定代表人",
        "住所",
        "经营范围",
        "登记状态",
        "成立日期",
        "登记机关",
        "行政区划代码",
    ],
};

/// 医疗机构执业许可证 / 诊所备案凭证 (卫生健康), key 登记号.
pub const LICENSES: FileSpec = FileSpec {
    file_name: "licenses.csv",
    source: Some("licenses"),
    headers: &[
        "登记号",
        "证件类型",
        "机构名称",
        "统一社会信用代码",
        "机构类别",
        "诊疗科目",
        "地址",
        "法定代表人",
        "主要负责人",
        "有效期至",
        "发证机关",
        "行政区划代码",
        "状态",
    ],
};

/// 美容美发业备案 (商务), key 备案编号.
pub const SALON_FILINGS: FileSpec = FileSpec {
    file_name: "salon_filings.csv",
    source: Some("salon_filings"),
    headers: &[
        "备案编号",
        "店铺名称",
        "统一社会信用代码",
        "地址",
        "经营者",
        "服务项目",
        "行政区划代码",
    ],
};

/// Internet platform shops, key 店铺链接.
pub const PLATFORM_MERCHANTS: FileSpec = FileSpec {
    file_name: "platform_merchants.csv",
    source: Some("platform_merchants"),
    headers: &[
        "平台名称",
        "店铺名称",
        "主体名称",
        "统一社会信用代码",
        "地址",
        "服务类目",
        "店铺链接",
        "行政区划代码",
    ],
};

/// Tax registrations (税务), key 纳税人识别号.
pub const TAX: FileSpec = FileSpec {
    file_name: "tax.csv",
    source: Some("tax"),
    headers: &[
        "纳税人识别号",
        "纳税人名称",
        "生产经营地址",
        "主管税务机关",
        "行政区划代码",
    ],
};

/// Doctor and nurse practice registrations, key 证书编码.
pub const PRACTITIONERS: FileSpec = FileSpec {
    file_name: "practitioners.csv",
    source: None,
    headers: &[
        "姓名",
        "证书编码",
        "人员类别",
        "执业类别",
        "执业范围",
        "主执业机构",
        "主执业机构登记号",
        "主诊医师专业",
        "状态",
        "行政区划代码",
    ],
};

/// Drug approvals and device registrations, key 注册证编号.
pub const PRODUCTS: FileSpec = FileSpec {
    file_name: "products.csv",
    source: None,
    headers: &[
        "注册证编号",
        "产品名称",
        "产品类别",
        "注册人",
        "规格型号",
        "适用范围",
        "批准日期",
        "有效期至",
        "状态",
        "重点产品",
        "产品标识",
    ],
};

/// 医疗广告审查证明, key 证明文号.
pub const AD_CERTIFICATES: FileSpec = FileSpec {
    file_name: "ad_certificates.csv",
    source: None,
    headers: &[
        "证明文号",
        "医疗机构名称",
        "登记号",
        "媒体类别",
        "广告内容",
        "有效期起",
        "有效期至",
    ],
};

/// The answer: every record of the five cross-check registries with its true operator and class.
pub const GROUND_TRUTH: FileSpec = FileSpec {
    file_name: "ground_truth.csv",
    source: None,
    headers: &["来源", "记录键", "主体编号", "分类"],
};

/// All files, in the order they are reported.
pub const ALL_FILES: [FileSpec; 9] = [
    REGISTRATIONS,
    LICENSES,
    SALON_FILINGS,
    PLATFORM_MERCHANTS,
    TAX,
    PRACTITIONERS,
    PRODUCTS,
    AD_CERTIFICATES,
    GROUND_TRUTH,
];
