//! Shared helpers of the integration tests: one generated data set per test binary, and CSV
//! reading through the `csv` crate (an independent reader of what the generator wrote).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use meijian_demodata::{generate, Options, Summary};

/// The five cross-check registries and their key columns (DATA.md).
pub const KEYED: [(&str, &str); 5] = [
    ("registrations", "统一社会信用代码"),
    ("licenses", "登记号"),
    ("salon_filings", "备案编号"),
    ("platform_merchants", "店铺链接"),
    ("tax", "纳税人识别号"),
];

/// A generated data set on disk.
pub struct DataSet {
    pub dir: PathBuf,
    pub summary: Summary,
}

/// Generates `operators` operators (seed 1) into a directory named `name` (and the process id)
/// under the target's temporary directory, once per test process.
pub fn data_set(
    cell: &'static OnceLock<DataSet>,
    name: &str,
    operators: usize,
) -> &'static DataSet {
    let opts = Options {
        operators,
        ..Options::default()
    };
    data_set_with(cell, name, opts)
}

/// Generates a data set of `opts` into a directory named `name` (and the process id), once per
/// test process.
pub fn data_set_with(
    cell: &'static OnceLock<DataSet>,
    name: &str,
    opts: Options,
) -> &'static DataSet {
    cell.get_or_init(|| {
        // One directory per process: nextest runs each test in a process of its own, at once.
        let dir =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
        let summary = generate(&opts, &dir, &mut |_| {}).expect("generation succeeds");
        DataSet { dir, summary }
    })
}

/// A file's header and rows, each row a map from header to value.
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<HashMap<String, String>>,
}

impl Table {
    pub fn column<'a>(&'a self, header: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.rows.iter().map(move |r| r[header].as_str())
    }
}

/// Reads `dir/<stem>.csv` strictly: UTF-8, no BOM, every row as wide as the header.
pub fn read(dir: &Path, stem: &str) -> Table {
    let path = dir.join(format!("{stem}.csv"));
    let bytes = std::fs::read(&path).unwrap();
    assert!(!bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "{stem}: no BOM");
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(bytes.as_slice());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows = reader
        .records()
        .map(|r| {
            let r = r.unwrap_or_else(|e| panic!("{stem}: {e}"));
            headers
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect()
        })
        .collect();
    Table { headers, rows }
}
