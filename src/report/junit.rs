//! The JUnit XML writer, in the Jenkins/Surefire dialect CI systems read.
//!
//! ```text
//! testsuites(name, tests, failures, errors, skipped, time?)
//!   testsuite(name, tests, failures, errors, skipped, time?, timestamp?)
//!     properties/property(name, value)      the report's seed and properties, then the suite's
//!     testcase(name, classname, time?)
//!       failure(message, type) | error(message, type) | skipped(message)
//!       system-out                          the case's properties, counts and counterexample
//!   testsuite(name="(coverage summary)")   with a coverage: a property per vendor and event,
//!     properties, system-out                and the text summary
//! ```
//!
//! Text is escaped for XML 1.0: the five markup characters become entities, and characters XML
//! cannot carry at all (C0 controls other than tab, newline and carriage return, and the
//! non-characters U+FFFE and U+FFFF) are written as `\u{..}` text, so any payload content
//! yields a well-formed document.

use std::io;

use super::{Case, Finding, Outcome, Property, Report, Suite, Totals, rfc3339_secs, secs};

/// Writes the report as JUnit XML.
///
/// # Errors
///
/// Whatever `out` returns.
pub fn write(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        "<testsuites name=\"{}\"{}{}>",
        escape(&report.title),
        counts(report.totals()),
        report
            .duration
            .map(|d| format!(" time=\"{}\"", secs(d)))
            .unwrap_or_default()
    )?;
    let mut shared = Vec::new();
    if let Some(seed) = report.seed {
        shared.push(Property::new("seed", seed.to_string()));
    }
    shared.push(Property::new("tool", report.tool.clone()));
    shared.extend(report.properties.iter().cloned());
    for suite in &report.suites {
        write_suite(report, suite, &shared, out)?;
    }
    if let Some(c) = &report.coverage {
        write_coverage(c, out)?;
    }
    writeln!(out, "</testsuites>")
}

/// The coverage as a suite without cases: a property per vendor and event, and the text
/// summary as its `system-out`.
fn write_coverage(c: &crate::coverage::Coverage, out: &mut dyn io::Write) -> io::Result<()> {
    writeln!(
        out,
        "  <testsuite name=\"(coverage summary)\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\">"
    )?;
    writeln!(out, "    <properties>")?;
    let mut props = Vec::new();
    for v in &c.vendors {
        props.push((
            format!("coverage.{}", v.vendor),
            format!(
                "{} of {} events seen, {} of {} items covered",
                v.events_seen, v.events, v.covered, v.items
            ),
        ));
        for e in &v.list {
            props.push((
                format!("coverage.{}", e.event),
                format!(
                    "received {}, {} of {} items covered",
                    e.count, e.covered, e.items
                ),
            ));
        }
    }
    for (name, value) in props {
        writeln!(
            out,
            "      <property name=\"{}\" value=\"{}\"/>",
            escape(&name),
            escape(&value)
        )?;
    }
    writeln!(out, "    </properties>")?;
    writeln!(
        out,
        "    <system-out>{}</system-out>",
        escape_text(&c.to_text())
    )?;
    writeln!(out, "  </testsuite>")
}

fn counts(t: Totals) -> String {
    format!(
        " tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
        t.tests, t.failed, t.errors, t.skipped
    )
}

fn write_suite(
    report: &Report,
    suite: &Suite,
    shared: &[Property],
    out: &mut dyn io::Write,
) -> io::Result<()> {
    let mut attrs = format!("name=\"{}\"{}", escape(&suite.name), counts(suite.totals()));
    if let Some(d) = suite.duration() {
        attrs.push_str(&format!(" time=\"{}\"", secs(d)));
    }
    if let Some(t) = report.started {
        // The JUnit schema's timestamp has no zone designator; it is UTC.
        let ts = rfc3339_secs(t);
        attrs.push_str(&format!(" timestamp=\"{}\"", ts.trim_end_matches('Z')));
    }
    writeln!(out, "  <testsuite {attrs}>")?;
    let props: Vec<&Property> = shared.iter().chain(&suite.properties).collect();
    if !props.is_empty() {
        writeln!(out, "    <properties>")?;
        for p in props {
            writeln!(
                out,
                "      <property name=\"{}\" value=\"{}\"/>",
                escape(&p.name),
                escape(&p.value)
            )?;
        }
        writeln!(out, "    </properties>")?;
    }
    for case in &suite.cases {
        write_case(case, out)?;
    }
    writeln!(out, "  </testsuite>")
}

fn write_case(case: &Case, out: &mut dyn io::Write) -> io::Result<()> {
    let time = case
        .duration
        .map(|d| format!(" time=\"{}\"", secs(d)))
        .unwrap_or_default();
    let open = format!(
        "    <testcase name=\"{}\" classname=\"{}\"{time}",
        escape(&case.name),
        escape(&case.classname)
    );
    let system_out = system_out(case);
    if matches!(case.outcome, Outcome::Passed) && system_out.is_empty() {
        return writeln!(out, "{open}/>");
    }
    writeln!(out, "{open}>")?;
    match &case.outcome {
        Outcome::Passed => {}
        Outcome::Failed {
            message,
            detail,
            counterexample,
        } => {
            let mut body = detail.clone().unwrap_or_default();
            for line in Finding::lines(&case.findings) {
                if !body.is_empty() {
                    body.push('\n');
                }
                body.push_str("at ");
                body.push_str(&line);
            }
            if let Some(cx) = counterexample {
                if !body.is_empty() {
                    body.push('\n');
                }
                match cx.seed {
                    Some(seed) => body.push_str(&format!("counterexample (seed {seed}):\n")),
                    None => body.push_str("counterexample:\n"),
                }
                body.push_str(&cx.input);
                if let Some(note) = &cx.note {
                    body.push_str(&format!("\n({note})"));
                }
            }
            element(out, "failure", message, "failure", &body)?;
        }
        Outcome::Error { message, detail } => {
            element(
                out,
                "error",
                message,
                "error",
                detail.as_deref().unwrap_or_default(),
            )?;
        }
        Outcome::Skipped { reason } => {
            writeln!(out, "      <skipped message=\"{}\"/>", escape(reason))?;
        }
    }
    if !system_out.is_empty() {
        writeln!(
            out,
            "      <system-out>{}</system-out>",
            escape_text(&system_out)
        )?;
    }
    writeln!(out, "    </testcase>")
}

fn element(
    out: &mut dyn io::Write,
    tag: &str,
    message: &str,
    kind: &str,
    body: &str,
) -> io::Result<()> {
    if body.is_empty() {
        writeln!(
            out,
            "      <{tag} message=\"{}\" type=\"{kind}\"/>",
            escape(&super::cut::message(message))
        )
    } else {
        writeln!(
            out,
            "      <{tag} message=\"{}\" type=\"{kind}\">{}</{tag}>",
            escape(&super::cut::message(message)),
            escape_text(body)
        )
    }
}

fn system_out(case: &Case) -> String {
    let mut lines: Vec<String> = case
        .properties
        .iter()
        .map(|p| format!("{}: {}", p.name, p.value))
        .collect();
    if let Some(c) = case.counts {
        lines.push(format!(
            "counts: run {}, passed {}, not applicable {}",
            c.run, c.passed, c.rejected
        ));
    }
    lines.join("\n")
}

/// Escapes text for an XML 1.0 attribute value (line breaks and tabs become character
/// references, so attribute-value normalisation keeps them).
#[must_use]
pub fn escape(text: &str) -> String {
    escape_as(text, true)
}

/// Escapes text for XML 1.0 element content (line breaks and tabs stay as they are).
#[must_use]
pub fn escape_text(text: &str) -> String {
    escape_as(text, false)
}

fn escape_as(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' | '\n' if !attribute => out.push(c),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{escape, escape_text};

    #[test]
    fn escapes_markup_and_unrepresentable_characters() {
        assert_eq!(
            escape("a<b>&\"c'\u{1b}\u{0}\n\u{FFFF}é"),
            "a&lt;b&gt;&amp;&quot;c&apos;\\u{1b}\\u{0}&#10;\\u{ffff}é"
        );
        assert_eq!(escape_text("a\n\tb\r"), "a\n\tb&#13;");
    }
}
