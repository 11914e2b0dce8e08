//! The registries of DATA.md as data (登记表规格): for each registry its code, Chinese label,
//! record key and the fields with their Chinese header, English alias, kind and whether required.
//!
//! The tables in `spec/tables.rs` are the contract: headers and aliases are copied from DATA.md
//! letter for letter, and `code()` strings are stored by other crates, so neither may change
//! once released. Nothing here reads files; validation of values lives in `normalise`.

pub(crate) mod tables;

use std::fmt;

use serde::{Deserialize, Serialize};

/// 登记表类别: one of the registry exports the system reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistryKind {
    /// 市场主体登记 (营业执照, 市场监管部门); key 统一社会信用代码.
    Registrations,
    /// 医疗机构执业许可/诊所备案 (卫生健康部门); key 登记号.
    Licenses,
    /// 生活美容备案 (美容美发业备案, 商务部门); key 备案编号.
    SalonFilings,
    /// 网络平台店铺 (internet platform shops); key 店铺链接.
    PlatformMerchants,
    /// 税务登记 (税务部门); key 纳税人识别号.
    Tax,
    /// 医护人员执业注册 (doctors and nurses); key 证书编码.
    Practitioners,
    /// 药品/医疗器械注册 (drug approvals, device registrations); key 注册证编号.
    Products,
    /// 医疗广告审查证明 (medical advertisement review certificates); key 证明文号.
    AdCertificates,
}

const ALL: [RegistryKind; 8] = [
    RegistryKind::Registrations,
    RegistryKind::Licenses,
    RegistryKind::SalonFilings,
    RegistryKind::PlatformMerchants,
    RegistryKind::Tax,
    RegistryKind::Practitioners,
    RegistryKind::Products,
    RegistryKind::AdCertificates,
];

impl RegistryKind {
    /// Every registry, in the order of DATA.md.
    pub fn all() -> &'static [RegistryKind] {
        &ALL
    }

    /// The name DATA.md uses: `registrations`, `licenses`, `salon_filings`, `platform_merchants`,
    /// `tax`, `practitioners`, `products`, `ad_certificates`. Stored by other crates: never change.
    pub fn code(self) -> &'static str {
        match self {
            RegistryKind::Registrations => "registrations",
            RegistryKind::Licenses => "licenses",
            RegistryKind::SalonFilings => "salon_filings",
            RegistryKind::PlatformMerchants => "platform_merchants",
            RegistryKind::Tax => "tax",
            RegistryKind::Practitioners => "practitioners",
            RegistryKind::Products => "products",
            RegistryKind::AdCertificates => "ad_certificates",
        }
    }

    /// The registry with this [`RegistryKind::code`] (exact, lower case).
    pub fn from_code(code: &str) -> Option<RegistryKind> {
        ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// The Chinese name shown to users.
    pub fn label_zh(self) -> &'static str {
        match self {
            RegistryKind::Registrations => "市场主体登记",
            RegistryKind::Licenses => "医疗机构执业许可/诊所备案",
            RegistryKind::SalonFilings => "生活美容备案",
            RegistryKind::PlatformMerchants => "网络平台店铺",
            RegistryKind::Tax => "税务登记",
            RegistryKind::Practitioners => "医护人员执业注册",
            RegistryKind::Products => "药品/医疗器械注册",
            RegistryKind::AdCertificates => "医疗广告审查证明",
        }
    }

    /// The fields, headers and key of this registry.
    pub fn spec(self) -> &'static RegistrySpec {
        tables::spec(self)
    }
}

impl fmt::Display for RegistryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// 字段类型: how a field's value is validated and normalised (see `normalise`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldKind {
    /// Free text (文本): trimmed, kept as given.
    Text,
    /// An identifier kept as text (编号): trimmed, full-width ASCII converted to half-width.
    Code,
    /// 统一社会信用代码 that is the record key (registrations): an invalid code keeps the row,
    /// keyed by the code as given, with a warning — DATA.md: "reported, not linked by code".
    UsccKey,
    /// 统一社会信用代码 as reported by another department: a valid code is normalised; an invalid
    /// one is kept as given (trimmed) with a warning, never a rejection.
    UsccReported,
    /// 行政区划代码: six digits; a code missing from the region table is kept with a warning.
    Region,
    /// 日期: normalised to `YYYY-MM-DD`.
    Date,
    /// 有效期截止日期: a date, or 长期 / 永久 (and 长期有效 / 永久有效), normalised to
    /// [`crate::OPEN_ENDED_DATE`] (`9999-12-31`).
    DateOpenEnded,
    /// 枚举: one of the listed values (common variants are mapped onto them).
    Enum(&'static [&'static str]),
    /// 列表: items separated by ；;、,， — normalised to items joined by `；`.
    List,
    /// 是/否: also Y/N, 1/0, true/false, yes/no.
    YesNo,
    /// 链接 (URL): trimmed; no whitespace inside.
    Url,
}

/// One column of a registry: its English name (the alias of DATA.md) and its Chinese header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FieldSpec {
    /// The English alias of DATA.md, e.g. `uscc`; the key of [`crate::Record::fields`].
    pub name: &'static str,
    /// The Chinese header exactly as in DATA.md, e.g. `统一社会信用代码`.
    pub header: &'static str,
    pub kind: FieldKind,
    /// A required column must be present in the file and non-empty in every row.
    pub required: bool,
}

/// 表格规格: the columns of a file and which of them is the record key — a registry's
/// ([`RegistrySpec::table`]), or the layout of another file read by the same rules (the
/// enforcement history files of DATA.md, whose importers define their layouts and open them
/// with [`crate::open_table`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableSpec {
    /// [`FieldSpec::name`] of the record key (记录键); that field must be required.
    pub key: &'static str,
    pub fields: &'static [FieldSpec],
}

impl TableSpec {
    /// The field with this English name.
    pub fn field(&self, name: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The field whose Chinese header or English alias matches a header cell of a file.
    /// Surrounding whitespace, a BOM, full-width ASCII (including parentheses), inner spaces
    /// and the case of the alias are ignored.
    pub fn field_for_header(&self, header: &str) -> Option<&'static FieldSpec> {
        let wanted = normalise_header(header);
        if wanted.is_empty() {
            return None;
        }
        self.fields
            .iter()
            .find(|f| normalise_header(f.header) == wanted || normalise_header(f.name) == wanted)
    }
}

/// 登记表规格: the fields of one registry and which of them is the record key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegistrySpec {
    pub kind: RegistryKind,
    /// [`FieldSpec::name`] of the record key (记录键).
    pub key: &'static str,
    pub fields: &'static [FieldSpec],
}

impl RegistrySpec {
    /// The columns and key, as every reader takes them.
    pub fn table(&self) -> TableSpec {
        TableSpec {
            key: self.key,
            fields: self.fields,
        }
    }

    /// The field with this English name.
    pub fn field(&self, name: &str) -> Option<&'static FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The field of the record key.
    pub fn key_field(&self) -> &'static FieldSpec {
        self.field(self.key).unwrap_or(&self.fields[0])
    }

    /// The field whose Chinese header or English alias matches a header cell of a file.
    /// Surrounding whitespace, a BOM, full-width ASCII (including parentheses), inner spaces
    /// and the case of the alias are ignored.
    pub fn field_for_header(&self, header: &str) -> Option<&'static FieldSpec> {
        self.table().field_for_header(header)
    }

    /// The Chinese headers, in the order of DATA.md.
    pub fn headers(&self) -> Vec<&'static str> {
        self.fields.iter().map(|f| f.header).collect()
    }
}

/// The comparison form of a header: no BOM, no whitespace, full-width ASCII as half-width, ASCII
/// lower case.
pub(crate) fn normalise_header(header: &str) -> String {
    header
        .chars()
        .filter(|c| *c != '\u{feff}' && !c.is_whitespace())
        .map(crate::normalise::half_width)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}
