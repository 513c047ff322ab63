//! Which schema violations a correct parser must reject: the [reject policy] applied to the
//! validator's violations.
//!
//! [reject policy]: crate::parser::policy

use serde_json::Value;

use crate::catalog::{Catalog, Vendor};
use crate::parser::{Defect, Obligation, event_name_pointer};
use crate::validate::Violation;

/// Whether `payload`, which has `violation`, must be rejected by a parser of `vendor` payloads.
///
/// A violation reached through a conditional subschema is a cross-field rule whatever its
/// keyword, and an event name that breaks the schema's `const` but names another event of the
/// same vendor is not an unknown event (the payload is that other event), as the policy says.
pub(crate) fn must_reject(vendor: Vendor, violation: &Violation, payload: &Value) -> bool {
    let defect = Defect::from_violation(
        vendor,
        &violation.keyword,
        &violation.instance_path,
        &violation.schema_path,
    );
    if defect == Defect::UnknownEvent {
        let name = payload.pointer(event_name_pointer(vendor).as_str());
        if let Some(Value::String(name)) = name
            && Catalog::builtin().get(vendor, name).is_ok()
        {
            return false;
        }
    }
    defect.obligation() == Obligation::MustReject
}
