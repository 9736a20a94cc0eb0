//! The case actions, in one table: each action's default key, the choice and
//! the fields its prompt asks for (by name), read by the keymap, the help, the
//! case view and the prompt. Whether an action is possible now (state, role)
//! is the workflow's `check`; this table only says what it needs.

use chrono::NaiveDate;

use crate::domain::case::{CancelReason, Case, Feedback, Kind, Outcome, Status};
use crate::domain::catalog::Catalog;
use crate::domain::roles::ActionKind;
use crate::domain::tracking::{CodeError, TrackingCode};
use crate::domain::workflow::{Action, OFFICER_OUTCOMES};

/// A choice the prompt offers before its fields (with ← →).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// The feedback call's result.
    Feedback,
    /// Why the case is cancelled.
    CancelReason,
    /// How a closed case ended.
    Outcome,
}

/// What a prompt field takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Text,
    /// A department: its code, or words of its name (a list shows matches).
    Department,
    /// A tracking code.
    Code,
    /// A day, YYYY-MM-DD.
    Date,
}

/// One field of a prompt: its name (also its locale key, `prompt.<name>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub required: bool,
    pub input: Input,
}

const fn field(name: &'static str, required: bool, input: Input) -> Field {
    Field {
        name,
        required,
        input,
    }
}

/// What one case action needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    pub kind: ActionKind,
    /// Its key in the case view (the config may rebind it).
    pub key: char,
    pub choice: Option<Choice>,
    /// No fields and no choice: the action happens at once.
    pub fields: &'static [Field],
}

use Input::{Code, Date, Department, Text};

/// Every action a person takes on a case from the case view, in the order
/// the view lists them.
pub const CASE_ACTIONS: [Spec; 10] = [
    Spec {
        kind: ActionKind::Refer,
        key: 'r',
        choice: None,
        fields: &[
            field("department", true, Department),
            field("person", false, Text),
            field("comment", false, Text),
        ],
    },
    Spec {
        kind: ActionKind::Note,
        key: 'a',
        choice: None,
        fields: &[field("note", true, Text)],
    },
    Spec {
        kind: ActionKind::Resolve,
        key: 'd',
        choice: None,
        fields: &[field("response", true, Text)],
    },
    Spec {
        kind: ActionKind::Feedback,
        key: 'f',
        choice: Some(Choice::Feedback),
        fields: &[field("comment", false, Text)],
    },
    Spec {
        kind: ActionKind::Escalate,
        key: 'e',
        choice: None,
        fields: &[field("reason", true, Text)],
    },
    Spec {
        kind: ActionKind::Close,
        key: 'c',
        choice: Some(Choice::Outcome),
        fields: &[field("reason", true, Text)],
    },
    Spec {
        kind: ActionKind::Cancel,
        key: 'x',
        choice: Some(Choice::CancelReason),
        fields: &[
            field("duplicate_of", false, Code),
            field("comment", false, Text),
        ],
    },
    Spec {
        kind: ActionKind::Reopen,
        key: 'o',
        choice: None,
        fields: &[field("reason", true, Text)],
    },
    Spec {
        kind: ActionKind::Take,
        key: 't',
        choice: None,
        fields: &[],
    },
    Spec {
        kind: ActionKind::CallBack,
        key: 'b',
        choice: None,
        fields: &[field("on", true, Date), field("comment", false, Text)],
    },
];

impl Spec {
    /// Whether `field` must be filled, with `choice` chosen: as the table
    /// says, except that acknowledging an appreciation needs no reason.
    pub fn requires(&self, field: &Field, choice: Option<&str>) -> bool {
        field.required
            && !(self.kind == ActionKind::Close && choice == Some(Outcome::Acknowledged.as_str()))
    }
}

/// The table's entry for `kind`.
pub fn spec(kind: ActionKind) -> Option<&'static Spec> {
    CASE_ACTIONS.iter().find(|s| s.kind == kind)
}

impl Choice {
    /// The codes offered for `case`, in order.
    pub fn codes(self, case: &Case) -> Vec<&'static str> {
        match self {
            Choice::Feedback => Feedback::ALL.iter().map(|f| f.as_str()).collect(),
            Choice::CancelReason => CancelReason::ALL.iter().map(|r| r.as_str()).collect(),
            Choice::Outcome
                if case.kind == Kind::Appreciation && case.status == Status::Registered =>
            {
                vec![Outcome::Acknowledged.as_str()]
            }
            Choice::Outcome => OFFICER_OUTCOMES.iter().map(|o| o.as_str()).collect(),
        }
    }

    /// The locale section its codes read from (`code.<section>.<code>`).
    pub fn section(self) -> &'static str {
        match self {
            Choice::Feedback => "feedback",
            Choice::CancelReason => "cancel",
            Choice::Outcome => "outcome",
        }
    }
}

/// Why what was typed in a prompt cannot make an action yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptError {
    /// A required field is empty.
    Required(&'static str),
    /// The department typed names none or several departments.
    WhichDepartment(String),
    BadCode(CodeError),
    /// Not a date (`YYYY-MM-DD`).
    BadDate(String),
}

/// A department's code from what was typed: a code, or words that name
/// exactly one department.
pub fn department_of(catalog: &Catalog, typed: &str) -> Option<String> {
    if let Some(d) = catalog.department(typed) {
        return Some(d.code.clone());
    }
    match matching_departments(catalog, typed).as_slice() {
        [one] => Some(one.code.clone()),
        _ => None,
    }
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

/// Parses a typed day: `YYYY-MM-DD`, Gregorian or Jalali (1405-09-12), in
/// any digit script.
pub fn parse_day(typed: &str) -> Option<NaiveDate> {
    crate::calendar::parse_date(typed).ok()
}

/// The action a filled prompt stands for. `value(name)` is a field's text,
/// trimmed; `choice` the code chosen, if the action has a choice.
pub fn build(
    spec: &Spec,
    choice: Option<&str>,
    value: &dyn Fn(&str) -> String,
    catalog: &Catalog,
) -> Result<Action, PromptError> {
    for f in spec.fields {
        if spec.requires(f, choice) && value(f.name).is_empty() {
            return Err(PromptError::Required(f.name));
        }
    }
    let optional = |name: &str| Some(value(name)).filter(|s| !s.is_empty());
    Ok(match spec.kind {
        ActionKind::Refer => {
            let typed = value("department");
            let department =
                department_of(catalog, &typed).ok_or(PromptError::WhichDepartment(typed))?;
            Action::Refer {
                department,
                assignee: optional("person"),
                comment: optional("comment"),
            }
        }
        ActionKind::Resolve => Action::Resolve {
            response: value("response"),
        },
        ActionKind::Feedback => Action::Feedback {
            result: choice
                .and_then(|c| Feedback::parse(c).ok())
                .unwrap_or(Feedback::Satisfied),
            comment: optional("comment"),
        },
        ActionKind::Escalate => Action::Escalate {
            reason: value("reason"),
        },
        ActionKind::Close => Action::Close {
            outcome: choice.and_then(|c| Outcome::parse(c).ok()),
            reason: optional("reason"),
        },
        ActionKind::Cancel => Action::Cancel {
            reason: choice
                .and_then(|c| CancelReason::parse(c).ok())
                .unwrap_or(CancelReason::Withdrawn),
            duplicate_of: optional("duplicate_of")
                .map(|s| TrackingCode::parse(&s))
                .transpose()
                .map_err(PromptError::BadCode)?,
            comment: optional("comment"),
        },
        ActionKind::Reopen => Action::Reopen {
            reason: value("reason"),
        },
        ActionKind::Take => Action::Take,
        ActionKind::CallBack => {
            let typed = value("on");
            Action::CallBack {
                on: parse_day(&typed).ok_or(PromptError::BadDate(typed))?,
                comment: optional("comment"),
            }
        }
        _ => Action::Note {
            text: value("note"),
        },
    })
}
