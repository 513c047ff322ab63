//! Every input the fuzzers ever failed on, replayed through the same library function its
//! target calls, and every committed seed, which must pass too.
//!
//! `fuzz/regressions/<target>/<what-it-found>` holds the inputs (`.ci/fuzz-smoke` copies a new
//! crash there). The table below pairs each target with the call its shim in
//! `fuzz/fuzz_targets/<target>.rs` makes, and the first test checks that the shims still make
//! exactly that call, so a replay here is a run of the target.

use std::{
    fs,
    panic::{AssertUnwindSafe, catch_unwind},
    path::{Path, PathBuf},
};

use hookcheck::catalog::Vendor;
use hookcheck::fuzz::{self, Handling, Skip, Target};
use hookcheck::parsers::ReferenceParser;

/// A target function, bound to its parser and vendor.
type Run = fn(&[u8]) -> Handling;

/// Each target, the call its shim makes (as written there), and that call.
const TARGETS: [(Target, &str, Run); 7] = [
    (
        Target::RawPostal,
        "hookcheck::fuzz::raw::<hookcheck::parsers::ReferenceParser>(hookcheck::catalog::Vendor::POSTAL, data)",
        |d| fuzz::raw::<ReferenceParser>(Vendor::POSTAL, d),
    ),
    (
        Target::RawMsndr,
        "hookcheck::fuzz::raw::<hookcheck::parsers::ReferenceParser>(hookcheck::catalog::Vendor::MSNDR, data)",
        |d| fuzz::raw::<ReferenceParser>(Vendor::MSNDR, d),
    ),
    (
        Target::RawGetMailer,
        "hookcheck::fuzz::raw::<hookcheck::parsers::ReferenceParser>(hookcheck::catalog::Vendor::GETMAILER, data)",
        |d| fuzz::raw::<ReferenceParser>(Vendor::GETMAILER, d),
    ),
    (
        Target::RawResend,
        "hookcheck::fuzz::raw::<hookcheck::parsers::ReferenceParser>(hookcheck::catalog::Vendor::RESEND, data)",
        |d| fuzz::raw::<ReferenceParser>(Vendor::RESEND, d),
    ),
    (
        Target::Structured,
        "hookcheck::fuzz::structured::<hookcheck::parsers::ReferenceParser>(data)",
        fuzz::structured::<ReferenceParser>,
    ),
    (
        Target::Differential,
        "hookcheck::fuzz::differential::<hookcheck::parsers::ReferenceParser>(data)",
        fuzz::differential::<ReferenceParser>,
    ),
    (
        Target::Validate,
        "hookcheck::fuzz::validate(data)",
        fuzz::validate,
    ),
];

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// The files directly in `dir`, sorted (none when it does not exist).
fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(items) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = items
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// Runs every file of `dir` through `run`; returns the failures as `file: message`.
fn replay(dir: &Path, run: Run) -> (usize, Vec<String>) {
    let files = files(dir);
    let mut failures = Vec::new();
    for path in &files {
        let data = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let outcome = catch_unwind(AssertUnwindSafe(|| run(&data)));
        if let Ok(Handling::Skipped(Skip::TooLarge)) = outcome {
            failures.push(format!(
                "{}: over the size cap, never examined",
                path.display()
            ));
        }
        if let Err(panic) = outcome {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            failures.push(format!("{}:\n{message}", path.display()));
        }
    }
    (files.len(), failures)
}

#[test]
fn every_target_has_a_shim_making_the_replayed_call() {
    for (target, call, _) in TARGETS {
        let path = fuzz_dir().join("fuzz_targets").join(format!("{target}.rs"));
        let shim = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let flat: String = shim.split_whitespace().collect();
        let call: String = call.split_whitespace().collect();
        assert!(
            flat.contains(&call),
            "{} does not call {call}",
            path.display()
        );
        assert!(
            shim.lines().count() <= 4,
            "{} is more than a shim",
            path.display()
        );
    }
    assert_eq!(
        files(&fuzz_dir().join("fuzz_targets")).len(),
        Target::ALL.len(),
        "a target without a row here"
    );
}

#[test]
fn regression_directories_are_named_after_targets() {
    let Ok(dirs) = fs::read_dir(fuzz_dir().join("regressions")) else {
        return;
    };
    for dir in dirs.filter_map(Result::ok) {
        let name = dir.file_name().to_string_lossy().into_owned();
        assert!(
            name.parse::<Target>().is_ok(),
            "fuzz/regressions/{name} is not a target"
        );
    }
}

#[test]
fn crash_regressions_pass() {
    let mut all = Vec::new();
    for (target, _, run) in TARGETS {
        let (_, failures) = replay(&fuzz_dir().join("regressions").join(target.name()), run);
        all.extend(failures);
    }
    assert!(all.is_empty(), "{}", all.join("\n\n"));
}

#[test]
fn committed_seeds_pass() {
    let mut all = Vec::new();
    for (target, _, run) in TARGETS {
        let (count, failures) = replay(&fuzz_dir().join("seeds").join(target.name()), run);
        assert!(count > 0, "no seeds for {target}");
        all.extend(failures);
    }
    assert!(all.is_empty(), "{}", all.join("\n\n"));
}
