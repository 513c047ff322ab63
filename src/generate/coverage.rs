//! How much of the JSON-Schema-Test-Suite the generator covers, and whether it ever lies.
//!
//! [`run_suite`] takes every schema of every test file under `tests/draft2020-12` of a checkout of
//! the suite and, for each: builds a [`Generator`], generates values and checks each with an
//! *independently compiled* validator (an oracle that shares nothing with the generator but the
//! library), generates negatives and checks that the oracle rejects each with the labelled
//! keyword at the labelled pointer, and compares "unsatisfiable" verdicts with the suite's own
//! valid instances. Remote references (`http://localhost:1234/...`) resolve from the suite's
//! `remotes/` directory; nothing touches the network.
//!
//! A schema is *satisfiable* if one of the suite's instances for it is valid or the generator
//! produced a value. It is *covered* if the generator produced values for it. *Wrong* counts
//! every lie: a generated value the oracle rejects, a negative the oracle accepts or rejects for
//! another reason, an "unsatisfiable" verdict for a schema the suite shows a valid instance of.

use std::{
    fmt, fs,
    path::{Path, PathBuf},
};

use serde::Serialize;
use serde_json::Value;

use super::{GenError, GenOptions, Generator};
use crate::validate::Resources;

/// Options of a coverage run.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CoverageOptions {
    /// Values generated (and checked) per schema.
    pub values_per_schema: u64,
    /// Negatives generated (and checked) per schema.
    pub negatives_per_schema: usize,
    /// Seed of the run.
    pub seed: u64,
    /// Generator options.
    pub generator: GenOptions,
}

impl Default for CoverageOptions {
    fn default() -> Self {
        Self {
            values_per_schema: 20,
            negatives_per_schema: 10,
            seed: 0,
            generator: GenOptions::default(),
        }
    }
}

impl CoverageOptions {
    /// Sets the seed.
    #[must_use]
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the number of values per schema.
    #[must_use]
    pub fn with_values_per_schema(mut self, n: u64) -> Self {
        self.values_per_schema = n;
        self
    }
}

/// Tallies for one file or the whole run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Schemas seen.
    pub schemas: usize,
    /// Schemas known to have a valid instance (from the suite or from the generator).
    pub satisfiable: usize,
    /// Schemas the generator produced values for.
    pub covered: usize,
    /// Schemas the generator declined ([`GenError::Unsupported`]).
    pub unsupported: usize,
    /// Schemas the generator proved unsatisfiable (and the suite has no valid instance of).
    pub unsatisfiable: usize,
    /// Satisfiable schemas the generator produced nothing for.
    pub failed: usize,
    /// Schemas nobody found a value for, without a proof that none exists.
    pub undecided: usize,
    /// Lies: invalid "valid" values, mislabelled negatives, refuted unsatisfiability.
    pub wrong: usize,
    /// Values generated and confirmed.
    pub values: u64,
    /// Values asked for but not produced ([`GenError::Exhausted`]).
    pub exhausted: u64,
    /// Candidates built by the generators.
    pub candidates: u64,
    /// Candidates the generators' own validation rejected (plan inexactness).
    pub rejected: u64,
    /// Negatives produced and confirmed.
    pub negatives: usize,
    /// Mutations dropped because they did not fail as labelled.
    pub negatives_dropped: usize,
    /// Suite instances the validator rejects although the suite calls them valid. Expected for
    /// `format` (the generator asserts formats, the suite treats them as annotations by default);
    /// harmless, since it only makes generated values stricter.
    pub oracle_stricter: usize,
    /// Suite instances the validator accepts although the suite calls them invalid: where this is
    /// not zero, "valid" values checked by the validator could be invalid per the specification.
    pub oracle_laxer: usize,
}

impl Counts {
    fn add(&mut self, o: &Self) {
        self.schemas += o.schemas;
        self.satisfiable += o.satisfiable;
        self.covered += o.covered;
        self.unsupported += o.unsupported;
        self.unsatisfiable += o.unsatisfiable;
        self.failed += o.failed;
        self.undecided += o.undecided;
        self.wrong += o.wrong;
        self.values += o.values;
        self.exhausted += o.exhausted;
        self.candidates += o.candidates;
        self.rejected += o.rejected;
        self.negatives += o.negatives;
        self.negatives_dropped += o.negatives_dropped;
        self.oracle_stricter += o.oracle_stricter;
        self.oracle_laxer += o.oracle_laxer;
    }

    /// Covered satisfiable schemas as a fraction of all satisfiable schemas (1 when none).
    #[must_use]
    pub fn coverage(&self) -> f64 {
        if self.satisfiable == 0 {
            1.0
        } else {
            self.covered as f64 / self.satisfiable as f64
        }
    }
}

/// What happened to one schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SchemaResult {
    /// Values were generated and confirmed.
    Covered,
    /// The generator declined the schema.
    Unsupported {
        /// The generator's explanation.
        detail: String,
    },
    /// The generator proved the schema unsatisfiable.
    Unsatisfiable {
        /// Why.
        reason: String,
    },
    /// A satisfiable schema got no value.
    Failed {
        /// The error.
        error: String,
    },
    /// The generator lied about this schema.
    Wrong {
        /// How.
        detail: String,
    },
}

/// One schema's result.
#[derive(Debug, Clone, Serialize)]
pub struct CaseReport {
    /// The suite's description of the schema.
    pub description: String,
    /// What happened.
    pub outcome: SchemaResult,
}

/// One test file's results.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// Path relative to `tests/draft2020-12`.
    pub file: String,
    /// Tallies.
    pub counts: Counts,
    /// Per schema.
    pub cases: Vec<CaseReport>,
}

/// A whole run.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageReport {
    /// Per file, in path order.
    pub files: Vec<FileReport>,
    /// Sum over files.
    pub total: Counts,
}

/// Why the suite could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub enum CoverageError {
    /// A file or directory could not be read.
    Io {
        /// Which.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A file is not the JSON the suite format prescribes.
    StringFormat {
        /// Which.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for CoverageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            Self::StringFormat { path, message } => write!(f, "{}: {message}", path.display()),
        }
    }
}

impl std::error::Error for CoverageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            Self::StringFormat { .. } => None,
        }
    }
}

fn read_json(path: &Path) -> Result<Value, CoverageError> {
    let text = fs::read_to_string(path).map_err(|source| CoverageError::Io {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| CoverageError::StringFormat {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CoverageError> {
    let entries = fs::read_dir(dir).map_err(|source| CoverageError::Io {
        path: dir.to_owned(),
        source,
    })?;
    for entry in entries {
        let path = entry
            .map_err(|source| CoverageError::Io {
                path: dir.to_owned(),
                source,
            })?
            .path();
        if path.is_dir() {
            json_files(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}

/// The suite's remote documents, keyed by the URI tests refer to them by.
///
/// # Errors
///
/// [`CoverageError`] if `remotes/` cannot be read.
pub fn remotes(suite: &Path) -> Result<Vec<(String, Value)>, CoverageError> {
    let dir = suite.join("remotes");
    let mut files = Vec::new();
    json_files(&dir, &mut files)?;
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(&dir)
            .unwrap_or(&f)
            .to_string_lossy()
            .replace('\\', "/");
        out.push((format!("http://localhost:1234/{rel}"), read_json(&f)?));
    }
    Ok(out)
}

/// Runs the generator over every draft 2020-12 schema of the suite checked out at `suite`.
///
/// # Errors
///
/// [`CoverageError`] if the suite's files cannot be read or parsed.
pub fn run_suite(suite: &Path, opts: &CoverageOptions) -> Result<CoverageReport, CoverageError> {
    let remotes = remotes(suite)?;
    let served = Resources::new(remotes.iter().cloned());
    let root = suite.join("tests").join("draft2020-12");
    let mut files = Vec::new();
    json_files(&root, &mut files)?;
    files.sort();
    let mut report = CoverageReport {
        files: Vec::new(),
        total: Counts::default(),
    };
    // Read every file first (errors surface before any work), then run the schemas on as many
    // threads as there are cores; results are collected in file order, so the report does not
    // depend on scheduling.
    let mut jobs: Vec<(String, Vec<Value>)> = Vec::with_capacity(files.len());
    for path in files {
        let Value::Array(groups) = read_json(&path)? else {
            return Err(CoverageError::StringFormat {
                path,
                message: "a test file must be an array of test groups".into(),
            });
        };
        let name = path
            .strip_prefix(&root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        jobs.push((name, groups));
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(jobs.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<Option<FileReport>> = vec![None; jobs.len()];
    let results = std::sync::Mutex::new(&mut done);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((name, groups)) = jobs.get(i) else {
                        break;
                    };
                    let mut file = FileReport {
                        file: name.clone(),
                        counts: Counts::default(),
                        cases: Vec::new(),
                    };
                    for group in groups {
                        let (counts, case) = run_case(group, &remotes, &served, opts);
                        file.counts.add(&counts);
                        file.cases.push(case);
                    }
                    if let Ok(mut slots) = results.lock() {
                        slots[i] = Some(file);
                    }
                }
            });
        }
    });
    for file in done.into_iter().flatten() {
        report.total.add(&file.counts);
        report.files.push(file);
    }
    Ok(report)
}

impl CoverageReport {
    /// The per-file table of counts, then the total: what `hookcheck coverage` prints. With
    /// `verbose`, each file's schemas that were not covered follow its line, with the reason.
    #[must_use]
    pub fn table(&self, verbose: bool) -> String {
        use std::fmt::Write as _;
        let width = self
            .files
            .iter()
            .map(|f| f.file.len())
            .max()
            .unwrap_or(4)
            .max(5);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:width$}  schemas  satisfiable  covered  unsupported  unsatisfiable  failed  wrong",
            "file"
        );
        let row = |out: &mut String, name: &str, c: &Counts| {
            let _ = writeln!(
                out,
                "{name:width$}  {:7}  {:11}  {:7}  {:11}  {:13}  {:6}  {:5}",
                c.schemas,
                c.satisfiable,
                c.covered,
                c.unsupported,
                c.unsatisfiable,
                c.failed,
                c.wrong
            );
        };
        for f in &self.files {
            row(&mut out, &f.file, &f.counts);
            if verbose {
                for case in &f.cases {
                    let why = match &case.outcome {
                        SchemaResult::Covered => continue,
                        SchemaResult::Unsupported { detail } => format!("unsupported: {detail}"),
                        SchemaResult::Unsatisfiable { reason } => {
                            format!("unsatisfiable: {reason}")
                        }
                        SchemaResult::Failed { error } => format!("failed: {error}"),
                        SchemaResult::Wrong { detail } => format!("WRONG: {detail}"),
                    };
                    let _ = writeln!(out, "    {}: {why}", case.description);
                }
            }
        }
        row(&mut out, "total", &self.total);
        out
    }

    /// [`table`](Self::table), then the totals' details and every schema not covered.
    #[must_use]
    pub fn summary(&self) -> String {
        use std::fmt::Write as _;
        let mut out = self.table(false);
        let t = &self.total;
        let _ = writeln!(
            out,
            "coverage {:.2}% of satisfiable schemas; {} values, {} of {} candidates rejected by the \
             validator; {} negatives ({} mutations dropped); validator stricter than the suite on {} \
             instances, laxer on {}",
            100.0 * t.coverage(),
            t.values,
            t.rejected,
            t.candidates,
            t.negatives,
            t.negatives_dropped,
            t.oracle_stricter,
            t.oracle_laxer
        );
        for f in &self.files {
            for c in f
                .cases
                .iter()
                .filter(|c| c.outcome != SchemaResult::Covered)
            {
                let _ = writeln!(out, "  {} | {} | {:?}", f.file, c.description, c.outcome);
            }
        }
        out
    }
}

fn oracle(schema: &Value, served: &Resources) -> Result<jsonschema::Validator, String> {
    crate::validate::build(schema, served, None).map_err(|e| e.message)
}

fn run_case(
    group: &Value,
    remotes: &[(String, Value)],
    served: &Resources,
    opts: &CoverageOptions,
) -> (Counts, CaseReport) {
    let description = group
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let schema = group.get("schema").cloned().unwrap_or(Value::Bool(true));
    let tests = group
        .get("tests")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut counts = Counts {
        schemas: 1,
        ..Counts::default()
    };
    let case = |outcome| CaseReport {
        description: description.clone(),
        outcome,
    };
    let oracle = match oracle(&schema, served) {
        Ok(o) => o,
        Err(e) => {
            counts.unsupported += 1;
            return (
                counts,
                case(SchemaResult::Unsupported {
                    detail: format!("the validator cannot compile it: {e}"),
                }),
            );
        }
    };
    let mut suite_valid = false;
    for t in &tests {
        let expected = t.get("valid").and_then(Value::as_bool).unwrap_or(false);
        let data = t.get("data").unwrap_or(&Value::Null);
        suite_valid |= expected;
        match (oracle.is_valid(data), expected) {
            (false, true) => counts.oracle_stricter += 1,
            (true, false) => counts.oracle_laxer += 1,
            _ => {}
        }
    }
    let generator = match Generator::new(&schema, remotes, opts.generator.clone()) {
        Ok(g) => g,
        Err(e @ GenError::Unsupported { .. }) => {
            counts.unsupported += 1;
            if suite_valid {
                counts.satisfiable += 1;
            }
            return (
                counts,
                case(SchemaResult::Unsupported {
                    detail: e.to_string(),
                }),
            );
        }
        Err(GenError::Unsatisfiable { reason, location }) => {
            if suite_valid {
                counts.satisfiable += 1;
                counts.wrong += 1;
                return (
                    counts,
                    case(SchemaResult::Wrong {
                        detail: format!(
                            "claimed unsatisfiable at {location} ({reason}) but the suite has a valid instance"
                        ),
                    }),
                );
            }
            counts.unsatisfiable += 1;
            return (counts, case(SchemaResult::Unsatisfiable { reason }));
        }
        Err(e) => {
            if suite_valid {
                counts.satisfiable += 1;
                counts.failed += 1;
            } else {
                counts.unsupported += 1;
            }
            return (
                counts,
                case(SchemaResult::Failed {
                    error: e.to_string(),
                }),
            );
        }
    };
    let mut wrong = Vec::new();
    let mut last_error = None;
    for i in 0..opts.values_per_schema {
        match generator.generate(opts.seed, i) {
            Ok(v) => {
                if oracle.is_valid(&v) {
                    counts.values += 1;
                } else {
                    counts.wrong += 1;
                    wrong.push(format!("generated {v} which the validator rejects"));
                }
            }
            Err(e) => {
                counts.exhausted += 1;
                last_error = Some(e.to_string());
            }
        }
    }
    let (negatives, stats) = generator.negatives_with_stats(opts.seed, opts.negatives_per_schema);
    counts.negatives_dropped += stats.dropped;
    for n in negatives {
        let confirmed = oracle.iter_errors(&n.value).any(|e| {
            e.kind().keyword() == n.keyword
                && e.instance_path().as_str() == n.instance_path.as_str()
        });
        if confirmed && !oracle.is_valid(&n.value) {
            counts.negatives += 1;
        } else {
            counts.wrong += 1;
            wrong.push(format!(
                "negative {} labelled {} at {:?} is not rejected for that",
                n.value,
                n.keyword,
                n.instance_path.as_str()
            ));
        }
    }
    let s = generator.stats();
    counts.candidates += s.candidates;
    counts.rejected += s.rejected;
    let generated = counts.values > 0 || !wrong.is_empty();
    if suite_valid || generated {
        counts.satisfiable += 1;
    }
    let outcome = if !wrong.is_empty() {
        SchemaResult::Wrong {
            detail: wrong.join("; "),
        }
    } else if counts.values > 0 {
        counts.covered += 1;
        SchemaResult::Covered
    } else if suite_valid {
        counts.failed += 1;
        SchemaResult::Failed {
            error: last_error.unwrap_or_default(),
        }
    } else {
        counts.undecided += 1;
        SchemaResult::Failed {
            error: last_error.unwrap_or_default(),
        }
    };
    (counts, case(outcome))
}
