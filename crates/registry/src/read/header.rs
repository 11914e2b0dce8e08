//! Header mapping (表头映射): which file column is which field of the registry.
//!
//! A header cell matches a field by its Chinese header or English alias (see
//! [`RegistrySpec::field_for_header`]); any order. Unknown headers become extra attributes, kept
//! by their text; blank header cells are unnamed columns. Two columns for one field, or an
//! extra header given twice, are a file error; so is a missing required field.

use std::collections::HashMap;

use super::raw::escape_nul;
use crate::error::FileError;
use crate::spec::{normalise_header, FieldSpec, TableSpec};

/// What one column of the file holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Column {
    Field(&'static FieldSpec),
    /// An unknown header: kept in [`crate::Record::extras`] under this text.
    Extra(String),
    /// A blank header cell: values go to extras as `第N列`.
    Unnamed,
}

/// The columns of a file, in file order.
#[derive(Clone, Debug)]
pub(crate) struct HeaderMap {
    /// The header cells as found (BOM and surrounding whitespace removed).
    pub headers: Vec<String>,
    pub columns: Vec<Column>,
}

/// A header cell without BOM and surrounding (also full-width) whitespace.
pub(crate) fn clean_header(cell: &str) -> String {
    cell.trim_matches(|c: char| c == '\u{feff}' || c.is_whitespace())
        .to_owned()
}

/// Maps the header cells of a file onto the layout's fields.
pub(crate) fn map_headers(spec: TableSpec, cells: &[String]) -> Result<HeaderMap, FileError> {
    if let Some((index, cell)) = cells.iter().enumerate().find(|(_, c)| c.contains('\0')) {
        return Err(FileError::HeaderNul {
            column: index + 1,
            header: escape_nul(&clean_header(cell)),
        });
    }
    let headers: Vec<String> = cells.iter().map(|c| clean_header(c)).collect();
    let mut columns = Vec::with_capacity(headers.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, header) in headers.iter().enumerate() {
        if header.is_empty() {
            columns.push(Column::Unnamed);
            continue;
        }
        let (identity, column) = match spec.field_for_header(header) {
            Some(field) => (format!("field:{}", field.name), Column::Field(field)),
            None => (
                format!("extra:{}", normalise_header(header)),
                Column::Extra(header.clone()),
            ),
        };
        if let Some(first) = seen.insert(identity, index) {
            return Err(FileError::DuplicateHeader {
                header: header.clone(),
                first: first + 1,
                second: index + 1,
            });
        }
        columns.push(column);
    }
    let missing: Vec<String> = spec
        .fields
        .iter()
        .filter(|f| f.required && !columns.contains(&Column::Field(f)))
        .map(describe)
        .collect();
    if !missing.is_empty() {
        return Err(FileError::Headers {
            expected: spec.fields.iter().map(describe).collect(),
            found: headers.iter().filter(|h| !h.is_empty()).cloned().collect(),
            missing,
        });
    }
    Ok(HeaderMap { headers, columns })
}

/// `统一社会信用代码（uscc）`.
fn describe(field: &FieldSpec) -> String {
    format!("{}（{}）", field.header, field.name)
}

impl HeaderMap {
    /// The headers of the extra columns, in file order.
    pub(crate) fn extra_columns(&self) -> Vec<&str> {
        self.columns
            .iter()
            .filter_map(|c| match c {
                Column::Extra(name) => Some(name.as_str()),
                _ => None,
            })
            .collect()
    }
}
