//! The case screen: one case with its contacts and timeline, the actions the
//! person signed in can take on it (from the one table in `actions`), and the
//! prompt that asks what an action needs. An action is sent with the version
//! on screen, so a change made meanwhile by someone else is refused, the case
//! reloads and the text typed stays.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::actions::{self, PromptError, Spec};
use super::field::TextField;
use super::modal::{Confirm, Overlay};
use super::{Command, Go, Shell, Slot};
use crate::domain::case::{Case, CaseRecord};
use crate::domain::roles::ActionKind;
use crate::domain::tracking::TrackingCode;
use crate::domain::workflow::{self, Action as CaseAction, Refusal};
use crate::keymap::{Action, Mode};
use crate::present::Say;
use crate::store::StoreError;

/// An action on the open case waiting for what it needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub spec: &'static Spec,
    /// The codes of the choice, if the action has one.
    pub choices: Vec<&'static str>,
    pub choice: usize,
    /// One field per `spec.fields`, in order.
    pub fields: Vec<TextField>,
    /// 0 is the choice when there is one, then the fields.
    pub focus: usize,
    /// The version of the case the person was looking at when they began:
    /// the action is sent with it, so a change made meanwhile is refused.
    pub version: i64,
}

impl Prompt {
    fn new(spec: &'static Spec, case: &Case) -> Prompt {
        Prompt {
            spec,
            choices: spec.choice.map(|c| c.codes(case)).unwrap_or_default(),
            choice: 0,
            fields: spec.fields.iter().map(|_| TextField::new()).collect(),
            focus: 0,
            version: case.version,
        }
    }

    pub fn has_text(&self) -> bool {
        self.fields.iter().any(|f| !f.is_empty())
    }

    /// A field's text, trimmed, by its name.
    pub fn value(&self, name: &str) -> String {
        self.spec
            .fields
            .iter()
            .position(|f| f.name == name)
            .and_then(|i| self.fields.get(i))
            .map(|f| f.text().trim().to_owned())
            .unwrap_or_default()
    }

    fn field_mut(&mut self, name: &str) -> Option<&mut TextField> {
        let i = self.spec.fields.iter().position(|f| f.name == name)?;
        self.fields.get_mut(i)
    }

    /// Whether the focus is on the choice.
    pub fn on_choice(&self) -> bool {
        !self.choices.is_empty() && self.focus == 0
    }

    /// The field in focus, by its index in `fields`.
    pub fn focused_field(&self) -> Option<usize> {
        self.focus
            .checked_sub(usize::from(!self.choices.is_empty()))
    }

    fn stops(&self) -> usize {
        self.fields.len() + usize::from(!self.choices.is_empty())
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseScreen {
    /// The case being shown (or loading).
    pub code: Option<TrackingCode>,
    pub record: Option<CaseRecord>,
    pub scroll: u16,
    pub prompt: Option<Prompt>,
    /// The action sent last, to say what was done when it lands.
    sent: Option<CaseAction>,
    /// A change by someone else was refused and said: the next reload's
    /// version is the one the prompt confirms against.
    adopt_version: bool,
}

impl CaseScreen {
    pub fn mode(&self) -> Mode {
        if self.prompt.is_some() {
            Mode::Form
        } else {
            Mode::Case
        }
    }

    pub fn has_text(&self) -> bool {
        self.prompt.as_ref().is_some_and(Prompt::has_text)
    }

    pub fn open(&mut self, cx: &mut Shell, code: TrackingCode) {
        if self.code != Some(code) {
            *self = CaseScreen {
                code: Some(code),
                ..CaseScreen::default()
            };
        }
        self.reload(cx);
    }

    pub fn reload(&mut self, cx: &mut Shell) {
        if let Some(code) = self.code {
            cx.send(Slot::Case, Command::Case(code));
        }
    }

    pub fn loaded(&mut self, cx: &mut Shell, r: Result<CaseRecord, StoreError>) {
        match r {
            Ok(record) if Some(record.case.code) == self.code => {
                if let Some(p) = &mut self.prompt
                    && p.version != record.case.version
                {
                    if std::mem::take(&mut self.adopt_version) {
                        p.version = record.case.version;
                    } else {
                        // Changed by someone else while this person types: say so now.
                        let c = &record.case;
                        let text = cx.words.fill(
                            "notice.changed-meanwhile",
                            &[
                                ("who", &c.updated_by),
                                ("when", &cx.words.time(c.updated_at)),
                            ],
                        );
                        cx.warn(text);
                    }
                }
                self.record = Some(record);
            }
            Ok(_) => {}
            Err(e) => cx.store_error(&e),
        }
    }

    /// Why the person signed in cannot take `kind` on this case now, if they cannot.
    pub fn refusal(&self, cx: &Shell, kind: ActionKind) -> Option<Refusal> {
        let case = &self.record.as_ref()?.case;
        let actor = cx.actor()?;
        workflow::check(case, kind, &actor, cx.now).err()
    }

    pub fn act(&mut self, cx: &mut Shell, action: Action) -> Go {
        match action {
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::Down => self.scroll = self.scroll.saturating_add(1),
            Action::Back if self.has_text() => {
                return Go::Ask(Overlay::Confirm(Confirm::DiscardPrompt));
            }
            Action::Back if self.prompt.is_some() => self.prompt = None,
            Action::Back => return Go::Back,
            Action::Case(kind) => self.start(cx, kind),
            Action::NextField | Action::PrevField => {
                if let Some(p) = &mut self.prompt {
                    let n = p.stops();
                    p.focus = if action == Action::NextField {
                        (p.focus + 1) % n
                    } else {
                        (p.focus + n - 1) % n
                    };
                }
            }
            Action::Save => self.submit(cx),
            _ => {}
        }
        Go::Stay
    }

    /// Starts `kind`: at once if it needs nothing, else its prompt.
    fn start(&mut self, cx: &mut Shell, kind: ActionKind) {
        let Some(case) = self.record.as_ref().map(|r| r.case.clone()) else {
            return;
        };
        if let Some(r) = self.refusal(cx, kind) {
            let text = cx.words.refusal_short(&r);
            cx.warn(text);
            return;
        }
        let Some(spec) = actions::spec(kind) else {
            return;
        };
        if spec.fields.is_empty() && spec.choice.is_none() {
            let version = case.version;
            self.send(cx, CaseAction::Take, version);
            return;
        }
        let mut p = Prompt::new(spec, &case);
        if kind == ActionKind::Refer
            && let Some(f) = p.field_mut("department")
        {
            f.set(&case.department);
        }
        self.prompt = Some(p);
    }

    /// Text keys in the prompt.
    pub fn edit(&mut self, cx: &mut Shell, key: KeyEvent) -> Go {
        let Some(p) = &mut self.prompt else {
            return Go::Stay;
        };
        match key.code {
            KeyCode::Left | KeyCode::Right if p.on_choice() => {
                let n = p.choices.len();
                p.choice = if key.code == KeyCode::Right {
                    (p.choice + 1) % n
                } else {
                    (p.choice + n - 1) % n
                };
            }
            KeyCode::Enter => self.submit(cx),
            // A typed letter on the choice picks the next value starting with it.
            KeyCode::Char(c) if p.on_choice() => {
                if let Some(section) = p.spec.choice.map(actions::Choice::section) {
                    let key = crate::text::search_key(&c.to_string());
                    let n = p.choices.len();
                    if let Some(i) = (1..=n).map(|i| (p.choice + i) % n).find(|i| {
                        crate::text::search_key(&cx.words.code(section, p.choices[*i]))
                            .starts_with(&key)
                    }) {
                        p.choice = i;
                    }
                }
            }
            _ if p.on_choice() => {}
            _ => {
                if let Some(f) = p.focused_field().and_then(|i| p.fields.get_mut(i)) {
                    f.handle_in(key, Some(cx.flow));
                }
            }
        }
        Go::Stay
    }

    fn submit(&mut self, cx: &mut Shell) {
        let (Some(p), Some(record), Some(actor)) = (&self.prompt, &self.record, cx.actor()) else {
            return;
        };
        let choice = p.choices.get(p.choice).copied();
        let built = actions::build(p.spec, choice, &|name| p.value(name), &cx.catalog);
        let action = match built {
            Ok(a) => a,
            Err(e) => {
                let text = prompt_error(cx, &e);
                cx.warn(text);
                return;
            }
        };
        // Checked here first, so a mistake shows at once, named as the prompt names it.
        if let Err(r) = workflow::apply(
            &record.case,
            &action,
            &actor,
            &cx.catalog,
            &cx.settings,
            cx.now,
        ) {
            let text = match &r {
                Refusal::Invalid(i) => i
                    .errors
                    .iter()
                    .map(|e| {
                        let label = cx.words.t(&format!("prompt.{}", e.field)).to_owned();
                        format!("{label}: {}", cx.words.problem(e.field, &e.problem))
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                other => other.say(&cx.words),
            };
            cx.warn(text);
            return;
        }
        let version = p.version;
        self.send(cx, action, version);
    }

    /// Sends `action` on the open case, naming the version the person read
    /// (a change made meanwhile by someone else is then refused, not overwritten).
    fn send(&mut self, cx: &mut Shell, action: CaseAction, version: i64) {
        let (Some(by), Some(r)) = (cx.actor(), &self.record) else {
            return;
        };
        let code = r.case.code;
        self.sent = Some(action.clone());
        cx.send(
            Slot::Act,
            Command::Act {
                by,
                code,
                version: Some(version),
                action,
            },
        );
    }

    /// The store's answer to an action; true when it landed.
    pub fn acted(&mut self, cx: &mut Shell, r: Result<Case, StoreError>) -> bool {
        match r {
            Ok(case) => {
                self.prompt = None;
                let text = done_words(cx, self.sent.take().as_ref(), &case);
                cx.note(text);
                true
            }
            Err(e) => {
                let conflict = matches!(e, StoreError::Conflict { .. });
                if let StoreError::Conflict { by, at, .. } = &e {
                    // Reload the case; the prompt and its text stay.
                    let text = cx.words.fill(
                        "notice.conflict",
                        &[("who", by), ("when", &cx.words.time(*at))],
                    );
                    cx.warn(text);
                } else {
                    cx.store_error(&e);
                }
                if conflict {
                    self.adopt_version = true;
                    self.reload(cx);
                }
                false
            }
        }
    }
}

fn prompt_error(cx: &Shell, e: &PromptError) -> String {
    let w = &cx.words;
    match e {
        PromptError::Required(name) => {
            let label = w.t(&format!("prompt.{name}")).to_owned();
            w.fill("notice.required", &[("field", &label)])
        }
        PromptError::WhichDepartment(typed) => {
            w.fill("notice.which-department", &[("typed", typed)])
        }
        PromptError::BadCode(e) => e.say(w),
        PromptError::BadDate(typed) => w.fill("notice.bad-date", &[("typed", typed)]),
    }
}

/// What the status line says once an action has landed: the action itself.
fn done_words(cx: &Shell, action: Option<&CaseAction>, case: &Case) -> String {
    let w = &cx.words;
    let status = w.code("status", case.status.as_str());
    let kind = action.map_or(ActionKind::Note, CaseAction::kind);
    let mut args = vec![("status", status)];
    match action {
        Some(CaseAction::Refer { department, .. }) => {
            args.push(("department", w.department(&cx.catalog, department)));
        }
        Some(CaseAction::CallBack { on, .. }) => args.push(("date", w.date(*on))),
        Some(CaseAction::Close { .. } | CaseAction::Cancel { .. }) => {
            let outcome = case.outcome.map(|o| w.code("outcome", o.as_str()));
            args.push(("outcome", outcome.unwrap_or_default()));
        }
        _ => {}
    }
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    w.fill(&format!("done.{kind}"), &args)
}
