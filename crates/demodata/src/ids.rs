//! Identifiers: 统一社会信用代码, old 15-digit 注册号, 身份证号, GS1 check digits and the
//! bijections that keep every generated key unique.
//!
//! Uniqueness comes from construction, not from a set: each identifier embeds a keyed bijection
//! ([`Perm`]) of a number that is unique in its file (an operator index, or a per-file
//! sequence), so keys look random yet never repeat while `n < m`.
//! [`crate::MAX_OPERATORS`] keeps every space large enough.

use meijian_domain::uscc::{org_code_check_char, Uscc, ALPHABET};

use crate::date::Date;
use crate::error::DemoDataError;
use crate::rng::Rng;

/// `31^6`: six characters of the USCC alphabet after `MA` / `MJ`.
const SPACE_NEW_BODY: u64 = 887_503_681;
/// Eight digits of a pre-2015 organisation code.
const SPACE_OLD_BODY: u64 = 100_000_000;
/// Seven digits of a 注册号 sequence.
const SPACE_REG_NO: u64 = 10_000_000;
/// 16,000 birth days × 1,000 sequence numbers of an ID card number.
const SPACE_ID_CARD: u64 = 16_000_000;

/// A bijection of `0..m`: a few invertible mixing rounds (xor-shift, multiply by an odd number,
/// xor with a key) on the smallest power of two above `m`, walked until the value falls inside
/// `0..m` ("cycle walking"). Keyed by the seed; consecutive inputs look unrelated.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Perm {
    m: u64,
    bits: u32,
    keys: [u64; 3],
}

impl Perm {
    pub(crate) fn new(m: u64, salt: u64) -> Perm {
        let bits = (64 - m.saturating_sub(1).leading_zeros()).max(2);
        let mut state = salt;
        let mut next = || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        let keys = [next(), next(), next()];
        Perm {
            m: m.max(1),
            bits,
            keys,
        }
    }

    fn mask(self) -> u64 {
        if self.bits >= 64 {
            u64::MAX
        } else {
            (1u64 << self.bits) - 1
        }
    }

    fn mix(self, mut x: u64) -> u64 {
        let mask = self.mask();
        let shift = self.bits / 2 + 1;
        for key in self.keys {
            x ^= x >> shift;
            x = x.wrapping_mul(key | 1) & mask;
            x ^= key & mask;
        }
        x
    }

    /// The image of `n` (taken modulo `m`).
    pub(crate) fn apply(self, n: u64) -> u64 {
        let mut x = n % self.m;
        loop {
            x = self.mix(x);
            if x < self.m {
                return x;
            }
        }
    }
}

/// The permutations of one run, salted by the seed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Perms {
    new_body: Perm,
    old_body: Perm,
    reg_no: Perm,
    id_card: Perm,
    /// For per-file sequences shown as 6, 8 or 10 digits.
    pub seq6: Perm,
    pub seq8: Perm,
    pub seq10: Perm,
}

impl Perms {
    pub(crate) fn new(rng: &mut Rng) -> Perms {
        Perms {
            new_body: Perm::new(SPACE_NEW_BODY, rng.next_u64()),
            old_body: Perm::new(SPACE_OLD_BODY, rng.next_u64()),
            reg_no: Perm::new(SPACE_REG_NO, rng.next_u64()),
            id_card: Perm::new(SPACE_ID_CARD, rng.next_u64()),
            seq6: Perm::new(1_000_000, rng.next_u64()),
            seq8: Perm::new(100_000_000, rng.next_u64()),
            seq10: Perm::new(10_000_000_000, rng.next_u64()),
        }
    }
}

/// How positions 9–16 (the organisation code body) look.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Body {
    /// Issued since the 2015 reform: `MA` (market) or `MJ` (民政) and six symbols.
    New(&'static str),
    /// A pre-2015 organisation code: eight digits.
    Old,
}

/// A valid USCC: `prefix` (91, 92, 12, 52), the registering authority's region, an organisation
/// code built from `n` (unique per code: operator index × 2 + version) and the check character.
pub(crate) fn uscc(
    perms: &Perms,
    prefix: &str,
    region: &str,
    body: Body,
    n: u64,
) -> Result<String, DemoDataError> {
    let org8 = match body {
        Body::New(lead) => format!("{lead}{}", base31(perms.new_body.apply(n), 6)),
        Body::Old => format!("{:08}", perms.old_body.apply(n)),
    };
    let check = org_code_check_char(&org8)
        .ok_or_else(|| DemoDataError::Internal(format!("organisation code body {org8}")))?;
    let first17 = format!("{prefix}{region}{org8}{check}");
    Uscc::from_body(&first17)
        .map(|u| u.as_str().to_string())
        .map_err(|e| DemoDataError::Internal(format!("USCC body {first17}: {e}")))
}

fn base31(mut v: u64, width: usize) -> String {
    let symbols: Vec<char> = ALPHABET.chars().collect();
    let mut out = vec!['0'; width];
    for slot in out.iter_mut().rev() {
        *slot = symbols[(v % 31) as usize];
        v /= 31;
    }
    out.into_iter().collect()
}

/// The code with one character changed: positions 3–8 stay digits. Always fails the check.
pub(crate) fn mistype(code: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = code.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let pos = rng.below(chars.len());
    let pool: Vec<char> = if (2..8).contains(&pos) {
        ('0'..='9').collect()
    } else {
        ALPHABET.chars().collect()
    };
    let old = chars[pos];
    let offset = 1 + rng.below(pool.len() - 1);
    let at = pool.iter().position(|&c| c == old).unwrap_or(0);
    chars[pos] = pool[(at + offset) % pool.len()];
    chars.into_iter().collect()
}

/// An old 15-digit 工商注册号 (GS 15-2006) of operator `index`: region, a type digit (0–3
/// enterprise, 6–9 individual), seven sequence digits and the ISO 7064 MOD 11,10 check.
pub(crate) fn registration_no(
    perms: &Perms,
    region: &str,
    individual: bool,
    index: u64,
    rng: &mut Rng,
) -> String {
    let kind = if individual {
        6 + rng.below(4)
    } else {
        rng.below(4)
    };
    let first14 = format!("{region}{kind}{:07}", perms.reg_no.apply(index));
    let check = mod_11_10(&first14);
    format!("{first14}{check}")
}

/// The same 注册号 scheme with the type digit fixed by the index, so every registry of a dense
/// run that shows an operator's old number shows the same one.
pub(crate) fn registration_no_fixed(
    perms: &Perms,
    region: &str,
    individual: bool,
    index: u64,
) -> String {
    let seq = perms.reg_no.apply(index);
    let kind = (seq % 4) + if individual { 6 } else { 0 };
    let first14 = format!("{region}{kind}{seq:07}");
    let check = mod_11_10(&first14);
    format!("{first14}{check}")
}

fn mod_11_10(digits: &str) -> u32 {
    let mut p = 10;
    for d in digits.chars().filter_map(|c| c.to_digit(10)) {
        let mut s = (p % 11 + d) % 10;
        if s == 0 {
            s = 10;
        }
        p = (2 * s) % 11;
    }
    (11 - p % 11) % 10
}

/// A 身份证号 (GB 11643) of the natural person behind operator `index`: region, a birth date in
/// 1960–2003, a sequence and the MOD 11-2 check. Unique per index.
pub(crate) fn id_card(perms: &Perms, region: &str, index: u64) -> String {
    let v = perms.id_card.apply(index);
    let birth = Date::jan1(1960).add_days((v / 1000) as i64);
    let first17 = format!("{region}{}{:03}", birth.compact(), v % 1000);
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .filter_map(|c| c.to_digit(10))
        .zip(WEIGHTS)
        .map(|(d, w)| d * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{first17}{check}")
}

/// `digits` followed by its GS1 check digit (weights 3, 1, 3 … from the right).
pub(crate) fn with_gs1_check(digits: &str) -> String {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { 3 * d } else { d })
        .sum();
    format!("{digits}{}", (10 - sum % 10) % 10)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn permutations_are_bijections() {
        for m in [1_000u64, 1_024, 31_u64.pow(3), 100_003] {
            let perm = Perm::new(m, m * 7);
            let mut seen = vec![false; m as usize];
            for n in 0..m {
                let v = perm.apply(n) as usize;
                assert!(!seen[v], "{m}: {n} collides");
                seen[v] = true;
            }
        }
    }

    #[test]
    fn codes_are_valid_and_distinct() {
        let mut rng = Rng::new(7);
        let perms = Perms::new(&mut rng);
        let mut seen = std::collections::HashSet::new();
        for n in 0..2000 {
            for (prefix, body) in [("91", Body::New("MA")), ("12", Body::Old)] {
                let code = uscc(&perms, prefix, "370402", body, n).unwrap();
                let parsed = Uscc::parse(&code).unwrap();
                assert!(parsed.org_code_is_valid(), "{code}");
                assert!(seen.insert(code.clone()));
                let bad = mistype(&code, &mut rng);
                assert_ne!(bad, code);
                assert!(Uscc::parse(&bad).is_err(), "{bad}");
            }
        }
    }

    #[test]
    fn check_digits_match_the_references() {
        assert_eq!(mod_11_10("11010500000000"), 4);
        assert_eq!(with_gs1_check("690123456789"), "6901234567892");
        assert_eq!(with_gs1_check("400638133393"), "4006381333931");
        assert_eq!(with_gs1_check("0001234560001"), "00012345600012");
    }

    #[test]
    fn id_cards_have_the_right_shape() {
        let mut rng = Rng::new(3);
        let perms = Perms::new(&mut rng);
        let id = id_card(&perms, "370403", 12);
        assert_eq!(id.len(), 18);
        assert!(id.starts_with("370403"));
    }
}
