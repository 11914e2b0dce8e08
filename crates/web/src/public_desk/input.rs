//! What a member of the public fills in, as the page's form and the API's JSON carry it, and
//! the choices the form offers (in plain words, not the officers' terms).
//!
//! No `Debug`: the value holds the reporter's name, phone and address, and must never end up
//! in a log line by accident.

use meijian_domain::lead::{Category, Channel, LeadKind};
use meijian_store::leads::intake::{AttachmentIn, NewComplaint, ReporterIn};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::AppError;

/// A complaint or report as typed in. Lengths count characters after leading and trailing
/// spaces are removed; the API document lists the codes `kind` and `category` take.
#[derive(Clone, Default, Deserialize, ToSchema)]
pub struct ComplaintInput {
    /// `complaint` (投诉: your own loss, you want it put right) or `report` (举报: a violation).
    #[serde(default)]
    #[schema(required = true)]
    pub kind: String,
    /// One of the nine category codes: unlicensed_practice, medical_institution, drug,
    /// device, training, advertising, internet_info, price, tax.
    #[serde(default)]
    #[schema(required = true)]
    pub category: String,
    /// The county (区县) where it happened, six digits.
    #[serde(default)]
    #[schema(required = true, pattern = r"^[1-8][0-9]{5}$")]
    pub region_code: String,
    /// The institution or person it is about.
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 2,
        max_length = 100,
        pattern = r"^\s*[^\s\u0000][^\u0000]*[^\s\u0000]\s*$"
    )]
    pub subject_name: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub subject_address: String,
    /// YYYY-MM-DD, not after today; optional.
    #[serde(default)]
    #[schema(pattern = r"^((19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))?$")]
    pub happened_on: String,
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 10,
        max_length = 2000,
        pattern = r"^\s*[^\s\u0000][^\u0000]{8,}[^\s\u0000]\s*$"
    )]
    pub description: String,
    /// True: no contact details are kept (name, phone, address and email are ignored).
    #[serde(default)]
    pub anonymous: bool,
    /// Needed unless anonymous.
    #[serde(default)]
    #[schema(max_length = 50)]
    pub name: String,
    /// A mobile number (11 digits) or a landline with its area code; needed unless anonymous.
    #[serde(default)]
    #[schema(max_length = 20)]
    pub phone: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub address: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub email: String,
}

/// The explanation shown beside 投诉 and 举报.
pub const KIND_HINT: &str = "投诉：您本人在消费中权益受损，要求处理并挽回损失；举报：反映违法违规行为，不要求为本人挽回损失。";

/// A category in plain words, with an example.
pub fn category_plain(c: Category) -> (&'static str, &'static str) {
    match c {
        Category::UnlicensedPractice => (
            "无证行医",
            "没有医疗机构执业许可证的美容院、工作室、酒店或居民楼做注射、手术等医疗美容，或操作人员没有医师资格",
        ),
        Category::MedicalInstitution => (
            "医疗机构违规",
            "有证的医院、门诊部、诊所超出许可范围做项目，由非医务人员操作，或主诊医师不在场",
        ),
        Category::Drug => (
            "药品问题",
            "使用来源不明、假冒或未经批准的药品，如肉毒毒素",
        ),
        Category::Device => (
            "医疗器械问题",
            "使用无注册证、假冒或来源不明的器械，如玻尿酸等注射填充剂、激光和射频设备",
        ),
        Category::Training => (
            "违规培训",
            "没有资质开办医疗美容培训班，或培训后发“证书”让学员给顾客做医疗美容",
        ),
        Category::Advertising => (
            "违法广告",
            "虚假或夸大效果的医疗美容广告，或没有《医疗广告审查证明》的广告",
        ),
        Category::InternetInfo => (
            "网络违规信息",
            "网店、直播、短视频、社交平台上违规宣传、招揽或销售医疗美容项目",
        ),
        Category::Price => (
            "价格问题",
            "不明码标价、价格欺诈、实际收费高于标价",
        ),
        Category::Tax => (
            "发票和税务",
            "不开发票，或要求现金、私人账户付款",
        ),
        Category::Other => ("其他问题", "以上都不是的医疗美容问题"),
    }
}

fn invalid(field: &str, message: &str) -> AppError {
    AppError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

impl ComplaintInput {
    /// The complaint to prepare, received online; the store checks the rest.
    pub fn to_new_complaint(
        &self,
        attachments: Vec<AttachmentIn>,
    ) -> Result<NewComplaint, AppError> {
        let kind = match LeadKind::from_code(self.kind.trim()) {
            Some(k @ (LeadKind::Complaint | LeadKind::Report)) => k,
            _ => return Err(invalid("类型", "请选择投诉或举报")),
        };
        let category = Category::from_code(self.category.trim())
            .ok_or_else(|| invalid("问题类别", "请选择问题类别"))?;
        if self.region_code.trim().is_empty() {
            return Err(invalid("发生地", "请选择区县"));
        }
        let reporter = (!self.anonymous).then(|| ReporterIn {
            name: self.name.clone(),
            phone: self.phone.clone(),
            address: self.address.clone(),
            email: self.email.clone(),
        });
        Ok(NewComplaint {
            kind,
            category,
            channel: Channel::Online,
            channel_ref: None,
            region_code: self.region_code.trim().to_string(),
            subject_name: self.subject_name.clone(),
            subject_address: self.subject_address.clone(),
            happened_on: Some(self.happened_on.clone()),
            description: self.description.clone(),
            reporter,
            attachments,
            received_at: None,
        })
    }
}
