//! A minimal streaming CSV writer: UTF-8, comma separated, header first, `\n` line ends.
//!
//! A field is quoted when it holds a comma, a quote or a line break (quotes doubled), as RFC 4180
//! says; everything else is written as is. Rows go through a large `BufWriter` and are never
//! kept.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::error::DemoDataError;
use crate::schema::FileSpec;

/// One output file being written.
pub(crate) struct CsvFile {
    path: PathBuf,
    out: BufWriter<File>,
    rows: usize,
    width: usize,
}

impl CsvFile {
    /// Creates (or truncates) `dir/spec.file_name` and writes the header line.
    pub(crate) fn create(dir: &Path, spec: &FileSpec) -> Result<CsvFile, DemoDataError> {
        let path = dir.join(spec.file_name);
        let file = File::create(&path).map_err(|source| DemoDataError::Io {
            path: path.clone(),
            source,
        })?;
        let mut csv = CsvFile {
            path,
            out: BufWriter::with_capacity(1 << 18, file),
            rows: 0,
            width: spec.headers.len(),
        };
        csv.write_fields(spec.headers)?;
        Ok(csv)
    }

    /// Writes one data row; `fields` must have one value per header.
    pub(crate) fn row(&mut self, fields: &[&str]) -> Result<(), DemoDataError> {
        if fields.len() != self.width {
            return Err(DemoDataError::Internal(format!(
                "{}: row of {} fields for {} headers",
                self.path.display(),
                fields.len(),
                self.width
            )));
        }
        self.rows += 1;
        self.write_fields(fields)
    }

    fn write_fields(&mut self, fields: &[&str]) -> Result<(), DemoDataError> {
        let mut result = Ok(());
        for (i, field) in fields.iter().enumerate() {
            if result.is_err() {
                break;
            }
            if i > 0 {
                result = self.out.write_all(b",");
            }
            if result.is_ok() {
                result = write_field(&mut self.out, field);
            }
        }
        result = result.and_then(|()| self.out.write_all(b"\n"));
        result.map_err(|source| DemoDataError::Io {
            path: self.path.clone(),
            source,
        })
    }

    /// Flushes the file and returns the number of data rows.
    pub(crate) fn finish(mut self) -> Result<usize, DemoDataError> {
        self.out.flush().map_err(|source| DemoDataError::Io {
            path: self.path.clone(),
            source,
        })?;
        Ok(self.rows)
    }
}

fn write_field(out: &mut impl Write, field: &str) -> std::io::Result<()> {
    if field.contains([',', '"', '\n', '\r']) {
        out.write_all(b"\"")?;
        out.write_all(field.replace('"', "\"\"").as_bytes())?;
        out.write_all(b"\"")
    } else {
        out.write_all(field.as_bytes())
    }
}
