//! The one error type of the generator. Messages are for users, in Chinese.
//!
//! Generation never panics: bad options are refused before any file is written, and an I/O
//! failure names the file it happened on.

use std::path::PathBuf;

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum DemoDataError {
    /// The city code is not six digits or not in the embedded region table.
    #[error("城市代码“{0}”不是行政区划表中的有效代码")]
    UnknownCity(String),
    /// The city has no county-level children to place operators in.
    #[error("城市“{0}”在行政区划表中没有下辖区县")]
    NoDistricts(String),
    /// More operators than the identifier schemes can keep unique.
    #[error("主体数量{found}超出上限{max}")]
    TooManyOperators { found: usize, max: usize },
    /// `as_of` is not a calendar date.
    #[error("基准日期无效：{0}-{1}-{2}")]
    InvalidDate(i32, u8, u8),
    /// Creating or writing an output file failed.
    #[error("写入文件“{}”失败：{source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A code built by the generator failed its own check: a bug.
    #[error("内部错误：{0}")]
    Internal(String),
}
