//! On one host a SQLite store's files are its only boundary: whoever can read
//! the file reads citizens' names and phones and the password hashes. So the
//! store, its -wal and -shm files and its backups are the owner's alone
//! (0600), or shared with one group named in `[access] group` (0660, that
//! group). SQLite gives the -wal and -shm files the store file's mode when it
//! creates them; they are checked again on every open.

use std::path::{Path, PathBuf};

use super::{Result, StoreError};
use crate::domain::Access;

/// The mode a store's files get.
pub fn mode(access: &Access) -> u32 {
    if access.group.is_some() { 0o660 } else { 0o600 }
}

/// The store's files: the database, and its -wal and -shm beside it.
pub fn store_files(path: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut s = path.as_os_str().to_owned();
        s.push(suffix);
        PathBuf::from(s)
    };
    [path.to_owned(), with("-wal"), with("-shm")]
}

/// Creates an empty file at `path` with the store's mode (and group), before
/// SQLite opens it, so that it is never readable by others, not even for a
/// moment; a file that exists already is left to `secure`.
pub fn create(path: &Path, access: &Access) -> Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        o.mode(0o600);
    }
    match o.open(path) {
        Ok(_) => {}
        // An existing store is checked by `secure` when opened.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(()),
        Err(e) => {
            return Err(StoreError::Backend(format!(
                "cannot create the store at {}: {e}",
                path.display()
            )));
        }
    }
    secure_file(path, access, true)
}

/// Gives the store's files that exist the store's mode and group. A file
/// someone else owns (a colleague in the group opened the store first) is
/// left as it is.
pub fn secure(path: &Path, access: &Access) -> Result<()> {
    for f in store_files(path) {
        if f.exists() {
            secure_file(&f, access, false)?;
        }
    }
    Ok(())
}

/// Gives one file the store's mode and group; `strict`: fail if it cannot.
pub fn secure_file(path: &Path, access: &Access, strict: bool) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
        let fail = |e: std::io::Error, what: &str| {
            StoreError::Backend(format!(
                "cannot {what} of {}: {e}; check who owns it",
                path.display()
            ))
        };
        let meta = std::fs::metadata(path).map_err(|e| fail(e, "read the permissions"))?;
        if let Some(group) = &access.group {
            let gid = gid(group)?;
            if meta.gid() != gid
                && let Err(e) = std::os::unix::fs::chown(path, None, Some(gid))
                && strict
            {
                return Err(StoreError::Backend(format!(
                    "cannot give {} to group {group} ({e}): be a member of that group, or change [access] group",
                    path.display()
                )));
            }
        }
        let want = mode(access);
        if meta.permissions().mode() & 0o777 != want
            && let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(want))
            && strict
        {
            return Err(fail(e, "set the permissions"));
        }
    }
    #[cfg(not(unix))]
    let _ = (path, access, strict);
    Ok(())
}

/// The id of group `name` (a number is taken as it is), from /etc/group.
pub fn gid(name: &str) -> Result<u32> {
    if let Ok(n) = name.parse::<u32>() {
        return Ok(n);
    }
    let groups = std::fs::read_to_string("/etc/group").unwrap_or_default();
    groups
        .lines()
        .find_map(|l| {
            let mut f = l.split(':');
            let n = f.next()?;
            let id = f.nth(1)?.parse::<u32>().ok()?;
            (n == name).then_some(id)
        })
        .ok_or_else(|| {
            StoreError::Backend(format!(
                "[access] group = {name:?}: no such group in /etc/group; create it (groupadd {name}) or give its number"
            ))
        })
}
