//! From a raw row to a [`ParsedRow`] (行校验): width check, per-field normalisation, the
//! record key. The first problem in file column order rejects the row; warnings never do.

use std::collections::BTreeMap;

use super::header::{Column, HeaderMap};
use super::raw::{RawField, RawRow};
use crate::row::{ParsedRow, Record, Rejection};
use crate::spec::{FieldKind, TableSpec};

/// Longest value shown for a whole-row rejection.
const PREVIEW_CHARS: usize = 200;

/// Validates one non-blank row. `xlsx` rows may be shorter than the header (Excel leaves out
/// trailing empty cells); CSV rows must have exactly as many fields as the header.
pub(crate) fn validate(spec: TableSpec, map: &HeaderMap, mut row: RawRow, xlsx: bool) -> ParsedRow {
    // Every field of every data row passes here, from either source: a NUL rejects its row.
    for field in &mut row.fields {
        field.reject_nul();
    }
    let width = map.columns.len();
    if xlsx {
        while row.fields.len() > width && row.fields.last().is_some_and(RawField::is_blank) {
            row.fields.pop();
        }
        if row.fields.len() < width {
            row.fields.resize(width, RawField::Text(String::new()));
        }
    }
    if row.fields.len() != width {
        let reason = if xlsx {
            format!("本行第{}列有数据，但表头只有{width}列", row.fields.len())
        } else {
            format!(
                "本行有{}列，表头有{width}列；请检查分隔符，以及含逗号或换行的字段是否用英文双引号括起",
                row.fields.len()
            )
        };
        return reject(row.line, "", preview(&row), reason);
    }
    let mut fields = BTreeMap::new();
    let mut extras = BTreeMap::new();
    let mut warnings = Vec::new();
    for (index, (raw, column)) in row.fields.iter().zip(&map.columns).enumerate() {
        let header = map.headers.get(index).map_or("", String::as_str);
        let Some(text) = raw.text() else {
            if let RawField::Bad { shown, reason } = raw {
                return reject(row.line, header, shown.clone(), reason.clone());
            }
            continue;
        };
        match column {
            Column::Unnamed if !text.trim().is_empty() => {
                extras.insert(format!("第{}列", index + 1), text.trim().to_owned());
            }
            Column::Unnamed => {}
            Column::Extra(name) => {
                if !text.trim().is_empty() {
                    extras.insert(name.clone(), text.trim().to_owned());
                }
            }
            Column::Field(field) => match field.normalise(text) {
                Ok(Some(value)) => {
                    if let Some(warning) = value.warning {
                        warnings.push(with_number_hint(warning, raw, field.kind));
                    }
                    fields.insert(field.name, value.value);
                }
                Ok(None) if field.required => {
                    let reason = if field.name == spec.key {
                        format!("{}为空：这是本表的记录键，不能为空", field.header)
                    } else {
                        format!("{}不能为空", field.header)
                    };
                    return reject(row.line, header, text.to_owned(), reason);
                }
                Ok(None) => {}
                Err(reason) => {
                    let reason = with_number_hint(reason, raw, field.kind);
                    return reject(row.line, header, text.trim().to_owned(), reason);
                }
            },
        }
    }
    let Some(key) = fields.get(spec.key).cloned() else {
        return reject(row.line, "", preview(&row), "没有记录键".to_owned());
    };
    ParsedRow::Ok(Record {
        line: row.line,
        key,
        fields,
        extras,
        warnings,
    })
}

fn reject(line: u64, column: &str, value: String, reason: String) -> ParsedRow {
    ParsedRow::Rejected(Rejection {
        line,
        column: column.to_owned(),
        value,
        reason,
    })
}

/// Excel keeps 15 significant digits: a long code stored as a number is already damaged.
fn with_number_hint(message: String, raw: &RawField, kind: FieldKind) -> String {
    let code_like = matches!(
        kind,
        FieldKind::UsccKey | FieldKind::UsccReported | FieldKind::Code
    );
    match raw {
        RawField::Number(digits) if code_like && digits.len() > 15 => format!(
            "{message}（该单元格在 Excel 中是数字，超过15位的数字已丢失精度，请把该列设为文本格式后重新导出）"
        ),
        _ => message,
    }
}

/// The row's fields joined by commas, cut to [`PREVIEW_CHARS`].
fn preview(row: &RawRow) -> String {
    let joined: Vec<&str> = row.fields.iter().map(RawField::shown).collect();
    let joined = joined.join(",");
    if joined.chars().count() > PREVIEW_CHARS {
        let cut: String = joined.chars().take(PREVIEW_CHARS).collect();
        format!("{cut}…")
    } else {
        joined
    }
}
