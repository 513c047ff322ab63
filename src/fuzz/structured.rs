//! The `structured` fuzz target: fuzzer bytes drive the generator to a schema-valid payload,
//! which the parser must accept under the right event name.

use super::generated::prepare;
use super::oracle::{Expectation, assert_agrees};
use super::{Handling, Skip};
use crate::parser::WebhookParser;

/// [`structured_with`] on a default-constructed `P`.
///
/// # Panics
///
/// As [`structured_with`].
pub fn structured<P: WebhookParser + Default>(data: &[u8]) -> Handling {
    structured_with(&P::default(), data)
}

/// Builds a schema-valid payload from `data` and checks that `parser` accepts it as the
/// event it is.
///
/// The first byte selects the webhook event (`data[0] % number of webhook events`, in catalog
/// order); the rest drives
/// [`Generator::from_unstructured`](crate::generate::Generator::from_unstructured). The payload
/// is serialised compact or pretty-printed (a decision drawn after it).
///
/// Skipped: inputs over [`MAX_INPUT_BYTES`](super::MAX_INPUT_BYTES), empty inputs and bytes from which no payload was
/// built ([`Skip::NoPayload`]), events the generator declines ([`Skip::Ungenerable`]) and
/// vendors the parser does not support ([`Skip::Unsupported`]).
///
/// # Panics
///
/// When the generator's payload fails the catalog validator or is not detected as its own
/// event (the harness contradicting itself), and when the parser rejects the payload, faults,
/// or reports another event name (through [`assert_agrees`]).
///
/// # Example
///
/// ```
/// use hookcheck::fuzz::{structured, Handling};
/// use hookcheck::parsers::ReferenceParser;
///
/// let outcome = structured::<ReferenceParser>(&[3; 64]);
/// assert!(matches!(outcome, Handling::Parsed(a) if a.accepted));
/// ```
pub fn structured_with<P: WebhookParser + ?Sized>(parser: &P, data: &[u8]) -> Handling {
    let (slot, value, mut u) = match prepare(parser, data) {
        Ok(prepared) => prepared,
        Err(skip) => return Handling::Skipped(skip),
    };
    let vendor = slot.entry.vendor();
    let pretty = u.arbitrary::<bool>().unwrap_or(false);
    let body = match pretty {
        true => serde_json::to_vec_pretty(&value),
        false => serde_json::to_vec(&value),
    };
    let Ok(body) = body else {
        return Handling::Skipped(Skip::NoPayload);
    };
    let context = format_args!("structured: a generated {} payload", slot.entry.key());
    let agreement = assert_agrees(parser, vendor, &body, &context);
    assert!(
        matches!(&agreement.expected, Expectation::Accept { event } if event == slot.entry.event()),
        "the generated {} payload is not detected as itself: {}\n  body: {}",
        slot.entry.key(),
        agreement.expected,
        String::from_utf8_lossy(&body),
    );
    Handling::Parsed(agreement)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Vendor;
    use crate::fuzz::MAX_INPUT_BYTES;
    use crate::fuzz::generated::slots;
    use crate::parser::{ParseError, ParsedEvent};
    use crate::parsers::ReferenceParser;

    #[test]
    fn every_event_is_reachable_and_accepted_by_the_reference_parser() {
        for (i, slot) in slots().iter().enumerate() {
            let mut data = vec![u8::try_from(i).unwrap()];
            data.extend((0..200u8).map(|b| b.wrapping_mul(37)));
            match structured::<ReferenceParser>(&data) {
                Handling::Parsed(a) => {
                    assert!(a.accepted, "{}", slot.entry.key());
                    assert_eq!(
                        a.expected,
                        Expectation::Accept {
                            event: slot.entry.event().to_owned()
                        }
                    );
                }
                other => panic!("{}: {other:?}", slot.entry.key()),
            }
        }
    }

    struct RejectsAll;
    impl WebhookParser for RejectsAll {
        fn parse<'a>(&self, _: Vendor, _: &'a [u8]) -> Result<ParsedEvent<'a>, ParseError> {
            Err(ParseError::Other {
                detail: "no".into(),
            })
        }
    }

    #[test]
    #[should_panic(expected = "parser rejected a valid body")]
    fn a_parser_that_rejects_valid_payloads_fails() {
        structured_with(&RejectsAll, &[0; 32]);
    }

    #[test]
    fn empty_and_oversized_inputs_are_skipped() {
        assert_eq!(
            structured::<ReferenceParser>(&[]),
            Handling::Skipped(Skip::NoPayload)
        );
        assert_eq!(
            structured::<ReferenceParser>(&vec![0; MAX_INPUT_BYTES + 1]),
            Handling::Skipped(Skip::TooLarge)
        );
    }
}
