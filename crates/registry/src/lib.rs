//! Registry files of DATA.md (登记表文件): what each registry holds, and reading its exports.
//!
//! [`spec`] describes the eight registries as data (headers, aliases, keys, field kinds);
//! [`open`] reads a CSV (UTF-8 with or without BOM, GBK/GB18030, UTF-16 with BOM; comma or
//! tab) or XLSX file of one registry and streams [`ParsedRow`]s: normalised [`Record`]s and
//! [`Rejection`]s with line, column and a Chinese reason. This crate knows nothing about the
//! database: duplicate keys, history and linkage belong to the import engine.

mod error;
mod normalise;
mod read;
mod row;
pub mod spec;

pub use error::FileError;
pub use normalise::{half_width, parse_date, DateError, Normalised, OPEN_ENDED_DATE};
pub use read::{
    open, open_table, FileFormat, ProgressUnit, ReadOptions, RowReader, MAX_COMPRESSION_RATIO,
    MAX_RECORD_BYTES, MAX_SHARED_STRINGS_BYTES, MAX_UNCOMPRESSED_BYTES, MAX_ZIP_ENTRIES,
    RATIO_CHECK_FLOOR, SHARED_STRINGS_IN_MEMORY_BYTES,
};
pub use row::{ParsedRow, Record, Rejection};
pub use spec::{FieldKind, FieldSpec, RegistryKind, RegistrySpec, TableSpec};
