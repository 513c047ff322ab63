//! `hookcheck listen`: a webhook receiver that checks everything it is sent.
//!
//! Point a service's webhook URL at the listener during its tests. Every POST, on any path, is
//! read (up to a size limit and a read timeout), checked against the catalog with vendor and
//! event detected from the envelope, its signature verified when a key or secret is
//! configured, recorded, and answered:
//!
//! | outcome | status | when |
//! | --- | --- | --- |
//! | conforming | 200 | the body conforms to its event's schema (and the signature verifies) |
//! | nonconforming | 400 | not JSON, no known envelope, or schema violations |
//! | unauthorized | 401 | a required signature is missing or wrong |
//! | too large | 413 | the body is over the limit |
//! | incomplete | 408/400 | the body did not arrive within the read timeout, or broke off |
//! | ignored | 405 | not a POST (not counted) |
//!
//! Error answers are JSON: `{"outcome": ..., "key"?: ..., "errors": [{"instance_path",
//! "keyword", "message"}]}`, with the pseudo-keywords `json`, `envelope`, `signature`, `size`
//! and `incomplete` for problems that are not schema violations.
//!
//! The session ends after `expect` counted requests, after `timeout`, or when a [`Stopper`]
//! is triggered (the CLI does so on Ctrl-C). Requests in flight then get a grace period to
//! finish; every completed request is recorded exactly once (see [`record`]) and the
//! [`Session`] turns into a [`crate::report::Report`].
//!
//! # Example
//!
//! ```no_run
//! use hookcheck::listen::{Config, Listener, check::CatalogChecker};
//!
//! # async fn demo() -> Result<(), hookcheck::listen::ListenError> {
//! let config = Config { expect: Some(3), ..Config::default() };
//! let listener = Listener::bind(config, CatalogChecker::builtin(None)).await?;
//! println!("listening on http://{}", listener.local_addr());
//! let session = listener.run().await?;
//! assert!(session.is_success());
//! # Ok(()) }
//! ```

pub mod check;
mod handler;
pub mod record;
pub mod replay;
mod report;
pub mod verify;

use std::{
    fmt, io,
    net::SocketAddr,
    path::PathBuf,
    sync::{Arc, atomic::AtomicU64},
    time::{Duration, Instant, SystemTime},
};

use axum::Router;
use tokio::{net::TcpListener, sync::watch};

use check::Checker;
use record::{OnRecord, Outcome, Record, Writer};
pub use verify::Verifiers;

/// The default body limit: 16 MiB, as for `hookcheck validate`.
pub const DEFAULT_MAX_BODY: u64 = 16 * 1024 * 1024;

/// How a listener is set up.
pub struct Config {
    /// Address to bind; port 0 picks a free port.
    pub bind: SocketAddr,
    /// Stop after this many counted (non-ignored) requests.
    pub expect: Option<u64>,
    /// Stop after this long.
    pub timeout: Option<Duration>,
    /// Largest body accepted, in bytes.
    pub max_body: u64,
    /// How long a request may take to deliver its body.
    pub read_timeout: Duration,
    /// How long requests in flight may take to finish once the session stops.
    pub grace: Duration,
    /// Where to write the NDJSON recording.
    pub record: Option<PathBuf>,
    /// Signature verifiers.
    pub verifiers: Verifiers,
    /// Called with each record as it is written (from the writer thread).
    pub on_record: Option<OnRecord>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            expect: None,
            timeout: None,
            max_body: DEFAULT_MAX_BODY,
            read_timeout: Duration::from_secs(30),
            grace: Duration::from_secs(5),
            record: None,
            verifiers: Verifiers::default(),
            on_record: None,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("expect", &self.expect)
            .field("timeout", &self.timeout)
            .field("max_body", &self.max_body)
            .field("read_timeout", &self.read_timeout)
            .field("grace", &self.grace)
            .field("record", &self.record)
            .field("verifiers", &self.verifiers)
            .finish_non_exhaustive()
    }
}

/// Why a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The expected number of requests arrived.
    Expected,
    /// The timeout passed.
    TimedOut,
    /// Stopped from outside (Ctrl-C, or [`Stopper::stop`]).
    Stopped,
}

/// What can keep a listener from running.
#[derive(Debug)]
#[non_exhaustive]
pub enum ListenError {
    /// The address could not be bound.
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: io::Error,
    },
    /// The recording file could not be created or written.
    Record {
        /// The file.
        path: Option<PathBuf>,
        /// The OS error.
        source: io::Error,
    },
    /// The server failed while running.
    Serve {
        /// The error.
        source: io::Error,
    },
}

impl fmt::Display for ListenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ListenError::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            ListenError::Record {
                path: Some(p),
                source,
            } => write!(f, "{}: {source}", p.display()),
            ListenError::Record { path: None, source } => write!(f, "recording: {source}"),
            ListenError::Serve { source } => write!(f, "server error: {source}"),
        }
    }
}

impl std::error::Error for ListenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ListenError::Bind { source, .. }
            | ListenError::Record { source, .. }
            | ListenError::Serve { source } => Some(source),
        }
    }
}

/// Ends a running session from outside; cheap to clone.
#[derive(Debug, Clone)]
pub struct Stopper(watch::Sender<Option<StopReason>>);

impl Stopper {
    /// Ends the session (no effect if it is already ending).
    pub fn stop(&self) {
        self.0.send_if_modified(|s| {
            let first = s.is_none();
            if first {
                *s = Some(StopReason::Stopped);
            }
            first
        });
    }
}

/// A bound listener, ready to run.
pub struct Listener {
    tcp: TcpListener,
    addr: SocketAddr,
    config: Config,
    checker: Arc<dyn Checker>,
    stop: watch::Sender<Option<StopReason>>,
}

impl fmt::Debug for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Listener")
            .field("addr", &self.addr)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// A finished session: every request recorded, and why it ended.
#[derive(Debug, Clone)]
pub struct Session {
    /// Where the listener was.
    pub addr: SocketAddr,
    /// When it started.
    pub started: SystemTime,
    /// How long it ran.
    pub duration: Duration,
    /// Why it ended.
    pub reason: StopReason,
    /// The requests expected, if a number was.
    pub expect: Option<u64>,
    /// Every request, in arrival order.
    pub records: Vec<Record>,
}

impl Session {
    /// Requests that count (everything but ignored methods).
    #[must_use]
    pub fn counted(&self) -> usize {
        self.records
            .iter()
            .filter(|r| r.outcome != Outcome::Ignored)
            .count()
    }

    /// How many requests short of `expect` the session ended, if any.
    #[must_use]
    pub fn shortfall(&self) -> Option<u64> {
        let got = self.counted() as u64;
        self.expect.filter(|e| *e > got).map(|e| e - got)
    }

    /// Whether every counted request conformed and none were missing.
    #[must_use]
    pub fn is_success(&self) -> bool {
        self.shortfall().is_none()
            && self
                .records
                .iter()
                .all(|r| matches!(r.outcome, Outcome::Conforming | Outcome::Ignored))
    }
}

impl Listener {
    /// Binds the address and prepares the listener; the socket accepts connections from now
    /// on (they are served once [`Listener::run`] is called).
    ///
    /// # Errors
    ///
    /// [`ListenError::Bind`] if the address cannot be bound.
    pub async fn bind(config: Config, checker: impl Checker) -> Result<Self, ListenError> {
        let tcp = TcpListener::bind(config.bind)
            .await
            .map_err(|source| ListenError::Bind {
                addr: config.bind,
                source,
            })?;
        let addr = tcp.local_addr().map_err(|source| ListenError::Bind {
            addr: config.bind,
            source,
        })?;
        let (stop, _) = watch::channel(None);
        Ok(Self {
            tcp,
            addr,
            config,
            checker: Arc::new(checker),
            stop,
        })
    }

    /// The bound address (with the port chosen when binding port 0).
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// A handle that ends the session.
    #[must_use]
    pub fn stopper(&self) -> Stopper {
        Stopper(self.stop.clone())
    }

    /// Serves until the session ends, then waits for requests in flight (up to the grace
    /// period), flushes the recording and returns every record.
    ///
    /// # Errors
    ///
    /// [`ListenError::Record`] if the recording cannot be created or written,
    /// [`ListenError::Serve`] if the server fails.
    pub async fn run(self) -> Result<Session, ListenError> {
        let Listener {
            tcp,
            addr,
            mut config,
            checker,
            stop,
        } = self;
        let started = SystemTime::now();
        let clock = Instant::now();
        let record_path = config.record.clone();
        let writer =
            Writer::start(record_path.clone(), config.on_record.take()).map_err(|source| {
                ListenError::Record {
                    path: record_path.clone(),
                    source,
                }
            })?;
        let shared = Arc::new(handler::Shared {
            checker,
            verifiers: config.verifiers.clone(),
            max_body: config.max_body,
            read_timeout: config.read_timeout,
            expect: config.expect,
            seq: AtomicU64::new(0),
            counted: AtomicU64::new(0),
            tx: writer.sender(),
            stop: stop.clone(),
        });
        if config.expect == Some(0) {
            stop.send_replace(Some(StopReason::Expected));
        }
        let app = Router::new()
            .fallback(handler::handle)
            .with_state(shared)
            .into_make_service_with_connect_info::<SocketAddr>();
        let mut stopped = stop.subscribe();
        let signal = async move {
            // Resolves once a reason is set; an error means every sender is gone, which
            // cannot happen while `stop` is held below.
            let _ = stopped.wait_for(Option::is_some).await;
        };
        let mut server = tokio::spawn(
            axum::serve(tcp, app)
                .with_graceful_shutdown(signal)
                .into_future(),
        );
        let mut rx = stop.subscribe();
        let deadline = config.timeout;
        let ended = async {
            let _ = rx.wait_for(Option::is_some).await;
        };
        let early = tokio::select! {
            r = &mut server => Some(r),
            () = ended => None,
            () = sleep_opt(deadline) => {
                stop.send_if_modified(|s| {
                    let first = s.is_none();
                    if first { *s = Some(StopReason::TimedOut); }
                    first
                });
                None
            }
        };
        let served = match early {
            Some(r) => Some(r),
            None => match tokio::time::timeout(config.grace, &mut server).await {
                Ok(r) => Some(r),
                Err(_) => {
                    server.abort();
                    None
                }
            },
        };
        let reason = stop.borrow().unwrap_or(StopReason::Stopped);
        let mut records = writer
            .finish()
            .await
            .map_err(|source| ListenError::Record {
                path: record_path,
                source,
            })?;
        records.sort_by_key(|r| r.seq);
        if let Some(Ok(Err(source))) = served {
            return Err(ListenError::Serve { source });
        }
        Ok(Session {
            addr,
            started,
            duration: clock.elapsed(),
            reason,
            expect: config.expect,
            records,
        })
    }
}

async fn sleep_opt(d: Option<Duration>) {
    match d {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}
