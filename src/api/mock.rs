//! `hookcheck mock msndr-api`: a local stand-in for msndr's webhook configuration API.
//!
//! It serves `POST`, `GET` and `DELETE` on `/v1/email/webhook` as vendor doc 003 documents them
//! (see `docs/vendor-notes/msndr-api.md`), so that a service's "enable webhooks" code can be
//! tested offline, and so that `hookcheck api-check msndr` has a reference to pass against.
//! It keeps one URL (the account's single webhook) in memory.
//!
//! | request | answer |
//! | --- | --- |
//! | no `Authorization: Bearer <token>`, or another token | 401 `{"errors": [...]}` with `WWW-Authenticate: Bearer` |
//! | `POST`/`DELETE` body whose `Content-Type` is not `application/json` | 415 |
//! | body that is not JSON | 400 |
//! | body not valid against `api.webhook.post.request` / `api.webhook.delete.request`, or a `url` over 2048 bytes | 422 |
//! | body over 64 KiB | 413 |
//! | `POST {"url": U}` | 200 `{"url": U}`; U replaces any URL set before |
//! | `GET` | 200 `{"url": U}`, or 404 when no URL is set ([`Unset`] chooses 200 with a null or empty `url` instead) |
//! | `DELETE` (body `{"url": U}` optional) | 204; a later `GET` answers 404 |
//!
//! Errors have the documented form `{"errors": [{"code": 422, "detail": "..."}]}`. Undeclared
//! fields are accepted and ignored (the schemas allow them), or, with
//! [`MockConfig::strict_fields`], refused with 422.
//!
//! A [`Flaw`] makes the mock deviate on purpose, to see what `api-check` reports for a broken
//! implementation (and to test that it does).
//!
//! # Example
//!
//! ```
//! use hookcheck::api::mock::{self, MockConfig};
//!
//! let running = mock::spawn(MockConfig::new("test-token"))?;
//! // Point the code under test at running.base_url(), e.g. http://127.0.0.1:40123/v1 ...
//! assert!(running.base_url().ends_with("/v1"));
//! assert_eq!(running.configured(), None);
//! # Ok::<(), hookcheck::api::mock::MockError>(())
//! ```

use std::{
    fmt,
    future::Future,
    io,
    net::SocketAddr,
    sync::{Arc, Mutex},
    thread,
};

use axum::{
    Router,
    body::Bytes,
    extract::{DefaultBodyLimit, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::{Value, json};
use subtle::ConstantTimeEq;
use tokio::{net::TcpListener, sync::oneshot};

use crate::catalog::{Catalog, CatalogError, Vendor};
use crate::validate::Validator;

/// The path the mock serves, under its base URL `http://ADDR/v1`.
pub const PATH: &str = "/v1/email/webhook";

/// The longest `url` accepted, in bytes.
pub const MAX_URL: usize = 2048;

/// The largest request body read, in bytes.
pub const MAX_BODY: usize = 64 * 1024;

/// A deliberate deviation from the documented behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Flaw {
    /// Serves every request without looking at `Authorization`.
    NoAuth,
    /// Answers 500 to a body that is not JSON.
    ServerErrorOnBadJson,
    /// Answers `DELETE` with 204 but keeps the URL.
    DeleteIgnored,
    /// Answers a successful `POST` with `{"status": "ok"}` instead of `{"url": ...}`.
    WrongPostShape,
    /// Sends successful JSON answers as `text/plain`.
    TextContentType,
    /// Rejects undeclared fields whose value is an object or array, accepts other ones.
    InconsistentExtraFields,
}

/// How `GET` answers when no URL is set: each is a documented-compatible choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Unset {
    /// 404 with an `errors` body.
    #[default]
    NotFound,
    /// 200 `{"url": null}`.
    NullUrl,
    /// 200 `{"url": ""}`.
    EmptyUrl,
}

/// Called with one line per request served (`POST /v1/email/webhook -> 200`).
pub type OnRequest = Arc<dyn Fn(&str) + Send + Sync>;

/// How a mock is set up.
#[derive(Clone)]
pub struct MockConfig {
    /// Address to bind; port 0 picks a free port.
    pub bind: SocketAddr,
    /// The API token requests must carry as `Authorization: Bearer <token>`.
    pub token: String,
    /// Deliberate deviations (none by default).
    pub flaws: Vec<Flaw>,
    /// How `GET` answers when no URL is set.
    pub unset: Unset,
    /// Reject undeclared fields with 422 instead of ignoring them (both conform).
    pub strict_fields: bool,
    /// Called for each request served.
    pub on_request: Option<OnRequest>,
}

impl MockConfig {
    /// A faithful mock on a free loopback port, accepting `token`.
    pub fn new(token: impl Into<String>) -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            token: token.into(),
            flaws: Vec::new(),
            unset: Unset::default(),
            strict_fields: false,
            on_request: None,
        }
    }

    /// This configuration with `flaw` added.
    #[must_use]
    pub fn with_flaw(mut self, flaw: Flaw) -> Self {
        if !self.flaws.contains(&flaw) {
            self.flaws.push(flaw);
        }
        self
    }
}

impl fmt::Debug for MockConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockConfig")
            .field("bind", &self.bind)
            .field("flaws", &self.flaws)
            .field("unset", &self.unset)
            .field("strict_fields", &self.strict_fields)
            .finish_non_exhaustive()
    }
}

/// What can keep a mock from running.
#[derive(Debug)]
#[non_exhaustive]
pub enum MockError {
    /// The address could not be bound.
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: io::Error,
    },
    /// The server, or its runtime, failed.
    Serve(io::Error),
    /// An API schema of the catalog does not compile.
    Catalog(CatalogError),
}

impl fmt::Display for MockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MockError::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            MockError::Serve(e) => write!(f, "mock server error: {e}"),
            MockError::Catalog(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for MockError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MockError::Bind { source, .. } | MockError::Serve(source) => Some(source),
            MockError::Catalog(e) => Some(e),
        }
    }
}

struct Shared {
    token: String,
    flaws: Vec<Flaw>,
    unset: Unset,
    strict_fields: bool,
    url: Arc<Mutex<Option<String>>>,
    post: &'static Validator,
    delete: &'static Validator,
    on_request: Option<OnRequest>,
}

impl Shared {
    fn has(&self, flaw: Flaw) -> bool {
        self.flaws.contains(&flaw)
    }

    fn current(&self) -> Option<String> {
        self.url.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set(&self, url: Option<String>) {
        *self.url.lock().unwrap_or_else(|p| p.into_inner()) = url;
    }

    fn log(&self, method: &str, status: StatusCode) {
        if let Some(f) = &self.on_request {
            f(&format!("{method} {PATH} -> {}", status.as_u16()));
        }
    }
}

/// A bound mock, ready to serve.
pub struct Mock {
    tcp: TcpListener,
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl fmt::Debug for Mock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mock")
            .field("addr", &self.addr)
            .field("flaws", &self.shared.flaws)
            .finish_non_exhaustive()
    }
}

fn validator(name: &str) -> Result<&'static Validator, MockError> {
    Catalog::builtin()
        .get(Vendor::MSNDR, name)
        .and_then(|e| e.validator())
        .map_err(MockError::Catalog)
}

impl Mock {
    /// Binds the address; connections are accepted from now on and served by [`Mock::serve`].
    ///
    /// # Errors
    ///
    /// [`MockError::Bind`] if the address cannot be bound, [`MockError::Catalog`] if an API
    /// schema does not compile.
    pub async fn bind(config: MockConfig) -> Result<Self, MockError> {
        let shared = Arc::new(Shared {
            token: config.token,
            flaws: config.flaws,
            unset: config.unset,
            strict_fields: config.strict_fields,
            url: Arc::default(),
            post: validator("api.webhook.post.request")?,
            delete: validator("api.webhook.delete.request")?,
            on_request: config.on_request,
        });
        let bind_err = |source| MockError::Bind {
            addr: config.bind,
            source,
        };
        let tcp = TcpListener::bind(config.bind).await.map_err(bind_err)?;
        let addr = tcp.local_addr().map_err(bind_err)?;
        Ok(Self { tcp, addr, shared })
    }

    /// The bound address.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to give clients: `http://ADDR/v1`.
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Serves until `shutdown` completes.
    ///
    /// # Errors
    ///
    /// [`MockError::Serve`] if the server fails.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), MockError> {
        let app = Router::new()
            .route(
                PATH,
                get(get_webhook).post(post_webhook).delete(delete_webhook),
            )
            .layer(DefaultBodyLimit::max(MAX_BODY))
            .with_state(self.shared);
        axum::serve(self.tcp, app)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(MockError::Serve)
    }
}

/// A mock serving on its own thread; stopped when dropped.
pub struct RunningMock {
    addr: SocketAddr,
    url: Arc<Mutex<Option<String>>>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl fmt::Debug for RunningMock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningMock")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl RunningMock {
    /// The bound address.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to give clients: `http://ADDR/v1`.
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The webhook URL currently set, if any.
    #[must_use]
    pub fn configured(&self) -> Option<String> {
        self.url.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Stops the mock and waits for its thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for RunningMock {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Starts a mock on a thread of its own (with its own single-threaded runtime), for tests and
/// for programs that are not async.
///
/// # Errors
///
/// As [`Mock::bind`], or [`MockError::Serve`] if the runtime cannot start.
pub fn spawn(config: MockConfig) -> Result<RunningMock, MockError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(MockError::Serve)?;
    let mock = runtime.block_on(Mock::bind(config))?;
    let addr = mock.local_addr();
    let url = Arc::clone(&mock.shared.url);
    let (stop, stopped) = oneshot::channel::<()>();
    let thread = thread::Builder::new()
        .name("hookcheck-mock".into())
        .spawn(move || {
            // A failing server ends the thread; clients then see refused connections.
            let _ = runtime.block_on(mock.serve(async move {
                let _ = stopped.await;
            }));
        })
        .map_err(MockError::Serve)?;
    Ok(RunningMock {
        addr,
        url,
        stop: Some(stop),
        thread: Some(thread),
    })
}

fn json_answer(shared: &Shared, status: StatusCode, body: &Value) -> Response {
    let ct = if status.is_success() && shared.has(Flaw::TextContentType) {
        "text/plain; charset=utf-8"
    } else {
        "application/json"
    };
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(ct))],
        body.to_string(),
    )
        .into_response()
}

fn error(shared: &Shared, status: StatusCode, detail: impl Into<String>) -> Response {
    let body = json!({"errors": [{"code": status.as_u16(), "detail": detail.into()}]});
    let mut r = json_answer(shared, status, &body);
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    r
}

/// A request refused: the status and the error's detail (none: a bare 500).
struct Refusal(StatusCode, Option<String>);

impl Refusal {
    fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self(status, Some(detail.into()))
    }

    fn answer(self, shared: &Shared) -> Response {
        match self.1 {
            Some(detail) => error(shared, self.0, detail),
            None => (self.0, "Internal Server Error").into_response(),
        }
    }
}

/// Checks the token; the refusal if it is missing or wrong.
fn authorize(shared: &Shared, headers: &HeaderMap) -> Result<(), Refusal> {
    if shared.has(Flaw::NoAuth) {
        return Ok(());
    }
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(Refusal::new(StatusCode::UNAUTHORIZED, "missing API token"));
    };
    let value = value.as_bytes();
    let token = value
        .get(..7)
        .filter(|scheme| scheme.eq_ignore_ascii_case(b"bearer "))
        .map(|_| &value[7..]);
    match token {
        Some(t) if bool::from(t.ct_eq(shared.token.as_bytes())) => Ok(()),
        _ => Err(Refusal::new(StatusCode::UNAUTHORIZED, "invalid API token")),
    }
}

/// Reads a JSON body valid against `validator`; the error answer otherwise.
fn read_body(
    shared: &Shared,
    headers: &HeaderMap,
    body: &[u8],
    validator: &Validator,
) -> Result<String, Refusal> {
    let json_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !json_type {
        return Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json",
        ));
    }
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) if shared.has(Flaw::ServerErrorOnBadJson) => {
            return Err(Refusal(StatusCode::INTERNAL_SERVER_ERROR, None));
        }
        Err(e) => {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                format!("body is not JSON: {e}"),
            ));
        }
    };
    if let Some(v) = validator.violations(&value).first() {
        let detail = match v.instance_path.as_str() {
            "" => v.message.clone(),
            _ => v.to_string(),
        };
        return Err(Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, detail));
    }
    let undeclared = value
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != "url");
    for (name, v) in undeclared {
        let refuse = shared.strict_fields
            || (shared.has(Flaw::InconsistentExtraFields) && (v.is_object() || v.is_array()));
        if refuse {
            return Err(Refusal::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("/{name}: unknown field"),
            ));
        }
    }
    let url = value
        .get("url")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if url.len() > MAX_URL {
        return Err(Refusal::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("/url: longer than {MAX_URL} bytes"),
        ));
    }
    Ok(url)
}

fn logged(shared: &Shared, method: &str, r: Response) -> Response {
    shared.log(method, r.status());
    r
}

async fn post_webhook(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = authorize(&shared, &headers)
        .and_then(|()| read_body(&shared, &headers, &body, shared.post))
        .map(|url| {
            shared.set(Some(url.clone()));
            let answer = if shared.has(Flaw::WrongPostShape) {
                json!({"status": "ok"})
            } else {
                json!({ "url": url })
            };
            json_answer(&shared, StatusCode::OK, &answer)
        });
    logged(&shared, "POST", r.unwrap_or_else(|e| e.answer(&shared)))
}

async fn get_webhook(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let r = authorize(&shared, &headers).map(|()| match shared.current() {
        Some(url) => json_answer(&shared, StatusCode::OK, &json!({ "url": url })),
        None => match shared.unset {
            Unset::NotFound => error(&shared, StatusCode::NOT_FOUND, "no webhook is set"),
            Unset::NullUrl => json_answer(&shared, StatusCode::OK, &json!({ "url": null })),
            Unset::EmptyUrl => json_answer(&shared, StatusCode::OK, &json!({ "url": "" })),
        },
    });
    logged(&shared, "GET", r.unwrap_or_else(|e| e.answer(&shared)))
}

async fn delete_webhook(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let r = authorize(&shared, &headers)
        .and_then(|()| {
            if body.is_empty() {
                Ok(())
            } else {
                read_body(&shared, &headers, &body, shared.delete).map(|_| ())
            }
        })
        .map(|()| {
            if !shared.has(Flaw::DeleteIgnored) {
                shared.set(None);
            }
            StatusCode::NO_CONTENT.into_response()
        });
    logged(&shared, "DELETE", r.unwrap_or_else(|e| e.answer(&shared)))
}
