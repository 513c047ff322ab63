//! The runner against the reference parsers and deliberately broken ones, with fixture cases
//! (one documented payload per event and the schemas' labelled invalid cases), so that these
//! tests exercise the runner alone.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use proptest::prelude::*;
use serde_json::Value;

use super::call::{Direct, MakeTarget, Subject, in_process};
use super::runner::{self, Progress};
use super::source::{CaseSource, EntryCases, Unprepared};
use super::*;
use crate::JsonPointer;
use crate::catalog::{Catalog, Entry, Vendor};
use crate::generate::Negative;
use crate::parser::{ParseError, ParsedEvent, WebhookParser};
use crate::parsers::ReferenceParser;

const FIXTURES: &[(&str, &str, &str)] = &[
    (
        "postal/MessageSent",
        include_str!("../../tests/fixtures/payloads/postal/MessageSent.json"),
        include_str!("../../schemas/postal/invalid/MessageSent.json"),
    ),
    (
        "msndr/clicked",
        include_str!("../../tests/fixtures/payloads/msndr/clicked.json"),
        include_str!("../../schemas/msndr/invalid/clicked.json"),
    ),
    (
        "getmailer/email.sent",
        include_str!("../../tests/fixtures/payloads/getmailer/email.sent.json"),
        include_str!("../../schemas/getmailer/invalid/email.sent.json"),
    ),
];

struct Fixtures;

struct FixtureCases {
    valid: Value,
    negatives: Vec<Negative>,
}

impl EntryCases for FixtureCases {
    fn valid(&self) -> BoxedStrategy<std::sync::Arc<Value>> {
        Just(std::sync::Arc::new(self.valid.clone())).boxed()
    }

    fn negatives(&self, _seed: Seed, max: usize) -> Vec<Negative> {
        self.negatives.iter().take(max).cloned().collect()
    }
}

impl CaseSource for Fixtures {
    fn prepare(&self, entry: &Entry) -> Result<Box<dyn EntryCases>, Unprepared> {
        let failed = |message: String| Unprepared::Failed { message };
        let (_, valid, invalid) = FIXTURES
            .iter()
            .find(|(key, ..)| *key == entry.key())
            .ok_or_else(|| failed(format!("no fixture for {}", entry.key())))?;
        let invalid: Vec<Value> =
            serde_json::from_str(invalid).map_err(|e| failed(e.to_string()))?;
        Ok(Box::new(FixtureCases {
            valid: serde_json::from_str(valid).map_err(|e| failed(e.to_string()))?,
            negatives: invalid
                .into_iter()
                .map(|case| Negative {
                    keyword: case["keyword"].as_str().unwrap_or_default().to_owned(),
                    instance_path: JsonPointer::parse(
                        case["instance_path"].as_str().unwrap_or_default(),
                    )
                    .unwrap_or_default(),
                    description: case["name"].as_str().unwrap_or_default().to_owned(),
                    value: case["instance"].clone(),
                })
                .collect(),
        }))
    }
}

fn config() -> Config {
    let mut c = Config::default()
        .seed(Seed(1234))
        .cases(16)
        .time_bound(Duration::from_millis(500))
        .shrink_limits(200, Duration::from_secs(5));
    for (key, ..) in FIXTURES {
        c = c.event(*key);
    }
    c
}

fn certify_with(parser: impl WebhookParser + 'static, config: &Config) -> Certification {
    certify_target(&guarded(Arc::new(parser), config.time_bound), config)
}

/// One in-process worker per job over `parser`.
fn guarded(
    parser: Arc<dyn WebhookParser>,
    guard: Duration,
) -> impl Fn() -> Result<Box<dyn Subject>, String> + Sync {
    move || Ok(Box::new(in_process(Arc::clone(&parser), guard)) as Box<dyn Subject>)
}

fn certify_target(make: &MakeTarget<'_>, config: &Config) -> Certification {
    runner::run(
        Catalog::builtin(),
        make,
        &Fixtures,
        "test",
        config,
        &mut |_| {},
    )
    .expect("the run is carried out")
}

fn cell<'c>(c: &'c Certification, key: &str, property: Property) -> &'c CellResult {
    c.cells
        .iter()
        .find(|r| format!("{}/{}", r.vendor, r.event) == key && r.property == property)
        .unwrap_or_else(|| panic!("no cell {key}/{property} in\n{c}"))
}

fn failed<'c>(c: &'c Certification, key: &str, property: Property) -> &'c Counterexample {
    let r = cell(c, key, property);
    assert_eq!(r.outcome, Outcome::Failed, "{key}/{property} in\n{c}");
    r.counterexample
        .as_ref()
        .expect("a failed cell has a counterexample")
}

type Parsed = Result<ParsedEvent<'static>, ParseError>;

/// The reference parser, broken in one way by a function of the body and its right answer.
struct Broken<F>(F);

impl<F: Fn(&[u8], Parsed) -> Parsed + Send + Sync> WebhookParser for Broken<F> {
    fn parse<'a>(&self, vendor: Vendor, body: &'a [u8]) -> Result<ParsedEvent<'a>, ParseError> {
        let right = ReferenceParser
            .parse(vendor, body)
            .map(ParsedEvent::into_owned);
        (self.0)(body, right)
    }
}

fn broken<F: Fn(&[u8], Parsed) -> Parsed + Send + Sync>(f: F) -> Broken<F> {
    Broken(f)
}

#[test]
fn reference_parsers_pass_every_property() {
    let c = certify_with(ReferenceParser, &config());
    assert!(c.is_success(), "{c}");
    // verifies-signature needs signed requests: not in an in-process run's matrix.
    assert_eq!(c.cells.len(), FIXTURES.len() * (Property::ALL.len() - 1));
    assert!(c.not_applicable.contains_key(&Property::VerifiesSignature));
    let t = c.tally();
    assert!(t.passed > 0 && t.cases > 0);
    // msndr carries no event id or recipient: listed as not applicable, never compared.
    let fields = cell(&c, "msndr/clicked", Property::ReportsFields);
    assert_eq!(fields.outcome, Outcome::Passed);
    assert!(
        fields
            .notes
            .iter()
            .any(|n| n.contains("compared: message_id, timestamp")),
        "{:?}",
        fields.notes
    );
    assert!(
        fields
            .notes
            .iter()
            .any(|n| n.contains("event_id, recipient")),
        "{:?}",
        fields.notes
    );
    // Must-reject negatives were tried and rejected.
    let rejects = cell(&c, "postal/MessageSent", Property::RejectsInvalid);
    assert!(rejects.counts["must_reject"] > 0, "{rejects:?}");
}

#[test]
fn same_seed_same_result() {
    let strip = |mut c: Certification| {
        c.duration = Duration::ZERO;
        c.started = None;
        for cell in &mut c.cells {
            cell.duration = Duration::ZERO;
        }
        c
    };
    let a = strip(certify_with(ReferenceParser, &config()));
    let b = strip(certify_with(ReferenceParser, &config()));
    assert_eq!(a, b);
    assert_eq!(a.seed, Seed(1234));
}

#[test]
fn accepting_everything_fails_rejects_invalid() {
    let c = certify_with(
        broken(|_, _| Ok(ParsedEvent::verdict_only())),
        &config().property(Property::RejectsInvalid),
    );
    let report = c.to_report();
    for (key, ..) in FIXTURES {
        let cx = failed(&c, key, Property::RejectsInvalid);
        assert!(cx.message.contains("must be rejected"), "{}", cx.message);
        assert!(cx.message.contains("accepted it"), "{}", cx.message);
        // The violations the parser let through are kept typed, each also in the message,
        // and become one finding each, with their pointers.
        if serde_json::from_slice::<serde_json::Value>(&cx.body.0).is_ok() {
            assert!(!cx.violations.is_empty(), "{key}: {}", cx.message);
        }
        for v in &cx.violations {
            assert!(cx.message.contains(&v.to_string()), "{v} in {}", cx.message);
        }
        let event = key.split_once('/').unwrap().1;
        let case = report
            .suites
            .iter()
            .flat_map(|s| &s.cases)
            .find(|c| c.name == format!("{event} × rejects-invalid"))
            .unwrap();
        assert_eq!(case.findings.len(), cx.violations.len().max(1), "{key}");
        for (f, v) in case.findings.iter().zip(&cx.violations) {
            assert_eq!(f.rule, "certify/rejects-invalid");
            assert_eq!(f.pointer.as_deref(), Some(v.instance_path.as_str()));
            assert_eq!(f.schema_path.as_deref(), Some(v.schema_path.as_str()));
            assert_eq!(f.keyword.as_deref(), Some(v.keyword.as_str()));
            assert_eq!(f.expected.as_deref(), Some("rejected"));
            assert_eq!(f.actual.as_deref(), Some("accepted it"));
        }
    }
    // The counterexample was minimised: smaller than the documented payload it came from.
    let cx = failed(&c, "postal/MessageSent", Property::RejectsInvalid);
    assert!(cx.body.0.len() < FIXTURES[0].1.len(), "{}", cx.body.text());
    assert!(cx.shrink_steps > 0);
}

#[test]
fn panicking_on_a_field_fails_no_panic_and_accepts_valid() {
    let c = certify_with(
        broken(|body, parsed| {
            let text = String::from_utf8_lossy(body);
            assert!(!text.contains("\"uuid\""), "cannot handle uuid fields");
            parsed
        }),
        &config().event("postal/MessageSent"),
    );
    let cx = failed(&c, "postal/MessageSent", Property::NoPanic);
    assert!(
        cx.message.contains("cannot handle uuid fields"),
        "{}",
        cx.message
    );
    let cx = failed(&c, "postal/MessageSent", Property::AcceptsValid);
    assert!(cx.message.contains("panicked"), "{}", cx.message);
    // Vendors whose payloads have no uuid are unaffected.
    assert_eq!(
        cell(&c, "msndr/clicked", Property::NoPanic).outcome,
        Outcome::Passed
    );
}

#[test]
fn no_panic_shrinks_damaged_bodies() {
    // Panics on any body that is not valid UTF-8: the minimal counterexample is tiny.
    let c = certify_with(
        broken(|body, parsed| {
            assert!(std::str::from_utf8(body).is_ok(), "not UTF-8");
            parsed
        }),
        &config().cases(128).property(Property::NoPanic),
    );
    let cx = failed(&c, "getmailer/email.sent", Property::NoPanic);
    assert!(std::str::from_utf8(&cx.body.0).is_err());
    assert!(
        cx.body.0.len() <= 4,
        "not minimal: {:?} ({} steps, {:?}, {})",
        cx.body.0,
        cx.shrink_steps,
        cx.shrink_stopped,
        cx.mutation
    );
}

#[test]
fn misreporting_the_event_fails_reports_event() {
    let c = certify_with(
        broken(|_, parsed| {
            parsed.map(|mut e| {
                e.event = Some("MessageHeld".into());
                e
            })
        }),
        &config(),
    );
    let cx = failed(&c, "postal/MessageSent", Property::ReportsEvent);
    assert!(cx.message.contains("\"MessageSent\""), "{}", cx.message);
    assert!(cx.message.contains("\"MessageHeld\""), "{}", cx.message);
    // Typed all the way to the report: where the event name is, what was due, what came.
    assert_eq!(
        cx.mismatches,
        [Mismatch::new("\"MessageSent\"", "\"MessageHeld\"").at("/event")]
    );
    let report = c.to_report();
    let finding = report
        .suites
        .iter()
        .flat_map(|s| &s.cases)
        .find(|c| c.name == "MessageSent × reports-event")
        .and_then(|c| c.findings.first())
        .expect("a finding for the failing cell");
    assert_eq!(finding.rule, "certify/reports-event");
    assert_eq!(finding.pointer.as_deref(), Some("/event"));
    assert_eq!(finding.expected.as_deref(), Some("\"MessageSent\""));
    assert_eq!(finding.actual.as_deref(), Some("\"MessageHeld\""));
    assert_eq!(
        cell(&c, "postal/MessageSent", Property::AcceptsValid).outcome,
        Outcome::Passed
    );
    assert_eq!(
        cell(&c, "postal/MessageSent", Property::ReportsFields).outcome,
        Outcome::Passed
    );
}

#[test]
fn a_wrong_message_id_fails_reports_fields() {
    let c = certify_with(
        broken(|_, parsed| {
            parsed.map(|mut e| {
                e.message_id = e.message_id.map(|id| format!("{id}0").into());
                e
            })
        }),
        &config()
            .property(Property::ReportsFields)
            .property(Property::ReportsEvent),
    );
    for (key, ..) in FIXTURES {
        let cx = failed(&c, key, Property::ReportsFields);
        assert!(
            cx.message.starts_with("message_id: expected"),
            "{}",
            cx.message
        );
        // One typed mismatch, at the vendor's message-id pointer, with both values.
        let [m] = cx.mismatches.as_slice() else {
            panic!("{key}: {:?}", cx.mismatches);
        };
        let pointer = m.pointer.as_deref().expect("the message id's pointer");
        assert!(
            pointer.ends_with("/id") || pointer.ends_with("/emailId"),
            "{key}: {pointer}"
        );
        assert_eq!(
            m.actual,
            format!("{}0\"", &m.expected[..m.expected.len() - 1]),
            "{key}"
        );
        assert_eq!(
            cell(&c, key, Property::ReportsEvent).outcome,
            Outcome::Passed
        );
    }
}

#[test]
fn hanging_fails_time_bound_without_stalling_the_run() {
    let started = std::time::Instant::now();
    let c = certify_with(
        broken(|body, parsed| {
            if body.len() > 100 {
                std::thread::sleep(Duration::from_secs(30));
            }
            parsed
        }),
        &config()
            .time_bound(Duration::from_millis(100))
            .shrink_limits(20, Duration::from_secs(2))
            .property(Property::TimeBound),
    );
    for (key, ..) in FIXTURES {
        let cx = failed(&c, key, Property::TimeBound);
        assert!(cx.message.contains("no answer within"), "{}", cx.message);
        assert!(cx.body.0.len() > 100, "{}", cx.body.0.len());
    }
    assert!(
        started.elapsed() < Duration::from_secs(25),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn answering_differently_fails_deterministic() {
    let calls = AtomicUsize::new(0);
    let c = certify_with(
        broken(move |_, parsed| {
            if calls.fetch_add(1, Ordering::Relaxed).is_multiple_of(2) {
                parsed
            } else {
                Err(ParseError::Other {
                    detail: "changed my mind".into(),
                })
            }
        }),
        &config().property(Property::Deterministic),
    );
    let cx = failed(&c, "msndr/clicked", Property::Deterministic);
    assert!(cx.message.contains("asked twice"), "{}", cx.message);
}

#[test]
fn verdict_only_parsers_skip_the_fidelity_properties() {
    struct VerdictOnly;
    impl WebhookParser for VerdictOnly {
        fn parse<'a>(&self, v: Vendor, b: &'a [u8]) -> Result<ParsedEvent<'a>, ParseError> {
            ReferenceParser
                .parse(v, b)
                .map(|_| ParsedEvent::verdict_only())
        }
        fn fidelity(&self) -> crate::parser::Fidelity {
            crate::parser::Fidelity::Verdict
        }
        fn supports(&self, vendor: Vendor) -> bool {
            vendor != Vendor::GETMAILER
        }
    }
    let c = certify_with(VerdictOnly, &config());
    assert!(c.is_success(), "{c}");
    let r = cell(&c, "postal/MessageSent", Property::ReportsEvent);
    assert_eq!(r.outcome, Outcome::Skipped);
    assert!(r.reason.as_deref().unwrap().contains("verdicts only"));
    let r = cell(&c, "getmailer/email.sent", Property::AcceptsValid);
    assert_eq!(r.outcome, Outcome::Skipped);
    assert_eq!(r.cases, 0);
    assert_eq!(
        cell(&c, "postal/MessageSent", Property::AcceptsValid).outcome,
        Outcome::Passed
    );
}

#[test]
fn saved_regressions_replay_first_and_pass_once_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let config = config()
        .event("msndr/clicked")
        .property(Property::ReportsEvent)
        .regressions(dir.path());
    let misreports = || {
        broken(|_, parsed| {
            parsed.map(|mut e| {
                e.event = Some("opened".into());
                e
            })
        })
    };
    // First run: the failure is found by generation and saved.
    let first = certify_with(misreports(), &config);
    let found = failed(&first, "msndr/clicked", Property::ReportsEvent).clone();
    let saved = found.regression.clone().expect("saved");
    assert!(saved.starts_with(dir.path()));
    let regression: regressions::Regression =
        serde_json::from_str(&std::fs::read_to_string(&saved).unwrap()).unwrap();
    assert_eq!(regression.payload, found.body);
    assert_eq!(regression.property, Property::ReportsEvent);
    assert_eq!(regression.seed, Seed(1234));
    // Second run, another seed: the saved case is replayed first and still fails.
    let second = certify_with(misreports(), &config.clone().seed(Seed(99)));
    let replayed = failed(&second, "msndr/clicked", Property::ReportsEvent);
    assert_eq!(replayed.mutation, "replayed");
    assert_eq!(replayed.regression.as_ref(), Some(&saved));
    assert_eq!(
        cell(&second, "msndr/clicked", Property::ReportsEvent).replayed,
        1
    );
    // Fixed parser: the replay passes, generation goes on, the file stays.
    let fixed = certify_with(ReferenceParser, &config);
    let r = cell(&fixed, "msndr/clicked", Property::ReportsEvent);
    assert_eq!((r.outcome, r.replayed), (Outcome::Passed, 1));
    assert!(r.cases > 0);
    assert!(saved.exists());
}

#[test]
fn shards_partition_the_matrix_and_budgets_skip_cells() {
    let whole = certify_with(ReferenceParser, &config());
    let mut names: Vec<String> = Vec::new();
    for i in 1..=3 {
        let part = certify_with(ReferenceParser, &config().shard(Shard::new(i, 3).unwrap()));
        for c in &part.cells {
            let same = whole.cells.iter().find(|w| w.name() == c.name()).unwrap();
            assert_eq!(
                (same.seed, same.outcome, same.cases),
                (c.seed, c.outcome, c.cases)
            );
        }
        names.extend(part.cells.iter().map(CellResult::name));
    }
    let mut all: Vec<String> = whole.cells.iter().map(CellResult::name).collect();
    names.sort();
    all.sort();
    assert_eq!(names, all);

    let out_of_time = certify_with(ReferenceParser, &config().time_budget(Duration::ZERO));
    assert!(
        out_of_time
            .cells
            .iter()
            .all(|c| c.outcome == Outcome::Skipped && c.cases == 0)
    );
    assert!(out_of_time.is_success(), "skipped is not failed");
    assert_eq!(out_of_time.tally().passed, 0, "skipped is not passed");
}

#[test]
fn progress_reports_the_seed_then_each_cell() {
    let mut seen = Vec::new();
    let target = guarded(Arc::new(ReferenceParser), Duration::from_secs(1));
    runner::run(
        Catalog::builtin(),
        &target,
        &Fixtures,
        "test",
        &config().property(Property::AcceptsValid),
        &mut |p| match p {
            Progress::Start { seed, cells, .. } => seen.push(format!("start {seed} {cells}")),
            Progress::Cell {
                done,
                total,
                result,
            } => {
                seen.push(format!("{done}/{total} {}", result.name()));
            }
        },
    )
    .unwrap();
    assert_eq!(
        seen,
        [
            "start 1234 3",
            "1/3 postal/MessageSent/accepts-valid",
            "2/3 msndr/clicked/accepts-valid",
            "3/3 getmailer/email.sent/accepts-valid",
        ]
    );
}

#[test]
fn unknown_events_are_errors_with_suggestions() {
    let target = guarded(Arc::new(ReferenceParser), Duration::from_secs(1));
    let err = runner::run(
        Catalog::builtin(),
        &target,
        &Fixtures,
        "test",
        &Config::default()
            .vendor(Vendor::POSTAL)
            .event("messagesent"),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(err.to_string().contains("MessageSent"), "{err}");
}

fn misreporting() -> impl WebhookParser {
    broken(|_, parsed| {
        parsed.map(|mut e| {
            e.event = Some("MessageHeld".into());
            e
        })
    })
}

fn render(format: crate::report::Format, report: &crate::report::Report) -> String {
    let mut out = Vec::new();
    format.write(report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn json_reports_validate_and_shards_merge_into_the_whole() {
    use crate::report::{Format, Report};
    let schema: Value =
        serde_json::from_str(include_str!("../../schemas/report.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let whole = certify_with(misreporting(), &config()).to_report();
    let json: Value = serde_json::from_str(&render(Format::Json, &whole)).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&json)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");

    let shards: Vec<Report> = [2, 1]
        .into_iter()
        .map(|i| {
            let part = certify_with(misreporting(), &config().shard(Shard::new(i, 2).unwrap()));
            serde_json::from_str(&render(Format::Json, &part.to_report())).unwrap()
        })
        .collect();
    let merged = merge(&shards).unwrap();
    let strip = |r: &Report| {
        let mut r = r.without_timings();
        r.properties.retain(|p| p.name != "shard");
        r
    };
    assert_eq!(strip(&merged), strip(&whole));
    assert_eq!(merged.totals(), whole.totals());

    // Shards that do not belong together are refused.
    assert!(
        merge(&shards[..1])
            .unwrap_err()
            .to_string()
            .contains("shard 1/2 is missing")
    );
    let twice = [shards[0].clone(), shards[0].clone()];
    assert!(
        merge(&twice)
            .unwrap_err()
            .to_string()
            .contains("given twice")
    );
    let mut other_seed = shards[1].clone();
    other_seed.seed = Some(1);
    assert!(merge(&[shards[0].clone(), other_seed]).is_err());
}

#[test]
fn junit_counts_match_the_matrix() {
    let c = certify_with(misreporting(), &config());
    let t = c.tally();
    let xml = render(crate::report::Format::Junit, &c.to_report());
    assert!(xml.starts_with("<?xml"), "{xml}");
    let expected = format!(
        r#"tests="{}" failures="{}" errors="{}" skipped="{}""#,
        c.cells.len(),
        t.failed,
        t.errors,
        t.skipped
    );
    assert!(xml.contains(&expected), "{expected} not in\n{xml}");
    assert!(t.failed >= 1);
}

#[test]
fn report_formats_snapshot() {
    use crate::report::Format;
    let config = Config::default()
        .seed(Seed(7))
        .cases(4)
        .time_bound(Duration::from_millis(500))
        .event("postal/MessageSent")
        .event("msndr/clicked");
    let report = certify_with(misreporting(), &config)
        .to_report()
        .without_timings();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    // The catalog version changes with every schema edit; the snapshot is of the layout.
    settings.add_filter(r"sha256:[0-9a-f]{16}", "sha256:[catalog]");
    settings.bind(|| {
        for format in Format::ALL {
            insta::assert_snapshot!(format!("certify_report_{format}"), render(format, &report));
        }
    });
}

fn certify_exec(command: &str, config: &Config) -> Certification {
    let bound = config.time_bound;
    let make = move || {
        let parser = crate::adapters::exec::ExecParser::new(command).with_timeout(bound);
        Ok(Box::new(Direct::new(Arc::new(parser))) as Box<dyn Subject>)
    };
    certify_target(&make, config)
}

#[test]
fn the_python_example_adapter_passes() {
    let command = concat!(
        "exec python3 ",
        env!("CARGO_MANIFEST_DIR"),
        "/examples/exec_adapter.py"
    );
    let c = certify_exec(
        command,
        &config().cases(8).time_bound(Duration::from_secs(2)),
    );
    assert!(c.is_success(), "{c}");
    assert_eq!(c.tally().skipped, 0, "{c}");
}

#[test]
fn a_crashing_exec_adapter_fails_that_case_and_the_run_goes_on() {
    let command = concat!(
        "exec python3 ",
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/misbehaving_adapter.py close-stdout"
    );
    let c = certify_exec(
        command,
        &config()
            .cases(4)
            .time_bound(Duration::from_secs(2))
            .property(Property::NoPanic)
            .property(Property::AcceptsValid),
    );
    let cx = failed(&c, "msndr/clicked", Property::NoPanic);
    assert!(cx.message.contains("crashed"), "{}", cx.message);
    // The adapter is restarted: the other vendors' cells, run after, pass.
    assert_eq!(
        cell(&c, "getmailer/email.sent", Property::NoPanic).outcome,
        Outcome::Passed
    );
    assert_eq!(
        cell(&c, "getmailer/email.sent", Property::AcceptsValid).outcome,
        Outcome::Passed
    );
}

/// A source that cannot prepare any entry, for one reason.
struct Unpreparable(Unprepared);

impl CaseSource for Unpreparable {
    fn prepare(&self, _entry: &Entry) -> Result<Box<dyn EntryCases>, Unprepared> {
        Err(self.0.clone())
    }
}

#[test]
fn entries_without_cases_are_skipped_or_errors_by_reason() {
    let target = guarded(Arc::new(ReferenceParser), Duration::from_secs(1));
    let run = |why: Unprepared| {
        runner::run(
            Catalog::builtin(),
            &target,
            &Unpreparable(why),
            "test",
            &config()
                .event("msndr/clicked")
                .property(Property::AcceptsValid),
            &mut |_| {},
        )
        .unwrap()
    };
    let declined = run(crate::generate::GenError::Unsatisfiable {
        reason: "minimum 5 is above maximum 3".into(),
        location: crate::generate::SchemaLocation::root(JsonPointer::root()),
    }
    .into());
    let r = cell(&declined, "msndr/clicked", Property::AcceptsValid);
    assert_eq!(r.outcome, Outcome::Skipped);
    assert!(r.reason.as_deref().unwrap().contains("minimum 5"), "{r:?}");
    assert!(declined.is_success());

    let broken = run(Unprepared::Failed {
        message: "a $ref names nothing".into(),
    });
    let r = cell(&broken, "msndr/clicked", Property::AcceptsValid);
    assert_eq!(r.outcome, Outcome::Error);
    assert!(
        r.reason.as_deref().unwrap().contains("names nothing"),
        "{r:?}"
    );
    assert!(!broken.is_success());
}

#[test]
fn the_generator_source_prepares_every_webhook_with_checked_cases() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let source = super::source::GeneratorSource::default();
    let mut runner = TestRunner::deterministic();
    for entry in Catalog::builtin()
        .entries()
        .iter()
        .filter(|e| e.kind() == crate::catalog::EntryKind::Webhook)
    {
        let cases = source
            .prepare(entry)
            .unwrap_or_else(|e| panic!("{}: {e:?}", entry.key()));
        let validator = entry.validator().unwrap();
        let valid = cases.valid().new_tree(&mut runner).unwrap().current();
        assert!(validator.is_valid(&valid), "{}: {valid}", entry.key());
        let negatives = cases.negatives(Seed(3), 8);
        assert!(!negatives.is_empty(), "{}", entry.key());
        assert!(negatives.len() <= 8);
        for n in &negatives {
            assert!(
                validator
                    .violations(&n.value)
                    .iter()
                    .any(|v| v.keyword == n.keyword && v.instance_path == n.instance_path),
                "{}: {n:?}",
                entry.key()
            );
        }
        // Drawn from the seed: the same seed, the same negatives.
        assert_eq!(negatives, cases.negatives(Seed(3), 8));
    }
}

#[test]
fn coverage_counts_every_valid_payload_sent_whatever_the_jobs() {
    let base = Config::default()
        .seed(Seed(99))
        .cases(24)
        .vendor(Vendor::MSNDR)
        .property(Property::AcceptsValid)
        .coverage(true);
    // Generated cases (not the fixtures), as a real run has them.
    let run = |config: &Config| crate::certify::run(ReferenceParser, config).unwrap();
    let one = run(&base.clone().jobs(1));
    let two = run(&base.clone().jobs(2));
    let coverage = one.coverage.clone().expect("coverage was asked for");
    assert_eq!(Some(&coverage), two.coverage.as_ref());
    let msndr = &coverage.vendors[0];
    assert_eq!(msndr.vendor, "msndr");
    assert_eq!(msndr.events_seen, msndr.events);
    assert!(
        msndr.covered > 0 && msndr.covered <= msndr.items,
        "{msndr:?}"
    );
    // The reference parser passes, so nothing was shrunk: each event's count is the number
    // of valid payloads its accepts-valid cell sent.
    for event in &msndr.list {
        let cell = cell(&one, &event.event, Property::AcceptsValid);
        assert_eq!(event.count, u64::from(cell.cases), "{}", event.event);
    }
    assert!(one.to_report().coverage.is_some());
    let without = run(&base.coverage(false));
    assert!(without.coverage.is_none());
}
