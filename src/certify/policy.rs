//! Which schema violations a correct parser must reject.

use crate::catalog::Vendor;
use crate::validate::Violation;

/// Whether a payload with `violation` must be rejected by a parser of `vendor` payloads.
pub(crate) fn must_reject(vendor: Vendor, violation: &Violation) -> bool {
    let event_name = match vendor {
        Vendor::Postal => "/event",
        Vendor::Msndr => "/event/name",
        Vendor::GetMailer => "/type",
    };
    match violation.keyword.as_str() {
        "type" | "required" => true,
        "enum" | "const" => violation.instance_path.as_str() == event_name,
        _ => false,
    }
}
