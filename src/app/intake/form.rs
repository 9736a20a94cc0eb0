//! The intake form: the fields of a call being typed, which list each field
//! narrows, and the draft it is saved as. Pure: the screen (`super`) moves
//! it with keys and saves it through commands.

use serde::{Deserialize, Serialize};

use crate::app::field::TextField;
use crate::domain::case::{Case, Channel, Kind, Priority};
use crate::domain::catalog::Catalog;
use crate::domain::intake::{CaseInput, FieldError, Problem};
use crate::text::phone_key;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Phone,
    Name,
    Service,
    Neighborhood,
    District,
    Address,
    Description,
    Department,
    Channel,
    Kind,
    Priority,
}

impl Field {
    /// In the order Tab visits them: what every call needs first, then the
    /// department (proposed), then what is rarely changed.
    pub const ORDER: [Field; 11] = [
        Field::Phone,
        Field::Name,
        Field::Service,
        Field::Neighborhood,
        Field::District,
        Field::Address,
        Field::Description,
        Field::Department,
        Field::Channel,
        Field::Kind,
        Field::Priority,
    ];

    /// The name validation errors use for this field (and its locale key).
    pub fn name(self) -> &'static str {
        match self {
            Field::Phone => "phone",
            Field::Name => "name",
            Field::Service => "service",
            Field::Neighborhood => "neighborhood",
            Field::District => "district",
            Field::Address => "address",
            Field::Description => "description",
            Field::Department => "department",
            Field::Channel => "channel",
            Field::Kind => "kind",
            Field::Priority => "priority",
        }
    }

    /// Fields chosen from a short list with ←/→ rather than typed.
    pub fn is_choice(self) -> bool {
        matches!(self, Field::Channel | Field::Kind | Field::Priority)
    }

    /// Fields typed to narrow a list (↑ ↓ move in it, Enter chooses).
    pub fn is_picker(self) -> bool {
        matches!(self, Field::Service | Field::District | Field::Department)
    }
}

/// Where the department the case is referred to stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Referral {
    /// The catalog's department for the service and district (follows them).
    #[default]
    Proposed,
    /// A department the operator chose.
    Chosen(String),
    /// Registered without a referral, on purpose.
    Unreferred,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IntakeForm {
    pub phone: TextField,
    pub name: TextField,
    pub channel: usize,
    pub kind: usize,
    pub service_filter: TextField,
    /// The chosen service's code.
    pub service: Option<String>,
    pub district_filter: TextField,
    /// The chosen district's code.
    pub district: Option<String>,
    pub neighborhood: TextField,
    pub address: TextField,
    pub description: TextField,
    pub priority: usize,
    pub department_filter: TextField,
    pub referral: Referral,
    pub focus: Field,
    /// The highlighted line of the list the field in focus narrows.
    pub cursor: usize,
    /// Problems found by the last save.
    pub errors: Vec<FieldError>,
    /// Earlier cases this call may belong to, and the one highlighted.
    pub related: Vec<Case>,
    pub related_cursor: usize,
    /// The key the related cases were looked up for (phone|service|neighborhood).
    pub related_key: String,
    /// Unique per form: a save retried after a lost answer registers once.
    pub request_id: String,
}

impl IntakeForm {
    pub fn new(request_id: String) -> Self {
        IntakeForm {
            phone: TextField::new(),
            name: TextField::new(),
            channel: 0,
            kind: 0,
            service_filter: TextField::new(),
            service: None,
            district_filter: TextField::new(),
            district: None,
            neighborhood: TextField::new(),
            address: TextField::new(),
            description: TextField::multiline(),
            priority: 0,
            department_filter: TextField::new(),
            referral: Referral::Proposed,
            focus: Field::Phone,
            cursor: 0,
            errors: Vec::new(),
            related: Vec::new(),
            related_cursor: 0,
            related_key: String::new(),
            request_id,
        }
    }

    /// Whether anything was typed (asked about before it is thrown away).
    pub fn has_text(&self) -> bool {
        [
            &self.phone,
            &self.name,
            &self.service_filter,
            &self.district_filter,
            &self.neighborhood,
            &self.address,
            &self.description,
            &self.department_filter,
        ]
        .iter()
        .any(|f| !f.is_empty())
            || self.service.is_some()
            || self.district.is_some()
    }

    pub fn text_field(&mut self, f: Field) -> Option<&mut TextField> {
        match f {
            Field::Phone => Some(&mut self.phone),
            Field::Name => Some(&mut self.name),
            Field::Service => Some(&mut self.service_filter),
            Field::District => Some(&mut self.district_filter),
            Field::Neighborhood => Some(&mut self.neighborhood),
            Field::Address => Some(&mut self.address),
            Field::Description => Some(&mut self.description),
            Field::Department => Some(&mut self.department_filter),
            Field::Channel | Field::Kind | Field::Priority => None,
        }
    }

    pub(super) fn move_focus(&mut self, forward: bool) {
        let i = Field::ORDER
            .iter()
            .position(|f| *f == self.focus)
            .unwrap_or(0);
        let n = Field::ORDER.len();
        self.focus = Field::ORDER[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }];
        self.cursor = 0;
    }

    /// ←/→ on a choice field.
    pub(super) fn cycle(&mut self, forward: bool) {
        let step = |v: &mut usize, n: usize| {
            *v = if forward {
                (*v + 1) % n
            } else {
                (*v + n - 1) % n
            };
        };
        match self.focus {
            Field::Channel => step(&mut self.channel, Channel::ALL.len()),
            Field::Kind => step(&mut self.kind, Kind::ALL.len()),
            Field::Priority => step(&mut self.priority, Priority::ALL.len()),
            _ => {}
        }
    }

    /// Whether a field of the call's own (phone to description) already
    /// holds something; the choices after it always do.
    pub(super) fn filled(&self, f: Field) -> bool {
        match f {
            Field::Phone => !self.phone.is_empty(),
            Field::Name => !self.name.is_empty(),
            Field::Service => self.service.is_some(),
            Field::Neighborhood => !self.neighborhood.is_empty(),
            Field::District => self.district.is_some(),
            Field::Address => !self.address.is_empty(),
            Field::Description => !self.description.is_empty(),
            Field::Department | Field::Channel | Field::Kind | Field::Priority => true,
        }
    }

    pub fn error(&self, f: Field) -> Option<&Problem> {
        self.errors
            .iter()
            .find(|e| e.field == f.name())
            .map(|e| &e.problem)
    }

    /// The department the case will be referred to, if any.
    pub fn department(&self, catalog: &Catalog) -> Option<String> {
        match &self.referral {
            Referral::Unreferred => None,
            Referral::Chosen(code) => Some(code.clone()),
            Referral::Proposed => {
                let service = catalog.service(self.service.as_deref()?)?;
                let district = catalog.district(self.district.as_deref()?)?;
                Some(catalog.default_department(service, district))
            }
        }
    }

    /// The case this form describes, for the store to check and register.
    pub fn to_input(&self, catalog: &Catalog) -> CaseInput {
        CaseInput {
            phone: self.phone.text(),
            name: self.name.text(),
            service: self.service.clone().unwrap_or_default(),
            channel: Some(Channel::ALL[self.channel]),
            kind: Some(Kind::ALL[self.kind]),
            district: self
                .district
                .clone()
                .unwrap_or_else(|| self.district_filter.text()),
            neighborhood: self.neighborhood.text(),
            address: self.address.text(),
            description: self.description.text(),
            priority: Some(Priority::ALL[self.priority]),
            received_at: None,
            request_id: Some(self.request_id.clone()),
            refer_to: self.department(catalog),
        }
    }

    /// The draft form of this form, to survive a crash.
    pub fn to_draft(&self) -> DraftBody {
        DraftBody {
            phone: self.phone.text(),
            name: self.name.text(),
            channel: self.channel,
            kind: self.kind,
            service_filter: self.service_filter.text(),
            service: self.service.clone(),
            district_text: self.district_filter.text(),
            district_code: self.district.clone(),
            neighborhood: self.neighborhood.text(),
            address: self.address.text(),
            description: self.description.text(),
            priority: self.priority,
            department_filter: self.department_filter.text(),
            referral: self.referral.clone(),
            request_id: self.request_id.clone(),
        }
    }

    pub fn from_draft(d: &DraftBody) -> Self {
        let mut f = IntakeForm::new(d.request_id.clone());
        f.phone.set(&d.phone);
        f.name.set(&d.name);
        f.channel = d.channel.min(Channel::ALL.len() - 1);
        f.kind = d.kind.min(Kind::ALL.len() - 1);
        f.service_filter.set(&d.service_filter);
        f.service.clone_from(&d.service);
        f.district_filter.set(&d.district_text);
        f.district.clone_from(&d.district_code);
        f.neighborhood.set(&d.neighborhood);
        f.address.set(&d.address);
        f.description.set(&d.description);
        f.priority = d.priority.min(Priority::ALL.len() - 1);
        f.department_filter.set(&d.department_filter);
        f.referral = d.referral.clone();
        f
    }

    /// The caller's own latest earlier case (their number, as the citizen
    /// of the case): what a repeat caller's details are offered from.
    pub fn caller_case(&self) -> Option<&Case> {
        let key = phone_key(&self.phone.text()).ok()?;
        self.related
            .iter()
            .filter(|c| phone_key(&c.citizen_phone).ok().as_deref() == Some(key.as_str()))
            .max_by_key(|c| c.received_at)
    }
}

/// An intake form as saved in a draft. Fields added later have defaults, so
/// a draft saved by an older citydesk still comes back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftBody {
    pub phone: String,
    pub name: String,
    pub channel: usize,
    pub kind: usize,
    pub service_filter: String,
    pub service: Option<String>,
    #[serde(default)]
    pub district_text: String,
    #[serde(default)]
    pub district_code: Option<String>,
    pub neighborhood: String,
    pub address: String,
    pub description: String,
    pub priority: usize,
    #[serde(default)]
    pub department_filter: String,
    #[serde(default)]
    pub referral: Referral,
    pub request_id: String,
}

/// The services a service field's text matches, best first.
pub fn matching_services<'a>(
    catalog: &'a Catalog,
    typed: &str,
) -> Vec<&'a crate::domain::catalog::Service> {
    catalog.find_services(typed)
}

/// The one service `typed` names, as a code.
pub fn service_of(catalog: &Catalog, typed: &str) -> Option<String> {
    catalog.service_of(typed).map(|s| s.code.clone())
}

/// The departments offered in the department field: with nothing typed,
/// "leave unreferred" (None) first, then every department; else those
/// matching what was typed.
pub fn department_choices<'a>(
    catalog: &'a Catalog,
    typed: &str,
) -> Vec<Option<&'a crate::domain::catalog::Department>> {
    crate::text::is_blank(typed)
        .then_some(None)
        .into_iter()
        .chain(
            crate::app::actions::matching_departments(catalog, typed)
                .into_iter()
                .map(Some),
        )
        .collect()
}
