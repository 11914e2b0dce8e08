//! Public lookups (公开查询): what anyone may check about licensed institutions, doctors and
//! their practice institution, registered key products and medical ad review certificates.
//! Nationwide, no login, and only the public fields of records that are currently valid.

use std::collections::BTreeMap;

use crate::{Store, StoreError};

/// What the public can look up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublicKind {
    /// 持证医疗美容机构: valid licenses and filings.
    Institutions,
    /// 医师、护士 and their 主执业机构.
    Practitioners,
    /// 重点产品: registered drugs and devices marked as key products.
    Products,
    /// 医疗广告审查证明.
    AdCertificates,
}

impl PublicKind {
    pub fn from_code(code: &str) -> Option<PublicKind> {
        match code {
            "institutions" => Some(PublicKind::Institutions),
            "practitioners" => Some(PublicKind::Practitioners),
            "products" => Some(PublicKind::Products),
            "ad-certificates" => Some(PublicKind::AdCertificates),
            _ => None,
        }
    }

    fn registry(self) -> &'static str {
        match self {
            PublicKind::Institutions => "licenses",
            PublicKind::Practitioners => "practitioners",
            PublicKind::Products => "products",
            PublicKind::AdCertificates => "ad_certificates",
        }
    }

    /// The fields the public sees, by their DATA.md aliases.
    pub fn public_fields(self) -> &'static [&'static str] {
        match self {
            PublicKind::Institutions => &[
                "name",
                "license_no",
                "license_type",
                "category",
                "subjects",
                "address",
                "valid_until",
                "authority",
                "region",
            ],
            PublicKind::Practitioners => &[
                "name",
                "cert_no",
                "kind",
                "practice_category",
                "practice_scope",
                "institution",
                "institution_license_no",
                "lead_specialty",
                "status",
            ],
            PublicKind::Products => &[
                "reg_no",
                "name",
                "kind",
                "holder",
                "spec",
                "indications",
                "approved",
                "valid_until",
                "status",
                "udi_di",
            ],
            PublicKind::AdCertificates => &[
                "cert_no",
                "institution",
                "license_no",
                "media",
                "valid_from",
                "valid_until",
            ],
        }
    }

    /// Whether a record counts as currently valid for the public on `today` (YYYY-MM-DD).
    fn is_current(
        self,
        status: Option<&str>,
        data: &BTreeMap<String, String>,
        today: &str,
    ) -> bool {
        let unexpired = data.get("valid_until").is_none_or(|d| d.as_str() >= today);
        let from_ok = data.get("valid_from").is_none_or(|d| d.as_str() <= today);
        match self {
            PublicKind::Institutions => status == Some("有效") && unexpired,
            PublicKind::Practitioners => !matches!(status, Some("注销") | Some("吊销")),
            PublicKind::Products => {
                data.get("key_product").is_some_and(|k| k == "是")
                    && unexpired
                    && !matches!(status, Some("注销") | Some("吊销") | Some("过期"))
            }
            PublicKind::AdCertificates => unexpired && from_ok,
        }
    }
}

/// A public record: its public fields only, by alias.
pub type PublicRecord = BTreeMap<String, String>;

/// Up to `limit` current records whose name or number contains `q` (at least 2 characters).
#[tracing::instrument(skip_all)]
pub async fn search(
    store: &Store,
    kind: PublicKind,
    q: &str,
    today: &str,
    limit: usize,
) -> Result<Vec<PublicRecord>, StoreError> {
    let q = q.trim().to_lowercase();
    if q.chars().count() < 2 {
        return Err(StoreError::invalid("查询内容", "请至少输入两个字"));
    }
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let rows: Vec<(Option<String>, String)> = sqlx::query_as(
        "select status, data_json from registry_record where registry = $1 and missing_since is null \
         and search_text like $2 escape '\\' order by name, record_key limit $3",
    )
    .bind(kind.registry())
    .bind(format!("%{escaped}%"))
    .bind((limit * 5) as i64)
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::new();
    for (status, json) in rows {
        let data: BTreeMap<String, String> = serde_json::from_str(&json).unwrap_or_default();
        if !kind.is_current(status.as_deref(), &data, today) {
            continue;
        }
        let public: PublicRecord = kind
            .public_fields()
            .iter()
            .filter_map(|f| data.get(*f).map(|v| (f.to_string(), v.clone())))
            .collect();
        out.push(public);
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}
