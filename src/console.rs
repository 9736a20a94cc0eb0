//! The console's runtime: opens (or creates) the store, starts the worker,
//! the watcher and the key reader, and runs the loop: messages in, `update`,
//! effects out, draw when something changed. The terminal is restored on
//! every way out, panics included (ratatui's init installs the hook).
//!
//! Right-to-left text: in App mode the console tells the terminal to stop
//! its own BiDi reordering (`CSI 8 l`) once the screen is up; in Terminal
//! mode it turns the terminal's reordering on with every row a left-to-right
//! paragraph (`bidi::BIDI_TERMINAL_START`). On every way out (a quit, an
//! error, a panic) it undoes what it told (`bidi::end_escapes`), leaving the
//! terminal reordering (`CSI 8 h`). Until the mode is known (no `[display] bidi` in the config)
//! a Persian console opens with the first-run check: a sample drawn both
//! ways with the terminal as it is; the operator's pick is saved to the
//! config. An English console takes the default (App) without asking.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{self, Event, KeyEventKind};

use crate::app::{self, App, Effect, Msg};
use crate::bidi::{self, BidiMode};
use crate::clock::Clock;
use crate::domain::catalog::Catalog;
use crate::keymap::Keymap;
use crate::locale::Lang;
use crate::store::{self, Settings, StoreError};
use crate::worker::{self, Request};

/// How the console shows text: its language, who reorders right-to-left
/// text (`None`: not chosen yet, so the first-run check asks), and the
/// config file the answer is saved to.
#[derive(Debug, Clone)]
pub struct Looks {
    pub lang: Lang,
    pub bidi: Option<BidiMode>,
    pub config: Option<PathBuf>,
}

/// What the console last told the terminal: nothing yet (0), App mode (1)
/// or Terminal mode (2), so that every way out, a panic included, undoes
/// exactly that.
static TOLD: AtomicU8 = AtomicU8::new(0);

fn told() -> Option<BidiMode> {
    match TOLD.load(Ordering::SeqCst) {
        1 => Some(BidiMode::App),
        2 => Some(BidiMode::Terminal),
        _ => None,
    }
}

/// Tells the terminal who reorders right-to-left text
/// ([`bidi::start_escapes`]), undoing first what an earlier pick told it.
fn tell_terminal(mode: BidiMode) {
    let mut bytes = String::new();
    if let Some(before) = told() {
        if before == mode {
            return;
        }
        bytes.push_str(bidi::end_escapes(before));
    }
    bytes.push_str(bidi::start_escapes(mode));
    TOLD.store(
        match mode {
            BidiMode::App => 1,
            BidiMode::Terminal => 2,
        },
        Ordering::SeqCst,
    );
    let mut out = std::io::stdout();
    let _ = out.write_all(bytes.as_bytes());
    let _ = out.flush();
}

/// Undoes what the console told the terminal ([`bidi::end_escapes`]); with
/// nothing told, gives the terminal its own reordering back all the same.
fn untell_terminal() {
    let bytes = told().map_or(bidi::BIDI_IMPLICIT, bidi::end_escapes);
    TOLD.store(0, Ordering::SeqCst);
    let mut out = std::io::stdout();
    let _ = out.write_all(bytes.as_bytes());
    let _ = out.flush();
}

/// Undoes what the console told the terminal also when a panic unwinds
/// (after ratatui's hook has restored the screen).
fn restore_bidi_on_panic() {
    let before = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        before(info);
        untell_terminal();
    }));
}

/// Runs the console on the store at `location` until the operator quits.
pub fn run(
    location: &str,
    settings: &Settings,
    keymap: Keymap,
    looks: &Looks,
    operator: Option<&str>,
    clock: &dyn Clock,
) -> Result<(), StoreError> {
    let mut store = match store::open(location, settings) {
        Ok(s) => s,
        Err(StoreError::Missing(_) | StoreError::NotInitialized(_)) => {
            store::init(location, settings, &Catalog::builtin(), clock.now())?.0
        }
        Err(e) => return Err(e),
    };
    let session = if store.operator_count()? == 0 {
        crate::app::Session::setup()
    } else {
        crate::app::Session::login(operator)
    };
    let mut app = App::new(
        session,
        store.catalog().clone(),
        settings.clone(),
        keymap,
        store.location(),
        clock.now(),
    )
    .display(looks.lang, looks.bidi.unwrap_or_default());
    // The first-run check is for operators who read Persian: in English
    // the default (App) stands until `citydesk doctor` changes it.
    let ask = looks.bidi.is_none() && looks.lang.rtl();
    if ask {
        app.overlay = Some(crate::app::modal::Overlay::BidiCheck);
    }
    let (tx, rx) = channel::<Msg>();
    let requests = worker::spawn(store, clock.shared(), tx.clone());
    let (loc, set) = (location.to_owned(), settings.clone());
    worker::watch(move || store::open(&loc, &set)?.watcher(), tx.clone());
    let keys = tx.clone();
    std::thread::spawn(move || {
        loop {
            let msg = match event::read() {
                Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => Msg::Key(k),
                Ok(Event::Resize(..)) => Msg::Redraw,
                Ok(_) => continue,
                // The terminal went away (closed window, SSH cut): the draft is saved.
                Err(_) => Msg::Hangup,
            };
            let hangup = matches!(msg, Msg::Hangup);
            if keys.send(msg).is_err() || hangup {
                return;
            }
        }
    });

    let mut terminal = ratatui::init();
    restore_bidi_on_panic();
    if !ask {
        tell_terminal(looks.bidi.unwrap_or_default());
    }
    let started = Instant::now();
    let mut dirty = true;
    let mut shown_minute = -1;
    let result = loop {
        if dirty {
            if let Err(e) = terminal.draw(|f| crate::ui::render(&app, f)) {
                break Err(StoreError::Backend(format!("cannot draw: {e}")));
            }
            dirty = false;
        }
        let wait = if app.cx.busy() || app.cx.store_down {
            Duration::from_millis(100)
        } else {
            Duration::from_millis(500)
        };
        let msg = match rx.recv_timeout(wait) {
            Ok(m) => m,
            Err(RecvTimeoutError::Timeout) => {
                let now = clock.now();
                let ms = started.elapsed().as_millis() as u64;
                let minute = now.timestamp() / 60;
                // Redraw on a tick only for the clock or a spinner.
                if minute != shown_minute || app.cx.busy() {
                    shown_minute = minute;
                    dirty = true;
                }
                Msg::Tick { now, ms }
            }
            Err(RecvTimeoutError::Disconnected) => break Ok(()),
        };
        // Keep the clock and spinner current for every message; what that
        // tick asks of the store (a retried save, the minute's "at work")
        // goes out like any other effect.
        let mut effects = Vec::new();
        if !matches!(msg, Msg::Tick { .. }) {
            dirty = true;
            let tick = Msg::Tick {
                now: clock.now(),
                ms: started.elapsed().as_millis() as u64,
            };
            effects = app::update(&mut app, tick);
        }
        effects.extend(app::update(&mut app, msg));
        let mut quit = false;
        for effect in effects {
            match effect {
                Effect::Store { id, command } => {
                    let _ = requests.send(Request { id, command });
                }
                Effect::SaveBidi(mode) => {
                    tell_terminal(mode);
                    let saved = match &looks.config {
                        Some(path) => crate::config::save_bidi(path, mode)
                            .map(|()| path.display().to_string())
                            .map_err(|e| e.to_string()),
                        None => Err("no config file (no home folder): give --config PATH".into()),
                    };
                    let _ = tx.send(Msg::DisplaySaved(saved));
                }
                Effect::Quit => quit = true,
            }
        }
        if quit {
            break Ok(());
        }
    };
    ratatui::restore();
    untell_terminal();
    result
}
