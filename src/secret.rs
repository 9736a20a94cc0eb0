//! Secrets from the operating system's random source, and their hashes: a
//! store's tracking-code key and the API keys of Open311 clients. Nothing
//! else in citydesk draws random numbers for security.
//!
//! API keys are 32 random bytes, shown once as 64 hex digits and stored only
//! as their SHA-256. A password needs a slow, salted hash (argon2) because
//! people choose guessable ones; a key of 256 random bits cannot be guessed,
//! so a fast hash loses nothing, lets the server find a key by its hash with
//! one index lookup per request, and costs microseconds instead of argon2's
//! tens of milliseconds of CPU on every POST.

use sha2::{Digest, Sha256};

/// Random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], String> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|e| {
        format!(
            "the operating system's random source failed ({e}); try again, and check /dev/urandom"
        )
    })?;
    Ok(buf)
}

/// A random 64-bit number that is not zero.
pub fn random_u64() -> Result<u64, String> {
    loop {
        let n = u64::from_le_bytes(random_bytes::<8>()?);
        if n != 0 {
            return Ok(n);
        }
    }
}

/// A new API key: 32 random bytes as 64 lower-case hex digits.
pub fn new_api_key() -> Result<String, String> {
    Ok(hex(&random_bytes::<32>()?))
}

/// What the store keeps of an API key: its SHA-256, in hex.
pub fn key_hash(key: &str) -> String {
    hex(&Sha256::digest(key.trim().as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_and_hashed() {
        let a = new_api_key().unwrap();
        let b = new_api_key().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(key_hash(&a), key_hash(&format!(" {a}\n")));
        assert_eq!(
            key_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(random_u64().unwrap(), 0);
    }
}
