//! Reading reports back in tests: a JUnit XML reader on quick-xml and the JSON Schema check.

use quick_xml::{
    Reader, XmlVersion,
    events::{BytesStart, Event},
};

/// One `<testcase>` as read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JunitCase {
    pub(crate) suite: String,
    pub(crate) name: String,
    pub(crate) classname: String,
    /// `passed`, `failure`, `error` or `skipped`.
    pub(crate) result: String,
    /// The `message` attribute of the failure/error/skipped element.
    pub(crate) message: Option<String>,
    /// Text content of the failure/error element.
    pub(crate) body: String,
}

/// The counts of one `<testsuite>` or of `<testsuites>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct JunitCounts {
    pub(crate) tests: usize,
    pub(crate) failures: usize,
    pub(crate) errors: usize,
    pub(crate) skipped: usize,
}

#[derive(Debug, Default)]
pub(crate) struct Junit {
    pub(crate) totals: JunitCounts,
    pub(crate) suites: Vec<(String, JunitCounts)>,
    pub(crate) cases: Vec<JunitCase>,
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name)
        .expect("well-formed attributes")
        .map(|a| {
            a.normalized_value(XmlVersion::Explicit1_0)
                .expect("attribute escapes")
                .into_owned()
        })
}

fn counts(e: &BytesStart<'_>) -> JunitCounts {
    let n = |k| attr(e, k).expect(k).parse().expect("a count");
    JunitCounts {
        tests: n("tests"),
        failures: n("failures"),
        errors: n("errors"),
        skipped: n("skipped"),
    }
}

fn xml_char_ok(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

/// Parses JUnit XML strictly (matching end tags, known entities only, XML 1.0 characters
/// only) and returns its suites and cases. Panics on anything malformed.
pub(crate) fn parse_junit(xml: &str) -> Junit {
    assert!(
        xml.chars().all(xml_char_ok),
        "character not allowed in XML 1.0"
    );
    let mut reader = Reader::from_str(xml);
    reader.config_mut().check_end_names = true;
    let mut out = Junit::default();
    let mut stack: Vec<String> = Vec::new();
    let mut suite = String::new();
    let mut roots = 0;
    loop {
        let ev = reader.read_event().expect("well-formed XML");
        let start = match &ev {
            Event::Start(e) | Event::Empty(e) => Some(e.clone()),
            _ => None,
        };
        if let Some(e) = start {
            let name = e.name().as_ref().to_owned();
            if stack.is_empty() {
                roots += 1;
                assert_eq!(name, "testsuites", "root element");
                out.totals = counts(&e);
            }
            for a in e.attributes() {
                a.expect("attribute")
                    .normalized_value(XmlVersion::Explicit1_0)
                    .expect("attribute escapes");
            }
            match name.as_str() {
                "testsuite" => {
                    assert_eq!(stack.last().map(String::as_str), Some("testsuites"));
                    suite = attr(&e, "name").expect("suite name");
                    out.suites.push((suite.clone(), counts(&e)));
                }
                "testcase" => {
                    assert_eq!(stack.last().map(String::as_str), Some("testsuite"));
                    out.cases.push(JunitCase {
                        suite: suite.clone(),
                        name: attr(&e, "name").expect("case name"),
                        classname: attr(&e, "classname").expect("classname"),
                        result: "passed".into(),
                        message: None,
                        body: String::new(),
                    });
                }
                "failure" | "error" | "skipped" => {
                    assert_eq!(stack.last().map(String::as_str), Some("testcase"));
                    let case = out.cases.last_mut().unwrap();
                    assert_eq!(case.result, "passed", "one result element per case");
                    case.result = name.clone();
                    case.message = attr(&e, "message");
                }
                "properties" | "property" | "system-out" | "testsuites" => {}
                other => panic!("unexpected element <{other}>"),
            }
            if matches!(ev, Event::Start(_)) {
                stack.push(name);
            }
            continue;
        }
        match ev {
            Event::End(_) => {
                stack.pop();
            }
            Event::Text(t) => {
                let text = t.xml_content(XmlVersion::Explicit1_0).into_owned();
                if matches!(stack.last().map(String::as_str), Some("failure" | "error")) {
                    out.cases.last_mut().unwrap().body.push_str(&text);
                }
            }
            Event::GeneralRef(r) => {
                let name: String = r.as_ref().to_owned();
                let resolved = match name.as_str() {
                    "amp" => "&".to_owned(),
                    "lt" => "<".to_owned(),
                    "gt" => ">".to_owned(),
                    "quot" => "\"".to_owned(),
                    "apos" => "'".to_owned(),
                    n if n.starts_with('#') => {
                        let code = n[1..].parse::<u32>().expect("decimal character reference");
                        char::from_u32(code).expect("a character").to_string()
                    }
                    other => panic!("undefined entity &{other};"),
                };
                if matches!(stack.last().map(String::as_str), Some("failure" | "error")) {
                    out.cases.last_mut().unwrap().body.push_str(&resolved);
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::Comment(_) => {}
            other => panic!("unexpected XML event {other:?}"),
        }
    }
    assert!(stack.is_empty(), "unclosed elements {stack:?}");
    assert_eq!(roots, 1, "exactly one root element");
    out
}

/// Asserts that `doc` is valid against the JSON schema in the file `path` (relative to the
/// repository), naming every error; `what` says what the document should be.
fn assert_schema(doc: &serde_json::Value, path: &str, what: &str) {
    let path = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{path} does not compile: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "not {what}: {errors:#?}\n{doc:#}");
}

/// Validates a JSON report document against `schemas/report.schema.json`.
pub(crate) fn assert_report_schema(doc: &serde_json::Value) {
    assert_schema(doc, "schemas/report.schema.json", "a report document");
}

/// Asserts that `doc` is valid against the official SARIF 2.1.0 schema (a copy in
/// `tests/fixtures/sarif/`, with its licence).
pub(crate) fn assert_sarif_schema(doc: &serde_json::Value) {
    assert_schema(
        doc,
        "tests/fixtures/sarif/sarif-schema-2.1.0.json",
        "valid SARIF 2.1.0",
    );
}

/// insta settings that keep snapshots in the repository's `snapshots/` directory.
pub(crate) fn snapshot_settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    s
}
