//! The report writers: snapshots of every format, the JSON document against its schema, the
//! JUnit XML read back by a real XML parser, and hostile text kept in its place.

use crate::support::report as report_support;

use std::time::{Duration, UNIX_EPOCH};

use hookcheck::report::{
    Case, Counterexample, Counts, Finding, Format, Outcome, Property, Report, Suite, json,
};
use report_support::{assert_report_schema, parse_junit, snapshot_settings};

/// A certification-style report: vendor suites, event × property cases with counts, a seed,
/// a shrunk counterexample, a not-applicable case and a harness error.
fn certification() -> Report {
    let mut r = Report::new("postal reference parser certification");
    r.tool = "hookcheck 0.0.0-test".into();
    r.started = Some(UNIX_EPOCH + Duration::from_secs(1_736_942_400));
    r.duration = Some(Duration::from_millis(4321));
    r.seed = Some(0xDEC0DE);
    r.properties = vec![
        Property::new("parser", "hookcheck::parsers::postal"),
        Property::new(
            "command",
            "hookcheck certify --vendor postal --seed 14598366",
        ),
    ];
    let counts = |run, passed, rejected| {
        Some(Counts {
            run,
            passed,
            rejected,
        })
    };
    let mut postal = Suite::new("postal");
    postal.properties.push(Property::new("events", "10"));
    postal.cases.push(Case {
        name: "MessageSent × accepts_valid".into(),
        classname: "hookcheck.certify.postal.MessageSent".into(),
        outcome: Outcome::Passed,
        duration: Some(Duration::from_millis(812)),
        properties: vec![Property::new("property", "accepts_valid")],
        counts: counts(256, 256, 0),
        findings: vec![],
    });
    postal.cases.push(Case {
        name: "MessageSent × rejects_invalid".into(),
        classname: "hookcheck.certify.postal.MessageSent".into(),
        outcome: Outcome::Failed {
            message: "parser accepted a payload that violates `type` at /payload/output".into(),
            detail: Some("schema: /properties/payload/properties/output/type\nparser returned Ok(MessageSent)".into()),
            counterexample: Some(Counterexample {
                seed: Some(77),
                input: r#"{"event":"MessageSent","timestamp":0.0,"payload":{"output":null},"uuid":"00000000-0000-4000-8000-000000000000"}"#.into(),
                note: Some("shrunk in 14 steps".into()),
            }),
        },
        duration: Some(Duration::from_millis(1503)),
        properties: vec![Property::new("property", "rejects_invalid")],
        counts: counts(256, 201, 12),
        findings: vec![Finding {
            pointer: Some("/payload/output".into()),
            schema_path: Some("/properties/payload/properties/output/type".into()),
            ..Finding::new("certify/rejects-invalid", "accepted a payload that violates `type` at /payload/output")
                .in_file("tests/regressions/postal/MessageSent/rejects-invalid-77.json", Some(1))
        }],
    });
    postal.cases.push(Case {
        name: "DomainDNSError × round_trip".into(),
        classname: "hookcheck.certify.postal.DomainDNSError".into(),
        outcome: Outcome::Skipped {
            reason: "parser does not model DomainDNSError".into(),
        },
        duration: None,
        properties: vec![],
        counts: counts(0, 0, 0),
        findings: vec![],
    });
    let mut getmailer = Suite::new("getmailer");
    getmailer.cases.push(Case {
        name: "email.clicked × accepts_valid".into(),
        classname: "hookcheck.certify.getmailer.email_clicked".into(),
        outcome: Outcome::Error {
            message: "parser subprocess exited with status 101".into(),
            detail: Some("thread 'main' panicked at src/main.rs:3:5".into()),
        },
        duration: Some(Duration::from_millis(20)),
        properties: vec![],
        counts: None,
        findings: vec![],
    });
    r.suites = vec![postal, getmailer];
    r
}

/// Text that tries to break each format: markup, entities, control characters, fences.
fn hostile() -> Report {
    let nasty = "<x a=\"1\">&amp; ]]> \u{1b}[31m | `` ``` ** _x_ \u{0}\r\n# heading\u{FFFF}";
    let mut r = Report::new(nasty);
    r.suites.push(
        Suite::new(nasty)
            .with_case(Case::new(nasty, nasty).with_outcome(Outcome::Failed {
                message: nasty.into(),
                detail: Some(nasty.into()),
                counterexample: Some(Counterexample {
                    seed: None,
                    input: nasty.into(),
                    note: Some(nasty.into()),
                }),
            }))
            .with_case(Case::new("ok", "c").with_property(nasty, nasty)),
    );
    r
}

fn render(format: Format, report: &Report) -> String {
    let mut out = Vec::new();
    format.write(report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn snapshots_of_every_format() {
    let report = certification();
    snapshot_settings().bind(|| {
        insta::assert_snapshot!("certification_text", render(Format::Text, &report));
        insta::assert_snapshot!("certification_junit", render(Format::Junit, &report));
        insta::assert_snapshot!("certification_markdown", render(Format::Markdown, &report));
        insta::assert_snapshot!("certification_json", render(Format::Json, &report));
        insta::assert_snapshot!("certification_sarif", render(Format::Sarif, &report));
    });
}

#[test]
fn sarif_matches_the_official_schema_with_a_result_per_finding() {
    for report in [certification(), hostile()] {
        let doc: serde_json::Value = serde_json::from_str(&render(Format::Sarif, &report)).unwrap();
        report_support::assert_sarif_schema(&doc);
        let results = doc["runs"][0]["results"].as_array().unwrap();
        let failing = report
            .suites
            .iter()
            .flat_map(|s| &s.cases)
            .filter(|c| matches!(c.outcome, Outcome::Failed { .. } | Outcome::Error { .. }))
            .map(|c| c.findings.len().max(1))
            .sum::<usize>();
        assert_eq!(results.len(), failing);
    }
    let doc: serde_json::Value =
        serde_json::from_str(&render(Format::Sarif, &certification())).unwrap();
    let first = &doc["runs"][0]["results"][0];
    assert_eq!(first["ruleId"], "certify/rejects-invalid");
    assert_eq!(
        first["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
        "/payload/output"
    );
    let rule = &doc["runs"][0]["tool"]["driver"]["rules"][0];
    assert!(
        rule["help"]["text"]
            .as_str()
            .unwrap()
            .contains("reject policy"),
        "{rule}"
    );
}

#[test]
fn without_timings_is_stable_and_drops_only_times() {
    let report = certification();
    let bare = report.without_timings();
    assert_eq!(bare.started, None);
    assert_eq!(bare.duration, None);
    assert!(
        bare.suites
            .iter()
            .flat_map(|s| &s.cases)
            .all(|c| c.duration.is_none())
    );
    assert_eq!(bare.totals(), report.totals());
    let junit = render(Format::Junit, &bare);
    assert!(!junit.contains("time="), "{junit}");
    assert!(!junit.contains("timestamp="), "{junit}");
    let text = render(Format::Text, &bare);
    assert!(!text.contains("duration"), "{text}");
}

#[test]
fn json_matches_the_schema_and_reads_back() {
    for report in [
        certification(),
        certification().without_timings(),
        hostile(),
        Report::new("empty"),
    ] {
        let text = render(Format::Json, &report);
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_report_schema(&doc);
        assert_eq!(doc["format"], "hookcheck-report");
        assert_eq!(doc["totals"]["tests"], report.totals().tests);
        let back = json::read(&text).unwrap();
        // Durations go through f64 seconds; compare at millisecond precision.
        assert_eq!(back.without_timings(), report.without_timings());
        assert_eq!(
            back.duration.map(|d| d.as_millis()),
            report.duration.map(|d| d.as_millis())
        );
        assert_eq!(back.started, report.started);
    }
}

#[test]
fn the_schema_rejects_what_the_writer_never_writes() {
    let mut doc = json::to_value(&certification()).unwrap();
    doc["suites"][0]["cases"][0]["outcome"] = serde_json::json!({"status": "flaky"});
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/report.schema.json");
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    assert!(!v.is_valid(&doc));
    let mut doc = json::to_value(&certification()).unwrap();
    doc["suites"][0]["cases"][1]["counts"]["run"] = serde_json::json!(-1);
    assert!(!v.is_valid(&doc));
}

#[test]
fn junit_parses_with_the_right_counts_and_verdicts() {
    let report = certification();
    let xml = render(Format::Junit, &report);
    let j = parse_junit(&xml);
    let t = report.totals();
    assert_eq!(
        (
            j.totals.tests,
            j.totals.failures,
            j.totals.errors,
            j.totals.skipped
        ),
        (4, 1, 1, 1)
    );
    assert_eq!((t.tests, t.failed, t.errors, t.skipped), (4, 1, 1, 1));
    assert_eq!(j.suites.len(), 2);
    assert_eq!(j.suites[0].0, "postal");
    assert_eq!(j.suites[0].1.tests, 3);
    let results: Vec<&str> = j.cases.iter().map(|c| c.result.as_str()).collect();
    assert_eq!(results, ["passed", "failure", "skipped", "error"]);
    assert!(
        j.cases[1].body.contains(r#""payload":{"output":null}"#),
        "{:?}",
        j.cases[1].body
    );
    assert!(j.cases[1].body.contains("counterexample (seed 77)"));
}

#[test]
fn hostile_text_stays_in_its_place() {
    let report = hostile();
    let nasty = &report.title;
    let j = parse_junit(&render(Format::Junit, &report));
    assert_eq!(j.cases.len(), 2);
    assert_eq!(j.cases[0].result, "failure");
    // Everything XML can carry comes back exactly; NUL, ESC and U+FFFF come back as \u{..}.
    let visible = nasty
        .replace('\u{1b}', "\\u{1b}")
        .replace('\u{0}', "\\u{0}")
        .replace('\u{FFFF}', "\\u{ffff}");
    assert_eq!(j.cases[0].name, visible);
    assert_eq!(j.cases[0].message.as_deref(), Some(visible.as_str()));
    assert_eq!(j.suites[0].0, visible);

    let md = render(Format::Markdown, &report);
    // Outside fenced blocks, no line is a heading that the payload text created.
    let mut fence: Option<String> = None;
    for line in md.lines() {
        let ticks: String = line.chars().take_while(|c| *c == '`').collect();
        match &fence {
            Some(f) if line == f.as_str() => fence = None,
            Some(_) => continue,
            None if ticks.len() >= 3 => fence = Some(ticks),
            None => assert!(!line.starts_with("# heading"), "{line}"),
        }
    }
    assert!(fence.is_none(), "unclosed fence");
    let table_rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
    for row in &table_rows {
        let unescaped_pipes = row
            .match_indices('|')
            .filter(|(i, _)| *i == 0 || &row[i - 1..*i] != "\\")
            .count();
        assert!(unescaped_pipes <= 7, "{row}");
    }
    let text = render(Format::Text, &report);
    assert!(
        !text.contains('\u{1b}'),
        "raw escape sequence in text output"
    );
}

#[test]
fn report_files_are_named_per_format() {
    let names: Vec<&str> = Format::ALL.iter().map(|f| f.file_name()).collect();
    assert_eq!(
        names,
        [
            "report.txt",
            "report.json",
            "junit.xml",
            "report.md",
            "report.sarif"
        ]
    );
}
