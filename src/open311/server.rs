//! `citydesk serve`: the Open311 GeoReport v2 endpoint, on axum over tokio,
//! on the same store as the consoles. The rules:
//! - store calls never block the runtime: each runs on tokio's blocking pool
//!   (`spawn_blocking`) with one connection taken from a small pool (a
//!   semaphore hands out as many permits as there are connections);
//! - every answer is JSON or XML by the path's suffix, and every refusal is
//!   the spec's error document with its HTTP status (400 bad input, 403 key,
//!   404 unknown, 413 body too large, 429 rate, 503 timeout or store busy,
//!   500 anything else) — also for the answers tower-http's body limit and
//!   timeout make, which `log_and_shape` rewrites;
//! - one log line per request (client, method, path, status, time), through
//!   `tracing`: never a query string, a body or a header, so never a
//!   citizen's name, phone, e-mail or an API key.

// A refusal is the handler's answer itself (a `Response`): boxing it would
// only unbox it again one line later.
#![allow(clippy::result_large_err)]

use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Duration as Span, Utc};
use tokio::sync::Semaphore;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use super::limit::Limiter;
use super::post::{self, Form};
use super::record::{self, w3c};
use super::wire::{self, Node};
use super::{Format, transfer};
use crate::clock::Clock;
use crate::domain::catalog::{Catalog, DISTRICT_OFFICE, District, Service};
use crate::domain::roles::{Actor, Role};
use crate::domain::shift::Center;
use crate::domain::tracking::TrackingCode;
use crate::present::Say;
use crate::secret::key_hash;
use crate::store::{self, Client, RequestQuery, Settings, Store, StoreError};

/// How `citydesk serve` runs.
#[derive(Debug, Clone)]
pub struct Options {
    pub listen: String,
    pub connections: usize,
    pub timeout: Duration,
    pub max_body: usize,
    /// If set, requests naming another jurisdiction are refused.
    pub jurisdiction: Option<String>,
    /// A district code or name for requests whose address names none.
    pub default_district: Option<String>,
    /// The request log file; None: standard error.
    pub log: Option<PathBuf>,
}

/// The longest window `GET /requests` covers, and how many it lists.
pub const WINDOW_DAYS: i64 = 90;
pub const MAX_ROWS: u32 = 1000;

/// Store connections, each used by one blocking task at a time.
struct Pool {
    stores: Mutex<Vec<Box<dyn Store>>>,
    permits: Semaphore,
}

impl Pool {
    /// Runs `f` on a store connection on the blocking pool.
    async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut dyn Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| StoreError::Backend("the server is stopping".into()))?;
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let mut store = pool
                .stores
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .pop()
                .expect("a permit means a free connection");
            let out = std::panic::catch_unwind(AssertUnwindSafe(|| f(store.as_mut())));
            pool.stores
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(store);
            out.unwrap_or_else(|_| Err(StoreError::Backend("a store call panicked".into())))
        })
        .await
        .map_err(|e| StoreError::Backend(format!("a store task failed: {e}")))?
    }
}

struct App {
    pool: Arc<Pool>,
    catalog: Catalog,
    center: Center,
    default_district: District,
    jurisdiction: Option<String>,
    limiter: Limiter,
    clock: Arc<dyn Clock>,
}

type Shared = Arc<App>;

/// Marks an answer this module shaped (others get the spec's error shape).
#[derive(Clone, Copy)]
struct Shaped;

/// The client a request came from, for the log.
#[derive(Clone)]
struct LogClient(String);

fn answer(format: Format, status: StatusCode, body: String, client: Option<&Client>) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    r.extensions_mut().insert(Shaped);
    if let Some(c) = client {
        r.extensions_mut().insert(LogClient(c.name.clone()));
    }
    r
}

fn refuse(format: Format, status: u16, description: &str, client: Option<&Client>) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    answer(
        format,
        code,
        wire::errors(format, code.as_u16(), description),
        client,
    )
}

/// A store error as the spec's error: the words say what to do.
fn store_refusal(format: Format, e: &StoreError, client: Option<&Client>) -> Response {
    match e {
        StoreError::Invalid(_) | StoreError::Refused(_) => refuse(
            format,
            400,
            &e.say(&crate::present::Words::english()),
            client,
        ),
        StoreError::NoSuchCase(code) => refuse(
            format,
            404,
            &format!("there is no request {code}: check the service_request_id"),
            client,
        ),
        StoreError::OperatorDisabled(_) | StoreError::Forbidden(_) => refuse(
            format,
            403,
            "this api_key may not file requests now (it was revoked): ask the city for a new one",
            client,
        ),
        StoreError::Busy | StoreError::Unreachable(_) => {
            tracing::warn!(error = %e, "store not available");
            refuse(
                format,
                503,
                "the request system is busy or unreachable for a moment: retry in a few seconds",
                client,
            )
        }
        _ => {
            tracing::error!(error = %e, "store error");
            refuse(
                format,
                500,
                "the request system failed on this request; it was logged: retry later",
                client,
            )
        }
    }
}

/// Query and form pairs.
fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    raw.map(|q| {
        form_urlencoded::parse(q.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    })
    .unwrap_or_default()
}

fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

impl App {
    /// Refuses a request naming another jurisdiction.
    fn jurisdiction(&self, format: Format, pairs: &[(String, String)]) -> Result<(), Response> {
        match (param(pairs, "jurisdiction_id"), &self.jurisdiction) {
            (Some(given), Some(ours)) if given != ours => Err(refuse(
                format,
                400,
                &format!("jurisdiction_id {given:?} is not served here: this endpoint is {ours:?}"),
                None,
            )),
            _ => Ok(()),
        }
    }

    /// The client of an api_key (required or optional), rate-limited.
    async fn client(
        &self,
        format: Format,
        pairs: &[(String, String)],
        required: bool,
    ) -> Result<Option<Client>, Response> {
        let Some(key) = param(pairs, "api_key") else {
            return if required {
                Err(refuse(
                    format,
                    403,
                    "api_key is required to post a request: ask the city for a key for your application",
                    None,
                ))
            } else {
                Ok(None)
            };
        };
        let hash = key_hash(key);
        let found = self
            .pool
            .run(move |s| s.client_by_key(&hash))
            .await
            .map_err(|e| store_refusal(format, &e, None))?;
        let Some(client) = found else {
            return Err(refuse(
                format,
                403,
                "api_key is not valid: check it, or ask the city for a key",
                None,
            ));
        };
        if !client.active {
            return Err(refuse(
                format,
                403,
                "this api_key was revoked: ask the city for a new one",
                Some(&client),
            ));
        }
        if !self
            .limiter
            .allow(&client.name, client.per_minute, Instant::now())
        {
            return Err(refuse(
                format,
                429,
                &format!(
                    "too many requests with this api_key: at most {} a minute; wait a few seconds and retry",
                    client.per_minute
                ),
                Some(&client),
            ));
        }
        Ok(Some(client))
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
}

/// Persian when asked (a `locale` parameter, else Accept-Language), else English.
fn persian(pairs: &[(String, String)], headers: &HeaderMap) -> bool {
    if let Some(l) = param(pairs, "locale") {
        return l.to_ascii_lowercase().starts_with("fa");
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|first| first.trim().to_ascii_lowercase().starts_with("fa"))
}

fn service_node(s: &Service, catalog: &Catalog, fa: bool) -> Node {
    let department = if s.department == DISTRICT_OFFICE {
        if fa {
            "دفتر منطقه".to_owned()
        } else {
            "the district office".to_owned()
        }
    } else if fa {
        catalog
            .department(&s.department)
            .map_or_else(|| s.department.clone(), |d| d.name_fa.clone())
    } else {
        catalog.department_name(&s.department).to_owned()
    };
    let description = if fa {
        format!("پاسخ‌گو: {department}؛ مهلت پاسخ: {} ساعت", s.deadline_hours)
    } else {
        format!("Answered by {department} within {} hours", s.deadline_hours)
    };
    Node::Obj(vec![
        ("service_code", Node::text(&s.code)),
        (
            "service_name",
            Node::text(if fa { &s.name_fa } else { &s.name_en }),
        ),
        ("description", Node::text(description)),
        ("metadata", Node::Bool(!s.attributes.is_empty())),
        ("type", Node::text("realtime")),
        ("keywords", Node::text(s.keywords.join(", "))),
        ("group", Node::text(s.category.as_str())),
    ])
}

fn definition_node(s: &Service, fa: bool) -> Node {
    let attributes = s
        .attributes
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let values = a
                .values
                .iter()
                .map(|v| {
                    Node::Obj(vec![
                        ("key", Node::text(&v.key)),
                        ("name", Node::text(if fa { &v.name_fa } else { &v.name_en })),
                    ])
                })
                .collect();
            Node::Obj(vec![
                ("variable", Node::Bool(true)),
                ("code", Node::text(&a.code)),
                ("datatype", Node::text(a.datatype.as_str())),
                ("required", Node::Bool(a.required)),
                ("datatype_description", Node::Text(None)),
                ("order", Node::Num(Some((i + 1).to_string()))),
                (
                    "description",
                    Node::text(if fa {
                        &a.description_fa
                    } else {
                        &a.description_en
                    }),
                ),
                ("values", Node::List("value", values)),
            ])
        })
        .collect();
    Node::Obj(vec![
        ("service_code", Node::text(&s.code)),
        ("attributes", Node::List("attribute", attributes)),
    ])
}

/// The public services: active, not brought in by an import.
fn offered(catalog: &Catalog) -> impl Iterator<Item = &Service> {
    catalog.services.iter().filter(|s| s.active && !s.imported)
}

/// `GET /services.json`, `/requests.json` (and `.xml`).
async fn root_get(
    State(app): State<Shared>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let Some((stem, format)) = Format::split(&file) else {
        return not_found(&file);
    };
    let pairs = pairs(query.as_deref());
    if let Err(r) = app.jurisdiction(format, &pairs) {
        return r;
    }
    match stem {
        "services" => {
            let fa = persian(&pairs, &headers);
            let list = offered(&app.catalog)
                .map(|s| service_node(s, &app.catalog, fa))
                .collect();
            answer(
                format,
                StatusCode::OK,
                wire::render(format, "services", &Node::List("service", list)),
                None,
            )
        }
        "requests" => list_requests(&app, format, &pairs).await,
        _ => not_found(&file),
    }
}

/// The format a path asks for: XML for `.xml`, else JSON.
fn format_of(path: &str) -> Format {
    if std::path::Path::new(path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
    {
        Format::Xml
    } else {
        Format::Json
    }
}

fn not_found(path: &str) -> Response {
    let format = format_of(path);
    refuse(
        format,
        404,
        "no such resource: GeoReport v2 serves services.json, services/CODE.json, requests.json, requests/ID.json and tokens/TOKEN.json (or .xml)",
        None,
    )
}

async fn list_requests(app: &Shared, format: Format, pairs: &[(String, String)]) -> Response {
    let client = match app.client(format, pairs, false).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let client = client.as_ref();
    let list = |name: &str| -> Vec<String> {
        param(pairs, name)
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    let now = app.now();
    let time = |name: &str| -> Result<Option<DateTime<Utc>>, Response> {
        param(pairs, name)
            .map(|v| {
                transfer::parse_time(v).ok_or_else(|| {
                    refuse(
                        format,
                        400,
                        &format!(
                            "{name} {v:?} is not a time: write it like 2026-11-28T09:30:00+03:30"
                        ),
                        client,
                    )
                })
            })
            .transpose()
    };
    let (start, end) = match (time("start_date"), time("end_date")) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let window = Span::days(WINDOW_DAYS);
    let (from, to) = match (start, end) {
        (None, None) => (now - window, now),
        (Some(s), None) => (s, (s + window).min(now.max(s))),
        (None, Some(e)) => (e - window, e),
        (Some(s), Some(e)) => (s, e),
    };
    if from > to {
        return refuse(
            format,
            400,
            "start_date is after end_date: swap them",
            client,
        );
    }
    if to - from > window {
        return refuse(
            format,
            400,
            &format!(
                "start_date to end_date spans more than {WINDOW_DAYS} days: ask for {WINDOW_DAYS} days or fewer at a time"
            ),
            client,
        );
    }
    let mut open = None;
    for s in list("status") {
        let o = match s.to_ascii_lowercase().as_str() {
            "open" => true,
            "closed" => false,
            _ => {
                return refuse(
                    format,
                    400,
                    &format!("status {s:?} is not a status: give open, closed, or open,closed"),
                    client,
                );
            }
        };
        open = match open {
            None => Some(Some(o)),
            Some(Some(prev)) if prev != o => Some(None),
            same => same,
        };
    }
    let ids = list("service_request_id");
    let codes: Vec<TrackingCode> = ids
        .iter()
        .filter_map(|s| TrackingCode::parse(s).ok())
        .take(MAX_ROWS as usize)
        .collect();
    if !ids.is_empty() && codes.is_empty() {
        return answer(format, StatusCode::OK, wire::requests(format, &[]), client);
    }
    let query = RequestQuery {
        codes,
        services: list("service_code"),
        from,
        to,
        open: open.flatten(),
        limit: MAX_ROWS,
    };
    let shared = Arc::clone(app);
    match app.pool.run(move |s| s.requests(&query)).await {
        Ok(cases) => {
            let records: Vec<_> = cases
                .iter()
                .map(|c| record::from_case(c, &shared.catalog, &shared.center))
                .collect();
            answer(
                format,
                StatusCode::OK,
                wire::requests(format, &records),
                client,
            )
        }
        Err(e) => store_refusal(format, &e, client),
    }
}

/// `POST /requests.json` (or `.xml`).
async fn root_post(
    State(app): State<Shared>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Some(("requests", format)) = Format::split(&file) else {
        return not_found(&file);
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            let status = e.status().as_u16();
            let words = if status == 413 {
                "the request body is too large: send the form fields only, and a link (media_url) for a photo".to_owned()
            } else {
                format!("the request body could not be read ({e}): send the fields form-encoded")
            };
            return refuse(format, status, &words, None);
        }
    };
    let mut all = pairs(query.as_deref());
    all.extend(pairs(std::str::from_utf8(&body).ok()));
    if std::str::from_utf8(&body).is_err() {
        return refuse(
            format,
            400,
            "the request body is not UTF-8 text: send the fields form-encoded (application/x-www-form-urlencoded) in UTF-8",
            None,
        );
    }
    if let Err(r) = app.jurisdiction(format, &all) {
        return r;
    }
    let client = match app.client(format, &all, true).await {
        Ok(Some(c)) => c,
        Ok(None) => unreachable!("a required key is there or refused"),
        Err(r) => return r,
    };
    let now = app.now();
    let form = Form::new(&all);
    let filed = match post::check(&form, &app.catalog, &client, &app.default_district, now) {
        Ok(f) => f,
        Err(r) => return refuse(format, r.status, &r.description, Some(&client)),
    };
    let actor = Actor {
        name: client.operator.clone(),
        role: Role::Service,
    };
    let registered = app
        .pool
        .run(move |s| s.register_noting(&actor, &filed.input, filed.contact_note.as_deref(), now))
        .await;
    match registered {
        Ok(case) => {
            let department = app.catalog.department_name(&case.department).to_owned();
            let notice = if case.has_deadline() {
                format!(
                    "Referred to {department}; it answers by {}.",
                    w3c(&app.center, case.due_at)
                )
            } else {
                format!("Referred to {department}.")
            };
            let node = Node::List(
                "request",
                vec![Node::Obj(vec![
                    ("service_request_id", Node::text(case.code.to_string())),
                    ("service_notice", Node::text(notice)),
                    ("account_id", Node::Text(None)),
                ])],
            );
            answer(
                format,
                StatusCode::OK,
                wire::render(format, "service_requests", &node),
                Some(&client),
            )
        }
        Err(e) => store_refusal(format, &e, Some(&client)),
    }
}

/// `GET /services/CODE.json`: a service's definition.
async fn service_get(
    State(app): State<Shared>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let Some((code, format)) = Format::split(&file) else {
        return not_found(&file);
    };
    let pairs = pairs(query.as_deref());
    if let Err(r) = app.jurisdiction(format, &pairs) {
        return r;
    }
    let Some(s) = offered(&app.catalog).find(|s| s.code == code) else {
        return refuse(
            format,
            404,
            &format!("there is no service {code:?}: see GET /services.json"),
            None,
        );
    };
    let fa = persian(&pairs, &headers);
    answer(
        format,
        StatusCode::OK,
        wire::render(format, "service_definition", &definition_node(s, fa)),
        None,
    )
}

/// `GET /requests/ID.json`: one request.
async fn request_get(
    State(app): State<Shared>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some((id, format)) = Format::split(&file) else {
        return not_found(&file);
    };
    let pairs = pairs(query.as_deref());
    if let Err(r) = app.jurisdiction(format, &pairs) {
        return r;
    }
    let client = match app.client(format, &pairs, false).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(code) = TrackingCode::parse(id) else {
        return refuse(
            format,
            404,
            &format!("there is no request {id:?}: a service_request_id is 9 digits"),
            client.as_ref(),
        );
    };
    let shared = Arc::clone(&app);
    match app.pool.run(move |s| s.case(code)).await {
        Ok(r) => answer(
            format,
            StatusCode::OK,
            wire::requests(
                format,
                &[record::from_case(&r.case, &shared.catalog, &shared.center)],
            ),
            client.as_ref(),
        ),
        Err(e) => store_refusal(format, &e, client.as_ref()),
    }
}

/// `GET /tokens/TOKEN.json`: citydesk registers at once, so a token is the
/// request's id itself.
async fn token_get(
    State(app): State<Shared>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some((token, format)) = Format::split(&file) else {
        return not_found(&file);
    };
    let pairs = pairs(query.as_deref());
    if let Err(r) = app.jurisdiction(format, &pairs) {
        return r;
    }
    let Ok(code) = TrackingCode::parse(token) else {
        return refuse(format, 404, &format!("there is no token {token:?}"), None);
    };
    match app.pool.run(move |s| s.case(code)).await {
        Ok(_) => {
            let node = Node::List(
                "request",
                vec![Node::Obj(vec![
                    ("service_request_id", Node::text(code.to_string())),
                    ("token", Node::text(token)),
                ])],
            );
            answer(
                format,
                StatusCode::OK,
                wire::render(format, "service_requests", &node),
                None,
            )
        }
        Err(e) => store_refusal(format, &e, None),
    }
}

/// The outermost layer: gives answers made outside the handlers (the body
/// limit's 413, the timeout's 503, axum's 404/405) the spec's error shape,
/// and writes the request's log line.
async fn log_and_shape(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let mut resp = next.run(req).await;
    if resp.extensions().get::<Shaped>().is_none() && !resp.status().is_success() {
        let format = format_of(&path);
        let status = resp.status().as_u16();
        let words = match status {
            413 => {
                "the request body is too large: send the form fields only, and a link (media_url) for a photo"
            }
            503 | 408 => "the request took too long and was stopped: retry in a moment",
            405 => "this resource does not take that method: GET it, or POST to requests.json",
            404 => {
                "no such resource: GeoReport v2 serves services.json, services/CODE.json, requests.json, requests/ID.json and tokens/TOKEN.json (or .xml)"
            }
            _ => "the request could not be served",
        };
        resp = refuse(format, status, words, None);
    }
    let client = resp
        .extensions()
        .get::<LogClient>()
        .map_or_else(|| "-".to_owned(), |c| c.0.clone());
    tracing::info!(
        client = %client,
        method = %method,
        path = %crate::text::for_terminal(&path),
        status = resp.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    resp
}

/// The router over an app; public for tests that call it in process.
fn router(app: Shared, timeout: Duration, max_body: usize) -> Router {
    Router::new()
        .route("/{file}", get(root_get).post(root_post))
        .route("/services/{file}", get(service_get))
        .route("/requests/{file}", get(request_get))
        .route("/tokens/{file}", get(token_get))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(RequestBodyLimitLayer::new(max_body))
        .layer(middleware::from_fn(log_and_shape))
        .with_state(app)
}

/// Sets up the request log: standard error, or appended to `file`.
fn start_log(file: Option<&PathBuf>) -> Result<(), String> {
    use tracing_subscriber::fmt;
    let builder = fmt()
        .with_target(false)
        .with_max_level(tracing::Level::INFO);
    let result = match file {
        Some(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| {
                    say(
                        "cli.serve.log-folder",
                        &[("dir", &dir.display().to_string()), ("why", &e.to_string())],
                    )
                })?;
            }
            let f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| {
                    say(
                        "cli.serve.log-file",
                        &[
                            ("path", &path.display().to_string()),
                            ("why", &e.to_string()),
                        ],
                    )
                })?;
            builder
                .with_ansi(false)
                .with_writer(Mutex::new(f))
                .try_init()
        }
        None => builder.with_writer(std::io::stderr).try_init(),
    };
    // Already set up (a second server in one process): keep the first.
    let _ = result;
    Ok(())
}

/// Runs the server until Ctrl+C or SIGTERM.
pub fn serve(
    location: &str,
    settings: &Settings,
    options: &Options,
    clock: Arc<dyn Clock>,
    ready: &mut dyn std::io::Write,
) -> Result<(), String> {
    let words = crate::present::Words::of(crate::cli::lang(), settings.center.clone());
    let said = |e: StoreError| e.say(&words);
    let mut stores: Vec<Box<dyn Store>> = Vec::with_capacity(options.connections);
    for _ in 0..options.connections.max(1) {
        stores.push(store::open(location, settings).map_err(said)?);
    }
    let catalog = stores[0].catalog().clone();
    let default_district = match &options.default_district {
        Some(d) => catalog.district(d).cloned().ok_or_else(|| {
            say(
                "cli.serve.default-district",
                &[
                    ("district", &format!("{d:?}")),
                    (
                        "codes",
                        &catalog
                            .districts
                            .iter()
                            .map(|d| d.code.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                ],
            )
        })?,
        None => catalog.districts[0].clone(),
    };
    let addr: SocketAddr = options.listen.parse().map_err(|_| {
        say(
            "cli.serve.listen",
            &[("listen", &format!("{:?}", options.listen))],
        )
    })?;
    start_log(options.log.as_ref())?;
    let app = Arc::new(App {
        pool: Arc::new(Pool {
            permits: Semaphore::new(stores.len()),
            stores: Mutex::new(stores),
        }),
        catalog,
        center: settings.center.clone(),
        default_district,
        jurisdiction: options.jurisdiction.clone(),
        limiter: Limiter::default(),
        clock,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| say("cli.serve.runtime", &[("why", &e.to_string())]))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
            say(
                "cli.serve.bind",
                &[("addr", &addr.to_string()), ("why", &e.to_string())],
            )
        })?;
        let local = listener
            .local_addr()
            .map_err(|e| say("cli.serve.local-addr", &[("why", &e.to_string())]))?;
        let _ = writeln!(
            ready,
            "citydesk serve: {}",
            say("cli.serve.ready", &[("addr", &local.to_string())])
        );
        let _ = ready.flush();
        tracing::info!(address = %local, "listening");
        axum::serve(listener, router(app, options.timeout, options.max_body))
            .with_graceful_shutdown(stop_signal())
            .await
            .map_err(|e| say("cli.serve.stopped", &[("why", &e.to_string())]))
    })
}

/// A start-up message in the language of the command line.
fn say(key: &str, args: &[(&str, &str)]) -> String {
    crate::cli::lang().locale().fill(key, args)
}

async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
