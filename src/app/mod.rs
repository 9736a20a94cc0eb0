//! The console's state and its one door for change: `update(&mut App, Msg)`
//! returns effects as data (store commands for the worker, quitting) and does
//! no IO. The shell here routes: a key becomes an action through the keymap
//! (or text for the field in focus), the shell handles what every screen
//! shares (switching screens, help, quitting) and hands the rest to the
//! screen on view, each in its own module with its own state and update;
//! store answers come back as messages, are dropped when stale, and go to the
//! screen that asked. Rendering (`ui`) only reads this.

pub mod actions;
pub mod case;
pub mod field;
pub mod handover;
pub mod intake;
pub mod list;
pub mod modal;
pub mod report;
pub mod request;
pub mod session;

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::bidi::{BidiMode, Flow};
use crate::domain::catalog::Catalog;
use crate::domain::roles::Actor;
use crate::domain::shift::Shift;
use crate::domain::tracking::TrackingCode;
use crate::keymap::{Action, Key, Keymap, Mode};
use crate::locale::Lang;
use crate::present::{Say, Words};
use crate::report::figures::ReportQuery;
use crate::store::{Operator, QueueCounts, Settings, StoreError};
use modal::{Confirm, Overlay};
pub use request::{Command, Counts, Effect, Msg, Reach, Reply, SignInError, Slot};
pub use session::Session;

/// How long a store call may take before the spinner shows.
pub const SPINNER_AFTER_MS: u64 = 150;
/// How often a save that could not reach the store is tried again.
pub const RETRY_EVERY_MS: u64 = 3_000;
/// Rows per page of a queue.
pub const PAGE: u32 = 50;

/// Which screen is on view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Queue(u8),
    Search,
    Intake,
    Case,
    Handover,
    Report,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

/// What every screen shares: who is signed in, the catalog and settings, the
/// keys and the words, the clock, the queue counts, the latest notice, and
/// the requests in flight. A screen's update gets it beside its own state.
pub struct Shell {
    pub session: Session,
    pub catalog: Catalog,
    pub settings: Settings,
    pub keymap: Keymap,
    pub words: Words,
    /// How text flows: who reorders right-to-left text, and whether the
    /// layout mirrors (the Persian locale).
    pub flow: Flow,
    pub store_label: String,
    pub now: DateTime<Utc>,
    pub ms: u64,
    pub counts: QueueCounts,
    /// Who is at work now (seen by a console in the last 15 minutes).
    pub at_work: Vec<String>,
    /// A handover not yet accepted, for the supervisor signed in.
    pub pending_handover: Option<Shift>,
    /// When this console last told the store its operator is at work.
    seen_ms: Option<u64>,
    pub notice: Option<Notice>,
    pub store_down: bool,
    /// What the status line was told when the watcher found the store
    /// down, so it goes when the store is back (unless replaced since).
    down_said: Option<String>,
    pub quit: bool,
    requests: request::Requests,
    /// Effects of the update under way.
    fx: Vec<Effect>,
}

impl Shell {
    pub fn me(&self) -> Option<&Operator> {
        match &self.session {
            Session::Working(op) => Some(op),
            _ => None,
        }
    }

    pub fn actor(&self) -> Option<Actor> {
        self.me().map(Operator::actor)
    }

    /// Asks the worker; the answer comes back as a `Msg::Reply` with this id.
    pub fn send(&mut self, slot: Slot, command: Command) -> u64 {
        let id = self.requests.start(slot, self.ms);
        self.fx.push(Effect::Store { id, command });
        id
    }

    /// An effect other than a store request (the runtime carries it out).
    pub fn push(&mut self, effect: Effect) {
        self.fx.push(effect);
    }

    pub fn note(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: false,
        });
    }

    pub fn warn(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: true,
        });
    }

    /// A store error, said; an unreachable store is also shown in the header.
    pub fn store_error(&mut self, e: &StoreError) {
        if e.not_reached() {
            self.store_down = true;
        }
        let text = e.say(&self.words);
        self.warn(text);
    }

    /// Whether a store call has been running long enough to show the spinner.
    pub fn busy(&self) -> bool {
        self.requests.waiting(self.ms, SPINNER_AFTER_MS)
    }

    /// The shift now, in words.
    pub fn shift(&self) -> String {
        self.words.shift(&self.settings.center.shift_of(self.now))
    }
}

/// What a screen asks the shell to do after a key or an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Go {
    Stay,
    To(View),
    /// Open a case (it loads).
    OpenCase(TrackingCode),
    /// List the cases of one group of the figures.
    CasesOf(ReportQuery, String),
    /// Back to the list the person came from.
    Back,
    Ask(Overlay),
}

pub struct App {
    pub cx: Shell,
    pub view: View,
    /// The list (a queue or the search results) the person came from.
    pub last_list: View,
    pub list: list::ListScreen,
    pub intake: intake::IntakeScreen,
    pub case: case::CaseScreen,
    pub handover: handover::HandoverScreen,
    pub report: report::ReportScreen,
    pub overlay: Option<Overlay>,
}

impl App {
    pub fn new(
        session: Session,
        catalog: Catalog,
        settings: Settings,
        keymap: Keymap,
        store_label: String,
        now: DateTime<Utc>,
    ) -> App {
        let words = Words::new(crate::locale::Locale::english(), settings.center.clone());
        let cx = Shell {
            session,
            catalog,
            settings,
            keymap,
            words,
            flow: Flow::default(),
            store_label,
            now,
            ms: 0,
            counts: QueueCounts::default(),
            at_work: Vec::new(),
            pending_handover: None,
            seen_ms: None,
            notice: None,
            store_down: false,
            down_said: None,
            quit: false,
            requests: request::Requests::default(),
            fx: Vec::new(),
        };
        let intake = intake::IntakeScreen::new(&cx, now.timestamp());
        App {
            cx,
            view: View::Queue(1),
            last_list: View::Queue(1),
            list: list::ListScreen {
                showing: list::Showing::Queue(1),
                ..list::ListScreen::default()
            },
            intake,
            case: case::CaseScreen::default(),
            handover: handover::HandoverScreen::default(),
            report: report::ReportScreen::default(),
            overlay: None,
        }
    }

    /// The console in `lang`, with right-to-left text put in order by
    /// `bidi` (and the layout mirrored in a right-to-left language).
    #[must_use]
    pub fn display(mut self, lang: Lang, bidi: BidiMode) -> App {
        self.cx.words = Words::of(lang, self.cx.settings.center.clone());
        self.cx.flow = Flow {
            mode: bidi,
            rtl: lang.rtl(),
        };
        self
    }

    /// Where the keys go now.
    pub fn mode(&self) -> Mode {
        if self.overlay.as_ref().is_some_and(Overlay::asks) {
            return Mode::Dialog;
        }
        if !matches!(self.cx.session, Session::Working(_)) {
            return Mode::SignIn;
        }
        match self.view {
            View::Intake => Mode::Form,
            View::Case => self.case.mode(),
            View::Queue(_) | View::Search => self.list.mode(),
            View::Handover => self.handover.mode(),
            View::Report => self.report.mode(),
        }
    }

    /// Whether something typed would be lost by leaving now.
    fn unsaved(&self) -> bool {
        self.intake.form.has_text() || self.case.has_text() || self.handover.has_text()
    }

    /// Asks for a fresh look at everything on screen (after a change here or elsewhere).
    fn refresh(&mut self) {
        let Some(me) = self.cx.me().map(|o| o.name.clone()) else {
            return;
        };
        self.cx.send(Slot::Counts, Command::Counts { me });
        self.list.reload(&mut self.cx);
        match self.view {
            View::Case => self.case.reload(&mut self.cx),
            View::Handover => self.handover.reload(&mut self.cx),
            View::Report => self.report.reload(&mut self.cx),
            View::Queue(_) | View::Search | View::Intake => {}
        }
    }

    fn go(&mut self, go: Go) {
        match go {
            Go::Stay => {}
            Go::To(v) => self.show(v),
            Go::OpenCase(code) => {
                self.case.open(&mut self.cx, code);
                self.view = View::Case;
            }
            Go::CasesOf(query, key) => {
                let label = crate::report::format::group_label(
                    &self.cx.words,
                    &self.cx.catalog,
                    query.by,
                    &key,
                );
                self.list.show_group(&mut self.cx, query, key, label);
                self.show(View::Search);
            }
            Go::Back => self.view = self.last_list,
            Go::Ask(o) => self.overlay = Some(o),
        }
    }

    /// The store answered: the header's STORE UNREACHABLE goes, unless a
    /// registration that could not be saved is still waiting to be tried
    /// again (its own answer clears it).
    fn store_reached(&mut self) {
        if self.cx.store_down && !self.intake.retrying() {
            self.cx.store_down = false;
        }
    }

    fn show(&mut self, v: View) {
        if matches!(v, View::Queue(_) | View::Search) {
            self.last_list = v;
        }
        self.view = v;
    }
}

/// The one way the console changes.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Tick { now, ms } => {
            app.cx.now = now;
            app.cx.ms = ms;
            app.intake.tick(&mut app.cx);
            // Every minute: the store learns who is at work (the header shows them).
            if let Some(me) = app.cx.me().map(|o| o.name.clone())
                && app.cx.seen_ms.is_none_or(|t| ms >= t + 60_000)
            {
                app.cx.seen_ms = Some(ms);
                app.cx.send(Slot::Other, Command::Seen(me));
            }
        }
        Msg::Changed => app.refresh(),
        Msg::Store(Reach::Unreachable(e)) => {
            app.cx.store_down = true;
            // Said on the status line unless something else is said there.
            if app.cx.notice.is_none() {
                let why = match &e {
                    StoreError::Unreachable(why) => why.clone(),
                    other => other.say(&app.cx.words),
                };
                let text = app.cx.words.fill("app.store-lost", &[("why", &why)]);
                app.cx.warn(text.clone());
                app.cx.down_said = Some(text);
            }
        }
        Msg::Store(Reach::Reachable) => {
            app.store_reached();
            if let Some(said) = app.cx.down_said.take()
                && app.cx.notice.as_ref().is_some_and(|n| n.text == said)
            {
                app.cx.notice = None;
            }
            // A registration kept while the store was away goes now.
            app.intake.retry_now(&app.cx);
        }
        Msg::Redraw => {}
        Msg::Hangup => app.cx.quit = true,
        Msg::DisplaySaved(Ok(path)) => {
            let text = app.cx.words.fill("bidi.saved", &[("path", &path)]);
            app.cx.note(text);
        }
        Msg::DisplaySaved(Err(why)) => {
            let text = app.cx.words.fill("bidi.not-saved", &[("why", &why)]);
            app.cx.warn(text);
        }
        Msg::Reply { id, reply } => on_reply(app, id, reply),
        Msg::Key(key) => on_key(app, key),
    }
    let mut fx = std::mem::take(&mut app.cx.fx);
    if app.cx.quit {
        fx.push(Effect::Quit);
    }
    fx
}

fn on_reply(app: &mut App, id: u64, reply: Reply) {
    let Some(slot) = app.cx.requests.finish(id) else {
        return; // a newer request of the same kind is on its way
    };
    if reply.reached() {
        app.store_reached();
    }
    match reply {
        Reply::LoggedIn(r) => {
            if session::signed_in(&mut app.cx, r) {
                app.intake = intake::IntakeScreen::new(&app.cx, app.cx.now.timestamp());
                app.intake.load_draft(&mut app.cx);
                app.cx.seen_ms = None;
                // A supervisor hears of the last shift's handover if it waits.
                if app
                    .cx
                    .me()
                    .is_some_and(|o| o.role == crate::domain::roles::Role::Supervisor)
                {
                    let center = &app.cx.settings.center;
                    if let Some(last) = center.previous(&center.shift_of(app.cx.now)) {
                        app.cx
                            .send(Slot::HandoverStatus, Command::HandoverStatus(last));
                    }
                }
                app.refresh();
            }
        }
        Reply::Counts(Ok(c)) => {
            app.cx.counts = c.queues;
            app.cx.at_work = c.at_work;
        }
        Reply::Handover(r) => app.handover.loaded(&mut app.cx, r),
        Reply::Report(r) => app.report.loaded(&mut app.cx, r),
        Reply::HandoverRecord(Ok(r)) if slot == Slot::HandoverStatus => {
            let last = {
                let center = &app.cx.settings.center;
                center.previous(&center.shift_of(app.cx.now))
            };
            if r.as_ref().is_none_or(|r| !r.accepted())
                && let Some(shift) = last
            {
                let text = app.cx.words.fill(
                    "notice.handover-pending",
                    &[("shift", &app.cx.words.shift(&shift))],
                );
                app.cx.pending_handover = Some(shift);
                app.cx.warn(text);
            }
        }
        Reply::HandoverRecord(r) => app.handover.recorded(&mut app.cx, r),
        Reply::Rows(r) => app.list.loaded(&mut app.cx, r),
        Reply::Case(r) => app.case.loaded(&mut app.cx, r),
        Reply::Related(r) => app.intake.related(&mut app.cx, r),
        Reply::Registered(r) => {
            if app.intake.registered(&mut app.cx, r) {
                app.refresh();
            }
        }
        Reply::Acted(r) if app.view == View::Intake => {
            // A call attached to an earlier case from the intake form.
            if app.intake.attached(&mut app.cx, r) {
                app.refresh();
            }
        }
        Reply::Acted(r) => {
            if app.case.acted(&mut app.cx, r) {
                app.refresh();
            }
        }
        Reply::Draft(Ok(Some(d))) if !app.intake.form.has_text() => {
            app.overlay = Some(Overlay::Restore(d));
        }
        Reply::Counts(Err(e)) | Reply::Draft(Err(e)) | Reply::Done(Err(e)) => {
            app.cx.store_error(&e);
        }
        Reply::Draft(Ok(_)) | Reply::Done(Ok(())) => {}
    }
}

fn on_key(app: &mut App, key: KeyEvent) {
    if app.overlay == Some(Overlay::Help) {
        app.overlay = None;
        return;
    }
    if app.overlay == Some(Overlay::BidiCheck) {
        modal::bidi_choice(app, key);
        return;
    }
    // A key answers the notice on the status line: the keys of the screen come back.
    app.cx.notice = None;
    let mode = app.mode();
    let key = mirror_arrows(app, mode, key);
    let bound = app.cx.keymap.resolve(mode, Key::from_event(key));
    if mode == Mode::Dialog {
        if let (Some(o), Some(a @ (Action::Yes | Action::No))) = (app.overlay.clone(), bound) {
            app.overlay = None;
            modal::answer(app, o, a == Action::Yes);
        }
        return;
    }
    if mode == Mode::SignIn {
        match bound {
            Some(Action::Quit) => app.cx.quit = true,
            Some(action) if !is_text(key) => session::act(&mut app.cx, action),
            _ => session::edit(&mut app.cx, key),
        }
        return;
    }
    // In a form, printable keys are text unless bound with a modifier or to
    // a non-character key.
    match bound {
        Some(action) if !(mode.types_text() && is_text(key)) => act(app, action),
        _ if mode.types_text() => {
            let go = match app.view {
                View::Intake => app.intake.edit(&mut app.cx, key),
                View::Case => app.case.edit(&mut app.cx, key),
                View::Queue(_) | View::Search => app.list.edit(&mut app.cx, key),
                View::Handover => app.handover.edit(key, app.cx.flow),
                View::Report => Go::Stay,
            };
            app.go(go);
        }
        _ => {
            if let KeyCode::Char(_) = key.code {
                let help = app
                    .cx
                    .keymap
                    .key_for(mode, Action::Help)
                    .map_or(String::new(), |k| k.to_string());
                let text = app.cx.words.fill("notice.unbound", &[("help", &help)]);
                app.cx.note(text);
            }
        }
    }
}

/// In a mirrored layout, ← and → on the boards (shifts, groupings) go the
/// way the screen reads: → to the earlier shift, which is on the right.
fn mirror_arrows(app: &App, mode: Mode, mut key: KeyEvent) -> KeyEvent {
    if app.cx.flow.rtl && mode == Mode::Board {
        key.code = match key.code {
            KeyCode::Left => KeyCode::Right,
            KeyCode::Right => KeyCode::Left,
            other => other,
        };
    }
    key
}

/// A printable key without Ctrl or Alt: text for the field in focus.
fn is_text(key: KeyEvent) -> bool {
    matches!(key.code, KeyCode::Char(_))
        && !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
}

/// An action: the shell's own, or the screen's on view.
fn act(app: &mut App, action: Action) {
    app.cx.notice = None;
    let go = match action {
        Action::Intake => Go::To(View::Intake),
        Action::Queue(n) => {
            app.list.open_queue(&mut app.cx, n);
            Go::To(View::Queue(n))
        }
        Action::Search => {
            app.list.start_search();
            Go::To(View::Search)
        }
        Action::Help => Go::Ask(Overlay::Help),
        Action::Handover => {
            app.handover.open(&mut app.cx);
            Go::To(View::Handover)
        }
        Action::Report => {
            app.report.reload(&mut app.cx);
            Go::To(View::Report)
        }
        Action::Quit if app.unsaved() => Go::Ask(Overlay::Confirm(Confirm::Quit)),
        // Quitting means signing in again: asked, so a slip of the key costs nothing.
        Action::Quit => Go::Ask(Overlay::Confirm(Confirm::Leave)),
        other => match app.view {
            View::Intake => app.intake.act(&mut app.cx, other),
            View::Case => app.case.act(&mut app.cx, other),
            View::Queue(_) | View::Search => app.list.act(&mut app.cx, other),
            View::Handover => app.handover.act(&mut app.cx, other),
            View::Report => app.report.act(&mut app.cx, other),
        },
    };
    app.go(go);
}
