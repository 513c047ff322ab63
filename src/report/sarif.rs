//! The SARIF 2.1.0 writer, for code review tools (GitHub code scanning's
//! `github/codeql-action/upload-sarif`, and any other SARIF viewer).
//!
//! Every [`Finding`] of a failed or errored case becomes one result: its rule, its message, the
//! file and line (and column) it is in as the physical location, and the JSON pointer of the
//! value as a logical location. A failed case without findings becomes one result of its
//! own, named after its class. Each rule is described once, in the tool's `rules`, with help
//! text from the certification property, the schema keyword or the listener outcome it names.
//!
//! The output validates against the official SARIF 2.1.0 schema (`tests/fixtures/sarif/`).
//!
//! # Example
//!
//! ```
//! use hookcheck::report::{Case, Finding, Format, Outcome, Report, Suite};
//!
//! let mut report = Report::new("hookcheck validate");
//! report.suites.push(Suite::new("postal/MessageSent").with_case(
//!     Case::new("sent.json", "hookcheck.validate")
//!         .with_outcome(Outcome::failed("/uuid: format"))
//!         .with_finding(Finding::new("schema/format", "\"x\" is not a \"uuid\"").in_file("sent.json", Some(3))),
//! ));
//! let mut out = Vec::new();
//! Format::Sarif.write(&report, &mut out)?;
//! let sarif: serde_json::Value = serde_json::from_slice(&out).unwrap();
//! assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "schema/format");
//! # Ok::<(), std::io::Error>(())
//! ```

use std::{collections::BTreeMap, io};

use serde_json::{Value, json};

use super::{Case, Finding, Outcome, Report};

/// The `$schema` every document names.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Help text for a rule id, from what it names.
fn help(rule: &str) -> String {
    let (kind, name) = rule.split_once('/').unwrap_or(("", rule));
    match kind {
        "certify" => name
            .parse::<crate::certify::Property>()
            .map(|p| format!("The parser {}.", p.meaning()))
            .unwrap_or_else(|_| format!("The certification property {name}.")),
        "schema" => format!(
            "The payload breaks the `{name}` keyword of its event's schema: {}",
            keyword_meaning(name)
        ),
        "listen" => format!("A delivery the listener recorded as {name}."),
        _ => format!("The check {rule}."),
    }
}

/// What a JSON Schema keyword asks of a value, in one line.
fn keyword_meaning(keyword: &str) -> &'static str {
    match keyword {
        "type" => "the value must be of the type the schema names.",
        "required" => "the object must have every property the schema requires.",
        "enum" | "const" => "the value must be one of the values the schema lists.",
        "format" => "the string must be in the named format (date-time, email, uuid, uri, ...).",
        "pattern" => "the string must match the schema's regular expression.",
        "minLength" | "maxLength" => "the string's length must be within the schema's bounds.",
        "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" => {
            "the number must be within the schema's bounds."
        }
        "minItems" | "maxItems" | "uniqueItems" | "contains" | "items" | "prefixItems" => {
            "the array must have the items the schema asks for."
        }
        "additionalProperties" | "unevaluatedProperties" | "propertyNames" => {
            "the object must not have properties the schema does not allow."
        }
        "oneOf" | "anyOf" | "allOf" | "not" | "if" | "then" | "else" => {
            "the value must satisfy the schema's combination of alternatives or conditions."
        }
        "envelope" => "the body must have exactly one vendor's webhook envelope.",
        "json" => "the body must be well-formed JSON.",
        _ => "see the event's schema at the schema path given.",
    }
}

fn location(f: &Finding) -> Option<Value> {
    let mut loc = serde_json::Map::new();
    if let Some(file) = &f.file {
        let mut physical = json!({"artifactLocation": {"uri": uri(file)}});
        if let Some(line) = f.line {
            let mut region = json!({"startLine": line.max(1)});
            if let Some(column) = f.column {
                region["startColumn"] = json!(column.max(1));
            }
            physical["region"] = region;
        }
        loc.insert("physicalLocation".into(), physical);
    }
    if let Some(pointer) = &f.pointer {
        let name = if pointer.is_empty() { "/" } else { pointer };
        loc.insert(
            "logicalLocations".into(),
            json!([{"fullyQualifiedName": name, "kind": "member"}]),
        );
    }
    (!loc.is_empty()).then_some(Value::Object(loc))
}

/// A file path as a relative URI reference: separators as `/`, and characters a URI cannot
/// hold percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:@!$&'()*+,;=".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Characters of a case's detail or counterexample kept in a result.
const DETAIL_KEPT: usize = 16_000;

/// What a result carries besides its finding: the case's detail (for a result standing for
/// the whole case) and its counterexample (on the case's first result).
#[derive(Default)]
struct Extra<'a> {
    detail: Option<&'a str>,
    counterexample: Option<&'a str>,
}

/// The findings a case reports: its own, or one standing for the whole case.
fn findings(case: &Case) -> Vec<(Finding, Extra<'_>)> {
    let (message, detail, counterexample) = match &case.outcome {
        Outcome::Failed {
            message,
            detail,
            counterexample,
        } => (
            message,
            detail.as_deref(),
            counterexample.as_ref().map(|c| c.input.as_str()),
        ),
        Outcome::Error { message, detail } => (message, detail.as_deref(), None),
        Outcome::Passed | Outcome::Skipped { .. } => return Vec::new(),
    };
    if case.findings.is_empty() {
        let finding = Finding::new(case.classname.clone(), message.clone());
        return vec![(
            finding,
            Extra {
                detail,
                counterexample,
            },
        )];
    }
    case.findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let extra = Extra {
                detail: None,
                counterexample: counterexample.filter(|_| i == 0),
            };
            (f.clone(), extra)
        })
        .collect()
}

/// The report as a SARIF 2.1.0 log.
#[must_use]
pub fn to_value(report: &Report) -> Value {
    let mut rules: BTreeMap<String, usize> = BTreeMap::new();
    let mut results = Vec::new();
    for suite in &report.suites {
        for case in &suite.cases {
            let level = match case.outcome {
                Outcome::Error { .. } => "warning",
                _ => "error",
            };
            for (f, extra) in findings(case) {
                let next = rules.len();
                let index = *rules.entry(f.rule.clone()).or_insert(next);
                let mut result = json!({
                    "ruleId": f.rule,
                    "ruleIndex": index,
                    "level": level,
                    "message": {"text": super::cut::message(&f.message)},
                    "properties": {"suite": suite.name, "case": case.name},
                });
                if let Some(loc) = location(&f) {
                    result["locations"] = json!([loc]);
                }
                if let Some(schema_path) = &f.schema_path {
                    result["properties"]["schemaPath"] = json!(schema_path);
                }
                for (name, value) in [
                    ("keyword", &f.keyword),
                    ("expected", &f.expected),
                    ("actual", &f.actual),
                ] {
                    if let Some(value) = value {
                        result["properties"][name] = json!(super::cut::message(value));
                    }
                }
                if let Some(detail) = extra.detail {
                    result["properties"]["detail"] =
                        json!(super::cut::value_to(detail, DETAIL_KEPT));
                }
                if let Some(input) = extra.counterexample {
                    result["properties"]["counterexample"] =
                        json!(super::cut::value_to(input, DETAIL_KEPT));
                }
                results.push(result);
            }
        }
    }
    let mut ordered: Vec<(&String, &usize)> = rules.iter().collect();
    ordered.sort_by_key(|(_, i)| **i);
    let rules: Vec<Value> = ordered
        .into_iter()
        .map(|(id, _)| {
            let text = help(id);
            json!({
                "id": id,
                "shortDescription": {"text": id},
                "fullDescription": {"text": text},
                "help": {"text": text},
            })
        })
        .collect();
    let version = report
        .tool
        .strip_prefix("hookcheck ")
        .unwrap_or(env!("CARGO_PKG_VERSION"));
    let mut driver = json!({"name": "hookcheck", "version": version, "rules": rules});
    let home = env!("CARGO_PKG_REPOSITORY");
    if !home.is_empty() {
        driver["informationUri"] = json!(home);
    }
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "columnKind": "unicodeCodePoints",
            "automationDetails": {"description": {"text": report.title}},
            "results": results,
        }],
    })
}

/// Writes the report as a pretty-printed SARIF 2.1.0 log and a final newline.
///
/// # Errors
///
/// Whatever `out` returns.
pub fn write(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report)).map_err(io::Error::from)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Suite;

    #[test]
    fn each_finding_is_a_result_and_each_rule_is_described_once() {
        let mut report = Report::new("t");
        report.suites.push(
            Suite::new("s")
                .with_case(
                    Case::new("a", "hookcheck.x")
                        .with_outcome(Outcome::failed("two"))
                        .with_finding(
                            Finding::new("schema/format", "one").in_file("a b.json", Some(2)),
                        )
                        .with_finding(Finding::new("schema/format", "two")),
                )
                .with_case(
                    Case::new("b", "hookcheck.certify.postal").with_outcome(Outcome::failed("bad")),
                )
                .with_case(Case::new("c", "hookcheck.x")),
        );
        let v = to_value(&report);
        let run = &v["runs"][0];
        assert_eq!(run["results"].as_array().unwrap().len(), 3);
        assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 2);
        assert_eq!(
            run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "a%20b.json"
        );
        assert_eq!(run["results"][2]["ruleId"], "hookcheck.certify.postal");
        assert_eq!(run["results"][2]["ruleIndex"], 1);
    }

    #[test]
    fn rules_are_helped_by_what_they_name() {
        assert!(help("certify/no-panic").contains("never panics"));
        assert!(help("schema/required").contains("every property"));
    }
}
