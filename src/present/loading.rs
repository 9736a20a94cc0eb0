//! Words for files being loaded — a catalog, a mapping, an old system's CSV
//! export and its rows: what is wrong, where, and what to fix, in the
//! locale chosen.

use super::{Say, Words};

impl Say for crate::import::Refused {
    fn say(&self, w: &Words) -> String {
        let problem = self.problem.say(w);
        let line = w.n(self.line);
        match &self.column {
            Some(c) => w.fill(
                "import-row.at-column",
                &[("line", &line), ("column", c), ("problem", &problem)],
            ),
            None => w.fill(
                "import-row.at-line",
                &[("line", &line), ("problem", &problem)],
            ),
        }
    }
}

impl Say for crate::import::Problem {
    fn say(&self, w: &Words) -> String {
        use crate::import::Problem;
        let q = |s: &str| format!("{s:?}");
        match self {
            Problem::NotUtf8 => w.t("import-row.not-utf8").to_owned(),
            Problem::Nul => w.t("import-row.nul").to_owned(),
            Problem::FieldCount { found, expected } => w.fill(
                "import-row.field-count",
                &[("found", &w.n(found)), ("expected", &w.n(expected))],
            ),
            Problem::Empty { field } => {
                let own = format!("import-row.empty-{field}");
                if w.locale().has(&own) {
                    w.t(&own).to_owned()
                } else {
                    w.fill("import-row.empty", &[("field", field)])
                }
            }
            Problem::BadTime { value, formats } => {
                let forms: Vec<String> = formats
                    .iter()
                    .map(|f| match crate::import::mapping::example(f) {
                        Some(e) => {
                            w.fill("import-row.time-example", &[("format", f), ("example", &e)])
                        }
                        None => f.clone(),
                    })
                    .collect();
                w.fill(
                    "import-row.bad-time",
                    &[
                        ("value", &q(value)),
                        ("formats", &forms.join(w.t("import-row.or"))),
                    ],
                )
            }
            Problem::UnknownValue {
                field,
                value,
                listed,
            } => {
                let listed = if listed.is_empty() {
                    w.t("import-row.none").to_owned()
                } else {
                    listed
                        .iter()
                        .map(|v| q(v))
                        .collect::<Vec<_>>()
                        .join(w.t("cli.list-sep"))
                };
                w.fill(
                    "import-row.unknown-value",
                    &[("field", field), ("value", &q(value)), ("listed", &listed)],
                )
            }
            Problem::ClosedBeforeReceived {
                closed,
                received,
                tolerance_hours,
            } => {
                let at = [("closed", closed.as_str()), ("received", received.as_str())];
                if *tolerance_hours > 0 {
                    let hours = w.n(tolerance_hours);
                    let mut args = at.to_vec();
                    args.push(("hours", &hours));
                    w.fill("import-row.closed-before-received-by", &args)
                } else {
                    w.fill("import-row.closed-before-received", &at)
                }
            }
            Problem::DueBeforeReceived { due, received } => w.fill(
                "import-row.due-before-received",
                &[("due", due), ("received", received)],
            ),
            Problem::ClosedWithoutTime { status } => {
                w.fill("import-row.closed-without-time", &[("status", &q(status))])
            }
            Problem::DuplicateId { id, first_line } => w.fill(
                "import-row.duplicate-id",
                &[("id", &q(id)), ("first", &w.n(first_line))],
            ),
        }
    }
}

impl Say for crate::domain::catalog::CatalogError {
    fn say(&self, w: &Words) -> String {
        use crate::domain::catalog::CatalogProblem as P;
        let q = |s: &str| format!("{s:?}");
        let what = |what: &str| w.t(&format!("word.catalog.{what}")).to_owned();
        let (key, args): (&str, Vec<(&str, String)>) = match &self.problem {
            P::Toml { message } => ("toml", vec![("message", message.clone())]),
            P::BadCode { what: kind, code } => {
                ("bad-code", vec![("what", what(kind)), ("code", q(code))])
            }
            P::Twice { what: kind, code } => {
                ("twice", vec![("what", what(kind)), ("code", q(code))])
            }
            P::NoOffice { district, office } => (
                "no-office",
                vec![("district", q(district)), ("office", q(office))],
            ),
            P::NoDepartment {
                service,
                department,
            } => (
                "no-department",
                vec![("service", q(service)), ("department", q(department))],
            ),
            P::Deadline { service, hours } => (
                "deadline",
                vec![("service", q(service)), ("hours", w.n(hours))],
            ),
            P::Empty => ("empty", vec![]),
            P::AttributeCode { service, attribute } => (
                "attribute-code",
                vec![("service", q(service)), ("attribute", q(attribute))],
            ),
            P::AttributeBuiltIn { service, attribute } => (
                "attribute-built-in",
                vec![("service", q(service)), ("attribute", q(attribute))],
            ),
            P::AttributeTwice { service, attribute } => (
                "attribute-twice",
                vec![("service", q(service)), ("attribute", q(attribute))],
            ),
            P::AttributeNeedsValues {
                service,
                attribute,
                datatype,
            } => (
                "attribute-needs-values",
                vec![
                    ("service", q(service)),
                    ("attribute", q(attribute)),
                    ("datatype", datatype.clone()),
                ],
            ),
            P::AttributeTakesNoValues {
                service,
                attribute,
                datatype,
            } => (
                "attribute-takes-no-values",
                vec![
                    ("service", q(service)),
                    ("attribute", q(attribute)),
                    ("datatype", datatype.clone()),
                ],
            ),
            P::AttributeValueKey { service, attribute } => (
                "attribute-value-key",
                vec![("service", q(service)), ("attribute", q(attribute))],
            ),
        };
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let problem = w.fill(&format!("catalog-error.{key}"), &args);
        match &self.origin {
            Some(file) => w.fill(
                "catalog-error.lead-file",
                &[("file", file), ("problem", &problem)],
            ),
            None => w.fill("catalog-error.lead", &[("problem", &problem)]),
        }
    }
}

impl Say for crate::import::mapping::MappingError {
    fn say(&self, w: &Words) -> String {
        use crate::import::mapping::{MappingProblem as P, StatusWhy};
        let q = |s: &str| format!("{s:?}");
        let codes = |c: &[String]| c.join(w.t("cli.list-sep"));
        let (key, args): (&str, Vec<(&str, String)>) = match &self.problem {
            P::Toml { message } => ("toml", vec![("message", message.clone())]),
            P::Source { value } => ("source", vec![("value", q(value))]),
            P::TimeZone { value } => ("time-zone", vec![("value", q(value))]),
            P::NoDateFormat { table } => ("no-date-format", vec![("table", table.clone())]),
            P::DateFormat { table, format } => (
                "date-format",
                vec![("table", table.clone()), ("format", q(format))],
            ),
            P::CitizenName { value, max } => {
                ("citizen-name", vec![("value", q(value)), ("max", w.n(max))])
            }
            P::FinishedWithoutClosed => ("finished-without-closed", vec![]),
            P::Category {
                table,
                code,
                accepted,
            } => (
                "category",
                vec![
                    ("table", table.clone()),
                    ("code", q(code)),
                    ("accepted", codes(accepted)),
                ],
            ),
            P::NoTextColumn { table } => ("no-text-column", vec![("table", table.clone())]),
            P::Status { old, target, why } => {
                let why = match why {
                    StatusWhy::NotAKey { key } => {
                        w.fill("mapping-error.why.not-a-key", &[("key", &q(key))])
                    }
                    StatusWhy::NoStatus => w.t("mapping-error.why.no-status").to_owned(),
                    StatusWhy::NotText => w.t("mapping-error.why.not-text").to_owned(),
                    StatusWhy::OpenWithOutcome => {
                        w.t("mapping-error.why.open-with-outcome").to_owned()
                    }
                    StatusWhy::OutcomeMismatch { outcome } => w.fill(
                        "mapping-error.why.outcome-mismatch",
                        &[("outcome", outcome)],
                    ),
                    StatusWhy::Unknown { status } => {
                        w.fill("mapping-error.why.unknown", &[("status", &q(status))])
                    }
                };
                (
                    "status",
                    vec![("old", q(old)), ("target", target.clone()), ("why", why)],
                )
            }
            P::Outcome {
                old,
                outcome,
                accepted,
            } => (
                "outcome",
                vec![
                    ("old", q(old)),
                    ("outcome", q(outcome)),
                    ("accepted", codes(accepted)),
                ],
            ),
            P::Twice { table, old } => ("twice", vec![("table", table.clone()), ("old", q(old))]),
            P::NoStatusValues => ("no-status-values", vec![]),
            P::Channel {
                old,
                code,
                accepted,
            } => {
                let mut args = vec![("code", q(code)), ("accepted", codes(accepted))];
                match old {
                    Some(old) => {
                        args.push(("old", q(old)));
                        ("channel", args)
                    }
                    None => ("channel-default", args),
                }
            }
            P::NoChannel => ("no-channel", vec![]),
            P::NoColumn { table } => ("no-column", vec![("table", table.clone())]),
            P::NotInCatalog { table, code } => (
                "not-in-catalog",
                vec![
                    ("table", table.clone()),
                    ("code", q(code)),
                    ("a", w.t(&format!("word.catalog-a.{table}")).to_owned()),
                    ("list", format!("{table}s")),
                ],
            ),
        };
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let problem = w.fill(&format!("mapping-error.{key}"), &args);
        w.fill(
            "mapping-error.lead",
            &[
                (
                    "mapping",
                    &self
                        .origin
                        .replace(" (shipped)", w.t("cli.import-csv.shipped")),
                ),
                ("problem", &problem),
            ],
        )
    }
}

/// Why a CSV import did nothing. A mapping file's error keeps the mapping
/// reader's words (English), as a TOML reader's does.
impl Say for crate::import::ImportError {
    fn say(&self, w: &Words) -> String {
        use crate::import::ImportError;
        match self {
            ImportError::Read { file, why } => {
                w.fill("cli.import-csv.read", &[("file", file), ("why", why)])
            }
            ImportError::MissingColumns {
                file,
                origin,
                missing,
                header,
            } => w.fill(
                "cli.import-csv.missing-columns",
                &[
                    ("file", file),
                    (
                        "mapping",
                        &origin.replace(" (shipped)", w.t("cli.import-csv.shipped")),
                    ),
                    (
                        "missing",
                        &missing
                            .iter()
                            .map(|(table, col)| {
                                w.fill(
                                    "cli.import-csv.named-in",
                                    &[("column", &format!("{col:?}")), ("table", table)],
                                )
                            })
                            .collect::<Vec<_>>()
                            .join(w.t("cli.list-sep")),
                    ),
                    (
                        "columns",
                        &header
                            .iter()
                            .map(|h| format!("{h:?}"))
                            .collect::<Vec<_>>()
                            .join(w.t("cli.list-sep")),
                    ),
                ],
            ),
            ImportError::Refused {
                file,
                rows,
                refused,
                listed,
                refused_file,
            } => {
                let mut text = w.fill(
                    "cli.import-csv.refused",
                    &[
                        ("refused", &w.n(refused)),
                        ("rows", &w.n(rows)),
                        ("file", file),
                    ],
                );
                for r in listed {
                    text.push_str("\n  ");
                    text.push_str(&r.say(w));
                }
                if *refused > listed.len() as u64 {
                    text.push_str("\n  ");
                    text.push_str(&w.fill(
                        "cli.import-csv.more",
                        &[("n", &w.n(refused - listed.len() as u64))],
                    ));
                }
                text.push('\n');
                text.push_str(&w.fill(
                    "cli.import-csv.fix",
                    &[("good", &w.n(rows - refused)), ("file", refused_file)],
                ));
                text
            }
            ImportError::WriteRefused { path, why } => w.fill(
                "cli.import-csv.write-refused",
                &[("path", path), ("why", why)],
            ),
            ImportError::Mapping(e) => e.say(w),
            ImportError::Store(e) => e.say(w),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::shift::Center;
    use crate::import::mapping::{MappingError, MappingProblem};
    use crate::locale::Lang;

    #[test]
    fn a_code_not_in_the_catalog_is_named_with_its_article() {
        let e = MappingError {
            origin: "ours.toml".into(),
            problem: MappingProblem::NotInCatalog {
                table: "district".into(),
                code: "99".into(),
            },
        };
        assert_eq!(
            e.to_string(),
            "mapping ours.toml: [district] values name \"99\", which is not a district of the \
             store's catalog: see `citydesk catalog districts`, or leave the value out to import \
             it as a district of its own"
        );
        let fa = e.say(&Words::of(Lang::Fa, Center::default()));
        assert!(fa.contains("که منطقه‌ای از فهرست"), "{fa}");
        assert!(fa.contains("همچون منطقه‌ای تازه"), "{fa}");
    }
}
