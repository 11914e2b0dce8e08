//! File-level errors (文件错误): the whole file cannot be read, so no row is imported.
//!
//! Policy: a problem confined to one row is never a `FileError` but a [`crate::Rejection`]; only
//! what makes every row meaningless (wrong format, undecodable or wrong header, a ZIP over the
//! limits, an unreadable file) ends up here. Messages are for users, in Chinese, and say what was
//! found and what to do.

use std::io;
use std::path::PathBuf;

/// Why a registry file cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be opened or read.
    #[error("无法读取文件“{}”：{source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// Zero bytes, or no row with any content.
    #[error("文件为空：没有找到表头行")]
    Empty,
    /// The content is neither a CSV text file nor an XLSX workbook; `found` says what it is.
    #[error(
        "不是 CSV 或 XLSX 文件，识别为：{found}。请在 Excel 或 WPS 中另存为 XLSX 或 CSV 后再导入"
    )]
    NotCsvOrXlsx { found: String },
    /// The XLSX (a ZIP) exceeds the unpacking limits; checked before anything is unpacked.
    #[error("XLSX 文件超出解压限制，已拒绝读取：{detail}")]
    ArchiveLimit { detail: String },
    /// calamine could not read the workbook or the sheet.
    #[error("无法读取 XLSX 工作簿：{detail}")]
    Xlsx { detail: String },
    /// The requested sheet does not exist.
    #[error("工作表“{requested}”不存在；文件中的工作表：{}", available.join("、"))]
    Sheet {
        requested: String,
        available: Vec<String>,
    },
    /// [`crate::ReadOptions::encoding`] names an encoding this reader does not support.
    #[error("不支持的编码“{label}”，可选：utf-8、gbk、gb18030、utf-16le、utf-16be")]
    UnknownEncoding { label: String },
    /// The header row does not decode in the encoding used; `guessed` names it.
    #[error("表头无法按 {guessed} 解码（{detail}），文件的编码可能不是 {guessed}。请用 --encoding gbk、--encoding gb18030 或 --encoding utf-8 指定编码后重试")]
    Encoding { guessed: String, detail: String },
    /// Required headers are missing.
    #[error("表头缺少必需的列：{}。应有的列（中文表头或英文别名）：{}；文件中的列：{}", missing.join("、"), expected.join("、"), list_or_none(found))]
    Headers {
        /// Every header of the registry, `中文（alias）`, in the order of DATA.md.
        expected: Vec<String>,
        /// The header cells of the file, as found.
        found: Vec<String>,
        /// The required headers not found, `中文（alias）`.
        missing: Vec<String>,
    },
    /// A header cell holds a NUL character (U+0000); `header` shows it as `\u{0000}`.
    #[error("表头第{column}列“{header}”含有不可见的控制字符 NUL（U+0000），请删除后重新导入")]
    HeaderNul {
        /// 1-based column number.
        column: usize,
        header: String,
    },
    /// Two columns map to the same field, or an extra column's header appears twice.
    #[error("表头“{header}”重复：第{first}列和第{second}列是同一列")]
    DuplicateHeader {
        header: String,
        /// 1-based column numbers.
        first: usize,
        second: usize,
    },
}

fn list_or_none(found: &[String]) -> String {
    if found.is_empty() {
        "（无）".to_owned()
    } else {
        found.join("、")
    }
}

impl FileError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> FileError {
        FileError::Io {
            path: path.into(),
            source,
        }
    }
}
