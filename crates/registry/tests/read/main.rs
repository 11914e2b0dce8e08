//! Integration tests of reading registry files: one binary, fixtures generated per test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod csv_format;
mod detect;
mod encodings;
mod fields;
mod headers;
mod nul;
mod props;
mod tables;
mod volume;
mod xlsx;
