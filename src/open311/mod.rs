//! Open311 GeoReport v2: citydesk as a city's request system for web portals
//! and mobile apps. The rule of this module: what leaves it through a public
//! answer never carries a citizen's name, phone number or e-mail address.
//!
//! - `record`: a case as a GeoReport service request (and the note block a
//!   case description keeps for what has no column: attribute answers,
//!   coordinates, a photo link), with the privacy rules applied.
//! - `wire`: JSON and XML in and out, in the spec's shapes (and its error
//!   format), tolerant of what real endpoints send.
//! - `post`: a form-encoded `POST /requests` checked into a `CaseInput`.
//! - `transfer`: `citydesk import open311` and `export open311`.
//! - `limit`: the per-key rate limit.
//! - `server`: `citydesk serve`, on axum.

pub mod limit;
pub mod post;
pub mod record;
pub mod server;
pub mod transfer;
pub mod wire;

/// The two formats GeoReport v2 serves, chosen by the path's suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

impl Format {
    /// `services.json` → (`services`, Json); None without a known suffix.
    pub fn split(file: &str) -> Option<(&str, Format)> {
        if let Some(stem) = file.strip_suffix(".json") {
            Some((stem, Format::Json))
        } else {
            file.strip_suffix(".xml").map(|stem| (stem, Format::Xml))
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json; charset=utf-8",
            Format::Xml => "text/xml; charset=utf-8",
        }
    }
}
