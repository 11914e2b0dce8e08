//! What a run produced: rows per file, operators per true class, and how often each kind of
//! noise was applied against the rate the crate documents.

use std::fmt;

use crate::noise_kind::NoiseKind;
use crate::Profile;

/// An operator's true class (DATA.md, 证照比对结果).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TrueClass {
    /// 有证有照: a live registration and a valid, unexpired license.
    Licensed,
    /// 有照无证: a live registration, in scope, no valid license.
    RegisteredUnlicensed,
    /// 无照无证: in scope, neither.
    Neither,
    /// 有证无照: a valid license and no live registration.
    LicensedUnregistered,
    /// Nothing to do with medical aesthetics: empty 分类.
    OutOfScope,
}

impl TrueClass {
    /// All classes, in report order.
    pub const ALL: [TrueClass; 5] = [
        TrueClass::Licensed,
        TrueClass::RegisteredUnlicensed,
        TrueClass::Neither,
        TrueClass::LicensedUnregistered,
        TrueClass::OutOfScope,
    ];

    /// The 分类 value written to the ground truth: empty when out of scope.
    pub fn label(self) -> &'static str {
        match self {
            TrueClass::Licensed => "有证有照",
            TrueClass::RegisteredUnlicensed => "有照无证",
            TrueClass::Neither => "无照无证",
            TrueClass::LicensedUnregistered => "有证无照",
            TrueClass::OutOfScope => "",
        }
    }

    /// A name for reports: the label, or 范围外 when out of scope.
    pub fn name_zh(self) -> &'static str {
        match self {
            TrueClass::OutOfScope => "范围外",
            other => other.label(),
        }
    }
}

/// How often one kind of noise was applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoiseCount {
    pub kind: NoiseKind,
    /// Records (or operators) where the noise could apply.
    pub eligible: usize,
    /// Where it was applied.
    pub applied: usize,
}

impl NoiseCount {
    /// `applied / eligible`, 0 when nothing was eligible.
    pub fn rate(&self) -> f64 {
        if self.eligible == 0 {
            0.0
        } else {
            self.applied as f64 / self.eligible as f64
        }
    }
}

/// The outcome of [`crate::generate`].
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub operators: usize,
    /// The profile the run used.
    pub profile: Profile,
    /// Data rows per file (header not counted), in [`crate::schema::ALL_FILES`] order.
    pub rows: Vec<(&'static str, usize)>,
    /// Operators per true class, in [`TrueClass::ALL`] order.
    pub classes: Vec<(TrueClass, usize)>,
    /// Noise applied, in [`NoiseKind::ALL`] order, for the kinds the profile draws
    /// ([`NoiseKind::of`]).
    pub noise: Vec<NoiseCount>,
}

impl Summary {
    /// Data rows written to a file, by file name (0 for an unknown name).
    pub fn rows_of(&self, file_name: &str) -> usize {
        self.rows
            .iter()
            .find(|(name, _)| *name == file_name)
            .map_or(0, |&(_, n)| n)
    }

    /// Operators of a true class.
    pub fn operators_of(&self, class: TrueClass) -> usize {
        self.classes
            .iter()
            .find(|(c, _)| *c == class)
            .map_or(0, |&(_, n)| n)
    }

    /// The rate documented for one kind in this run's profile ([`NoiseKind::rate_in`]).
    pub fn documented_rate(&self, kind: NoiseKind) -> f64 {
        kind.rate_in(self.profile)
    }

    /// The count of one kind of noise.
    pub fn noise_of(&self, kind: NoiseKind) -> Option<NoiseCount> {
        self.noise.iter().find(|n| n.kind == kind).copied()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "operators: {}", self.operators)?;
        if self.profile == Profile::Dense {
            writeln!(f, "profile: dense")?;
        }
        for (name, rows) in &self.rows {
            writeln!(f, "  {name:<24} {rows:>10} rows")?;
        }
        for (class, n) in &self.classes {
            let share = 100.0 * *n as f64 / self.operators.max(1) as f64;
            writeln!(
                f,
                "  {:<8} {n:>10} operators ({share:.2}%)",
                class.name_zh()
            )?;
        }
        for count in &self.noise {
            writeln!(
                f,
                "  noise {:<26} {:>9}/{:<9} = {:.4} (documented {:.4})",
                count.kind.code(),
                count.applied,
                count.eligible,
                count.rate(),
                count.kind.rate_in(self.profile)
            )?;
        }
        Ok(())
    }
}
