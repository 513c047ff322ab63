//! The envelope of the Postal, GetMailer and Resend webhooks, and the table of a vendor's events.
//!
//! Each of these bodies is a JSON object with one member naming the event, one holding the
//! event's data (whose type the event decides) and a few members of the vendor's own. An
//! [`Envelope`] says which they are and how the vendor's own are read; [`read`] reads the object
//! in one pass: each member at most once, unknown members skipped, another vendor's envelope
//! member refused, and the data deserialized straight into the event's type when the event name
//! came before it (as in every documented example), else kept as raw JSON and parsed once the
//! name is known.
//!
//! [`events!`] declares a vendor's events in one table, from which the event-name enum and the
//! deserialization of each event's data are generated.

use std::{fmt, marker::PhantomData};

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

use super::de::{CowStr, Name, Slot, from_slice_seed, once, skip};
use crate::{
    catalog::Vendor,
    parser::{JsonPointer, ParseError},
};

/// A vendor's webhook envelope: the names of its members and how the vendor's own are read.
pub(crate) trait Envelope<'de> {
    /// The vendor, for error reports.
    const VENDOR: Vendor;
    /// What the envelope is, for "invalid type" messages.
    const EXPECTING: &'static str;
    /// The member naming the event.
    const EVENT: &'static str;
    /// The member holding the event's data.
    const DATA: &'static str;
    /// Another vendor's envelope member that this vendor never sends (the profile's `absent`,
    /// so detection does not take the body for this vendor's, and neither does the parser),
    /// with the message that refuses it.
    const FOREIGN: Option<(&'static str, &'static str)>;

    /// The data of the vendor's events.
    type Data: Events<'de>;
    /// The vendor's other members as read so far, each `None` until it is.
    type Members: Default;
    /// The vendor's other members, all present.
    type Complete;

    /// Reads the value of `key` into `members` if `key` is one of them; `false` if it is not.
    ///
    /// # Errors
    ///
    /// A value of the wrong type, or a member read twice.
    fn member<A: MapAccess<'de>>(
        members: &mut Self::Members,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error>;

    /// The vendor's members once the whole object has been read. The first absent member is
    /// reported, in the order the vendor documents them; `event` and `data` say whether those
    /// two are present.
    ///
    /// # Errors
    ///
    /// The first absent member, as a missing field.
    fn complete<E: de::Error>(
        members: Self::Members,
        event: bool,
        data: bool,
    ) -> Result<Self::Complete, E>;
}

/// The data of a vendor's events, as [`events!`] declares them.
pub(crate) trait Events<'de>: Sized {
    /// The vendor's events.
    type Event: Copy;

    /// The documented event named `name`.
    fn event(name: &str) -> Option<Self::Event>;

    /// Deserializes the data of `event`.
    ///
    /// # Errors
    ///
    /// Whatever the data's type reports.
    fn of<D: Deserializer<'de>>(event: Self::Event, d: D) -> Result<Self, D::Error>;
}

/// The event of `V`'s envelope.
type EventOf<'de, V> = <<V as Envelope<'de>>::Data as Events<'de>>::Event;

/// A `missing_field` error for `key` unless `present`.
pub(crate) fn present<E: de::Error>(present: bool, key: &'static str) -> Result<(), E> {
    if present {
        Ok(())
    } else {
        Err(E::missing_field(key))
    }
}

/// The value of a member, or a `missing_field` error for `key`.
pub(crate) fn required<T, E: de::Error>(value: Option<T>, key: &'static str) -> Result<T, E> {
    value.ok_or_else(|| E::missing_field(key))
}

/// An envelope as read.
pub(crate) struct Read<E, T, M> {
    /// The documented event.
    pub(crate) event: E,
    /// Its data, reduced.
    pub(crate) data: T,
    /// The vendor's other members.
    pub(crate) members: M,
}

/// The values read by `V`'s envelope.
type ReadOf<'de, V, T> = Read<EventOf<'de, V>, T, <V as Envelope<'de>>::Complete>;

/// Reads `body` as `V`'s envelope; `then` is applied to the data as soon as it has been
/// deserialized.
///
/// # Errors
///
/// A [`ParseError`] rejection: the body is not `V`'s envelope, names an event the vendor does
/// not send, or carries data that is not that event's.
pub(crate) fn read<'de, V, T, F>(body: &'de [u8], then: F) -> Result<ReadOf<'de, V, T>, ParseError>
where
    V: Envelope<'de>,
    F: FnOnce(V::Data) -> T + Copy,
{
    let root = from_slice_seed(
        V::VENDOR,
        body,
        RootSeed::<V, F>(then, PhantomData),
        &JsonPointer::root(),
    )?;
    let event = root.event.known()?;
    let data = root.data.finish(
        V::VENDOR,
        V::DATA,
        DataSeed::<V, _, F>(event, then, PhantomData),
    )?;
    Ok(Read {
        event,
        data,
        members: root.members,
    })
}

/// The envelope as the first pass leaves it.
struct Root<'a, E, T, M> {
    event: Name<'a, E>,
    data: Slot<'a, T>,
    members: M,
}

struct RootSeed<V, F>(F, PhantomData<fn() -> V>);

impl<V, F: Copy> Clone for RootSeed<V, F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V, F: Copy> Copy for RootSeed<V, F> {}

impl<'de, V, T, F> DeserializeSeed<'de> for RootSeed<V, F>
where
    V: Envelope<'de>,
    F: FnOnce(V::Data) -> T + Copy,
{
    type Value = Root<'de, EventOf<'de, V>, T, V::Complete>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, V, T, F> Visitor<'de> for RootSeed<V, F>
where
    V: Envelope<'de>,
    F: FnOnce(V::Data) -> T + Copy,
{
    type Value = Root<'de, EventOf<'de, V>, T, V::Complete>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(V::EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut event = None;
        let mut data = None;
        let mut members = V::Members::default();
        while let Some(key) = map.next_key_seed(CowStr)? {
            if key == V::EVENT {
                let name = Name::read(map.next_value_seed(CowStr)?, V::Data::event);
                once(&mut event, V::EVENT, name)?;
            } else if key == V::DATA {
                let slot = Slot::read(&mut map, event.as_ref(), |known| {
                    DataSeed::<V, _, F>(known, self.0, PhantomData)
                })?;
                once(&mut data, V::DATA, slot)?;
            } else if V::member(&mut members, &key, &mut map)? {
                // Read.
            } else if let Some((_, refusal)) = V::FOREIGN.filter(|(foreign, _)| key == *foreign) {
                return Err(de::Error::custom(refusal));
            } else {
                skip(&mut map)?;
            }
        }
        let members = V::complete(members, event.is_some(), data.is_some())?;
        Ok(Root {
            event: required(event, V::EVENT)?,
            data: required(data, V::DATA)?,
            members,
        })
    }
}

/// Deserializes the data of an event `E` of the envelope `V` and applies the reduction to it.
struct DataSeed<V, E, F>(E, F, PhantomData<fn() -> V>);

impl<V, E: Copy, F: Copy> Clone for DataSeed<V, E, F> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<V, E: Copy, F: Copy> Copy for DataSeed<V, E, F> {}

impl<'de, V, T, F> DeserializeSeed<'de> for DataSeed<V, EventOf<'de, V>, F>
where
    V: Envelope<'de>,
    F: FnOnce(V::Data) -> T,
{
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        V::Data::of(self.0, d).map(self.1)
    }
}

/// Declares a vendor's events in one table: the event-name enum (with `str_enum!`, so with
/// `as_str`, `from_name` and `ALL`) and the [`Events`] impl of the data enum, which deserializes
/// the data of an event (an object, checked as in `de::object`) into its variant.
///
/// With rows `Event = "wire name" => Variant(Type),` the data enum is declared too, one variant
/// per event, and the methods listed in an optional `impl { fn name(&self) -> R; ... }` after it
/// are declared on it, each calling the method of the same name (of a trait in scope) on the
/// variant's data. With rows `Event = "wire name" => Variant,` after `for enum Data`, the
/// variants are those of a data enum declared by hand, which several events may share.
macro_rules! events {
    (@of $name:ident, $data:ident { $( $event:ident => $variant:ident, )+ }) => {
        impl<'de> $crate::parsers::envelope::Events<'de> for $data<'de> {
            type Event = $name;

            fn event(name: &str) -> Option<$name> {
                $name::from_name(name)
            }

            fn of<D: ::serde::Deserializer<'de>>(event: $name, d: D) -> Result<Self, D::Error> {
                Ok(match event {
                    $( $name::$event => Self::$variant($crate::parsers::de::object(d)?), )+
                })
            }
        }
    };
    (@delegate $data:ident [$( $variant:ident )+]) => {};
    (
        @delegate $data:ident [$( $variant:ident )+]
        $(#[$fmeta:meta])* $fvis:vis fn $f:ident(&self) -> $ret:ty; $($rest:tt)*
    ) => {
        impl<'a> $data<'a> {
            $(#[$fmeta])*
            $fvis fn $f(&self) -> $ret {
                match self {
                    $( Self::$variant(d) => d.$f(), )+
                }
            }
        }
        $crate::parsers::envelope::events!(@delegate $data [$( $variant )+] $($rest)*);
    };
    (
        @delegate $data:ident [$( $variant:ident )+]
        $(#[$fmeta:meta])* $fvis:vis fn $f:ident(self) -> $ret:ty; $($rest:tt)*
    ) => {
        impl<'a> $data<'a> {
            $(#[$fmeta])*
            $fvis fn $f(self) -> $ret {
                match self {
                    $( Self::$variant(d) => d.$f(), )+
                }
            }
        }
        $crate::parsers::envelope::events!(@delegate $data [$( $variant )+] $($rest)*);
    };
    (
        $(#[$meta:meta])* $vis:vis enum $name:ident;
        $(#[$dmeta:meta])* $dvis:vis enum $data:ident<$a:lifetime> {
            $( $(#[$vmeta:meta])* $event:ident = $text:literal => $variant:ident($ty:ty), )+
        }
        $( impl { $($delegated:tt)* } )?
    ) => {
        $crate::parsers::de::str_enum! {
            $(#[$meta])* $vis enum $name { $( $(#[$vmeta])* $event = $text, )+ }
        }

        $(#[$dmeta])*
        $dvis enum $data<$a> {
            $( #[doc = concat!("The data of `", $text, "`.")] $variant($ty), )+
        }

        $crate::parsers::envelope::events!(@of $name, $data { $( $event => $variant, )+ });
        $crate::parsers::envelope::events!(@delegate $data [$( $variant )+] $( $($delegated)* )?);
    };
    (
        $(#[$meta:meta])* $vis:vis enum $name:ident;
        for enum $data:ident {
            $( $(#[$vmeta:meta])* $event:ident = $text:literal => $variant:ident, )+
        }
    ) => {
        $crate::parsers::de::str_enum! {
            $(#[$meta])* $vis enum $name { $( $(#[$vmeta])* $event = $text, )+ }
        }

        $crate::parsers::envelope::events!(@of $name, $data { $( $event => $variant, )+ });
    };
}

pub(crate) use events;
