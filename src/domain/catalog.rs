//! The service catalog: districts, executing departments and services with
//! their default department and deadline. Parsed and checked here, pure; the
//! embedded default is `assets/catalog.toml`.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::case::Category;
use super::code_enum;

/// The catalog that ships with citydesk.
pub const DEFAULT_TOML: &str = include_str!("../../assets/catalog.toml");

/// `department = "@district"`: the office of the case's district answers.
pub const DISTRICT_OFFICE: &str = "@district";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct District {
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
    /// The department code of this district's office.
    pub office: String,
    #[serde(default)]
    pub neighborhoods: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Department {
    pub code: String,
    pub name_fa: String,
    pub name_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub code: String,
    pub category: Category,
    pub name_fa: String,
    pub name_en: String,
    /// A department code, or `@district`.
    pub department: String,
    pub deadline_hours: u32,
    /// Other words people use for it, in Persian and English (زباله, آشغال…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Created by an import for a request type of an old system.
    #[serde(default, skip_serializing_if = "is_false")]
    pub imported: bool,
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub active: bool,
    /// The extra questions an Open311 client asks (its service definition).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<Attribute>,
}

/// The attribute every service accepts without declaring it: the district.
pub const DISTRICT_ATTRIBUTE: &str = "district";

code_enum! {
    /// What kind of answer an attribute takes (GeoReport v2 datatypes).
    Datatype {
        String = "string",
        Number = "number",
        Datetime = "datetime",
        Text = "text",
        SingleValueList = "singlevaluelist",
        MultiValueList = "multivaluelist",
    }
}

impl Datatype {
    /// Whether the answer is chosen from listed values.
    pub fn is_list(self) -> bool {
        matches!(self, Datatype::SingleValueList | Datatype::MultiValueList)
    }
}

/// One extra question of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    pub code: String,
    pub datatype: Datatype,
    #[serde(default)]
    pub required: bool,
    pub description_fa: String,
    pub description_en: String,
    /// The values offered, for the list datatypes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<AttributeValue>,
}

/// A value a list attribute offers: its key (what a client sends) and names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeValue {
    pub key: String,
    pub name_fa: String,
    pub name_en: String,
}

impl Service {
    /// The attribute with `code`, if the service declares it.
    pub fn attribute(&self, code: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.code == code)
    }
}

/// Checks a service's attributes.
fn check_attributes(s: &Service) -> Result<(), CatalogProblem> {
    let at = |a: &Attribute| (s.code.clone(), a.code.clone());
    let mut seen: Vec<&str> = Vec::new();
    for a in &s.attributes {
        let ok = !a.code.is_empty()
            && a.code.len() <= 40
            && a.code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-'));
        let (service, attribute) = at(a);
        if !ok {
            return Err(CatalogProblem::AttributeCode { service, attribute });
        }
        if a.code == DISTRICT_ATTRIBUTE {
            return Err(CatalogProblem::AttributeBuiltIn { service, attribute });
        }
        if seen.contains(&a.code.as_str()) {
            return Err(CatalogProblem::AttributeTwice { service, attribute });
        }
        seen.push(&a.code);
        let datatype = a.datatype.to_string();
        if a.datatype.is_list() && a.values.is_empty() {
            return Err(CatalogProblem::AttributeNeedsValues {
                service,
                attribute,
                datatype,
            });
        }
        if !a.datatype.is_list() && !a.values.is_empty() {
            return Err(CatalogProblem::AttributeTakesNoValues {
                service,
                attribute,
                datatype,
            });
        }
        let mut keys: Vec<&str> = a.values.iter().map(|v| v.key.as_str()).collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        if keys.len() != before || keys.iter().any(|k| k.trim().is_empty()) {
            return Err(CatalogProblem::AttributeValueKey { service, attribute });
        }
    }
    Ok(())
}

fn yes() -> bool {
    true
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_true(b: &bool) -> bool {
    *b
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    districts: Vec<District>,
    departments: Vec<Department>,
    services: Vec<Service>,
}

/// A checked catalog with lookups by code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Catalog {
    pub districts: Vec<District>,
    pub departments: Vec<Department>,
    pub services: Vec<Service>,
    by_service: HashMap<String, usize>,
    by_department: HashMap<String, usize>,
    by_district: HashMap<String, usize>,
}

/// A catalog that cannot be used (words, with what to fix: `present`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogError {
    /// The file it was read from, when it was.
    pub origin: Option<String>,
    #[serde(flatten)]
    pub problem: CatalogProblem,
}

impl std::error::Error for CatalogError {}

/// What is wrong with a catalog. `what`: district, department or service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
pub enum CatalogProblem {
    /// Not TOML of a catalog's shape: the TOML reader's own words.
    Toml {
        message: String,
    },
    BadCode {
        what: &'static str,
        code: String,
    },
    Twice {
        what: &'static str,
        code: String,
    },
    /// A district whose office is not a department.
    NoOffice {
        district: String,
        office: String,
    },
    /// A service whose department is not in the catalog.
    NoDepartment {
        service: String,
        department: String,
    },
    /// A deadline outside 1..=8760 hours.
    Deadline {
        service: String,
        hours: u32,
    },
    /// No district, department or service at all.
    Empty,
    AttributeCode {
        service: String,
        attribute: String,
    },
    /// The district attribute, which every service takes already.
    AttributeBuiltIn {
        service: String,
        attribute: String,
    },
    AttributeTwice {
        service: String,
        attribute: String,
    },
    AttributeNeedsValues {
        service: String,
        attribute: String,
        datatype: String,
    },
    AttributeTakesNoValues {
        service: String,
        attribute: String,
        datatype: String,
    },
    /// An empty or repeated value key.
    AttributeValueKey {
        service: String,
        attribute: String,
    },
}

impl Catalog {
    /// The embedded default catalog.
    pub fn builtin() -> Catalog {
        Catalog::parse(DEFAULT_TOML).expect("the embedded catalog is valid (tested)")
    }

    /// Parses and checks catalog TOML.
    pub fn parse(toml_text: &str) -> Result<Catalog, CatalogError> {
        let file: File = toml::from_str(toml_text).map_err(|e| CatalogError {
            origin: None,
            problem: CatalogProblem::Toml {
                message: e.to_string().trim_end().to_owned(),
            },
        })?;
        Catalog::new(file.districts, file.departments, file.services)
    }

    /// Builds a catalog from its parts, checking that every reference resolves.
    pub fn new(
        districts: Vec<District>,
        departments: Vec<Department>,
        services: Vec<Service>,
    ) -> Result<Catalog, CatalogError> {
        let err = |problem: CatalogProblem| CatalogError {
            origin: None,
            problem,
        };
        let by_department = index(&departments, |d| &d.code, "department").map_err(err)?;
        let by_district = index(&districts, |d| &d.code, "district").map_err(err)?;
        let by_service = index(&services, |s| &s.code, "service").map_err(err)?;
        for d in &districts {
            if !by_department.contains_key(&d.office) {
                return Err(err(CatalogProblem::NoOffice {
                    district: d.code.clone(),
                    office: d.office.clone(),
                }));
            }
        }
        for s in &services {
            if s.department != DISTRICT_OFFICE && !by_department.contains_key(&s.department) {
                return Err(err(CatalogProblem::NoDepartment {
                    service: s.code.clone(),
                    department: s.department.clone(),
                }));
            }
            check_attributes(s).map_err(err)?;
            // An imported service may have none (0): its old system set none.
            if (s.deadline_hours == 0 && !s.imported) || s.deadline_hours > 24 * 365 {
                return Err(err(CatalogProblem::Deadline {
                    service: s.code.clone(),
                    hours: s.deadline_hours,
                }));
            }
        }
        if districts.is_empty() || departments.is_empty() || services.is_empty() {
            return Err(err(CatalogProblem::Empty));
        }
        Ok(Catalog {
            districts,
            departments,
            services,
            by_service,
            by_department,
            by_district,
        })
    }

    pub fn service(&self, code: &str) -> Option<&Service> {
        self.by_service.get(code.trim()).map(|&i| &self.services[i])
    }

    pub fn department(&self, code: &str) -> Option<&Department> {
        self.by_department
            .get(code.trim())
            .map(|&i| &self.departments[i])
    }

    /// A department's English name, or the code itself if it is unknown
    /// (a department dropped from the catalog, named by an old case).
    pub fn department_name<'a>(&'a self, code: &'a str) -> &'a str {
        self.department(code).map_or(code, |d| d.name_en.as_str())
    }

    /// A district by code; also accepts the district's names as typed.
    pub fn district(&self, code_or_name: &str) -> Option<&District> {
        let t = code_or_name.trim();
        let key = crate::text::search_key(t);
        self.by_district
            .get(&crate::text::ascii_digits(t))
            .map(|&i| &self.districts[i])
            .or_else(|| {
                self.districts.iter().find(|d| {
                    crate::text::search_key(&d.name_fa) == key
                        || crate::text::search_key(&d.name_en) == key
                })
            })
    }

    /// The active services matching what was typed, best first: every word
    /// typed must appear in the service's code, names, category or
    /// keywords; an exact code or name comes first, then names that start
    /// with what was typed and exact keywords, then names or keywords with a
    /// word that does, then the rest; ties keep the catalog's order.
    pub fn find_services(&self, typed: &str) -> Vec<&Service> {
        let key = crate::text::search_key(typed);
        let words: Vec<&str> = key.split(' ').filter(|w| !w.is_empty()).collect();
        let mut found: Vec<(u8, usize, &Service)> = self
            .services
            .iter()
            .enumerate()
            .filter(|(_, s)| s.active)
            .filter_map(|(i, s)| {
                let names = [
                    crate::text::search_key(&s.name_en),
                    crate::text::search_key(&s.name_fa),
                ];
                let hay = crate::text::search_key(&format!(
                    "{} {} {} {} {}",
                    s.code,
                    names[0],
                    names[1],
                    s.category.as_str().replace('-', " "),
                    s.keywords.join(" ")
                ));
                if !words.iter().all(|w| hay.contains(w)) {
                    return None;
                }
                let keywords: Vec<String> = s
                    .keywords
                    .iter()
                    .map(|k| crate::text::search_key(k))
                    .collect();
                let rank = if key.is_empty() {
                    3
                } else if s.code == key || names.contains(&key) {
                    0
                } else if names.iter().any(|n| n.starts_with(&key))
                    || s.code.starts_with(&key)
                    || keywords.contains(&key)
                {
                    1
                } else if names
                    .iter()
                    .chain(&keywords)
                    .any(|n| n.split(' ').any(|w| w.starts_with(words[0])))
                {
                    2
                } else {
                    3
                };
                Some((rank, i, s))
            })
            .collect();
        found.sort_by_key(|(rank, i, _)| (*rank, *i));
        found.into_iter().map(|(_, _, s)| s).collect()
    }

    /// The one service `typed` names: its code, or the best match when it
    /// is the only match or an exact name.
    pub fn service_of(&self, typed: &str) -> Option<&Service> {
        if let Some(s) = self.service(typed).filter(|s| s.active) {
            return Some(s);
        }
        let found = self.find_services(typed);
        let key = crate::text::search_key(typed);
        match found.as_slice() {
            [one] => Some(one),
            [first, ..]
                if crate::text::search_key(&first.name_en) == key
                    || crate::text::search_key(&first.name_fa) == key =>
            {
                Some(first)
            }
            _ => None,
        }
    }

    /// The districts matching what was typed: its number (any digit
    /// script) or words of its names; an exact number or name alone.
    pub fn find_districts(&self, typed: &str) -> Vec<&District> {
        if let Some(d) = self.district(typed) {
            return vec![d];
        }
        let key = crate::text::search_key(typed);
        self.districts
            .iter()
            .filter(|d| {
                let hay =
                    crate::text::search_key(&format!("{} {} {}", d.code, d.name_en, d.name_fa));
                key.split(' ').all(|w| hay.contains(w))
            })
            .collect()
    }

    /// The district a neighborhood belongs to, when exactly one lists it.
    pub fn district_of_neighborhood(&self, neighborhood: &str) -> Option<&District> {
        let key = crate::text::search_key(neighborhood);
        if key.is_empty() {
            return None;
        }
        let mut found = self.districts.iter().filter(|d| {
            d.neighborhoods
                .iter()
                .any(|n| crate::text::search_key(n) == key)
        });
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }

    /// The department that answers for `service` in `district`.
    pub fn default_department(&self, service: &Service, district: &District) -> String {
        if service.department == DISTRICT_OFFICE {
            district.office.clone()
        } else {
            service.department.clone()
        }
    }
}

fn index<T>(
    items: &[T],
    code: impl Fn(&T) -> &String,
    what: &'static str,
) -> Result<HashMap<String, usize>, CatalogProblem> {
    let mut map = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let c = code(item);
        if c.trim().is_empty() || c.trim() != c || c.starts_with('@') {
            return Err(CatalogProblem::BadCode {
                what,
                code: c.clone(),
            });
        }
        if map.insert(c.clone(), i).is_some() {
            return Err(CatalogProblem::Twice {
                what,
                code: c.clone(),
            });
        }
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_covers_the_seven_areas() {
        let c = Catalog::builtin();
        assert!(
            (60..=150).contains(&c.services.len()),
            "{}",
            c.services.len()
        );
        for cat in Category::ALL {
            assert!(
                c.services.iter().filter(|s| s.category == *cat).count() >= 5,
                "{cat} has too few services"
            );
        }
        assert_eq!(c.service("pothole").unwrap().deadline_hours, 72);
        assert_eq!(c.service("graffiti").unwrap().deadline_hours, 48);
        assert_eq!(c.service("trash-missed").unwrap().deadline_hours, 24);
        let size = c.service("tree-fallen").unwrap().attribute("size").unwrap();
        assert!(size.required && size.datatype == Datatype::SingleValueList);
        assert_eq!(size.values.len(), 3);
        assert!(
            c.service("water-leak")
                .unwrap()
                .attribute("severity")
                .is_some()
        );
        let d3 = c.district("۳").unwrap();
        assert_eq!(
            c.default_department(c.service("pothole").unwrap(), d3),
            "d3"
        );
        assert_eq!(c.district("District 3").unwrap().code, "3");
        // Exact and prefix matches first: "tree" shows the tree services first.
        let found: Vec<&str> = c
            .find_services("tree")
            .iter()
            .map(|s| s.code.as_str())
            .collect();
        assert!(found.len() >= 4, "{found:?}");
        assert!(
            found[..4].iter().all(|s| s.starts_with("tree")),
            "{found:?}"
        );
        assert_eq!(c.service_of("pothole").unwrap().code, "pothole");
        assert_eq!(c.service_of("Pothole").unwrap().code, "pothole");
        assert!(
            c.service_of("tree").is_none(),
            "several match: the picker asks"
        );
        for s in &c.services {
            assert!(!s.name_fa.is_empty() && !s.name_en.is_empty(), "{}", s.code);
        }
    }

    #[test]
    fn bad_catalogs_say_what_to_fix() {
        let base = r#"
[[districts]]
code = "1"
name_fa = "a"
name_en = "a"
office = "d1"
[[departments]]
code = "d1"
name_fa = "a"
name_en = "a"
"#;
        let bad_dept = format!(
            "{base}[[services]]\ncode = \"x\"\ncategory = \"urban-services\"\nname_fa = \"a\"\nname_en = \"a\"\ndepartment = \"nope\"\ndeadline_hours = 5\n"
        );
        let e = Catalog::parse(&bad_dept).unwrap_err();
        assert!(e.to_string().contains("department \"nope\""), "{e}");
        let bad_cat = bad_dept.replace("urban-services", "space");
        let e = Catalog::parse(&bad_cat).unwrap_err();
        assert!(e.to_string().contains("unknown category \"space\""), "{e}");
        assert!(e.to_string().contains("line"), "{e}");
        let zero = bad_dept.replace("\"nope\"", "\"d1\"").replace("= 5", "= 0");
        let e = Catalog::parse(&zero).unwrap_err();
        assert!(e.to_string().contains("deadline_hours = 0"), "{e}");
    }
}
