//! The event catalog: one JSON Schema per documented webhook event, embedded in the binary.
//!
//! Schemas live as data in `schemas/<vendor>/<event>.json`, with shared parts in
//! `schemas/<vendor>/_defs.json`, next to the vendor's [`Profile`] (`vendor.json`); `build.rs`
//! embeds every file of the vendors `schemas/vendors.txt` lists. A [`Vendor`] is a handle on a
//! profile in a process-wide registry. [`Catalog::load_dir`] (`--catalog DIR`) adds a user's
//! vendors from a directory laid out the same way and makes the result the catalog in use,
//! [`Catalog::active`]. An [`Entry`] is one event (or,
//! for msndr, one body of its webhook configuration API); its validator is compiled on first use
//! and kept. [`Catalog::detect`] matches a payload to its entry by the vendor's envelope.
//!
//! # Example
//!
//! ```
//! use hookcheck::catalog::{Catalog, Vendor};
//! use serde_json::json;
//!
//! let catalog = Catalog::builtin();
//! let entry = catalog.get(Vendor::MSNDR, "clicked")?;
//! assert_eq!(entry.key(), "msndr/clicked");
//! let payload = json!({"message": {"id": 1},
//!     "event": {"name": "clicked", "timestamp": 1539062173, "data": {"url": "https://example.com"}}});
//! assert_eq!(catalog.detect(&payload, None)?.key(), "msndr/clicked");
//! assert!(entry.validator()?.is_valid(&payload));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod bundle;
pub mod detect;
mod embedded;
pub mod profile;
mod vendor;

use std::{
    fmt,
    path::{Path, PathBuf},
    sync::OnceLock,
};

use serde::Serialize;
use serde_json::Value;

pub use detect::DetectError;
pub use profile::{Profile, ProfileError};
pub use vendor::{UnknownVendor, Vendor};

use crate::generate::{GenError, GenOptions, Generator};
use crate::validate::{Resources, SchemaError, Validator};

/// The base of every catalog schema `$id`: `https://hookcheck.dev/schemas/<vendor>/<file>`.
pub const ID_BASE: &str = "https://hookcheck.dev/schemas/";

/// What a catalog entry describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A webhook event body, as the vendor POSTs it.
    Webhook,
    /// A request or response body of the vendor's webhook configuration API.
    ApiBody,
}

/// Problems with the catalog itself or with a lookup in it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CatalogError {
    /// No entry of that name for the vendor.
    UnknownEvent {
        /// The vendor asked for.
        vendor: Vendor,
        /// The name asked for.
        event: String,
        /// A close match (the same name in another case, or the nearest by edit distance), if
        /// any.
        suggestion: Option<String>,
    },
    /// A bare event name (no `vendor/`) that no vendor documents.
    UnknownName {
        /// The name asked for.
        event: String,
        /// The `vendor/event` key of a close match, if any.
        suggestion: Option<String>,
    },
    /// A bare event name that more than one vendor documents: say which with `vendor/event`.
    Ambiguous {
        /// The name asked for.
        event: String,
        /// The `vendor/event` key of every entry of that name.
        keys: Vec<String>,
    },
    /// A catalog key that is not `vendor/event` (an empty one).
    BadKey {
        /// The text given.
        key: String,
    },
    /// An unknown vendor name.
    UnknownVendor(UnknownVendor),
    /// A schema file that is not JSON.
    BadSchemaFile {
        /// `vendor/file`.
        file: String,
        /// The parser's message.
        message: String,
    },
    /// A schema that does not compile.
    Schema(SchemaError),
    /// A vendor profile that cannot be used.
    Profile(ProfileError),
    /// A schema file of a user catalog that does not compile.
    SchemaFile {
        /// The file's path.
        file: String,
        /// Where in the file.
        pointer: crate::JsonPointer,
        /// What is wrong.
        message: String,
    },
    /// A user catalog given after another one was already in use.
    AlreadyLoaded,
    /// A schema directory that could not be read.
    Io {
        /// The path.
        path: PathBuf,
        /// The OS message.
        message: String,
    },
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CatalogError::UnknownEvent {
                vendor,
                event,
                suggestion,
            } => {
                write!(f, "{vendor} has no documented event {event:?}")?;
                match suggestion {
                    Some(s) => write!(f, " (did you mean {s:?}?)"),
                    None => write!(f, " (see `hookcheck list --vendor {vendor}`)"),
                }
            }
            CatalogError::UnknownName { event, suggestion } => {
                write!(f, "no vendor documents an event {event:?}")?;
                match suggestion {
                    Some(s) => write!(f, " (did you mean {s:?}?)"),
                    None => write!(f, " (see `hookcheck list`)"),
                }
            }
            CatalogError::Ambiguous { event, keys } => {
                write!(
                    f,
                    "{event:?} is ambiguous: {}; give one as VENDOR/EVENT",
                    keys.join(", ")
                )
            }
            CatalogError::BadKey { key } => {
                write!(
                    f,
                    "{key:?} is not of the form VENDOR/EVENT (e.g. postal/MessageSent)"
                )
            }
            CatalogError::UnknownVendor(e) => e.fmt(f),
            CatalogError::BadSchemaFile { file, message } => {
                write!(f, "schema file {file} is not JSON: {message}")
            }
            CatalogError::Schema(e) => e.fmt(f),
            CatalogError::Profile(e) => e.fmt(f),
            CatalogError::SchemaFile {
                file,
                pointer,
                message,
            } => write!(f, "{file}:{pointer}: {message}"),
            CatalogError::AlreadyLoaded => {
                f.write_str("a catalog directory is already in use in this process")
            }
            CatalogError::Io { path, message } => write!(f, "{}: {message}", path.display()),
        }
    }
}

impl std::error::Error for CatalogError {}

impl From<ProfileError> for CatalogError {
    fn from(e: ProfileError) -> Self {
        CatalogError::Profile(e)
    }
}

impl From<UnknownVendor> for CatalogError {
    fn from(e: UnknownVendor) -> Self {
        CatalogError::UnknownVendor(e)
    }
}

/// One event schema (or API body schema) of one vendor.
#[derive(Debug)]
pub struct Entry {
    vendor: Vendor,
    event: String,
    kind: EntryKind,
    id: String,
    title: String,
    description: String,
    source: String,
    schema: Value,
    resources: Resources,
    validator: OnceLock<Result<Validator, SchemaError>>,
}

impl Entry {
    /// The vendor.
    #[must_use]
    pub fn vendor(&self) -> Vendor {
        self.vendor
    }

    /// The event name exactly as it appears on the wire (`MessageSent`, `clicked`,
    /// `email.sent`), or the API body name (`api.webhook.post.request`).
    #[must_use]
    pub fn event(&self) -> &str {
        &self.event
    }

    /// `vendor/event`, e.g. `postal/MessageSent`.
    #[must_use]
    pub fn key(&self) -> String {
        format!("{}/{}", self.vendor, self.event)
    }

    /// Webhook event or API body.
    #[must_use]
    pub fn kind(&self) -> EntryKind {
        self.kind
    }

    /// The schema's `$id`.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The schema's `title`.
    #[must_use]
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The schema's `description`.
    #[must_use]
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The schema as parsed JSON.
    #[must_use]
    pub fn schema(&self) -> &Value {
        &self.schema
    }

    /// The schema file's text, byte for byte.
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every schema document of the catalog, by `$id`, for resolving this schema's `$ref`s.
    #[must_use]
    pub fn resources(&self) -> &Resources {
        &self.resources
    }

    /// A [`Generator`] of this entry's payloads, with every catalog document available to its
    /// `$ref`s. The documents are handed over sorted by URI, so that a seed means the same
    /// values in every process.
    ///
    /// # Errors
    ///
    /// [`GenError`] when the schema uses something the generator cannot satisfy.
    ///
    /// # Example
    ///
    /// ```
    /// use hookcheck::catalog::Catalog;
    /// use hookcheck::generate::GenOptions;
    ///
    /// let entry = Catalog::builtin().lookup("getmailer/email.sent")?;
    /// let payload = entry.generator(GenOptions::default())?.generate(7, 0)?;
    /// assert!(entry.validator()?.is_valid(&payload));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn generator(&self, options: GenOptions) -> Result<Generator, GenError> {
        let resources = self.resources.sorted();
        // The entry's schema is compiled once, for validation and generation alike.
        match self.validator() {
            Ok(v) => Generator::with_validator(&self.schema, &resources, options, v.clone()),
            Err(_) => Generator::new(&self.schema, &resources, options),
        }
    }

    /// The compiled validator (compiled on first call, then reused).
    ///
    /// # Errors
    ///
    /// [`CatalogError::Schema`] if the schema does not compile.
    pub fn validator(&self) -> Result<&Validator, CatalogError> {
        self.validator
            .get_or_init(|| Validator::compile(&self.schema, self.resources.clone()))
            .as_ref()
            .map_err(|e| CatalogError::Schema(e.clone()))
    }
}

/// All entries, looked up by vendor and event.
#[derive(Debug)]
pub struct Catalog {
    entries: Vec<Entry>,
}

impl Catalog {
    /// The catalog compiled into this binary.
    ///
    /// Its files are checked by the crate's tests; should one fail to parse anyway it is left
    /// out and reported by [`Catalog::builtin_problems`], never by a panic.
    #[must_use]
    pub fn builtin() -> &'static Catalog {
        &builtin().0
    }

    /// The version of the catalog compiled into this binary: `sha256:` and the first 16 hex
    /// digits of the SHA-256 over every embedded schema file's vendor, name and text. Two
    /// builds with the same schemas have the same version, whatever else changed.
    #[must_use]
    pub fn builtin_version() -> &'static str {
        use sha2::Digest as _;
        static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        VERSION.get_or_init(|| {
            let mut digest = sha2::Sha256::new();
            for f in embedded::PROFILES.iter().chain(embedded::FILES) {
                for part in [f.vendor, f.file, f.source] {
                    digest.update(part.len().to_le_bytes());
                    digest.update(part.as_bytes());
                }
            }
            format!("sha256:{}", &hex::encode(digest.finalize())[..16])
        })
    }

    /// The version of this catalog: [`Catalog::builtin_version`] for the built-in one, else
    /// `sha256:` and the first 16 hex digits of the SHA-256 over every vendor profile and every
    /// entry's vendor, name and schema text.
    #[must_use]
    pub fn version(&self) -> String {
        use sha2::Digest as _;
        if std::ptr::eq(self, Catalog::builtin()) {
            return Catalog::builtin_version().to_owned();
        }
        let mut digest = sha2::Sha256::new();
        let mut vendors: Vec<Vendor> = self.entries.iter().map(Entry::vendor).collect();
        vendors.dedup();
        for v in vendors {
            let profile = serde_json::to_string(v.profile()).unwrap_or_default();
            for part in [v.as_str(), profile.as_str()] {
                digest.update(part.len().to_le_bytes());
                digest.update(part.as_bytes());
            }
        }
        for e in &self.entries {
            for part in [e.vendor.as_str(), e.event.as_str(), e.source.as_str()] {
                digest.update(part.len().to_le_bytes());
                digest.update(part.as_bytes());
            }
        }
        format!("sha256:{}", &hex::encode(digest.finalize())[..16])
    }

    /// Embedded schema files and profiles that could not be loaded (empty in a correct build).
    #[must_use]
    pub fn builtin_problems() -> &'static [CatalogError] {
        &builtin().1
    }

    /// The catalog in use: the one [`Catalog::load_dir`] installed, else the built-in one.
    /// Every subcommand and library function that reads "the catalog" reads this one.
    #[must_use]
    pub fn active() -> &'static Catalog {
        ACTIVE.get().copied().unwrap_or_else(Catalog::builtin)
    }

    /// Loads a user catalog directory (laid out like `schemas/`: `<vendor>/vendor.json` and
    /// `<vendor>/<event>.json`) and makes it the catalog in use for the rest of the process,
    /// next to the built-in vendors or, with `with_builtin` false, instead of them. This is
    /// what `--catalog DIR` (and `--no-builtin`) do; fuzz targets call it too.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Profile`] for a bad or clashing profile, [`CatalogError::BadSchemaFile`]
    /// or [`CatalogError::Schema`] for a bad schema (each naming the file and pointer),
    /// [`CatalogError::Io`] for an unreadable directory, [`CatalogError::AlreadyLoaded`] when a
    /// catalog was loaded before.
    pub fn load_dir(dir: &Path, with_builtin: bool) -> Result<&'static Catalog, CatalogError> {
        if ACTIVE.get().is_some() {
            return Err(CatalogError::AlreadyLoaded);
        }
        if !with_builtin {
            vendor::retire_builtin();
        }
        let mut files = match with_builtin {
            true => builtin_files(),
            false => Vec::new(),
        };
        files.extend(read_dir_files(dir)?);
        let (catalog, mut problems) = Self::from_files(files);
        if !problems.is_empty() {
            return Err(problems.swap_remove(0));
        }
        for entry in &catalog.entries {
            if let Err(e) = entry.validator() {
                return Err(schema_file_error(dir, entry, e));
            }
        }
        let catalog: &'static Catalog = Box::leak(Box::new(catalog));
        ACTIVE
            .set(catalog)
            .map_err(|_| CatalogError::AlreadyLoaded)?;
        Ok(catalog)
    }

    /// Loads the `webhooks` of an OpenAPI 3.1 document (JSON or YAML, see [`crate::openapi`]) as
    /// the catalog in use, next to the built-in vendors or instead of them: what `--catalog
    /// FILE` does. Each vendor of the document becomes a profile: its event-name pointer (from
    /// `options`, `x-hookcheck`, or inferred), its envelope when `x-hookcheck` gives it (else:
    /// a body with its event name at that pointer) and its signature scheme; each webhook's
    /// body schema becomes an event.
    ///
    /// # Errors
    ///
    /// [`CatalogError::SchemaFile`] for a document that cannot be imported (file and pointer),
    /// [`CatalogError::Profile`] for a vendor that clashes with one in use (a built-in vendor
    /// without `with_builtin` false), [`CatalogError::AlreadyLoaded`] when a catalog was loaded
    /// before.
    pub fn load_openapi(
        path: &Path,
        options: &crate::openapi::ImportOptions,
        with_builtin: bool,
    ) -> Result<&'static Catalog, CatalogError> {
        if ACTIVE.get().is_some() {
            return Err(CatalogError::AlreadyLoaded);
        }
        let label = path.display().to_string();
        let imported =
            crate::openapi::read(path, options).map_err(|e| CatalogError::SchemaFile {
                file: e.file.unwrap_or_else(|| label.clone()),
                pointer: e.pointer,
                message: e.message,
            })?;
        if !with_builtin {
            vendor::retire_builtin();
        }
        let mut files = match with_builtin {
            true => builtin_files(),
            false => Vec::new(),
        };
        for v in imported {
            let pointer = v.event_pointer.to_string();
            let envelope = v.envelope.clone().unwrap_or_else(|| {
                serde_json::json!({
                    "summary": format!("a body with its event name at {pointer}"),
                    "present": [pointer],
                })
            });
            let signatures: Vec<Value> = v
                .signature
                .iter()
                .map(|s| serde_json::json!({"scheme": s.scheme, "headers": s.headers}))
                .collect();
            let profile = serde_json::json!({
                "name": v.name,
                "display_name": v.name,
                "description": format!("Imported from the OpenAPI document {label}."),
                "envelope": envelope,
                "event_name": pointer,
                "signatures": signatures,
            });
            let file = format!("{label} (x-hookcheck vendor {})", v.name);
            let profile = Profile::parse(&file, &profile.to_string(), Some(&v.name))?;
            let vendor = vendor::register(profile, &file)?;
            for event in v.events {
                files.push((
                    vendor,
                    format!("{}.json", event.name),
                    event.schema.to_string(),
                ));
            }
        }
        let (catalog, mut problems) = Self::from_files(files);
        if !problems.is_empty() {
            return Err(problems.swap_remove(0));
        }
        for entry in &catalog.entries {
            if let Err(e) = entry.validator() {
                return Err(schema_file_error(path, entry, e));
            }
        }
        let catalog: &'static Catalog = Box::leak(Box::new(catalog));
        ACTIVE
            .set(catalog)
            .map_err(|_| CatalogError::AlreadyLoaded)?;
        Ok(catalog)
    }

    /// Loads a catalog from a directory laid out like `schemas/` (`<vendor>/vendor.json` and
    /// `<vendor>/<event>.json`), for checking schema changes before they are built in. Profiles
    /// of vendors not yet known are registered; a built-in vendor's directory must hold the
    /// built-in profile. This catalog is not put in use (see [`Catalog::load_dir`]).
    ///
    /// # Errors
    ///
    /// [`CatalogError::Io`] if a directory cannot be read, [`CatalogError::Profile`] for a bad
    /// profile, [`CatalogError::BadSchemaFile`] for a file that is not JSON.
    pub fn from_dir(dir: &Path) -> Result<Catalog, CatalogError> {
        let (catalog, mut problems) = Self::from_files(read_dir_files(dir)?);
        match problems.is_empty() {
            true => Ok(catalog),
            false => Err(problems.swap_remove(0)),
        }
    }

    fn from_files(files: Vec<(Vendor, String, String)>) -> (Catalog, Vec<CatalogError>) {
        let mut problems = Vec::new();
        let mut parsed = Vec::new();
        for (vendor, file, text) in files {
            if file == PROFILE_FILE {
                continue;
            }
            match serde_json::from_str::<Value>(&text) {
                Ok(doc) => parsed.push((vendor, file, text, doc)),
                Err(e) => problems.push(CatalogError::BadSchemaFile {
                    file: format!("{vendor}/{file}"),
                    message: e.to_string(),
                }),
            }
        }
        let resources = Resources::new(parsed.iter().map(|(vendor, file, _, doc)| {
            let id = doc
                .get("$id")
                .and_then(Value::as_str)
                .map_or_else(|| format!("{ID_BASE}{vendor}/{file}"), str::to_owned);
            (id, doc.clone())
        }));
        let mut entries = Vec::new();
        for (vendor, file, source, schema) in parsed {
            if file.starts_with('_') {
                continue;
            }
            let event = file.trim_end_matches(".json").to_owned();
            let text = |k: &str| {
                schema
                    .get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            let id = match text("$id") {
                id if id.is_empty() => format!("{ID_BASE}{vendor}/{file}"),
                id => id,
            };
            entries.push(Entry {
                vendor,
                kind: if event.starts_with("api.") {
                    EntryKind::ApiBody
                } else {
                    EntryKind::Webhook
                },
                id,
                title: text("title"),
                description: text("description"),
                event,
                source,
                schema,
                resources: resources.clone(),
                validator: OnceLock::new(),
            });
        }
        (Catalog { entries }, problems)
    }

    /// Every entry: vendor by vendor (in `schemas/vendors.txt` order, then user vendors), then by file name.
    #[must_use]
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entries of one vendor.
    pub fn vendor_entries(&self, vendor: Vendor) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(move |e| e.vendor == vendor)
    }

    /// The entry for `vendor` and `event` (the exact wire name).
    ///
    /// # Errors
    ///
    /// [`CatalogError::UnknownEvent`], with a suggestion when a name of the vendor differs
    /// only in case or is a few edits away ([`suggest`]).
    pub fn get(&self, vendor: Vendor, event: &str) -> Result<&Entry, CatalogError> {
        self.vendor_entries(vendor)
            .find(|e| e.event == event)
            .ok_or_else(|| CatalogError::UnknownEvent {
                vendor,
                event: event.to_owned(),
                suggestion: suggest(event, self.vendor_entries(vendor)).map(|e| e.event.clone()),
            })
    }

    /// The entry for a `vendor/event` key such as `postal/MessageSent`, or for a bare event
    /// name (`MessageSent`) that exactly one vendor documents. Every subcommand that takes an
    /// event reads it with this.
    ///
    /// # Errors
    ///
    /// [`CatalogError::UnknownVendor`] or [`CatalogError::UnknownEvent`] for a key,
    /// [`CatalogError::UnknownName`] or [`CatalogError::Ambiguous`] for a bare name (each with
    /// what to type instead), [`CatalogError::BadKey`] for an empty one.
    ///
    /// # Example
    ///
    /// ```
    /// use hookcheck::catalog::{Catalog, CatalogError};
    ///
    /// let catalog = Catalog::builtin();
    /// assert_eq!(catalog.lookup("MessageSent")?.key(), "postal/MessageSent");
    /// assert_eq!(catalog.lookup("msndr/clicked")?.key(), "msndr/clicked");
    /// let e = catalog.lookup("MesageSent").unwrap_err();
    /// assert_eq!(e.to_string(), r#"no vendor documents an event "MesageSent" (did you mean "postal/MessageSent"?)"#);
    /// # Ok::<(), CatalogError>(())
    /// ```
    pub fn lookup(&self, key: &str) -> Result<&Entry, CatalogError> {
        if key.is_empty() {
            return Err(CatalogError::BadKey {
                key: key.to_owned(),
            });
        }
        if let Some((vendor, event)) = key.split_once('/') {
            return self.get(vendor.parse()?, event);
        }
        let mut named = self.entries.iter().filter(|e| e.event == key);
        match (named.next(), named.next()) {
            (Some(one), None) => Ok(one),
            (Some(a), Some(b)) => Err(CatalogError::Ambiguous {
                event: key.to_owned(),
                keys: [a, b].into_iter().chain(named).map(Entry::key).collect(),
            }),
            (None, _) => Err(CatalogError::UnknownName {
                event: key.to_owned(),
                suggestion: suggest(key, self.entries.iter()).map(Entry::key),
            }),
        }
    }

    /// The webhook entry a payload belongs to, found from its envelope (see [`detect`]).
    ///
    /// # Errors
    ///
    /// [`DetectError`] when the payload has no known envelope or names an unknown event.
    pub fn detect(&self, payload: &Value, only: Option<Vendor>) -> Result<&Entry, DetectError> {
        let (vendor, event, pointer) = detect::envelope(payload, only)?;
        self.vendor_entries(vendor)
            .find(|e| e.kind == EntryKind::Webhook && e.event == event)
            .ok_or_else(|| DetectError::UnknownEvent {
                vendor,
                event: event.to_owned(),
                pointer,
            })
    }
}

/// Names longer than this get no suggestion (bounding the cost of the comparison).
const SUGGEST_MAX_LEN: usize = 128;

/// The entry whose event name is closest to `wanted`: the same name in another case, else the
/// nearest by Levenshtein distance (case ignored) if at most a third of the name's length (at
/// least 1) away. Ties go to the first in catalog order.
pub fn suggest<'c>(wanted: &str, entries: impl Iterator<Item = &'c Entry>) -> Option<&'c Entry> {
    if wanted.len() > SUGGEST_MAX_LEN {
        return None;
    }
    let wanted = wanted.to_lowercase();
    let within = (wanted.chars().count() / 3).max(1);
    let mut best: Option<(usize, &Entry)> = None;
    for entry in entries {
        let distance = strsim::levenshtein(&wanted, &entry.event.to_lowercase());
        if distance == 0 {
            return Some(entry);
        }
        if distance <= within && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, entry));
        }
    }
    best.map(|(_, e)| e)
}

/// A user schema that does not compile, named by its file and located by a pointer into it
/// (the meta-schema's verdict, when it has one).
fn schema_file_error(dir: &Path, entry: &Entry, e: CatalogError) -> CatalogError {
    let CatalogError::Schema(schema) = e else {
        return e;
    };
    let pointer = jsonschema::meta::validate(entry.schema())
        .err()
        .and_then(|m| crate::JsonPointer::parse(m.instance_path().as_str()).ok())
        .unwrap_or(schema.pointer);
    CatalogError::SchemaFile {
        file: dir
            .join(entry.vendor().as_str())
            .join(format!("{}.json", entry.event()))
            .display()
            .to_string(),
        pointer,
        message: schema.message,
    }
}

/// The profile's file name in a vendor directory.
const PROFILE_FILE: &str = "vendor.json";

/// The catalog [`Catalog::load_dir`] put in use.
static ACTIVE: OnceLock<&'static Catalog> = OnceLock::new();

fn builtin() -> &'static (Catalog, Vec<CatalogError>) {
    static BUILTIN: OnceLock<(Catalog, Vec<CatalogError>)> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        let mut problems: Vec<CatalogError> = vendor::builtin_problems()
            .into_iter()
            .map(CatalogError::Profile)
            .collect();
        let (catalog, more) = Catalog::from_files(builtin_files());
        problems.extend(more);
        (catalog, problems)
    })
}

/// The embedded schema files, with their vendors.
fn builtin_files() -> Vec<(Vendor, String, String)> {
    let vendors = Vendor::builtin();
    embedded::FILES
        .iter()
        .filter_map(|f| {
            let v = vendors.iter().find(|v| v.as_str() == f.vendor)?;
            Some((*v, f.file.to_owned(), f.source.to_owned()))
        })
        .collect()
}

/// The vendor directories under `dir`: in the order of its `vendors.txt` when it has one, else
/// by name.
fn vendor_dirs(dir: &Path) -> Result<Vec<PathBuf>, CatalogError> {
    let io = |path: &Path, e: std::io::Error| CatalogError::Io {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let order = dir.join("vendors.txt");
    if order.is_file() {
        let text = std::fs::read_to_string(&order).map_err(|e| io(&order, e))?;
        return Ok(text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| dir.join(l))
            .collect());
    }
    let mut dirs = Vec::new();
    for item in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
        let path = item.map_err(|e| io(dir, e))?.path();
        if path.is_dir() {
            dirs.push(path);
        }
    }
    dirs.sort();
    Ok(dirs)
}

/// Reads every vendor directory of `dir`: its profile (registered when new) and its schema
/// files.
fn read_dir_files(dir: &Path) -> Result<Vec<(Vendor, String, String)>, CatalogError> {
    let mut files = Vec::new();
    for vdir in vendor_dirs(dir)? {
        let io = |path: &Path, e: std::io::Error| CatalogError::Io {
            path: path.to_owned(),
            message: e.to_string(),
        };
        let profile_path = vdir.join(PROFILE_FILE);
        let label = profile_path.display().to_string();
        let text = match std::fs::read_to_string(&profile_path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(CatalogError::Profile(ProfileError {
                    file: label,
                    pointer: crate::JsonPointer::root(),
                    message: "a vendor directory needs a vendor.json profile (see docs/custom-vendors.md)".into(),
                }));
            }
            Err(e) => return Err(io(&profile_path, e)),
        };
        let dir_name = vdir.file_name().and_then(|n| n.to_str());
        let profile = Profile::parse(&label, &text, dir_name)?;
        let vendor = match profile.name.parse::<Vendor>() {
            Ok(known) if *known.profile() == profile => known,
            _ => vendor::register(profile, &label)?,
        };
        let mut names = Vec::new();
        for item in std::fs::read_dir(&vdir).map_err(|e| io(&vdir, e))? {
            let path = item.map_err(|e| io(&vdir, e))?.path();
            if path.is_file() && path.extension().is_some_and(|e| e == "json") {
                names.push(path);
            }
        }
        names.sort();
        for path in names {
            let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
            let file = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            files.push((vendor, file, text));
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tiny() -> Catalog {
        let defs = json!({"$id": "https://hookcheck.dev/schemas/msndr/_defs.json",
            "$defs": {"id": {"type": "integer", "minimum": 1}}});
        let ev = json!({"$id": "https://hookcheck.dev/schemas/msndr/opened.json", "title": "opened",
            "type": "object", "properties": {"message": {"properties": {"id": {"$ref": "_defs.json#/$defs/id"}}}}});
        let api = json!({"title": "api", "required": ["url"]});
        let (c, problems) = Catalog::from_files(vec![
            (Vendor::MSNDR, "_defs.json".into(), defs.to_string()),
            (
                Vendor::MSNDR,
                "api.webhook.get.response.json".into(),
                api.to_string(),
            ),
            (Vendor::MSNDR, "opened.json".into(), ev.to_string()),
            (Vendor::MSNDR, "broken.json".into(), "{".into()),
        ]);
        assert_eq!(problems.len(), 1);
        c
    }

    #[test]
    fn lookup_by_key_and_suggestions() {
        let c = tiny();
        assert_eq!(c.lookup("msndr/opened").unwrap().event(), "opened");
        assert_eq!(
            c.lookup("msndr/api.webhook.get.response").unwrap().kind(),
            EntryKind::ApiBody
        );
        match c.lookup("msndr/Opened").unwrap_err() {
            CatalogError::UnknownEvent { suggestion, .. } => {
                assert_eq!(suggestion.as_deref(), Some("opened"));
            }
            e => panic!("unexpected {e}"),
        }
        match c.lookup("msndr/opend").unwrap_err() {
            CatalogError::UnknownEvent { suggestion, .. } => {
                assert_eq!(suggestion.as_deref(), Some("opened"));
            }
            e => panic!("unexpected {e}"),
        }
        match c.lookup("msndr/bounced").unwrap_err() {
            CatalogError::UnknownEvent { suggestion, .. } => assert_eq!(suggestion, None),
            e => panic!("unexpected {e}"),
        }
        assert_eq!(c.lookup("opened").unwrap().key(), "msndr/opened");
        assert_eq!(
            c.lookup("Opend").unwrap_err().to_string(),
            r#"no vendor documents an event "Opend" (did you mean "msndr/opened"?)"#
        );
        assert!(matches!(c.lookup(""), Err(CatalogError::BadKey { .. })));
        assert!(matches!(
            c.lookup("sendgrid/opened"),
            Err(CatalogError::UnknownVendor(_))
        ));
    }

    #[test]
    fn a_bare_name_of_two_vendors_is_ambiguous() {
        let ev = json!({"type": "object"}).to_string();
        let (c, problems) = Catalog::from_files(vec![
            (Vendor::POSTAL, "opened.json".into(), ev.clone()),
            (Vendor::MSNDR, "opened.json".into(), ev),
        ]);
        assert!(problems.is_empty());
        assert_eq!(
            c.lookup("opened").unwrap_err().to_string(),
            r#""opened" is ambiguous: postal/opened, msndr/opened; give one as VENDOR/EVENT"#
        );
        assert_eq!(c.lookup("postal/opened").unwrap().key(), "postal/opened");
    }

    #[test]
    fn suggestions_take_the_nearest_name_and_ignore_far_or_huge_ones() {
        let c = Catalog::builtin();
        let key = |name: &str| suggest(name, c.entries().iter()).map(Entry::key);
        assert_eq!(key("MESSAGESENT").as_deref(), Some("postal/MessageSent"));
        assert_eq!(
            key("MessageBounce").as_deref(),
            Some("postal/MessageBounced")
        );
        assert_eq!(
            key("email.clikced").as_deref(),
            Some("getmailer/email.clicked")
        );
        assert_eq!(key("hard-bounced").as_deref(), Some("msndr/hard_bounced"));
        assert_eq!(key("teleported"), None);
        assert_eq!(key(&"MessageSent".repeat(20)), None);
    }

    #[test]
    fn each_schema_is_compiled_once_for_validation_and_generation() {
        for entry in Catalog::builtin().entries() {
            let validator = entry.validator().unwrap();
            let generator = entry.generator(GenOptions::default()).unwrap();
            assert!(
                generator.validator().same_as(validator),
                "{}: compiled twice",
                entry.key()
            );
        }
    }

    #[test]
    fn validators_resolve_shared_defs() {
        let c = tiny();
        let v = c.lookup("msndr/opened").unwrap().validator().unwrap();
        assert!(v.is_valid(&json!({"message": {"id": 2}})));
        assert_eq!(
            v.violations(&json!({"message": {"id": 0}}))[0].keyword,
            "minimum"
        );
    }

    #[test]
    fn detection_ignores_api_bodies_and_names_unknown_events() {
        let c = tiny();
        let p = json!({"message": {"id": 1}, "event": {"name": "bogus"}});
        assert!(matches!(
            c.detect(&p, None),
            Err(DetectError::UnknownEvent { ref event, .. }) if event == "bogus"
        ));
    }
}
