//! The lists of cases: the six queues and the search results, with the search
//! box and the filter line (department, district, service). Its own state
//! and update; the shell hands it keys and the store's answers.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::field::TextField;
use super::{Command, Go, PAGE, Shell, Slot};
use crate::domain::case::Case;
use crate::domain::tracking::{CodeError, TrackingCode};
use crate::keymap::{Action, Mode};
use crate::present::Say;
use crate::store::{Filter, Page, Queue, QueuePage, StoreError};

/// Which list is on view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Showing {
    #[default]
    Nothing,
    Queue(u8),
    Search,
    /// The cases of one group of the figures.
    Group,
}

/// The filter line: what was typed for each of department, district, service.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilterLine {
    pub open: bool,
    pub fields: [TextField; 3],
    pub focus: usize,
}

/// How many search results are listed at most (the rest: search for more words).
pub const SEARCH_LIMIT: usize = 100;

/// The names of the filter line's fields, in order (locale `filter.<name>`).
pub const FILTER_FIELDS: [&str; 3] = ["department", "district", "service"];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListScreen {
    pub showing: Showing,
    pub rows: Vec<Case>,
    /// How many cases the whole list holds.
    pub total: u64,
    pub selected: usize,
    /// The first row of the page on view, within the whole list.
    pub offset: u32,
    pub loaded: bool,
    /// The search box, and whether keys go to it.
    pub search: TextField,
    pub searching: bool,
    /// The query whose results are on view.
    pub searched: String,
    pub filter_line: FilterLine,
    /// The filter in force on the queues.
    pub filter: Filter,
    /// The group of the figures on view: its query, key and name.
    pub group: Option<(crate::report::figures::ReportQuery, String, String)>,
}

impl ListScreen {
    pub fn mode(&self) -> Mode {
        if self.searching || self.filter_line.open {
            Mode::Form
        } else {
            Mode::List
        }
    }

    /// The queue behind tab `n` for the person signed in.
    pub fn queue_of(cx: &Shell, n: u8) -> Queue {
        match n {
            1 => Queue::Unreferred,
            2 => Queue::Overdue,
            3 => Queue::DueSoon(cx.settings.rules.due_soon()),
            4 => Queue::Feedback,
            5 => Queue::FollowUp,
            _ => Queue::Mine(cx.me().map(|o| o.name.clone()).unwrap_or_default()),
        }
    }

    pub fn open_queue(&mut self, cx: &mut Shell, n: u8) {
        if self.showing != Showing::Queue(n) {
            self.clear();
            self.showing = Showing::Queue(n);
        }
        self.searching = false;
        self.reload(cx);
    }

    /// The search box, empty, ready for typing.
    pub fn start_search(&mut self) {
        self.search.clear();
        self.searching = true;
    }

    fn clear(&mut self) {
        self.rows.clear();
        self.total = 0;
        self.selected = 0;
        self.offset = 0;
        self.loaded = false;
    }

    /// Asks again for the list on view.
    pub fn reload(&mut self, cx: &mut Shell) {
        match self.showing {
            Showing::Queue(n) => {
                let queue = Self::queue_of(cx, n);
                let page = Page {
                    limit: PAGE,
                    offset: self.offset,
                };
                let filter = self.filter.clone();
                cx.send(
                    Slot::List,
                    Command::Queue {
                        queue,
                        filter,
                        page,
                    },
                );
            }
            Showing::Search if !self.searched.is_empty() => {
                cx.send(Slot::List, Command::Search(self.searched.clone()));
            }
            Showing::Group => {
                if let Some((query, key, _)) = &self.group {
                    cx.send(
                        Slot::List,
                        Command::CasesOf {
                            query: query.clone(),
                            key: key.clone(),
                        },
                    );
                }
            }
            Showing::Search | Showing::Nothing => {}
        }
    }

    /// Lists the cases of one group of the figures.
    pub fn show_group(
        &mut self,
        cx: &mut Shell,
        query: crate::report::figures::ReportQuery,
        key: String,
        label: String,
    ) {
        self.searching = false;
        self.showing = Showing::Group;
        self.clear();
        self.group = Some((query, key, label));
        self.reload(cx);
    }

    pub fn loaded(&mut self, cx: &mut Shell, r: Result<QueuePage, StoreError>) {
        match r {
            Ok(page) => {
                self.rows = page.cases;
                self.total = page.total;
                self.loaded = true;
                self.selected = self.selected.min(self.rows.len().saturating_sub(1));
            }
            Err(e) => cx.store_error(&e),
        }
    }

    pub fn act(&mut self, cx: &mut Shell, action: Action) -> Go {
        match action {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Home
            | Action::End => self.move_selection(cx, action),
            Action::Open => {
                if let Some(c) = self.rows.get(self.selected) {
                    return Go::OpenCase(c.code);
                }
            }
            Action::Filter => {
                self.filter_line.open = true;
                self.filter_line.focus = 0;
                self.searching = false;
            }
            Action::ClearFilter if !self.filter.is_empty() => {
                self.filter = Filter::default();
                self.filter_line = FilterLine::default();
                self.clear();
                self.reload(cx);
                let text = cx.words.t("notice.filter-cleared").to_owned();
                cx.note(text);
            }
            Action::Back if self.filter_line.open => self.filter_line.open = false,
            Action::Back | Action::NextField | Action::PrevField if !self.filter_line.open => {
                self.searching = false;
            }
            Action::NextField | Action::PrevField if self.filter_line.open => {
                let f = &mut self.filter_line;
                f.focus = if action == Action::NextField {
                    (f.focus + 1) % 3
                } else {
                    (f.focus + 2) % 3
                };
            }
            Action::Save if self.filter_line.open => self.apply_filter(cx),
            Action::Save => self.run_search(cx),
            _ => {}
        }
        Go::Stay
    }

    /// Text keys in the search box or the filter line.
    pub fn edit(&mut self, cx: &mut Shell, key: KeyEvent) -> Go {
        if self.filter_line.open {
            if key.code == KeyCode::Enter {
                self.apply_filter(cx);
            } else {
                let f = &mut self.filter_line;
                f.fields[f.focus].handle_in(key, Some(cx.flow));
            }
        } else {
            match key.code {
                KeyCode::Enter => self.run_search(cx),
                KeyCode::Down => self.searching = false,
                _ => {
                    self.search.handle_in(key, Some(cx.flow));
                }
            }
        }
        Go::Stay
    }

    fn run_search(&mut self, cx: &mut Shell) {
        let q = self.search.text().trim().to_owned();
        if q.is_empty() {
            return;
        }
        // Nine digits are a tracking code: a mistyped one is said so, not
        // searched for as words.
        let digits: String = q.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.chars().count() == 9
            && digits
                .chars()
                .all(|c| crate::text::ascii_digit(c).is_some())
            && let Err(e @ CodeError::Check { .. }) = TrackingCode::parse(&q)
        {
            // Nothing stale under the box: the results were for another query.
            self.showing = Showing::Search;
            self.clear();
            self.searched.clear();
            let text = e.say(&cx.words);
            cx.warn(text);
            return;
        }
        self.searching = false;
        self.showing = Showing::Search;
        self.clear();
        self.searched = q;
        self.reload(cx);
    }

    /// The filter line's words, each resolved to one department, district or
    /// service; a word that names none (or several) is said, and nothing changes.
    fn apply_filter(&mut self, cx: &mut Shell) {
        let typed: Vec<String> = self
            .filter_line
            .fields
            .iter()
            .map(|f| f.text().trim().to_owned())
            .collect();
        let cat = &cx.catalog;
        let mut filter = Filter::default();
        let mut unknown = None;
        for (i, t) in typed.iter().enumerate().filter(|(_, t)| !t.is_empty()) {
            let code = match i {
                0 => super::actions::department_of(cat, t),
                1 => match cat.find_districts(t).as_slice() {
                    [one] => Some(one.code.clone()),
                    _ => None,
                },
                _ => super::intake::service_of(cat, t),
            };
            match (i, code) {
                (0, Some(c)) => filter.department = Some(c),
                (1, Some(c)) => filter.district = Some(c),
                (_, Some(c)) => filter.service = Some(c),
                (_, None) => unknown = unknown.or(Some((i, t.clone()))),
            }
        }
        if let Some((i, t)) = unknown {
            let what = cx
                .words
                .t(&format!("filter.{}", FILTER_FIELDS[i]))
                .to_owned();
            let matches = filter_matches(&cx.catalog, i, &t);
            let key = if matches.is_empty() {
                "notice.filter-unknown"
            } else {
                "notice.filter-several"
            };
            let text = cx.words.fill(
                key,
                &[
                    ("what", &what),
                    ("typed", &t),
                    ("matches", &matches.join(", ")),
                ],
            );
            cx.warn(text);
            self.filter_line.focus = i;
            return;
        }
        self.filter = filter;
        self.filter_line.open = false;
        self.clear();
        self.reload(cx);
    }

    /// Whether a filter narrows the list on view (search results are not filtered).
    pub fn filtered(&self) -> bool {
        !self.filter.is_empty() && matches!(self.showing, Showing::Queue(_))
    }

    fn move_selection(&mut self, cx: &mut Shell, action: Action) {
        let last = self.rows.len().saturating_sub(1);
        let before = self.selected;
        self.selected = match action {
            Action::Up => self.selected.saturating_sub(1),
            Action::Down => (self.selected + 1).min(last),
            Action::PageUp => self.selected.saturating_sub(10),
            Action::PageDown => (self.selected + 10).min(last),
            Action::Home => 0,
            _ => last,
        };
        // Past either end of a full page: the next or previous page of the queue.
        let full = self.rows.len() == PAGE as usize;
        if matches!(self.showing, Showing::Queue(_)) {
            let down = matches!(action, Action::Down | Action::PageDown);
            let up = matches!(action, Action::Up | Action::PageUp);
            if before == last && full && down {
                self.offset += PAGE;
                self.selected = 0;
                self.reload(cx);
            } else if before == 0 && self.offset > 0 && up {
                self.offset = self.offset.saturating_sub(PAGE);
                self.selected = PAGE as usize - 1;
                self.reload(cx);
            } else if action == Action::Home && self.offset > 0 {
                self.offset = 0;
                self.reload(cx);
            }
        }
    }
}

/// What the words typed in filter field `i` match (codes), for the message
/// when they name none or several.
pub fn filter_matches(cat: &crate::domain::catalog::Catalog, i: usize, typed: &str) -> Vec<String> {
    match i {
        0 => super::actions::matching_departments(cat, typed)
            .iter()
            .map(|d| d.code.clone())
            .collect(),
        1 => cat
            .find_districts(typed)
            .iter()
            .map(|d| d.code.clone())
            .collect(),
        _ => cat
            .find_services(typed)
            .iter()
            .take(6)
            .map(|s| s.code.clone())
            .collect(),
    }
}
