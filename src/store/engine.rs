//! What an engine supplies — a connection, read and write transactions, a
//! watcher, and optionally a connection tuned for bulk loads (the rows
//! themselves go through `Tx::insert_many`, which an engine may make faster)
//! — and the `Store` that follows from it, written once for every engine by
//! delegating to `sql`.

use chrono::{DateTime, Duration, Utc};

use super::reports;
use super::sql::{self, Tx};
use super::{
    CatalogAdditions, Client, Draft, Filter, ImportCase, NewClient, NewOperator, NewSession,
    Operator, Page, Queue, QueueCounts, RequestQuery, Result, Session, Settings, Store, Totals,
    Watcher,
};
use crate::domain::case::{Case, CaseRecord};
use crate::domain::catalog::Catalog;
use crate::domain::event::Event;
use crate::domain::intake::CaseInput;
use crate::domain::roles::Actor;
use crate::domain::shift::Shift;
use crate::domain::tracking::{CodeKey, TrackingCode};
use crate::domain::workflow::Action;
use crate::report::figures::{ReportQuery, Rows as ReportRows};
use crate::report::handover::{CaseRef, HandoverRecord};

pub trait Engine: Send {
    fn location(&self) -> String;
    fn catalog(&self) -> &Catalog;
    /// Replaces the catalog held in memory (after the store's changed).
    fn set_catalog(&mut self, catalog: Catalog);
    fn settings(&self) -> &Settings;
    fn watcher(&self) -> Result<Box<dyn Watcher>>;
    /// Runs `f` on the connection (reads).
    fn read<T>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T>;
    /// Runs `f` in one write transaction, committed if it succeeds. An
    /// engine may run `f` a second time, in a new transaction, when it knows
    /// the first was not committed (PostgreSQL, after a COMMIT whose answer
    /// was lost): `f` must do the same again.
    fn write<T>(
        &mut self,
        f: impl FnMut(&mut dyn Tx, &Catalog, &Settings) -> Result<T>,
    ) -> Result<T>;
    /// A write transaction for a bulk load; an engine may tune its
    /// connection for one first.
    fn bulk<T>(
        &mut self,
        f: impl FnMut(&mut dyn Tx, &Catalog, &Settings) -> Result<T>,
    ) -> Result<T> {
        self.write(f)
    }

    /// Whether `password` is `name`'s, when the database server checks it
    /// (PostgreSQL's operators' URL: a staff connection may not read the
    /// hashes); None when citydesk checks its own hash.
    fn server_checks_password(&self, _name: &str, _password: &str) -> Option<Result<bool>> {
        None
    }

    /// Reads the catalog from the store again (after services were added).
    fn reload_catalog(&mut self) -> Result<()> {
        let catalog = self.read(sql::load_catalog)?;
        self.set_catalog(catalog);
        Ok(())
    }
}

/// The bulk load of one batch, in a transaction the caller opened.
pub fn insert_import(tx: &mut dyn Tx, batch: &[ImportCase]) -> Result<Vec<TrackingCode>> {
    let (rows, codes) = sql::plan_import(tx, batch)?;
    sql::insert_rows(tx, &rows)?;
    Ok(codes)
}

/// Cases written per batch by `import_history`: the planned rows of one batch
/// are held in memory at once.
const HISTORY_BATCH: usize = 5_000;

impl<E: Engine> Store for E {
    fn location(&self) -> String {
        Engine::location(self)
    }

    fn catalog(&self) -> &Catalog {
        Engine::catalog(self)
    }

    fn settings(&self) -> &Settings {
        Engine::settings(self)
    }

    fn watcher(&self) -> Result<Box<dyn Watcher>> {
        Engine::watcher(self)
    }

    fn operator_count(&mut self) -> Result<u64> {
        self.read(sql::operator_count)
    }

    fn operators(&mut self) -> Result<Vec<Operator>> {
        self.read(sql::operators)
    }

    fn operator(&mut self, name: &str) -> Result<Option<Operator>> {
        self.read(|tx| sql::operator(tx, name))
    }

    fn password_hash(&mut self, name: &str) -> Result<Option<String>> {
        self.read(|tx| sql::password_hash(tx, name))
    }

    fn check_password(&mut self, name: &str, password: &str) -> Result<bool> {
        if let Some(checked) = Engine::server_checks_password(self, name, password) {
            return checked;
        }
        Ok(self
            .password_hash(name)?
            .is_some_and(|h| crate::auth::verify_password(password, &h)))
    }

    fn accounts(&mut self) -> Result<Vec<Operator>> {
        self.read(sql::accounts)
    }

    fn set_password(
        &mut self,
        by: &Actor,
        name: &str,
        password: &str,
        password_hash: &str,
    ) -> Result<Operator> {
        self.write(|tx, _, _| sql::set_password(tx, by, name, password, password_hash))
    }

    fn add_operator(
        &mut self,
        by: Option<&Actor>,
        new: &NewOperator,
        now: DateTime<Utc>,
    ) -> Result<Operator> {
        self.write(|tx, _, _| sql::add_operator(tx, by, new, now))
    }

    fn set_operator_active(
        &mut self,
        by: &Actor,
        name: &str,
        active: bool,
        _now: DateTime<Utc>,
    ) -> Result<Operator> {
        self.write(|tx, _, _| sql::set_operator_active(tx, by, name, active))
    }

    fn register_noting(
        &mut self,
        by: &Actor,
        input: &CaseInput,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Case> {
        self.write(|tx, catalog, settings| {
            sql::register(tx, catalog, settings, by, input, note, now)
        })
    }

    fn code_key(&mut self) -> Result<CodeKey> {
        self.read(sql::code_key)
    }

    fn set_code_key(&mut self, key: CodeKey) -> Result<()> {
        self.write(|tx, _, _| sql::set_code_key(tx, key))
    }

    fn clients(&mut self) -> Result<Vec<Client>> {
        self.read(sql::clients)
    }

    fn add_client(&mut self, by: &Actor, new: &NewClient, now: DateTime<Utc>) -> Result<Client> {
        self.write(|tx, _, _| sql::add_client(tx, by, new, now))
    }

    fn revoke_client(&mut self, by: &Actor, name: &str, now: DateTime<Utc>) -> Result<Client> {
        self.write(|tx, _, _| sql::revoke_client(tx, by, name, now))
    }

    fn client_by_key(&mut self, key_hash: &str) -> Result<Option<Client>> {
        self.read(|tx| sql::client_by_key(tx, key_hash))
    }

    fn requests(&mut self, query: &RequestQuery) -> Result<Vec<Case>> {
        self.read(|tx| sql::requests(tx, query))
    }

    fn old_ids(&mut self, ids: &[String]) -> Result<Vec<String>> {
        self.read(|tx| sql::old_ids(tx, ids))
    }

    fn case(&mut self, code: TrackingCode) -> Result<CaseRecord> {
        self.read(|tx| sql::case_record(tx, code))
    }

    fn act(
        &mut self,
        by: &Actor,
        code: TrackingCode,
        expected_version: Option<i64>,
        action: &Action,
        now: DateTime<Utc>,
    ) -> Result<Case> {
        self.write(|tx, catalog, settings| {
            sql::act(
                tx,
                catalog,
                settings,
                by,
                code,
                expected_version,
                action,
                now,
            )
        })
    }

    fn queue_filtered(
        &mut self,
        queue: &Queue,
        filter: &Filter,
        page: Page,
        now: DateTime<Utc>,
    ) -> Result<Vec<Case>> {
        self.read(|tx| sql::queue(tx, queue, filter, page, now))
    }

    fn queue_total(&mut self, queue: &Queue, filter: &Filter, now: DateTime<Utc>) -> Result<u64> {
        self.read(|tx| sql::queue_total(tx, queue, filter, now))
    }

    fn queue_counts(
        &mut self,
        operator: &str,
        due_soon: Duration,
        now: DateTime<Utc>,
    ) -> Result<QueueCounts> {
        self.read(|tx| sql::counts(tx, operator, due_soon, now))
    }

    fn import(&mut self, batch: &[ImportCase]) -> Result<Vec<TrackingCode>> {
        self.bulk(|tx, _, _| insert_import(tx, batch))
    }

    fn extend_catalog(&mut self, additions: &CatalogAdditions) -> Result<()> {
        self.write(|tx, catalog, _| sql::extend_catalog(tx, catalog, additions))?;
        self.reload_catalog()
    }

    fn imported_before(&mut self, source: &str, old_ids: &[&str]) -> Result<(u64, Option<String>)> {
        self.read(|tx| sql::imported_before(tx, source, old_ids))
    }

    fn import_history(
        &mut self,
        source: &str,
        additions: &CatalogAdditions,
        cases: &[ImportCase],
        progress: &mut dyn FnMut(usize),
    ) -> Result<Vec<TrackingCode>> {
        let codes = self.bulk(|tx, catalog, _| {
            sql::lock_imports(tx)?;
            let ids: Vec<&str> = cases
                .iter()
                .filter_map(|c| c.case.old_id.as_deref())
                .collect();
            if let (count @ 1.., Some(example)) = sql::imported_before(tx, source, &ids)? {
                return Err(super::StoreError::AlreadyImported {
                    source: source.to_owned(),
                    count,
                    example,
                });
            }
            sql::extend_catalog(tx, catalog, additions)?;
            let mut codes = Vec::with_capacity(cases.len());
            for batch in cases.chunks(HISTORY_BATCH) {
                codes.extend(insert_import(tx, batch)?);
                progress(codes.len());
            }
            Ok(codes)
        })?;
        if !additions.is_empty() {
            let catalog = self.read(sql::load_catalog)?;
            self.set_catalog(catalog);
        }
        Ok(codes)
    }

    fn export(&mut self, after: u64, limit: u32) -> Result<Vec<ImportCase>> {
        self.read(|tx| sql::export(tx, after, limit))
    }

    fn totals(&mut self) -> Result<Totals> {
        self.read(sql::totals)
    }

    fn copy_operators(&mut self, operators: &[Operator]) -> Result<()> {
        self.write(|tx, _, _| sql::copy_operators(tx, operators))
    }

    fn load(
        &mut self,
        key: CodeKey,
        operators: &[Operator],
        drafts: &[Draft],
        cases: &mut dyn FnMut(u64) -> Result<Vec<ImportCase>>,
        progress: &mut dyn FnMut(u64),
    ) -> Result<()> {
        let location = Engine::location(self);
        self.bulk(|tx, _, _| {
            let before = sql::totals(tx)?;
            if before.cases > 0 || before.operators > 0 {
                return Err(super::StoreError::Forbidden(
                    crate::domain::roles::Denied::TargetNotEmpty {
                        location: location.clone(),
                        cases: before.cases,
                        operators: before.operators,
                    },
                ));
            }
            sql::set_code_key(tx, key)?;
            sql::copy_operators(tx, operators)?;
            for d in drafts {
                sql::save_draft(tx, d)?;
            }
            let mut after = 0;
            let mut done = 0u64;
            loop {
                let batch = cases(after)?;
                let Some(last) = batch.last() else {
                    return Ok(());
                };
                after = last.serial.unwrap_or(after);
                insert_import(tx, &batch)?;
                done += batch.len() as u64;
                progress(done);
            }
        })
    }

    fn search(&mut self, query: &str, limit: u32) -> Result<Vec<Case>> {
        self.read(|tx| sql::search(tx, query, limit))
    }

    fn related(
        &mut self,
        phone: &str,
        service: &str,
        neighborhood: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<Case>> {
        self.read(|tx| sql::related(tx, phone, service, neighborhood, since))
    }

    fn save_draft(&mut self, draft: &Draft) -> Result<()> {
        self.write(|tx, _, _| sql::save_draft(tx, draft))
    }

    fn drafts(&mut self, operator: Option<&str>) -> Result<Vec<Draft>> {
        self.read(|tx| sql::drafts(tx, operator))
    }

    fn discard_draft(&mut self, operator: &str) -> Result<()> {
        self.write(|tx, _, _| sql::discard_draft(tx, operator))
    }

    fn case_count(&mut self) -> Result<u64> {
        self.read(sql::case_count)
    }

    fn report_rows(&mut self, q: &ReportQuery) -> Result<ReportRows> {
        let center = Engine::settings(self).center.clone();
        self.read(|tx| reports::report_rows(tx, q, &center))
    }

    fn events_between(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(CaseRef, Event)>> {
        self.read(|tx| reports::events_between(tx, from, to))
    }

    fn held_by(&mut self, names: &[String], limit: u32) -> Result<Vec<Case>> {
        self.read(|tx| reports::held_by(tx, names, limit))
    }

    fn handover(&mut self, shift: &Shift) -> Result<Option<HandoverRecord>> {
        self.read(|tx| reports::handover(tx, shift))
    }

    fn note_handover(
        &mut self,
        by: &Actor,
        shift: &Shift,
        notes: &str,
        now: DateTime<Utc>,
    ) -> Result<HandoverRecord> {
        self.write(|tx, _, _| reports::note_handover(tx, by, shift, notes, now))
    }

    fn accept_handover(
        &mut self,
        by: &Actor,
        shift: &Shift,
        now: DateTime<Utc>,
    ) -> Result<HandoverRecord> {
        self.write(|tx, _, _| reports::accept_handover(tx, by, shift, now))
    }

    fn seen(&mut self, name: &str, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx, _, _| reports::seen(tx, name, now))
    }

    fn at_work(&mut self, since: DateTime<Utc>) -> Result<Vec<String>> {
        self.read(|tx| reports::at_work(tx, since))
    }

    fn hourly(&mut self, start: DateTime<Utc>) -> Result<Vec<u64>> {
        self.read(|tx| reports::hourly(tx, start))
    }

    fn cases_of(&mut self, q: &ReportQuery, key: &str, limit: u32) -> Result<Vec<Case>> {
        self.read(|tx| reports::cases_of(tx, q, key, limit))
    }

    fn add_session(&mut self, by: &Actor, new: &NewSession, now: DateTime<Utc>) -> Result<()> {
        self.write(|tx, _, _| sql::add_session(tx, by, new, now))
    }

    fn session(&mut self, token_hash: &str) -> Result<Option<Session>> {
        self.read(|tx| sql::session(tx, token_hash))
    }

    fn end_session(&mut self, token_hash: &str, by: &str, now: DateTime<Utc>) -> Result<bool> {
        self.write(|tx, _, _| sql::end_session(tx, token_hash, by, now))
    }

    fn end_sessions(&mut self, by: &Actor, operator: &str, now: DateTime<Utc>) -> Result<u64> {
        self.write(|tx, _, _| sql::end_sessions(tx, by, operator, now))
    }

    fn set_login(&mut self, operator: &str, password: &str) -> Result<()> {
        self.write(|tx, _, _| sql::set_login(tx, operator, password))
    }

    fn add_login_session(
        &mut self,
        new: &NewSession,
        login: &super::postgres::Login,
    ) -> Result<()> {
        self.write(|tx, _, _| sql::add_login_session(tx, new, login))
    }

    fn verify(&mut self) -> Result<super::chain::Verified> {
        self.write(|tx, _, _| {
            // Take the head's lock first: no entry is appended while we read.
            tx.execute(
                "UPDATE counters SET value = value WHERE name = 'chain'",
                &[],
            )?;
            super::chain::verify(tx, &sql::EVENT_COLUMNS)
        })
    }
}
