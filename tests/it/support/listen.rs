//! Running a listener in a test: the `hookcheck listen` binary (start it, read the URL it
//! prints first, post to it, collect its exit code and output), or the library's listener in
//! a thread of its own.

use std::{
    io::{BufRead, BufReader, Read},
    process::{Child, ChildStdout, Command, Stdio},
    time::Duration,
};

use hookcheck::listen::{Config, Listener, Session, Stopper, check::CatalogChecker};

const BIN: &str = env!("CARGO_BIN_EXE_hookcheck");

/// Starts a library listener (records kept) on its config's address in a runtime thread of
/// its own; its address, its stopper, and the thread that returns the session.
pub(crate) fn start(
    mut config: Config,
) -> (
    std::net::SocketAddr,
    Stopper,
    std::thread::JoinHandle<Session>,
) {
    config.keep_records = true;
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = Listener::bind(config, CatalogChecker::builtin(None))
                .await
                .unwrap();
            tx.send((listener.local_addr(), listener.stopper()))
                .unwrap();
            listener.run().await.unwrap()
        })
    });
    let (addr, stopper) = rx.recv().unwrap();
    (addr, stopper, handle)
}

/// A running `hookcheck listen` and the URL it printed first.
pub(crate) struct Running {
    pub(crate) child: Child,
    pub(crate) url: String,
    stdout: BufReader<ChildStdout>,
}

/// Starts `hookcheck listen ARGS` and waits for its address line.
pub(crate) fn listen(args: &[&str]) -> Running {
    let mut child = Command::new(BIN)
        .arg("listen")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let url = first
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line was {first:?}"))
        .to_owned();
    Running { child, url, stdout }
}

impl Running {
    /// Waits for exit; returns the code and the rest of stdout and stderr.
    pub(crate) fn finish(mut self) -> (i32, String, String) {
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).unwrap();
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = self.child.wait().unwrap();
        (status.code().unwrap_or(-1), rest, err)
    }
}

/// An agent that returns every answer, whatever its status, within `timeout`.
pub(crate) fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build()
        .into()
}

/// POSTs `body` with `headers` to `url`; the status.
pub(crate) fn post(url: &str, headers: &[(String, String)], body: &[u8]) -> u16 {
    let mut req = agent(Duration::from_secs(20)).post(url);
    for (n, v) in headers {
        req = req.header(n, v);
    }
    req.send(body).unwrap().status().as_u16()
}
