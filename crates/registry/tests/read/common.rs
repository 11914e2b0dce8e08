//! Fixtures written into temporary directories; nothing generated is committed.

use std::path::PathBuf;

use meijian_registry::{open, FileError, ParsedRow, ReadOptions, Record, RegistryKind, Rejection};
use tempfile::TempDir;

/// The headers of DATA.md, copied from its text (not from the crate's spec), with the English
/// aliases and one valid row per registry.
pub const REGISTRIES: [(RegistryKind, &str, &str, &str); 8] = [
    (
        RegistryKind::Registrations,
        "统一社会信用代码,主体名称,主体类型,法定代表人,住所,经营范围,登记状态,成立日期,登记机关,行政区划代码",
        "uscc,name,entity_type,legal_rep,address,business_scope,status,founded,authority,region",
        "91350200776049653A,厦门某某医疗美容有限公司,有限责任公司,张三,厦门市思明区某路1号,医疗美容服务,存续,2020-01-02,厦门市市场监督管理局,350203",
    ),
    (
        RegistryKind::Licenses,
        "登记号,证件类型,机构名称,统一社会信用代码,机构类别,诊疗科目,地址,法定代表人,主要负责人,有效期至,发证机关,行政区划代码,状态",
        "license_no,license_type,name,uscc,category,subjects,address,legal_rep,principal,valid_until,authority,region,status",
        "PDY00012-335020311D2192,执业许可证,某某医疗美容门诊部,91350200776049653A,医疗美容门诊部,医疗美容科；美容外科,厦门市思明区某路1号,张三,李四,2030-12-31,厦门市思明区卫生健康局,350203,有效",
    ),
    (
        RegistryKind::SalonFilings,
        "备案编号,店铺名称,统一社会信用代码,地址,经营者,服务项目,行政区划代码",
        "filing_no,name,uscc,address,operator,services,region",
        "SW-2024-001,某某美容店,92350203MA2Y0X1E2P,厦门市思明区某路2号,王五,皮肤护理；美甲,350203",
    ),
    (
        RegistryKind::PlatformMerchants,
        "平台名称,店铺名称,主体名称,统一社会信用代码,地址,服务类目,店铺链接,行政区划代码",
        "platform,shop_name,entity_name,uscc,address,service_category,url,region",
        "某团,某某医美旗舰店,厦门某某医疗美容有限公司,91350200776049653A,厦门市思明区某路1号,医疗美容,https://shop.example.com/1001,350203",
    ),
    (
        RegistryKind::Tax,
        "纳税人识别号,纳税人名称,生产经营地址,主管税务机关,行政区划代码",
        "taxpayer_id,name,address,authority,region",
        "91350200776049653A,厦门某某医疗美容有限公司,厦门市思明区某路1号,国家税务总局厦门市思明区税务局,350203",
    ),
    (
        RegistryKind::Practitioners,
        "姓名,证书编码,人员类别,执业类别,执业范围,主执业机构,主执业机构登记号,主诊医师专业,状态,行政区划代码",
        "name,cert_no,kind,practice_category,practice_scope,institution,institution_license_no,lead_specialty,status,region",
        "赵六,110350200000001,医师,临床,外科专业,某某医疗美容门诊部,PDY00012-335020311D2192,美容外科,注册,350203",
    ),
    (
        RegistryKind::Products,
        "注册证编号,产品名称,产品类别,注册人,规格型号,适用范围,批准日期,有效期至,状态,重点产品,产品标识",
        "reg_no,name,kind,holder,spec,indications,approved,valid_until,status,key_product,udi_di",
        "国械注准20153131234,注射用修饰透明质酸钠凝胶,第三类医疗器械,某某生物科技有限公司,1.0ml,用于面部真皮组织中层至深层注射,2015-06-01,2030-05-31,有效,是,06901234567890",
    ),
    (
        RegistryKind::AdCertificates,
        "证明文号,医疗机构名称,登记号,媒体类别,广告内容,有效期起,有效期至",
        "cert_no,institution,license_no,media,content,valid_from,valid_until",
        "（闽）医广【2024】第01-001号,某某医疗美容门诊部,PDY00012-335020311D2192,网络,医疗美容科诊疗服务介绍,2024-01-01,2025-12-31",
    ),
];

/// A temporary directory that lives as long as the fixture.
pub struct Fixture {
    dir: TempDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// Writes `bytes` to a file named `name` and returns its path.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// Every row of a file with default options.
pub fn read_all(kind: RegistryKind, bytes: &[u8]) -> Vec<ParsedRow> {
    read_with(kind, bytes, &ReadOptions::default()).unwrap()
}

pub fn read_with(
    kind: RegistryKind,
    bytes: &[u8],
    opts: &ReadOptions,
) -> Result<Vec<ParsedRow>, FileError> {
    let fixture = Fixture::new();
    let path = fixture.file("export.csv", bytes);
    Ok(open(&path, kind, opts)?.collect())
}

pub fn open_err(kind: RegistryKind, bytes: &[u8]) -> FileError {
    match read_with(kind, bytes, &ReadOptions::default()) {
        Ok(rows) => panic!("expected a file error, got {rows:?}"),
        Err(e) => e,
    }
}

pub fn records(rows: &[ParsedRow]) -> Vec<&Record> {
    rows.iter()
        .filter_map(|r| match r {
            ParsedRow::Ok(record) => Some(record),
            ParsedRow::Rejected(_) => None,
        })
        .collect()
}

pub fn rejections(rows: &[ParsedRow]) -> Vec<&Rejection> {
    rows.iter()
        .filter_map(|r| match r {
            ParsedRow::Rejected(rejection) => Some(rejection),
            ParsedRow::Ok(_) => None,
        })
        .collect()
}

pub fn only_record(rows: &[ParsedRow]) -> &Record {
    match rows {
        [ParsedRow::Ok(record)] => record,
        other => panic!("expected one record, got {other:?}"),
    }
}

pub fn only_rejection(rows: &[ParsedRow]) -> &Rejection {
    match rows {
        [ParsedRow::Rejected(rejection)] => rejection,
        other => panic!("expected one rejection, got {other:?}"),
    }
}

/// A registrations file with the Chinese headers and the given data lines.
pub fn registrations(lines: &[&str]) -> String {
    let mut text = format!("{}\n", REGISTRIES[0].1);
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text
}
