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
//! | incomplete | 408/400 | the body did not arrive within the read timeout, or broke off; or the headers did not arrive within the header timeout (no answer) |
//! | rejected | 400/431 | the HTTP parser refused the request line or headers |
//! | interrupted | none | the session ended, after its grace period, before the answer |
//! | ignored | 405 | not a POST (not counted) |
//! | deferred | 503 | on purpose, to test retries: the first deliveries of each event with [`Config::deliveries`] (not counted, see [`deliveries`]) |
//!
//! Error answers are JSON: `{"outcome": ..., "key"?: ..., "errors": [{"instance_path",
//! "keyword", "message"}]}`, with the pseudo-keywords `json`, `envelope`, `signature`, `size`
//! and `incomplete` for problems that are not schema violations.
//!
//! Connections are accepted by the listener itself, at most `max_connections` at a time, and
//! served by hyper's HTTP/1 connection builder. A connection that has not sent a complete
//! request head within `header_timeout` of its first byte (or of being accepted) is closed,
//! and so is a keep-alive connection idle for `idle_timeout`. At the limit (or out of file
//! descriptors), a newly accepted connection takes the place of the waiting connection with
//! the earliest of those deadlines, so a slow client holds a slot only until someone else
//! needs it; only when every connection has a request in hand does a new one wait.
//!
//! The session ends after `expect` counted requests, after `timeout`, or when a [`Stopper`]
//! is triggered (the CLI does so on SIGINT and SIGTERM). Requests in flight then get a grace
//! period to finish (a second [`Stopper::stop`] ends it at once); those still running are
//! recorded as interrupted. Every request that reached the listener is recorded exactly once
//! (see [`record`]), including those the HTTP parser refused, and counted in the
//! [`Session`]'s streaming tally, which turns into a [`crate::report::Report`].
//!
//! The writer thread also keeps the session's schema coverage ([`crate::coverage`]: the
//! events seen and the coverage items their bodies exercised, a bit per item) and follows
//! deliveries per event ([`deliveries`]: 64-bit hashes and times, to check retries after a
//! deliberate 503 and to note duplicates). [`Session::coverage`] and
//! [`Session::deliveries`] hold the results, and the session fails when a coverage gate
//! ([`Config::coverage`]) or a retry check does.
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
mod conn;
pub mod deliveries;
mod handler;
pub mod record;
pub mod replay;
mod report;
pub mod tally;
pub mod verify;

use std::{
    fmt, io,
    net::SocketAddr,
    path::PathBuf,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant, SystemTime},
};

use tokio::{
    net::{TcpListener, TcpStream},
    sync::{Semaphore, watch},
    task::JoinSet,
};

use check::Checker;
use record::{OnRecord, Record, Writer};
pub use tally::Totals;
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
    /// How long a client may take to send a request's line and headers, from its first byte
    /// (or, for a connection's first request, from the connection being accepted).
    pub header_timeout: Duration,
    /// How long a keep-alive connection may stay idle between requests.
    pub idle_timeout: Duration,
    /// Connections served at once. At the limit, a new connection takes the place of the
    /// slowest one waiting on its client; when all are handling requests, it waits.
    pub max_connections: usize,
    /// How long requests in flight may take to finish once the session stops.
    pub grace: Duration,
    /// Where to write the NDJSON recording.
    pub record: Option<PathBuf>,
    /// Keep every record in memory, in [`Session::records`] (for tests and short library
    /// sessions; off, memory stays flat however many requests arrive).
    pub keep_records: bool,
    /// Signature verifiers.
    pub verifiers: Verifiers,
    /// Called with each record as it is written (from the writer thread; must not block).
    pub on_record: Option<OnRecord>,
    /// The vendor in scope and the gates of the session's coverage (see [`crate::coverage`]).
    pub coverage: crate::coverage::Gates,
    /// Deliveries deferred to test the sender's retries (see [`deliveries`]).
    pub deliveries: deliveries::Deliveries,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            expect: None,
            timeout: None,
            max_body: DEFAULT_MAX_BODY,
            read_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            max_connections: 512,
            grace: Duration::from_secs(5),
            record: None,
            keep_records: false,
            verifiers: Verifiers::default(),
            on_record: None,
            coverage: crate::coverage::Gates::default(),
            deliveries: deliveries::Deliveries::default(),
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
            .field("header_timeout", &self.header_timeout)
            .field("idle_timeout", &self.idle_timeout)
            .field("max_connections", &self.max_connections)
            .field("grace", &self.grace)
            .field("record", &self.record)
            .field("keep_records", &self.keep_records)
            .field("verifiers", &self.verifiers)
            .field("coverage", &self.coverage)
            .field("deliveries", &self.deliveries)
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
    /// Stopped from outside (a signal, or [`Stopper::stop`]).
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
pub struct Stopper {
    stop: watch::Sender<Option<StopReason>>,
    hurry: watch::Sender<bool>,
}

impl Stopper {
    /// Ends the session: the first call stops accepting and starts the grace period, a
    /// second one ends the grace period at once (requests still running are recorded as
    /// interrupted).
    pub fn stop(&self) {
        let first = set_reason(&self.stop, StopReason::Stopped);
        if !first {
            self.hurry.send_replace(true);
        }
    }
}

/// Sets the stop reason unless one is set; whether this call set it.
fn set_reason(stop: &watch::Sender<Option<StopReason>>, reason: StopReason) -> bool {
    stop.send_if_modified(|s| {
        let first = s.is_none();
        if first {
            *s = Some(reason);
        }
        first
    })
}

/// A bound listener, ready to run.
pub struct Listener {
    tcp: TcpListener,
    addr: SocketAddr,
    config: Config,
    checker: Arc<dyn Checker>,
    stopper: Stopper,
}

impl fmt::Debug for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Listener")
            .field("addr", &self.addr)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// A finished session: how every request ended, and why the session did.
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
    /// How many requests ended how.
    pub totals: Totals,
    /// Every request, by `seq`, when [`Config::keep_records`] was set (else empty: the
    /// recording file has them).
    pub records: Vec<Record>,
    /// What the bodies covered of the catalog, and whether the coverage gates held.
    pub coverage: crate::coverage::Coverage,
    /// What the session saw of retries and duplicates.
    pub deliveries: deliveries::DeliveryReport,
    tally: tally::Tally,
}

impl Session {
    /// Requests that count (everything but ignored methods).
    #[must_use]
    pub fn counted(&self) -> u64 {
        self.totals.counted()
    }

    /// How many requests short of `expect` the session ended, if any.
    #[must_use]
    pub fn shortfall(&self) -> Option<u64> {
        let got = self.counted();
        self.expect.filter(|e| *e > got).map(|e| e - got)
    }

    /// Whether every counted request conformed, none were missing, the coverage gates held
    /// and every deferred event was retried with the same body.
    #[must_use]
    pub fn is_success(&self) -> bool {
        self.shortfall().is_none()
            && self.totals.conforming + self.totals.ignored + self.totals.deferred
                == self.totals.requests
            && self.coverage.passed()
            && self.deliveries.failures().is_empty()
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
        let (hurry, _) = watch::channel(false);
        Ok(Self {
            tcp,
            addr,
            config,
            checker: Arc::new(checker),
            stopper: Stopper { stop, hurry },
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
        self.stopper.clone()
    }

    /// Serves until the session ends, then waits for requests in flight (up to the grace
    /// period), records those still running as interrupted, flushes the recording and
    /// returns the session.
    ///
    /// # Errors
    ///
    /// [`ListenError::Record`] if the recording cannot be created or written.
    pub async fn run(self) -> Result<Session, ListenError> {
        let Listener {
            tcp,
            addr,
            mut config,
            checker,
            stopper,
        } = self;
        let started = SystemTime::now();
        let clock = Instant::now();
        let record_path = config.record.clone();
        let record_err = |source| ListenError::Record {
            path: record_path.clone(),
            source,
        };
        let writer = Writer::start(
            record_path.clone(),
            config.on_record.take(),
            config.keep_records,
            config.deliveries.fail_first,
        )
        .map_err(record_err)?;
        let stop = stopper.stop.clone();
        let shared = Arc::new(handler::Shared {
            checker,
            verifiers: config.verifiers.clone(),
            max_body: config.max_body,
            read_timeout: config.read_timeout,
            header_timeout: config.header_timeout,
            idle_timeout: config.idle_timeout,
            expect: config.expect,
            seq: AtomicU64::new(0),
            counted: AtomicU64::new(0),
            tx: writer.sender(),
            late: Mutex::new(Vec::new()),
            interrupting: AtomicBool::new(false),
            stop: stop.clone(),
            deliveries: config.deliveries,
            deferrals: deliveries::Deferrals::default(),
        });
        if config.expect == Some(0) {
            set_reason(&stop, StopReason::Expected);
        }
        let mut tasks = JoinSet::new();
        let slots = Arc::new(Semaphore::new(config.max_connections.max(1)));
        let mut stopped = stop.subscribe();
        let ended = async {
            // Resolves once a reason is set (the sender lives as long as `stop`).
            let _ = stopped.wait_for(Option::is_some).await;
        };
        tokio::pin!(ended);
        let deadline = sleep_opt(config.timeout);
        tokio::pin!(deadline);
        let registry = Arc::new(conn::Registry::default());
        let serve = |tasks: &mut JoinSet<()>, stream: TcpStream, peer, permit| {
            let _ = stream.set_nodelay(true);
            let shared = Arc::clone(&shared);
            let registry = Arc::clone(&registry);
            let stop = stop.subscribe();
            tasks.spawn(async move {
                conn::serve(shared, registry, stream, peer, stop).await;
                drop(permit);
            });
        };
        loop {
            let accepted = tokio::select! {
                biased;
                () = &mut ended => break,
                () = &mut deadline => {
                    set_reason(&stop, StopReason::TimedOut);
                    break;
                }
                a = tcp.accept() => a,
            };
            while tasks.try_join_next().is_some() {}
            let (stream, peer) = match accepted {
                Ok(accepted) => accepted,
                // Out of descriptors, the listener makes room if a slow client holds a
                // connection; after any error (a connection reset before it was accepted,
                // say) it carries on, after a pause that keeps an exhausted process from
                // spinning.
                Err(e) => {
                    if out_of_descriptors(&e) {
                        registry.evict_one(config.header_timeout, config.idle_timeout);
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            };
            // At the limit, the connection a slow client holds (an unfinished head, an idle
            // keep-alive) is closed for this one; only when every connection is busy with a
            // request does this one wait for a slot.
            let permit = match Arc::clone(&slots).try_acquire_owned() {
                Ok(p) => Some(p),
                Err(_) => loop {
                    registry.evict_one(config.header_timeout, config.idle_timeout);
                    tokio::select! {
                        biased;
                        () = &mut ended => break None,
                        () = &mut deadline => {
                            set_reason(&stop, StopReason::TimedOut);
                            break None;
                        }
                        p = Arc::clone(&slots).acquire_owned() => break p.ok(),
                        // A connection may since have waited long enough to make room.
                        () = tokio::time::sleep(Duration::from_millis(50)) => {}
                    }
                },
            };
            let stopping = permit.is_none();
            // A connection accepted is served, also when the session ended meanwhile.
            serve(&mut tasks, stream, peer, permit);
            if stopping {
                break;
            }
        }
        // Connections the kernel has completed already (waiting in the backlog, perhaps for a
        // connection slot) reached the listener: take every one before closing it, so that
        // none is dropped unrecorded. They are served like the others, within the grace period.
        // Out of descriptors, the drain waits for connections closing to free some, within
        // the grace period.
        let drain_until = tokio::time::Instant::now() + config.grace;
        loop {
            match tokio::time::timeout(Duration::from_millis(5), tcp.accept()).await {
                Ok(Ok((stream, peer))) => serve(&mut tasks, stream, peer, None),
                // Out of descriptors, make room and wait for one; after another error (a
                // connection reset before it was accepted), go on to the next.
                Ok(Err(e)) if tokio::time::Instant::now() < drain_until => {
                    if out_of_descriptors(&e) {
                        registry.evict_one(config.header_timeout, config.idle_timeout);
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Ok(Err(_)) | Err(_) => break,
            }
        }
        // No new connections from here on.
        drop(tcp);
        let mut hurry = stopper.hurry.subscribe();
        let drained = async { while tasks.join_next().await.is_some() {} };
        let hurried = async {
            let _ = hurry.wait_for(|h| *h).await;
        };
        tokio::select! {
            () = drained => {}
            () = tokio::time::sleep(config.grace) => {}
            () = hurried => {}
        }
        shared.interrupting.store(true, Ordering::SeqCst);
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
        let reason = stop.borrow().unwrap_or(StopReason::Stopped);
        let late = std::mem::take(&mut *shared.late.lock().unwrap_or_else(|e| e.into_inner()));
        let tx = shared.tx.clone();
        drop(shared);
        for record in late {
            // Fails only if the writer is gone, in which case finish says why.
            let _ = tx.send(Box::new(record)).await;
        }
        drop(tx);
        let mut written = writer.finish().await.map_err(record_err)?;
        let coverage = written
            .coverage
            .summary(crate::catalog::Catalog::active(), &config.coverage);
        let mut records = written.records;
        records.sort_by_key(|r| r.seq);
        Ok(Session {
            addr,
            started,
            duration: clock.elapsed(),
            reason,
            expect: config.expect,
            totals: written.tally.totals,
            records,
            coverage,
            deliveries: written.deliveries,
            tally: written.tally,
        })
    }
}

/// Whether accepting failed because the process (or the system) is out of file descriptors.
fn out_of_descriptors(e: &io::Error) -> bool {
    use rustix::io::Errno;
    let code = e.raw_os_error();
    code == Some(Errno::MFILE.raw_os_error()) || code == Some(Errno::NFILE.raw_os_error())
}

async fn sleep_opt(d: Option<Duration>) {
    match d {
        Some(d) => tokio::time::sleep(d).await,
        None => std::future::pending().await,
    }
}
