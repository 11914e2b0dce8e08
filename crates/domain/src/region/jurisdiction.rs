//! 管辖范围: the subtree of regions under one root, by the GB/T 2260 prefix rule.
//!
//! A root ending in `0000` covers its 2-digit prefix, one ending in `00` its 4-digit prefix, any
//! other just itself. The rule needs no table, so it also scopes codes the table does not hold
//! (abolished codes inside old USCCs). A test checks over the whole embedded table that the rule
//! equals the table's parent links, so storage may scope a query with one index range
//! (`region_code BETWEEN lo AND hi`, from [`Jurisdiction::code_range`]).

use serde::{Deserialize, Serialize};

use super::RegionCode;

/// 管辖范围: the region `root` and everything under it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Jurisdiction {
    root: RegionCode,
}

impl Jurisdiction {
    /// The jurisdiction rooted at `root`.
    pub fn new(root: RegionCode) -> Jurisdiction {
        Jurisdiction { root }
    }

    /// The root region.
    pub fn root(&self) -> &RegionCode {
        &self.root
    }

    /// Whether `code` is the root or lies under it.
    pub fn contains(&self, code: &RegionCode) -> bool {
        code.as_str().starts_with(self.root.prefix())
    }

    /// Inclusive bounds `(lo, hi)` such that a 6-digit code `c` is in the jurisdiction iff
    /// `lo <= c && c <= hi` as strings.
    pub fn code_range(&self) -> (String, String) {
        let prefix = self.root.prefix();
        (format!("{prefix:0<6}"), format!("{prefix:9<6}"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::region::RegionTable;
    use proptest::prelude::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn ranges_of_each_level() {
        let cases = [
            ("370000", "370000", "379999"),
            ("370400", "370400", "370499"),
            ("370402", "370402", "370402"),
            ("110100", "110100", "110199"),
        ];
        for (root, lo, hi) in cases {
            let j = Jurisdiction::new(code(root));
            assert_eq!(j.code_range(), (lo.to_owned(), hi.to_owned()));
            assert_eq!(j.root(), &code(root));
        }
        let zaozhuang = Jurisdiction::new(code("370400"));
        assert!(zaozhuang.contains(&code("370402")));
        assert!(zaozhuang.contains(&code("370401")));
        assert!(!zaozhuang.contains(&code("370000")));
        assert!(!zaozhuang.contains(&code("370502")));
        assert!(!Jurisdiction::new(code("370402")).contains(&code("370403")));
    }

    /// For every pair of regions of the embedded table: `contains` equals "root is the region
    /// or one of its ancestors by the table's parent links", and equals the range test.
    #[test]
    fn prefix_rule_equals_table_ancestry_over_the_whole_table() {
        let table = RegionTable::embedded();
        assert!(table.len() > 3000);
        let lineage: Vec<(&str, Vec<&str>)> = table
            .iter()
            .map(|x| {
                let mut up: Vec<&str> = table
                    .ancestors(&x.code)
                    .iter()
                    .map(|a| a.code.as_str())
                    .collect();
                up.push(x.code.as_str());
                (x.code.as_str(), up)
            })
            .collect();
        let mut pairs_inside = 0usize;
        for r in table.iter() {
            let j = Jurisdiction::new(r.code.clone());
            let (lo, hi) = j.code_range();
            for (x, (x_str, up)) in table.iter().zip(&lineage) {
                let by_table = up.contains(&r.code.as_str());
                let by_rule = j.contains(&x.code);
                let by_range = lo.as_str() <= *x_str && *x_str <= hi.as_str();
                assert_eq!(by_rule, by_table, "root {} code {}", r.code, x.code);
                assert_eq!(by_range, by_table, "root {} code {}", r.code, x.code);
                pairs_inside += usize::from(by_table);
            }
        }
        // Each region is inside its own jurisdiction and those of its ancestors.
        let expected: usize = lineage.iter().map(|(_, up)| up.len()).sum();
        assert_eq!(pairs_inside, expected);
    }

    proptest! {
        /// For arbitrary codes (in the table or not): rule, range and an arithmetic statement of
        /// the prefix rule agree.
        #[test]
        fn rule_and_range_agree_on_any_code(root in 0u32..1_000_000, x in 0u32..1_000_000,
                                            zero_tail in 0u32..3) {
            // Bias roots towards province / city codes so all three cases are exercised.
            let root = match zero_tail {
                0 => root / 10_000 * 10_000,
                1 => root / 100 * 100,
                _ => root,
            };
            let j = Jurisdiction::new(code(&format!("{root:06}")));
            let xc = code(&format!("{x:06}"));
            let (lo, hi) = j.code_range();
            let arithmetic = if root % 10_000 == 0 {
                x / 10_000 == root / 10_000
            } else if root % 100 == 0 {
                x / 100 == root / 100
            } else {
                x == root
            };
            prop_assert_eq!(j.contains(&xc), arithmetic);
            prop_assert_eq!(lo.as_str() <= xc.as_str() && xc.as_str() <= hi.as_str(), arithmetic);
        }
    }
}
