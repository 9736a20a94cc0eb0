//! The console's state and its one door for change: `update(&mut App, Msg)`
//! returns effects as data (store commands for the worker, quitting) and does
//! no IO. Keys become actions through the keymap; store answers come back as
//! messages and are ignored when stale. Rendering (`ui`) only reads this.

pub mod field;
pub mod intake;

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::domain::case::{CancelReason, Case, CaseRecord, Contact, Feedback};
use crate::domain::catalog::Catalog;
use crate::domain::intake::{CaseInput, InvalidInput};
use crate::domain::roles::{ActionKind, Actor};
use crate::domain::tracking::TrackingCode;
use crate::domain::workflow::Action as CaseAction;
use crate::keymap::{Action, Key, Keymap, Mode};
use crate::locale::{fill, t};
use crate::store::{Draft, Operator, Page, Queue, QueueCounts, Settings, StoreError};
use field::TextField;
use intake::{DraftBody, Field, IntakeForm, matching_services};

/// How long a store call may take before the spinner shows.
pub const SPINNER_AFTER_MS: u64 = 150;
/// How often a save that could not reach the store is tried again.
pub const RETRY_EVERY_MS: u64 = 3_000;
/// Rows per page of a queue.
pub const PAGE: u32 = 50;

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
}

/// What the worker answers.
#[derive(Debug)]
pub enum Reply {
    LoggedIn(Result<Operator, String>),
    Counts(Result<QueueCounts, StoreError>),
    Rows(Result<Vec<Case>, StoreError>),
    Case(Result<CaseRecord, StoreError>),
    Related(Result<Vec<Case>, StoreError>),
    Registered(Result<Case, StoreError>),
    Acted(Result<Case, StoreError>),
    Draft(Result<Option<Draft>, StoreError>),
    Done(Result<(), StoreError>),
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
    /// The terminal changed size.
    Redraw,
    /// The terminal went away: leave at once (the draft is already saved).
    Hangup,
}

#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // one effect at a time; boxing would buy nothing
pub enum Effect {
    Store { id: u64, command: Command },
    Quit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    Queue(u8),
    Search,
    Intake,
    Case,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoginForm {
    pub name: TextField,
    pub password: TextField,
    pub on_password: bool,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SetupForm {
    pub fields: [TextField; 4],
    pub focus: usize,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Session {
    Setup(SetupForm),
    Login(LoginForm),
    Working(Operator),
}

/// A list of cases on screen (a queue, or search results).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListView {
    pub rows: Vec<Case>,
    pub selected: usize,
    pub offset: u32,
    pub loaded: bool,
}

/// An action on the open case waiting for what it needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub action: ActionKind,
    /// A choice among codes (feedback result, cancel reason), if the action has one.
    pub choices: Vec<&'static str>,
    pub choice: usize,
    /// Text fields: (locale key of the label, field, required).
    pub fields: Vec<(&'static str, TextField, bool)>,
    pub focus: usize,
}

impl Prompt {
    /// A prompt with a choice among `choices` (if any) and empty text fields
    /// given as (locale key of the label, required).
    pub fn new(
        action: ActionKind,
        choices: Vec<&'static str>,
        fields: &[(&'static str, bool)],
    ) -> Prompt {
        Prompt {
            action,
            choices,
            choice: 0,
            fields: fields
                .iter()
                .map(|&(label, required)| (label, TextField::new(), required))
                .collect(),
            focus: 0,
        }
    }

    pub fn has_text(&self) -> bool {
        self.fields.iter().any(|(_, f, _)| !f.is_empty())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseView {
    pub record: CaseRecord,
    pub scroll: u16,
    pub prompt: Option<Prompt>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Modal {
    /// Throw away what was typed (intake, a prompt), or quit with it unsaved?
    Confirm(Confirm),
    /// A case was registered: its code, large, and the deadline.
    Saved {
        code: TrackingCode,
        due: DateTime<Utc>,
        attached: bool,
    },
    /// A draft from an earlier session.
    Restore(Draft),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirm {
    DiscardIntake,
    DiscardPrompt,
    Quit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

/// Which answer each kind of request is waiting for; older answers are stale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Slot {
    Session,
    Counts,
    List,
    Case,
    Related,
    Register,
    Act,
    Draft,
    Other,
}

#[allow(clippy::struct_excessive_bools)] // independent flags of the screen, not a state machine
pub struct App {
    pub session: Session,
    pub catalog: Catalog,
    pub settings: Settings,
    pub keymap: Keymap,
    pub store_label: String,
    pub words: crate::present::Words,
    pub now: DateTime<Utc>,
    pub ms: u64,
    pub counts: QueueCounts,
    pub view: View,
    pub last_list: View,
    pub list: ListView,
    pub search: TextField,
    pub searching: bool,
    pub intake: IntakeForm,
    pub case: Option<CaseView>,
    pub modal: Option<Modal>,
    pub help: bool,
    pub notice: Option<Notice>,
    pub store_down: bool,
    pub quit: bool,
    /// Requests in flight: id → (slot, when sent).
    pending: HashMap<u64, (Slot, u64)>,
    latest: HashMap<Slot, u64>,
    next_id: u64,
    /// A registration that could not reach the store, tried again until it lands.
    retry: Option<(CaseInput, u64)>,
    forms: u64,
    started: i64,
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
        let words =
            crate::present::Words::new(crate::locale::Locale::english(), settings.center.clone());
        let mut app = App {
            words,
            session,
            catalog,
            settings,
            keymap,
            store_label,
            now,
            ms: 0,
            counts: QueueCounts::default(),
            view: View::Queue(1),
            last_list: View::Queue(1),
            list: ListView::default(),
            search: TextField::new(),
            searching: false,
            intake: IntakeForm::new(String::new()),
            case: None,
            modal: None,
            help: false,
            notice: None,
            store_down: false,
            quit: false,
            pending: HashMap::new(),
            latest: HashMap::new(),
            next_id: 1,
            retry: None,
            forms: 0,
            started: now.timestamp(),
        };
        app.intake = app.fresh_form();
        app
    }

    /// The login screen, with the name filled in if given.
    pub fn login(name: Option<&str>) -> Session {
        let mut f = LoginForm {
            name: TextField::new(),
            password: TextField::secret(),
            on_password: false,
            error: None,
        };
        if let Some(n) = name {
            f.name.set(n);
            f.on_password = true;
        }
        Session::Login(f)
    }

    pub fn setup() -> Session {
        Session::Setup(SetupForm {
            fields: [
                TextField::new(),
                TextField::new(),
                TextField::secret(),
                TextField::secret(),
            ],
            focus: 0,
            error: None,
        })
    }

    pub fn me(&self) -> Option<&Operator> {
        match &self.session {
            Session::Working(op) => Some(op),
            _ => None,
        }
    }

    fn actor(&self) -> Option<Actor> {
        self.me().map(Operator::actor)
    }

    /// Where the keys go now.
    pub fn mode(&self) -> Mode {
        match self.view {
            View::Intake => Mode::Form,
            View::Case if self.case.as_ref().is_some_and(|c| c.prompt.is_some()) => Mode::Form,
            View::Search if self.searching => Mode::Form,
            View::Case => Mode::Case,
            _ => Mode::List,
        }
    }

    /// Whether a store call has been running long enough to show the spinner.
    pub fn busy(&self) -> bool {
        self.pending
            .values()
            .any(|(_, sent)| self.ms.saturating_sub(*sent) >= SPINNER_AFTER_MS)
    }

    pub fn shift(&self) -> String {
        self.words.shift(&self.settings.center.shift_of(self.now))
    }

    fn fresh_form(&mut self) -> IntakeForm {
        self.forms += 1;
        let who = self.me().map_or("console", |o| o.name.as_str());
        IntakeForm::new(format!("{who}-{}-{}", self.started, self.forms))
    }

    fn send(&mut self, slot: Slot, command: Command, fx: &mut Vec<Effect>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.pending.insert(id, (slot, self.ms));
        self.latest.insert(slot, id);
        fx.push(Effect::Store { id, command });
        id
    }

    fn note(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: false,
        });
    }

    fn warn(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice {
            text: text.into(),
            error: true,
        });
    }

    fn store_error(&mut self, e: &StoreError) {
        if matches!(e, StoreError::Unreachable(_) | StoreError::Busy) {
            self.store_down = true;
        }
        let text = match e {
            StoreError::Conflict { by, at, .. } => fill(
                "notice.conflict",
                &[("who", by), ("when", &self.settings.center.show(*at))],
            ),
            other => other.to_string(),
        };
        self.warn(text);
    }

    fn queue_of(&self, n: u8) -> Queue {
        match n {
            1 => Queue::Unreferred,
            2 => Queue::Overdue,
            3 => Queue::DueSoon(Duration::hours(4)),
            4 => Queue::Feedback,
            5 => Queue::FollowUp,
            _ => Queue::Mine(self.me().map(|o| o.name.clone()).unwrap_or_default()),
        }
    }

    fn refresh(&mut self, fx: &mut Vec<Effect>) {
        let Some(me) = self.me().map(|o| o.name.clone()) else {
            return;
        };
        self.send(Slot::Counts, Command::Counts { me }, fx);
        self.reload_list(fx);
        if let (View::Case, Some(c)) = (&self.view, &self.case) {
            let code = c.record.case.code;
            self.send(Slot::Case, Command::Case(code), fx);
        }
    }

    fn reload_list(&mut self, fx: &mut Vec<Effect>) {
        match self.last_list.clone() {
            View::Queue(n) => {
                let page = Page {
                    limit: PAGE,
                    offset: self.list.offset,
                };
                let queue = self.queue_of(n);
                self.send(Slot::List, Command::Queue { queue, page }, fx);
            }
            View::Search if !self.search.is_empty() => {
                let q = self.search.text();
                self.send(Slot::List, Command::Search(q), fx);
            }
            _ => {}
        }
    }

    fn open_queue(&mut self, n: u8, fx: &mut Vec<Effect>) {
        if self.last_list != View::Queue(n) {
            self.list = ListView::default();
        }
        self.view = View::Queue(n);
        self.last_list = View::Queue(n);
        self.reload_list(fx);
    }

    fn save_draft(&mut self, fx: &mut Vec<Effect>) {
        let Some(me) = self.me().map(|o| o.name.clone()) else {
            return;
        };
        let body = serde_json::to_string(&self.intake.to_draft()).unwrap_or_default();
        let draft = Draft {
            operator: me,
            saved_at: self.now,
            body,
        };
        self.send(Slot::Draft, Command::SaveDraft(draft), fx);
    }

    /// The intake draft is no longer needed (saved, attached or thrown away).
    fn discard_draft(&mut self, fx: &mut Vec<Effect>) {
        if let Some(me) = self.me().map(|o| o.name.clone()) {
            self.send(Slot::Other, Command::DiscardDraft(me), fx);
        }
    }

    /// A call is in the store (a new case, or attached to one): show its code
    /// and deadline and start an empty form for the next call.
    fn call_done(&mut self, case: &Case, attached: bool, fx: &mut Vec<Effect>) {
        self.modal = Some(Modal::Saved {
            code: case.code,
            due: case.due_at,
            attached,
        });
        self.intake = self.fresh_form();
        self.discard_draft(fx);
    }

    fn look_up_related(&mut self, fx: &mut Vec<Effect>) {
        let f = &self.intake;
        let phone = crate::text::phone_key(&f.phone.text()).unwrap_or_default();
        let service = f.service.clone().unwrap_or_default();
        let neighborhood = f.neighborhood.text().trim().to_owned();
        let key = format!("{phone}|{service}|{neighborhood}");
        if key == f.related_key
            || (phone.is_empty() && (service.is_empty() || neighborhood.is_empty()))
        {
            return;
        }
        self.intake.related_key = key;
        let since = self.now - Duration::days(7);
        self.send(
            Slot::Related,
            Command::Related {
                phone,
                service,
                neighborhood,
                since,
            },
            fx,
        );
    }
}

/// The one way the console changes.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Tick { now, ms } => {
            app.now = now;
            app.ms = ms;
            if let Some((input, at)) = app.retry.clone()
                && ms >= at
                && let Some(by) = app.actor()
            {
                app.retry = Some((input.clone(), ms + RETRY_EVERY_MS));
                app.send(Slot::Register, Command::Register { by, input }, &mut fx);
            }
        }
        Msg::Changed => app.refresh(&mut fx),
        Msg::Redraw => {}
        Msg::Hangup => app.quit = true,
        Msg::Reply { id, reply } => on_reply(app, id, reply, &mut fx),
        Msg::Key(key) => on_key(app, key, &mut fx),
    }
    if app.quit {
        fx.push(Effect::Quit);
    }
    fx
}

fn on_reply(app: &mut App, id: u64, reply: Reply, fx: &mut Vec<Effect>) {
    let Some((slot, _)) = app.pending.remove(&id) else {
        return;
    };
    if app.latest.get(&slot) != Some(&id) && slot != Slot::Other {
        return; // a newer request of the same kind is on its way
    }
    let reached = !matches!(
        &reply,
        Reply::Counts(Err(StoreError::Unreachable(_)))
            | Reply::Rows(Err(StoreError::Unreachable(_)))
            | Reply::Registered(Err(StoreError::Unreachable(_) | StoreError::Busy))
    );
    if reached && app.store_down && app.retry.is_none() {
        app.store_down = false;
    }
    match reply {
        Reply::LoggedIn(Ok(op)) => {
            let name = op.name.clone();
            app.session = Session::Working(op);
            app.intake = app.fresh_form();
            app.note(fill("notice.welcome", &[("name", &name)]));
            app.send(Slot::Draft, Command::LoadDraft(name), fx);
            app.refresh(fx);
        }
        Reply::LoggedIn(Err(e)) => match &mut app.session {
            Session::Login(f) => {
                f.error = Some(e);
                f.password.clear();
            }
            Session::Setup(f) => f.error = Some(e),
            Session::Working(_) => {}
        },
        Reply::Counts(Ok(c)) => app.counts = c,
        Reply::Rows(Ok(rows)) => {
            app.list.rows = rows;
            app.list.loaded = true;
            app.list.selected = app.list.selected.min(app.list.rows.len().saturating_sub(1));
        }
        Reply::Case(Ok(record)) => {
            let prompt = app.case.as_mut().and_then(|c| {
                (c.record.case.code == record.case.code)
                    .then(|| c.prompt.take())
                    .flatten()
            });
            app.case = Some(CaseView {
                record,
                scroll: 0,
                prompt,
            });
        }
        Reply::Related(Ok(cases)) => {
            app.intake.related = cases;
            app.intake.related_cursor = 0;
        }
        Reply::Registered(Ok(case)) => {
            app.retry = None;
            app.store_down = false;
            app.call_done(&case, false, fx);
            app.note(fill("notice.registered", &[("code", &case.code.spoken())]));
            app.refresh(fx);
        }
        Reply::Registered(Err(StoreError::Unreachable(_) | StoreError::Busy)) => {
            let input = app.intake.to_input(&app.catalog);
            app.retry = Some((input, app.ms + RETRY_EVERY_MS));
            app.store_down = true;
            app.warn(t("notice.retrying"));
        }
        Reply::Registered(Err(StoreError::Invalid(InvalidInput { errors }))) => {
            app.retry = None;
            app.intake.set_errors(errors);
            app.warn(t("notice.fix-fields"));
        }
        Reply::Acted(Ok(case)) => {
            if app.view == View::Intake {
                // A call attached to an earlier case from the intake form.
                app.call_done(&case, true, fx);
            } else if let Some(c) = &mut app.case {
                c.prompt = None;
                let status = crate::locale::code("status", case.status.as_str());
                app.note(fill("notice.done", &[("status", &status)]));
            }
            app.refresh(fx);
        }
        Reply::Acted(Err(e)) => {
            app.store_error(&e);
            if matches!(e, StoreError::Conflict { .. }) {
                // Reload the case; the prompt and its text stay.
                if let Some(c) = &app.case {
                    let code = c.record.case.code;
                    app.send(Slot::Case, Command::Case(code), fx);
                }
            }
        }
        Reply::Draft(Ok(Some(d))) if app.view != View::Intake || !app.intake.has_text() => {
            app.modal = Some(Modal::Restore(d));
        }
        Reply::Counts(Err(e))
        | Reply::Rows(Err(e))
        | Reply::Case(Err(e))
        | Reply::Related(Err(e))
        | Reply::Registered(Err(e))
        | Reply::Draft(Err(e))
        | Reply::Done(Err(e)) => app.store_error(&e),
        Reply::Draft(Ok(_)) | Reply::Done(Ok(())) => {}
    }
}

fn on_key(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    if app.modal.is_some() {
        return on_modal_key(app, key, fx);
    }
    if app.help {
        app.help = false;
        return;
    }
    match &app.session {
        Session::Setup(_) => return on_setup_key(app, key, fx),
        Session::Login(_) => return on_login_key(app, key, fx),
        Session::Working(_) => {}
    }
    let mode = app.mode();
    let bound = app.keymap.resolve(mode, Key::from_event(key));
    if mode == Mode::Form {
        // In a form, printable keys are text unless bound with a modifier or
        // to a non-character key.
        let printable = matches!(key.code, KeyCode::Char(_))
            && !key
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match bound {
            Some(action) if !printable => act(app, action, fx),
            _ => edit(app, key, fx),
        }
        return;
    }
    match bound {
        Some(action) => act(app, action, fx),
        None => {
            if let KeyCode::Char(_) = key.code {
                app.note(t("notice.unbound"));
            }
        }
    }
}

fn on_modal_key(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(modal) = app.modal.clone() else {
        return;
    };
    let c = Key::from_event(key).code;
    let yes = matches!(c, KeyCode::Char('y' | 'Y'));
    let no = matches!(c, KeyCode::Char('n' | 'N') | KeyCode::Esc);
    match modal {
        Modal::Saved { .. } => {
            if matches!(c, KeyCode::Enter | KeyCode::Esc | KeyCode::Char(' ')) {
                app.modal = None;
            }
        }
        Modal::Confirm(what) if yes => {
            app.modal = None;
            match what {
                Confirm::DiscardIntake => {
                    app.intake = app.fresh_form();
                    app.discard_draft(fx);
                    app.view = app.last_list.clone();
                }
                Confirm::DiscardPrompt => {
                    if let Some(c) = &mut app.case {
                        c.prompt = None;
                    }
                }
                Confirm::Quit => app.quit = true,
            }
        }
        Modal::Confirm(_) if no => app.modal = None,
        Modal::Restore(d) if yes => {
            app.modal = None;
            if let Ok(body) = serde_json::from_str::<DraftBody>(&d.body) {
                app.intake = IntakeForm::from_draft(&body);
                app.view = View::Intake;
                app.note(t("notice.restored"));
                app.look_up_related(fx);
            }
        }
        Modal::Restore(_) if no => {
            app.modal = None;
            app.discard_draft(fx);
        }
        _ => {}
    }
}

fn on_login_key(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    let Session::Login(f) = &mut app.session else {
        return;
    };
    match key.code {
        KeyCode::Tab | KeyCode::BackTab | KeyCode::Up | KeyCode::Down => {
            f.on_password = !f.on_password;
        }
        KeyCode::Enter if !f.on_password => f.on_password = true,
        KeyCode::Enter => {
            let (name, password) = (f.name.text().trim().to_owned(), f.password.text());
            if name.is_empty() || password.is_empty() {
                f.error = Some(t("login.both").to_owned());
                return;
            }
            f.error = None;
            app.send(Slot::Session, Command::Login { name, password }, fx);
        }
        KeyCode::Esc if key.modifiers.is_empty() => app.quit = true,
        KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => app.quit = true,
        _ => {
            let field = if f.on_password {
                &mut f.password
            } else {
                &mut f.name
            };
            field.handle(key);
        }
    }
}

fn on_setup_key(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    let Session::Setup(f) = &mut app.session else {
        return;
    };
    match key.code {
        KeyCode::Tab | KeyCode::Down => f.focus = (f.focus + 1) % 4,
        KeyCode::BackTab | KeyCode::Up => f.focus = (f.focus + 3) % 4,
        KeyCode::Enter if f.focus < 3 => f.focus += 1,
        KeyCode::Enter => {
            let [name, display, password, repeat] = f.fields.clone().map(|x| x.text());
            let name = name.trim().to_owned();
            f.error = if let Err(e) = crate::domain::roles::check_operator_name(&name) {
                Some(e.to_string())
            } else if password.chars().count() < crate::auth::MIN_PASSWORD {
                Some(t("setup.short").to_owned())
            } else if password != repeat {
                Some(t("setup.mismatch").to_owned())
            } else {
                None
            };
            if f.error.is_none() {
                let display_name = if display.trim().is_empty() {
                    name.clone()
                } else {
                    display
                };
                app.send(
                    Slot::Session,
                    Command::Setup {
                        name,
                        display_name,
                        password,
                    },
                    fx,
                );
            }
        }
        KeyCode::Esc => app.quit = true,
        _ => {
            f.fields[f.focus].handle(key);
        }
    }
}

/// Text keys in a form: the intake form, a prompt, or the search box.
fn edit(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    match app.view {
        View::Search => {
            if key.code == KeyCode::Enter {
                app.searching = false;
                app.list = ListView::default();
                app.last_list = View::Search;
                app.reload_list(fx);
            } else if key.code == KeyCode::Down {
                app.searching = false;
            } else {
                app.search.handle(key);
            }
        }
        View::Case => edit_prompt(app, key, fx),
        _ => edit_intake(app, key, fx),
    }
}

fn edit_intake(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    let focus = app.intake.focus;
    let mut changed = false;
    match key.code {
        KeyCode::Left | KeyCode::Right if focus.is_choice() => {
            app.intake.cycle(&app.catalog, key.code == KeyCode::Right);
            changed = true;
        }
        KeyCode::Char(' ') if focus.is_choice() => {
            app.intake.cycle(&app.catalog, true);
            changed = true;
        }
        KeyCode::Up | KeyCode::Down if focus == Field::Service => {
            let n = matching_services(&app.catalog, &app.intake.service_filter.text()).len();
            let c = &mut app.intake.service_cursor;
            *c = if key.code == KeyCode::Down {
                (*c + 1).min(n.saturating_sub(1))
            } else {
                c.saturating_sub(1)
            };
        }
        KeyCode::Enter if focus == Field::Service => {
            choose_service(app);
            app.intake.move_focus(true);
            changed = true;
        }
        KeyCode::Up | KeyCode::Down if focus != Field::Description => {
            let n = app.intake.related.len();
            let c = &mut app.intake.related_cursor;
            *c = if key.code == KeyCode::Down {
                (*c + 1).min(n.saturating_sub(1))
            } else {
                c.saturating_sub(1)
            };
        }
        KeyCode::Enter if focus != Field::Description => {
            leave_field(app, fx);
            app.intake.move_focus(true);
        }
        _ => {
            if let Some(f) = app.intake.text_field(focus) {
                changed = f.handle(key);
            }
            if changed && focus == Field::Service {
                app.intake.service = None;
                app.intake.service_cursor = 0;
            }
            if changed && focus == Field::Phone {
                app.look_up_related(fx);
            }
        }
    }
    if changed {
        app.save_draft(fx);
    }
}

/// Settles the highlighted service as the chosen one.
fn choose_service(app: &mut App) {
    let f = &mut app.intake;
    let matches = matching_services(&app.catalog, &f.service_filter.text());
    if let Some(s) = matches.get(f.service_cursor.min(matches.len().saturating_sub(1))) {
        f.service = Some(s.code.clone());
    }
}

/// What happens when the focus leaves an intake field.
fn leave_field(app: &mut App, fx: &mut Vec<Effect>) {
    if app.intake.focus == Field::Service
        && app.intake.service.is_none()
        && !app.intake.service_filter.is_empty()
    {
        choose_service(app);
        app.save_draft(fx);
    }
    if matches!(
        app.intake.focus,
        Field::Phone | Field::Service | Field::Neighborhood
    ) {
        app.look_up_related(fx);
    }
}

fn edit_prompt(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(p) = app.case.as_mut().and_then(|c| c.prompt.as_mut()) else {
        return;
    };
    let on_choice = !p.choices.is_empty() && p.focus == 0;
    match key.code {
        KeyCode::Left | KeyCode::Right if on_choice => {
            let n = p.choices.len();
            p.choice = if key.code == KeyCode::Right {
                (p.choice + 1) % n
            } else {
                (p.choice + n - 1) % n
            };
        }
        KeyCode::Enter => submit_prompt(app, fx),
        _ if on_choice => {}
        _ => {
            let i = p.focus - usize::from(!p.choices.is_empty());
            if let Some((_, f, _)) = p.fields.get_mut(i) {
                f.handle(key);
            }
        }
    }
}

fn act(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    app.notice = None;
    match action {
        Action::Intake => {
            app.view = View::Intake;
        }
        Action::Queue(n) => app.open_queue(n, fx),
        Action::Search => {
            app.view = View::Search;
            app.searching = true;
        }
        Action::Help => app.help = true,
        Action::Quit => {
            if app.intake.has_text()
                || app
                    .case
                    .as_ref()
                    .is_some_and(|c| c.prompt.as_ref().is_some_and(Prompt::has_text))
            {
                app.modal = Some(Modal::Confirm(Confirm::Quit));
            } else {
                app.quit = true;
            }
        }
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Home
        | Action::End => {
            if app.view == View::Case {
                if let Some(c) = &mut app.case {
                    c.scroll = match action {
                        Action::Up => c.scroll.saturating_sub(1),
                        _ => c.scroll.saturating_add(1),
                    };
                }
                return;
            }
            move_selection(app, action, fx);
        }
        Action::Open => {
            if let Some(case) = app.list.rows.get(app.list.selected) {
                let code = case.code;
                app.case = None;
                app.view = View::Case;
                app.send(Slot::Case, Command::Case(code), fx);
            }
        }
        Action::Back => back(app),
        Action::NextField | Action::PrevField => {
            let forward = action == Action::NextField;
            if app.view == View::Intake {
                leave_field(app, fx);
                app.intake.move_focus(forward);
            } else if let Some(p) = app.case.as_mut().and_then(|c| c.prompt.as_mut()) {
                let n = p.fields.len() + usize::from(!p.choices.is_empty());
                p.focus = if forward {
                    (p.focus + 1) % n
                } else {
                    (p.focus + n - 1) % n
                };
            } else if app.view == View::Search {
                app.searching = false;
            }
        }
        Action::Save => {
            if app.view == View::Intake {
                save_intake(app, fx);
            } else {
                submit_prompt(app, fx);
            }
        }
        Action::AttachToCase => attach_call(app, fx),
        Action::Refer
        | Action::Note
        | Action::Resolve
        | Action::Feedback
        | Action::Escalate
        | Action::Close
        | Action::Cancel
        | Action::Reopen
        | Action::Take => case_action(app, action, fx),
    }
}

fn back(app: &mut App) {
    match app.view {
        View::Intake if app.intake.has_text() => {
            app.modal = Some(Modal::Confirm(Confirm::DiscardIntake));
        }
        View::Case
            if app
                .case
                .as_ref()
                .is_some_and(|c| c.prompt.as_ref().is_some_and(Prompt::has_text)) =>
        {
            app.modal = Some(Modal::Confirm(Confirm::DiscardPrompt));
        }
        View::Case if app.case.as_ref().is_some_and(|c| c.prompt.is_some()) => {
            if let Some(c) = &mut app.case {
                c.prompt = None;
            }
        }
        View::Search if app.searching => app.searching = false,
        _ => app.view = app.last_list.clone(),
    }
}

fn move_selection(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let l = &mut app.list;
    let last = l.rows.len().saturating_sub(1);
    let before = l.selected;
    l.selected = match action {
        Action::Up => l.selected.saturating_sub(1),
        Action::Down => (l.selected + 1).min(last),
        Action::PageUp => l.selected.saturating_sub(10),
        Action::PageDown => (l.selected + 10).min(last),
        Action::Home => 0,
        _ => last,
    };
    // Past either end of a full page: the next or previous page of the queue.
    let full = l.rows.len() == PAGE as usize;
    if matches!(app.last_list, View::Queue(_)) {
        if before == last && full && matches!(action, Action::Down | Action::PageDown) {
            l.offset += PAGE;
            l.selected = 0;
            app.reload_list(fx);
        } else if before == 0 && l.offset > 0 && matches!(action, Action::Up | Action::PageUp) {
            l.offset = l.offset.saturating_sub(PAGE);
            l.selected = PAGE as usize - 1;
            app.reload_list(fx);
        } else if action == Action::Home && l.offset > 0 {
            l.offset = 0;
            app.reload_list(fx);
        }
    }
}

fn save_intake(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(by) = app.actor() else { return };
    if app.intake.service.is_none() && !app.intake.service_filter.is_empty() {
        choose_service(app);
    }
    let input = app.intake.to_input(&app.catalog);
    // Check here first, so mistakes show at once, field by field.
    if let Err(InvalidInput { errors }) =
        crate::domain::intake::register(&input, &app.catalog, &app.settings.rules, &by, app.now)
    {
        app.intake.set_errors(errors);
        if let Some(first) = Field::ORDER
            .iter()
            .find(|f| app.intake.error(**f).is_some())
        {
            app.intake.focus = *first;
        }
        app.warn(t("notice.fix-fields"));
        return;
    }
    app.intake.errors.clear();
    app.note(t("notice.saving"));
    app.send(Slot::Register, Command::Register { by, input }, fx);
}

fn attach_call(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(by) = app.actor() else { return };
    let f = &app.intake;
    let Some(target) = f.related.get(f.related_cursor) else {
        app.warn(t("notice.nothing-to-attach"));
        return;
    };
    let description = f.description.text();
    let contact = Contact {
        at: app.now,
        channel: crate::domain::case::Channel::ALL[f.channel],
        name: f.name.text().trim().to_owned(),
        phone: f.phone.text().trim().to_owned(),
        comment: (!description.trim().is_empty()).then(|| description.trim().to_owned()),
        registered_by: by.name.clone(),
    };
    let code = target.code;
    app.send(
        Slot::Act,
        Command::Act {
            by,
            code,
            version: None,
            action: CaseAction::Attach { contact },
        },
        fx,
    );
}

/// Departments whose code or names contain every word typed.
pub fn matching_departments<'a>(
    catalog: &'a Catalog,
    typed: &str,
) -> Vec<&'a crate::domain::catalog::Department> {
    let words: Vec<String> = crate::text::search_key(typed)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    catalog
        .departments
        .iter()
        .filter(|d| {
            let hay = crate::text::search_key(&format!("{} {} {}", d.code, d.name_en, d.name_fa));
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect()
}

/// Why the signed-in person cannot take `kind` on the open case, if they cannot.
pub fn refusal(app: &App, kind: ActionKind) -> Option<String> {
    let case = &app.case.as_ref()?.record.case;
    let actor = app.actor()?;
    crate::domain::workflow::check(case, kind, &actor, app.now)
        .err()
        .map(|r| app.words.refusal_short(&r))
}

fn case_action(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let (Some(kind), Some(_)) = (action.case_action(), &app.case) else {
        return;
    };
    if let Some(why) = refusal(app, kind) {
        app.warn(why);
        return;
    }
    let prompt = match kind {
        ActionKind::Take => {
            act_on_open_case(app, CaseAction::Take, fx);
            return;
        }
        ActionKind::Refer => {
            let mut p = Prompt::new(
                kind,
                vec![],
                &[("prompt.department", true), ("prompt.person", false)],
            );
            let dept = app
                .case
                .as_ref()
                .map(|c| c.record.case.department.clone())
                .unwrap_or_default();
            p.fields[0].1.set(&dept);
            p
        }
        ActionKind::Feedback => Prompt::new(
            kind,
            Feedback::ALL.iter().map(|f| f.as_str()).collect(),
            &[("prompt.comment", false)],
        ),
        ActionKind::Cancel => Prompt::new(
            kind,
            CancelReason::ALL.iter().map(|r| r.as_str()).collect(),
            &[("prompt.duplicate-of", false), ("prompt.comment", false)],
        ),
        ActionKind::Note => Prompt::new(kind, vec![], &[("prompt.note", true)]),
        ActionKind::Resolve => Prompt::new(kind, vec![], &[("prompt.response", true)]),
        ActionKind::Close => Prompt::new(kind, vec![], &[("prompt.reason-optional", false)]),
        _ => Prompt::new(kind, vec![], &[("prompt.reason", true)]),
    };
    if let Some(c) = &mut app.case {
        c.prompt = Some(prompt);
    }
}

fn submit_prompt(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(c) = &app.case else { return };
    let Some(p) = &c.prompt else { return };
    if let Some((label, _, _)) = p
        .fields
        .iter()
        .find(|(_, f, required)| *required && f.is_empty())
    {
        let label = t(label).to_owned();
        app.warn(fill("notice.required", &[("field", &label)]));
        return;
    }
    let text = |i: usize| {
        p.fields
            .get(i)
            .map(|(_, f, _)| f.text().trim().to_owned())
            .unwrap_or_default()
    };
    let optional = |i: usize| Some(text(i)).filter(|s| !s.is_empty());
    let action = match p.action {
        ActionKind::Refer => {
            // A code, or words that name exactly one department.
            let typed = text(0);
            let found = matching_departments(&app.catalog, &typed);
            let department = match found.as_slice() {
                _ if app.catalog.department(&typed).is_some() => typed,
                [one] => one.code.clone(),
                _ => {
                    app.warn(fill("notice.which-department", &[("typed", &typed)]));
                    return;
                }
            };
            CaseAction::Refer {
                department,
                assignee: optional(1),
                comment: None,
            }
        }
        ActionKind::Resolve => CaseAction::Resolve { response: text(0) },
        ActionKind::Feedback => CaseAction::Feedback {
            result: Feedback::ALL[p.choice],
            comment: optional(0),
        },
        ActionKind::Escalate => CaseAction::Escalate { reason: text(0) },
        ActionKind::Close => CaseAction::Close {
            outcome: None,
            reason: optional(0),
        },
        ActionKind::Cancel => {
            let of = match optional(0).map(|s| TrackingCode::parse(&s)) {
                Some(Ok(code)) => Some(code),
                Some(Err(e)) => {
                    app.warn(e.to_string());
                    return;
                }
                None => None,
            };
            CaseAction::Cancel {
                reason: CancelReason::ALL[p.choice],
                duplicate_of: of,
                comment: optional(1),
            }
        }
        ActionKind::Reopen => CaseAction::Reopen { reason: text(0) },
        _ => CaseAction::Note { text: text(0) },
    };
    act_on_open_case(app, action, fx);
}

/// Sends `action` on the open case, naming the version on screen (a change
/// made meanwhile by someone else is then refused, not overwritten).
fn act_on_open_case(app: &mut App, action: CaseAction, fx: &mut Vec<Effect>) {
    let (Some(by), Some(c)) = (app.actor(), &app.case) else {
        return;
    };
    let (code, version) = (c.record.case.code, c.record.case.version);
    app.send(
        Slot::Act,
        Command::Act {
            by,
            code,
            version: Some(version),
            action,
        },
        fx,
    );
}
