//! The report options a run-and-report subcommand takes (`certify`, `api-check`), and writing
//! its reports: to stdout, or to files in a directory with a one-line verdict on stdout.

use std::io::{self, Write};
use std::path::PathBuf;

use super::CliError;
use super::output::{stdout_err, unless_closed, write_report_files};
use hookcheck::report::{Format, Report};

/// `--format`, `--out` and `--quiet`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ReportArgs {
    /// Report formats, comma-separated: human (text), json, junit, markdown, sarif.
    #[arg(
        long,
        alias = "report",
        value_name = "FORMATS",
        default_value = "human"
    )]
    pub(crate) format: String,
    /// Write each report format to a file in this directory (report.txt, report.json,
    /// junit.xml, report.md, report.sarif) instead of stdout.
    #[arg(long, value_name = "DIR")]
    pub(crate) out: Option<PathBuf>,
    /// Print only what did not pass and the totals (report files stay complete).
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,
}

impl ReportArgs {
    /// The formats asked for, in order, duplicates dropped (text when none is named).
    pub(crate) fn formats(&self) -> Result<Vec<Format>, CliError> {
        let formats =
            Format::parse_list(&self.format).map_err(|e| CliError::Usage(e.to_string()))?;
        Ok(if formats.is_empty() {
            vec![Format::Text]
        } else {
            formats
        })
    }

    /// Writes `report` in each format: to files in `--out` (with a one-line verdict on
    /// stdout), or to stdout. A closed stdout ends the writing quietly; files are written
    /// before it.
    pub(crate) fn write(&self, report: &Report) -> Result<(), CliError> {
        let formats = self.formats()?;
        match &self.out {
            Some(dir) => {
                write_report_files(report, &formats, dir)?;
                let totals = report.totals();
                let mut stdout = io::stdout().lock();
                unless_closed(
                    writeln!(
                        stdout,
                        "{}: {} passed, {} failed, {} errors, {} skipped; reports in {}",
                        if report.is_success() {
                            "PASSED"
                        } else {
                            "FAILED"
                        },
                        totals.passed,
                        totals.failed,
                        totals.errors,
                        totals.skipped,
                        dir.display()
                    )
                    .map_err(stdout_err),
                )
            }
            None => {
                let mut stdout = io::stdout().lock();
                let written = formats.iter().try_for_each(|f| match f {
                    Format::Text if self.quiet => {
                        hookcheck::report::text::write_quiet(report, &mut stdout)
                    }
                    f => f.write(report, &mut stdout),
                });
                unless_closed(written.and_then(|()| stdout.flush()).map_err(stdout_err))
            }
        }
    }
}
