//! A webhook receiver over HTTP as a certification target: called on the runner's thread (the
//! HTTP adapter enforces its own time limit), and able to send the forged requests of
//! `verifies-signature`.

use std::sync::Arc;
use std::time::Instant;

use super::call::{Answer, Call, Direct, Subject, answer_of};
use crate::adapters::http::HttpParser;
use crate::catalog::Vendor;
use crate::parser::Fidelity;
use crate::signature::forge::Forgery;

/// An [`HttpParser`] as a [`Subject`].
pub(crate) struct Receiver {
    parser: Arc<HttpParser>,
    direct: Direct,
}

impl Receiver {
    /// Certifies the receiver `parser` posts to.
    #[must_use]
    pub(crate) fn new(parser: Arc<HttpParser>) -> Self {
        Self {
            direct: Direct::new(Arc::clone(&parser) as _),
            parser,
        }
    }
}

impl Subject for Receiver {
    fn call(&self, vendor: Vendor, body: &[u8]) -> Call {
        self.direct.call(vendor, body)
    }

    fn fidelity(&self) -> Fidelity {
        self.direct.fidelity()
    }

    fn supports(&self, vendor: Vendor) -> bool {
        self.direct.supports(vendor)
    }

    fn signs(&self, vendor: Vendor) -> bool {
        self.parser.signs(vendor)
    }

    fn forgeries(&self, vendor: Vendor, body: &[u8]) -> Result<Vec<Forgery>, String> {
        self.parser
            .forgeries(vendor, body)
            .map_err(|e| e.to_string())
    }

    fn call_forged(&self, vendor: Vendor, forgery: &Forgery) -> Call {
        let start = Instant::now();
        let answer: Answer = answer_of(self.parser.send_forged(vendor, forgery));
        Call {
            answer,
            elapsed: start.elapsed(),
        }
    }
}
