//! The vendors hookcheck knows: thin handles over a process-wide registry of profiles.
//!
//! The registry starts with the built-in profiles (embedded by `build.rs`, in the order of
//! `schemas/vendors.txt`). Loading a user catalog ([`super::Catalog::load_dir`]) adds its
//! profiles after them, and can set the built-in vendors aside (`--no-builtin`): they keep
//! their profiles, but [`Vendor::all`] and name lookups no longer see them.

use std::{
    cell::Cell,
    fmt,
    str::FromStr,
    sync::{
        OnceLock, PoisonError, RwLock,
        atomic::{AtomicUsize, Ordering},
    },
};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::embedded;
use super::profile::{Profile, ProfileError};

/// A webhook-sending service whose events are in the catalog: a handle on its [`Profile`].
///
/// The lower-case name (`postal`, `msndr`, `getmailer`) is the directory under `schemas/`, the
/// prefix of catalog keys (`postal/MessageSent`) and what `--vendor` takes. Vendors order as
/// the catalog lists them (built-in ones first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Vendor(&'static str);

impl Vendor {
    /// Postal (postalserver/postal) and its rebrands: `{event, timestamp, payload, uuid}`.
    pub const POSTAL: Vendor = Vendor("postal");
    /// msndr.net (NotiSend/RuSender lineage): `{message: {id}, event: {name, timestamp, data}}`.
    pub const MSNDR: Vendor = Vendor("msndr");
    /// GetMailer (getmailer.co): `{id, type, timestamp, data}`.
    pub const GETMAILER: Vendor = Vendor("getmailer");
    /// Resend (resend.com), through Svix: `{type, created_at, data}`.
    pub const RESEND: Vendor = Vendor("resend");

    /// Every vendor of the catalog in use, in catalog order.
    #[must_use]
    pub fn all() -> Vec<Vendor> {
        let r = read();
        r.entries
            .iter()
            .filter(|e| e.active)
            .map(|e| Vendor(e.profile.name.as_str()))
            .collect()
    }

    /// The vendors compiled into this binary, in catalog order (whether in use or not).
    #[must_use]
    pub fn builtin() -> Vec<Vendor> {
        let r = read();
        r.entries
            .iter()
            .filter(|e| e.builtin)
            .map(|e| Vendor(e.profile.name.as_str()))
            .collect()
    }

    /// The lower-case name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// The vendor's profile. A built-in vendor whose profile failed to load has a placeholder
    /// (reported by [`super::Catalog::builtin_problems`]).
    #[must_use]
    pub fn profile(self) -> &'static Profile {
        let r = read();
        match r.entries.iter().find(|e| e.profile.name == self.0) {
            Some(e) => e.profile,
            None => placeholder(),
        }
    }

    /// Whether the vendor is one compiled into this binary.
    #[must_use]
    pub fn is_builtin(self) -> bool {
        read()
            .entries
            .iter()
            .any(|e| e.builtin && e.profile.name == self.0)
    }

    /// Its place in catalog order.
    fn position(self) -> usize {
        read()
            .entries
            .iter()
            .position(|e| e.profile.name == self.0)
            .unwrap_or(usize::MAX)
    }
}

impl PartialOrd for Vendor {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Vendor {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        if self.0 == other.0 {
            return std::cmp::Ordering::Equal;
        }
        (self.position(), self.0).cmp(&(other.position(), other.0))
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for Vendor {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Vendor {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// One registered profile.
#[derive(Clone, Copy)]
struct Registered {
    profile: &'static Profile,
    builtin: bool,
    active: bool,
}

/// The process-wide registry, as one immutable snapshot. A change (loading a user catalog, at
/// most a few times per process) publishes a new snapshot and leaves the old one in place, so
/// that readers never wait: each thread keeps the snapshot it last read, and checks one
/// generation counter to see whether it is still current.
#[derive(Clone)]
struct Registry {
    entries: Vec<Registered>,
    /// Built-in profiles that failed to load.
    problems: Vec<ProfileError>,
}

/// Bumped after every new snapshot.
static GENERATION: AtomicUsize = AtomicUsize::new(0);

fn current() -> &'static RwLock<&'static Registry> {
    static CURRENT: OnceLock<RwLock<&'static Registry>> = OnceLock::new();
    CURRENT.get_or_init(|| {
        let mut entries = Vec::new();
        let mut problems = Vec::new();
        for f in embedded::PROFILES {
            let profile = match Profile::parse(
                &format!("{}/vendor.json", f.vendor),
                f.source,
                Some(f.vendor),
            ) {
                Ok(p) => p,
                Err(e) => {
                    problems.push(e);
                    Profile::placeholder(f.vendor)
                }
            };
            entries.push(Registered {
                profile: Box::leak(Box::new(profile)),
                builtin: true,
                active: true,
            });
        }
        RwLock::new(Box::leak(Box::new(Registry { entries, problems })))
    })
}

fn read() -> &'static Registry {
    thread_local! {
        static CACHED: Cell<Option<(usize, &'static Registry)>> = const { Cell::new(None) };
    }
    let generation = GENERATION.load(Ordering::Acquire);
    CACHED.with(|cached| match cached.get() {
        Some((g, registry)) if g == generation => registry,
        _ => {
            let registry = *current().read().unwrap_or_else(PoisonError::into_inner);
            cached.set(Some((generation, registry)));
            registry
        }
    })
}

/// Publishes a changed copy of the registry; `change` may refuse with an error.
fn update<T>(
    change: impl FnOnce(&mut Registry) -> Result<T, ProfileError>,
) -> Result<T, ProfileError> {
    let mut slot = current().write().unwrap_or_else(PoisonError::into_inner);
    let mut next = (**slot).clone();
    let out = change(&mut next)?;
    *slot = Box::leak(Box::new(next));
    GENERATION.fetch_add(1, Ordering::Release);
    Ok(out)
}

/// The profile of a handle with none registered. Handles are made only by the registry and
/// the built-in constants, whose profiles are registered at start; this keeps the lookup total.
fn placeholder() -> &'static Profile {
    static UNKNOWN: OnceLock<Profile> = OnceLock::new();
    UNKNOWN.get_or_init(|| Profile::placeholder("unknown"))
}

/// Built-in profiles that failed to load (empty in a correct build).
pub(crate) fn builtin_problems() -> Vec<ProfileError> {
    read().problems.clone()
}

/// Adds a user profile to the registry (its memory lives as long as the process), and returns
/// its handle.
///
/// # Errors
///
/// [`ProfileError`] when a vendor of that name or alias is already in use.
pub(crate) fn register(profile: Profile, file: &str) -> Result<Vendor, ProfileError> {
    update(|r| register_in(r, profile, file))
}

fn register_in(r: &mut Registry, profile: Profile, file: &str) -> Result<Vendor, ProfileError> {
    let clash = |name: &str| {
        r.entries.iter().filter(|e| e.active).any(|e| {
            e.profile.name.eq_ignore_ascii_case(name)
                || e.profile
                    .aliases
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(name))
        })
    };
    if let Some(name) = std::iter::once(&profile.name)
        .chain(&profile.aliases)
        .find(|n| clash(n))
    {
        return Err(ProfileError {
            file: file.to_owned(),
            pointer: crate::JsonPointer::root().push("name"),
            message: format!("a vendor named {name:?} is already in the catalog"),
        });
    }
    // A profile of a name seen before but set aside (a built-in vendor under --no-builtin)
    // replaces it in place, so that the handle keeps one meaning.
    let profile: &'static Profile = Box::leak(Box::new(profile));
    let vendor = Vendor(profile.name.as_str());
    match r
        .entries
        .iter_mut()
        .find(|e| e.profile.name == profile.name)
    {
        Some(e) => {
            e.profile = profile;
            e.active = true;
        }
        None => r.entries.push(Registered {
            profile,
            builtin: false,
            active: true,
        }),
    }
    Ok(vendor)
}

/// Sets the built-in vendors aside (`--no-builtin`).
pub(crate) fn retire_builtin() {
    let _ = update(|r| {
        for e in r.entries.iter_mut().filter(|e| e.builtin) {
            e.active = false;
        }
        Ok(())
    });
}

/// A vendor name that hookcheck does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownVendor(pub String);

impl UnknownVendor {
    /// The known vendor whose name is nearest to the one given (at most 2 edits away, case
    /// ignored), if any.
    #[must_use]
    pub fn suggestion(&self) -> Option<Vendor> {
        if self.0.len() > 32 {
            return None;
        }
        let given = self.0.to_lowercase();
        Vendor::all()
            .into_iter()
            .map(|v| (strsim::levenshtein(&given, v.as_str()), v))
            .filter(|(d, _)| *d <= 2)
            .min_by_key(|(d, _)| *d)
            .map(|(_, v)| v)
    }
}

impl fmt::Display for UnknownVendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown vendor {:?} (", self.0)?;
        if let Some(v) = self.suggestion() {
            write!(f, "did you mean {:?}? ", v.as_str())?;
        }
        let names: Vec<&str> = Vendor::all().into_iter().map(Vendor::as_str).collect();
        write!(f, "known: {})", names.join(", "))
    }
}

impl std::error::Error for UnknownVendor {}

impl FromStr for Vendor {
    type Err = UnknownVendor;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let r = read();
        r.entries
            .iter()
            .filter(|e| e.active)
            .find(|e| {
                e.profile.name.eq_ignore_ascii_case(s)
                    || e.profile.aliases.iter().any(|a| a.eq_ignore_ascii_case(s))
            })
            .map(|e| Vendor(e.profile.name.as_str()))
            .ok_or_else(|| UnknownVendor(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for v in Vendor::builtin() {
            assert_eq!(v.as_str().parse::<Vendor>(), Ok(v));
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
            assert_eq!(v.profile().name, v.as_str());
        }
        assert_eq!("GetMailer".parse::<Vendor>(), Ok(Vendor::GETMAILER));
        assert_eq!("msndr.net".parse::<Vendor>(), Ok(Vendor::MSNDR));
        assert_eq!(
            "mailgun".parse::<Vendor>().unwrap_err().to_string(),
            r#"unknown vendor "mailgun" (known: postal, msndr, getmailer, resend)"#
        );
        assert_eq!(
            "Postl".parse::<Vendor>().unwrap_err().to_string(),
            r#"unknown vendor "Postl" (did you mean "postal"? known: postal, msndr, getmailer, resend)"#
        );
    }

    #[test]
    fn a_new_snapshot_is_what_every_thread_reads_next() {
        let before: *const Registry = read();
        update(|_| Ok(())).unwrap();
        let after: *const Registry = read();
        assert_ne!(before, after);
        let other = std::thread::spawn(|| read() as *const Registry as usize)
            .join()
            .unwrap();
        assert_eq!(other, after as usize);
        assert_eq!(Vendor::builtin().len(), 4);
    }

    #[test]
    fn vendors_order_as_the_catalog_lists_them() {
        assert_eq!(
            Vendor::builtin(),
            vec![
                Vendor::POSTAL,
                Vendor::MSNDR,
                Vendor::GETMAILER,
                Vendor::RESEND
            ]
        );
        assert!(Vendor::POSTAL < Vendor::MSNDR && Vendor::MSNDR < Vendor::GETMAILER);
        assert!(Vendor::GETMAILER < Vendor::RESEND);
        assert!(builtin_problems().is_empty());
    }
}
