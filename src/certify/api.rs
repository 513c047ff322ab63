//! The entry points: [`run`] returns the result, [`certify`] panics with a readable report when
//! a property fails, for a parser crate's own `cargo test`.

use std::sync::Arc;
use std::time::Duration;

use super::call::{Direct, MakeTarget, Subject, in_process};
#[cfg(feature = "http")]
use super::receiver::Receiver;
use super::runner::{self, Progress};
use super::source::{CaseSource, GeneratorSource};
use super::{Certification, CertifyError, Config};
#[cfg(feature = "http")]
use crate::adapters::http::HttpParser;
use crate::catalog::Catalog;
use crate::parser::WebhookParser;

/// Runs every selected cell against `parser`, in process.
///
/// Panics in the parser are caught and hangs are abandoned after the time bound (see
/// [`Config::time_bound`]); both are failures of the case, not of the run.
///
/// # Errors
///
/// [`CertifyError`] when the run cannot be carried out (unknown event, unreadable regression
/// directory). A parser that fails properties is an `Ok` result whose
/// [`is_success`](Certification::is_success) is false.
pub fn run<P: WebhookParser + 'static>(
    parser: P,
    config: &Config,
) -> Result<Certification, CertifyError> {
    run_with_progress(parser, config, |_| {})
}

/// [`run`], calling `progress` at the start and after every cell.
///
/// # Errors
///
/// As [`run`].
pub fn run_with_progress<P: WebhookParser + 'static>(
    parser: P,
    config: &Config,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<Certification, CertifyError> {
    run_guarded(parser, config, config.time_bound, &mut progress)
}

/// Runs `parser`, abandoning a call in process after `guard` (the time bound for in-process
/// parsers; longer for adapters that enforce the bound themselves and report a timeout). Each
/// job gets its own target over the shared parser: called inline on the cell's thread while the
/// job watches for an overrun, or through a worker thread once a call has overrun.
fn run_guarded<P: WebhookParser + 'static>(
    parser: P,
    config: &Config,
    guard: Duration,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Certification, CertifyError> {
    let name = parser.name().into_owned();
    let parser: Arc<dyn WebhookParser> = Arc::new(parser);
    let make = move || -> Result<Box<dyn Subject>, String> {
        Ok(Box::new(in_process(Arc::clone(&parser), guard)))
    };
    run_target(&make, &name, config, &GeneratorSource::default(), progress)
}

/// Runs every selected cell against adapters that enforce their own time limit and never
/// hang the caller ([`ExecParser`], [`HttpParser`]): `make` makes one per job (each its own
/// process or connection), and each is called directly on its job's thread, with no worker
/// thread in between. A panic in one is still caught. An [`HttpParser`] with signers is also
/// sent the forged requests of `verifies-signature`.
///
/// # Errors
///
/// As [`run`].
///
/// # Example
///
/// ```no_run
/// use hookcheck::adapters::exec::ExecParser;
/// use hookcheck::certify::{self, Config};
///
/// let config = Config::default().cases(64).jobs(2);
/// let result = certify::run_adapter(|| ExecParser::new("exec python3 my_adapter.py"), &config)?;
/// assert!(result.is_success(), "{result}");
/// # Ok::<(), hookcheck::certify::CertifyError>(())
/// ```
///
/// [`ExecParser`]: crate::adapters::exec::ExecParser
/// [`HttpParser`]: crate::adapters::http::HttpParser
pub fn run_adapter<P, F>(make: F, config: &Config) -> Result<Certification, CertifyError>
where
    P: WebhookParser + 'static,
    F: Fn() -> P + Sync,
{
    // Adapters start their process or connection on first use, so making one for its name
    // costs nothing.
    let name = make().name().into_owned();
    run_adapter_with_progress(make, &name, config, |_| {})
}

/// [`run_adapter`] under the parser name given, calling `progress` at the start and after every
/// cell. The name is not asked of an adapter, so `make` can hand out one that was started (and
/// checked) before the run: see how `hookcheck certify --exec` starts its first adapter.
///
/// # Errors
///
/// As [`run`].
pub fn run_adapter_with_progress<P, F>(
    make: F,
    name: &str,
    config: &Config,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<Certification, CertifyError>
where
    P: WebhookParser + 'static,
    F: Fn() -> P + Sync,
{
    let make = || -> Result<Box<dyn Subject>, String> {
        // An HTTP receiver can also be sent the forgeries of `verifies-signature`.
        let parser: Box<dyn std::any::Any> = Box::new(make());
        #[cfg(feature = "http")]
        let parser = match parser.downcast::<HttpParser>() {
            Ok(http) => return Ok(Box::new(Receiver::new(Arc::new(*http)))),
            Err(other) => other,
        };
        parser
            .downcast::<P>()
            .map(|p| Box::new(Direct::new(Arc::new(*p))) as Box<dyn Subject>)
            .map_err(|_| "the adapter changed type".to_owned())
    };
    run_target(
        &make,
        name,
        config,
        &GeneratorSource::default(),
        &mut progress,
    )
}

/// Certifies `parser` and panics with a readable report (property, event, seed, minimal
/// payload) if any property fails: one call makes a parser crate's `cargo test` a
/// certification.
///
/// # Panics
///
/// When a property fails, a cell ends in a harness error, or the run cannot be carried out.
///
/// # Example
///
/// ```no_run
/// use hookcheck::catalog::Vendor;
/// use hookcheck::certify::{Config, Seed};
/// use hookcheck::parsers::ReferenceParser;
///
/// let config = Config::default().vendor(Vendor::MSNDR).cases(256).seed(Seed(1));
/// hookcheck::certify(&ReferenceParser, config);
/// ```
pub fn certify<P: WebhookParser + 'static>(parser: P, config: Config) {
    match run(parser, &config) {
        Ok(result) if result.is_success() => {}
        Ok(result) => panic!("\n{result}"),
        Err(e) => panic!("hookcheck certification could not run: {e}"),
    }
}

/// Runs the matrix against the targets `make` makes, one per job (in-process parsers,
/// adapters, the reference set).
pub(crate) fn run_target(
    make: &MakeTarget<'_>,
    name: &str,
    config: &Config,
    source: &dyn CaseSource,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Certification, CertifyError> {
    runner::run(Catalog::active(), make, source, name, config, progress)
}
