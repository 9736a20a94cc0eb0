//! The intake form: what an operator types while a citizen is on the line.
//! Pure state; the App decides when to save it as a draft or register it.

use serde::{Deserialize, Serialize};

use super::field::TextField;
use crate::domain::case::{Case, Channel, Kind, Priority};
use crate::domain::catalog::{Catalog, Service};
use crate::domain::intake::CaseInput;
use crate::text::search_key;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Phone,
    Name,
    Channel,
    Kind,
    Service,
    District,
    Neighborhood,
    Address,
    Description,
    Priority,
}

impl Field {
    pub const ORDER: [Field; 10] = [
        Field::Phone,
        Field::Name,
        Field::Channel,
        Field::Kind,
        Field::Service,
        Field::District,
        Field::Neighborhood,
        Field::Address,
        Field::Description,
        Field::Priority,
    ];

    /// The name validation errors use for this field.
    pub fn error_name(self) -> &'static str {
        match self {
            Field::Phone => "phone",
            Field::Name => "name",
            Field::Channel => "channel",
            Field::Kind => "kind",
            Field::Service => "service",
            Field::District => "district",
            Field::Neighborhood => "neighborhood",
            Field::Address => "address",
            Field::Description => "description",
            Field::Priority => "priority",
        }
    }

    pub fn label_key(self) -> String {
        format!("intake.{}", self.error_name())
    }

    /// Fields chosen from a list with ←/→ rather than typed.
    pub fn is_choice(self) -> bool {
        matches!(
            self,
            Field::Channel | Field::Kind | Field::District | Field::Priority
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct IntakeForm {
    pub phone: TextField,
    pub name: TextField,
    pub channel: usize,
    pub kind: usize,
    pub service_filter: TextField,
    /// Index into the services matching the filter.
    pub service_cursor: usize,
    /// The chosen service's code.
    pub service: Option<String>,
    pub district: usize,
    pub neighborhood: TextField,
    pub address: TextField,
    pub description: TextField,
    pub priority: usize,
    pub focus: Field,
    /// Problems found by the last save, by field name.
    pub errors: Vec<crate::domain::intake::FieldError>,
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
            service_cursor: 0,
            service: None,
            district: 0,
            neighborhood: TextField::new(),
            address: TextField::new(),
            description: TextField::multiline(),
            priority: 0,
            focus: Field::Phone,
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
            &self.neighborhood,
            &self.address,
            &self.description,
        ]
        .iter()
        .any(|f| !f.is_empty())
            || self.service.is_some()
    }

    pub fn text_field(&mut self, f: Field) -> Option<&mut TextField> {
        match f {
            Field::Phone => Some(&mut self.phone),
            Field::Name => Some(&mut self.name),
            Field::Service => Some(&mut self.service_filter),
            Field::Neighborhood => Some(&mut self.neighborhood),
            Field::Address => Some(&mut self.address),
            Field::Description => Some(&mut self.description),
            _ => None,
        }
    }

    pub fn move_focus(&mut self, forward: bool) {
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
    }

    /// ←/→ on a choice field.
    pub fn cycle(&mut self, catalog: &Catalog, forward: bool) {
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
            Field::District => step(&mut self.district, catalog.districts.len().max(1)),
            Field::Priority => step(&mut self.priority, Priority::ALL.len()),
            _ => {}
        }
    }

    /// Marks the fields a check refused.
    pub fn set_errors(&mut self, errors: Vec<crate::domain::intake::FieldError>) {
        self.errors = errors;
    }

    pub fn error(&self, f: Field) -> Option<&crate::domain::intake::Problem> {
        self.errors
            .iter()
            .find(|e| e.field == f.error_name())
            .map(|e| &e.problem)
    }

    /// The case this form describes, for the store to check and register.
    pub fn to_input(&self, catalog: &Catalog) -> CaseInput {
        CaseInput {
            phone: self.phone.text(),
            name: self.name.text(),
            service: self.service.clone().unwrap_or_default(),
            channel: Some(Channel::ALL[self.channel]),
            kind: Some(Kind::ALL[self.kind]),
            district: catalog
                .districts
                .get(self.district)
                .map(|d| d.code.clone())
                .unwrap_or_default(),
            neighborhood: self.neighborhood.text(),
            address: self.address.text(),
            description: self.description.text(),
            priority: Some(Priority::ALL[self.priority]),
            received_at: None,
            request_id: Some(self.request_id.clone()),
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
            district: self.district,
            neighborhood: self.neighborhood.text(),
            address: self.address.text(),
            description: self.description.text(),
            priority: self.priority,
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
        f.district = d.district;
        f.neighborhood.set(&d.neighborhood);
        f.address.set(&d.address);
        f.description.set(&d.description);
        f.priority = d.priority.min(Priority::ALL.len() - 1);
        f
    }
}

/// An intake form as saved in a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftBody {
    pub phone: String,
    pub name: String,
    pub channel: usize,
    pub kind: usize,
    pub service_filter: String,
    pub service: Option<String>,
    pub district: usize,
    pub neighborhood: String,
    pub address: String,
    pub description: String,
    pub priority: usize,
    pub request_id: String,
}

/// The active services whose code or names contain every word of `filter`.
pub fn matching_services<'a>(catalog: &'a Catalog, filter: &str) -> Vec<&'a Service> {
    let words: Vec<String> = search_key(filter)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    catalog
        .services
        .iter()
        .filter(|s| s.active)
        .filter(|s| {
            let hay = search_key(&format!(
                "{} {} {} {}",
                s.code, s.name_en, s.name_fa, s.category
            ));
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect()
}
