//! `hookcheck gen`: generate valid (or deliberately invalid) payloads for an event or any schema.

use std::{
    fs,
    io::{self, Write},
    path::{Path, PathBuf},
    process::ExitCode,
};

use clap::ValueEnum;
use serde_json::{Value, json};

use super::output::stdout_err;
use super::{CliError, EXIT_OK};
use crate::catalog::Catalog;
use crate::certify::Seed;
use crate::generate::{GenOptions, Generator, Negative};

/// Arguments of `hookcheck gen`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The seed is printed on stderr; the same seed (and count) gives the same bytes on every run.
With --invalid, every payload violates exactly one keyword at one location; NDJSON lines are
{\"label\": {\"keyword\", \"instance_path\", \"description\"}, \"payload\": ...}, and with --out
each payload file gets a label in DIR/labels.ndjson.

Examples:
  hookcheck gen postal/MessageSent --count 10000 --seed 7 > sent.ndjson
  hookcheck gen getmailer/email.bounced --invalid --count 50
  hookcheck gen --schema my-event.schema.json --resource defs.json --out payloads/")]
pub struct Args {
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
}

/// How generated payloads are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GenFormat {
    /// One compact JSON document per line.
    Ndjson,
    /// One pretty-printed JSON array.
    Json,
}

/// Runs `hookcheck gen`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let (generator, name) = build(&args)?;
    let seed = args.seed.unwrap_or_else(|| Seed::from_entropy().0);
    eprintln!("seed: {seed} (replay with --seed {seed})");
    let items: Vec<Value> = if args.invalid {
        negatives(&generator, seed, args.count)?
            .into_iter()
            .map(|n| {
                json!({
                    "label": {
                        "keyword": n.keyword,
                        "instance_path": n.instance_path,
                        "description": n.description,
                    },
                    "payload": n.value,
                })
            })
            .collect()
    } else {
        (0..args.count)
            .map(|i| generator.generate(seed, i))
            .collect::<Result<_, _>>()
            .map_err(|e| CliError::Usage(format!("{name}: {e}")))?
    };
    match &args.out {
        Some(dir) => write_dir(dir, &name, &items, args.invalid)?,
        None => write_stdout(&items, args.format).map_err(stdout_err)?,
    }
    Ok(ExitCode::from(EXIT_OK))
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
    let entry = Catalog::builtin().lookup(key)?;
    let generator = entry
        .generator(opts)
        .map_err(|e| CliError::Usage(format!("{key}: {e}")))?;
    Ok((generator, entry.event().to_owned()))
}

/// Up to `count` labelled negatives, gathered over derived seeds until enough are found or
/// the schema offers no more.
fn negatives(generator: &Generator, seed: u64, count: u64) -> Result<Vec<Negative>, CliError> {
    let want = usize::try_from(count).unwrap_or(usize::MAX);
    let mut out = Vec::new();
    let mut barren_rounds = 0;
    let mut round: u64 = 0;
    while out.len() < want && barren_rounds < 8 {
        let round_seed = Seed(seed).derive(&format!("negatives/{round}")).0;
        let batch = generator.negatives(round_seed, want - out.len());
        round += 1;
        if batch.is_empty() {
            barren_rounds += 1;
        } else {
            barren_rounds = 0;
            out.extend(batch);
        }
    }
    if out.is_empty() && want > 0 {
        return Err(CliError::Usage(
            "no keyword of this schema can be violated on its own (nothing to generate with --invalid)"
                .into(),
        ));
    }
    Ok(out)
}

fn write_stdout(items: &[Value], format: GenFormat) -> io::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    match format {
        GenFormat::Ndjson => {
            for item in items {
                serde_json::to_writer(&mut out, item)?;
                out.write_all(b"\n")?;
            }
        }
        GenFormat::Json => {
            serde_json::to_writer_pretty(&mut out, items)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()
}

fn write_dir(dir: &Path, name: &str, items: &[Value], invalid: bool) -> Result<(), CliError> {
    let io_err = |path: &Path| {
        let path = path.to_owned();
        move |source| CliError::Io { path, source }
    };
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    let width = items.len().saturating_sub(1).to_string().len();
    let mut labels = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let file = format!("{name}-{i:0width$}.json");
        let path = dir.join(&file);
        let payload = if invalid { &item["payload"] } else { item };
        let text = serde_json::to_string_pretty(payload).map_err(|e| CliError::Io {
            path: path.clone(),
            source: io::Error::other(e),
        })?;
        fs::write(&path, text + "\n").map_err(io_err(&path))?;
        if invalid {
            labels.push(json!({"file": file, "label": item["label"]}).to_string());
        }
    }
    if invalid {
        let path = dir.join("labels.ndjson");
        let mut text = labels.join("\n");
        text.push('\n');
        fs::write(&path, text).map_err(io_err(&path))?;
    }
    eprintln!("wrote {} payload(s) to {}", items.len(), dir.display());
    Ok(())
}

fn read_json(path: &Path) -> Result<Value, CliError> {
    let bytes = fs::read(path).map_err(|source| CliError::Io {
        path: path.to_owned(),
        source,
    })?;
    crate::validate::input::parse(&bytes, crate::validate::input::DEFAULT_MAX_BYTES)
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
