//! `api-check msndr` against the in-process mock of msndr's webhook configuration API: the
//! faithful mock passes every check, each deliberately flawed variant fails exactly the checks
//! it should, servers that hang, reset or are absent get bounded, plain verdicts, and the CLI
//! gives the documented exit codes.

use std::{
    collections::BTreeSet,
    io::{BufRead, BufReader, Read},
    net::TcpListener,
    process::{Command as Process, Stdio},
    thread,
    time::{Duration, Instant},
};

use assert_cmd::Command;
use hookcheck::api::{
    self, Check, CheckOutcome, Config,
    mock::{self, Flaw, MockConfig, Unset},
};
use hookcheck::report::{Format, Outcome};
use serde_json::Value;

use crate::support::report::{assert_report_schema, parse_junit};

const TOKEN: &str = "tok-3f9a1c-secret";

fn check_against(config: MockConfig) -> api::ApiRun {
    let mock = mock::spawn(config).unwrap();
    api::run(&Config::new(mock.base_url(), TOKEN)).unwrap()
}

fn failed(run: &api::ApiRun) -> BTreeSet<Check> {
    run.failed().into_iter().collect()
}

#[test]
fn the_faithful_mock_passes_every_check_and_says_how_delete_works() {
    let run = check_against(MockConfig::new(TOKEN));
    assert_eq!(run.results.len(), Check::ALL.len());
    for r in &run.results {
        assert_eq!(
            r.verdict,
            CheckOutcome::Passed,
            "{}: {:?}",
            r.check,
            r.verdict
        );
        assert!(r.requests > 0);
    }
    let delete = run.result(Check::DeleteRemoves).unwrap();
    assert_eq!(
        delete.notes,
        vec![("after DELETE".to_owned(), "GET answers 404".to_owned())]
    );
    let extra = run.result(Check::ExtraFields).unwrap();
    assert_eq!(
        extra.notes,
        vec![("extra fields".to_owned(), "accepted".to_owned())]
    );
    let report = run.to_report();
    assert!(report.is_success());
    assert!(
        report
            .properties
            .iter()
            .any(|p| p.name == "after DELETE" && p.value == "GET answers 404")
    );
}

#[test]
fn each_documented_choice_passes_and_is_reported() {
    for (unset, how) in [
        (Unset::NullUrl, "GET answers a null url"),
        (Unset::EmptyUrl, "GET answers an empty url"),
    ] {
        let mut config = MockConfig::new(TOKEN);
        config.unset = unset;
        let run = check_against(config);
        assert!(run.is_success(), "{unset:?}: {:?}", run.failed());
        let notes = &run.result(Check::DeleteRemoves).unwrap().notes;
        assert_eq!(notes, &vec![("after DELETE".to_owned(), how.to_owned())]);
    }
    let mut strict = MockConfig::new(TOKEN);
    strict.strict_fields = true;
    let run = check_against(strict);
    assert!(run.is_success(), "{:?}", run.failed());
    let notes = &run.result(Check::ExtraFields).unwrap().notes;
    assert_eq!(
        notes,
        &vec![("extra fields".to_owned(), "rejected".to_owned())]
    );
}

#[test]
fn each_flaw_fails_exactly_its_checks() {
    let cases: [(Flaw, &[Check]); 6] = [
        (
            Flaw::NoAuth,
            &[Check::AuthMissingToken, Check::AuthWrongToken],
        ),
        (Flaw::ServerErrorOnBadJson, &[Check::RejectsNotJson]),
        (Flaw::DeleteIgnored, &[Check::DeleteRemoves]),
        (Flaw::WrongPostShape, &[Check::PostResponse]),
        (
            Flaw::TextContentType,
            &[Check::PostResponse, Check::GetResponse],
        ),
        (Flaw::InconsistentExtraFields, &[Check::ExtraFields]),
    ];
    for (flaw, expected) in cases {
        let run = check_against(MockConfig::new(TOKEN).with_flaw(flaw));
        let expected: BTreeSet<Check> = expected.iter().copied().collect();
        assert_eq!(failed(&run), expected, "{flaw:?}");
        assert!(
            run.results
                .iter()
                .all(|r| !matches!(r.verdict, CheckOutcome::Error { .. })),
            "{flaw:?}"
        );
    }
}

fn failure(run: &api::ApiRun, check: Check) -> (String, String, String) {
    let report = run.to_report();
    let case = report.suites[0]
        .cases
        .iter()
        .find(|c| c.name == check.id())
        .unwrap();
    match &case.outcome {
        Outcome::Failed {
            message,
            detail,
            counterexample,
        } => (
            message.clone(),
            detail.clone().unwrap(),
            counterexample.clone().unwrap().input,
        ),
        other => panic!("{check}: {other:?}"),
    }
}

#[test]
fn failures_say_what_happened_and_replay_with_curl() {
    let run = check_against(MockConfig::new(TOKEN).with_flaw(Flaw::NoAuth));
    let (message, detail, curl) = failure(&run, Check::AuthMissingToken);
    assert_eq!(message, "POST without a token answered 200, not 401 or 403");
    assert!(
        detail.contains("request:\n  POST http://127.0.0.1:"),
        "{detail}"
    );
    assert!(detail.contains("response:\n  HTTP 200"), "{detail}");
    assert!(!detail.contains("Authorization"), "{detail}");
    let lines: Vec<&str> = curl.lines().collect();
    assert_eq!(lines.len(), 2, "{curl}");
    assert!(lines[0].contains(r#"-H "Authorization: Bearer $MSNDR_API_TOKEN""#));
    assert!(!lines[1].contains("Authorization"));
    assert!(lines.iter().all(|l| l.starts_with("curl -sS -i -X POST ")));

    let run = check_against(MockConfig::new(TOKEN).with_flaw(Flaw::ServerErrorOnBadJson));
    let (message, detail, _) = failure(&run, Check::RejectsNotJson);
    assert_eq!(
        message,
        "POST with truncated JSON answered 500 (a server error; bad input must get a 4xx)"
    );
    assert!(detail.contains("HTTP 500"));

    let run = check_against(MockConfig::new(TOKEN).with_flaw(Flaw::DeleteIgnored));
    let (message, detail, curl) = failure(&run, Check::DeleteRemoves);
    assert_eq!(
        message,
        "GET after DELETE still answers the URL: DELETE did not remove it"
    );
    assert!(detail.contains("request:\n  GET "), "{detail}");
    let methods: Vec<&str> = curl
        .lines()
        .map(|l| l.split_whitespace().nth(4).unwrap())
        .collect();
    assert_eq!(methods, ["POST", "DELETE", "GET"]);

    let run = check_against(MockConfig::new(TOKEN).with_flaw(Flaw::InconsistentExtraFields));
    let (message, _, _) = failure(&run, Check::ExtraFields);
    assert_eq!(
        message,
        "POST with the extra field x_hookcheck_nested was rejected but earlier extra fields were accepted: not consistent"
    );

    let run = check_against(MockConfig::new(TOKEN).with_flaw(Flaw::WrongPostShape));
    let (message, _, _) = failure(&run, Check::PostResponse);
    assert!(
        message
            .starts_with("the body does not match api.webhook.post.response: (the body) required"),
        "{message}"
    );
}

#[test]
fn reports_come_in_every_format_and_never_contain_the_token() {
    let run = check_against(
        MockConfig::new(TOKEN)
            .with_flaw(Flaw::NoAuth)
            .with_flaw(Flaw::DeleteIgnored),
    );
    let report = run.to_report();
    for format in Format::ALL {
        let mut out = Vec::new();
        format.write(&report, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains(TOKEN), "{format}");
        assert!(text.contains("auth-missing-token"), "{format}");
        assert!(text.contains("curl -sS -i"), "{format}");
        match format {
            Format::Json => assert_report_schema(&serde_json::from_str::<Value>(&text).unwrap()),
            Format::Junit => {
                let junit = parse_junit(&text);
                assert_eq!(junit.totals.tests, Check::ALL.len());
                assert_eq!(junit.totals.failures, 3);
            }
            _ => {}
        }
    }
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn an_unreachable_server_makes_errors_not_failures() {
    let base = format!("http://127.0.0.1:{}/v1", closed_port());
    let run = api::run(&Config::new(base, TOKEN)).unwrap();
    assert_eq!(run.results.len(), Check::ALL.len());
    for r in &run.results {
        assert!(
            matches!(&r.verdict, CheckOutcome::Error { message } if message.starts_with("cannot reach the server")),
            "{:?}",
            r.verdict
        );
    }
    let totals = run.to_report().totals();
    assert_eq!((totals.failed, totals.errors), (0, Check::ALL.len()));
}

/// A server that accepts connections and then, per `answer`, holds them or drops them.
fn raw_server(hold: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 1024];
            let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
            let _ = stream.read(&mut buf);
            if hold {
                held.push(stream);
            }
        }
    });
    format!("http://{addr}/v1")
}

#[test]
fn a_hanging_server_fails_each_check_after_the_time_limit() {
    let mut config = Config::new(raw_server(true), TOKEN);
    config.timeout = Duration::from_millis(300);
    config.checks = vec![
        Check::PostResponse,
        Check::GetAfterPost,
        Check::AuthMissingToken,
    ];
    let t = Instant::now();
    let run = api::run(&config).unwrap();
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    assert_eq!(run.results.len(), 3);
    for r in &run.results {
        match &r.verdict {
            CheckOutcome::Failed { message, .. } => {
                assert_eq!(message, "no complete answer within 300ms");
            }
            other => panic!("{}: {other:?}", r.check),
        }
        assert_eq!(r.requests, 1);
    }
}

#[test]
fn a_resetting_server_fails_with_a_broken_answer() {
    let mut config = Config::new(raw_server(false), TOKEN);
    config.timeout = Duration::from_secs(2);
    config.checks = vec![Check::GetResponse];
    let run = api::run(&config).unwrap();
    match &run.results[0].verdict {
        CheckOutcome::Failed { message, .. } => {
            assert!(message.starts_with("broken answer"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_wrong_token_is_never_the_right_one() {
    let token = "hookcheck-wrong-token";
    let mock = mock::spawn(MockConfig::new(token)).unwrap();
    let mut config = Config::new(mock.base_url(), token);
    config.checks = vec![Check::AuthWrongToken];
    let run = api::run(&config).unwrap();
    assert!(run.is_success(), "{:?}", run.results);
}

#[test]
fn bases_other_than_http_or_https_are_refused_up_front() {
    let err = api::run(&Config::new("ftp://api.msndr.net/v1", TOKEN)).unwrap_err();
    assert!(
        err.to_string()
            .contains("must start with http:// or https://"),
        "{err}"
    );
}

#[test]
fn a_host_that_does_not_resolve_is_unreachable_not_broken() {
    let run = api::run(&Config::new("https://nonexistent.invalid/v1", TOKEN)).unwrap();
    for r in &run.results {
        match &r.verdict {
            CheckOutcome::Error { message } => {
                assert!(message.starts_with("cannot reach the server"), "{message}");
            }
            other => panic!("{}: {other:?}", r.check),
        }
    }
}

fn send(
    method: &str,
    url: &str,
    content_type: Option<&str>,
    auth: Option<&str>,
    body: Option<&str>,
) -> (u16, String, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into();
    let mut b = axum::http::Request::builder().method(method).uri(url);
    if let Some(ct) = content_type {
        b = b.header("Content-Type", ct);
    }
    if let Some(a) = auth {
        b = b.header("Authorization", a);
    }
    let mut r = agent
        .run(
            b.body(body.unwrap_or_default().as_bytes().to_vec())
                .unwrap(),
        )
        .unwrap();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        r.status().as_u16(),
        ct,
        r.body_mut().read_to_string().unwrap(),
    )
}

#[test]
fn the_mock_answers_as_documented() {
    let mock = mock::spawn(MockConfig::new(TOKEN)).unwrap();
    let url = format!("{}/email/webhook", mock.base_url());
    let bearer = format!("Bearer {TOKEN}");
    let auth = Some(bearer.as_str());
    let json = Some("application/json");
    assert_eq!(send("GET", &url, None, auth, None).0, 404);
    let (status, ct, body) = send("GET", &url, None, None, None);
    assert_eq!((status, ct.as_str()), (401, "application/json"));
    let errors: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(errors["errors"][0]["code"], 401);
    assert_eq!(send("GET", &url, None, Some("bearer nope"), None).0, 401);

    // The longest URL accepted is 2048 bytes.
    let at_limit = format!("https://example.com/{}", "a".repeat(2048 - 20));
    assert_eq!(at_limit.len(), 2048);
    let body = serde_json::json!({ "url": at_limit }).to_string();
    let (status, _, answer) = send("POST", &url, json, auth, Some(&body));
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&answer).unwrap()["url"],
        at_limit.as_str()
    );
    assert_eq!(mock.configured().as_deref(), Some(at_limit.as_str()));
    let over = serde_json::json!({ "url": format!("{at_limit}b") }).to_string();
    assert_eq!(send("POST", &url, json, auth, Some(&over)).0, 422);
    assert_eq!(
        send("POST", &url, Some("text/plain"), auth, Some(&body)).0,
        415
    );
    assert_eq!(send("POST", &url, json, auth, Some("{")).0, 400);
    assert_eq!(
        send("POST", &url, json, auth, Some(r#"{"url":"ftp://x"}"#)).0,
        422
    );
    assert_eq!(mock.configured().as_deref(), Some(at_limit.as_str()));
    let huge = "x".repeat(mock::MAX_BODY + 1);
    assert_eq!(send("POST", &url, json, auth, Some(&huge)).0, 413);

    // DELETE takes the documented body, or none.
    assert_eq!(send("DELETE", &url, json, auth, Some(&body)).0, 204);
    assert_eq!(mock.configured(), None);
    assert_eq!(send("GET", &url, None, auth, None).0, 404);
    assert_eq!(send("DELETE", &url, None, auth, None).0, 204);
    assert_eq!(send("PUT", &url, json, auth, Some(&body)).0, 405);
}

fn hookcheck(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("hookcheck")
        .unwrap()
        .env_remove("MSNDR_API_TOKEN")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn the_cli_exits_0_1_or_2() {
    let good = mock::spawn(MockConfig::new(TOKEN)).unwrap();
    let out = hookcheck(&[
        "api-check",
        "msndr",
        "--url",
        &good.base_url(),
        "--token",
        TOKEN,
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("result: ok. 14 passed"), "{stdout}");

    // The token can come from the environment instead.
    let out = Command::cargo_bin("hookcheck")
        .unwrap()
        .env("MSNDR_API_TOKEN", TOKEN)
        .args(["api-check", "msndr", "--url", &good.base_url()])
        .args(["--check", "get-after-post"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));

    let bad = mock::spawn(MockConfig::new(TOKEN).with_flaw(Flaw::DeleteIgnored)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("api-report");
    let out = hookcheck(&[
        "api-check",
        "msndr",
        "--url",
        &bad.base_url(),
        "--token",
        TOKEN,
        "--report",
        "json,junit",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("FAIL delete-removes"));
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("report.json")).unwrap())
            .unwrap();
    assert_report_schema(&report);
    assert!(out_dir.join("junit.xml").exists());

    let unreachable = format!("http://127.0.0.1:{}/v1", closed_port());
    let out = hookcheck(&[
        "api-check",
        "msndr",
        "--url",
        &unreachable,
        "--token",
        TOKEN,
    ]);
    assert_eq!(out.status.code(), Some(2));

    for args in [
        &[
            "api-check",
            "postal",
            "--url",
            "http://127.0.0.1:1/v1",
            "--token",
            "t",
        ][..],
        &[
            "api-check",
            "msndr",
            "--url",
            "ftp://api.msndr.net/v1",
            "--token",
            "t",
        ],
        &[
            "api-check",
            "msndr",
            "--url",
            "https://nonexistent.invalid/v1",
            "--token",
            "t",
        ],
        &["api-check", "msndr", "--url", "http://127.0.0.1:1/v1"],
        &[
            "api-check",
            "msndr",
            "--url",
            "http://127.0.0.1:1/v1",
            "--token",
            "t",
            "--check",
            "nope",
        ],
    ] {
        let out = hookcheck(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn the_mock_subcommand_serves_until_killed() {
    let mut child = Process::new(env!("CARGO_BIN_EXE_hookcheck"))
        .args([
            "mock",
            "msndr-api",
            "--bind",
            "127.0.0.1:0",
            "--token",
            TOKEN,
        ])
        .args(["--flaw", "delete-ignored"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let base = first.strip_prefix("mock msndr-api on ").unwrap().to_owned();
    let run = api::run(&Config::new(base, TOKEN)).unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(failed(&run), BTreeSet::from([Check::DeleteRemoves]));
    let logged: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        logged.contains(&"DELETE /v1/email/webhook -> 204".to_owned()),
        "{logged:?}"
    );
}
