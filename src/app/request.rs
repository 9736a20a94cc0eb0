//! What the console asks of the store and what comes back, as data: commands
//! for the worker, replies and the other messages `update` takes, and the
//! effects it returns. Each kind of request has a slot; a reply older than the
//! newest request of its slot is stale and dropped.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::KeyEvent;

use crate::domain::case::{Case, CaseRecord};
use crate::domain::intake::CaseInput;
use crate::domain::roles::Actor;
use crate::domain::shift::Shift;
use crate::domain::tracking::TrackingCode;
use crate::domain::workflow::Action as CaseAction;
use crate::report::figures::{Report, ReportQuery};
use crate::report::handover::{Handover, HandoverRecord};
use crate::store::{Draft, Filter, Operator, Page, Queue, QueueCounts, QueuePage, StoreError};

/// What the worker is asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Login {
        name: String,
        password: String,
    },
    Setup {
        name: String,
        display_name: String,
        password: String,
    },
    Counts {
        me: String,
    },
    Queue {
        queue: Queue,
        filter: Filter,
        page: Page,
    },
    Search(String),
    Case(TrackingCode),
    Related {
        phone: String,
        service: String,
        neighborhood: String,
        since: DateTime<Utc>,
    },
    Register {
        by: Actor,
        input: CaseInput,
    },
    Act {
        by: Actor,
        code: TrackingCode,
        version: Option<i64>,
        action: CaseAction,
    },
    SaveDraft(Draft),
    LoadDraft(String),
    DiscardDraft(String),
    /// The console saw this operator at work (every minute).
    Seen(String),
    /// A shift's handover, as of now.
    Handover(Shift),
    /// Whether a shift's handover was accepted (asked at a supervisor's sign-in).
    HandoverStatus(Shift),
    NoteHandover {
        by: Actor,
        shift: Shift,
        notes: String,
    },
    AcceptHandover {
        by: Actor,
        shift: Shift,
    },
    /// Figures for a period, with calls per hour of two days to compare.
    Report {
        query: ReportQuery,
        days: [DateTime<Utc>; 2],
    },
    /// The cases of one group of a report.
    CasesOf {
        query: ReportQuery,
        key: String,
    },
}

/// The queue counts, and who is at work.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub queues: QueueCounts,
    pub at_work: Vec<String>,
}

/// Why signing in or setting up failed.
#[derive(Debug)]
pub enum SignInError {
    /// No such operator, or the password does not match (never says which).
    Wrong,
    Store(StoreError),
}

/// What the worker answers.
#[derive(Debug)]
pub enum Reply {
    LoggedIn(Result<Operator, SignInError>),
    Counts(Result<Counts, StoreError>),
    Rows(Result<QueuePage, StoreError>),
    Case(Result<CaseRecord, StoreError>),
    Related(Result<Vec<Case>, StoreError>),
    Registered(Result<Case, StoreError>),
    Acted(Result<Case, StoreError>),
    Draft(Result<Option<Draft>, StoreError>),
    Done(Result<(), StoreError>),
    Handover(Result<Handover, StoreError>),
    HandoverRecord(Result<Option<HandoverRecord>, StoreError>),
    Report(Result<(Report, [Vec<u64>; 2]), StoreError>),
}

impl Reply {
    /// Whether the store answered at all (an answer that says it cannot be
    /// reached, or is too busy, is not one).
    pub fn reached(&self) -> bool {
        let (Reply::Counts(Err(err))
        | Reply::Rows(Err(err))
        | Reply::Case(Err(err))
        | Reply::Related(Err(err))
        | Reply::Registered(Err(err))
        | Reply::Acted(Err(err))
        | Reply::Draft(Err(err))
        | Reply::Done(Err(err))
        | Reply::Handover(Err(err))
        | Reply::HandoverRecord(Err(err))
        | Reply::Report(Err(err))
        | Reply::LoggedIn(Err(SignInError::Store(err)))) = self
        else {
            return true;
        };
        !err.not_reached()
    }
}

#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one message at a time; boxing would buy nothing
pub enum Msg {
    Key(KeyEvent),
    /// The clock: wall time, and a monotonic count of milliseconds.
    Tick {
        now: DateTime<Utc>,
        ms: u64,
    },
    Reply {
        id: u64,
        reply: Reply,
    },
    /// Someone else changed the store.
    Changed,
    /// The watcher found the store stopped answering, or answering again.
    Store(Reach),
    /// The terminal changed size.
    Redraw,
    /// The terminal went away: leave at once (the draft is already saved).
    Hangup,
    /// The right-to-left mode chosen at the first-run check was written to
    /// the config file (its path), or could not be (why).
    DisplaySaved(Result<String, String>),
}

/// Whether the store answers, as the watcher found it (told when it changes).
#[derive(Debug)]
pub enum Reach {
    Reachable,
    /// Why not (an error for which `StoreError::not_reached` holds).
    Unreachable(StoreError),
}

#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // one effect at a time; boxing would buy nothing
pub enum Effect {
    Store {
        id: u64,
        command: Command,
    },
    /// Switch the terminal to this right-to-left mode and save it in the
    /// config file (the first-run check's answer).
    SaveBidi(crate::bidi::BidiMode),
    Quit,
}

/// Which answer each kind of request is waiting for; older answers are stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    Session,
    Counts,
    List,
    Case,
    Related,
    Register,
    Act,
    Draft,
    /// Answers nobody waits for (draft discards): never stale.
    Other,
    Handover,
    HandoverStatus,
    Report,
}

/// The requests in flight.
#[derive(Debug, Default)]
pub struct Requests {
    /// id → (slot, when sent, in ms).
    pending: HashMap<u64, (Slot, u64)>,
    latest: HashMap<Slot, u64>,
    next_id: u64,
}

impl Requests {
    /// Records a request sent at `ms`; returns its id.
    pub fn start(&mut self, slot: Slot, ms: u64) -> u64 {
        self.next_id += 1;
        let id = self.next_id;
        self.pending.insert(id, (slot, ms));
        self.latest.insert(slot, id);
        id
    }

    /// The slot of a reply, or None if it is unknown or stale.
    pub fn finish(&mut self, id: u64) -> Option<Slot> {
        let (slot, _) = self.pending.remove(&id)?;
        (self.latest.get(&slot) == Some(&id) || slot == Slot::Other).then_some(slot)
    }

    /// Whether a request has been waiting at least `after_ms`.
    pub fn waiting(&self, now_ms: u64, after_ms: u64) -> bool {
        self.pending
            .values()
            .any(|(_, sent)| now_ms.saturating_sub(*sent) >= after_ms)
    }
}
