//! Who is acting: passwords (argon2id hashes in PHC string form, never the
//! password itself), sessions and service tokens (random, kept only as their
//! SHA-256 through `secret::key_hash`, like Open311 client keys), the session
//! file a person's `citydesk login` leaves (0600, in the user's state folder),
//! and why a sign-in failed, as data (`SignIn`; words: `present`).

use std::path::{Path, PathBuf};

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Argon2, PasswordHash};
use chrono::{DateTime, Utc};

use crate::domain::code_enum;

code_enum! {
    /// How a session began.
    SessionKind {
        /// `citydesk login`: a person's shift; expires after `[access] session_hours`.
        Shift = "shift",
        /// `citydesk operator token`: a service account's token; lasts until revoked.
        Service = "service",
    }
}

/// A session or token as the store keeps it (its token only as a hash).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Session {
    pub operator: String,
    pub kind: SessionKind,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
}

/// A new session: the token's hash and what it is.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub operator: String,
    pub kind: SessionKind,
    pub created_by: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Why nobody (or not the one named) is signed in (words: `present`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "sign-in", rename_all = "kebab-case")]
pub enum SignIn {
    /// No session for this store, no token, no password.
    NotSignedIn {
        location: String,
    },
    /// The session or token is not (or no longer) in the store.
    UnknownToken,
    Expired {
        operator: String,
        at: DateTime<Utc>,
    },
    Revoked {
        operator: String,
        by: String,
        at: DateTime<Utc>,
    },
    /// Wrong operator name or password (which of the two is not said).
    WrongPassword,
    /// `--as` names someone else than the session's operator.
    OtherOperator {
        signed_in: String,
        named: String,
    },
    /// A service account's token used for something other than registering
    /// cases and attaching contacts.
    ServiceOnly {
        operator: String,
    },
    /// A service account tried to sign in with a password.
    ServiceByPassword {
        operator: String,
    },
    /// `operator token` for someone who is not a service account.
    NotService {
        operator: String,
    },
    /// No password given and no terminal to ask for one.
    NeedsPassword,
    /// The session file cannot be read or written, or others can read it.
    SessionFile {
        path: String,
        why: String,
    },
}

impl std::error::Error for SignIn {}

/// Checks a stored session at `now`: the operator it signs in, or why not.
pub fn check_session(s: &Session, now: DateTime<Utc>) -> Result<&str, SignIn> {
    if let Some(at) = s.revoked_at {
        return Err(SignIn::Revoked {
            operator: s.operator.clone(),
            by: s.revoked_by.clone().unwrap_or_default(),
            at,
        });
    }
    if let Some(at) = s.expires_at.filter(|&t| t <= now) {
        return Err(SignIn::Expired {
            operator: s.operator.clone(),
            at,
        });
    }
    Ok(&s.operator)
}

/// The folder session files are kept in: the user's state folder
/// (`$XDG_STATE_HOME/citydesk`, else `~/.local/state/citydesk`; elsewhere the
/// local data folder).
pub fn state_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "citydesk")?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .to_path_buf(),
    )
}

/// The session file for the store at `location`, under `state_dir`: one per
/// store, named by a hash of its location (which may be a URL with a password).
pub fn session_path(state_dir: &Path, location: &str) -> PathBuf {
    let h = crate::secret::key_hash(location);
    state_dir
        .join("sessions")
        .join(format!("{}.token", &h[..32]))
}

fn file_error(path: &Path, why: impl std::fmt::Display) -> SignIn {
    SignIn::SessionFile {
        path: path.display().to_string(),
        why: why.to_string(),
    }
}

/// Writes a session token to `path`, readable and writable only by the user
/// (0600, its folder 0700), replacing an older one.
pub fn write_session(path: &Path, token: &str) -> Result<(), SignIn> {
    use std::io::Write as _;
    if let Some(dir) = path.parent() {
        create_private_dir(dir).map_err(|e| file_error(dir, e))?;
    }
    let tmp = path.with_extension("new");
    let _ = std::fs::remove_file(&tmp);
    let mut f = private_options()
        .open(&tmp)
        .map_err(|e| file_error(&tmp, e))?;
    f.write_all(format!("{token}\n").as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| file_error(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| file_error(path, e))
}

/// The token in a session file, None if there is no file. A file that others
/// may read is refused (and left for the user to remove).
pub fn read_session(path: &Path) -> Result<Option<String>, SignIn> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(file_error(path, e)),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)
            .map_err(|e| file_error(path, e))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(file_error(
                path,
                format!(
                    "others may read it (mode {:o}); remove it and sign in again",
                    mode & 0o777
                ),
            ));
        }
    }
    let token = text.trim();
    Ok((!token.is_empty()).then(|| token.to_owned()))
}

/// Removes a session file (no file is fine).
pub fn remove_session(path: &Path) -> Result<(), SignIn> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(file_error(path, e)),
        _ => Ok(()),
    }
}

fn private_options() -> std::fs::OpenOptions {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.mode(0o600);
    }
    o
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        b.mode(0o700);
    }
    b.create(dir)
}

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

    #[test]
    fn sessions_expire_and_are_revoked() {
        let t = |s: i64| DateTime::from_timestamp(s, 0).unwrap();
        let mut s = Session {
            operator: "ali".into(),
            kind: SessionKind::Shift,
            created_at: t(0),
            created_by: "ali".into(),
            expires_at: Some(t(100)),
            revoked_at: None,
            revoked_by: None,
        };
        assert_eq!(check_session(&s, t(99)), Ok("ali"));
        assert!(matches!(
            check_session(&s, t(100)),
            Err(SignIn::Expired { .. })
        ));
        s.revoked_at = Some(t(50));
        s.revoked_by = Some("admin".into());
        assert!(matches!(
            check_session(&s, t(10)),
            Err(SignIn::Revoked { .. })
        ));
    }

    #[cfg(unix)]
    #[test]
    fn session_files_are_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = session_path(dir.path(), "/srv/citydesk.db");
        assert_eq!(read_session(&path), Ok(None));
        write_session(&path, "abc").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(read_session(&path), Ok(Some("abc".into())));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            read_session(&path),
            Err(SignIn::SessionFile { .. })
        ));
        remove_session(&path).unwrap();
        remove_session(&path).unwrap();
    }
}
