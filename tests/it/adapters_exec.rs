//! The exec adapter: the example Python adapter agrees with the reference parsers, and crashes,
//! hangs and protocol violations are faults that fail one case and restart the process.

use crate::support::fixtures;

use std::{
    path::Path,
    time::{Duration, Instant},
};

use fixtures::{Fixture, all_fixtures, fixtures, must_accept, must_reject};
use hookcheck::{
    adapters::exec::ExecParser,
    catalog::Vendor,
    parser::{Fault, ParseError, ParsedEvent, WebhookParser},
    parsers::ReferenceParser,
};

fn script(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    assert!(path.exists(), "{} missing", path.display());
    format!("python3 '{}'", path.display())
}

fn example() -> ExecParser {
    ExecParser::new(script("examples/exec_adapter.py")).with_timeout(Duration::from_secs(20))
}

fn misbehaving(mode: &str, timeout: Duration) -> ExecParser {
    ExecParser::new(format!(
        "{} {mode}",
        script("tests/fixtures/misbehaving_adapter.py")
    ))
    .with_timeout(timeout)
}

fn fixture(vendor: Vendor, event: &str) -> Fixture {
    fixtures(vendor)
        .into_iter()
        .find(|f| f.event == event)
        .unwrap()
}

fn assert_same(ctx: &str, got: &ParsedEvent<'_>, want: &ParsedEvent<'_>) {
    assert_eq!(got.event, want.event, "{ctx}");
    assert_eq!(got.event_id, want.event_id, "{ctx}");
    assert_eq!(got.message_id, want.message_id, "{ctx}");
    assert_eq!(got.recipient, want.recipient, "{ctx}");
    match (&got.timestamp, &want.timestamp) {
        (Some(a), Some(b)) => assert!(a.matches(b), "{ctx}: {a:?} vs {b:?}"),
        (a, b) => assert_eq!(a.is_some(), b.is_some(), "{ctx}"),
    }
}

#[test]
fn python_example_agrees_with_the_reference_parsers() {
    let python = example();
    let mut cases = 0;
    for fixture in all_fixtures() {
        let mut accept = vec![fixtures::Case {
            label: "as is".into(),
            body: fixture.body.clone(),
        }];
        accept.extend(must_accept(&fixture));
        for case in accept {
            let ctx = format!("{} {}: {}", fixture.vendor, fixture.event, case.label);
            let want = ReferenceParser
                .parse(fixture.vendor, &case.body)
                .expect("reference accepts");
            let got = python
                .parse(fixture.vendor, &case.body)
                .unwrap_or_else(|e| panic!("{ctx}: {e}"));
            assert_same(&ctx, &got, &want);
            cases += 1;
        }
        for case in must_reject(&fixture) {
            let ctx = format!("{} {}: {}", fixture.vendor, fixture.event, case.label);
            match python.parse(fixture.vendor, &case.body) {
                Err(ParseError::Rejected { .. }) => {}
                other => panic!("{ctx}: expected a rejection, got {other:?}"),
            }
            cases += 1;
        }
    }
    assert!(cases > 1000, "only {cases} cases");
    assert_eq!(
        python.starts(),
        1,
        "the example adapter never needs a restart"
    );
}

#[test]
fn a_crash_fails_one_case_and_the_next_case_restarts_the_process() {
    let parser = ExecParser::new(script("tests/fixtures/crashing_adapter.py"))
        .with_timeout(Duration::from_secs(20));
    let delivered = fixture(Vendor::MSNDR, "delivered");
    let bounced = fixture(Vendor::MSNDR, "hard_bounced");

    assert!(parser.parse(Vendor::MSNDR, &delivered.body).is_ok());
    let err = parser.parse(Vendor::MSNDR, &bounced.body).unwrap_err();
    match &err {
        ParseError::Fault(Fault::Crashed { status, stderr }) => {
            assert_eq!(*status, Some(70));
            assert!(stderr.contains("KeyError: 'bounce_class'"), "{stderr:?}");
        }
        other => panic!("expected a crash, got {other:?}"),
    }
    assert!(err.is_fault() && !err.is_rejection());
    let after = parser
        .parse(Vendor::MSNDR, &delivered.body)
        .expect("restarted");
    assert_eq!(after.event_name(), "delivered");
    assert_eq!(parser.starts(), 2);
}

#[test]
fn a_hang_times_out_kills_the_process_group_and_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let parser = ExecParser::new(format!(
        "HANG_PID_FILE='{}' {} hang",
        pid_file.display(),
        script("tests/fixtures/misbehaving_adapter.py")
    ))
    .with_timeout(Duration::from_secs(2));
    let sent = fixture(Vendor::POSTAL, "MessageSent");
    assert!(parser.parse(Vendor::POSTAL, &sent.body).is_ok());

    let start = Instant::now();
    let err = parser
        .parse(Vendor::MSNDR, &fixture(Vendor::MSNDR, "opened").body)
        .unwrap_err();
    assert_eq!(
        err,
        ParseError::Fault(Fault::Timeout {
            after: Duration::from_secs(2)
        })
    );
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "took {:?}",
        start.elapsed()
    );

    // The sleeping Python process is gone, not orphaned.
    let pid = std::fs::read_to_string(&pid_file).expect("the adapter wrote its pid");
    let proc_dir = Path::new("/proc").join(pid.trim());
    let gone_by = Instant::now() + Duration::from_secs(5);
    while proc_dir.exists() && Instant::now() < gone_by {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!proc_dir.exists(), "process {pid} survived the timeout");

    assert!(parser.parse(Vendor::POSTAL, &sent.body).is_ok());
    assert_eq!(parser.starts(), 2);
}

fn protocol_fault(mode: &str, expect: &str) {
    let parser = misbehaving(mode, Duration::from_secs(20));
    let sent = fixture(Vendor::POSTAL, "MessageSent");
    let opened = fixture(Vendor::MSNDR, "opened");
    assert!(parser.parse(Vendor::POSTAL, &sent.body).is_ok());
    match parser.parse(Vendor::MSNDR, &opened.body) {
        Err(ParseError::Fault(Fault::Protocol { detail })) => {
            assert!(detail.contains(expect), "{mode}: {detail}");
        }
        other => panic!("{mode}: expected a protocol fault, got {other:?}"),
    }
    assert!(
        parser.parse(Vendor::POSTAL, &sent.body).is_ok(),
        "{mode}: no recovery"
    );
    assert_eq!(parser.starts(), 2, "{mode}");
}

#[test]
fn garbage_replies_are_protocol_faults() {
    protocol_fault("garbage", "not a JSON object");
}

#[test]
fn replies_to_another_request_are_protocol_faults() {
    protocol_fault("wrong-id", "does not match request id");
}

#[test]
fn an_ok_reply_without_an_event_is_accepted_unnamed_and_the_process_keeps_serving() {
    let parser = misbehaving("no-event", Duration::from_secs(20));
    let sent = fixture(Vendor::POSTAL, "MessageSent");
    let opened = fixture(Vendor::MSNDR, "opened");
    let event = parser.parse(Vendor::MSNDR, &opened.body).expect("accepted");
    assert_eq!(event.event, None);
    assert!(parser.parse(Vendor::POSTAL, &sent.body).is_ok());
    assert_eq!(
        parser.starts(),
        1,
        "a readable reply never restarts the process"
    );
}

#[test]
fn a_readable_but_wrong_reply_fails_the_call_and_the_process_keeps_serving() {
    // Answers the handshake, then `event` as a number, then `ok` as a string.
    let parser = ExecParser::new(
        r#"read -r l; echo '{"id":0}'; read -r l; echo '{"id":1,"ok":true,"event":5}'; read -r l; echo '{"id":2,"ok":"yes"}'; read -r l; echo '{"id":3,"ok":false}'"#,
    )
    .with_timeout(Duration::from_secs(10));
    for expect in ["`event` is 5", "`ok` is \"yes\""] {
        match parser.parse(Vendor::POSTAL, b"{}") {
            Err(ParseError::Fault(Fault::Protocol { detail })) => {
                assert!(detail.contains(expect), "{detail}");
            }
            other => panic!("expected a protocol fault, got {other:?}"),
        }
    }
    assert!(
        parser
            .parse(Vendor::POSTAL, b"{}")
            .unwrap_err()
            .is_rejection()
    );
    assert_eq!(parser.starts(), 1);
}

#[test]
fn the_handshake_reports_what_the_adapter_says() {
    let info = example()
        .handshake()
        .expect("the example starts")
        .expect("it answers the hello");
    assert_eq!(info.name.as_deref(), Some("hookcheck-example-adapter"));
    assert_eq!(info.fidelity, Some(hookcheck::parser::Fidelity::Fields));
    // An adapter that does not know the handshake answers it like any request.
    let legacy = ExecParser::new(
        r#"while read -r line; do id=${line#*\"id\":}; echo "{\"id\":${id%%,*},\"ok\":false}"; done"#,
    );
    assert_eq!(legacy.handshake(), Ok(None));
    assert_eq!(legacy.fidelity(), hookcheck::parser::Fidelity::Fields);
}

/// Runs an adapter that, from its first process only (`mkdir` succeeds once, so the restart
/// that follows the timeout starts none), starts `child` in a session of its own, then dies on
/// its first request. `child` keeps stdout open and writes its pid to `dir/child.pid`. The
/// death is seen as a timeout, since the child holds stdout open; either way the whole tree
/// must be killed.
fn assert_a_restart_kills(dir: &Path, child: &str) {
    let parser = ExecParser::new(format!(
        "read -r l; echo '{{\"id\":0}}'; if mkdir {} 2>/dev/null; then setsid {child} & fi; sleep 0.3; read -r l; exit 9",
        dir.join("first").display(),
    ))
    .with_timeout(Duration::from_secs(1));
    let err = parser.parse(Vendor::POSTAL, b"{}").unwrap_err();
    assert!(
        matches!(err, ParseError::Fault(Fault::Timeout { .. })),
        "{err:?}"
    );
    let pid = std::fs::read_to_string(dir.join("child.pid")).unwrap();
    let gone = || {
        let status =
            std::fs::read_to_string(format!("/proc/{}/stat", pid.trim())).unwrap_or_default();
        status.is_empty() || status.contains(") Z ")
    };
    let until = Instant::now() + Duration::from_secs(2);
    while !gone() && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(gone(), "the setsid child {} ({child}) survived", pid.trim());
}

#[test]
fn a_setsid_descendant_does_not_outlive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("child.pid");
    assert_a_restart_kills(
        dir.path(),
        &format!("sh -c 'echo $$ > {}; exec sleep 60'", pid_file.display()),
    );
}

/// A stress check, not part of the default run: on a machine overloaded with CPU-bound work,
/// a descendant that does nothing but exec can stay unreadable through every scan, and this
/// check then fails now and then (2 runs in 40 with two busy processes beside the two tests
/// on two cores). Idle, a single scan per kill lost it in 5 runs of 20; the repeated reads in
/// none of 30.
#[test]
#[ignore = "stress check: cargo test --test it -- --ignored exec_ing"]
fn a_setsid_descendant_that_keeps_exec_ing_does_not_outlive_a_restart() {
    // While a process execs, its environment cannot be read for a moment; a descendant that
    // does nothing but exec itself is in that moment as often as it can be.
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("child.pid");
    let script = dir.path().join("exec-forever.sh");
    let pid = pid_file.display();
    std::fs::write(
        &script,
        format!(
            "[ -e {pid} ] || echo $$ > {pid}\nexec sh {}\n",
            script.display()
        ),
    )
    .unwrap();
    assert_a_restart_kills(dir.path(), &format!("sh {}", script.display()));
}

#[test]
fn closing_stdout_is_a_crash() {
    // `exec` replaces the shell, so nothing else holds the pipe open (with a shell in between,
    // the case would end as a timeout instead).
    let parser = ExecParser::new(format!(
        "exec {} close-stdout",
        script("tests/fixtures/misbehaving_adapter.py")
    ))
    .with_timeout(Duration::from_secs(20));
    let err = parser
        .parse(Vendor::MSNDR, &fixture(Vendor::MSNDR, "opened").body)
        .unwrap_err();
    assert!(
        matches!(err, ParseError::Fault(Fault::Crashed { status: None, .. })),
        "{err:?}"
    );
}

#[test]
fn stderr_noise_and_blank_lines_are_tolerated() {
    let parser = misbehaving("noisy", Duration::from_secs(20));
    let opened = fixture(Vendor::MSNDR, "opened");
    for _ in 0..8 {
        let event = parser
            .parse(Vendor::MSNDR, &opened.body)
            .expect("noise is harmless");
        assert_eq!(event.event_name(), "opened");
    }
    assert_eq!(parser.starts(), 1);
}

#[test]
fn a_process_that_exits_at_once_is_a_crash_with_its_status() {
    let parser = ExecParser::new("echo 'cannot load model' >&2; exit 7");
    let err = parser.parse(Vendor::POSTAL, b"{}").unwrap_err();
    assert_eq!(
        err,
        ParseError::Fault(Fault::Crashed {
            status: Some(7),
            stderr: "cannot load model\n".into()
        })
    );
    assert_eq!(parser.name(), "exec: echo 'cannot load model' >&2; exit 7");
}

#[test]
fn works_as_a_trait_object() {
    let parser: Box<dyn WebhookParser> = Box::new(example());
    let opened = fixture(Vendor::GETMAILER, "email.opened");
    let event = parser.parse(Vendor::GETMAILER, &opened.body).unwrap();
    assert_eq!(event.event_name(), "email.opened");
    assert_eq!(
        event.timestamp.unwrap().unix_seconds(),
        Some(1_705_320_000.0)
    );
}

#[test]
fn a_process_that_does_not_read_times_out_even_on_a_large_body() {
    // The request is far larger than a pipe buffer; writing it must not block the harness.
    // Answers the handshake, then never reads again.
    let parser = ExecParser::new(r#"read -r l; echo '{"id":0}'; exec sleep 30"#)
        .with_timeout(Duration::from_millis(500));
    let body = vec![b' '; 4 << 20];
    let start = Instant::now();
    let err = parser.parse(Vendor::POSTAL, &body).unwrap_err();
    assert_eq!(
        err,
        ParseError::Fault(Fault::Timeout {
            after: Duration::from_millis(500)
        })
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "took {:?}",
        start.elapsed()
    );
}
