//! One connection: served by hyper's HTTP/1 builder, watched for slow heads and idleness,
//! and every request on it recorded, even those hyper refuses before there is a request.
//!
//! The socket is wrapped to count the bytes read. Bytes that arrived since the last request
//! was answered belong to a request head still being read; when hyper refuses such a head
//! (malformed line or headers, too many or too large headers), when the client closes or
//! stalls in the middle of one, or when the session ends during one, that is recorded as a
//! request of its own (rejected, incomplete or interrupted), with the first bytes shown.

use std::{
    convert::Infallible,
    io,
    net::SocketAddr,
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::{Duration, Instant, SystemTime},
};

use hyper::{server::conn::http1, service::service_fn};
use hyper_util::rt::TokioIo;
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpStream,
    sync::{Notify, watch},
};

use super::{
    StopReason,
    handler::{self, Shared},
    record::{Disposition, Record},
};

/// How much of a refused request's head is kept to show in its record.
const HEAD_SHOWN: usize = 200;

/// What is known about a connection's traffic.
#[derive(Debug)]
pub(crate) struct ConnState {
    /// Bytes read from the socket in all.
    read: u64,
    /// `read` when the last request was answered (or the connection accepted).
    answered_at: u64,
    /// When the first byte after `answered_at` arrived.
    head_since: Option<Instant>,
    /// When the connection was accepted or its last request answered.
    idle_since: Instant,
    /// Whether a request has been answered on this connection.
    reused: bool,
    /// Requests being handled.
    active: u32,
    /// The first bytes after `answered_at`.
    head: Vec<u8>,
    /// A request was answered without its body being read: what follows is that body, not
    /// a head (hyper closes such a connection).
    draining: bool,
    /// Set when the listener, at its connection limit, closes this connection to make room
    /// for a newer one.
    evicted: bool,
    /// Wakes the connection's watchdog when a deadline may have moved (or it was evicted).
    changed: Arc<Notify>,
}

impl ConnState {
    fn new() -> Self {
        Self {
            read: 0,
            answered_at: 0,
            head_since: None,
            idle_since: Instant::now(),
            reused: false,
            active: 0,
            head: Vec::new(),
            draining: false,
            evicted: false,
            changed: Arc::new(Notify::new()),
        }
    }

    /// Bytes of a request head that has not become a request.
    fn pending(&self) -> u64 {
        if self.active > 0 || self.draining {
            0
        } else {
            self.read - self.answered_at
        }
    }

    /// When the connection is to be closed for slowness, if nothing changes.
    fn deadline(&self, header_timeout: Duration, idle_timeout: Duration) -> Option<Instant> {
        if self.active > 0 {
            None
        } else if self.draining {
            Some(self.idle_since + header_timeout)
        } else if let Some(since) = self.head_since {
            Some(since + header_timeout)
        } else if self.reused {
            Some(self.idle_since + idle_timeout)
        } else {
            Some(self.idle_since + header_timeout)
        }
    }
}

fn lock<T>(state: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

/// How long an unfinished head or an idle keep-alive connection must have waited on its
/// client before it may be closed to make room.
const EVICT_SLOW: Duration = Duration::from_millis(250);

/// The same for a connection that has sent nothing since it was accepted.
const EVICT_SILENT: Duration = Duration::from_secs(1);

/// The connections being served, so that the listener, at its connection limit, can close
/// the one a slow client holds for a newer connection: a slow head or an idle keep-alive
/// connection keeps its slot only until someone else needs it.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    next: std::sync::atomic::AtomicU64,
    live: Mutex<std::collections::HashMap<u64, Arc<Mutex<ConnState>>>>,
}

impl Registry {
    fn add(&self, state: &Arc<Mutex<ConnState>>) -> u64 {
        let id = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        lock(&self.live).insert(id, Arc::clone(state));
        id
    }

    fn remove(&self, id: u64) {
        lock(&self.live).remove(&id);
    }

    /// Closes the connection that is waiting on its client with the earliest deadline (the
    /// one that would be closed first anyway), if any has waited long enough; connections
    /// with a request being handled are never closed. Returns whether one was (or still is
    /// being) closed.
    pub(crate) fn evict_one(&self, header_timeout: Duration, idle_timeout: Duration) -> bool {
        let live = lock(&self.live);
        let now = Instant::now();
        let mut oldest = None;
        for state in live.values() {
            let s = lock(state);
            if s.evicted {
                // One at a time: the last one is still closing.
                return true;
            }
            let waited = now.saturating_duration_since(s.head_since.unwrap_or(s.idle_since));
            // A connection that has sent nothing yet may have its first bytes on the way.
            let patience = if s.head_since.is_none() && !s.reused {
                EVICT_SILENT
            } else {
                EVICT_SLOW
            };
            if waited < patience.min(header_timeout) {
                continue;
            }
            if let Some(d) = s.deadline(header_timeout, idle_timeout)
                && oldest.as_ref().is_none_or(|(o, _)| d < *o)
            {
                oldest = Some((d, Arc::clone(state)));
            }
        }
        let Some((_, state)) = oldest else {
            return false;
        };
        let mut s = lock(&state);
        s.evicted = true;
        s.changed.notify_one();
        true
    }
}

/// Marks a request as being handled.
pub(crate) fn request_started(state: &Mutex<ConnState>) {
    let mut s = lock(state);
    s.active += 1;
    s.head_since = None;
    s.head.clear();
    s.changed.notify_one();
}

/// Marks a request as answered (or dropped); `body_read` says whether its body was read to
/// the end.
pub(crate) fn request_ended(state: &Mutex<ConnState>, body_read: bool) {
    let mut s = lock(state);
    s.draining |= !body_read;
    s.active = s.active.saturating_sub(1);
    s.answered_at = s.read;
    s.head_since = None;
    s.head.clear();
    s.idle_since = Instant::now();
    s.reused = true;
    s.changed.notify_one();
}

/// The socket, counting what is read.
struct Tracked {
    inner: TcpStream,
    state: Arc<Mutex<ConnState>>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let got = &buf.filled()[before..];
        if !got.is_empty() {
            let mut s = lock(&self.state);
            s.read += got.len() as u64;
            if s.active == 0 {
                if s.head_since.is_none() {
                    s.head_since = Some(Instant::now());
                    s.changed.notify_one();
                }
                let room = HEAD_SHOWN.saturating_sub(s.head.len());
                s.head.extend_from_slice(&got[..room.min(got.len())]);
            }
        }
        polled
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// A request head that never became a request, as a record.
fn head_record(
    shared: &Shared,
    peer: SocketAddr,
    state: &ConnState,
    outcome: Disposition,
    status: u16,
    what: String,
) -> Record {
    let arrived = if state.pending() == 0 {
        "the request head arrived along with the previous request on the connection".to_owned()
    } else {
        let more = if state.pending() > state.head.len() as u64 {
            "..."
        } else {
            ""
        };
        format!(
            "{} bytes of the request head arrived: \"{}{more}\"",
            state.pending(),
            state.head.escape_ascii()
        )
    };
    Record {
        seq: shared.next_seq(),
        received_at: humantime::format_rfc3339_micros(SystemTime::now()).to_string(),
        remote: peer.to_string(),
        method: String::new(),
        path: String::new(),
        headers: Vec::new(),
        body_size: 0,
        body_base64: None,
        body_text: None,
        outcome,
        status,
        validation: None,
        signatures: Vec::new(),
        problem: Some(format!("{what} ({arrived})")),
        duration_ms: state
            .head_since
            .map_or(0.0, |t| t.elapsed().as_secs_f64() * 1000.0),
    }
}

/// Records a head still pending when the connection task is dropped (the grace period ran
/// out), or the record being submitted when that happened.
struct Guard {
    shared: Arc<Shared>,
    state: Arc<Mutex<ConnState>>,
    peer: SocketAddr,
    record: Option<Record>,
    done: bool,
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(record) = self.record.take() {
            self.shared.submit_now(record);
            return;
        }
        if self.done {
            return;
        }
        let s = lock(&self.state);
        if s.pending() > 0 {
            let record = head_record(
                &self.shared,
                self.peer,
                &s,
                Disposition::Interrupted,
                0,
                "the session ended before the request head was complete".into(),
            );
            drop(s);
            self.shared.submit_now(record);
        }
    }
}

/// What hyper's error on a connection says about the head being read.
fn classify(e: &hyper::Error) -> (Disposition, u16, String) {
    if e.is_parse_too_large() {
        (
            Disposition::Rejected,
            431,
            format!("request head refused (431): {e}"),
        )
    } else if e.is_parse() || e.is_parse_status() {
        (
            Disposition::Rejected,
            400,
            format!("request head refused (400): {e}"),
        )
    } else {
        (
            Disposition::Incomplete,
            0,
            format!("the connection ended before the request head was complete: {e}"),
        )
    }
}

/// How long a connection may go on reading after the session ended, before it is shut down
/// gracefully (a request already being handled still runs to its end, within the grace period).
const SHUTDOWN_READ: Duration = Duration::from_millis(200);

async fn sleep_until_opt(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// The record of a connection closed by the listener (for slowness, or to make room) while
/// part of a request head had arrived, if any had.
fn unfinished(
    shared: &Shared,
    peer: SocketAddr,
    state: &ConnState,
    what: String,
) -> Option<Record> {
    (state.pending() > 0)
        .then(|| head_record(shared, peer, state, Disposition::Incomplete, 0, what))
}

/// The record of a head left unfinished when hyper is done with the connection, if any.
fn ended(
    shared: &Shared,
    peer: SocketAddr,
    state: &Mutex<ConnState>,
    served: &hyper::Result<()>,
    stopping: bool,
) -> Option<Record> {
    let s = lock(state);
    // A head refused after a request on the same connection may have been read along with
    // that request (pipelined), so it counts as pending no bytes.
    let refused = served
        .as_ref()
        .err()
        .is_some_and(|e| e.is_parse() || e.is_parse_too_large() || e.is_parse_status());
    if s.pending() == 0 && !refused {
        return None;
    }
    let (outcome, status, what) = match served {
        Err(e) => classify(e),
        Ok(()) if stopping => (
            Disposition::Interrupted,
            0,
            "the session ended before the request head was complete".into(),
        ),
        Ok(()) => (
            Disposition::Incomplete,
            0,
            "the connection ended before the request head was complete".into(),
        ),
    };
    Some(head_record(shared, peer, &s, outcome, status, what))
}

/// Serves one connection until it closes, is closed for slowness, or the session ends.
pub(crate) async fn serve(
    shared: Arc<Shared>,
    registry: Arc<Registry>,
    stream: TcpStream,
    peer: SocketAddr,
    mut stop: watch::Receiver<Option<StopReason>>,
) {
    let state = Arc::new(Mutex::new(ConnState::new()));
    let id = registry.add(&state);
    // Leaves the registry however the task ends (also when it is aborted).
    scopeguard::defer! { registry.remove(id) }
    let mut guard = Guard {
        shared: Arc::clone(&shared),
        state: Arc::clone(&state),
        peer,
        record: None,
        done: false,
    };
    let io = TokioIo::new(Tracked {
        inner: stream,
        state: Arc::clone(&state),
    });
    let service = {
        let shared = Arc::clone(&shared);
        let state = Arc::clone(&state);
        service_fn(move |request| {
            let shared = Arc::clone(&shared);
            let state = Arc::clone(&state);
            async move { Ok::<_, Infallible>(handler::handle(shared, peer, state, request).await) }
        })
    };
    let mut builder = http1::Builder::new();
    builder.keep_alive(true).header_read_timeout(None);
    let conn = builder.serve_connection(io, service);
    tokio::pin!(conn);
    // When the session ends, a connection first gets a moment to read what its client has
    // sent already: a graceful shutdown closes a connection that has not read its first request
    // yet, and that request, which reached the listener, would go unrecorded.
    let mut stopping = stop.borrow().is_some();
    let mut shut_at = stopping.then(|| tokio::time::Instant::now() + SHUTDOWN_READ);
    let changed = Arc::clone(&lock(&state).changed);
    let record;
    let mut evicted = false;
    loop {
        let deadline = lock(&state).deadline(shared.header_timeout, shared.idle_timeout);
        let sleep = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d.into()).await,
                // A request is being handled; look again in a while.
                None => tokio::time::sleep(Duration::from_secs(1)).await,
            }
        };
        tokio::select! {
            served = conn.as_mut() => {
                record = ended(&shared, peer, &state, &served, stopping);
                break;
            }
            () = sleep => {
                let s = lock(&state);
                let expired = s
                    .deadline(shared.header_timeout, shared.idle_timeout)
                    .is_some_and(|d| d <= Instant::now());
                if expired {
                    // Closed for slowness; part of a head is a request that never finished.
                    record = unfinished(
                        &shared,
                        peer,
                        &s,
                        format!(
                            "request head not received within {}",
                            humantime::format_duration(shared.header_timeout)
                        ),
                    );
                    break;
                }
            }
            () = changed.notified() => evicted = lock(&state).evicted,
            _ = stop.wait_for(Option::is_some), if !stopping => {
                stopping = true;
                shut_at = Some(tokio::time::Instant::now() + SHUTDOWN_READ);
            }
            () = sleep_until_opt(shut_at) => {
                shut_at = None;
                conn.as_mut().graceful_shutdown();
            }
        }
        if std::mem::take(&mut evicted) {
            // Before closing, hyper reads what the client has sent already (polled twice): a
            // head that completes now is a request, and the connection was not slow after all.
            let finished = tokio::select! {
                biased;
                served = conn.as_mut() => Some(served),
                () = tokio::task::yield_now() => None,
            };
            if let Some(served) = finished {
                record = ended(&shared, peer, &state, &served, stopping);
                break;
            }
            let mut s = lock(&state);
            if s.active > 0 {
                s.evicted = false;
                continue;
            }
            record = unfinished(
                &shared,
                peer,
                &s,
                "closed to make room for a newer connection: the listener was at its \
                 connection limit and this request head was still incomplete"
                    .into(),
            );
            break;
        }
    }
    guard.done = true;
    guard.record = record;
    let shared = Arc::clone(&guard.shared);
    shared.submit(&mut guard.record).await;
}
