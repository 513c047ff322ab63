//! The reference parsers pass every property on generated payloads, and a run replays exactly
//! from its seed.

use std::time::Duration;

use hookcheck::catalog::{Catalog, EntryKind, Vendor};
use hookcheck::certify::{self, Certification, Property};
use hookcheck::parsers::ReferenceParser;
use hookcheck::report::Format;

use super::broken::AcceptsEverything;
use super::{config, not_passed};

#[test]
fn the_reference_parsers_pass_every_event_and_property() {
    let c = certify::run(ReferenceParser, &config(2024, 8)).unwrap();
    assert!(c.is_success(), "{c}");
    assert_eq!(not_passed(&c), Vec::<String>::new(), "{c}");
    let webhooks = Catalog::builtin()
        .entries()
        .iter()
        .filter(|e| e.kind() == EntryKind::Webhook)
        .count();
    // verifies-signature needs signed requests: not in an in-process run's matrix.
    assert_eq!(c.cells.len(), webhooks * (Property::ALL.len() - 1));
    for cell in &c.cells {
        assert!(cell.cases > 0, "{} ran no case", cell.name());
        if cell.property == Property::RejectsInvalid {
            // Every event has must-reject negatives from the generator, all of them rejected.
            assert!(
                cell.counts["must_reject"] > 0,
                "{}: {:?}",
                cell.name(),
                cell.counts
            );
        }
    }
}

/// `c` without its wall-clock times.
fn timeless(mut c: Certification) -> Certification {
    c.duration = Duration::ZERO;
    c.started = None;
    for cell in &mut c.cells {
        cell.duration = Duration::ZERO;
    }
    c
}

#[test]
fn the_same_seed_gives_the_same_result() {
    // A parser with a bug, so that the result holds generated and shrunk payloads, not only
    // counts.
    let config = config(77, 8).vendor(Vendor::MSNDR);
    let run = || timeless(certify::run(AcceptsEverything, &config).unwrap());
    let (a, b) = (run(), run());
    assert!(a.tally().failed > 0, "{a}");
    assert!(a.cells.iter().any(|c| c.counterexample.is_some()));
    assert_eq!(a, b);
    let json = |c: &Certification| {
        let mut out = Vec::new();
        Format::Json.write(&c.to_report(), &mut out).unwrap();
        out
    };
    assert_eq!(json(&a), json(&b));
}
