//! Conformance of msndr's webhook configuration API (`hookcheck api-check msndr`), and a local
//! mock of it (`hookcheck mock msndr-api`).
//!
//! Vendor doc 003 documents one webhook URL per account, set by `POST`, read by `GET` and
//! removed by `DELETE` on `BASE/email/webhook`, with a Bearer token and JSON bodies
//! `{"url": ...}` (see `docs/vendor-notes/msndr-api.md`). [`run`] checks a running
//! implementation of it, the way schemathesis checks an OpenAPI service: request bodies are
//! drawn from the catalog's `api.webhook.*.request` schemas, answers are validated against the
//! `api.webhook.*.response` schemas and their content type, and each named [`Check`] probes one
//! documented behaviour:
//!
//! | check | holds when |
//! | --- | --- |
//! | `post-response`, `get-response` | the answer is 2xx `application/json` and matches its schema (and `POST` echoes the URL) |
//! | `get-after-post`, `post-replaces` | `GET` returns the URL last set |
//! | `delete-removes` | after `DELETE`, `GET` answers 404 or an empty or null `url` (the report says which) |
//! | `auth-missing-token`, `auth-wrong-token` | each of `POST`, `GET`, `DELETE` answers 401 or 403, never 2xx or 5xx, and changes nothing |
//! | `rejects-*` | bad input (not JSON, no `url`, not a URL, not http(s), over 2 KB, wrong content type) gets a 4xx, never a 5xx, and changes nothing |
//! | `extra-fields` | undeclared fields are all accepted and applied, or all rejected with a 4xx |
//!
//! Checks run one after another against the one URL the account has; each sets a URL of its
//! own first. A failed check keeps the request that showed the failure, the answer, and a
//! `curl` line per request of the check that replays them (the token is read from
//! `$MSNDR_API_TOKEN`, so reports never contain it). [`ApiRun::to_report`] gives the same
//! [`Report`] model as certification (one suite, one case per check), for every report format.
//!
//! Every request has a time limit and answers are read up to 64 KiB: a server that hangs
//! fails the check at hand after the limit, and one that cannot be reached at all makes the
//! checks errors (exit 2), not failures.
//!
//! # Example
//!
//! ```
//! use hookcheck::api::{self, Config, mock::{self, MockConfig}};
//!
//! let mock = mock::spawn(MockConfig::new("secret"))?;
//! let run = api::run(&Config::new(mock.base_url(), "secret"))?;
//! assert!(run.is_success(), "{:?}", run.results);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod checks;
pub mod client;
mod inputs;
pub mod mock;
mod probe;
mod procedures;

use std::{
    fmt,
    time::{Duration, Instant, SystemTime},
};

pub use checks::{Check, UnknownCheck};
use client::{Client, Request, Response, TOKEN_VAR};
use inputs::Inputs;
use probe::{Probe, Stop};

use crate::catalog::CatalogError;
use crate::report::{self, Case, Counterexample, Report, Suite};
use crate::tls::Tls;

/// The default time limit of one request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// What an `api-check` run checks, and how.
#[derive(Clone)]
pub struct Config {
    /// The API's base URL (`http://127.0.0.1:8080/v1`); requests go to `BASE/email/webhook`.
    pub base: String,
    /// The API token.
    pub token: String,
    /// The time limit of one request.
    pub timeout: Duration,
    /// The seed the request bodies are drawn from.
    pub seed: u64,
    /// The checks to run (all when empty), always in [`Check::ALL`] order.
    pub checks: Vec<Check>,
    /// Which server certificates an `https://` base URL may present (Mozilla's roots by
    /// default).
    pub tls: Tls,
}

impl Config {
    /// Every check against `base` with `token`, the default time limit and seed 0.
    pub fn new(base: impl Into<String>, token: impl Into<String>) -> Self {
        Self {
            base: base.into(),
            token: token.into(),
            timeout: DEFAULT_TIMEOUT,
            seed: 0,
            checks: Vec::new(),
            tls: Tls::default(),
        }
    }

    /// The endpoint every request goes to.
    #[must_use]
    pub fn endpoint(&self) -> String {
        format!("{}/email/webhook", self.base.trim_end_matches('/'))
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("base", &self.base)
            .field("timeout", &self.timeout)
            .field("seed", &self.seed)
            .field("checks", &self.checks)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

/// What can keep a run from starting.
#[derive(Debug)]
#[non_exhaustive]
pub enum ApiError {
    /// The base URL is neither `http://...` nor `https://...`.
    BadBase(String),
    /// An API schema of the catalog does not compile.
    Catalog(CatalogError),
    /// No request body could be drawn from an API schema.
    Generate(String),
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::BadBase(b) => {
                write!(f, "{b}: the base URL must start with http:// or https://")
            }
            ApiError::Catalog(e) => e.fmt(f),
            ApiError::Generate(m) => write!(f, "cannot draw a request body: {m}"),
        }
    }
}

impl std::error::Error for ApiError {}

/// How one check ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckOutcome {
    /// The check held.
    Passed,
    /// The server did something the check forbids.
    Failed {
        /// One line saying what.
        message: String,
        /// The request that showed it.
        request: Option<Request>,
        /// The answer to it, or why none came.
        response: Option<Result<Response, String>>,
        /// Every request of the check, in order.
        requests: Vec<Request>,
    },
    /// The server could not be reached.
    Error {
        /// Why.
        message: String,
    },
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// The check.
    pub check: Check,
    /// How it ended.
    pub verdict: CheckOutcome,
    /// Facts a passed check found out (`after DELETE`: `GET answers 404`).
    pub notes: Vec<(String, String)>,
    /// Requests sent.
    pub requests: usize,
    /// How long it took.
    pub duration: Duration,
}

/// A finished run.
#[derive(Debug, Clone)]
pub struct ApiRun {
    /// The base URL checked.
    pub base: String,
    /// The seed the bodies were drawn from.
    pub seed: u64,
    /// The time limit of one request.
    pub timeout: Duration,
    /// When the run started.
    pub started: SystemTime,
    /// How long it took.
    pub duration: Duration,
    /// One result per check run, in [`Check::ALL`] order.
    pub results: Vec<CheckResult>,
}

impl ApiRun {
    /// Whether every check held.
    #[must_use]
    pub fn is_success(&self) -> bool {
        self.results
            .iter()
            .all(|r| r.verdict == CheckOutcome::Passed)
    }

    /// The result of `check`, if it ran.
    #[must_use]
    pub fn result(&self, check: Check) -> Option<&CheckResult> {
        self.results.iter().find(|r| r.check == check)
    }

    /// The checks that failed.
    #[must_use]
    pub fn failed(&self) -> Vec<Check> {
        self.results
            .iter()
            .filter(|r| matches!(r.verdict, CheckOutcome::Failed { .. }))
            .map(|r| r.check)
            .collect()
    }

    /// The run as a [`Report`]: one suite `msndr/api.webhook`, one case per check.
    #[must_use]
    pub fn to_report(&self) -> Report {
        let mut r = Report::new(format!("msndr webhook configuration API at {}", self.base));
        r.started = Some(self.started);
        r.duration = Some(self.duration);
        r.seed = Some(self.seed);
        let mut prop = |k: &str, v: String| r.properties.push(report::Property::new(k, v));
        prop("base url", self.base.clone());
        prop(
            "time limit",
            humantime::format_duration(self.timeout).to_string(),
        );
        for result in &self.results {
            for (k, v) in &result.notes {
                prop(k, v.clone());
            }
        }
        prop(
            "replay",
            format!(
                "hookcheck api-check msndr --url {} --seed {}",
                self.base, self.seed
            ),
        );
        let mut suite = Suite::new("msndr/api.webhook");
        suite.cases = self.results.iter().map(case).collect();
        r.suites.push(suite);
        r
    }
}

fn case(result: &CheckResult) -> Case {
    let outcome = match &result.verdict {
        CheckOutcome::Passed => report::Outcome::Passed,
        CheckOutcome::Error { message } => report::Outcome::Error {
            message: message.clone(),
            detail: None,
        },
        CheckOutcome::Failed {
            message,
            request,
            response,
            requests,
        } => {
            let mut detail = format!("check {}: {}", result.check, result.check.meaning());
            if let Some(req) = request {
                detail.push_str("\nrequest:\n");
                detail.push_str(&indent(&req.show()));
            }
            match response {
                Some(Ok(resp)) => {
                    detail.push_str("\nresponse:\n");
                    detail.push_str(&indent(&resp.show()));
                }
                Some(Err(why)) => detail.push_str(&format!("\nresponse: none ({why})")),
                None => {}
            }
            let lines: Vec<String> = requests.iter().map(Request::curl).collect();
            report::Outcome::Failed {
                message: message.clone(),
                detail: Some(detail),
                counterexample: Some(Counterexample {
                    seed: None,
                    input: lines.join("\n"),
                    note: Some(format!(
                        "replays the check's {} request(s) in order; set {TOKEN_VAR} first",
                        requests.len()
                    )),
                }),
            }
        }
    };
    let mut case = Case::new(result.check.id(), "hookcheck.api.msndr")
        .with_outcome(outcome)
        .with_property("requests", result.requests.to_string());
    for (k, v) in &result.notes {
        case = case.with_property(k.clone(), v.clone());
    }
    case.duration = Some(result.duration);
    case
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs the configured checks against the API at `config.base`.
///
/// # Errors
///
/// [`ApiError`] when the run cannot start (bad base URL, uncompilable schema). A server that
/// misbehaves or cannot be reached gives failed or error checks, not an error.
pub fn run(config: &Config) -> Result<ApiRun, ApiError> {
    run_with_progress(config, |_| {})
}

/// As [`run`], calling `progress` with each result as it is decided.
///
/// # Errors
///
/// As [`run`].
pub fn run_with_progress(
    config: &Config,
    mut progress: impl FnMut(&CheckResult),
) -> Result<ApiRun, ApiError> {
    if !crate::listen::replay::is_http_url(&config.base) {
        return Err(ApiError::BadBase(config.base.clone()));
    }
    let inputs = Inputs::draw(config.seed)?;
    let client = Client::new(config.token.clone(), config.timeout).with_tls(&config.tls);
    let started = SystemTime::now();
    let clock = Instant::now();
    let mut results = Vec::new();
    for check in Check::ALL {
        if !config.checks.is_empty() && !config.checks.contains(&check) {
            continue;
        }
        let t = Instant::now();
        let mut probe = Probe::new(&client, config.endpoint());
        let outcome = procedures::run(check, &mut probe, &inputs);
        let (verdict, notes) = match outcome {
            Ok(notes) => (
                CheckOutcome::Passed,
                notes.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            ),
            Err(Stop::Error(message)) => (CheckOutcome::Error { message }, Vec::new()),
            Err(Stop::Fail(message)) => (
                CheckOutcome::Failed {
                    message,
                    request: probe.sent.last().cloned(),
                    response: probe.last.clone().map(|r| r.map_err(|f| f.to_string())),
                    requests: probe.sent.clone(),
                },
                Vec::new(),
            ),
        };
        let result = CheckResult {
            check,
            verdict,
            notes,
            requests: probe.sent.len(),
            duration: t.elapsed(),
        };
        progress(&result);
        results.push(result);
    }
    Ok(ApiRun {
        base: config.base.clone(),
        seed: config.seed,
        timeout: config.timeout,
        started,
        duration: clock.elapsed(),
        results,
    })
}
