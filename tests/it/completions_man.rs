//! `hookcheck completions SHELL` and `hookcheck man`: generated from the CLI definition, so they
//! name every subcommand, nested ones included.

use assert_cmd::Command;

/// Every subcommand path below the top level (`listen`, `mock msndr-api`, ...), read from the
/// `Commands:` section of each `--help`, as a user sees them.
fn subcommands() -> Vec<Vec<String>> {
    fn walk(prefix: &[String], out: &mut Vec<Vec<String>>) {
        let mut args = prefix.to_vec();
        args.push("--help".into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let help = stdout(&args);
        let names: Vec<String> = help
            .lines()
            .skip_while(|l| *l != "Commands:")
            .skip(1)
            .take_while(|l| !l.is_empty())
            // Continuation lines of a long description are indented further.
            .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
            .filter_map(|l| l.split_whitespace().next())
            .filter(|name| *name != "help")
            .map(str::to_owned)
            .collect();
        for name in names {
            let mut path = prefix.to_vec();
            path.push(name);
            out.push(path.clone());
            walk(&path, out);
        }
    }
    let mut out = Vec::new();
    walk(&[], &mut out);
    out
}

fn stdout(args: &[&str]) -> String {
    let out = Command::cargo_bin("hookcheck")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_subcommand_list_is_complete() {
    let names: Vec<String> = subcommands().iter().map(|p| p.join(" ")).collect();
    for expected in [
        "list",
        "schema",
        "validate",
        "gen",
        "coverage",
        "certify",
        "listen",
        "replay",
        "api-check",
        "mock",
        "mock msndr-api",
        "export",
        "export openapi",
        "completions",
        "man",
    ] {
        assert!(
            names.contains(&expected.to_owned()),
            "{expected}: {names:?}"
        );
    }
}

#[test]
fn completion_scripts_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = stdout(&["completions", shell]);
        assert!(script.len() > 1000, "{shell}: {} bytes", script.len());
        for path in subcommands() {
            let name = path.last().unwrap();
            assert!(script.contains(name.as_str()), "{shell} lacks {name}");
        }
        // Options are completed too.
        let token = if shell == "fish" {
            "-l token"
        } else {
            "--token"
        };
        assert!(script.contains(token), "{shell}");
    }
    let bash = stdout(&["completions", "bash"]);
    assert!(bash.contains("complete -F _hookcheck"), "{bash}");
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let out = Command::cargo_bin("hookcheck")
        .unwrap()
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// roff escapes hyphens as `\-`.
fn unroff(page: &str) -> String {
    page.replace("\\-", "-")
}

#[test]
fn the_man_page_names_every_subcommand() {
    let page = unroff(&stdout(&["man"]));
    assert!(
        page.starts_with(".ie") || page.contains(".TH hookcheck 1"),
        "{page}"
    );
    assert!(page.contains(".TH hookcheck 1"), "{page}");
    for path in subcommands().iter().filter(|p| p.len() == 1) {
        assert!(
            page.contains(&format!("hookcheck-{}(1)", path[0])),
            "{}",
            path[0]
        );
    }
    assert!(page.contains("Exit codes: 0 all good"));
}

#[test]
fn man_out_writes_a_page_per_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    stdout(&["man", "--out", out.to_str().unwrap()]);
    let top = std::fs::read_to_string(out.join("hookcheck.1")).unwrap();
    assert!(top.contains(".SH SUBCOMMANDS"));
    for path in subcommands() {
        let file = out.join(format!("hookcheck-{}.1", path.join("-")));
        let page = unroff(&std::fs::read_to_string(&file).unwrap());
        assert!(
            page.contains(&format!(".TH hookcheck-{}", path.join("-"))),
            "{}",
            file.display()
        );
    }
    let api = unroff(&std::fs::read_to_string(out.join("hookcheck-api-check.1")).unwrap());
    assert!(api.contains("--token"), "{api}");
}
