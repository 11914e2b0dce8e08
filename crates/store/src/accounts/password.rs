//! Passwords: argon2id hashes (PHC strings) and the password policy.
//!
//! The policy follows the 等保 2.0 default that government deployments are assessed against
//! (length and three of four character classes) while keeping the ASVS points that do not
//! conflict with it: no truncation, long passwords allowed, no username inside.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::Rng;

use crate::StoreError;

/// Hashes with argon2id and the crate's default (OWASP baseline) parameters.
pub fn hash(password: &str) -> Result<String, StoreError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Other(format!("密码哈希失败：{e}")))
}

/// Whether `password` matches the stored PHC string.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A fixed argon2id hash that no password matches, for [`verify_dummy`].
const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0UqLJ0E0VDB4vgU7RyX4T8c6O0kTdn3xfQ4q0m6n0i8";

/// Spends the time of one verification, so that an unknown username takes as long as a
/// wrong password.
pub fn verify_dummy(password: &str) {
    let _ = verify(password, DUMMY);
}

/// Checks a new password; the error says what is wrong, in Chinese.
pub fn check_policy(password: &str, username: &str, min_len: usize) -> Result<(), StoreError> {
    let len = password.chars().count();
    if len < min_len {
        return Err(StoreError::invalid(
            "密码",
            format!("至少需要 {min_len} 个字符"),
        ));
    }
    if len > 128 {
        return Err(StoreError::invalid("密码", "不能超过 128 个字符"));
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|x| **x).count() < 3 {
        return Err(StoreError::invalid(
            "密码",
            "需包含小写字母、大写字母、数字、符号中的至少三类",
        ));
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return Err(StoreError::invalid("密码", "不能包含用户名"));
    }
    Ok(())
}

/// A random password that satisfies the policy: for new accounts and the demo, shown once.
pub fn generate() -> String {
    const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGIT: &[u8] = b"23456789";
    const SYMBOL: &[u8] = b"-_.!@#";
    let mut rng = rand::thread_rng();
    let mut pick = |set: &[u8]| char::from(set[rng.gen_range(0..set.len())]);
    let mut out = String::new();
    for i in 0..14 {
        out.push(match i % 7 {
            0 | 3 => pick(UPPER),
            2 | 5 => pick(DIGIT),
            6 => pick(SYMBOL),
            _ => pick(LOWER),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify_and_no_truncation() {
        let pw = "Correct-Horse-9";
        let h = hash(pw).unwrap_or_default();
        assert!(h.starts_with("$argon2id$"), "argon2id PHC string: {h}");
        assert!(verify(pw, &h));
        assert!(!verify("Correct-Horse-9x", &h));
        assert!(!verify("Correct-Horse-", &h));
    }

    #[test]
    fn dummy_hash_is_a_real_argon2id_hash() {
        // If it did not parse, unknown usernames would answer faster than wrong passwords.
        assert!(PasswordHash::new(DUMMY).is_ok());
    }

    #[test]
    fn policy_rejects_weak_and_accepts_generated() {
        assert!(check_policy("Ab1-", "u", 10).is_err());
        assert!(check_policy("abcdefghijkl", "u", 10).is_err());
        assert!(check_policy("Zhangsan-2026", "zhangsan", 10).is_err());
        assert!(check_policy("Zaozhuang-2026", "zhangsan", 10).is_ok());
        for _ in 0..50 {
            let p = generate();
            assert!(check_policy(&p, "admin", 10).is_ok(), "{p}");
        }
    }
}
