//! Serde building blocks shared by the reference parsers, and the error diagnosis that turns a
//! `serde_json` failure into a [`ParseError`] with a JSON pointer.
//!
//! The hot path is plain `serde_json` over borrowed types. Only when it fails is the input
//! deserialized a second time through `serde_path_to_error`, which records where the failure
//! happened; the cost of locating errors is paid by invalid payloads alone.

use std::{borrow::Cow, fmt, marker::PhantomData};

use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Unexpected,
    Visitor, value::MapAccessDeserializer,
};
use serde_json::value::RawValue;
use serde_path_to_error::{Segment, Track};

use crate::{
    catalog::Vendor,
    parser::{JsonPointer, ParseError, Timestamp},
};

/// Deserializes `T` from `body` with `serde_json`, reporting failures as [`ParseError`]s that
/// carry the JSON pointer of the offending field.
///
/// Syntax errors and trailing characters become [`ParseError::NotJson`], a missing field
/// [`ParseError::MissingField`] (pointing at the field itself), a type mismatch
/// [`ParseError::WrongType`] ([`ParseError::WrongEnvelope`] at the document root), and any other
/// data error [`ParseError::InvalidValue`].
///
/// # Errors
///
/// Whatever `serde_json` reports, classified as above.
///
/// # Example
///
/// ```
/// use hookcheck::{catalog::Vendor, parser::ParseError, parsers::from_slice};
///
/// #[derive(Debug, serde::Deserialize)]
/// struct Body {
///     message: Message,
/// }
/// #[derive(Debug, serde::Deserialize)]
/// struct Message {
///     id: u64,
/// }
///
/// let body: Body = from_slice(Vendor::MSNDR, br#"{"message":{"id":7}}"#)?;
/// assert_eq!(body.message.id, 7);
///
/// let err = from_slice::<Body>(Vendor::MSNDR, br#"{"message":{"id":"7"}}"#).unwrap_err();
/// assert!(matches!(err, ParseError::WrongType { ref pointer, .. } if pointer.as_str() == "/message/id"));
/// # Ok::<(), ParseError>(())
/// ```
pub fn from_slice<'a, T: Deserialize<'a>>(vendor: Vendor, body: &'a [u8]) -> Result<T, ParseError> {
    from_slice_seed(vendor, body, PhantomData::<T>, &JsonPointer::root())
}

/// Like [`from_slice`] for a [`DeserializeSeed`], with pointers prefixed by `at` (the location of
/// `bytes` inside the whole body).
pub(crate) fn from_slice_seed<'a, S>(
    vendor: Vendor,
    bytes: &'a [u8],
    seed: S,
    at: &JsonPointer,
) -> Result<S::Value, ParseError>
where
    S: DeserializeSeed<'a> + Clone,
{
    // One UTF-8 check of the whole body is cheaper than `from_slice`'s check of every string,
    // and rejects the same inputs: outside strings, any non-ASCII byte is a syntax error anyway.
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => return Err(not_utf8(bytes, e.valid_up_to())),
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let result = seed
        .clone()
        .deserialize(&mut de)
        .and_then(|value| de.end().map(|()| value));
    result.map_err(|err| diagnose(vendor, bytes, seed, at, &err))
}

#[cold]
fn not_utf8(bytes: &[u8], valid_up_to: usize) -> ParseError {
    let before = &bytes[..valid_up_to];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let column = valid_up_to
        - before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1)
        + 1;
    ParseError::NotJson {
        line,
        column,
        detail: "invalid UTF-8".to_owned(),
    }
}

#[cold]
fn diagnose<'a, S>(
    vendor: Vendor,
    bytes: &'a [u8],
    seed: S,
    at: &JsonPointer,
    first: &serde_json::Error,
) -> ParseError
where
    S: DeserializeSeed<'a>,
{
    if !first.is_data() {
        return ParseError::NotJson {
            line: first.line(),
            column: first.column(),
            detail: message_text(first),
        };
    }
    let mut track = Track::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let traced = seed.deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track));
    let (path, err) = match traced {
        Err(err) => (pointer_of(track.path()), err),
        // Deserialization is deterministic; fall back to the unlocated first error.
        Ok(_) => (JsonPointer::root(), clone_data_error(first)),
    };
    classify(vendor, join(at, &path), &err)
}

/// `suffix` appended to `prefix`.
fn join(prefix: &JsonPointer, suffix: &JsonPointer) -> JsonPointer {
    suffix.tokens().fold(prefix.clone(), JsonPointer::push)
}

fn clone_data_error(err: &serde_json::Error) -> serde_json::Error {
    de::Error::custom(message_text(err))
}

fn pointer_of(path: serde_path_to_error::Path) -> JsonPointer {
    let mut pointer = JsonPointer::root();
    for segment in &path {
        pointer = match segment {
            Segment::Map { key } => pointer.push(key),
            Segment::Seq { index } => pointer.push(index),
            Segment::Enum { .. } | Segment::Unknown => pointer,
        };
    }
    pointer
}

/// The error message without `serde_json`'s " at line L column C" suffix.
fn message_text(err: &serde_json::Error) -> String {
    let mut text = err.to_string();
    if let Some(cut) = text.rfind(" at line ") {
        text.truncate(cut);
    }
    text
}

fn classify(vendor: Vendor, pointer: JsonPointer, err: &serde_json::Error) -> ParseError {
    let message = message_text(err);
    if let Some(field) = backticked(&message, "missing field `") {
        return ParseError::MissingField {
            pointer: pointer.push(field),
        };
    }
    if message.starts_with("invalid type: ") {
        if pointer.is_root() {
            return ParseError::WrongEnvelope {
                vendor,
                detail: message,
            };
        }
        return ParseError::WrongType {
            pointer,
            detail: message,
        };
    }
    if let Some(field) = backticked(&message, "duplicate field `") {
        return ParseError::InvalidValue {
            pointer: pointer.push(field),
            detail: message.clone(),
        };
    }
    ParseError::InvalidValue {
        pointer,
        detail: message,
    }
}

fn backticked<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = message.strip_prefix(prefix)?;
    Some(&rest[..rest.rfind('`')?])
}

/// Builds the [`ParseError`] for an event name the vendor does not send.
pub(crate) fn unknown_event(name: &str) -> ParseError {
    ParseError::UnknownEvent {
        name: name.to_owned(),
    }
}

/// A seed that deserializes a string, borrowing it from the input when it has no escapes.
#[derive(Clone, Copy)]
pub(crate) struct CowStr;

impl<'de> DeserializeSeed<'de> for CowStr {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(CowStrVisitor)
    }
}

struct CowStrVisitor;

impl<'de> Visitor<'de> for CowStrVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// `deserialize_with` for a string that must be present and may be `null`.
pub(crate) fn nullable_str<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Cow<'de, str>>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<Cow<'de, str>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or null")
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            CowStr.deserialize(d).map(Some)
        }
    }
    d.deserialize_option(V)
}

/// `deserialize_with` (with `default`) for an optional string: absent is `None`, `null` is a
/// wrong type.
pub(crate) fn some_str<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Cow<'de, str>>, D::Error> {
    CowStr.deserialize(d).map(Some)
}

/// `deserialize_with` (with `default`) for an optional array of strings.
pub(crate) fn some_str_list<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Vec<Cow<'de, str>>>, D::Error> {
    str_list(d).map(Some)
}

/// `deserialize_with` (with `default`) for an optional array of objects.
pub(crate) fn some_object_list<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    object_list(d).map(Some)
}

/// `deserialize_with` for a value that must be present and may be `null`.
pub(crate) fn nullable<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d)
}

/// `deserialize_with` for a JSON Schema `integer` that must be non-negative: any JSON number
/// with no fractional part (`5` and `5.0` alike).
pub(crate) fn whole_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a non-negative integer")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
        }
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "guarded by the range and fraction checks"
        )]
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
            if v.fract() != 0.0 || !v.is_finite() {
                return Err(E::invalid_type(Unexpected::Float(v), &self));
            }
            if !(0.0..18_446_744_073_709_551_616.0).contains(&v) {
                return Err(E::invalid_value(Unexpected::Float(v), &self));
            }
            Ok(v as u64)
        }
    }
    d.deserialize_u64(V)
}

/// `deserialize_with` for a nested object: like the derived impl but refusing JSON arrays, which
/// `serde_json` would otherwise feed to a struct positionally.
pub(crate) fn object<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_map(ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map))
    }
}

/// A seed for a nested object (checked as in [`object`]).
pub(crate) struct ObjectSeed<T>(PhantomData<T>);

impl<T> Default for ObjectSeed<T> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<'de, T: Deserialize<'de>> DeserializeSeed<'de> for ObjectSeed<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        object(d)
    }
}

/// `deserialize_with` for an array of objects (each checked as in [`object`]).
pub(crate) fn object_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct V<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array of objects")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
            while let Some(Object(item)) = seq.next_element::<Object<T>>()? {
                items.push(item);
            }
            Ok(items)
        }
    }
    d.deserialize_seq(V(PhantomData))
}

/// `deserialize_with` for an array of strings.
pub(crate) fn str_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Cow<'de, str>>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Vec<Cow<'de, str>>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array of strings")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
            while let Some(item) = seq.next_element_seed(CowStr)? {
                items.push(item);
            }
            Ok(items)
        }
    }
    d.deserialize_seq(V)
}

struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        object(d).map(Object)
    }
}

/// A JSON object kept as raw text (for free-form maps such as GetMailer `customFields`).
#[derive(Debug, Clone, Copy)]
pub struct RawObject<'a>(&'a RawValue);

impl<'a> RawObject<'a> {
    /// The object's JSON text exactly as in the body.
    #[must_use]
    pub fn json(&self) -> &'a str {
        self.0.get()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for RawObject<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <&'a RawValue>::deserialize(d)?;
        if raw.get().starts_with('{') {
            Ok(Self(raw))
        } else {
            Err(de::Error::invalid_type(
                unexpected(raw.get()),
                &"a JSON object",
            ))
        }
    }
}

/// `deserialize_with` for an optional key whose value, when present, must be an object.
pub(crate) fn some_object<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<RawObject<'de>>, D::Error> {
    RawObject::deserialize(d).map(Some)
}

/// What a raw JSON value is, for "invalid type" messages.
fn unexpected(json: &str) -> Unexpected<'static> {
    match json.as_bytes().first() {
        Some(b'"') => Unexpected::Other("string"),
        Some(b'[') => Unexpected::Seq,
        Some(b'{') => Unexpected::Map,
        Some(b't' | b'f') => Unexpected::Other("boolean"),
        Some(b'n') => Unexpected::Unit,
        _ => Unexpected::Other("number"),
    }
}

/// A non-negative JSON Schema `integer` (`5`, or `5.0`) with its canonical decimal text, which
/// is borrowed from the body when the literal is already canonical (as ids always are).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integer<'a> {
    value: u64,
    text: Cow<'a, str>,
}

impl<'a> Integer<'a> {
    /// The value.
    #[must_use]
    pub fn value(&self) -> u64 {
        self.value
    }

    /// The value in decimal, without sign, fraction or exponent.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The decimal text, borrowed from the body when possible.
    #[must_use]
    pub fn into_text(self) -> Cow<'a, str> {
        self.text
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Integer<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <&'a RawValue>::deserialize(d)?.get();
        if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
            // JSON forbids leading zeros, so a digits-only literal is already canonical.
            return match raw.parse::<u64>() {
                Ok(value) => Ok(Self {
                    value,
                    text: Cow::Borrowed(raw),
                }),
                Err(_) => Err(de::Error::invalid_value(
                    Unexpected::Other("an integer beyond 2^64"),
                    &"a non-negative integer",
                )),
            };
        }
        let number = Timestamp::from_number(raw)
            .and_then(|t| t.unix_seconds())
            .ok_or_else(|| de::Error::invalid_type(unexpected(raw), &"an integer"))?;
        let value = whole_u64(serde::de::value::F64Deserializer::<D::Error>::new(number))?;
        Ok(Self {
            value,
            text: Cow::Owned(value.to_string()),
        })
    }
}

/// A JSON number that keeps its literal text: an event time in Unix seconds.
pub(crate) struct NumberTime<'a>(pub(crate) Timestamp<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for NumberTime<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <&'a RawValue>::deserialize(d)?;
        Timestamp::from_number(raw.get())
            .map(NumberTime)
            .ok_or_else(|| de::Error::invalid_type(unexpected(raw.get()), &"a number"))
    }
}

/// A JSON Schema `integer` that keeps its literal text: an event time in whole Unix seconds.
pub(crate) struct IntegerTime<'a>(pub(crate) Timestamp<'a>);

impl<'de: 'a, 'a> Deserialize<'de> for IntegerTime<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <&'a RawValue>::deserialize(d)?;
        match Timestamp::from_number(raw.get()) {
            Some(t) if t.unix_seconds().is_some_and(|v| v.fract() == 0.0) => Ok(IntegerTime(t)),
            Some(t) => Err(de::Error::invalid_type(
                Unexpected::Float(t.unix_seconds().unwrap_or(f64::NAN)),
                &"an integer",
            )),
            None => Err(de::Error::invalid_type(
                unexpected(raw.get()),
                &"an integer",
            )),
        }
    }
}

/// Discards a value of any type.
pub(crate) fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(drop)
}

/// Stores the value of an envelope key, rejecting a second occurrence of the key.
pub(crate) fn once<T, E: de::Error>(
    slot: &mut Option<T>,
    key: &'static str,
    value: T,
) -> Result<(), E> {
    if slot.replace(value).is_some() {
        return Err(E::duplicate_field(key));
    }
    Ok(())
}

/// An envelope's event name: one the vendor documents, or the text of another.
pub(crate) enum Name<'a, E> {
    /// A documented event.
    Known(E),
    /// Any other name, kept for the error message.
    Unknown(Cow<'a, str>),
}

impl<'a, E> Name<'a, E> {
    /// Classifies `name` with the vendor's `from_name`.
    pub(crate) fn read(name: Cow<'a, str>, from_name: impl FnOnce(&str) -> Option<E>) -> Self {
        match from_name(&name) {
            Some(known) => Self::Known(known),
            None => Self::Unknown(name),
        }
    }

    /// The documented event, or [`ParseError::UnknownEvent`].
    pub(crate) fn known(self) -> Result<E, ParseError> {
        match self {
            Self::Known(event) => Ok(event),
            Self::Unknown(name) => Err(unknown_event(&name)),
        }
    }
}

/// The event-specific part of an envelope. It is parsed in the same pass when the event name
/// came before it (as in every documented example), else kept as raw JSON until the name is
/// known.
#[allow(
    clippy::large_enum_variant,
    reason = "lives on the stack for one parse; boxing would cost an allocation"
)]
pub(crate) enum Slot<'a, T> {
    /// Parsed in the same pass.
    Parsed(T),
    /// Not parsed yet.
    Raw(&'a RawValue),
}

impl<'a, T> Slot<'a, T> {
    /// Reads the slot's value from the map: with `seed` when the event name is already known.
    pub(crate) fn read<A, E, S>(
        map: &mut A,
        event: Option<&Name<'a, E>>,
        seed: impl FnOnce(E) -> S,
    ) -> Result<Self, A::Error>
    where
        A: MapAccess<'a>,
        E: Copy,
        S: DeserializeSeed<'a, Value = T>,
    {
        Ok(match event {
            Some(Name::Known(known)) => Self::Parsed(map.next_value_seed(seed(*known))?),
            _ => Self::Raw(map.next_value()?),
        })
    }

    /// The parsed value: a raw slot is parsed now with `seed`, its errors pointing below
    /// `/key`.
    pub(crate) fn finish<S>(self, vendor: Vendor, key: &str, seed: S) -> Result<T, ParseError>
    where
        S: DeserializeSeed<'a, Value = T> + Clone,
    {
        match self {
            Self::Parsed(value) => Ok(value),
            Self::Raw(raw) => from_slice_seed(
                vendor,
                raw.get().as_bytes(),
                seed,
                &JsonPointer::root().push(key),
            ),
        }
    }
}

/// Declares a closed set of string values with `as_str`, `from_name`, `ALL` and a `Deserialize`
/// impl that reads a JSON string (a wrong type is reported as such, an unknown string as an
/// unknown variant).
macro_rules! str_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in documentation order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The value as it appears on the wire.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( Self::$variant => $text, )+
                }
            }

            /// The value whose wire text is `text`.
            #[must_use]
            pub fn from_name(text: &str) -> Option<Self> {
                match text {
                    $( $text => Some(Self::$variant), )+
                    _ => None,
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl ::serde::de::Visitor<'_> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " string"))
                    }
                    fn visit_str<E: ::serde::de::Error>(self, v: &str) -> Result<$name, E> {
                        $name::from_name(v)
                            .ok_or_else(|| E::unknown_variant(v, &[$($text),+]))
                    }
                }
                d.deserialize_str(V)
            }
        }
    };
}

pub(crate) use str_enum;
