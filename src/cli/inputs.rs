//! Turning `PATH...` arguments into payloads: files, directories (recursively) and stdin,
//! whole-file JSON or NDJSON (one payload per line).

use std::{
    fs,
    io::{self, BufRead, BufReader, Read},
    path::{Path, PathBuf},
};

use super::CliError;

/// Where payloads come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    /// Standard input (`-`).
    Stdin,
    /// A file.
    File(PathBuf),
}

impl Source {
    /// How the source is named in messages.
    pub(crate) fn display(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".to_owned(),
            Source::File(p) => p.display().to_string(),
        }
    }

    fn is_ndjson_by_name(&self) -> bool {
        match self {
            Source::Stdin => false,
            Source::File(p) => p.extension().is_some_and(|e| e == "ndjson" || e == "jsonl"),
        }
    }
}

/// Expands arguments: a directory becomes every `*.json`/`*.ndjson`/`*.jsonl` file below it
/// (sorted, symlinked directories not followed). Unreadable arguments are returned as errors
/// beside the sources that could be found.
pub(crate) fn expand(args: &[PathBuf]) -> (Vec<Source>, Vec<CliError>) {
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for arg in args {
        if arg.as_os_str() == "-" {
            sources.push(Source::Stdin);
            continue;
        }
        match fs::metadata(arg) {
            Ok(m) if m.is_dir() => walk(arg, &mut sources, &mut errors),
            Ok(_) => sources.push(Source::File(arg.clone())),
            Err(source) => errors.push(CliError::Io {
                path: arg.clone(),
                source,
            }),
        }
    }
    (sources, errors)
}

fn walk(dir: &Path, sources: &mut Vec<Source>, errors: &mut Vec<CliError>) {
    let entries = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(source) => {
            errors.push(CliError::Io {
                path: dir.to_owned(),
                source,
            });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            walk(&path, sources, errors);
        } else if path
            .extension()
            .is_some_and(|e| e == "json" || e == "ndjson" || e == "jsonl")
        {
            sources.push(Source::File(path));
        }
    }
}

/// One payload read from a source.
#[derive(Debug)]
pub(crate) struct Payload {
    /// 1-based line number for NDJSON input.
    pub(crate) line: Option<usize>,
    /// The bytes, or the size when over the limit (not read into memory).
    pub(crate) bytes: Result<Vec<u8>, u64>,
}

/// Reads the payloads of one source, calling `each` for every payload. Whole-file sources
/// larger than `max_bytes` are not read; NDJSON lines are limited one by one.
pub(crate) fn read(
    source: &Source,
    force_ndjson: bool,
    max_bytes: u64,
    mut each: impl FnMut(Payload),
) -> Result<(), CliError> {
    let io_err = |source_err: io::Error| CliError::Io {
        path: match source {
            Source::Stdin => "-".into(),
            Source::File(p) => p.clone(),
        },
        source: source_err,
    };
    let reader: Box<dyn Read> = match source {
        Source::Stdin => Box::new(io::stdin().lock()),
        Source::File(p) => {
            let f = fs::File::open(p).map_err(io_err)?;
            let len = f.metadata().map_err(io_err)?.len();
            if !force_ndjson && !source.is_ndjson_by_name() && len > max_bytes {
                each(Payload {
                    line: None,
                    bytes: Err(len),
                });
                return Ok(());
            }
            Box::new(f)
        }
    };
    if force_ndjson || source.is_ndjson_by_name() {
        let mut reader = BufReader::new(reader);
        let mut line_no = 0;
        loop {
            line_no += 1;
            let mut buf = Vec::new();
            let n = reader
                .by_ref()
                .take(max_bytes + 2)
                .read_until(b'\n', &mut buf)
                .map_err(io_err)?;
            if n == 0 {
                return Ok(());
            }
            let too_long = !buf.ends_with(b"\n") && buf.len() as u64 > max_bytes;
            if too_long {
                // Skip the rest of the over-long line.
                let mut rest = Vec::new();
                reader.read_until(b'\n', &mut rest).map_err(io_err)?;
                let size = (buf.len() + rest.len()) as u64;
                each(Payload {
                    line: Some(line_no),
                    bytes: Err(size),
                });
                continue;
            }
            while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                buf.pop();
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            each(Payload {
                line: Some(line_no),
                bytes: Ok(buf),
            });
        }
    }
    let mut buf = Vec::new();
    reader
        .take(max_bytes + 1)
        .read_to_end(&mut buf)
        .map_err(io_err)?;
    each(Payload {
        line: None,
        bytes: if buf.len() as u64 > max_bytes {
            Err(buf.len() as u64)
        } else {
            Ok(buf)
        },
    });
    Ok(())
}
