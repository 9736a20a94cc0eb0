//! The intake screen: the call being typed while a citizen is on the line.
//! The form is saved as a draft with every change; Ctrl+S registers the case
//! and refers it to the proposed department in one step (the operator may
//! change the department, or leave the case unreferred on purpose). The
//! caller's earlier cases show as soon as the phone number is typed, and a
//! repeat caller's details are offered from their last case. Registration
//! that cannot reach the store is kept and retried until it lands, once.

mod form;

pub use form::{
    DraftBody, Field, IntakeForm, Referral, department_choices, matching_services, service_of,
};

use chrono::{DateTime, Duration, Utc};
use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::modal::{Confirm, Overlay};
use super::{Command, Go, RETRY_EVERY_MS, Shell, Slot};
use crate::domain::case::{Case, Channel, Contact, Kind, Priority};
use crate::domain::intake::InvalidInput;
use crate::domain::tracking::TrackingCode;
use crate::domain::workflow::Action as CaseAction;
use crate::keymap::Action;
use crate::store::{Draft, StoreError};
use crate::text::phone_key;

/// A call just saved: its code (read aloud to the caller) and deadline.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    pub code: TrackingCode,
    pub due: DateTime<Utc>,
    /// Attached to an earlier case rather than a new one.
    pub attached: bool,
    /// Where it was referred, if it was.
    pub department: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IntakeScreen {
    pub form: IntakeForm,
    /// The last call saved, shown until the next one is typed.
    pub saved: Option<Saved>,
    /// A registration that could not reach the store: when to try it again
    /// (until it lands).
    retry: Option<u64>,
    forms: u64,
    started: i64,
}

impl IntakeScreen {
    pub fn new(cx: &Shell, started: i64) -> Self {
        let mut s = IntakeScreen {
            form: IntakeForm::new(String::new()),
            saved: None,
            retry: None,
            forms: 0,
            started,
        };
        s.form = s.fresh_form(cx);
        s
    }

    fn fresh_form(&mut self, cx: &Shell) -> IntakeForm {
        self.forms += 1;
        let who = cx.me().map_or("console", |o| o.name.as_str());
        IntakeForm::new(format!("{who}-{}-{}", self.started, self.forms))
    }

    /// Whether a registration is waiting for the store to come back.
    pub fn retrying(&self) -> bool {
        self.retry.is_some()
    }

    /// The store answers again: a kept registration is tried at the next tick.
    pub fn retry_now(&mut self, cx: &Shell) {
        if self.retry.is_some() {
            self.retry = Some(cx.ms);
        }
    }

    /// The clock ticked: try a kept registration again when it is time, with
    /// what the form holds now (typed on while the store was away) under the
    /// same request id.
    pub fn tick(&mut self, cx: &mut Shell) {
        if let Some(at) = self.retry
            && cx.ms >= at
            && let Some(by) = cx.actor()
        {
            self.retry = Some(cx.ms + RETRY_EVERY_MS);
            let input = self.form.to_input(&cx.catalog);
            cx.send(Slot::Register, Command::Register { by, input });
        }
    }

    pub fn act(&mut self, cx: &mut Shell, action: Action) -> Go {
        match action {
            Action::NextField | Action::PrevField if self.leave_field(cx) => {
                self.form.move_focus(action == Action::NextField);
            }
            Action::ToggleUrgent => {
                let urgent = Priority::ALL.iter().position(|p| *p == Priority::Urgent);
                let normal = Priority::ALL.iter().position(|p| *p == Priority::Normal);
                self.form.priority = if Some(self.form.priority) == urgent {
                    normal.unwrap_or(0)
                } else {
                    urgent.unwrap_or(0)
                };
                self.save_draft(cx);
            }
            Action::Save => self.save(cx),
            Action::AttachToCase => self.attach(cx),
            Action::FillFromCaller => self.fill_from_caller(cx),
            Action::Back if self.form.has_text() => {
                return Go::Ask(Overlay::Confirm(Confirm::DiscardIntake));
            }
            Action::Back => return Go::Back,
            _ => {}
        }
        Go::Stay
    }

    /// Text and list keys in the field in focus.
    pub fn edit(&mut self, cx: &mut Shell, key: KeyEvent) -> Go {
        let focus = self.form.focus;
        let mut changed = false;
        match key.code {
            KeyCode::Left | KeyCode::Right if focus.is_choice() => {
                self.form.cycle(key.code == KeyCode::Right);
                changed = true;
            }
            KeyCode::Char(' ') if focus.is_choice() => {
                self.form.cycle(true);
                changed = true;
            }
            KeyCode::Up | KeyCode::Down if focus.is_picker() => {
                let n = self.picker_len(cx);
                let c = &mut self.form.cursor;
                *c = if key.code == KeyCode::Down {
                    (*c + 1).min(n.saturating_sub(1))
                } else {
                    c.saturating_sub(1)
                };
            }
            KeyCode::Up | KeyCode::Down if focus != Field::Description => {
                let n = self.form.related.len();
                let c = &mut self.form.related_cursor;
                *c = if key.code == KeyCode::Down {
                    (*c + 1).min(n.saturating_sub(1))
                } else {
                    c.saturating_sub(1)
                };
            }
            // Enter: on to the next field that still needs typing.
            KeyCode::Enter if focus != Field::Description => {
                if focus.is_picker() && self.choose(cx) {
                    changed = true;
                }
                if self.leave_field(cx) {
                    self.form.move_focus(true);
                    while self.form.filled(self.form.focus) && self.form.focus != Field::Description
                    {
                        self.form.move_focus(true);
                    }
                }
            }
            // A typed letter on a choice field picks the next value starting with it.
            KeyCode::Char(c) if focus.is_choice() => {
                changed = self.type_ahead(cx, c);
            }
            _ => {
                if let Some(f) = self.form.text_field(focus) {
                    changed = f.handle_in(key, Some(cx.flow));
                }
                if changed {
                    self.form.cursor = 0;
                    // What is typed anew is checked anew, at the next save.
                    self.form.errors.retain(|e| e.field != focus.name());
                    match focus {
                        Field::Service => self.form.service = None,
                        Field::District => self.form.district = None,
                        Field::Phone => self.look_up_related(cx),
                        _ => {}
                    }
                }
            }
        }
        if changed {
            self.saved = None;
            self.save_draft(cx);
        }
        Go::Stay
    }

    /// How many lines the list of the field in focus has.
    fn picker_len(&self, cx: &Shell) -> usize {
        let f = &self.form;
        match f.focus {
            Field::Service => cx.catalog.find_services(&f.service_filter.text()).len(),
            Field::District => cx.catalog.find_districts(&f.district_filter.text()).len(),
            Field::Department => department_choices(&cx.catalog, &f.department_filter.text()).len(),
            _ => 0,
        }
    }

    /// Settles the highlighted line of the field's list as the choice;
    /// false when nothing matches what was typed.
    fn choose(&mut self, cx: &Shell) -> bool {
        let f = &mut self.form;
        let cat = &cx.catalog;
        match f.focus {
            Field::Service => {
                let found = cat.find_services(&f.service_filter.text());
                if let Some(s) = found.get(f.cursor.min(found.len().saturating_sub(1))) {
                    f.service = Some(s.code.clone());
                    return true;
                }
            }
            Field::District => {
                let found = cat.find_districts(&f.district_filter.text());
                if let Some(d) = found.get(f.cursor.min(found.len().saturating_sub(1))) {
                    f.district = Some(d.code.clone());
                    f.district_filter.clear();
                    return true;
                }
            }
            Field::Department => {
                let found = department_choices(cat, &f.department_filter.text());
                match found.get(f.cursor) {
                    Some(None) => f.referral = Referral::Unreferred,
                    Some(Some(d)) => f.referral = Referral::Chosen(d.code.clone()),
                    None => return false,
                }
                f.department_filter.clear();
                return true;
            }
            _ => {}
        }
        false
    }

    /// Picks the next value of the choice in focus whose words start with `c`.
    fn type_ahead(&mut self, cx: &Shell, typed: char) -> bool {
        let words = &cx.words;
        let form = &mut self.form;
        let (section, codes, value): (&str, Vec<&str>, &mut usize) = match form.focus {
            Field::Channel => (
                "channel",
                Channel::ALL.iter().map(|x| x.as_str()).collect(),
                &mut form.channel,
            ),
            Field::Kind => (
                "kind",
                Kind::ALL.iter().map(|x| x.as_str()).collect(),
                &mut form.kind,
            ),
            _ => (
                "priority",
                Priority::ALL.iter().map(|x| x.as_str()).collect(),
                &mut form.priority,
            ),
        };
        let key = crate::text::search_key(&typed.to_string());
        let n = codes.len();
        let next = (1..=n)
            .map(|i| (*value + i) % n)
            .find(|i| crate::text::search_key(&words.code(section, codes[*i])).starts_with(&key));
        match next {
            Some(i) => {
                *value = i;
                true
            }
            None => false,
        }
    }

    /// What happens when the focus leaves a field; false when it should
    /// stay, because what was typed there names nothing (said at once).
    fn leave_field(&mut self, cx: &mut Shell) -> bool {
        let f = &mut self.form;
        let cat = &cx.catalog;
        let mut stay = None;
        let mut filled = None;
        match f.focus {
            Field::Service if f.service.is_none() && !f.service_filter.is_empty() => {
                f.service = cat
                    .service_of(&f.service_filter.text())
                    .map(|s| s.code.clone());
            }
            Field::District if f.district.is_none() && !f.district_filter.is_empty() => {
                match cat.find_districts(&f.district_filter.text()).as_slice() {
                    [one] => {
                        f.district = Some(one.code.clone());
                        f.district_filter.clear();
                    }
                    [] => stay = Some(("district", f.district_filter.text())),
                    _ => {}
                }
            }
            // A neighborhood one district lists tells the district (said, so
            // that nobody types the district into the next field).
            Field::Neighborhood if f.district.is_none() && f.district_filter.is_empty() => {
                if let Some(d) = cat.district_of_neighborhood(&f.neighborhood.text()) {
                    f.district = Some(d.code.clone());
                    filled = Some(format!("{} · {}", d.code, d.name_en));
                }
            }
            Field::Department if !f.department_filter.is_empty() => {
                match super::actions::department_of(cat, &f.department_filter.text()) {
                    Some(code) => {
                        f.referral = Referral::Chosen(code);
                        f.department_filter.clear();
                    }
                    None => stay = Some(("department", f.department_filter.text())),
                }
            }
            _ => {}
        }
        if let Some((what, typed)) = stay {
            let what = cx.words.t(&format!("filter.{what}")).to_owned();
            let text = cx.words.fill(
                "notice.filter-unknown",
                &[("what", &what), ("typed", &typed)],
            );
            cx.warn(text);
            return false;
        }
        if let Some(district) = filled {
            let text = cx
                .words
                .fill("notice.district-filled", &[("district", &district)]);
            cx.note(text);
        }
        if matches!(
            self.form.focus,
            Field::Phone | Field::Service | Field::Neighborhood
        ) {
            self.look_up_related(cx);
        }
        self.save_draft(cx);
        true
    }

    /// A repeat caller: their name (if not typed), district, neighborhood
    /// and address from their last case; the focus moves to the service.
    fn fill_from_caller(&mut self, cx: &mut Shell) {
        let Some(c) = self.form.caller_case().cloned() else {
            let text = cx.words.t("notice.no-caller").to_owned();
            cx.warn(text);
            return;
        };
        let f = &mut self.form;
        if f.name.is_empty() {
            f.name.set(&c.citizen_name);
        }
        f.district = Some(c.district.clone());
        f.district_filter.clear();
        f.neighborhood.set(&c.neighborhood);
        f.address.set(&c.address);
        f.focus = Field::Service;
        f.cursor = 0;
        let text = cx
            .words
            .fill("notice.filled", &[("code", &c.code.spoken())]);
        cx.note(text);
        self.look_up_related(cx);
        self.save_draft(cx);
    }

    fn save_draft(&mut self, cx: &mut Shell) {
        let Some(me) = cx.me().map(|o| o.name.clone()) else {
            return;
        };
        let body = serde_json::to_string(&self.form.to_draft()).unwrap_or_default();
        let draft = Draft {
            operator: me,
            saved_at: cx.now,
            body,
        };
        cx.send(Slot::Draft, Command::SaveDraft(draft));
    }

    /// The draft is no longer needed (saved, attached or thrown away).
    pub fn drop_draft(&mut self, cx: &mut Shell) {
        if let Some(me) = cx.me().map(|o| o.name.clone()) {
            cx.send(Slot::Other, Command::DiscardDraft(me));
        }
    }

    /// Asks for a draft left by an earlier session.
    pub fn load_draft(&mut self, cx: &mut Shell) {
        if let Some(me) = cx.me().map(|o| o.name.clone()) {
            cx.send(Slot::Draft, Command::LoadDraft(me));
        }
    }

    /// Brings a draft back; false if it cannot be read.
    pub fn restore(&mut self, cx: &mut Shell, d: &Draft) -> bool {
        if let Ok(body) = serde_json::from_str::<DraftBody>(&d.body) {
            self.form = IntakeForm::from_draft(&body);
            let text = cx.words.t("notice.restored").to_owned();
            cx.note(text);
            self.look_up_related(cx);
            true
        } else {
            let text = cx.words.t("notice.draft-unreadable").to_owned();
            cx.warn(text);
            false
        }
    }

    /// Throws the typed call away.
    pub fn discard(&mut self, cx: &mut Shell) {
        self.form = self.fresh_form(cx);
        self.drop_draft(cx);
    }

    fn look_up_related(&mut self, cx: &mut Shell) {
        let f = &self.form;
        let phone = phone_key(&f.phone.text()).unwrap_or_default();
        let service = f.service.clone().unwrap_or_default();
        let neighborhood = f.neighborhood.text().trim().to_owned();
        let key = format!("{phone}|{service}|{neighborhood}");
        if key == f.related_key
            || (phone.is_empty() && (service.is_empty() || neighborhood.is_empty()))
        {
            return;
        }
        self.form.related_key = key;
        let since = cx.now - Duration::days(7);
        cx.send(
            Slot::Related,
            Command::Related {
                phone,
                service,
                neighborhood,
                since,
            },
        );
    }

    pub fn related(&mut self, cx: &mut Shell, r: Result<Vec<Case>, StoreError>) {
        match r {
            Ok(cases) => {
                // The highlight stays on the case it was on, if still listed.
                let on = self
                    .form
                    .related
                    .get(self.form.related_cursor)
                    .map(|c| c.code);
                self.form.related_cursor = on
                    .and_then(|code| cases.iter().position(|c| c.code == code))
                    .unwrap_or(0);
                self.form.related = cases;
            }
            Err(e) => cx.store_error(&e),
        }
    }

    fn save(&mut self, cx: &mut Shell) {
        let Some(by) = cx.actor() else { return };
        if self.form.focus.is_picker() && !self.leave_field(cx) {
            return;
        }
        let input = self.form.to_input(&cx.catalog);
        // Check here first, so mistakes show at once, field by field.
        if let Err(InvalidInput { errors }) =
            crate::domain::intake::register(&input, &cx.catalog, &cx.settings.rules, &by, cx.now)
        {
            self.form.errors = errors;
            self.show_errors(cx);
            return;
        }
        self.form.errors.clear();
        let text = cx.words.t("notice.saving").to_owned();
        cx.note(text);
        cx.send(Slot::Register, Command::Register { by, input });
    }

    /// The store's answer to a registration; true when it landed.
    pub fn registered(&mut self, cx: &mut Shell, r: Result<Case, StoreError>) -> bool {
        match r {
            Ok(case) => {
                self.retry = None;
                cx.store_down = false;
                let text = cx
                    .words
                    .fill("notice.registered", &[("code", &case.code.spoken())]);
                self.done(cx, &case, false);
                cx.note(text);
                true
            }
            Err(e) if e.not_reached() => {
                self.retry = Some(cx.ms + RETRY_EVERY_MS);
                cx.store_down = true;
                let text = cx.words.t("notice.retrying").to_owned();
                cx.warn(text);
                false
            }
            Err(StoreError::Invalid(InvalidInput { errors })) => {
                self.retry = None;
                self.form.errors = errors;
                self.show_errors(cx);
                false
            }
            Err(e) => {
                self.retry = None;
                cx.store_error(&e);
                false
            }
        }
    }

    /// A call is in the store (a new case, or attached to one): its code and
    /// deadline show, and the form is empty for the next call.
    fn done(&mut self, cx: &mut Shell, case: &Case, attached: bool) {
        let referred = !attached && case.status == crate::domain::case::Status::Referred;
        self.saved = Some(Saved {
            code: case.code,
            due: case.due_at,
            attached,
            department: referred.then(|| case.department.clone()),
        });
        self.form = self.fresh_form(cx);
        self.drop_draft(cx);
    }

    fn attach(&mut self, cx: &mut Shell) {
        let Some(by) = cx.actor() else { return };
        let f = &self.form;
        let Some(target) = f.related.get(f.related_cursor) else {
            let text = cx.words.t("notice.nothing-to-attach").to_owned();
            cx.warn(text);
            return;
        };
        // A caller who called before need not say their name again.
        let name = match (f.name.is_empty(), f.caller_case()) {
            (true, Some(c)) => c.citizen_name.clone(),
            _ => f.name.text().trim().to_owned(),
        };
        let description = f.description.text();
        let contact = Contact {
            at: cx.now,
            channel: Channel::ALL[f.channel],
            name,
            phone: f.phone.text().trim().to_owned(),
            comment: (!description.trim().is_empty()).then(|| description.trim().to_owned()),
            registered_by: by.name.clone(),
        };
        let code = target.code;
        cx.send(
            Slot::Act,
            Command::Act {
                by,
                code,
                version: None,
                action: CaseAction::Attach { contact },
            },
        );
    }

    /// The focus on the first field with a problem; that problem in full on
    /// the status line (each is marked beside its field too).
    fn show_errors(&mut self, cx: &mut Shell) {
        if let Some(first) = Field::ORDER.iter().find(|f| self.form.error(**f).is_some()) {
            self.form.focus = *first;
        }
        let Some(e) = self.form.errors.first() else {
            return;
        };
        let label = Field::ORDER
            .iter()
            .find(|f| f.name() == e.field)
            .map_or(e.field.to_owned(), |f| {
                cx.words.t(&format!("intake.{}", f.name())).to_owned()
            });
        let key = if self.form.errors.len() == 1 {
            "notice.fix-field"
        } else {
            "notice.fix-fields"
        };
        let text = cx.words.fill(
            key,
            &[
                ("field", &label),
                ("problem", &cx.words.problem(e.field, &e.problem)),
                ("more", &(self.form.errors.len() - 1).to_string()),
            ],
        );
        cx.warn(text);
    }

    /// The store's answer to attaching the call; true when it landed.
    pub fn attached(&mut self, cx: &mut Shell, r: Result<Case, StoreError>) -> bool {
        match r {
            Ok(case) => {
                let text = cx
                    .words
                    .fill("notice.attached", &[("code", &case.code.spoken())]);
                self.done(cx, &case, true);
                cx.note(text);
                true
            }
            Err(StoreError::Refused(crate::domain::workflow::Refusal::Invalid(i))) => {
                self.form.errors = i.errors;
                self.show_errors(cx);
                false
            }
            Err(e) => {
                cx.store_error(&e);
                false
            }
        }
    }
}
