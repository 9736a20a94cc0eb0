//! Open311's reads of the cases (the requests a client may list) and its clients: added,
//! found by key, revoked; keys are kept hashed.

use super::{
    ActionKind, Actor, Case, Channel, Client, DateTime, InvalidInput, NewClient, Param, Problem,
    RequestQuery, Result, Role, Row, Status, StoreError, Tx, Utc, active_operator, case_from_row,
    check_operator_name, cols, first, operator, opt_time, parsed, req_int, req_text, roles, rows,
    small, time,
};

/// The statuses an Open311 client sees as `open`: the work is not done.
/// Resolved (the department answered), closed and cancelled read `closed`.
pub const OPEN311_OPEN: [Status; 3] = [Status::Registered, Status::Referred, Status::FollowUp];

/// Cases for a GeoReport `GET /requests` query, newest first.
pub fn requests(tx: &mut dyn Tx, q: &RequestQuery) -> Result<Vec<Case>> {
    let mut params: Vec<Param> = Vec::new();
    let mark = |params: &mut Vec<Param>, v: Param| {
        params.push(v);
        format!("?{}", params.len())
    };
    let mut conds: Vec<String> = Vec::new();
    if q.codes.is_empty() {
        let from = mark(&mut params, q.from.into());
        let to = mark(&mut params, q.to.into());
        conds.push(format!("received_at >= {from} AND received_at <= {to}"));
        if !q.services.is_empty() {
            let marks: Vec<String> = q
                .services
                .iter()
                .map(|s| mark(&mut params, s.as_str().into()))
                .collect();
            conds.push(format!("service IN ({})", marks.join(", ")));
        }
        if let Some(open) = q.open {
            let list: Vec<String> = OPEN311_OPEN
                .iter()
                .map(|s| format!("'{}'", s.as_str()))
                .collect();
            conds.push(format!(
                "status {}IN ({})",
                if open { "" } else { "NOT " },
                list.join(", ")
            ));
        }
    } else {
        let marks: Vec<String> = q
            .codes
            .iter()
            .map(|c| mark(&mut params, (c.get() as i64).into()))
            .collect();
        conds.push(format!("code IN ({})", marks.join(", ")));
    }
    let limit = mark(&mut params, i64::from(q.limit).into());
    rows(
        tx,
        &format!(
            "SELECT {} FROM cases WHERE {} ORDER BY received_at DESC, id DESC LIMIT {limit}",
            cols(),
            conds.join(" AND ")
        ),
        &params,
        case_from_row,
    )
}

const CLIENT_COLS: &str =
    "name, channel, operator, per_minute, active, created_at, created_by, revoked_at";

fn client_from_row(r: &dyn Row) -> Result<Client> {
    Ok(Client {
        name: req_text(r, 0)?,
        channel: parsed(r, 1, Channel::parse)?,
        operator: req_text(r, 2)?,
        per_minute: small(r, 3)?,
        active: req_int(r, 4)? != 0,
        created_at: time(r, 5)?,
        created_by: req_text(r, 6)?,
        revoked_at: opt_time(r, 7)?,
    })
}

pub fn clients(tx: &mut dyn Tx) -> Result<Vec<Client>> {
    rows(
        tx,
        &format!("SELECT {CLIENT_COLS} FROM clients ORDER BY name"),
        &[],
        client_from_row,
    )
}

/// The client whose key hashes to `key_hash`, active or not. On PostgreSQL
/// through `citydesk_client_by_key` (schema.sql): a staff connection may not
/// read the hashes.
pub fn client_by_key(tx: &mut dyn Tx, key_hash: &str) -> Result<Option<Client>> {
    let from = match tx.dialect() {
        super::Dialect::Postgres => "citydesk_client_by_key(?1)",
        super::Dialect::Sqlite => "clients WHERE key_hash = ?1",
    };
    first(
        tx,
        &format!("SELECT {CLIENT_COLS} FROM {from}"),
        &[key_hash.into()],
        client_from_row,
    )
}

fn client(tx: &mut dyn Tx, name: &str) -> Result<Option<Client>> {
    first(
        tx,
        &format!("SELECT {CLIENT_COLS} FROM clients WHERE name = ?1"),
        &[name.into()],
        client_from_row,
    )
}

/// The service account of client `name`.
pub fn client_operator(name: &str) -> String {
    format!("client-{name}")
}

/// Adds an Open311 client and its service account (administrators).
pub fn add_client(
    tx: &mut dyn Tx,
    by: &Actor,
    new: &NewClient,
    now: DateTime<Utc>,
) -> Result<Client> {
    let actor = active_operator(tx, &by.name)?;
    roles::check(&actor.actor(), ActionKind::ManageOperators)?;
    let operator = client_operator(&new.name);
    check_operator_name(&new.name)?;
    check_operator_name(&operator)?;
    if !matches!(new.channel, Channel::Web | Channel::MobileApp) {
        return Err(InvalidInput::one(
            "channel",
            Problem::NotAChoice {
                given: new.channel.as_str().to_owned(),
                accepted: vec!["web".into(), "app".into()],
            },
        )
        .into());
    }
    if new.per_minute == 0 || new.per_minute > 100_000 {
        return Err(InvalidInput::one(
            "rate",
            Problem::NotAChoice {
                given: new.per_minute.to_string(),
                accepted: vec!["1 to 100000 requests a minute".into()],
            },
        )
        .into());
    }
    if client(tx, &new.name)?.is_some() {
        return Err(StoreError::ClientExists(new.name.clone()));
    }
    if operator_by_name_exists(tx, &operator)? {
        return Err(StoreError::OperatorExists(operator));
    }
    tx.execute(
        "INSERT INTO operators (name, display_name, role, password_hash, active, created_at, created_by)
         VALUES (?1, ?2, ?3, '!', 1, ?4, ?5)",
        &[
            operator.as_str().into(),
            format!("Open311 client {}", new.name).into(),
            Role::Service.as_str().into(),
            now.into(),
            by.name.as_str().into(),
        ],
    )?;
    tx.execute(
        "INSERT INTO clients (name, channel, operator, key_hash, per_minute, active, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7)",
        &[
            new.name.as_str().into(),
            new.channel.as_str().into(),
            operator.as_str().into(),
            new.key_hash.as_str().into(),
            i64::from(new.per_minute).into(),
            now.into(),
            by.name.as_str().into(),
        ],
    )?;
    client(tx, &new.name)?.ok_or_else(|| StoreError::NoSuchClient(new.name.clone()))
}

fn operator_by_name_exists(tx: &mut dyn Tx, name: &str) -> Result<bool> {
    Ok(operator(tx, name)?.is_some())
}

/// Revokes a client's key and disables its service account; its cases stay.
pub fn revoke_client(
    tx: &mut dyn Tx,
    by: &Actor,
    name: &str,
    now: DateTime<Utc>,
) -> Result<Client> {
    let actor = active_operator(tx, &by.name)?;
    roles::check(&actor.actor(), ActionKind::ManageOperators)?;
    let c = client(tx, name)?.ok_or_else(|| StoreError::NoSuchClient(name.to_owned()))?;
    if c.active {
        tx.execute(
            "UPDATE clients SET active = 0, revoked_at = ?1 WHERE name = ?2",
            &[now.into(), name.into()],
        )?;
        tx.execute(
            "UPDATE operators SET active = 0 WHERE name = ?1",
            &[c.operator.as_str().into()],
        )?;
    }
    client(tx, name)?.ok_or_else(|| StoreError::NoSuchClient(name.to_owned()))
}
