//! Forward migrations for stores created by an older citydesk. A new store is
//! created from schema.sql at the latest version; an older one runs the steps
//! from its version up, each in the same transaction as the version bump.
//! Steps are portable SQL, like schema.sql. Never edit a released step: add one.

/// `STEPS[i]` takes a store from version `i + 1` to `i + 2`.
pub const STEPS: &[&str] = &[];

/// The newest schema version.
pub const LATEST: u32 = 1 + STEPS.len() as u32;
