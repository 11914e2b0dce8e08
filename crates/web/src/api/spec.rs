//! The OpenAPI document as served: [`super::ApiDoc`] with the rules of the input that the
//! derives cannot state. Lengths and patterns are written beside the fields; here go
//!
//! - the codes a field takes, from the domain's own lists (so that the document cannot fall
//!   behind a new department kind or category), and
//! - the input-hygiene rule of [`crate::hygiene`] — no NUL in any text — on every string and
//!   property name a request carries (path, query and body), where no stricter pattern or list
//!   of codes already excludes it.

use meijian_domain::case::{CaseOrigin, PartyKind, PenaltyKind, Severity, Stage};
use meijian_domain::disposal::DisposalKind;
use meijian_domain::lead::{Category, Channel, Finding, Outcome, Satisfaction, Source};
use meijian_domain::{DepartmentKind, Role};
use meijian_registry::RegistryKind;
use meijian_store::public::lookup::PublicKind;
use serde_json::{json, Value};
use utoipa::OpenApi;

/// A text without NUL (bidi controls are accepted and removed).
pub const NO_NUL: &str = r"^[^\u0000]*$";

/// The component for a value the API does not read (a property it does not know): any JSON
/// without NUL in its strings and property names, as the hygiene layer requires of the whole
/// body.
const NUL_FREE: &str = "NulFree";

/// The document served at `/api/openapi.json`: [`document`] with the limits the
/// configuration sets.
pub fn document_for(settings: &crate::settings::WebSettings) -> Value {
    let mut doc = document();
    if let Some(password) =
        doc.pointer_mut("/components/schemas/NewUserRequest/properties/password")
    {
        password["minLength"] = json!(settings.login.min_password_len);
    }
    if let Some(level) = action_variant(&mut doc, "LeadAction", "propose_reward")
        .and_then(|v| v.pointer_mut("/properties/level"))
    {
        level["maximum"] = json!(settings.leads.rewards.levels.len().saturating_sub(1));
    }
    doc
}

/// [`super::ApiDoc`] with the endpoints declared beside their handlers (处置 and 销号).
fn openapi() -> utoipa::openapi::OpenApi {
    let mut api = super::ApiDoc::openapi();
    api.merge(super::operators::DisposalApi::openapi());
    api
}

/// The document with the rules that hold for any configuration.
pub fn document() -> Value {
    let mut doc = serde_json::to_value(openapi()).unwrap_or(Value::Null);
    let missing = apply(&mut doc);
    if !missing.is_empty() {
        tracing::warn!(?missing, "OpenAPI rules for fields the document lacks");
    }
    doc
}

/// Applies the rules; returns the places a rule was meant for that the document lacks.
fn apply(doc: &mut Value) -> Vec<String> {
    let mut missing = Vec::new();
    for (schema, field, values) in field_codes() {
        let at = format!("/components/schemas/{schema}/properties/{field}");
        match doc.pointer_mut(&at) {
            Some(node) => set_enum(node, &values),
            None => missing.push(at),
        }
    }
    for (schema, action, field, values) in action_codes() {
        match action_variant(doc, schema, action)
            .and_then(|v| v.pointer_mut(&format!("/properties/{field}")))
        {
            Some(node) => set_enum(node, &values),
            None => missing.push(format!("{schema} {action}.{field}")),
        }
    }
    for (path, name, values) in parameter_codes() {
        match parameter(doc, path, name) {
            Some(node) => set_enum(node, &values),
            None => missing.push(format!("{path} {name}")),
        }
    }
    if let Some(schemas) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        let any = format!("#/components/schemas/{NUL_FREE}");
        schemas.insert(
            NUL_FREE.into(),
            json!({
                "description": "Any JSON value without NUL (U+0000) in its strings and property names.",
                "anyOf": [
                    { "type": ["null", "boolean", "number"] },
                    { "type": "string", "pattern": NO_NUL },
                    { "type": "array", "items": { "$ref": any } },
                    {
                        "type": "object",
                        "propertyNames": { "pattern": NO_NUL },
                        "additionalProperties": { "$ref": any }
                    }
                ]
            }),
        );
    }
    no_nul(doc);
    missing
}

fn codes<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| code(*v)).collect()
}

/// (component, property, codes).
fn field_codes() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    let categories = codes(Category::ALL, Category::code);
    let desk_channels: Vec<&str> = Channel::ALL
        .iter()
        .filter(|c| **c != Channel::Online)
        .map(|c| c.code())
        .collect();
    let clue_sources: Vec<&str> = Source::ALL
        .iter()
        .filter(|s| **s != Source::Complaint)
        .map(|s| s.code())
        .collect();
    vec![
        (
            "NewDepartmentRequest",
            "kind",
            codes(DepartmentKind::all(), DepartmentKind::code),
        ),
        ("NewUserRequest", "role", codes(Role::all(), Role::code)),
        ("IntakeRequest", "kind", vec!["complaint", "report"]),
        ("IntakeRequest", "category", categories.clone()),
        ("IntakeRequest", "channel", desk_channels),
        ("ClueRequest", "source", clue_sources),
        ("ClueRequest", "category", categories.clone()),
        ("ComplaintInput", "kind", vec!["complaint", "report"]),
        ("ComplaintInput", "category", categories.clone()),
        ("OpenCaseRequest", "category", categories),
        (
            "OpenCaseRequest",
            "origin",
            codes(CaseOrigin::ALL, CaseOrigin::code),
        ),
        (
            "CasePartyRequest",
            "kind",
            codes(PartyKind::ALL, PartyKind::code),
        ),
        (
            "DisposalRequest",
            "kind",
            codes(DisposalKind::ALL, DisposalKind::code),
        ),
        (
            "RateRequest",
            "satisfaction",
            codes(Satisfaction::ALL, Satisfaction::code),
        ),
    ]
}

/// (tagged enum component, `action`, property, codes).
fn action_codes() -> Vec<(&'static str, &'static str, &'static str, Vec<&'static str>)> {
    vec![
        (
            "LeadAction",
            "verify",
            "finding",
            codes(Finding::ALL, Finding::code),
        ),
        (
            "LeadAction",
            "conclude",
            "outcome",
            codes(Outcome::ALL, Outcome::code),
        ),
        (
            "LeadAction",
            "satisfaction",
            "satisfaction",
            codes(Satisfaction::ALL, Satisfaction::code),
        ),
        (
            "ReferralAction",
            "respond",
            "response",
            vec!["acknowledge", "accept", "return", "file", "refuse"],
        ),
        (
            "CaseApiAction",
            "add_party",
            "kind",
            codes(PartyKind::ALL, PartyKind::code),
        ),
        (
            "CaseApiAction",
            "add_penalty",
            "kind",
            codes(PenaltyKind::ALL, PenaltyKind::code),
        ),
        (
            "CaseApiAction",
            "severity",
            "severity",
            codes(Severity::ALL, Severity::code),
        ),
    ]
}

/// (path, parameter, codes).
fn parameter_codes() -> Vec<(&'static str, &'static str, Vec<&'static str>)> {
    let mut categories = vec![""];
    categories.extend(codes(Category::ALL, Category::code));
    let mut stages = vec![""];
    stages.extend(codes(Stage::ALL, Stage::code));
    let mut origins = vec![""];
    origins.extend(codes(CaseOrigin::ALL, CaseOrigin::code));
    vec![
        (
            "/api/leads",
            "due",
            vec!["all", "open", "due_soon", "overdue", "closed"],
        ),
        ("/api/leads", "category", categories.clone()),
        ("/api/cases", "stage", stages),
        ("/api/cases", "category", categories),
        ("/api/cases", "origin", origins),
        (
            "/api/registries/{code}",
            "code",
            codes(RegistryKind::all(), RegistryKind::code),
        ),
        ("/api/public/{kind}", "kind", public_kinds()),
    ]
}

/// The kinds of `/api/public/{kind}`.
fn public_kinds() -> Vec<&'static str> {
    [
        "institutions",
        "practitioners",
        "products",
        "ad-certificates",
    ]
    .into_iter()
    .filter(|k| PublicKind::from_code(k).is_some())
    .collect()
}

fn set_enum(node: &mut Value, values: &[&str]) {
    let mut list: Vec<Value> = values.iter().map(|v| json!(v)).collect();
    let nullable = node
        .get("type")
        .and_then(Value::as_array)
        .is_some_and(|t| t.iter().any(|t| t == "null"));
    if nullable {
        list.push(Value::Null);
    }
    if let Some(obj) = node.as_object_mut() {
        obj.remove("pattern");
        obj.insert("enum".into(), Value::Array(list));
    }
}

/// The variant of a `tag = "action"` enum whose action is `action`.
fn action_variant<'a>(doc: &'a mut Value, schema: &str, action: &str) -> Option<&'a mut Value> {
    doc.pointer_mut(&format!("/components/schemas/{schema}/oneOf"))?
        .as_array_mut()?
        .iter_mut()
        .find(|v| {
            v.pointer("/properties/action/enum/0")
                .and_then(Value::as_str)
                == Some(action)
        })
}

/// The schema of parameter `name` of the GET operation at `path`.
fn parameter<'a>(doc: &'a mut Value, path: &str, name: &str) -> Option<&'a mut Value> {
    let key = path.replace('~', "~0").replace('/', "~1");
    doc.pointer_mut(&format!("/paths/{key}/get/parameters"))?
        .as_array_mut()?
        .iter_mut()
        .find(|p| p.get("name").and_then(Value::as_str) == Some(name))?
        .get_mut("schema")
}

/// The hygiene rule on every request schema: the parameters and request bodies of every
/// operation, and every component they refer to.
fn no_nul(doc: &mut Value) {
    let mut components: Vec<String> = Vec::new();
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for operation in item.values_mut() {
                if let Some(params) = operation
                    .get_mut("parameters")
                    .and_then(Value::as_array_mut)
                {
                    for p in params {
                        if let Some(schema) = p.get_mut("schema") {
                            patch(schema, &mut components);
                        }
                    }
                }
                if let Some(content) = operation
                    .pointer_mut("/requestBody/content")
                    .and_then(Value::as_object_mut)
                {
                    for media in content.values_mut() {
                        if let Some(schema) = media.get_mut("schema") {
                            patch(schema, &mut components);
                        }
                    }
                }
            }
        }
    }
    // Components refer to further components: patch until none is new.
    let mut done: Vec<String> = Vec::new();
    while let Some(name) = components.pop() {
        if done.contains(&name) {
            continue;
        }
        let mut found = Vec::new();
        if let Some(schema) = doc.pointer_mut(&format!("/components/schemas/{name}")) {
            patch(schema, &mut found);
        }
        done.push(name);
        components.extend(found.into_iter().filter(|n| !done.contains(n)));
    }
}

/// Adds the rule to `schema` and what it contains; collects the components it refers to.
fn patch(schema: &mut Value, refs: &mut Vec<String>) {
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    if let Some(r) = obj.get("$ref").and_then(Value::as_str) {
        if let Some(name) = r.strip_prefix("#/components/schemas/") {
            refs.push(name.to_string());
        }
        return;
    }
    let has_type = |t: &str| match obj.get("type") {
        Some(Value::String(s)) => s == t,
        Some(Value::Array(a)) => a.iter().any(|x| x == t),
        _ => false,
    };
    let (is_string, is_object) = (
        has_type("string"),
        has_type("object") || obj.contains_key("properties"),
    );
    if is_string
        && !obj.contains_key("pattern")
        && !obj.contains_key("enum")
        && !obj.contains_key("format")
    {
        obj.insert("pattern".into(), json!(NO_NUL));
    }
    if is_object && !obj.contains_key("propertyNames") {
        obj.insert("propertyNames".into(), json!({ "pattern": NO_NUL }));
    }
    if is_object && !obj.contains_key("additionalProperties") {
        obj.insert(
            "additionalProperties".into(),
            json!({ "$ref": format!("#/components/schemas/{NUL_FREE}") }),
        );
    }
    for key in ["properties"] {
        if let Some(props) = obj.get_mut(key).and_then(Value::as_object_mut) {
            for p in props.values_mut() {
                patch(p, refs);
            }
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(inner) = obj.get_mut(key) {
            patch(inner, refs);
        }
    }
    for key in ["oneOf", "anyOf", "allOf", "prefixItems"] {
        if let Some(list) = obj.get_mut(key).and_then(Value::as_array_mut) {
            for inner in list {
                patch(inner, refs);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_rule_finds_its_field() {
        let mut doc = serde_json::to_value(openapi()).unwrap();
        assert_eq!(apply(&mut doc), Vec::<String>::new());
        assert_eq!(public_kinds().len(), 4);
        let served = document_for(&crate::settings::WebSettings::default());
        let level = served
            .pointer("/components/schemas/LeadAction/oneOf")
            .and_then(|v| v.as_array())
            .and_then(|v| {
                v.iter().find(|v| {
                    v.pointer("/properties/action/enum/0") == Some(&json!("propose_reward"))
                })
            })
            .and_then(|v| v.pointer("/properties/level/maximum"))
            .cloned();
        let levels = crate::settings::WebSettings::default()
            .leads
            .rewards
            .levels
            .len();
        assert_eq!(level, Some(json!(levels - 1)));
        let kind = doc
            .pointer("/components/schemas/NewDepartmentRequest/properties/kind/enum")
            .unwrap();
        assert!(kind
            .as_array()
            .unwrap()
            .contains(&json!("market_regulation")));
        // Strings of requests get the hygiene rule; those of answers do not.
        assert_eq!(
            doc.pointer("/components/schemas/NewDepartmentRequest/properties/name/pattern"),
            Some(&json!(NO_NUL))
        );
        assert_eq!(
            doc.pointer("/components/schemas/ReporterRequest/properties/address/pattern"),
            Some(&json!(NO_NUL)),
            "reached through IntakeRequest"
        );
        assert!(doc
            .pointer("/components/schemas/DepartmentView/properties/name/pattern")
            .is_none());
        let q = doc
            .pointer("/paths/~1api~1registries~1{code}/get/parameters")
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == "q")
            .unwrap();
        assert_eq!(q["in"], "query");
        assert_eq!(q["required"], false);
        assert_eq!(q["schema"]["pattern"], json!(NO_NUL));
        assert!(doc.pointer("/components/schemas/NulFree/anyOf").is_some());
        assert_eq!(
            doc.pointer("/components/schemas/TicketRequest/additionalProperties/$ref"),
            Some(&json!("#/components/schemas/NulFree"))
        );
    }
}
