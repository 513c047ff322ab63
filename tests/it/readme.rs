//! The README runs: every line of its `sh` blocks, from the tour on, is run with the built
//! `hookcheck` first on `PATH`, in a scratch directory laid out like a user's (see the README's
//! "The README runs" paragraph for the conventions this test reads).
//!
//! - A line with a `# needs: …` comment (a network, a running service, a free port) is not run.
//! - A line must exit 0, or the code of its `# exit: N` comment.
//! - A `text` block right after an `sh` block is what that block's last command prints.
//! - To keep the run short, `certify` gets at most 4 cases per cell, `coverage` 2 values per
//!   schema and `gen` at most 100 values; nothing else in a command is changed.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One command of the README, with where it is and what it must do.
#[derive(Debug)]
struct Step {
    line: usize,
    command: String,
    exit: i32,
    stdout: Option<String>,
}

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// The comment of a shell line (after ` # `, outside quotes), if any.
fn comment(line: &str) -> Option<&str> {
    let mut quote = None;
    for (i, c) in line.char_indices() {
        match (c, quote) {
            ('"' | '\'', None) => quote = Some(c),
            (c, Some(q)) if c == q => quote = None,
            ('#', None) if i == 0 || line[..i].ends_with(' ') => return Some(&line[i + 1..]),
            _ => {}
        }
    }
    None
}

/// Every step of the `sh` blocks after the `## Tour` heading.
fn steps(readme: &str) -> (Vec<Step>, usize) {
    let start = readme.find("\n## Tour").expect("a tour");
    let first_line = readme[..start].lines().count() + 1;
    let mut steps: Vec<Step> = Vec::new();
    let mut skipped = 0;
    let mut block: Option<&str> = None;
    let mut last_sh_block_end = None;
    let mut block_start = 0;
    let mut text = String::new();
    let mut pending = String::new();
    for (n, line) in readme[start..].lines().enumerate() {
        let number = first_line + n;
        match (block, line.trim_end()) {
            (None, fence) if fence.starts_with("```") => {
                block = Some(fence.trim_start_matches('`'));
                block_start = steps.len();
                text.clear();
            }
            (None, other) => {
                if !other.trim().is_empty() {
                    last_sh_block_end = None;
                }
            }
            (Some(lang), "```") => {
                if lang == "sh" {
                    last_sh_block_end = (steps.len() > block_start).then_some(steps.len());
                } else if lang == "text"
                    && let Some(count) = last_sh_block_end.take()
                {
                    steps[count - 1].stdout = Some(text.clone());
                }
                block = None;
            }
            (Some("sh"), l) => {
                if let Some(head) = l.strip_suffix('\\') {
                    pending.push_str(head);
                    continue;
                }
                let full = format!("{pending}{l}");
                pending.clear();
                let trimmed = full.trim();
                if trimmed.is_empty() || trimmed.starts_with('#') {
                    continue;
                }
                let note = comment(trimmed).unwrap_or_default().trim();
                if note.starts_with("needs:") {
                    skipped += 1;
                    continue;
                }
                let exit = note
                    .strip_prefix("exit:")
                    .map_or(0, |c| c.trim().parse().expect("# exit: N"));
                steps.push(Step {
                    line: number,
                    command: trimmed.to_owned(),
                    exit,
                    stdout: None,
                });
            }
            (Some(_), l) => {
                text.push_str(l);
                text.push('\n');
            }
        }
    }
    (steps, skipped)
}

/// `command` with the run-time limits of this test applied.
fn shortened(command: &str) -> String {
    let mut words: Vec<String> = command.split(' ').map(str::to_owned).collect();
    let mut cap = |flag: &str, max: u64| {
        let mut found = false;
        for i in 1..words.len() {
            if words[i - 1] == flag {
                found = true;
                if let Ok(n) = words[i].parse::<u64>() {
                    words[i] = n.min(max).to_string();
                }
            }
        }
        found
    };
    let has_cases = cap("--cases", 4);
    cap("--count", 100);
    let mut out = words.join(" ");
    if !has_cases && !out.contains("--merge") {
        out = out.replace("hookcheck certify", "hookcheck certify --cases 4");
    }
    out.replace("hookcheck coverage", "hookcheck coverage --values 2")
}

/// A scratch directory as a user of the README has it: the clone's `schemas/` and `examples/`,
/// captured payloads, and the schema files the `gen --schema` line names.
fn scratch() -> tempfile::TempDir {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    for linked in ["schemas", "examples"] {
        std::os::unix::fs::symlink(repo.join(linked), p.join(linked)).unwrap();
    }
    std::fs::create_dir(p.join("captured")).unwrap();
    for (vendor, event) in [("postal", "MessageSent"), ("getmailer", "email.opened")] {
        std::fs::copy(
            repo.join(format!("tests/fixtures/payloads/{vendor}/{event}.json")),
            p.join(format!("captured/{event}.json")),
        )
        .unwrap();
    }
    std::fs::write(
        p.join("defs.json"),
        r#"{"$id": "https://example.com/defs.json",
            "$defs": {"id": {"type": "string", "pattern": "^evt_[a-z0-9]{8}$"}}}"#,
    )
    .unwrap();
    std::fs::write(
        p.join("my-event.schema.json"),
        r#"{"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://example.com/my-event.json", "type": "object",
            "required": ["id", "type"],
            "properties": {"id": {"$ref": "defs.json#/$defs/id"}, "type": {"const": "my.event"}}}"#,
    )
    .unwrap();
    dir
}

#[test]
fn the_readme_finds_its_commands_and_markers() {
    let (steps, skipped) = steps(&readme());
    let commands: Vec<&str> = steps.iter().map(|s| s.command.as_str()).collect();
    assert!(commands.contains(&"hookcheck list"), "{commands:#?}");
    assert!(skipped >= 4, "{skipped}");
    assert!(steps.iter().any(|s| s.exit == 1 && s.stdout.is_some()));
    assert!(steps.iter().all(|s| !s.command.contains("needs:")));
    assert_eq!(
        shortened("hookcheck certify --vendor postal --cases 512 --out cert/"),
        "hookcheck certify --vendor postal --cases 4 --out cert/"
    );
    assert_eq!(
        shortened("for i in 1 2; do hookcheck certify --shard $i/2; done"),
        "for i in 1 2; do hookcheck certify --cases 4 --shard $i/2; done"
    );
}

#[test]
fn every_readme_command_runs_as_written() {
    let (steps, _) = steps(&readme());
    let bin = assert_cmd::cargo::cargo_bin("hookcheck");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let dir = scratch();
    let mut failures = Vec::new();
    for step in &steps {
        let command = shortened(&step.command);
        let out = Command::new("sh")
            .args(["-c", &command])
            .current_dir(dir.path())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(step.exit) {
            failures.push(format!(
                "README.md:{}: `{command}` exited {:?}, not {}: {}",
                step.line,
                out.status.code(),
                step.exit,
                stderr.lines().last().unwrap_or_default()
            ));
        } else if let Some(expected) = &step.stdout
            && stdout != *expected
        {
            failures.push(format!(
                "README.md:{}: `{command}` printed\n{stdout}\nnot what the README shows:\n{expected}",
                step.line
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
