//! XLSX downloads. The workbooks themselves are written by `meijian-exports` (decision 0015):
//! every cell a string or a plain number, never a formula; over-long texts cut with a mark; a
//! bold frozen header; columns as wide as their content.

use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::error::AppError;

/// An export that failed to write, as the 500 it is.
pub fn failed(e: meijian_exports::Error) -> AppError {
    AppError::Internal(format!("xlsx: {e}"))
}

/// An XLSX download named `file_name` (Chinese names kept, RFC 5987).
pub fn download(file_name: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                crate::pages::registries::attachment(file_name),
            ),
        ],
        bytes,
    )
        .into_response()
}
