//! Test reports: one small model, four writers.
//!
//! A [`Report`] holds [`Suite`]s of [`Case`]s, each with an [`Outcome`]. The model serves both
//! `hookcheck listen` (a suite per event, a case per request received) and certification runs
//! (a suite per vendor, a case per event × property, with [`Counts`] of cases run, passed and
//! rejected as not applicable, the run's seed, and a minimal [`Counterexample`] for each
//! failure). The writers, one module each, turn it into:
//!
//! | [`Format`] | module | for |
//! | --- | --- | --- |
//! | `text` | [`text`] | people at a terminal |
//! | `json` | [`json`] | programs; checked against `schemas/report.schema.json` |
//! | `junit` | [`junit`] | CI systems (Jenkins/Surefire-style JUnit XML) |
//! | `markdown` | [`markdown`] | a compatibility certificate to publish |
//! | `sarif` | [`sarif`] | code review tools (SARIF 2.1.0: GitHub code scanning and others) |
//!
//! Output is deterministic: everything is written in model order, and the only values that
//! change from run to run are the start time and durations. [`Report::without_timings`] drops
//! those, for snapshot tests.
//!
//! # Example
//!
//! ```
//! use hookcheck::report::{Case, Format, Outcome, Report, Suite};
//!
//! let mut report = Report::new("hookcheck listen");
//! report.suites.push(Suite::new("postal/MessageSent").with_case(
//!     Case::new("request 1", "listen.postal").with_outcome(Outcome::Passed),
//! ));
//! let mut out = Vec::new();
//! Format::Junit.write(&report, &mut out)?;
//! assert!(String::from_utf8(out).unwrap().contains(r#"tests="1" failures="0""#));
//! # Ok::<(), std::io::Error>(())
//! ```

pub mod cut;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod text;

use std::{
    fmt, io,
    str::FromStr,
    time::{Duration, SystemTime},
};

use serde::{Deserialize, Serialize};

/// Failing cases listed one each in a report of many checked items (requests received,
/// payloads read); beyond it, each suite gets one summary case.
pub const LISTED_FAILURES: u64 = 2000;
/// Passing cases listed one each in such a report.
pub const LISTED_PASSES: u64 = 10_000;

/// A whole run: what ran, when, with which seed, and every case's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The tool and version that produced the report (`hookcheck 0.1.0`).
    pub tool: String,
    /// What the run was (`hookcheck listen on 127.0.0.1:8080`, `postal parser certification`).
    pub title: String,
    /// When the run started.
    #[serde(with = "rfc3339", default)]
    pub started: Option<SystemTime>,
    /// How long the run took.
    #[serde(with = "seconds", default)]
    pub duration: Option<Duration>,
    /// The seed every generated input derives from, for runs that generate inputs.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Facts about the run (the command line, the parser certified, ...), in order.
    #[serde(default)]
    pub properties: Vec<Property>,
    /// The suites, in order.
    pub suites: Vec<Suite>,
    /// What the payloads of the run covered of the catalog, for runs that measure it
    /// (`listen`, `validate --coverage`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<crate::coverage::Coverage>,
}

/// A name/value fact attached to a report, suite or case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Property {
    /// The name.
    pub name: String,
    /// The value.
    pub value: String,
}

impl Property {
    /// A property.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// A group of cases (an event in `listen`, a vendor or parser in a certification).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suite {
    /// The suite's name.
    pub name: String,
    /// Facts about the suite.
    #[serde(default)]
    pub properties: Vec<Property>,
    /// The cases, in order.
    pub cases: Vec<Case>,
}

/// One check and its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// The case's name (`request 17`, `MessageSent × round_trip`).
    pub name: String,
    /// A dotted class name for JUnit consumers (`hookcheck.listen.postal`).
    pub classname: String,
    /// What happened.
    pub outcome: Outcome,
    /// How long the case took.
    #[serde(with = "seconds", default)]
    pub duration: Option<Duration>,
    /// Facts about the case (HTTP status, detected event, property name, ...).
    #[serde(default)]
    pub properties: Vec<Property>,
    /// For cases that run many generated inputs: how many ran, passed, or were rejected.
    #[serde(default)]
    pub counts: Option<Counts>,
    /// Where a failure is and what it breaks, typed, for tools that show findings in place
    /// ([`sarif`]): one per schema violation, or one for the case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
}

/// Findings of one case shown by the text, JUnit and Markdown writers (the rest are counted).
pub const FINDINGS_SHOWN: usize = 20;

/// One located finding of a failed case: the rule it breaks, the file and position it is
/// in, and the JSON pointers of the value and of the schema keyword.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule broken: `schema/<keyword>` for a schema violation, `certify/<property>` for
    /// a certification property, `listen/<outcome>` for a delivery refused for another reason.
    pub rule: String,
    /// What is wrong, in one line.
    pub message: String,
    /// The file the finding is in (a payload, a saved regression, a recording), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The 1-based line in `file`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The 1-based column in `file` (of the value at `pointer`, where it was found).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<u64>,
    /// The JSON pointer of the offending value in the payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// The JSON pointer of the failing keyword in its schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_path: Option<String>,
    /// The schema keyword concerned (`type`, `required`), when a schema keyword is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
    /// What the rule required (`rejected`, `event "MessageSent"`, `message_id "abc"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// What was found instead: what the parser did, or the value that broke the schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
}

impl Finding {
    /// A finding of `rule` with `message`, not yet located.
    pub fn new(rule: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            rule: rule.into(),
            message: message.into(),
            file: None,
            line: None,
            column: None,
            pointer: None,
            schema_path: None,
            keyword: None,
            expected: None,
            actual: None,
        }
    }

    /// The finding of one schema violation: rule `schema/<keyword>`, with both pointers and
    /// the keyword.
    #[must_use]
    pub fn violation(v: &crate::validate::Violation) -> Self {
        Self {
            pointer: Some(v.instance_path.as_str().to_owned()),
            schema_path: Some(v.schema_path.as_str().to_owned()),
            keyword: Some(v.keyword.clone()),
            ..Self::new(format!("schema/{}", v.keyword), v.message.clone())
        }
    }

    /// This finding with what was required and what was found instead.
    #[must_use]
    pub fn expecting(mut self, expected: impl Into<String>, actual: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self.actual = Some(actual.into());
        self
    }

    /// Where the finding is and what it compares, in one line for people:
    /// `file:line:column: /pointer: rule (schema /path): expected X, found Y`, with the parts
    /// that are not known left out. The message is not included.
    #[must_use]
    pub fn locator(&self) -> String {
        let mut at = String::new();
        if let Some(file) = &self.file {
            at.push_str(file);
            if let Some(line) = self.line {
                at.push_str(&format!(":{line}"));
                if let Some(column) = self.column {
                    at.push_str(&format!(":{column}"));
                }
            }
            at.push_str(": ");
        }
        if let Some(pointer) = &self.pointer {
            at.push_str(if pointer.is_empty() {
                "(root)"
            } else {
                pointer
            });
            at.push_str(": ");
        }
        at.push_str(&self.rule);
        if let Some(path) = &self.schema_path {
            at.push_str(&format!(" (schema {path})"));
        }
        match (&self.expected, &self.actual) {
            (Some(e), Some(a)) => at.push_str(&format!(": expected {e}, found {a}")),
            (Some(e), None) => at.push_str(&format!(": expected {e}")),
            (None, Some(a)) => at.push_str(&format!(": found {a}")),
            (None, None) => {}
        }
        cut::message(&at).into_owned()
    }

    /// The lines that show `findings` to people, one per finding (its [`locator`](Self::locator)
    /// then its message), at most [`FINDINGS_SHOWN`] and then a count of the rest. The text,
    /// JUnit and Markdown writers use it; JSON and SARIF keep every finding.
    #[must_use]
    pub fn lines(findings: &[Finding]) -> Vec<String> {
        let mut lines: Vec<String> = findings
            .iter()
            .take(FINDINGS_SHOWN)
            .map(|f| format!("{} — {}", f.locator(), cut::message(&f.message)))
            .collect();
        if findings.len() > FINDINGS_SHOWN {
            lines.push(format!(
                "… and {} more (every finding is in the JSON and SARIF reports)",
                findings.len() - FINDINGS_SHOWN
            ));
        }
        lines
    }

    /// This finding in `file`, at `line` if known.
    #[must_use]
    pub fn in_file(mut self, file: impl Into<String>, line: Option<u64>) -> Self {
        self.file = Some(file.into());
        self.line = line;
        self
    }
}

/// The outcome of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// The check held.
    Passed,
    /// The check did not hold: the subject is at fault.
    Failed {
        /// One line saying what failed.
        message: String,
        /// More detail (violations, the response, a diff), if any.
        #[serde(default)]
        detail: Option<String>,
        /// The smallest input found that makes the check fail, if the run shrinks inputs.
        #[serde(default)]
        counterexample: Option<Counterexample>,
    },
    /// The check does not apply (unsupported keyword, unsatisfiable schema, feature absent).
    Skipped {
        /// Why.
        reason: String,
    },
    /// The check could not be run: the harness or the environment is at fault.
    Error {
        /// One line saying what went wrong.
        message: String,
        /// More detail, if any.
        #[serde(default)]
        detail: Option<String>,
    },
}

impl Outcome {
    /// A failure with only a message.
    pub fn failed(message: impl Into<String>) -> Self {
        Outcome::Failed {
            message: message.into(),
            detail: None,
            counterexample: None,
        }
    }

    /// The status word: `passed`, `failed`, `skipped` or `error`.
    #[must_use]
    pub fn status(&self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed { .. } => "failed",
            Outcome::Skipped { .. } => "skipped",
            Outcome::Error { .. } => "error",
        }
    }
}

/// A minimal failing input, with what is needed to reproduce it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counterexample {
    /// The seed of the case that produced it, if different from the report's.
    #[serde(default)]
    pub seed: Option<u64>,
    /// The input, as text (a JSON payload, usually).
    pub input: String,
    /// How it was found or what it shows (`shrunk in 14 steps`), if anything.
    #[serde(default)]
    pub note: Option<String>,
}

/// Counts of generated inputs behind one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counts {
    /// Inputs run.
    pub run: u64,
    /// Inputs for which the check held.
    pub passed: u64,
    /// Inputs rejected as not applicable (neither pass nor fail).
    pub rejected: u64,
}

/// Outcome tallies of a suite or report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Totals {
    /// Cases in all.
    pub tests: usize,
    /// Cases that passed.
    pub passed: usize,
    /// Cases that failed.
    pub failed: usize,
    /// Cases that could not be run.
    pub errors: usize,
    /// Cases skipped as not applicable.
    pub skipped: usize,
}

impl Totals {
    fn add(&mut self, outcome: &Outcome) {
        self.tests += 1;
        match outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Failed { .. } => self.failed += 1,
            Outcome::Skipped { .. } => self.skipped += 1,
            Outcome::Error { .. } => self.errors += 1,
        }
    }

    /// Whether nothing failed and nothing errored.
    #[must_use]
    pub fn is_success(&self) -> bool {
        self.failed == 0 && self.errors == 0
    }
}

impl Report {
    /// An empty report titled `title`, by this version of hookcheck.
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            tool: format!("hookcheck {}", env!("CARGO_PKG_VERSION")),
            title: title.into(),
            started: None,
            duration: None,
            seed: None,
            properties: Vec::new(),
            suites: Vec::new(),
            coverage: None,
        }
    }

    /// Tallies over every suite.
    #[must_use]
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for case in self.suites.iter().flat_map(|s| &s.cases) {
            t.add(&case.outcome);
        }
        t
    }

    /// Whether nothing failed and nothing errored.
    #[must_use]
    pub fn is_success(&self) -> bool {
        self.totals().is_success()
    }

    /// The same report with the start time and every duration removed, so that it is
    /// byte-for-byte reproducible (for snapshot tests and diffs).
    #[must_use]
    pub fn without_timings(&self) -> Report {
        let mut r = self.clone();
        r.started = None;
        r.duration = None;
        for case in r.suites.iter_mut().flat_map(|s| &mut s.cases) {
            case.duration = None;
        }
        r
    }
}

impl Suite {
    /// An empty suite.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            properties: Vec::new(),
            cases: Vec::new(),
        }
    }

    /// This suite with `case` appended.
    #[must_use]
    pub fn with_case(mut self, case: Case) -> Self {
        self.cases.push(case);
        self
    }

    /// Tallies over the suite's cases.
    #[must_use]
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for case in &self.cases {
            t.add(&case.outcome);
        }
        t
    }

    /// The sum of the case durations, if any case has one.
    #[must_use]
    pub fn duration(&self) -> Option<Duration> {
        self.cases
            .iter()
            .filter_map(|c| c.duration)
            .reduce(|a, b| a + b)
    }
}

impl Case {
    /// A passed case without duration, properties or counts.
    pub fn new(name: impl Into<String>, classname: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            classname: classname.into(),
            outcome: Outcome::Passed,
            duration: None,
            properties: Vec::new(),
            counts: None,
            findings: Vec::new(),
        }
    }

    /// This case with a finding appended.
    #[must_use]
    pub fn with_finding(mut self, finding: Finding) -> Self {
        self.findings.push(finding);
        self
    }

    /// This case with another outcome.
    #[must_use]
    pub fn with_outcome(mut self, outcome: Outcome) -> Self {
        self.outcome = outcome;
        self
    }

    /// This case with a property appended.
    #[must_use]
    pub fn with_property(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.properties.push(Property::new(name, value));
        self
    }
}

/// The report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Plain text for people.
    Text,
    /// JSON following `schemas/report.schema.json`.
    Json,
    /// JUnit XML.
    Junit,
    /// A Markdown compatibility certificate.
    Markdown,
    /// SARIF 2.1.0, one result per finding.
    Sarif,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 5] = [
        Format::Text,
        Format::Json,
        Format::Junit,
        Format::Markdown,
        Format::Sarif,
    ];

    /// The format's name (`text`, `json`, `junit`, `markdown`).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
            Format::Sarif => "sarif",
        }
    }

    /// The file name a report of this format gets in an output directory.
    #[must_use]
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Text => "report.txt",
            Format::Json => "report.json",
            Format::Junit => "junit.xml",
            Format::Markdown => "report.md",
            Format::Sarif => "report.sarif",
        }
    }

    /// Writes `report` in this format.
    ///
    /// # Errors
    ///
    /// Whatever `out` returns.
    pub fn write(self, report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
        match self {
            Format::Text => text::write(report, out),
            Format::Json => json::write(report, out),
            Format::Junit => junit::write(report, out),
            Format::Markdown => markdown::write(report, out),
            Format::Sarif => sarif::write(report, out),
        }
    }

    /// Parses a comma-separated list such as `junit,json,markdown` (duplicates dropped).
    ///
    /// # Errors
    ///
    /// [`UnknownFormat`] for a name that is not a format.
    pub fn parse_list(list: &str) -> Result<Vec<Format>, UnknownFormat> {
        let mut formats = Vec::new();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let f: Format = name.parse()?;
            if !formats.contains(&f) {
                formats.push(f);
            }
        }
        Ok(formats)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A report format name that is not one of `text`, `json`, `junit`, `markdown`, `sarif`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormat {
    /// The name given.
    pub name: String,
}

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown report format {:?} (expected text, json, junit, markdown or sarif)",
            self.name
        )
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "text" | "txt" | "human" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "junit" | "xml" => Ok(Format::Junit),
            "markdown" | "md" => Ok(Format::Markdown),
            "sarif" => Ok(Format::Sarif),
            _ => Err(UnknownFormat { name: s.to_owned() }),
        }
    }
}

/// Formats a duration as seconds with millisecond precision (`1.250`), as JUnit wants it.
pub(crate) fn secs(d: Duration) -> String {
    format!("{}.{:03}", d.as_secs(), d.subsec_millis())
}

/// Formats an instant as RFC 3339 in UTC with second precision (`2024-01-15T12:00:00Z`).
pub(crate) fn rfc3339_secs(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

/// `Option<SystemTime>` as an RFC 3339 string with microseconds, or `null`.
mod rfc3339 {
    use std::time::SystemTime;

    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub(super) fn serialize<S: Serializer>(
        t: &Option<SystemTime>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&humantime::format_rfc3339_micros(*t).to_string()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<SystemTime>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| humantime::parse_rfc3339(&text).map_err(D::Error::custom))
            .transpose()
    }
}

/// `Option<Duration>` as fractional seconds, or `null`.
mod seconds {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

    pub(super) fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_f64(d.as_secs_f64()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Duration>, D::Error> {
        Option::<f64>::deserialize(d)?
            .map(|secs| Duration::try_from_secs_f64(secs).map_err(D::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_lists_parse() {
        assert_eq!(
            Format::parse_list("junit, json,markdown,json"),
            Ok(vec![Format::Junit, Format::Json, Format::Markdown])
        );
        assert_eq!(
            Format::parse_list("junit,yaml"),
            Err(UnknownFormat {
                name: "yaml".into()
            })
        );
    }

    #[test]
    fn totals_count_each_outcome() {
        let suite = Suite::new("s")
            .with_case(Case::new("a", "c"))
            .with_case(Case::new("b", "c").with_outcome(Outcome::failed("no")))
            .with_case(Case::new("c", "c").with_outcome(Outcome::Skipped {
                reason: "n/a".into(),
            }))
            .with_case(Case::new("d", "c").with_outcome(Outcome::Error {
                message: "boom".into(),
                detail: None,
            }));
        let t = suite.totals();
        assert_eq!(
            (t.tests, t.passed, t.failed, t.skipped, t.errors),
            (4, 1, 1, 1, 1)
        );
        assert!(!t.is_success());
    }

    #[test]
    fn durations_format_as_junit_seconds() {
        assert_eq!(secs(Duration::from_millis(1250)), "1.250");
        assert_eq!(secs(Duration::from_micros(999)), "0.000");
    }
}
