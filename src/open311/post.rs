//! A GeoReport `POST /requests` (form fields) checked into the case it files,
//! pure. The rule: every refusal names the field, says what was wrong and
//! what to send, and comes before anything is registered.
//!
//! - The service must be an active service of the catalog, and its
//!   attributes are checked against its definition: required ones present,
//!   list answers among the listed keys, numbers and times well-formed. The
//!   answers are kept on the case as note lines (`size: large`).
//! - A location is required: `lat` and `long`, `address_string` or
//!   `address_id`.
//! - The district: a `district` attribute (code or name) if given; else the
//!   first part of the address that names a neighborhood of exactly one
//!   district, or a district; else the configured default.
//! - The name is "first last", or "(web)" / "(app)"; without a phone the
//!   case gets a placeholder number that passes the checks, and a note says
//!   so; an e-mail address goes to the first contact's comment, never to
//!   the description (which GET shows).
//! - A client's own `request_id` (or, without one, the submission's content
//!   on that day) makes the case's request id, so a retried POST registers
//!   once.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::record::{join_description, one_line};
use crate::domain::case::{Channel, Kind, Priority};
use crate::domain::catalog::{Catalog, DISTRICT_ATTRIBUTE, Datatype, District, Service};
use crate::domain::intake::{CaseInput, MAX_ADDRESS, MAX_DESCRIPTION, MAX_NAME};
use crate::store::Client;
use crate::text::phone_key;

/// The phone number a case filed without one gets (it passes the checks;
/// the case's note says it is a placeholder).
pub const NO_PHONE: &str = "1111111";

/// What a POST files: the case, and the note for its first contact.
#[derive(Debug, Clone, PartialEq)]
pub struct Filed {
    pub input: CaseInput,
    pub contact_note: Option<String>,
}

/// A refusal: the HTTP status and the words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub status: u16,
    pub description: String,
}

fn bad(description: impl Into<String>) -> Refused {
    Refused {
        status: 400,
        description: description.into(),
    }
}

/// The form's fields: the last value of each plain field, and the
/// attributes (`attribute[code]`, `attribute[code][]`) with all their values.
#[derive(Debug, Default)]
pub struct Form {
    fields: BTreeMap<String, String>,
    attributes: BTreeMap<String, Vec<String>>,
}

impl Form {
    pub fn new(pairs: &[(String, String)]) -> Form {
        let mut form = Form::default();
        for (k, v) in pairs {
            if let Some(rest) = k.strip_prefix("attribute[") {
                let code = rest.trim_end_matches("[]").trim_end_matches(']');
                form.attributes
                    .entry(code.to_owned())
                    .or_default()
                    .push(v.clone());
            } else {
                form.fields.insert(k.clone(), v.clone());
            }
        }
        form
    }

    /// A plain field, trimmed; None when absent or blank.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The fields and attributes in a stable order (for the content id).
    fn canonical(&self) -> String {
        let mut s = String::new();
        for (k, v) in &self.fields {
            if k != "api_key" {
                let _ = writeln!(s, "{k}={v}");
            }
        }
        for (k, vs) in &self.attributes {
            let _ = writeln!(s, "attribute[{k}]={}", vs.join(","));
        }
        s
    }
}

/// Checks a POST from `client` and builds what it files.
pub fn check(
    form: &Form,
    catalog: &Catalog,
    client: &Client,
    default_district: &District,
    now: DateTime<Utc>,
) -> Result<Filed, Refused> {
    let code = form.get("service_code").ok_or_else(|| {
        bad("service_code is required: give the code of a service from GET /services.json")
    })?;
    let service = catalog
        .service(code)
        .filter(|s| s.active && !s.imported)
        .ok_or_else(|| Refused {
            status: 404,
            description: format!(
                "service_code {code:?} is not a service of this city: see GET /services.json"
            ),
        })?;
    let lat = form.get("lat");
    let long = form.get("long");
    let address_string = form.get("address_string");
    let address_id = form.get("address_id");
    if lat.is_some() != long.is_some() {
        return Err(bad(
            "lat and long go together: give both, or address_string, or address_id",
        ));
    }
    if lat.is_none() && address_string.is_none() && address_id.is_none() {
        return Err(bad(
            "a location is required: give lat and long, address_string, or address_id",
        ));
    }
    let mut notes: Vec<(String, String)> = Vec::new();
    if let (Some(lat), Some(long)) = (lat, long) {
        let ok = |s: &str, max: f64| {
            s.parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && v.abs() <= max)
        };
        if ok(lat, 90.0).is_none() || ok(long, 180.0).is_none() {
            return Err(bad(format!(
                "lat {lat:?} and long {long:?} are not a position: give decimal degrees, lat from -90 to 90 and long from -180 to 180"
            )));
        }
        notes.push(("lat".into(), lat.to_owned()));
        notes.push(("long".into(), long.to_owned()));
    }
    if let Some(id) = address_id {
        notes.push(("address_id".into(), one_line(id)));
    }
    let address = match (address_string, address_id, lat.zip(long)) {
        (Some(a), _, _) => a.to_owned(),
        (None, Some(id), _) => format!("(address id {})", one_line(id)),
        (None, None, Some((lat, long))) => format!("{lat}, {long}"),
        (None, None, None) => unreachable!("a location was required above"),
    };
    if address.chars().count() > MAX_ADDRESS {
        return Err(bad(format!(
            "address_string has {} characters: at most {MAX_ADDRESS} fit",
            address.chars().count()
        )));
    }

    let answers = attributes(form, service)?;
    let (district, neighborhood) = match form.attributes.get(DISTRICT_ATTRIBUTE) {
        Some(values) => {
            let given = values.last().map_or("", |v| v.trim());
            let d = catalog.district(given).ok_or_else(|| {
                bad(format!(
                    "attribute[district] {given:?} is not a district: give one of {}",
                    catalog
                        .districts
                        .iter()
                        .map(|d| d.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            (d, String::new())
        }
        None => district_of_address(catalog, &address)
            .unwrap_or_else(|| (default_district, String::new())),
    };

    let name = [form.get("first_name"), form.get("last_name")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let name = if name.is_empty() {
        format!("({})", client.channel.as_str())
    } else {
        name
    };
    if name.chars().count() > MAX_NAME {
        return Err(bad(format!(
            "first_name and last_name have {} characters together: at most {MAX_NAME} fit",
            name.chars().count()
        )));
    }
    let phone = if let Some(p) = form.get("phone") {
        phone_key(p).map_err(|e| {
            bad(format!(
                "phone {p:?} is not a phone number ({e}): give 7 to 15 digits, or leave it out"
            ))
        })?;
        p.to_owned()
    } else {
        notes.push((
            "phone".into(),
            format!("none given ({NO_PHONE} is a placeholder)"),
        ));
        NO_PHONE.to_owned()
    };
    let contact_note = match form.get("email") {
        Some(e) => {
            let ok = e.len() <= 254
                && !e.contains(char::is_whitespace)
                && e.split_once('@')
                    .is_some_and(|(u, h)| !u.is_empty() && h.contains('.') && !h.ends_with('.'));
            if !ok {
                return Err(bad(format!(
                    "email {e:?} is not an e-mail address: give one like name@example.org, or leave it out"
                )));
            }
            Some(format!("e-mail: {e}"))
        }
        None => None,
    };
    if let Some(url) = form.get("media_url") {
        if !(url.starts_with("https://") || url.starts_with("http://"))
            || url.len() > 1000
            || url.contains(char::is_whitespace)
        {
            return Err(bad(format!(
                "media_url {url:?} is not a link: give an http:// or https:// URL of at most 1000 characters"
            )));
        }
        notes.push(("media_url".into(), url.to_owned()));
    }
    notes.extend(answers);
    notes.push(("client".into(), client.name.clone()));

    let text = form
        .get("description")
        .map_or_else(|| format!("({})", service.name_en), str::to_owned);
    let description = join_description(&text, &notes);
    if description.chars().count() > MAX_DESCRIPTION {
        let room =
            MAX_DESCRIPTION.saturating_sub(description.chars().count() - text.chars().count());
        return Err(bad(format!(
            "description has {} characters: at most {room} fit",
            text.chars().count()
        )));
    }

    let own = form.get("request_id");
    let request_id = if let Some(id) = own {
        format!("open311:{}:{}", client.name, one_line(id))
    } else {
        let digest = Sha256::digest(
            format!(
                "{}\n{}\n{}",
                client.name,
                now.format("%Y-%m-%d"),
                form.canonical()
            )
            .as_bytes(),
        );
        let hex = digest[..16].iter().fold(String::new(), |mut h, b| {
            let _ = write!(h, "{b:02x}");
            h
        });
        format!("open311:{}:content:{hex}", client.name)
    };
    Ok(Filed {
        input: CaseInput {
            phone,
            name,
            service: service.code.clone(),
            channel: Some(if client.channel == Channel::MobileApp {
                Channel::MobileApp
            } else {
                Channel::Web
            }),
            kind: Some(Kind::Request),
            district: district.code.clone(),
            neighborhood,
            address,
            description,
            priority: Some(Priority::Normal),
            received_at: None,
            request_id: Some(request_id),
            refer_to: Some(catalog.default_department(service, district)),
        },
        contact_note,
    })
}

/// The district an address names: the first comma-separated part that is a
/// neighborhood of exactly one district, or a district's name; with the
/// neighborhood, if it was one.
pub fn district_of_address<'a>(
    catalog: &'a Catalog,
    address: &str,
) -> Option<(&'a District, String)> {
    let parts: Vec<&str> = address
        .split([',', '،', '\n', '-', '–'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    for part in &parts {
        if let Some(d) = catalog.district_of_neighborhood(part) {
            return Some((d, (*part).to_owned()));
        }
    }
    for part in &parts {
        let digits_only = crate::text::ascii_digits(part)
            .chars()
            .all(|c| c.is_ascii_digit());
        if !digits_only && let Some(d) = catalog.district(part) {
            return Some((d, String::new()));
        }
    }
    None
}

/// The attribute answers as note lines, checked against the definition.
fn attributes(form: &Form, service: &Service) -> Result<Vec<(String, String)>, Refused> {
    for code in form.attributes.keys() {
        if code != DISTRICT_ATTRIBUTE && service.attribute(code).is_none() {
            let asked: Vec<&str> = service.attributes.iter().map(|a| a.code.as_str()).collect();
            return Err(bad(format!(
                "attribute[{code}] is not asked for service {}: {}",
                service.code,
                if asked.is_empty() {
                    "it asks none (besides district)".to_owned()
                } else {
                    format!(
                        "it asks {} (see GET /services/{}.json)",
                        asked.join(", "),
                        service.code
                    )
                }
            )));
        }
    }
    let mut out = Vec::new();
    for a in &service.attributes {
        let values: Vec<&str> = form
            .attributes
            .get(&a.code)
            .map(|v| {
                v.iter()
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let keys: Vec<&str> = a.values.iter().map(|v| v.key.as_str()).collect();
        if values.is_empty() {
            if a.required {
                return Err(bad(format!(
                    "attribute[{}] is required for service {}: {}",
                    a.code,
                    service.code,
                    if keys.is_empty() {
                        format!("give a {}", a.datatype)
                    } else {
                        format!("give one of {}", keys.join(", "))
                    }
                )));
            }
            continue;
        }
        match a.datatype {
            Datatype::SingleValueList | Datatype::MultiValueList => {
                if a.datatype == Datatype::SingleValueList && values.len() > 1 {
                    return Err(bad(format!(
                        "attribute[{}] takes one value, and {} were given: give one of {}",
                        a.code,
                        values.len(),
                        keys.join(", ")
                    )));
                }
                if let Some(v) = values.iter().find(|v| !keys.contains(v)) {
                    return Err(bad(format!(
                        "attribute[{}] {v:?} is not one of its values: give {}",
                        a.code,
                        keys.join(", ")
                    )));
                }
            }
            Datatype::Number => {
                if let Some(v) = values
                    .iter()
                    .find(|v| !v.parse::<f64>().is_ok_and(f64::is_finite))
                {
                    return Err(bad(format!(
                        "attribute[{}] {v:?} is not a number: give e.g. 3 or 2.5",
                        a.code
                    )));
                }
            }
            Datatype::Datetime => {
                if let Some(v) = values
                    .iter()
                    .find(|v| DateTime::parse_from_rfc3339(v).is_err())
                {
                    return Err(bad(format!(
                        "attribute[{}] {v:?} is not a time: give e.g. 2026-11-28T09:30:00+03:30",
                        a.code
                    )));
                }
            }
            Datatype::String | Datatype::Text => {
                if let Some(v) = values.iter().find(|v| v.chars().count() > 500) {
                    return Err(bad(format!(
                        "attribute[{}] has {} characters: at most 500 fit",
                        a.code,
                        v.chars().count()
                    )));
                }
            }
        }
        out.push((a.code.clone(), one_line(&values.join(", "))));
    }
    Ok(out)
}
