//! Passwords: argon2id hashes in PHC string form, never the password itself.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 8;

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(format!(
            "the password is too short: use at least {MIN_PASSWORD} characters"
        ));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// Whether `password` matches the stored hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash_password("گذرواژه-امن").unwrap();
        let b = hash_password("گذرواژه-امن").unwrap();
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert!(verify_password("گذرواژه-امن", &a));
        assert!(!verify_password("wrong password", &a));
        assert!(hash_password("short").is_err());
    }
}
