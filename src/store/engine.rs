//! What an engine supplies — a connection, read and write transactions, a
//! watcher, and optionally a faster bulk load — and the `Store` that follows
//! from it, written once for every engine by delegating to `sql`.

use chrono::{DateTime, Duration, Utc};

use super::sql::{self, Tx};
use super::{
    Client, Draft, Filter, ImportCase, NewClient, NewOperator, Operator, Page, Queue, QueueCounts,
    RequestQuery, Result, Settings, Store, Totals, Watcher,
};
use crate::domain::case::{Case, CaseRecord};
use crate::domain::catalog::{Catalog, Service};
use crate::domain::intake::CaseInput;
use crate::domain::roles::Actor;
use crate::domain::tracking::{CodeKey, TrackingCode};
use crate::domain::workflow::Action;

pub trait Engine: Send {
    fn location(&self) -> String;
    fn catalog(&self) -> &Catalog;
    fn settings(&self) -> &Settings;
    fn watcher(&self) -> Result<Box<dyn Watcher>>;
    /// Runs `f` on the connection (reads).
    fn read<T>(&mut self, f: impl FnOnce(&mut dyn Tx) -> Result<T>) -> Result<T>;
    /// Runs `f` in one write transaction, committed if it succeeds.
    fn write<T>(
        &mut self,
        f: impl FnOnce(&mut dyn Tx, &Catalog, &Settings) -> Result<T>,
    ) -> Result<T>;
    /// Reads the catalog from the store again (after services were added).
    fn reload_catalog(&mut self) -> Result<()>;
    /// Bulk load; by default the planned rows are inserted one by one.
    fn import(&mut self, batch: &[ImportCase]) -> Result<Vec<TrackingCode>> {
        self.write(|tx, _, _| insert_import(tx, batch))
    }
}

/// The default bulk load, in a transaction the caller opened.
pub fn insert_import(tx: &mut dyn Tx, batch: &[ImportCase]) -> Result<Vec<TrackingCode>> {
    let (rows, codes) = sql::plan_import(tx, batch)?;
    sql::insert_rows(tx, &rows)?;
    Ok(codes)
}

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

    fn import_services(&mut self, services: &[Service]) -> Result<()> {
        self.write(|tx, _, _| sql::import_services(tx, services))?;
        self.reload_catalog()
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
        Engine::import(self, batch)
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
}
