//! One adapter process: started through `sh -c`, its stdio served by threads so that a process
//! that stops reading or writing never blocks the caller, and killed with every descendant.
//!
//! Every process is started in a process group of its own and with an environment variable
//! ([`MARKER`]) that its descendants inherit. Killing it kills the group and then, on Linux,
//! every process whose environment carries the same marker: a descendant that called `setsid`
//! (and so left the group) does not survive a restart or the end of the run.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use crate::parser::Fault;

/// Longest reply line accepted.
pub(super) const MAX_LINE: usize = 1 << 20;
/// How much of the process's stderr is kept.
const STDERR_TAIL: usize = 4096;
/// How long to wait for an exited process's status after its stdout closed.
const REAP_GRACE: Duration = Duration::from_millis(500);
/// The environment variable that marks an adapter process and its descendants.
pub(super) const MARKER: &str = "HOOKCHECK_ADAPTER_TOKEN";

/// One line the process wrote to stdout.
pub(super) enum Line {
    /// A complete line (newline included).
    Text(Vec<u8>),
    /// A line over [`MAX_LINE`] bytes; nothing more is read.
    TooLong,
    /// Stdout closed.
    Eof,
}

/// A running adapter process.
pub(super) struct Process {
    child: Child,
    token: String,
    /// Request lines for the writer thread (a process that stops reading must not block us).
    requests: mpsc::Sender<Vec<u8>>,
    pub(super) lines: Receiver<Line>,
    stderr: Arc<Mutex<VecDeque<u8>>>,
    stderr_closed: Receiver<()>,
}

impl Process {
    /// Starts `sh -c command`.
    pub(super) fn spawn(command: &str) -> Result<Self, Fault> {
        static SPAWNED: AtomicU64 = AtomicU64::new(0);
        let token = format!(
            "{}-{}",
            std::process::id(),
            SPAWNED.fetch_add(1, Ordering::Relaxed)
        );
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(command)
            .env(MARKER, &token)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .map_err(|e| Fault::Spawn {
                command: command.to_owned(),
                detail: e.to_string(),
            })?;
        let (Some(stdin), Some(stdout), Some(stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            kill_tree(&mut child, &token);
            return Err(Fault::Spawn {
                command: command.to_owned(),
                detail: "stdio pipes were not created".into(),
            });
        };
        let (tx, lines) = mpsc::channel();
        thread::spawn(move || read_lines(stdout, &tx));
        let (requests, pending) = mpsc::channel();
        thread::spawn(move || write_lines(stdin, &pending));
        let tail = Arc::new(Mutex::new(VecDeque::with_capacity(STDERR_TAIL)));
        let sink = Arc::clone(&tail);
        let (closed_tx, stderr_closed) = mpsc::channel();
        thread::spawn(move || {
            drain_stderr(stderr, &sink);
            let _ = closed_tx.send(());
        });
        Ok(Self {
            child,
            token,
            requests,
            lines,
            stderr: tail,
            stderr_closed,
        })
    }

    /// Queues one line for the process's stdin; false when the writer has stopped (the process
    /// closed stdin or died).
    pub(super) fn send(&self, line: Vec<u8>) -> bool {
        self.requests.send(line).is_ok()
    }

    /// The process died (stdout closed): its exit status and stderr tail, every descendant
    /// killed.
    pub(super) fn crashed(mut self) -> Fault {
        let status = reap(&mut self.child, &self.token);
        // Let the drain thread catch up with what the process wrote before it died.
        let _ = self.stderr_closed.recv_timeout(REAP_GRACE);
        Fault::Crashed {
            status,
            stderr: self.stderr_tail(),
        }
    }

    /// The last bytes of stderr, lossily decoded.
    pub(super) fn stderr_tail(&self) -> String {
        self.stderr
            .lock()
            .map(|mut tail| String::from_utf8_lossy(tail.make_contiguous()).into_owned())
            .unwrap_or_default()
    }

    /// Kills the process and every descendant.
    pub(super) fn kill(mut self) {
        kill_tree(&mut self.child, &self.token);
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // `kill` and `crashed` have reaped the child already; this covers every other way a
        // process is let go of (the adapter dropped, a panic unwinding).
        if matches!(self.child.try_wait(), Ok(None)) {
            kill_tree(&mut self.child, &self.token);
        }
    }
}

fn read_lines(stdout: impl Read, tx: &mpsc::Sender<Line>) {
    let mut reader = BufReader::new(stdout);
    loop {
        let mut buf = Vec::new();
        let limit = u64::try_from(MAX_LINE).unwrap_or(u64::MAX) + 1;
        match (&mut reader).take(limit).read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => {
                let _ = tx.send(Line::Eof);
                return;
            }
            Ok(_) if buf.last() != Some(&b'\n') && buf.len() > MAX_LINE => {
                let _ = tx.send(Line::TooLong);
                return;
            }
            Ok(_) => {
                if tx.send(Line::Text(buf)).is_err() {
                    return;
                }
            }
        }
    }
}

fn write_lines(mut stdin: ChildStdin, pending: &Receiver<Vec<u8>>) {
    for line in pending {
        if stdin.write_all(&line).and_then(|()| stdin.flush()).is_err() {
            return;
        }
    }
}

fn drain_stderr(mut stderr: impl Read, tail: &Mutex<VecDeque<u8>>) {
    let mut chunk = [0u8; 4096];
    while let Ok(n) = stderr.read(&mut chunk) {
        if n == 0 {
            return;
        }
        let mut tail = tail.lock().unwrap_or_else(PoisonError::into_inner);
        tail.extend(&chunk[..n]);
        let excess = tail.len().saturating_sub(STDERR_TAIL);
        tail.drain(..excess);
    }
}

/// Waits briefly for an exited process and returns its exit code (`None` if killed by a
/// signal or still running, in which case it is killed). Its descendants are killed either way.
fn reap(child: &mut Child, token: &str) -> Option<i32> {
    let until = Instant::now() + REAP_GRACE;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                kill_descendants(child.id(), token);
                return status.code();
            }
            Ok(None) if Instant::now() < until => thread::sleep(Duration::from_millis(2)),
            _ => {
                kill_tree(child, token);
                return None;
            }
        }
    }
}

/// Kills `child`, its process group and every process carrying its marker, and reaps `child`.
fn kill_tree(child: &mut Child, token: &str) {
    kill_descendants(child.id(), token);
    let _ = child.kill();
    let _ = child.wait();
}

/// Scans of `/proc` that must in a row find no marked process before the kill is done.
const CLEAN_SCANS: u32 = 2;
/// Most scans of one kill (a process killed at one scan may still show at the next).
const MAX_SCANS: u32 = 50;
/// The pause between two scans.
const SCAN_PAUSE: Duration = Duration::from_millis(1);

fn kill_descendants(pgid: u32, token: &str) {
    use rustix::process::{Pid, Signal, kill_process, kill_process_group};
    if let Some(pid) = i32::try_from(pgid).ok().and_then(Pid::from_raw) {
        let _ = kill_process_group(pid, Signal::KILL);
    }
    // A process killed at one scan may still show at the next, and a marked process can fork
    // between a scan and its kill: the kill is done only when scans in a row find no marked
    // process left. (A process caught mid-exec is waited for by `carries`.)
    let mut clean = 0;
    for _ in 0..MAX_SCANS {
        let marked = marked_processes(token);
        if marked.is_empty() {
            clean += 1;
            if clean == CLEAN_SCANS {
                return;
            }
        } else {
            clean = 0;
        }
        for pid in marked {
            if let Some(pid) = Pid::from_raw(pid) {
                let _ = kill_process(pid, Signal::KILL);
            }
        }
        thread::sleep(SCAN_PAUSE);
    }
}

/// The processes whose environment holds `MARKER=token` (Linux `/proc`; none elsewhere).
fn marked_processes(token: &str) -> Vec<i32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let needle = format!("{MARKER}={token}");
    let me = std::process::id();
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| u32::try_from(*pid).ok() != Some(me))
        .filter(|pid| carries(*pid, needle.as_bytes()))
        .collect()
}

/// Longest a process may stay in the middle of an `exec` before it counts as unmarked.
const EXEC_WAIT: Duration = Duration::from_millis(100);

/// Whether process `pid`'s environment holds `needle`. A process of ours caught in the middle
/// of an `exec` cannot be read for a moment (refused while its new image is not dumpable yet,
/// then empty until its arguments and environment are set up): it is read again, a little
/// later, until it can be.
fn carries(pid: i32, needle: &[u8]) -> bool {
    let until = Instant::now() + EXEC_WAIT;
    loop {
        let execing = match std::fs::read(format!("/proc/{pid}/environ")) {
            Ok(env) if !env.is_empty() => {
                return env.split(|b| *b == 0).any(|entry| entry == needle);
            }
            Ok(_) => {
                // A process started with an empty environment still has its arguments.
                std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|a| a.is_empty())
                    && execing(pid)
            }
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => execing(pid),
            Err(_) => false,
        };
        if !execing || Instant::now() >= until {
            return false;
        }
        thread::sleep(SCAN_PAUSE);
    }
}

/// Whether `pid`, which could not be read, may be one of ours in the middle of an `exec`:
/// owned by this user, alive (not a zombie), not a kernel thread, and started after this
/// process (so that no older process that is never readable, such as the container's init,
/// is waited for).
fn execing(pid: i32) -> bool {
    use std::os::unix::fs::MetadataExt;
    let ours = std::fs::metadata(format!("/proc/{pid}"))
        .is_ok_and(|m| m.uid() == rustix::process::geteuid().as_raw());
    static STARTED: OnceLock<Option<u64>> = OnceLock::new();
    let started = STARTED.get_or_init(|| Stat::of(std::process::id() as i32).map(|me| me.start));
    let (Some(stat), Some(started)) = (Stat::of(pid), *started) else {
        return false;
    };
    ours && stat.alive() && !stat.kernel_thread() && stat.start >= started
}

/// What [`execing`] reads of `/proc/<pid>/stat`.
struct Stat {
    state: char,
    flags: u64,
    /// Clock ticks after boot at which the process started.
    start: u64,
}

impl Stat {
    /// `PF_KTHREAD` in the flags.
    const KERNEL_THREAD: u64 = 0x0020_0000;

    fn of(pid: i32) -> Option<Stat> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // After the command name (in parentheses, and free to hold anything): the state
        // (field 3 of proc(5)), then ppid, pgrp, session, tty_nr, tpgid and the flags (9), and
        // the start time (22).
        let (_, fields) = stat.rsplit_once(')')?;
        let fields: Vec<&str> = fields.split_whitespace().collect();
        Some(Stat {
            state: fields.first()?.chars().next()?,
            flags: fields.get(9 - 3)?.parse().ok()?,
            start: fields.get(22 - 3)?.parse().ok()?,
        })
    }

    fn alive(&self) -> bool {
        !matches!(self.state, 'Z' | 'X' | 'x')
    }

    fn kernel_thread(&self) -> bool {
        self.flags & Self::KERNEL_THREAD != 0
    }
}
