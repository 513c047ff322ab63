//! The plain-text writer: one line per case, failure details indented under it, a summary
//! line at the end. [`write_quiet`] leaves out what passed or was skipped.
//!
//! Every line is kept on one line (control characters escaped) and long values in messages are
//! cut (see [`cut`]); lines of details and counterexamples are cut only past 16 KiB.
//! The JSON report keeps everything whole.

use std::io;

use super::{Case, Finding, Outcome, Report, cut, rfc3339_secs, secs};

/// Writes the report as text.
///
/// # Errors
///
/// Whatever `out` returns.
pub fn write(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    write_with(report, out, false)
}

/// Writes the report as text with only the cases that failed or errored: the header (title,
/// seed, command), those cases under their suite's line, and the result line. An all-green run
/// is three or four lines, whatever its size.
///
/// # Errors
///
/// Whatever `out` returns.
pub fn write_quiet(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    write_with(report, out, true)
}

fn is_problem(case: &Case) -> bool {
    matches!(case.outcome, Outcome::Failed { .. } | Outcome::Error { .. })
}

fn write_with(report: &Report, out: &mut dyn io::Write, quiet: bool) -> io::Result<()> {
    writeln!(out, "{}", one_line(&report.title))?;
    let mut facts = vec![format!("tool: {}", one_line(&report.tool))];
    if let Some(t) = report.started {
        facts.push(format!("started: {}", rfc3339_secs(t)));
    }
    if let Some(d) = report.duration {
        facts.push(format!("duration: {}s", secs(d)));
    }
    if let Some(seed) = report.seed {
        facts.push(format!("seed: {seed}"));
    }
    writeln!(out, "{}", facts.join("  "))?;
    for p in &report.properties {
        writeln!(out, "{}: {}", one_line(&p.name), one_line(&p.value))?;
    }
    for suite in &report.suites {
        if quiet && !suite.cases.iter().any(is_problem) {
            continue;
        }
        let t = suite.totals();
        writeln!(
            out,
            "\n{} ({} passed, {} failed, {} errors, {} skipped)",
            one_line(&suite.name),
            t.passed,
            t.failed,
            t.errors,
            t.skipped
        )?;
        for case in suite.cases.iter().filter(|c| !quiet || is_problem(c)) {
            write_case(case, out)?;
        }
    }
    if let Some(c) = &report.coverage {
        writeln!(out, "\n{}", c.to_text())?;
    }
    let t = report.totals();
    writeln!(
        out,
        "\nresult: {}. {} passed; {} failed; {} errors; {} skipped; {} total",
        if t.is_success() { "ok" } else { "FAILED" },
        t.passed,
        t.failed,
        t.errors,
        t.skipped,
        t.tests
    )
}

fn write_case(case: &Case, out: &mut dyn io::Write) -> io::Result<()> {
    let word = match case.outcome {
        Outcome::Passed => "PASS ",
        Outcome::Failed { .. } => "FAIL ",
        Outcome::Skipped { .. } => "SKIP ",
        Outcome::Error { .. } => "ERROR",
    };
    let mut line = format!("  {word} {}", one_line(&case.name));
    if let Some(c) = case.counts {
        line.push_str(&format!(
            " [run {}, passed {}, not applicable {}]",
            c.run, c.passed, c.rejected
        ));
    }
    if let Some(d) = case.duration {
        line.push_str(&format!(" ({}s)", secs(d)));
    }
    match &case.outcome {
        Outcome::Passed => {}
        Outcome::Failed { message, .. } | Outcome::Error { message, .. } => {
            line.push_str(": ");
            line.push_str(&one_line(message));
        }
        Outcome::Skipped { reason } => {
            line.push_str(": ");
            line.push_str(&one_line(reason));
        }
    }
    writeln!(out, "{line}")?;
    if matches!(case.outcome, Outcome::Passed) {
        return Ok(());
    }
    for p in &case.properties {
        writeln!(
            out,
            "          {}: {}",
            one_line(&p.name),
            one_line(&p.value)
        )?;
    }
    for line in Finding::lines(&case.findings) {
        writeln!(out, "          at {}", visible(&line))?;
    }
    match &case.outcome {
        Outcome::Failed {
            detail,
            counterexample,
            ..
        } => {
            if let Some(d) = detail {
                indented(d, out)?;
            }
            if let Some(cx) = counterexample {
                match cx.seed {
                    Some(seed) => writeln!(out, "          counterexample (seed {seed}):")?,
                    None => writeln!(out, "          counterexample:")?,
                }
                indented(&cx.input, out)?;
                if let Some(note) = &cx.note {
                    writeln!(out, "          ({})", one_line(note))?;
                }
            }
        }
        Outcome::Error {
            detail: Some(d), ..
        } => indented(d, out)?,
        _ => {}
    }
    Ok(())
}

/// Characters of one line of a failure's detail or counterexample that are kept: enough for any
/// request body or payload worth reading, short of a pathological one.
const DETAIL_LIMIT: usize = 16 * 1024;

fn indented(text: &str, out: &mut dyn io::Write) -> io::Result<()> {
    for l in text.lines() {
        writeln!(
            out,
            "            {}",
            visible(&cut::value_to(l, DETAIL_LIMIT))
        )?;
    }
    Ok(())
}

/// Keeps a value on one line, makes control characters visible (`\n`, `\u{1b}`) and cuts long
/// values.
fn one_line(s: &str) -> String {
    visible(&cut::message(s))
}

/// Makes control characters visible.
fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Suite;

    fn report() -> Report {
        let huge = format!("{:?} is not a \"email\"", "x".repeat(1 << 20));
        let mut r = Report::new("run");
        r.suites.push(
            Suite::new("green")
                .with_case(Case::new("a", "c"))
                .with_case(Case::new("b", "c")),
        );
        r.suites.push(
            Suite::new("mixed")
                .with_case(Case::new("c", "c"))
                .with_case(Case::new("d", "c").with_outcome(Outcome::failed(huge))),
        );
        r
    }

    fn text(quiet: bool) -> String {
        let mut out = Vec::new();
        write_with(&report(), &mut out, quiet).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn quiet_leaves_out_what_passed_and_green_suites() {
        let (loud, quiet) = (text(false), text(true));
        assert!(
            loud.contains("PASS  a") && loud.contains("green ("),
            "{loud}"
        );
        assert!(
            !quiet.contains("PASS") && !quiet.contains("green ("),
            "{quiet}"
        );
        assert!(quiet.contains("mixed (1 passed, 1 failed"), "{quiet}");
        assert!(quiet.contains("FAIL  d"), "{quiet}");
        assert_eq!(quiet.lines().last(), loud.lines().last());
    }

    #[test]
    fn details_are_kept_up_to_their_own_limit() {
        let detail = |n: usize| {
            let mut r = Report::new("run");
            r.suites
                .push(Suite::new("s").with_case(Case::new("d", "c").with_outcome(
                    Outcome::Failed {
                        message: "no".into(),
                        detail: Some("b".repeat(n)),
                        counterexample: None,
                    },
                )));
            let mut out = Vec::new();
            write(&r, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert!(detail(4000).contains(&"b".repeat(4000)));
        let huge = detail(1 << 20);
        assert!(huge.len() < 2 * DETAIL_LIMIT, "{} bytes", huge.len());
        assert!(huge.contains("… (1048576 bytes)"));
    }

    #[test]
    fn long_values_are_cut() {
        let loud = text(false);
        assert!(loud.len() < 2000, "{} bytes", loud.len());
        assert!(
            loud.contains("…\" (1048576 bytes) is not a \"email\""),
            "{loud}"
        );
    }
}
