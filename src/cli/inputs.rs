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

/// A file found while walking a directory that is not a regular file (a FIFO, a socket, a
/// device): reading it could block for ever or never end, so it is skipped and reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Skipped {
    /// The file.
    pub(crate) path: PathBuf,
    /// What it is (`a FIFO`, `a socket`, `a device`).
    pub(crate) what: &'static str,
}

/// What `expand` found.
#[derive(Debug, Default)]
pub(crate) struct Expanded {
    /// Everything to read, in order.
    pub(crate) sources: Vec<Source>,
    /// Arguments or directories that could not be read.
    pub(crate) errors: Vec<CliError>,
    /// Special files found while walking, not read.
    pub(crate) skipped: Vec<Skipped>,
}

/// What a file that is not a regular one is, if it is a special file.
#[cfg(unix)]
fn special(meta: &fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        Some("a FIFO")
    } else if t.is_socket() {
        Some("a socket")
    } else if t.is_block_device() || t.is_char_device() {
        Some("a device")
    } else {
        None
    }
}

#[cfg(not(unix))]
fn special(meta: &fs::Metadata) -> Option<&'static str> {
    (!meta.is_file() && !meta.is_dir()).then_some("not a regular file")
}

/// Expands arguments: a directory becomes every `*.json`/`*.ndjson`/`*.jsonl` file below it
/// (sorted, symlinked directories not followed, special files skipped). A file named
/// explicitly is read whatever it is: a FIFO is read until its writer closes it.
/// Unreadable arguments are returned as errors beside the sources that could be found.
pub(crate) fn expand(args: &[PathBuf]) -> Expanded {
    let mut found = Expanded::default();
    let Expanded {
        sources,
        errors,
        skipped,
    } = &mut found;
    for arg in args {
        if arg.as_os_str() == "-" {
            sources.push(Source::Stdin);
            continue;
        }
        match fs::metadata(arg) {
            Ok(m) if m.is_dir() => walk(arg, sources, errors, skipped),
            Ok(_) => sources.push(Source::File(arg.clone())),
            Err(source) => errors.push(CliError::Io {
                path: arg.clone(),
                source,
            }),
        }
    }
    found
}

fn walk(
    dir: &Path,
    sources: &mut Vec<Source>,
    errors: &mut Vec<CliError>,
    skipped: &mut Vec<Skipped>,
) {
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
            walk(&path, sources, errors, skipped);
        } else if path
            .extension()
            .is_some_and(|e| e == "json" || e == "ndjson" || e == "jsonl")
        {
            // Through a symlink, what it points to counts.
            match fs::metadata(&path) {
                Ok(target) => match special(&target) {
                    Some(what) => skipped.push(Skipped { path, what }),
                    None if target.is_file() => sources.push(Source::File(path)),
                    None => {}
                },
                Err(source) => errors.push(CliError::Io { path, source }),
            }
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
                .take(max_bytes.saturating_add(2))
                .read_until(b'\n', &mut buf)
                .map_err(io_err)?;
            if n == 0 {
                return Ok(());
            }
            let too_long = !buf.ends_with(b"\n") && buf.len() as u64 > max_bytes;
            if too_long {
                // Skip the rest of the over-long line without holding it.
                let size =
                    (buf.len() as u64).saturating_add(skip_line(&mut reader).map_err(io_err)?);
                drop(buf);
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
        .take(max_bytes.saturating_add(1))
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

/// Reads up to and including the next newline (or the end), keeping nothing; the bytes read.
fn skip_line(reader: &mut impl BufRead) -> io::Result<u64> {
    let mut skipped = 0u64;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(skipped);
        }
        let (used, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        reader.consume(used);
        skipped = skipped.saturating_add(used as u64);
        if done {
            return Ok(skipped);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader of `n` bytes of `x` and then a newline and `{}`, produced on the fly.
    struct Long {
        left: u64,
        tail: &'static [u8],
    }

    impl Read for Long {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.left > 0 {
                let n = out
                    .len()
                    .min(usize::try_from(self.left).unwrap_or(usize::MAX));
                out[..n].fill(b'x');
                self.left -= n as u64;
                return Ok(n);
            }
            let n = out.len().min(self.tail.len());
            out[..n].copy_from_slice(&self.tail[..n]);
            self.tail = &self.tail[n..];
            Ok(n)
        }
    }

    #[test]
    fn skipping_a_line_keeps_only_the_buffer() {
        // 64 MiB through an 8 KiB buffer: the skip holds nothing more than the buffer.
        let mut r = BufReader::with_capacity(
            8192,
            Long {
                left: 64 << 20,
                tail: b"\n{}",
            },
        );
        assert_eq!(skip_line(&mut r).unwrap(), (64 << 20) + 1);
        let mut rest = String::new();
        r.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "{}");
    }
}
