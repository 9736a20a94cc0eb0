//! A case as a GeoReport v2 service request, pure. The rule: a public record
//! holds no name, phone number or e-mail address of a citizen — none of the
//! fields carries them, and the description and the department's answer are
//! passed through `redact` (the case's own name and phone, and anything
//! shaped like an e-mail address, are blanked out).
//!
//! What GeoReport has and a case has no column for (the answers to a
//! service's attributes, the coordinates, a photo link, an old system's
//! agency) is kept at the end of the case's description, after a line
//! `-- open311 --`, as `key: value` lines: operators read them in the
//! console like any description, and `notes` reads them back. Only the text
//! before that line is the citizen's description.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::domain::case::{Case, no_deadline};
use crate::domain::catalog::Catalog;
use crate::domain::shift::{Center, Zone};
use crate::store::sql::OPEN311_OPEN;
use crate::text::phone_key;

/// The line that starts the note block of a description.
pub const NOTE_MARK: &str = "-- open311 --";

/// The note keys `record` reads back into GeoReport fields.
pub const NOTE_FIELDS: [&str; 7] = [
    "lat",
    "long",
    "media_url",
    "address_id",
    "zipcode",
    "agency_responsible",
    "service_notice",
];

/// A description split into the citizen's text and the note lines.
pub fn split_description(d: &str) -> (&str, Vec<(String, String)>) {
    let Some(at) = d
        .rfind(&format!("\n{NOTE_MARK}\n"))
        .map(|i| i + 1)
        .or_else(|| d.strip_prefix(&format!("{NOTE_MARK}\n")).map(|_| 0))
    else {
        return (d, Vec::new());
    };
    let text = d[..at].trim_end();
    let notes = d[at + NOTE_MARK.len()..]
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(": ")?;
            Some((k.trim().to_owned(), v.trim().to_owned()))
        })
        .collect();
    (text, notes)
}

/// The citizen's text with the note lines after it (none: the text alone).
pub fn join_description(text: &str, notes: &[(String, String)]) -> String {
    if notes.is_empty() {
        return text.to_owned();
    }
    let mut out = text.trim_end().to_owned();
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(NOTE_MARK);
    for (k, v) in notes {
        out.push('\n');
        out.push_str(k);
        out.push_str(": ");
        out.push_str(&one_line(v));
    }
    out
}

/// Line breaks folded into spaces (a note is one line).
pub fn one_line(s: &str) -> String {
    s.split(['\n', '\r'])
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn note<'a>(notes: &'a [(String, String)], key: &str) -> Option<&'a str> {
    notes
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// One service request in GeoReport v2's fields, as text (None: absent or
/// null). Coordinates stay text, so an import keeps every digit it was given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    pub service_request_id: Option<String>,
    pub status: Option<String>,
    pub status_notes: Option<String>,
    pub service_name: Option<String>,
    pub service_code: Option<String>,
    pub description: Option<String>,
    pub agency_responsible: Option<String>,
    pub service_notice: Option<String>,
    pub requested_datetime: Option<String>,
    pub updated_datetime: Option<String>,
    pub expected_datetime: Option<String>,
    pub address: Option<String>,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: Option<String>,
    pub long: Option<String>,
    pub media_url: Option<String>,
}

impl Request {
    /// The fields in the spec's order, named.
    pub fn fields(&self) -> [(&'static str, Option<&str>); 17] {
        [
            ("service_request_id", self.service_request_id.as_deref()),
            ("status", self.status.as_deref()),
            ("status_notes", self.status_notes.as_deref()),
            ("service_name", self.service_name.as_deref()),
            ("service_code", self.service_code.as_deref()),
            ("description", self.description.as_deref()),
            ("agency_responsible", self.agency_responsible.as_deref()),
            ("service_notice", self.service_notice.as_deref()),
            ("requested_datetime", self.requested_datetime.as_deref()),
            ("updated_datetime", self.updated_datetime.as_deref()),
            ("expected_datetime", self.expected_datetime.as_deref()),
            ("address", self.address.as_deref()),
            ("address_id", self.address_id.as_deref()),
            ("zipcode", self.zipcode.as_deref()),
            ("lat", self.lat.as_deref()),
            ("long", self.long.as_deref()),
            ("media_url", self.media_url.as_deref()),
        ]
    }

    /// Sets a field by its spec name; an unknown name is ignored.
    pub fn set(&mut self, name: &str, value: Option<String>) {
        let slot = match name {
            "service_request_id" => &mut self.service_request_id,
            "status" => &mut self.status,
            "status_notes" => &mut self.status_notes,
            "service_name" => &mut self.service_name,
            "service_code" => &mut self.service_code,
            "description" => &mut self.description,
            "agency_responsible" => &mut self.agency_responsible,
            "service_notice" => &mut self.service_notice,
            "requested_datetime" => &mut self.requested_datetime,
            "updated_datetime" => &mut self.updated_datetime,
            "expected_datetime" => &mut self.expected_datetime,
            "address" => &mut self.address,
            "address_id" => &mut self.address_id,
            "zipcode" => &mut self.zipcode,
            "lat" => &mut self.lat,
            "long" => &mut self.long,
            "media_url" => &mut self.media_url,
            _ => return,
        };
        *slot = value.filter(|v| !v.trim().is_empty());
    }
}

/// A time as W3C/ISO 8601 in the center's zone, with its offset.
pub fn w3c(center: &Center, t: DateTime<Utc>) -> String {
    match center.zone {
        Zone::Named(tz) => t
            .with_timezone(&tz)
            .to_rfc3339_opts(SecondsFormat::Secs, false),
        Zone::Fixed(off) => t
            .with_timezone(&off)
            .to_rfc3339_opts(SecondsFormat::Secs, false),
    }
}

/// Whether a case reads `open` to an Open311 client.
pub fn is_open(case: &Case) -> bool {
    OPEN311_OPEN.contains(&case.status)
}

/// The public record of a case.
pub fn from_case(case: &Case, catalog: &Catalog, center: &Center) -> Request {
    let (text, notes) = split_description(&case.description);
    let some = |s: &str| (!s.trim().is_empty()).then(|| s.to_owned());
    Request {
        service_request_id: Some(case.code.to_string()),
        status: Some(if is_open(case) { "open" } else { "closed" }.to_owned()),
        status_notes: case
            .response
            .as_deref()
            .map(|r| redact(r, case))
            .and_then(|r| some(&r)),
        service_name: Some(
            catalog
                .service(&case.service)
                .map_or_else(|| case.service.clone(), |s| s.name_en.clone()),
        ),
        service_code: Some(case.service.clone()),
        description: some(&redact(text, case)),
        agency_responsible: note(&notes, "agency_responsible")
            .map(str::to_owned)
            .or_else(|| Some(catalog.department_name(&case.department).to_owned())),
        service_notice: note(&notes, "service_notice").map(str::to_owned),
        requested_datetime: Some(w3c(center, case.received_at)),
        updated_datetime: Some(w3c(center, case.updated_at)),
        expected_datetime: (case.due_at != no_deadline()).then(|| w3c(center, case.due_at)),
        address: some(&redact(&case.address, case)),
        address_id: note(&notes, "address_id").map(str::to_owned),
        zipcode: note(&notes, "zipcode").map(str::to_owned),
        lat: note(&notes, "lat").map(str::to_owned),
        long: note(&notes, "long").map(str::to_owned),
        media_url: note(&notes, "media_url").map(str::to_owned),
    }
}

/// Blanks out of public text what would identify the citizen: the case's
/// name (as whole words), its phone number (however the digits are
/// grouped), and any word shaped like an e-mail address.
pub fn redact(text: &str, case: &Case) -> String {
    let mut out = text.to_owned();
    let name = case.citizen_name.trim();
    if name.chars().count() >= 2 && !name.starts_with('(') {
        out = replace_words(&out, name, "[name]");
        for part in name.split_whitespace().filter(|p| p.chars().count() >= 3) {
            out = replace_words(&out, part, "[name]");
        }
    }
    if let Ok(phone) = phone_key(&case.citizen_phone) {
        out = replace_phone(&out, &phone);
    }
    out.split_inclusive(char::is_whitespace)
        .map(|w| {
            let core = w.trim_end();
            match core.split_once('@') {
                Some((user, host)) if !user.is_empty() && host.contains('.') => {
                    format!("[email]{}", &w[core.len()..])
                }
                _ => w.to_owned(),
            }
        })
        .collect()
}

/// `text` with every whole-word occurrence of `word` replaced.
fn replace_words(text: &str, word: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(word) {
        let before = rest[..i].chars().next_back();
        let after = rest[i + word.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}

/// `text` with every run of digits (and separators) that is the phone
/// number `key` replaced by `[phone]`.
fn replace_phone(text: &str, key: &str) -> String {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let digit = |c: char| crate::text::ascii_digit(c).is_some();
    let sep = |c: char| matches!(c, ' ' | '-' | '.' | '(' | ')' | '+' | '\u{200c}');
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if !(digit(c) || c == '+') {
            out.push(c);
            i += 1;
            continue;
        }
        let mut j = i;
        let mut last_digit = None;
        while j < chars.len() && (digit(chars[j].1) || sep(chars[j].1)) {
            if digit(chars[j].1) {
                last_digit = Some(j);
            }
            j += 1;
        }
        let Some(end) = last_digit else {
            out.push(c);
            i += 1;
            continue;
        };
        let stop = chars.get(end + 1).map_or(text.len(), |(b, _)| *b);
        let run = &text[start..stop];
        if phone_key(run).is_ok_and(|k| k == key) {
            out.push_str("[phone]");
        } else {
            out.push_str(run);
        }
        i = end + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_split_from_the_citizen_text() {
        let d = join_description(
            "a tree on the road",
            &[
                ("size".into(), "large".into()),
                ("lat".into(), "35.7".into()),
            ],
        );
        assert_eq!(
            d,
            "a tree on the road\n-- open311 --\nsize: large\nlat: 35.7"
        );
        let (text, notes) = split_description(&d);
        assert_eq!(text, "a tree on the road");
        assert_eq!(notes[1], ("lat".into(), "35.7".into()));
        assert_eq!(split_description("plain").0, "plain");
        let only_notes = join_description("", &[("a".into(), "b".into())]);
        let (text, notes) = split_description(&only_notes);
        assert_eq!((text, notes.len()), ("", 1));
    }

    #[test]
    fn redaction_blanks_name_phone_and_email() {
        let input = crate::domain::intake::CaseInput {
            phone: "0912 123 4567".into(),
            name: "Maryam Ahmadi".into(),
            service: "pothole".into(),
            district: "1".into(),
            address: "x".into(),
            description: "x".into(),
            ..Default::default()
        };
        let actor = crate::domain::roles::Actor {
            name: "ali".into(),
            role: crate::domain::roles::Role::Operator,
        };
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let c = crate::domain::intake::register(
            &input,
            &Catalog::builtin(),
            &crate::domain::intake::Rules::default(),
            &actor,
            now,
        )
        .unwrap()
        .case()
        .clone();
        let t = "Maryam Ahmadi here, call 0912-123-4567 or mail m.a@example.org. Ahmadi Street? Maryamabad stays";
        assert_eq!(
            redact(t, &c),
            "[name] here, call [phone] or mail [email] [name] Street? Maryamabad stays"
        );
        assert_eq!(
            redact("case 419239437 at 12 Main St", &c),
            "case 419239437 at 12 Main St"
        );
    }
}
