//! 主体库 (一户一档): the lasting record of every operator — a clinic, a salon, a person working
//! from a flat — that leads, and later cases, inspections and list entries, point at.
//!
//! Cross-check runs keep their own snapshot of operators (`reconcile_operator`); after each run
//! [`update`] carries the result into this record: new operators are added, changed ones
//! rewritten, ones missing from the run marked absent (never deleted), ones whose records a run
//! joined to another operator marked merged with the id they became. A business no registry
//! knows gets a provisional operator from the lead that names it ([`actions::register_provisional`]);
//! the next run links it to registry operators or it stays 无照无证. Officers merge operators
//! ([`actions::merge`]) and ask for splits ([`actions::request_split`]); every reference follows
//! a merge ([`REFERENCES`]).

pub mod actions;
pub mod disposal;
pub mod read;
pub mod update;

use meijian_domain::operator::{OperatorStatus, Origin};
pub use meijian_linkage::Class;
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::stored::At;
use crate::StoreError;

/// The columns that point at an operator, with the column that copies its name, if any. A
/// merge moves every one of them to the operator it became; a feature that adds a reference
/// adds it here.
pub(crate) const REFERENCES: &[(&str, &str, Option<&str>)] = &[
    ("lead", "operator_id", Some("operator_name")),
    ("account", "operator_id", None),
    ("operator_disposal", "operator_id", None),
    ("case_party", "operator_id", None),
];

/// Separator of the name, person and address lists (a character no name contains).
const SEP: &str = "｜";

/// An operator as its record holds it.
#[derive(Debug, Clone, Serialize)]
pub struct Operator {
    /// 主体编号.
    pub id: String,
    pub origin: Origin,
    pub status: OperatorStatus,
    pub merged_into: Option<String>,
    pub split_from: Option<String>,
    pub region_code: String,
    pub name: String,
    pub names: Vec<String>,
    pub uscc: Option<String>,
    pub legal_rep: Option<String>,
    pub persons: Vec<String>,
    pub address: Option<String>,
    pub addresses: Vec<String>,
    /// `None` for an operator outside medical aesthetics.
    #[serde(serialize_with = "crate::reconcile::serialize_class")]
    pub class: Option<Class>,
    pub public_kind: Option<String>,
    pub members: i64,
    pub class_run_id: Option<String>,
    pub first_run_id: Option<String>,
    pub source_lead_id: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub absent_since: Option<OffsetDateTime>,
}

impl Operator {
    /// 分类 in Chinese.
    pub fn class_zh(&self) -> &'static str {
        self.class.map_or("非医美", Class::label_zh)
    }
}

/// The columns of [`OperatorRecord`], for `select`.
pub(crate) const COLUMNS: &str = "id, origin, status, merged_into, split_from, region_code, name, \
     names, uscc, legal_rep, persons, address, addresses, class, public_kind, members, \
     class_run_id, first_run_id, source_lead_id, created_at, updated_at, absent_since";

/// A row as stored.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct OperatorRecord {
    id: String,
    origin: String,
    status: String,
    merged_into: Option<String>,
    split_from: Option<String>,
    region_code: String,
    name: String,
    names: String,
    uscc: Option<String>,
    legal_rep: Option<String>,
    persons: String,
    address: Option<String>,
    addresses: String,
    class: String,
    public_kind: Option<String>,
    members: i64,
    class_run_id: Option<String>,
    first_run_id: Option<String>,
    source_lead_id: Option<String>,
    created_at: String,
    updated_at: String,
    absent_since: Option<String>,
}

impl TryFrom<OperatorRecord> for Operator {
    type Error = StoreError;

    fn try_from(r: OperatorRecord) -> Result<Operator, StoreError> {
        let at = At::new("operator", &r.id);
        let class = match r.class.as_str() {
            "" => None,
            code => Some(at.code("class", code, Class::from_code)?),
        };
        Ok(Operator {
            origin: at.code("origin", &r.origin, Origin::from_code)?,
            status: at.code("status", &r.status, OperatorStatus::from_code)?,
            created_at: at.time("created_at", &r.created_at)?,
            updated_at: at.time("updated_at", &r.updated_at)?,
            absent_since: at.time_opt("absent_since", r.absent_since.as_deref())?,
            class,
            names: split_list(&r.names),
            persons: split_list(&r.persons),
            addresses: split_list(&r.addresses),
            id: r.id,
            merged_into: r.merged_into,
            split_from: r.split_from,
            region_code: r.region_code,
            name: r.name,
            uscc: r.uscc,
            legal_rep: r.legal_rep,
            address: r.address,
            public_kind: r.public_kind,
            members: r.members,
            class_run_id: r.class_run_id,
            first_run_id: r.first_run_id,
            source_lead_id: r.source_lead_id,
        })
    }
}

fn split_list(text: &str) -> Vec<String> {
    text.split(SEP)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// What a cross-check run found out about one operator: its identity as the record keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub id: String,
    pub region_code: String,
    pub name: String,
    /// Every distinct name, person and address of its records, in record order.
    pub names: Vec<String>,
    pub uscc: Option<String>,
    pub legal_rep: Option<String>,
    pub persons: Vec<String>,
    pub address: Option<String>,
    pub addresses: Vec<String>,
    /// A class code, `""` outside medical aesthetics.
    pub class: String,
    pub public_kind: Option<String>,
    pub members: i64,
    /// The operator whose records this one was split off, when a run did so.
    pub split_from: Option<String>,
}

impl Identity {
    /// A hash of everything the record keeps of the identity: a run rewrites only operators
    /// whose hash changed.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        for part in [
            self.region_code.as_str(),
            &self.name,
            &self.names.join(SEP),
            self.uscc.as_deref().unwrap_or(""),
            self.legal_rep.as_deref().unwrap_or(""),
            &self.persons.join(SEP),
            self.address.as_deref().unwrap_or(""),
            &self.addresses.join(SEP),
            &self.class,
            self.public_kind.as_deref().unwrap_or(""),
            &self.members.to_string(),
            self.split_from.as_deref().unwrap_or(""),
        ] {
            h.update(part.as_bytes());
            h.update([0]);
        }
        hex::encode(&h.finalize()[..12])
    }
}

/// How a run moved records between operators, compared with the previous run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Moves {
    /// `(old, new)`: an operator of the previous run that is gone, most of whose records are
    /// now in `new`.
    pub merged: Vec<(String, String)>,
    /// `(new, from)`: a new operator whose records were part of `from`, which still exists.
    pub split: Vec<(String, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_changes_with_any_identity_field() {
        let a = Identity {
            id: "ZT1".into(),
            region_code: "370402".into(),
            name: "悦颜医疗美容门诊部".into(),
            names: vec!["悦颜医疗美容门诊部".into()],
            uscc: None,
            legal_rep: Some("张三".into()),
            persons: vec!["张三".into()],
            address: None,
            addresses: vec![],
            class: "both".into(),
            public_kind: None,
            members: 2,
            split_from: None,
        };
        let mut b = a.clone();
        assert_eq!(a.fingerprint(), b.fingerprint());
        b.class = "registered_only".into();
        assert_ne!(a.fingerprint(), b.fingerprint());
        let mut c = a.clone();
        c.persons.push("李四".into());
        assert_ne!(a.fingerprint(), c.fingerprint());
    }

    #[test]
    fn lists_survive_the_separator() {
        assert_eq!(split_list("甲｜乙｜"), ["甲", "乙"]);
        assert!(split_list("").is_empty());
    }
}
