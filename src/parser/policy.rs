//! The reject policy: which payload defects a correct parser must reject and which it may
//! accept.
//!
//! A webhook consumer that accepts a body it cannot interpret loses data silently; one that
//! rejects a body over a detail it never reads turns harmless vendor drift into retries and
//! outages. The policy draws the line at *interpretation*:
//!
//! | defect | obligation | JSON Schema keywords |
//! | --- | --- | --- |
//! | not JSON | must reject | (none: the body does not parse) |
//! | wrong envelope | must reject | `type` or `required` at the document root |
//! | missing required field | must reject | `required` |
//! | wrong type of a documented field, `null` where not nullable | must reject | `type` |
//! | unknown event name for the vendor | must reject | `enum`/`const` at the event-name field |
//! | unknown extra field | may accept | `additionalProperties`, `unevaluatedProperties`, `propertyNames` |
//! | format violation (malformed e-mail, URI, date-time, UUID; pattern; length) | may accept | `format`, `pattern`, `minLength`, `maxLength` |
//! | out-of-enum value of an informational field | may accept | `enum`/`const` elsewhere |
//! | out-of-range number | may accept | `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf` |
//! | wrong number of items or properties | may accept | `minItems`, `maxItems`, `uniqueItems`, `contains`, `minContains`, `maxContains`, `minProperties`, `maxProperties` |
//! | cross-field rule | may accept | `dependentRequired`, `dependentSchemas`, `if`/`then`/`else`, `not`, `allOf`, `anyOf`, `oneOf` |
//!
//! "May accept" never means "must accept": a strict parser (like the reference parsers, which
//! reject out-of-enum values) is still correct. Every payload that is *valid* against the
//! vendor's schema must be accepted.
//!
//! The keyword alone is not always enough: a leaf keyword reached through a conditional or an
//! alternative (`type` under `if`/`then`/`else`, `required` under `oneOf`) states a rule that
//! relates fields. [`Defect::from_violation`] takes the violation's schema path into account and
//! classifies those as cross-field rules; prefer it to [`Defect::from_keyword`] whenever a
//! validator reports the schema path.
//!
//! Two rules for callers that build invalid payloads: a mutated event name counts as
//! [`Defect::UnknownEvent`] only when the new name is not another event of the same vendor, and
//! nullability written as `anyOf`/`oneOf` instead of a `type` array is classified as a cross-field
//! rule (schemas should use `type: ["string", "null"]`).

use serde_json::Value;

use super::JsonPointer;
use crate::catalog::{Catalog, Vendor};
use crate::validate::Violation;

/// The one judge of the policy: whether `payload`, which has `violation` (as the catalog's
/// validator reports it, schema path included), must be rejected by a parser of `vendor`
/// payloads. Certification, the fuzz oracle and every other caller ask this function.
///
/// A violation reached through a conditional or an alternative is a cross-field rule whatever
/// its keyword ([`Defect::from_violation`]), and an event name that breaks the schema's
/// `const` but names another event of the same vendor is not an unknown event (the payload is
/// that other event). A violation at or under a pointer the vendor profile lists in
/// `policy.may_accept` may be accepted, whatever its keyword.
#[must_use]
pub fn must_reject(vendor: Vendor, violation: &Violation, payload: &Value) -> bool {
    let defect = Defect::from_violation(
        vendor,
        &violation.keyword,
        &violation.instance_path,
        &violation.schema_path,
    );
    if defect == Defect::UnknownEvent
        && let Some(Value::String(name)) = event_name_pointer(vendor).resolve(payload)
        && Catalog::active().get(vendor, name).is_ok()
    {
        return false;
    }
    if vendor.profile().policy.covers(&violation.instance_path) {
        return false;
    }
    defect.obligation() == Obligation::MustReject
}

/// What a correct parser must do with a payload that has a given [`Defect`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Obligation {
    /// The parser must return an error (a rejection, not a fault).
    MustReject,
    /// The parser may accept or reject.
    MayAccept,
}

/// A class of payload defect; see the [module documentation](self) for the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Defect {
    /// The body does not parse as JSON.
    NotJson,
    /// The body is JSON but not the vendor's envelope.
    WrongEnvelope,
    /// A required field is absent.
    MissingRequired,
    /// A documented field has the wrong JSON type.
    WrongType,
    /// The event name is not one the vendor sends.
    UnknownEvent,
    /// An undocumented extra field.
    UnknownField,
    /// A string breaks a `format`, `pattern` or length constraint.
    FormatViolation,
    /// A value outside the enum of an informational field.
    OutOfEnum,
    /// A number outside its documented range.
    OutOfRange,
    /// Too many or too few items or properties.
    Cardinality,
    /// A rule that relates several fields or combines subschemas.
    CrossField,
    /// A keyword this policy does not know; treated as may-accept.
    Unclassified,
}

impl Defect {
    /// What a correct parser must do with a payload that has this defect.
    #[must_use]
    pub const fn obligation(self) -> Obligation {
        match self {
            Self::NotJson
            | Self::WrongEnvelope
            | Self::MissingRequired
            | Self::WrongType
            | Self::UnknownEvent => Obligation::MustReject,
            Self::UnknownField
            | Self::FormatViolation
            | Self::OutOfEnum
            | Self::OutOfRange
            | Self::Cardinality
            | Self::CrossField
            | Self::Unclassified => Obligation::MayAccept,
        }
    }

    /// Classifies the violation of a JSON Schema `keyword` at `instance` (the pointer of the
    /// value that breaks it) in a payload of `vendor`.
    ///
    /// # Example
    ///
    /// ```
    /// use hookcheck::catalog::Vendor;
    /// use hookcheck::parser::{Defect, JsonPointer, Obligation};
    ///
    /// let name = JsonPointer::root().push("event").push("name");
    /// assert_eq!(Defect::from_keyword(Vendor::MSNDR, "enum", &name), Defect::UnknownEvent);
    ///
    /// let tag = JsonPointer::root().push("payload").push("message").push("spam_status");
    /// let defect = Defect::from_keyword(Vendor::POSTAL, "enum", &tag);
    /// assert_eq!(defect.obligation(), Obligation::MayAccept);
    /// ```
    #[must_use]
    pub fn from_keyword(vendor: Vendor, keyword: &str, instance: &JsonPointer) -> Self {
        match keyword {
            "type" | "required" if instance.is_root() => Self::WrongEnvelope,
            "type" => Self::WrongType,
            "required" => Self::MissingRequired,
            "enum" | "const" if *instance == event_name_pointer(vendor) => Self::UnknownEvent,
            "enum" | "const" => Self::OutOfEnum,
            "additionalProperties" | "unevaluatedProperties" | "propertyNames" | "false" => {
                Self::UnknownField
            }
            "format" | "pattern" | "minLength" | "maxLength" => Self::FormatViolation,
            "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" => {
                Self::OutOfRange
            }
            "minItems" | "maxItems" | "uniqueItems" | "contains" | "minContains"
            | "maxContains" | "minProperties" | "maxProperties" | "unevaluatedItems"
            | "prefixItems" | "items" => Self::Cardinality,
            "dependentRequired" | "dependentSchemas" | "if" | "then" | "else" | "not" | "allOf"
            | "anyOf" | "oneOf" => Self::CrossField,
            _ => Self::Unclassified,
        }
    }
}

impl Defect {
    /// Classifies a validator violation: the failing `keyword` at `instance`, reached through
    /// `schema_path` (the path taken through the schema, as `/properties/payload/allOf/1/then/…`).
    ///
    /// Like [`from_keyword`](Self::from_keyword), except that a violation reached through a
    /// conditional or alternative subschema (`if`/`then`/`else`, `anyOf`, `oneOf`, `not`,
    /// `dependentSchemas`) is a [`Defect::CrossField`] rule whatever its leaf keyword: Postal's
    /// "`dkim_error` is a string exactly when `dkim_status` is not `OK`" is written as `type`
    /// inside `then`/`else`, yet it relates two fields and a parser may leave it unchecked.
    ///
    /// # Example
    ///
    /// ```
    /// use hookcheck::catalog::Vendor;
    /// use hookcheck::parser::{Defect, JsonPointer};
    ///
    /// let at = JsonPointer::root().push("payload").push("dkim_error");
    /// let path = JsonPointer::parse("/properties/payload/allOf/1/else/properties/dkim_error/type").unwrap();
    /// assert_eq!(Defect::from_violation(Vendor::POSTAL, "type", &at, &path), Defect::CrossField);
    /// let plain = JsonPointer::parse("/properties/payload/properties/dkim_error/type").unwrap();
    /// assert_eq!(Defect::from_violation(Vendor::POSTAL, "type", &at, &plain), Defect::WrongType);
    /// ```
    #[must_use]
    pub fn from_violation(
        vendor: Vendor,
        keyword: &str,
        instance: &JsonPointer,
        schema_path: &JsonPointer,
    ) -> Self {
        if is_conditional(schema_path) {
            return Self::CrossField;
        }
        Self::from_keyword(vendor, keyword, instance)
    }
}

/// Whether a schema path passes through a conditional or alternative keyword (the token after
/// `properties`, `patternProperties` or `$defs` is a name, not a keyword).
fn is_conditional(schema_path: &JsonPointer) -> bool {
    let mut previous = String::new();
    for token in schema_path.tokens() {
        let is_name = matches!(
            previous.as_str(),
            "properties" | "patternProperties" | "$defs" | "definitions"
        );
        if !is_name
            && matches!(
                token.as_str(),
                "if" | "then" | "else" | "anyOf" | "oneOf" | "not" | "dependentSchemas"
            )
        {
            return true;
        }
        previous = token;
    }
    false
}

/// Where the vendor's event name lives (its profile's `event_name`): `/event` (Postal),
/// `/event/name` (msndr.net), `/type` (GetMailer).
#[must_use]
pub fn event_name_pointer(vendor: Vendor) -> JsonPointer {
    vendor.profile().event_name.clone()
}

#[cfg(test)]
mod tests {
    use super::{Defect, Obligation, event_name_pointer};
    use crate::{catalog::Vendor, parser::JsonPointer};

    #[test]
    fn must_reject_classes() {
        let field = JsonPointer::root()
            .push("payload")
            .push("message")
            .push("id");
        for (keyword, at, defect) in [
            ("type", JsonPointer::root(), Defect::WrongEnvelope),
            ("required", JsonPointer::root(), Defect::WrongEnvelope),
            ("type", field.clone(), Defect::WrongType),
            ("required", field.clone(), Defect::MissingRequired),
            (
                "const",
                event_name_pointer(Vendor::POSTAL),
                Defect::UnknownEvent,
            ),
        ] {
            let got = Defect::from_keyword(Vendor::POSTAL, keyword, &at);
            assert_eq!(got, defect, "{keyword} at {at}");
            assert_eq!(got.obligation(), Obligation::MustReject);
        }
    }

    #[test]
    fn may_accept_classes() {
        let at = JsonPointer::root().push("data").push("to");
        for keyword in [
            "format",
            "pattern",
            "maxLength",
            "enum",
            "minimum",
            "additionalProperties",
            "minItems",
            "oneOf",
            "x-unknown",
        ] {
            let got = Defect::from_keyword(Vendor::GETMAILER, keyword, &at);
            assert_eq!(got.obligation(), Obligation::MayAccept, "{keyword}");
        }
    }

    #[test]
    fn conditional_paths_are_cross_field() {
        use super::is_conditional;
        let p = |s: &str| JsonPointer::parse(s).unwrap();
        assert!(is_conditional(&p("/allOf/0/then/properties/x/type")));
        assert!(is_conditional(&p("/properties/ip/anyOf/0/format")));
        assert!(!is_conditional(&p("/properties/then/type")));
        assert!(!is_conditional(&p("/$defs/if/properties/a/type")));
        assert!(!is_conditional(&p(
            "/properties/payload/$ref/properties/id/type"
        )));
    }

    #[test]
    fn discriminator_depends_on_vendor() {
        let postal_name = event_name_pointer(Vendor::POSTAL);
        assert_eq!(
            Defect::from_keyword(Vendor::GETMAILER, "enum", &postal_name),
            Defect::OutOfEnum
        );
        assert_eq!(event_name_pointer(Vendor::MSNDR).as_str(), "/event/name");
        assert_eq!(event_name_pointer(Vendor::GETMAILER).as_str(), "/type");
    }
}
