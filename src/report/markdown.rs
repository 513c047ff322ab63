//! The Markdown writer: a compatibility certificate.
//!
//! It opens with the verdict and what is needed to reproduce the run (tool, seed, properties),
//! then a summary table per suite, a table of every case, and a section per failure with its
//! detail and minimal counterexample in fenced blocks. Untrusted text (payload content, parser
//! messages) is escaped in tables and fenced with a fence longer than any backtick run inside
//! it, so it cannot change the document's structure.

use std::io;

use super::{Case, Finding, Outcome, Report, rfc3339_secs, secs};

/// Writes the report as a Markdown certificate.
///
/// # Errors
///
/// Whatever `out` returns.
pub fn write(report: &Report, out: &mut dyn io::Write) -> io::Result<()> {
    let t = report.totals();
    writeln!(
        out,
        "# Compatibility certificate: {}\n",
        inline(&report.title)
    )?;
    let verdict = if t.is_success() {
        format!("**PASSED**: all {} checks held", t.passed)
    } else {
        format!(
            "**FAILED**: {} failed, {} could not run, of {} checks",
            t.failed, t.errors, t.tests
        )
    };
    writeln!(out, "| | |\n| --- | --- |")?;
    writeln!(out, "| Verdict | {verdict} |")?;
    writeln!(out, "| Tool | {} |", inline(&report.tool))?;
    if let Some(s) = report.started {
        writeln!(out, "| Started | {} |", rfc3339_secs(s))?;
    }
    if let Some(d) = report.duration {
        writeln!(out, "| Duration | {}s |", secs(d))?;
    }
    if let Some(seed) = report.seed {
        writeln!(out, "| Seed | `{seed}` |")?;
    }
    for p in &report.properties {
        writeln!(out, "| {} | {} |", inline(&p.name), inline(&p.value))?;
    }
    writeln!(
        out,
        "| Checks | {} passed, {} failed, {} errors, {} not applicable |",
        t.passed, t.failed, t.errors, t.skipped
    )?;

    writeln!(out, "\n## Summary\n")?;
    writeln!(
        out,
        "| Suite | Checks | Passed | Failed | Errors | Not applicable |"
    )?;
    writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: |")?;
    for suite in &report.suites {
        let s = suite.totals();
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            inline(&suite.name),
            s.tests,
            s.passed,
            s.failed,
            s.errors,
            s.skipped
        )?;
    }

    for suite in &report.suites {
        writeln!(out, "\n## {}\n", inline(&suite.name))?;
        for p in &suite.properties {
            writeln!(out, "- {}: {}", inline(&p.name), inline(&p.value))?;
        }
        if !suite.properties.is_empty() {
            writeln!(out)?;
        }
        let with_counts = suite.cases.iter().any(|c| c.counts.is_some());
        if with_counts {
            writeln!(
                out,
                "| Check | Result | Inputs run | Passed | Not applicable | Note |"
            )?;
            writeln!(out, "| --- | --- | ---: | ---: | ---: | --- |")?;
        } else {
            writeln!(out, "| Check | Result | Note |")?;
            writeln!(out, "| --- | --- | --- |")?;
        }
        for case in &suite.cases {
            let counts = if with_counts {
                let c = case.counts.unwrap_or_default();
                match case.counts {
                    Some(_) => format!(" {} | {} | {} |", c.run, c.passed, c.rejected),
                    None => " | | |".to_owned(),
                }
            } else {
                String::new()
            };
            writeln!(
                out,
                "| {} | {} |{counts} {} |",
                inline(&case.name),
                result_word(&case.outcome),
                inline(note(case))
            )?;
        }
    }

    if let Some(c) = &report.coverage {
        write_coverage(c, out)?;
    }

    let failures: Vec<(&str, &Case)> = report
        .suites
        .iter()
        .flat_map(|s| s.cases.iter().map(move |c| (s.name.as_str(), c)))
        .filter(|(_, c)| matches!(c.outcome, Outcome::Failed { .. } | Outcome::Error { .. }))
        .collect();
    if !failures.is_empty() {
        writeln!(out, "\n## Failures")?;
    }
    for (suite, case) in failures {
        writeln!(out, "\n### {} / {}", inline(suite), inline(&case.name))?;
        if !case.properties.is_empty() {
            writeln!(out)?;
        }
        for p in &case.properties {
            writeln!(out, "- {}: {}", inline(&p.name), inline(&p.value))?;
        }
        match &case.outcome {
            Outcome::Failed {
                message,
                detail,
                counterexample,
            } => {
                writeln!(out, "\n{}", inline(message))?;
                let found = Finding::lines(&case.findings);
                if !found.is_empty() {
                    writeln!(out, "\nFindings:\n")?;
                    for line in found {
                        writeln!(out, "- {}", inline(&line))?;
                    }
                }
                if let Some(d) = detail {
                    fenced(out, "text", d)?;
                }
                if let Some(cx) = counterexample {
                    match cx.seed.or(report.seed) {
                        Some(seed) => writeln!(out, "\nCounterexample (seed `{seed}`):")?,
                        None => writeln!(out, "\nCounterexample:")?,
                    }
                    let lang = if serde_json::from_str::<serde_json::Value>(&cx.input).is_ok() {
                        "json"
                    } else {
                        "text"
                    };
                    fenced(out, lang, &cx.input)?;
                    if let Some(n) = &cx.note {
                        writeln!(out, "\n{}", inline(n))?;
                    }
                }
            }
            Outcome::Error { message, detail } => {
                writeln!(out, "\nCould not run: {}", inline(message))?;
                if let Some(d) = detail {
                    fenced(out, "text", d)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// The coverage section: a table of events per vendor, then the items not covered of each
/// event received (up to [`crate::coverage::summary::LISTED_UNCOVERED`] each).
fn write_coverage(c: &crate::coverage::Coverage, out: &mut dyn io::Write) -> io::Result<()> {
    use crate::coverage::summary::LISTED_UNCOVERED;
    writeln!(out, "\n## Coverage")?;
    for v in &c.vendors {
        writeln!(
            out,
            "\n### {}: {} of {} events seen, {} of {} items covered\n",
            inline(&v.vendor),
            v.events_seen,
            v.events,
            v.covered,
            v.items
        )?;
        writeln!(
            out,
            "| Event | Received | Items covered | Not covered (first {LISTED_UNCOVERED}) |"
        )?;
        writeln!(out, "| --- | ---: | ---: | --- |")?;
        for e in &v.list {
            let mut missing: Vec<String> =
                e.uncovered.iter().take(LISTED_UNCOVERED).cloned().collect();
            if e.uncovered.len() > LISTED_UNCOVERED {
                missing.push(format!("and {} more", e.uncovered.len() - LISTED_UNCOVERED));
            }
            writeln!(
                out,
                "| {} | {} | {} of {} | {} |",
                inline(&e.event),
                e.count,
                e.covered,
                e.items,
                inline(&missing.join(", "))
            )?;
        }
    }
    for f in c.failures() {
        writeln!(out, "\n**Coverage gate failed**: {}", inline(&f))?;
    }
    Ok(())
}

fn result_word(o: &Outcome) -> &'static str {
    match o {
        Outcome::Passed => "pass",
        Outcome::Failed { .. } => "**FAIL**",
        Outcome::Skipped { .. } => "not applicable",
        Outcome::Error { .. } => "**ERROR**",
    }
}

fn note(case: &Case) -> &str {
    match &case.outcome {
        Outcome::Passed => "",
        Outcome::Failed { message, .. } | Outcome::Error { message, .. } => message,
        Outcome::Skipped { reason } => reason,
    }
}

/// Escapes text for one line of Markdown (a table cell, a heading, a list item), with long
/// values cut (see [`cut::message`](super::cut::message)).
#[must_use]
pub fn inline(text: &str) -> String {
    let text = super::cut::message(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => out.extend(c.escape_debug()),
            c => out.push(c),
        }
    }
    out
}

fn fenced(out: &mut dyn io::Write, lang: &str, text: &str) -> io::Result<()> {
    let longest = text
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    let fence = "`".repeat(longest.max(2) + 1);
    let body: String = text
        .chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect();
    writeln!(out, "\n{fence}{lang}\n{body}\n{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_text_cannot_break_a_table() {
        assert_eq!(inline("a|b\n<script>"), "a\\|b \\<script\\>");
    }

    #[test]
    fn fences_outgrow_backtick_runs() {
        let mut out = Vec::new();
        fenced(&mut out, "text", "x ```` y").unwrap();
        let s = String::from_utf8(out).unwrap();
        assert!(s.starts_with("\n`````text\n"), "{s}");
        assert!(s.ends_with("\n`````\n"), "{s}");
    }
}
