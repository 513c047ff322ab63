//! Running the `hookcheck listen` binary in a test: start it, read the URL it prints first,
//! post to it, and collect its exit code and output.

use std::{
    io::{BufRead, BufReader, Read},
    process::{Child, ChildStdout, Command, Stdio},
    time::Duration,
};

const BIN: &str = env!("CARGO_BIN_EXE_hookcheck");

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
