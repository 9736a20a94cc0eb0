//! The thread that owns the store connection: commands in, replies out as
//! messages, so the console never waits on the store. It reads the time from
//! the clock the console was given. Draft saves queued behind one another are
//! folded into the newest. A second thread watches for changes made by others
//! and reports them.

use std::collections::VecDeque;
use std::sync::mpsc::{Sender, channel};
use std::time::Duration;

use std::sync::Arc;

use crate::app::request::Counts;
use crate::app::{Command, Msg, Reply, SignInError};
use crate::auth::hash_password;
use crate::clock::Clock;
use crate::domain::roles::Role;
use crate::store::{Filter, NewOperator, QueuePage, Store, StoreError, Watcher};

/// A command with the id its reply will carry.
pub struct Request {
    pub id: u64,
    pub command: Command,
}

/// Starts the worker; returns where to send it requests.
pub fn spawn(
    mut store: Box<dyn Store>,
    clock: Arc<dyn Clock>,
    out: Sender<Msg>,
) -> Sender<Request> {
    let (tx, rx) = channel::<Request>();
    std::thread::spawn(move || {
        let mut queue: VecDeque<Request> = VecDeque::new();
        loop {
            if queue.is_empty() {
                match rx.recv() {
                    Ok(r) => queue.push_back(r),
                    Err(_) => return,
                }
            }
            queue.extend(rx.try_iter());
            let Some(req) = queue.pop_front() else {
                continue;
            };
            // A draft save with a newer one behind it is answered without writing.
            let superseded = matches!(req.command, Command::SaveDraft(_))
                && queue
                    .iter()
                    .any(|r| matches!(r.command, Command::SaveDraft(_)));
            let reply = if superseded {
                Reply::Done(Ok(()))
            } else {
                run(store.as_mut(), clock.as_ref(), req.command)
            };
            if out.send(Msg::Reply { id: req.id, reply }).is_err() {
                return;
            }
        }
    });
    tx
}

fn run(store: &mut dyn Store, clock: &dyn Clock, command: Command) -> Reply {
    let now = clock.now();
    match command {
        Command::Login { name, password } => Reply::LoggedIn(login(store, &name, &password)),
        Command::Setup {
            name,
            display_name,
            password,
        } => Reply::LoggedIn(setup(store, name, display_name, &password, now)),
        Command::Counts { me } => {
            let due_soon = store.settings().rules.due_soon();
            Reply::Counts(store.queue_counts(&me, due_soon, now).and_then(|queues| {
                Ok(Counts {
                    queues,
                    at_work: store.at_work(crate::report::at_work_since(now))?,
                })
            }))
        }
        Command::Seen(me) => Reply::Done(store.seen(&me, now)),
        Command::Handover(shift) => {
            let settings = store.settings().clone();
            Reply::Handover(crate::report::handover(store, &settings, &shift, now))
        }
        Command::HandoverStatus(shift) => Reply::HandoverRecord(store.handover(&shift)),
        Command::NoteHandover { by, shift, notes } => {
            Reply::HandoverRecord(store.note_handover(&by, &shift, &notes, now).map(Some))
        }
        Command::AcceptHandover { by, shift } => {
            Reply::HandoverRecord(store.accept_handover(&by, &shift, now).map(Some))
        }
        Command::Report { query, days } => Reply::Report(
            crate::report::report(store, &query)
                .and_then(|r| Ok((r, [store.hourly(days[0])?, store.hourly(days[1])?]))),
        ),
        Command::CasesOf { query, key } => Reply::Rows(
            store
                .cases_of(&query, &key, crate::app::list::SEARCH_LIMIT as u32)
                .map(|cases| QueuePage {
                    total: cases.len() as u64,
                    cases,
                }),
        ),
        Command::Queue {
            queue,
            filter,
            page,
        } => Reply::Rows(queue_page(store, &queue, &filter, page, now)),
        Command::Search(q) => Reply::Rows(
            store
                .search(&q, crate::app::list::SEARCH_LIMIT as u32)
                .map(|cases| QueuePage {
                    total: cases.len() as u64,
                    cases,
                }),
        ),
        Command::Case(code) => Reply::Case(store.case(code)),
        Command::Related {
            phone,
            service,
            neighborhood,
            since,
        } => Reply::Related(store.related(&phone, &service, &neighborhood, since)),
        Command::Register { by, input } => Reply::Registered(store.register(&by, &input, now)),
        Command::Act {
            by,
            code,
            version,
            action,
        } => Reply::Acted(store.act(&by, code, version, &action, now)),
        Command::SaveDraft(d) => Reply::Done(store.save_draft(&d)),
        Command::LoadDraft(op) => {
            Reply::Draft(store.drafts(Some(&op)).map(|d| d.into_iter().next()))
        }
        Command::DiscardDraft(op) => Reply::Done(store.discard_draft(&op)),
    }
}

fn queue_page(
    store: &mut dyn Store,
    queue: &crate::store::Queue,
    filter: &Filter,
    page: crate::store::Page,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<QueuePage, StoreError> {
    Ok(QueuePage {
        cases: store.queue_filtered(queue, filter, page, now)?,
        total: store.queue_total(queue, filter, now)?,
    })
}

fn login(
    store: &mut dyn Store,
    name: &str,
    password: &str,
) -> Result<crate::store::Operator, SignInError> {
    if !store
        .check_password(name, password)
        .map_err(SignInError::Store)?
    {
        return Err(SignInError::Wrong);
    }
    let op = store.operator(name).map_err(SignInError::Store)?;
    match op {
        Some(op) => {
            if op.active {
                Ok(op)
            } else {
                Err(SignInError::Store(StoreError::OperatorDisabled(op.name)))
            }
        }
        _ => Err(SignInError::Wrong),
    }
}

fn setup(
    store: &mut dyn Store,
    name: String,
    display_name: String,
    password: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<crate::store::Operator, SignInError> {
    let password_hash =
        hash_password(password).map_err(|e| SignInError::Store(StoreError::Backend(e)))?;
    let op = store
        .add_operator(
            None,
            &NewOperator {
                name,
                display_name,
                role: Role::Supervisor,
                password_hash,
            },
            now,
        )
        .map_err(SignInError::Store)?;
    // On PostgreSQL the server checks the password too (the account's role).
    store
        .set_login(&op.name, password)
        .map_err(SignInError::Store)?;
    Ok(op)
}

/// Watches for changes by others and sends `Msg::Changed`, at most twice a
/// second. If the store cannot be reached it tries again every two seconds.
pub fn watch(
    make: impl Fn() -> Result<Box<dyn Watcher>, StoreError> + Send + 'static,
    out: Sender<Msg>,
) {
    std::thread::spawn(move || {
        loop {
            let Ok(mut w) = make() else {
                std::thread::sleep(Duration::from_secs(2));
                continue;
            };
            loop {
                match w.wait(Duration::from_secs(1)) {
                    Ok(true) => {
                        if out.send(Msg::Changed).is_err() {
                            return;
                        }
                        std::thread::sleep(Duration::from_millis(500));
                    }
                    Ok(false) => {}
                    Err(_) => break,
                }
            }
            // The connection dropped: whatever changed meanwhile, refresh once back.
            std::thread::sleep(Duration::from_secs(2));
            if out.send(Msg::Changed).is_err() {
                return;
            }
        }
    });
}
