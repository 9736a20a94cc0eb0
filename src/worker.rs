//! The thread that owns the store connection: commands in, replies out as
//! messages, so the console never waits on the store. It reads the time from
//! the clock the console was given. Draft saves queued behind one another are
//! folded into the newest. A second thread watches for changes made by others
//! and reports them, and tells when the store stops answering and when it
//! answers again.

use std::collections::VecDeque;
use std::sync::mpsc::{Sender, channel};
use std::time::{Duration, Instant};

use std::sync::Arc;

use crate::app::request::Counts;
use crate::app::{Command, Msg, Reach, Reply, SignInError};
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

/// How often the watcher tries to reach a store it lost (at most).
const WATCH_RETRY: Duration = Duration::from_secs(2);

/// Watches for changes by others and sends `Msg::Changed`, at most twice a
/// second. Tells the console when the store stops answering and when it
/// answers again (`Msg::Store`; the watcher's connection is probed while
/// quiet, so an idle console hears of a stalled server too). While the
/// store cannot be reached, or the watcher cannot be made at all, it tries
/// again every two seconds, sleeping in between; once back, one `Changed`
/// refreshes what is on screen. Ends when the console is gone.
pub fn watch(
    make: impl Fn() -> Result<Box<dyn Watcher>, StoreError> + Send + 'static,
    out: Sender<Msg>,
) {
    std::thread::spawn(move || {
        let mut down = false;
        // Tells the console that the store is down, once; false when the
        // console is gone.
        let lost = |down: &mut bool, e: StoreError| {
            if !e.not_reached() || *down {
                return true;
            }
            *down = true;
            out.send(Msg::Store(Reach::Unreachable(e))).is_ok()
        };
        // Set once the watcher was lost (or never made): what changed
        // meanwhile is refreshed once it is back.
        let mut missed = false;
        loop {
            let tried = Instant::now();
            let mut w = match make() {
                Ok(w) => w,
                Err(e) => {
                    missed = true;
                    if !lost(&mut down, e) {
                        return;
                    }
                    std::thread::sleep(
                        WATCH_RETRY
                            .saturating_sub(tried.elapsed())
                            .max(Duration::from_millis(200)),
                    );
                    continue;
                }
            };
            if down {
                down = false;
                if out.send(Msg::Store(Reach::Reachable)).is_err() {
                    return;
                }
            }
            if std::mem::take(&mut missed) && out.send(Msg::Changed).is_err() {
                return;
            }
            let why = loop {
                match w.wait(Duration::from_secs(1)) {
                    Ok(true) => {
                        if out.send(Msg::Changed).is_err() {
                            return;
                        }
                        std::thread::sleep(Duration::from_millis(500));
                    }
                    Ok(false) => {}
                    Err(e) => break e,
                }
            };
            drop(w);
            missed = true;
            if !lost(&mut down, why) {
                return;
            }
            std::thread::sleep(WATCH_RETRY);
        }
    });
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::sync::mpsc::{Receiver, channel};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use super::watch;
    use crate::app::{Msg, Reach};
    use crate::store::{StoreError, Watcher};

    /// A watcher that answers from a script, then waits quietly.
    struct Scripted(VecDeque<Result<bool, StoreError>>);

    impl Watcher for Scripted {
        fn wait(&mut self, timeout: Duration) -> Result<bool, StoreError> {
            self.0.pop_front().unwrap_or_else(|| {
                std::thread::sleep(timeout);
                Ok(false)
            })
        }
    }

    /// What making a watcher gives, in turn: a scripted watcher or an error.
    type Makes = VecDeque<Result<Vec<Result<bool, StoreError>>, StoreError>>;

    fn down(why: &str) -> StoreError {
        StoreError::Unreachable(why.into())
    }

    /// The messages the watcher thread sends within `limit`, in words.
    fn told(rx: &Receiver<Msg>, n: usize, limit: Duration) -> Vec<String> {
        let started = Instant::now();
        let mut out = Vec::new();
        while out.len() < n {
            let left = limit.saturating_sub(started.elapsed());
            let Ok(m) = rx.recv_timeout(left) else { break };
            out.push(match m {
                Msg::Changed => "changed".to_owned(),
                Msg::Store(Reach::Reachable) => "reachable".to_owned(),
                Msg::Store(Reach::Unreachable(e)) => format!("unreachable: {e:?}"),
                other => format!("{other:?}"),
            });
        }
        out
    }

    #[test]
    fn reachability_is_told_when_it_changes_with_one_refresh_when_back() {
        let makes: Makes = VecDeque::from([
            Err(down("no server")),
            Err(down("still none")),
            Ok(vec![Ok(true), Err(down("stalled"))]),
            Err(StoreError::Backend("odd".into())),
            Ok(vec![]),
        ]);
        let makes = Arc::new(Mutex::new(makes));
        let (tx, rx) = channel();
        let m = makes.clone();
        watch(
            move || match m.lock().unwrap().pop_front() {
                Some(Ok(script)) => Ok(Box::new(Scripted(script.into())) as Box<dyn Watcher>),
                Some(Err(e)) => Err(e),
                None => Ok(Box::new(Scripted(VecDeque::new()))),
            },
            tx,
        );
        let got = told(&rx, 7, Duration::from_secs(30));
        assert_eq!(
            got,
            [
                "unreachable: Unreachable(\"no server\")",
                "reachable",
                "changed",
                "changed",
                "unreachable: Unreachable(\"stalled\")",
                "reachable",
                "changed",
            ],
            "told once per change of reachability; one refresh each time back"
        );
        // Nothing more while all is well.
        assert!(told(&rx, 1, Duration::from_millis(2500)).is_empty());
    }

    /// A watcher that cannot be made at all is tried again every two
    /// seconds, sleeping in between, not in a busy loop.
    #[test]
    fn a_watcher_that_cannot_be_made_is_tried_again_every_two_seconds() {
        let tries = Arc::new(Mutex::new(0u32));
        let (tx, rx) = channel();
        let t = tries.clone();
        watch(
            move || {
                *t.lock().unwrap() += 1;
                Err(StoreError::Backend("cannot open".into()))
            },
            tx,
        );
        std::thread::sleep(Duration::from_millis(4500));
        let n = *tries.lock().unwrap();
        assert!((2..=4).contains(&n), "{n} tries in 4.5 s");
        assert!(
            told(&rx, 1, Duration::from_millis(10)).is_empty(),
            "not a reachability problem: nothing said"
        );
    }
}
