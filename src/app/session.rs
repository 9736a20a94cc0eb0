//! Who is at the console: the sign-in screen, the first-account (setup)
//! screen of a new center, and the signed-in operator. Keys come through the
//! keymap's sign-in mode; the password is checked by the worker.

use ratatui::crossterm::event::KeyEvent;

use super::field::TextField;
use super::request::SignInError;
use super::{Command, Shell, Slot};
use crate::keymap::Action;
use crate::present::Say;
use crate::store::Operator;

#[derive(Debug, Clone, PartialEq)]
pub enum Session {
    Setup(SetupForm),
    Login(LoginForm),
    Working(Operator),
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoginForm {
    pub name: TextField,
    pub password: TextField,
    pub on_password: bool,
    pub error: Option<String>,
}

/// The first account: login name, name shown, password twice.
#[derive(Debug, Clone, PartialEq)]
pub struct SetupForm {
    pub fields: [TextField; 4],
    pub focus: usize,
    pub error: Option<String>,
}

impl Session {
    /// The sign-in screen, with the name filled in if given.
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

    /// The screen that creates a new center's first (supervisor) account.
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
}

/// An action on the sign-in or setup screen.
pub fn act(cx: &mut Shell, action: Action) {
    let words = cx.words.clone();
    let mut send = None;
    match &mut cx.session {
        Session::Login(f) => match action {
            Action::NextField | Action::PrevField => f.on_password = !f.on_password,
            Action::Submit if !f.on_password => f.on_password = true,
            Action::Submit => {
                let (name, password) = (f.name.text().trim().to_owned(), f.password.text());
                if name.is_empty() || password.is_empty() {
                    f.error = Some(words.t("login.both").to_owned());
                } else {
                    f.error = None;
                    send = Some(Command::Login { name, password });
                }
            }
            _ => {}
        },
        Session::Setup(f) => match action {
            Action::NextField => f.focus = (f.focus + 1) % 4,
            Action::PrevField => f.focus = (f.focus + 3) % 4,
            Action::Submit if f.focus < 3 => f.focus += 1,
            Action::Submit => {
                let [name, display, password, repeat] = f.fields.clone().map(|x| x.text());
                let name = name.trim().to_owned();
                f.error = if let Err(e) = crate::domain::roles::check_operator_name(&name) {
                    Some(e.say(&words))
                } else if password.chars().count() < crate::auth::MIN_PASSWORD {
                    Some(words.t("setup.short").to_owned())
                } else if password != repeat {
                    Some(words.t("setup.mismatch").to_owned())
                } else {
                    None
                };
                if f.error.is_none() {
                    let display_name = if display.trim().is_empty() {
                        name.clone()
                    } else {
                        display
                    };
                    send = Some(Command::Setup {
                        name,
                        display_name,
                        password,
                    });
                }
            }
            _ => {}
        },
        Session::Working(_) => {}
    }
    if let Some(c) = send {
        cx.send(Slot::Session, c);
    }
}

/// A key typed into the field in focus.
pub fn edit(cx: &mut Shell, key: KeyEvent) {
    let flow = cx.flow;
    match &mut cx.session {
        Session::Login(f) if f.on_password => {
            f.password.handle(key);
        }
        Session::Login(f) => {
            f.name.handle_in(key, Some(flow));
        }
        Session::Setup(f) => {
            f.fields[f.focus].handle_in(key, Some(flow));
        }
        Session::Working(_) => {}
    }
}

/// The worker's answer; returns whether someone is now signed in.
pub fn signed_in(cx: &mut Shell, r: Result<Operator, SignInError>) -> bool {
    match r {
        Ok(op) => {
            let text = cx.words.fill("notice.welcome", &[("name", &op.name)]);
            cx.session = Session::Working(op);
            cx.note(text);
            true
        }
        Err(e) => {
            let text = match &e {
                SignInError::Wrong => cx.words.t("login.wrong").to_owned(),
                SignInError::Store(e) => e.say(&cx.words),
            };
            match &mut cx.session {
                Session::Login(f) => {
                    f.error = Some(text);
                    f.password.clear();
                }
                Session::Setup(f) => f.error = Some(text),
                Session::Working(_) => {}
            }
            false
        }
    }
}
