//! Input hygiene: the one rule for characters nobody types, applied to every text the app
//! reads from a request.
//!
//! - **Refused** (422 naming the field): U+0000 NUL. PostgreSQL cannot store it in `text`, and
//!   no form or client has a reason to send it.
//! - **Removed**: the bidirectional embedding, override and isolate controls U+202A–U+202E and
//!   U+2066–U+2069. Stored in a name they make it display reversed or spoofed elsewhere
//!   (`市中\u{202E}exe.txt`), in lists, exports and audit entries.
//!
//! [`layer`] applies the rule to the path, the query string, URL-encoded form bodies and JSON
//! bodies (every key and string value at any depth), rewriting the query or body when
//! something was removed. Multipart bodies are streamed by their handlers, so
//! [`crate::uploads`] applies [`clean`] to each text field and file name as it reads them.
//! Header values (cookies, tokens) are not text the app stores and stay as they are.

use std::borrow::Cow;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Request, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// The message of a refused value, after the field name.
pub const NUL_MESSAGE: &str = "含有不可见的控制字符 NUL，请删除后重试";

/// Characters that are refused.
pub fn is_refused(c: char) -> bool {
    c == '\0'
}

/// Characters that are removed: the bidi embeddings, overrides and isolates.
pub fn is_removed(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `bytes` (a raw, percent-encoded or JSON-escaped text) may hold a character of the
/// rule. Most requests hold none, and then the body is passed on without being parsed here.
fn may_hold_rule_chars(bytes: &[u8]) -> bool {
    let has = |needle: &[u8]| {
        bytes
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
    };
    bytes.contains(&0)
        // U+202A–U+202E and U+2066–U+2069 in UTF-8 start E2 80 and E2 81.
        || bytes.windows(2).any(|w| w[0] == 0xE2 && (w[1] == 0x80 || w[1] == 0x81))
        || has(b"%00")
        || has(b"%E2%80")
        || has(b"%E2%81")
        || has(b"\\u0000")
        || has(b"\\u202")
        || has(b"\\u206")
}

/// The refusal of a value of `field` (a form field, query parameter or JSON path).
pub fn refusal(field: &str) -> AppError {
    AppError::Invalid {
        field: format!("字段 {}", shown_name(field)),
        message: NUL_MESSAGE.into(),
    }
}

/// A field name fit to show in a message: without the characters of the rule, at most 64
/// characters.
fn shown_name(field: &str) -> String {
    let name: String = field
        .chars()
        .filter(|&c| !is_refused(c) && !is_removed(c))
        .take(64)
        .collect();
    if name.is_empty() {
        "（无名）".into()
    } else {
        name
    }
}

/// The rule for one value of `field`: an error for a refused character, else the value
/// without the removed ones (borrowed when there were none).
pub fn clean<'a>(field: &str, value: &'a str) -> Result<Cow<'a, str>, AppError> {
    if value.chars().any(is_refused) {
        return Err(refusal(field));
    }
    if value.chars().any(is_removed) {
        Ok(Cow::Owned(
            value.chars().filter(|&c| !is_removed(c)).collect(),
        ))
    } else {
        Ok(Cow::Borrowed(value))
    }
}

/// [`clean`] for an owned value.
pub fn clean_owned(field: &str, value: String) -> Result<String, AppError> {
    match clean(field, &value)? {
        Cow::Borrowed(_) => Ok(value),
        Cow::Owned(v) => Ok(v),
    }
}

/// Name-value pairs as `application/x-www-form-urlencoded` carries them (query string or
/// body): a name or value with a refused character is an error naming the field; `Some` is
/// the encoding of the pairs with the removed characters gone, `None` that nothing changed.
pub fn clean_urlencoded(bytes: &[u8]) -> Result<Option<String>, AppError> {
    let mut changed = false;
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (name, value) in form_urlencoded::parse(bytes) {
        if name.chars().any(is_refused) {
            return Err(refusal(&name));
        }
        let cleaned = clean(&name, &value)?;
        changed |= matches!(cleaned, Cow::Owned(_));
        pairs.push((name.into_owned(), cleaned.into_owned()));
    }
    if !changed {
        return Ok(None);
    }
    Ok(Some(
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish(),
    ))
}

/// A JSON document: a refused character in any key or string is an error naming it by its
/// path (`reporter.name`, `items[2]`); removed characters go from string values. `true` when
/// something was removed.
pub fn clean_json(value: &mut serde_json::Value) -> Result<bool, AppError> {
    let mut changed = false;
    walk(value, &mut String::new(), &mut changed)?;
    Ok(changed)
}

fn walk(
    value: &mut serde_json::Value,
    path: &mut String,
    changed: &mut bool,
) -> Result<(), AppError> {
    use serde_json::Value;
    match value {
        Value::String(s) => {
            let field = if path.is_empty() {
                "请求体"
            } else {
                path.as_str()
            };
            if let Cow::Owned(v) = clean(field, s)? {
                *s = v;
                *changed = true;
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(item, path, changed)?;
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                if key.chars().any(is_refused) {
                    return Err(refusal(path));
                }
                walk(item, path, changed)?;
                path.truncate(len);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
    Ok(())
}

/// The URI with the rule applied: an error for a NUL in the path or the query, `Some` with a
/// rewritten query when something was removed from it.
fn clean_uri(uri: &Uri) -> Result<Option<Uri>, AppError> {
    if uri.path().contains("%00") {
        return Err(AppError::Invalid {
            field: "请求路径".into(),
            message: NUL_MESSAGE.into(),
        });
    }
    let Some(query) = uri.query().filter(|q| may_hold_rule_chars(q.as_bytes())) else {
        return Ok(None);
    };
    let Some(cleaned) = clean_urlencoded(query.as_bytes())? else {
        return Ok(None);
    };
    let mut parts = uri.clone().into_parts();
    let path_and_query = if cleaned.is_empty() {
        uri.path().to_string()
    } else {
        format!("{}?{cleaned}", uri.path())
    };
    parts.path_and_query = path_and_query.parse().ok();
    Ok(Uri::from_parts(parts).ok())
}

enum BodyKind {
    Form,
    Json,
    Other,
}

fn body_kind(headers: &HeaderMap) -> BodyKind {
    let Some(content_type) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return BodyKind::Other;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/x-www-form-urlencoded" {
        BodyKind::Form
    } else if essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
    {
        BodyKind::Json
    } else {
        BodyKind::Other
    }
}

/// The body with the rule applied: the same bytes, or the rewritten ones.
fn clean_body(kind: &BodyKind, bytes: Bytes) -> Result<Bytes, AppError> {
    if !may_hold_rule_chars(&bytes) {
        return Ok(bytes);
    }
    match kind {
        BodyKind::Form => Ok(match clean_urlencoded(&bytes)? {
            Some(cleaned) => Bytes::from(cleaned),
            None => bytes,
        }),
        BodyKind::Json => {
            // Not JSON: the handler's extractor answers for it.
            let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
                return Ok(bytes);
            };
            if !clean_json(&mut value)? {
                return Ok(bytes);
            }
            serde_json::to_vec(&value)
                .map(Bytes::from)
                .map_err(|e| AppError::Internal(format!("json: {e}")))
        }
        BodyKind::Other => Ok(bytes),
    }
}

/// The middleware: see the module doc. `limit` bounds the body read (the app's
/// `max_body_bytes`; multipart uploads, which have larger limits, are not read here).
pub async fn layer(State(limit): State<usize>, request: Request<Body>, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    match clean_uri(&parts.uri) {
        Ok(Some(uri)) => parts.uri = uri,
        Ok(None) => {}
        Err(e) => {
            // Read what the client sends before answering, so that it sees the answer.
            let _ = to_bytes(body, limit).await;
            return e.into_response();
        }
    }
    let kind = body_kind(&parts.headers);
    let body = match kind {
        BodyKind::Other => body,
        BodyKind::Form | BodyKind::Json => {
            let Ok(bytes) = to_bytes(body, limit).await else {
                return AppError::Invalid {
                    field: "请求体".into(),
                    message: format!("内容不完整或超过 {} KB 的大小限制", limit.div_ceil(1024)),
                }
                .into_response();
            };
            match clean_body(&kind, bytes) {
                Ok(bytes) => {
                    if parts.headers.contains_key(header::CONTENT_LENGTH) {
                        parts
                            .headers
                            .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
                    }
                    Body::from(bytes)
                }
                Err(e) => return e.into_response(),
            }
        }
    };
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn message(e: AppError) -> String {
        e.info().message
    }

    #[test]
    fn nul_is_refused_naming_the_field_and_bidi_controls_are_removed() {
        assert_eq!(
            message(clean("q", "a\0b").unwrap_err()),
            "字段 q：含有不可见的控制字符 NUL，请删除后重试"
        );
        for c in ['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}'] {
            assert_eq!(clean("name", &format!("市中{c}海关")).unwrap(), "市中海关");
        }
        for c in ['\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}'] {
            assert_eq!(clean("name", &format!("{c}海关{c}")).unwrap(), "海关");
        }
        // Marks, joiners and ordinary controls are not the rule's business.
        for s in [
            "a\u{200E}b",
            "a\u{200F}b",
            "a\u{200D}b",
            "第一行\r\n第二行\t",
        ] {
            assert!(matches!(clean("x", s).unwrap(), Cow::Borrowed(_)), "{s:?}");
        }
        assert_eq!(clean_owned("x", "ab".into()).unwrap(), "ab");
        assert_eq!(clean_owned("x", "a\u{202E}b".into()).unwrap(), "ab");
        // A field name is shown without the characters of the rule.
        assert_eq!(
            message(clean("na\0me\u{202E}", "\0").unwrap_err()),
            "字段 name：含有不可见的控制字符 NUL，请删除后重试"
        );
    }

    #[test]
    fn the_prefilter_lets_nothing_of_the_rule_through() {
        for text in [
            "a\0b",
            "a%00b",
            "a%e2%80%aeb",
            "名\u{202e}称",
            "\\u0000",
            "\\U202E",
            "x\u{2066}",
        ] {
            assert!(may_hold_rule_chars(text.as_bytes()), "{text:?}");
        }
        for text in [
            "q=%E6%9E%A3%E5%BA%84",
            r#"{"name":"枣庄市美容院"}"#,
            "plain",
        ] {
            assert!(!may_hold_rule_chars(text.as_bytes()), "{text:?}");
        }
    }

    #[test]
    fn urlencoded_pairs() {
        assert_eq!(clean_urlencoded(b"q=%E6%B5%B7&page=2").unwrap(), None);
        assert_eq!(
            clean_urlencoded(b"q=a%E2%80%AEb&page=2")
                .unwrap()
                .as_deref(),
            Some("q=ab&page=2")
        );
        assert_eq!(
            message(clean_urlencoded(b"page=1&q=%00").unwrap_err()),
            "字段 q：含有不可见的控制字符 NUL，请删除后重试"
        );
        assert!(message(clean_urlencoded(b"x%00y=1").unwrap_err()).starts_with("字段 xy："));
        // `+` is a space, as in every form.
        assert_eq!(
            clean_urlencoded(b"q=a+b%E2%81%A6").unwrap().as_deref(),
            Some("q=a+b")
        );
    }

    #[test]
    fn json_at_any_depth() {
        let mut v =
            serde_json::json!({"a": {"b": [1, "x\u{202E}y", {"c": "\u{2068}z"}]}, "n": null});
        assert!(clean_json(&mut v).unwrap());
        assert_eq!(
            v,
            serde_json::json!({"a": {"b": [1, "xy", {"c": "z"}]}, "n": null})
        );
        let mut v = serde_json::json!({"a": {"b": [1, "ok", {"c": "\u{0}"}]}});
        assert!(message(clean_json(&mut v).unwrap_err()).starts_with("字段 a.b[2].c："));
        let mut v = serde_json::json!({"k\u{0}": 1});
        assert!(message(clean_json(&mut v).unwrap_err()).starts_with("字段 k："));
        let mut v = serde_json::json!("\u{0}");
        assert!(message(clean_json(&mut v).unwrap_err()).starts_with("字段 请求体："));
        let mut v = serde_json::json!({"plain": "text", "n": 1});
        assert!(!clean_json(&mut v).unwrap());
    }

    #[test]
    fn uris() {
        let uri: Uri = "/a/b%00c?q=1".parse().unwrap();
        assert!(clean_uri(&uri).is_err());
        let uri: Uri = "/a/b?q=%E2%80%AEx&p=1".parse().unwrap();
        assert_eq!(
            clean_uri(&uri).unwrap().unwrap().to_string(),
            "/a/b?q=x&p=1"
        );
        let uri: Uri = "/a/b?q=x".parse().unwrap();
        assert!(clean_uri(&uri).unwrap().is_none());
        let uri: Uri = "/a/b?q=%00".parse().unwrap();
        assert!(message(clean_uri(&uri).unwrap_err()).starts_with("字段 q："));
    }
}
