//! The storage error type. Its messages are safe to show: they never carry SQL, passwords or
//! personal data; the underlying cause is kept for the logs.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The database could not be reached; names the host, never the password.
    #[error("无法连接数据库 {target}：{reason}")]
    Unreachable { target: String, reason: String },
    /// Not found, or not within the caller's scope: the two are deliberately the same answer.
    #[error("记录不存在")]
    NotFound,
    /// The caller's role does not allow this action.
    #[error("没有权限执行此操作")]
    Forbidden,
    /// Input that breaks a rule; the message says which field and why, in Chinese.
    #[error("{field}：{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// A unique value is already taken (username, department of a kind at a region).
    #[error("{field}：{message}")]
    Conflict {
        field: &'static str,
        message: String,
    },
    #[error("数据库迁移失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("数据库错误")]
    Database(#[from] sqlx::Error),
    /// A stored value this build cannot read: an unknown code or a malformed time. Never
    /// defaulted silently; the message names the table, the row and the column for the logs
    /// (the web layer answers 500 without it).
    #[error("{table} 表 {id} 行的 {column} 无法读取：“{value}”")]
    Corrupt {
        table: &'static str,
        id: String,
        column: &'static str,
        value: String,
    },
    #[error("{0}")]
    Other(String),
}

impl StoreError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid {
            field,
            message: message.into(),
        }
    }

    /// True when the database refused a duplicate value (unique constraint).
    pub fn is_unique_violation(err: &sqlx::Error) -> bool {
        match err {
            sqlx::Error::Database(db) => {
                matches!(db.kind(), sqlx::error::ErrorKind::UniqueViolation)
                    || db.message().contains("UNIQUE constraint failed")
            }
            _ => false,
        }
    }
}
