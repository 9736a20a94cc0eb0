//! The store's schema version, its creation and forward steps, the tracking-code key, and the
//! service catalog kept in the store (loaded, replaced, extended).

use super::{
    Catalog, Category, CodeKey, DateTime, Department, Dialect, District, Param, Result,
    SCHEMA_VERSION, Service, StoreError, Tx, Utc, case_count, corrupt, count, first, parsed,
    req_int, req_text, rows, small,
};

/// The schema version of the store, or None if it has no schema yet.
pub fn schema_version(tx: &mut dyn Tx) -> Result<Option<u32>> {
    let has_meta = match tx.dialect() {
        Dialect::Sqlite => count(
            tx,
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
            &[],
        )?,
        Dialect::Postgres => count(
            tx,
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'meta'",
            &[],
        )?,
    };
    if has_meta == 0 {
        return Ok(None);
    }
    let v = first(
        tx,
        "SELECT value FROM meta WHERE key = 'schema_version'",
        &[],
        |r| req_text(r, 0),
    )?;
    match v {
        None => Ok(None),
        // Versions start at 1: 0 or text is a damaged store, never migrated.
        Some(t) => match t.trim().parse::<u32>() {
            Ok(n) if n >= 1 => Ok(Some(n)),
            _ => Err(StoreError::BadVersion { found: t }),
        },
    }
}

/// Creates the newest schema in an empty store.
pub fn create_schema(tx: &mut dyn Tx, now: DateTime<Utc>) -> Result<()> {
    let dialect = match tx.dialect() {
        Dialect::Sqlite => "sqlite",
        Dialect::Postgres => "postgres",
    };
    tx.batch(&crate::store::schema_for(dialect))?;
    let key = crate::secret::random_u64().map_err(StoreError::Backend)?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('schema_version', ?1), ('created_at', ?2), ('code_key', ?3)",
        &[
            SCHEMA_VERSION.to_string().into(),
            now.to_rfc3339().into(),
            key.to_string().into(),
        ],
    )?;
    Ok(())
}

/// The store's tracking-code key (0 for a store made before keys existed).
pub fn code_key(tx: &mut dyn Tx) -> Result<CodeKey> {
    let v = first(
        tx,
        "SELECT value FROM meta WHERE key = 'code_key'",
        &[],
        |r| req_text(r, 0),
    )?;
    match v {
        None => Ok(CodeKey::LEGACY),
        Some(t) => t
            .parse::<u64>()
            .map(CodeKey)
            .map_err(|_| corrupt(0, "a tracking-code key that is not a number")),
    }
}

/// Gives an empty store `key` (a store being migrated takes its source's).
pub fn set_code_key(tx: &mut dyn Tx, key: CodeKey) -> Result<()> {
    let cases = case_count(tx)?;
    if cases > 0 && code_key(tx)? != key {
        return Err(StoreError::Backend(format!(
            "this store already holds {cases} cases, whose tracking codes follow from its key: the key cannot change; copy into an empty store"
        )));
    }
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('code_key', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[key.0.to_string().into()],
    )?;
    Ok(())
}

/// Runs the migration step from version `from` to `from + 1`.
pub fn migrate_step(tx: &mut dyn Tx, from: u32) -> Result<()> {
    crate::store::migrations::step(tx, from)?;
    tx.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'schema_version'",
        &[(from + 1).to_string().into()],
    )?;
    Ok(())
}

pub fn load_catalog(tx: &mut dyn Tx) -> Result<Catalog> {
    let departments = rows(
        tx,
        "SELECT code, name_fa, name_en FROM departments ORDER BY position, code",
        &[],
        |r| {
            Ok(Department {
                code: req_text(r, 0)?,
                name_fa: req_text(r, 1)?,
                name_en: req_text(r, 2)?,
            })
        },
    )?;
    let districts = rows(
        tx,
        "SELECT code, name_fa, name_en, office, neighborhoods FROM districts ORDER BY position, code",
        &[],
        |r| {
            Ok(District {
                code: req_text(r, 0)?,
                name_fa: req_text(r, 1)?,
                name_en: req_text(r, 2)?,
                office: req_text(r, 3)?,
                neighborhoods: req_text(r, 4)?.lines().map(str::to_owned).collect(),
            })
        },
    )?;
    let services = rows(
        tx,
        "SELECT code, category, name_fa, name_en, department, deadline_hours, active, keywords, imported, attributes FROM services ORDER BY position, code",
        &[],
        |r| {
            Ok(Service {
                code: req_text(r, 0)?,
                category: parsed(r, 1, Category::parse)?,
                name_fa: req_text(r, 2)?,
                name_en: req_text(r, 3)?,
                department: req_text(r, 4)?,
                deadline_hours: small(r, 5)?,
                active: req_int(r, 6)? != 0,
                keywords: req_text(r, 7)?
                    .lines()
                    .filter(|k| !k.is_empty())
                    .map(str::to_owned)
                    .collect(),
                imported: req_int(r, 8)? != 0,
                attributes: match req_text(r, 9)?.as_str() {
                    "" => Vec::new(),
                    json => serde_json::from_str(json)
                        .map_err(|e| corrupt(9, &format!("service attributes: {e}")))?,
                },
            })
        },
    )?;
    Ok(Catalog::new(districts, departments, services)?)
}

/// Writes `catalog` into the store: new rows added, changed rows updated,
/// services no longer listed marked inactive (old cases still name them).
/// Returns how many services are retired.
pub fn store_catalog(tx: &mut dyn Tx, catalog: &Catalog) -> Result<usize> {
    for (i, d) in catalog.departments.iter().enumerate() {
        tx.execute(
            "INSERT INTO departments (code, name_fa, name_en, active, position) VALUES (?1, ?2, ?3, 1, ?4)
             ON CONFLICT (code) DO UPDATE SET name_fa = excluded.name_fa, name_en = excluded.name_en,
               active = 1, position = excluded.position",
            &[d.code.as_str().into(), d.name_fa.as_str().into(), d.name_en.as_str().into(), (i as i64).into()],
        )?;
    }
    for (i, d) in catalog.districts.iter().enumerate() {
        tx.execute(
            "INSERT INTO districts (code, name_fa, name_en, office, neighborhoods, active, position)
             VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)
             ON CONFLICT (code) DO UPDATE SET name_fa = excluded.name_fa, name_en = excluded.name_en,
               office = excluded.office, neighborhoods = excluded.neighborhoods, active = 1,
               position = excluded.position",
            &[
                d.code.as_str().into(),
                d.name_fa.as_str().into(),
                d.name_en.as_str().into(),
                d.office.as_str().into(),
                d.neighborhoods.join("\n").into(),
                (i as i64).into(),
            ],
        )?;
    }
    tx.execute("UPDATE services SET active = 0", &[])?;
    for (i, s) in catalog.services.iter().enumerate() {
        tx.execute(
            "INSERT INTO services (code, category, name_fa, name_en, department, deadline_hours, active, position, keywords, imported, attributes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (code) DO UPDATE SET category = excluded.category, name_fa = excluded.name_fa,
               name_en = excluded.name_en, department = excluded.department,
               deadline_hours = excluded.deadline_hours, active = excluded.active,
               position = excluded.position, keywords = excluded.keywords, imported = excluded.imported,
               attributes = excluded.attributes",
            &[
                s.code.as_str().into(),
                s.category.as_str().into(),
                s.name_fa.as_str().into(),
                s.name_en.as_str().into(),
                s.department.as_str().into(),
                i64::from(s.deadline_hours).into(),
                i64::from(s.active).into(),
                (i as i64).into(),
                s.keywords.join("\n").into(),
                i64::from(s.imported).into(),
                attributes_json(s).into(),
            ],
        )?;
    }
    Ok(count(tx, "SELECT COUNT(*) FROM services WHERE active = 0", &[])? as usize)
}

/// Adds an import's departments, districts and services beside the catalog
/// (`current`, the store's), refusing a code that exists: nothing is changed
/// or retired. The whole catalog is checked first, as a catalog file is.
pub fn extend_catalog(
    tx: &mut dyn Tx,
    current: &Catalog,
    additions: &crate::store::CatalogAdditions,
) -> Result<()> {
    fn join<T: Clone>(a: &[T], b: &[T]) -> Vec<T> {
        a.iter().chain(b).cloned().collect()
    }
    if additions.is_empty() {
        return Ok(());
    }
    Catalog::new(
        join(&current.districts, &additions.districts),
        join(&current.departments, &additions.departments),
        join(&current.services, &additions.services),
    )?;
    let next = |tx: &mut dyn Tx, table: &str| -> Result<i64> {
        Ok(first(
            tx,
            &format!("SELECT COALESCE(MAX(position), -1) + 1 FROM {table}"),
            &[],
            |r| req_int(r, 0),
        )?
        .unwrap_or(0))
    };
    let start = next(tx, "departments")?;
    for (i, d) in additions.departments.iter().enumerate() {
        tx.execute(
            "INSERT INTO departments (code, name_fa, name_en, active, position) VALUES (?1, ?2, ?3, 1, ?4)",
            &[
                d.code.as_str().into(),
                d.name_fa.as_str().into(),
                d.name_en.as_str().into(),
                (start + i as i64).into(),
            ],
        )?;
    }
    let start = next(tx, "districts")?;
    for (i, d) in additions.districts.iter().enumerate() {
        tx.execute(
            "INSERT INTO districts (code, name_fa, name_en, office, neighborhoods, active, position)
             VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)",
            &[
                d.code.as_str().into(),
                d.name_fa.as_str().into(),
                d.name_en.as_str().into(),
                d.office.as_str().into(),
                d.neighborhoods.join("\n").into(),
                (start + i as i64).into(),
            ],
        )?;
    }
    let start = next(tx, "services")?;
    for (i, s) in additions.services.iter().enumerate() {
        tx.execute(
            "INSERT INTO services (code, category, name_fa, name_en, department, deadline_hours, active, position, keywords, imported, attributes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            &[
                s.code.as_str().into(),
                s.category.as_str().into(),
                s.name_fa.as_str().into(),
                s.name_en.as_str().into(),
                s.department.as_str().into(),
                i64::from(s.deadline_hours).into(),
                i64::from(s.active).into(),
                (start + i as i64).into(),
                s.keywords.join("\n").into(),
                i64::from(s.imported).into(),
                attributes_json(s).into(),
            ],
        )?;
    }
    Ok(())
}

fn attributes_json(s: &Service) -> String {
    if s.attributes.is_empty() {
        String::new()
    } else {
        serde_json::to_string(&s.attributes).expect("attributes always serialize")
    }
}

/// Which of `ids` are already the old id of a case (an import done before).
pub fn old_ids(tx: &mut dyn Tx, ids: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("?{i}")).collect();
        let params: Vec<Param> = chunk.iter().map(|s| Param::from(s.as_str())).collect();
        out.extend(rows(
            tx,
            &format!(
                "SELECT old_id FROM cases WHERE old_id IN ({})",
                marks.join(", ")
            ),
            &params,
            |r| req_text(r, 0),
        )?);
    }
    Ok(out)
}
