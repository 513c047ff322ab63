//! Coverage of the JSON-Schema-Test-Suite (draft 2020-12, optional tests included) by the
//! generator: every satisfiable schema should get values, and nothing generated may be wrong.

use std::path::Path;

use hookcheck::generate::coverage::{CoverageOptions, run_suite};

/// Every satisfiable schema of the suite is covered today (450 of 450, remote refs included);
/// the floor sits just below so that a regression on any one schema fails the test.
const COVERAGE_FLOOR: f64 = 0.997;

#[test]
fn generator_covers_the_suite_without_lying() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/json-schema-test-suite");
    let report = run_suite(&dir, &CoverageOptions::default().with_seed(0x5eed)).unwrap();
    let total = &report.total;
    let summary = report.summary();
    assert_eq!(total.wrong, 0, "{summary}");
    assert!(total.coverage() >= COVERAGE_FLOOR, "{summary}");
    assert_eq!(total.failed, 0, "{summary}");
    // The validator is never more lenient than the suite, so "checked by the validator" means
    // valid per the specification.
    assert_eq!(total.oracle_laxer, 0, "{summary}");
    // The plan is exact almost everywhere: fewer than 1% of candidates need a redraw.
    assert!(total.rejected * 100 < total.candidates, "{summary}");
    assert!(total.negatives > 400, "{summary}");
}
