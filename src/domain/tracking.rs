//! Tracking codes: nine digits a citizen can note down and read back over the
//! phone. The first eight digits are the case's serial number passed through a
//! keyed permutation (so neighbouring cases do not get neighbouring codes and a
//! code does not reveal how many cases the center has), the ninth is a Damm check
//! digit, which catches every single wrong digit and every swap of two adjacent
//! digits. The permutation is a bijection, so distinct serials give distinct
//! codes: uniqueness comes from the store's serial counter.
//!
//! The key (`CodeKey`) is the store's own, drawn at random when the store is
//! created and kept in its `meta` table, so one center's codes say nothing
//! about another's (and a code cannot be guessed from a code of another
//! center). Key 0 is the permutation every store used before keys existed:
//! stores created then keep it, so the codes printed for their citizens stay
//! valid. Moving a store (`migrate`) carries its key along. The key makes
//! codes hard to guess in bulk, but it is not a password: a code is shown to
//! anyone who has it.
//!
//! Capacity: 90,000,000 codes (serials 1..=90,000,000), a decade of a very large
//! center at 10,000 contacts a day.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::text::ascii_digit;

/// How many serials the code space holds.
pub const CAPACITY: u64 = 90_000_000;

/// The key of a store's permutation of serials (see the module doc); 0 is
/// the unkeyed permutation of stores created before keys existed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CodeKey(pub u64);

impl CodeKey {
    /// The unkeyed permutation (stores created before keys existed).
    pub const LEGACY: CodeKey = CodeKey(0);
}

/// A case's tracking code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrackingCode(u64);

/// Why typed text is not a tracking code (words: `present`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "why", rename_all = "kebab-case")]
pub enum CodeError {
    /// It has a character that is not a digit.
    NotADigit { given: String },
    /// It has `digits` digits; tracking codes have 9.
    Length { given: String, digits: usize },
    /// A typo: its check digit does not match.
    Check { given: String },
}

impl std::error::Error for CodeError {}

impl TrackingCode {
    /// The code of serial number `serial` (1-based) in a store whose key is
    /// `key`; None past the code space (`CAPACITY`), which the store reports
    /// as an error (`StoreError::CodesExhausted`).
    pub fn checked_from_serial(key: CodeKey, serial: u64) -> Option<Self> {
        if !(1..=CAPACITY).contains(&serial) {
            return None;
        }
        let body = 10_000_000 + permute(key, serial - 1);
        Some(TrackingCode(body * 10 + u64::from(damm(body))))
    }

    /// The code of a serial known to be in the code space (tests, demo data);
    /// the store uses `checked_from_serial`.
    pub fn from_serial(key: CodeKey, serial: u64) -> Self {
        Self::checked_from_serial(key, serial)
            .unwrap_or_else(|| panic!("tracking code space exhausted: serial {serial}"))
    }

    /// Parses a code as typed: any digit script; spaces and dashes are ignored.
    pub fn parse(s: &str) -> Result<Self, CodeError> {
        let mut n: u64 = 0;
        let mut len = 0;
        for c in s.trim().chars() {
            if matches!(c, ' ' | '-' | '\u{00a0}') {
                continue;
            }
            let d = ascii_digit(c).ok_or_else(|| CodeError::NotADigit {
                given: s.to_owned(),
            })?;
            len += 1;
            if len <= 9 {
                n = n * 10 + u64::from(d as u8 - b'0');
            }
        }
        if len != 9 {
            return Err(CodeError::Length {
                given: s.to_owned(),
                digits: len,
            });
        }
        if n < 100_000_000 || damm(n / 10) != (n % 10) as u8 {
            return Err(CodeError::Check {
                given: s.to_owned(),
            });
        }
        Ok(TrackingCode(n))
    }

    /// The code as a number (for storage).
    pub fn get(self) -> u64 {
        self.0
    }

    /// Rebuilds a code read from the store (trusted).
    pub fn from_stored(n: u64) -> Self {
        TrackingCode(n)
    }

    /// Grouped in threes for reading aloud: `483 920 175`.
    pub fn spoken(self) -> String {
        let s = self.0.to_string();
        format!("{} {} {}", &s[0..3], &s[3..6], &s[6..])
    }
}

impl fmt::Display for TrackingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for TrackingCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TrackingCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        TrackingCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A bijection on `0..CAPACITY`: a 4-round Feistel network on 28 bits, with
/// cycle walking to stay inside the range.
fn permute(key: CodeKey, x: u64) -> u64 {
    let rounds = round_keys(key);
    let mut v = x;
    loop {
        v = feistel(&rounds, v);
        if v < CAPACITY {
            return v;
        }
    }
}

/// The round keys: the fixed constants, mixed with the store's key (key 0
/// leaves them as they are, which is the permutation of unkeyed stores).
fn round_keys(key: CodeKey) -> [u64; 4] {
    const KEYS: [u64; 4] = [0x9e37_79b9, 0x7f4a_7c15, 0x94d0_49bb, 0xbf58_476d];
    let mut out = KEYS;
    if key.0 != 0 {
        for (i, k) in out.iter_mut().enumerate() {
            *k ^= splitmix64(key.0.wrapping_add(i as u64));
        }
    }
    out
}

/// SplitMix64's output function: spreads every bit of the key over the word.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn feistel(rounds: &[u64; 4], x: u64) -> u64 {
    const MASK: u64 = (1 << 14) - 1;
    let (mut l, mut r) = (x >> 14, x & MASK);
    for &k in rounds {
        let f = (r.wrapping_add(k).wrapping_mul(0x2545_f491_4f6c_dd1d) >> 29) & MASK;
        (l, r) = (r, l ^ f);
    }
    (l << 14) | r
}

/// The Damm check digit of `n`'s decimal digits.
fn damm(n: u64) -> u8 {
    const TABLE: [[u8; 10]; 10] = [
        [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
        [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
        [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
        [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
        [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
        [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
        [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
        [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
        [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
        [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
    ];
    n.to_string()
        .bytes()
        .fold(0, |interim, d| TABLE[interim as usize][(d - b'0') as usize])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_nine_digits_unique_and_valid() {
        let mut seen = HashSet::new();
        for serial in (1..200_000).chain(CAPACITY - 1000..=CAPACITY) {
            let c = TrackingCode::from_serial(CodeKey::LEGACY, serial);
            assert_eq!(c.to_string().len(), 9, "{c}");
            assert!(seen.insert(c), "duplicate code {c} at serial {serial}");
            assert_eq!(TrackingCode::parse(&c.to_string()), Ok(c));
        }
    }

    #[test]
    fn keyed_codes_are_unique_valid_and_differ_from_other_keys() {
        let mut seen = HashSet::new();
        let key = CodeKey(0x0123_4567_89ab_cdef);
        for serial in (1..100_000).chain(CAPACITY - 1000..=CAPACITY) {
            let c = TrackingCode::from_serial(key, serial);
            assert!(seen.insert(c), "duplicate code {c} at serial {serial}");
            assert_eq!(TrackingCode::parse(&c.to_string()), Ok(c));
        }
        // The unkeyed permutation is the one stores used before keys: its
        // first code is the one printed for their first case.
        assert_eq!(
            TrackingCode::from_serial(CodeKey::LEGACY, 1).get(),
            419_239_437
        );
        let same = (1..1000)
            .filter(|&n| {
                TrackingCode::from_serial(key, n) == TrackingCode::from_serial(CodeKey(7), n)
            })
            .count();
        assert!(same < 5, "{same} of 1000 codes equal under two keys");
    }

    #[test]
    fn neighbouring_serials_do_not_look_alike() {
        let a = TrackingCode::from_serial(CodeKey::LEGACY, 1000).get();
        let b = TrackingCode::from_serial(CodeKey::LEGACY, 1001).get();
        assert!(a.abs_diff(b) > 1000, "{a} {b}");
    }

    #[test]
    fn every_single_typo_and_adjacent_swap_is_caught() {
        let code = TrackingCode::from_serial(CodeKey(0x5eed), 4242).to_string();
        let digits: Vec<u8> = code.bytes().collect();
        for i in 0..9 {
            for d in b'0'..=b'9' {
                if d == digits[i] {
                    continue;
                }
                let mut typo = digits.clone();
                typo[i] = d;
                let typo = String::from_utf8(typo).unwrap();
                assert!(TrackingCode::parse(&typo).is_err(), "{typo} passed");
            }
            if i < 8 && digits[i] != digits[i + 1] {
                let mut swap = digits.clone();
                swap.swap(i, i + 1);
                let swap = String::from_utf8(swap).unwrap();
                assert!(TrackingCode::parse(&swap).is_err(), "{swap} passed");
            }
        }
    }

    #[test]
    fn parses_persian_digits_and_groups() {
        let c = TrackingCode::from_serial(CodeKey::LEGACY, 77);
        let persian: String = c
            .spoken()
            .chars()
            .map(|ch| match ch.to_digit(10) {
                Some(d) => char::from_u32(0x06F0 + d).unwrap(),
                None => ch,
            })
            .collect();
        assert_eq!(TrackingCode::parse(&persian), Ok(c));
        assert!(matches!(
            TrackingCode::parse("12345"),
            Err(CodeError::Length { digits: 5, .. })
        ));
        assert!(matches!(
            TrackingCode::parse("12a"),
            Err(CodeError::NotADigit { .. })
        ));
    }
}
