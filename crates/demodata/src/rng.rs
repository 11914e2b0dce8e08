//! The seeded random source and the few draws the generator needs.
//!
//! One ChaCha8 stream per run, seeded from `Options::seed`, drawn in a fixed order: the same
//! options give the same files byte for byte. Nothing here reads the clock or the OS entropy.

use rand::{Rng as _, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::date::Date;

/// The generator's random source.
pub(crate) struct Rng(ChaCha8Rng);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(ChaCha8Rng::seed_from_u64(seed))
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.0.gen::<f64>() < p
    }

    /// A number in `0..n`; `n` must be positive.
    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0.gen_range(0..n.max(1))
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u32, hi: u32) -> u32 {
        self.0.gen_range(lo..=hi.max(lo))
    }

    /// A raw 64-bit draw.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0.gen()
    }

    /// One element of a non-empty slice.
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index drawn with the given integer weights (not all zero).
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut draw = self.0.gen_range(0..total.max(1));
        for (i, &w) in weights.iter().enumerate() {
            if draw < u64::from(w) {
                return i;
            }
            draw -= u64::from(w);
        }
        weights.len().saturating_sub(1)
    }

    /// A date in `from..=to`.
    pub(crate) fn date(&mut self, from: Date, to: Date) -> Date {
        let (a, b) = (from.days(), to.days());
        if b <= a {
            return from;
        }
        Date::from_days(self.0.gen_range(a..=b))
    }

    /// `k` distinct indices of `0..n` (`k <= n`), in drawn order.
    pub(crate) fn distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut pool: Vec<usize> = (0..n).collect();
        let mut out = Vec::with_capacity(k.min(n));
        for _ in 0..k.min(n) {
            let i = self.below(pool.len());
            out.push(pool.swap_remove(i));
        }
        out
    }
}
