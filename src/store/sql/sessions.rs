//! Sign-in sessions and service tokens: added, found by their hash, ended one by one or all of
//! an operator's.

use super::{
    ActionKind, Actor, DateTime, Result, Role, Row, StoreError, Tx, Utc, active_operator, first,
    operator, opt_time, parsed, req_text, roles, time,
};

const SESSION_COLS: &str =
    "operator, kind, created_at, created_by, expires_at, revoked_at, revoked_by";

fn session_from_row(r: &dyn Row) -> Result<crate::store::Session> {
    Ok(crate::store::Session {
        operator: req_text(r, 0)?,
        kind: parsed(r, 1, crate::auth::SessionKind::parse)?,
        created_at: time(r, 2)?,
        created_by: req_text(r, 3)?,
        expires_at: opt_time(r, 4)?,
        revoked_at: opt_time(r, 5)?,
        revoked_by: r.text(6)?,
    })
}

/// Keeps a new session. A person opens their own shift session (after their
/// password was checked); a service token is issued by an active
/// administrator to an active service account.
pub fn add_session(
    tx: &mut dyn Tx,
    by: &Actor,
    new: &crate::store::NewSession,
    now: DateTime<Utc>,
) -> Result<()> {
    use crate::auth::SessionKind;
    let actor = active_operator(tx, &by.name)?;
    let target = active_operator(tx, &new.operator)?;
    match new.kind {
        SessionKind::Shift => {
            if actor.name != target.name {
                return Err(StoreError::Backend(
                    "a shift session is opened only by its own operator".into(),
                ));
            }
        }
        SessionKind::Service => {
            roles::check(&actor.actor(), ActionKind::ManageOperators)?;
            if target.role != Role::Service {
                return Err(StoreError::Backend(format!(
                    "{} is not a service account",
                    target.name
                )));
            }
        }
    }
    tx.execute(
        "INSERT INTO sessions (token_hash, operator, kind, created_at, created_by, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[
            new.token_hash.as_str().into(),
            new.operator.as_str().into(),
            new.kind.as_str().into(),
            now.into(),
            by.name.as_str().into(),
            new.expires_at.into(),
        ],
    )?;
    Ok(())
}

/// The session whose token hashes to `token_hash`. On PostgreSQL through
/// `citydesk_session` (schema.sql): a staff connection may not read the
/// hashes, so cannot look a row up by one.
pub fn session(tx: &mut dyn Tx, token_hash: &str) -> Result<Option<crate::store::Session>> {
    let from = match tx.dialect() {
        super::Dialect::Postgres => "citydesk_session(?1)",
        super::Dialect::Sqlite => "sessions WHERE token_hash = ?1",
    };
    first(
        tx,
        &format!("SELECT {SESSION_COLS} FROM {from}"),
        &[token_hash.into()],
        session_from_row,
    )
}

/// Ends one session; whether it was open. On PostgreSQL through
/// `citydesk_end_session`, as `session`.
pub fn end_session(
    tx: &mut dyn Tx,
    token_hash: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    if tx.dialect() == super::Dialect::Postgres {
        return first(
            tx,
            "SELECT citydesk_end_session(?1, ?2, ?3)",
            &[token_hash.into(), now.into(), by.into()],
            |r| Ok(r.int(0)?.unwrap_or(0)),
        )
        .map(|ended| ended.unwrap_or(0) > 0);
    }
    let n = tx.execute(
        "UPDATE sessions SET revoked_at = ?1, revoked_by = ?2
         WHERE token_hash = ?3 AND revoked_at IS NULL",
        &[now.into(), by.into(), token_hash.into()],
    )?;
    Ok(n > 0)
}

/// Ends every open session and token of `operator` (themself, or an
/// administrator for anyone).
pub fn end_sessions(
    tx: &mut dyn Tx,
    by: &Actor,
    operator: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    let actor = active_operator(tx, &by.name)?;
    if actor.name != operator {
        roles::check(&actor.actor(), ActionKind::ManageOperators)?;
    }
    if self::operator(tx, operator)?.is_none() {
        return Err(StoreError::NoSuchOperator(operator.to_owned()));
    }
    tx.execute(
        "UPDATE sessions SET revoked_at = ?1, revoked_by = ?2
         WHERE operator = ?3 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?1)",
        &[now.into(), by.name.as_str().into(), operator.into()],
    )
}

/// PostgreSQL: the password `operator` signs in to the server with (see
/// schema.sql `citydesk_set_login`); SQLite keeps none but its own hash.
pub fn set_login(tx: &mut dyn Tx, operator: &str, password: &str) -> Result<()> {
    if tx.dialect() == super::Dialect::Postgres {
        let verifier = crate::store::postgres::scram_verifier(password);
        tx.execute(
            "SELECT citydesk_set_login(?1, ?2)",
            &[operator.into(), verifier.as_str().into()],
        )?;
    }
    Ok(())
}

/// PostgreSQL: a session that signs in to the server as a role of its own
/// (see schema.sql `citydesk_open_session`, which checks who may).
pub fn add_login_session(
    tx: &mut dyn Tx,
    new: &crate::store::NewSession,
    login: &crate::store::postgres::Login,
) -> Result<()> {
    if tx.dialect() != super::Dialect::Postgres {
        return Err(StoreError::Backend(
            "only a PostgreSQL store signs sessions in to its server".into(),
        ));
    }
    let verifier = crate::store::postgres::scram_verifier(&login.password);
    tx.execute(
        "SELECT citydesk_open_session(?1, ?2, ?3, ?4, ?5, ?6)",
        &[
            new.operator.as_str().into(),
            new.kind.as_str().into(),
            login.role.as_str().into(),
            verifier.as_str().into(),
            new.token_hash.as_str().into(),
            new.expires_at.into(),
        ],
    )?;
    Ok(())
}
