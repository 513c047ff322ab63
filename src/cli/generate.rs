//! `hookcheck gen`: generate valid (or deliberately invalid) payloads for an event or any schema.

use std::{
    fs,
    io::{self, Write},
    num::NonZeroUsize,
    ops::ControlFlow,
    path::{Path, PathBuf},
    process::ExitCode,
};

use clap::ValueEnum;
use serde_json::{Value, json};

use super::output::stdout_err;
use super::{CliError, EXIT_OK};
use hookcheck::catalog::Catalog;
use hookcheck::certify::Seed;
use hookcheck::generate::{GenOptions, Generator, Negative, ordered::ordered};

/// Arguments of `hookcheck gen`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The seed is printed on stderr; the same seed (and count) gives the same bytes on every run,
whatever --jobs. Values are written as they are made (memory stays flat in --count).
With --invalid, every payload violates exactly one keyword at one location; NDJSON lines are
{\"label\": {\"keyword\", \"instance_path\", \"description\"}, \"payload\": ...}, or the raw
payloads with --labels FILE (line i of FILE labels payload i). With --out, each payload file
gets a label in DIR.labels.ndjson (next to DIR, not in it) or in --labels FILE.

Examples:
  hookcheck gen postal/MessageSent --count 10000 --seed 7 > sent.ndjson
  hookcheck gen getmailer/email.bounced --invalid --count 50
  hookcheck gen getmailer/email.bounced --invalid --count 50 --labels labels.ndjson \\
    | hookcheck validate --event getmailer/email.bounced --ndjson -
  hookcheck gen --schema my-event.schema.json --resource defs.json --out payloads/")]
pub(crate) struct Args {
    /// The catalog event, as VENDOR/EVENT (see `hookcheck list`).
    #[arg(
        value_name = "VENDOR/EVENT",
        required_unless_present = "schema",
        conflicts_with = "schema"
    )]
    key: Option<String>,
    /// Generate from this JSON Schema file instead of a catalog event.
    #[arg(long, value_name = "FILE")]
    schema: Option<PathBuf>,
    /// Another schema document that --schema's `$ref`s name (registered under its `$id`);
    /// repeatable.
    #[arg(long, value_name = "FILE", requires = "schema")]
    resource: Vec<PathBuf>,
    /// How many payloads.
    #[arg(long, default_value_t = 1)]
    count: u64,
    /// Seed of the run (default: a fresh one, printed on stderr).
    #[arg(long)]
    seed: Option<u64>,
    /// Generate payloads that each violate one keyword, labelled with it.
    #[arg(long)]
    invalid: bool,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = GenFormat::Ndjson)]
    format: GenFormat,
    /// Write one file per payload into this directory instead of stdout.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// With --invalid: write the payloads raw and their labels to FILE, one JSON line each
    /// (`{"index", "label"}`, plus `"file"` with --out). With --out the labels go to
    /// DIR.labels.ndjson unless this says otherwise.
    #[arg(long, value_name = "FILE", requires = "invalid")]
    labels: Option<PathBuf>,
    /// Threads generating (default: the available cores); the output is the same for any
    /// number.
    #[arg(long, value_name = "N")]
    jobs: Option<NonZeroUsize>,
}

/// How generated payloads are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GenFormat {
    /// One compact JSON document per line.
    Ndjson,
    /// One pretty-printed JSON array.
    Json,
}

/// Values per task handed to a worker (large enough that the handoff costs little, small
/// enough that the reorder window holds little).
const CHUNK: u64 = 64;

/// Tasks a worker may run ahead of the writer, per job.
const WINDOW_PER_JOB: usize = 4;

/// Rounds of negatives in a row that may find nothing new before `--invalid` stops.
const BARREN_ROUNDS: u32 = 8;

/// One payload ready to write: its bytes in the output's format, and its label (`--invalid`
/// with the labels on the side).
struct Piece {
    text: Vec<u8>,
    label: Option<Value>,
}

/// Runs `hookcheck gen`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let (generator, name) = build(&args)?;
    let seed = args.seed.unwrap_or_else(|| Seed::from_entropy().0);
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().unwrap_or(NonZeroUsize::MIN));
    let mut sink = Sink::open(&args, &name)?;
    eprintln!("seed: {seed} (replay with --seed {seed})");
    let style = sink.style();
    let window = jobs.get().saturating_mul(WINDOW_PER_JOB);
    if args.invalid {
        let want = args.count;
        let mut barren = 0;
        ordered(
            jobs,
            window,
            u64::MAX,
            |round| {
                let round_seed = Seed(seed).derive(&format!("negatives/{round}")).0;
                let max = usize::try_from(want).unwrap_or(usize::MAX);
                generator
                    .negatives(round_seed, max)
                    .into_iter()
                    .map(|n| style.negative(n))
                    .collect::<Vec<_>>()
            },
            |_, batch| {
                if sink.written >= want {
                    return Ok::<_, CliError>(ControlFlow::Break(()));
                }
                if batch.is_empty() {
                    barren += 1;
                } else {
                    barren = 0;
                }
                for piece in batch {
                    if sink.written >= want {
                        break;
                    }
                    sink.put(piece)?;
                }
                Ok(if sink.written >= want || barren >= BARREN_ROUNDS {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                })
            },
        )?;
        if sink.written == 0 && want > 0 {
            return Err(CliError::Usage(
                "no keyword of this schema can be violated on its own (nothing to generate with \
                 --invalid)"
                    .into(),
            ));
        }
    } else {
        let count = args.count;
        ordered(
            jobs,
            window,
            count.div_ceil(CHUNK),
            |task| {
                let first = task * CHUNK;
                (first..count.min(first + CHUNK))
                    .map(|i| generator.generate(seed, i).map(|v| style.valid(&v)))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| CliError::Usage(format!("{name}: {e}")))
            },
            |_, batch| {
                for piece in batch? {
                    sink.put(piece)?;
                }
                Ok::<_, CliError>(ControlFlow::Continue(()))
            },
        )?;
    }
    sink.finish()?;
    Ok(ExitCode::from(EXIT_OK))
}

/// How payloads are serialised, decided before any is made (workers use it).
#[derive(Debug, Clone, Copy)]
enum Style {
    /// One compact line per payload; negatives as `{label, payload}` unless `side_labels`.
    Line { side_labels: bool },
    /// Pretty, indented as an element of a top-level array.
    Element { side_labels: bool },
    /// Pretty, one file per payload (labels always on the side).
    File,
}

impl Style {
    fn side_labels(self) -> bool {
        match self {
            Self::Line { side_labels } | Self::Element { side_labels } => side_labels,
            Self::File => true,
        }
    }

    fn valid(self, value: &Value) -> Piece {
        Piece {
            text: self.text(value),
            label: None,
        }
    }

    fn negative(self, n: Negative) -> Piece {
        let label = json!({
            "keyword": n.keyword,
            "instance_path": n.instance_path,
            "description": n.description,
        });
        if self.side_labels() {
            Piece {
                text: self.text(&n.value),
                label: Some(label),
            }
        } else {
            Piece {
                text: self.text(&json!({"label": label, "payload": n.value})),
                label: None,
            }
        }
    }

    fn text(self, value: &Value) -> Vec<u8> {
        match self {
            Self::Line { .. } => value.to_string().into_bytes(),
            Self::Element { .. } => {
                let pretty = to_pretty(value);
                let mut text = Vec::with_capacity(pretty.len() + 64);
                for (i, line) in pretty.lines().enumerate() {
                    if i > 0 {
                        text.push(b'\n');
                    }
                    text.extend_from_slice(b"  ");
                    text.extend_from_slice(line.as_bytes());
                }
                text
            }
            Self::File => {
                let mut text = to_pretty(value).into_bytes();
                text.push(b'\n');
                text
            }
        }
    }
}

fn to_pretty(value: &Value) -> String {
    // Serialising a `Value` cannot fail (its keys are strings).
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// Where payloads go, written one at a time in index order.
struct Sink {
    target: Destination,
    labels: Option<(PathBuf, io::BufWriter<fs::File>)>,
    written: u64,
}

enum Destination {
    Stdout {
        out: io::BufWriter<io::StdoutLock<'static>>,
        format: GenFormat,
    },
    Dir {
        dir: PathBuf,
        name: String,
        width: usize,
    },
}

impl Sink {
    fn open(args: &Args, name: &str) -> Result<Self, CliError> {
        let labels_path = match (&args.labels, &args.out) {
            (Some(path), _) => Some(path.clone()),
            (None, Some(dir)) if args.invalid => Some(beside(dir)?),
            (None, _) => None,
        };
        let target = match &args.out {
            Some(dir) => {
                fs::create_dir_all(dir).map_err(io_err(dir))?;
                Destination::Dir {
                    dir: dir.clone(),
                    name: name.to_owned(),
                    width: args.count.saturating_sub(1).to_string().len(),
                }
            }
            None => Destination::Stdout {
                out: io::BufWriter::with_capacity(1 << 16, io::stdout().lock()),
                format: args.format,
            },
        };
        let labels = match labels_path {
            Some(path) => {
                let file = fs::File::create(&path).map_err(io_err(&path))?;
                Some((path, io::BufWriter::new(file)))
            }
            None => None,
        };
        Ok(Self {
            target,
            labels,
            written: 0,
        })
    }

    fn style(&self) -> Style {
        let side_labels = self.labels.is_some();
        match &self.target {
            Destination::Stdout {
                format: GenFormat::Ndjson,
                ..
            } => Style::Line { side_labels },
            Destination::Stdout {
                format: GenFormat::Json,
                ..
            } => Style::Element { side_labels },
            Destination::Dir { .. } => Style::File,
        }
    }

    fn put(&mut self, piece: Piece) -> Result<(), CliError> {
        let index = self.written;
        let file = match &mut self.target {
            Destination::Stdout { out, format } => {
                let format = *format;
                let sep: &[u8] = match (format, index) {
                    (GenFormat::Ndjson, _) => b"",
                    (GenFormat::Json, 0) => b"[\n",
                    (GenFormat::Json, _) => b",\n",
                };
                out.write_all(sep).map_err(stdout_err)?;
                out.write_all(&piece.text).map_err(stdout_err)?;
                if format == GenFormat::Ndjson {
                    out.write_all(b"\n").map_err(stdout_err)?;
                }
                None
            }
            Destination::Dir { dir, name, width } => {
                let file = format!("{name}-{index:0width$}.json", width = *width);
                let path = dir.join(&file);
                fs::write(&path, &piece.text).map_err(io_err(&path))?;
                Some(file)
            }
        };
        if let (Some((path, out)), Some(label)) = (&mut self.labels, piece.label) {
            let line = match file {
                Some(file) => json!({"index": index, "file": file, "label": label}),
                None => json!({"index": index, "label": label}),
            };
            writeln!(out, "{line}").map_err(io_err(path))?;
        }
        self.written += 1;
        Ok(())
    }

    fn finish(self) -> Result<(), CliError> {
        match self.target {
            Destination::Stdout { mut out, format } => {
                if format == GenFormat::Json {
                    let end: &[u8] = if self.written == 0 { b"[]\n" } else { b"\n]\n" };
                    out.write_all(end).map_err(stdout_err)?;
                }
                out.flush().map_err(stdout_err)?;
            }
            Destination::Dir { dir, .. } => {
                eprintln!("wrote {} payload(s) to {}", self.written, dir.display());
            }
        }
        if let Some((path, mut out)) = self.labels {
            out.flush().map_err(io_err(&path))?;
            eprintln!(
                "labels of {} payload(s) in {}",
                self.written,
                path.display()
            );
        }
        Ok(())
    }
}

/// The default labels file of `--out DIR --invalid`: `DIR.labels.ndjson`, next to DIR (not in
/// it, so that DIR holds payloads only).
fn beside(dir: &Path) -> Result<PathBuf, CliError> {
    let name = dir.file_name().ok_or_else(|| {
        CliError::Usage(format!(
            "{}: --invalid --out needs --labels FILE here (labels are kept out of the payload \
             directory)",
            dir.display()
        ))
    })?;
    let mut file = name.to_owned();
    file.push(".labels.ndjson");
    Ok(dir.with_file_name(file))
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> CliError + use<> {
    let path = path.to_owned();
    move |source| CliError::Io { path, source }
}

fn build(args: &Args) -> Result<(Generator, String), CliError> {
    let opts = GenOptions::default();
    if let Some(path) = &args.schema {
        let schema = read_json(path)?;
        let resources = args
            .resource
            .iter()
            .map(|p| {
                let doc = read_json(p)?;
                let id = doc
                    .get("$id")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| {
                        CliError::Usage(format!("{}: a --resource needs an \"$id\"", p.display()))
                    })?;
                Ok((id, doc))
            })
            .collect::<Result<Vec<_>, CliError>>()?;
        let name = stem(path);
        let generator = Generator::new(&schema, &resources, opts)
            .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))?;
        return Ok((generator, name));
    }
    let key = args.key.as_deref().unwrap_or_default();
    let entry = Catalog::active().lookup(key)?;
    let generator = entry
        .generator(opts)
        .map_err(|e| CliError::Usage(format!("{key}: {e}")))?;
    Ok((generator, entry.event().to_owned()))
}

fn read_json(path: &Path) -> Result<Value, CliError> {
    let bytes = fs::read(path).map_err(|source| CliError::Io {
        path: path.to_owned(),
        source,
    })?;
    hookcheck::validate::input::parse(&bytes, hookcheck::validate::input::DEFAULT_MAX_BYTES)
        .map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))
}

fn stem(path: &Path) -> String {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("payload");
    name.strip_suffix(".schema.json")
        .or_else(|| name.strip_suffix(".json"))
        .unwrap_or(name)
        .to_owned()
}
