//! `hookcheck export openapi` and `openapi::import`: the export validates as OpenAPI 3.1
//! against the OpenAPI Initiative's own schema (with the schema-base dialect, which also checks
//! every Schema Object), and importing it gives back the catalog's vendors, events, pointers,
//! signature schemes and examples, with schemas that judge every example and negative alike.

use std::{fs, path::Path};

use assert_cmd::Command;
use hookcheck::catalog::{Catalog, EntryKind, Vendor};
use hookcheck::generate::{GenOptions, Generator};
use hookcheck::openapi::{self, ImportOptions, ImportedVendor, PointerOrigin};
use hookcheck::parser::event_name_pointer;
use hookcheck::validate::{Resources, Validator, build};
use serde_json::{Value, json};

use crate::support::cases;

const SCHEMA_BASE: &str = "https://spec.openapis.org/oas/3.1/schema-base/2022-10-07";

/// The OAS 3.1 schema-base validator, every document it needs from `tests/fixtures/oas-3.1`.
fn oas_validator() -> jsonschema::Validator {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/oas-3.1");
    let docs: Vec<(String, Value)> = [
        "schema.json",
        "schema-base.json",
        "dialect-base.json",
        "meta-base.json",
    ]
    .into_iter()
    .map(|f| {
        let doc: Value = serde_json::from_str(&fs::read_to_string(dir.join(f)).unwrap()).unwrap();
        (doc["$id"].as_str().unwrap().to_owned(), doc)
    })
    .collect();
    let base = docs
        .iter()
        .find(|(id, _)| id == SCHEMA_BASE)
        .unwrap()
        .1
        .clone();
    build(&base, &Resources::new(docs), None).unwrap()
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .take(10)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn the_export_validates_as_openapi_3_1_and_broken_ones_do_not() {
    let oas = oas_validator();
    let doc = openapi::export(Catalog::builtin(), None).unwrap();
    assert_eq!(errors(&oas, &doc), Vec::<String>::new());
    let webhooks = Catalog::builtin()
        .entries()
        .iter()
        .filter(|e| e.kind() == EntryKind::Webhook)
        .count();
    assert_eq!(doc["webhooks"].as_object().unwrap().len(), webhooks);
    // The validator does look: at the document, at operations and (through the dialect) at
    // every schema.
    let mut no_info = doc.clone();
    no_info.as_object_mut().unwrap().remove("info");
    assert!(!oas.is_valid(&no_info));
    let mut bad_param = doc.clone();
    bad_param["webhooks"]["postal/MessageSent"]["post"]["parameters"][0]["in"] = json!("body");
    assert!(!oas.is_valid(&bad_param));
    let mut bad_schema = doc.clone();
    bad_schema["components"]["schemas"]["postal.MessageSent"]["properties"]["event"]["minLength"] =
        json!("one");
    assert!(!oas.is_valid(&bad_schema));
    let mut bad_dialect = doc.clone();
    bad_dialect["components"]["schemas"]["postal.MessageSent"]["$schema"] =
        json!("https://json-schema.org/draft/2020-12/schema");
    assert!(!oas.is_valid(&bad_dialect));
}

fn strip_extensions(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.remove(openapi::EXTENSION);
            map.values_mut().for_each(strip_extensions);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_extensions),
        _ => {}
    }
}

/// Checks `vendors` against the built-in catalog: the same vendors, events, pointers,
/// examples, and schemas that judge every case alike and generate values the catalog accepts.
fn assert_same_as_catalog(vendors: &[ImportedVendor], origin: PointerOrigin) {
    let catalog = Catalog::builtin();
    let names: Vec<&str> = vendors.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["getmailer", "msndr", "postal", "resend"]);
    for imported in vendors {
        let vendor: Vendor = imported.name.parse().unwrap();
        assert_eq!(
            imported.event_pointer,
            event_name_pointer(vendor),
            "{vendor}"
        );
        assert_eq!(imported.pointer_origin, origin, "{vendor}");
        if origin == PointerOrigin::Extension {
            assert_eq!(
                imported.signature.as_ref().map(|s| s.scheme.as_str()),
                openapi::signature_of(vendor).map(|s| s.scheme),
                "{vendor}"
            );
        }
        let mut events: Vec<&str> = imported.events.iter().map(|e| e.name.as_str()).collect();
        let mut expected: Vec<&str> = catalog
            .vendor_entries(vendor)
            .filter(|e| e.kind() == EntryKind::Webhook)
            .map(|e| e.event())
            .collect();
        events.sort_unstable();
        expected.sort_unstable();
        assert_eq!(events, expected, "{vendor}");
        let documented = openapi::examples::documented(vendor).unwrap();
        for event in &imported.events {
            let key = format!("{vendor}/{}", event.name);
            let want: Vec<(String, Value)> = documented
                .iter()
                .filter(|d| d.event == event.name)
                .map(|d| (d.name.clone(), d.value.clone()))
                .collect();
            assert_eq!(event.examples, want, "{key}");
            let entry = catalog.lookup(&key).unwrap();
            let mine = Validator::compile(&event.schema, Resources::default())
                .unwrap_or_else(|e| panic!("{key}: {e}"));
            for case in cases::builtin().iter().filter(|c| c.key == key) {
                assert_eq!(
                    mine.is_valid(&case.value),
                    entry.validator().unwrap().is_valid(&case.value),
                    "{}: the imported schema disagrees",
                    case.label
                );
            }
            let generator = Generator::new(&event.schema, &[], GenOptions::default())
                .unwrap_or_else(|e| panic!("{key}: {e}"));
            for i in 0..5 {
                let value = generator.generate(7, i).unwrap();
                assert!(
                    entry.validator().unwrap().is_valid(&value),
                    "{key}: {value}"
                );
            }
        }
    }
}

#[test]
fn export_then_import_gives_the_catalog_back() {
    let doc = openapi::export(Catalog::builtin(), None).unwrap();
    let vendors = openapi::import(&doc, &ImportOptions::default()).unwrap();
    assert_same_as_catalog(&vendors, PointerOrigin::Extension);
    // The same through YAML.
    let yaml = serde_norway::to_string(&doc).unwrap();
    let again = openapi::parse(&yaml, Some("catalog.yaml")).unwrap();
    assert_eq!(
        openapi::import(&again, &ImportOptions::default()).unwrap(),
        vendors
    );
}

#[test]
fn without_the_extension_the_event_pointer_is_inferred() {
    let mut doc = openapi::export(Catalog::builtin(), None).unwrap();
    strip_extensions(&mut doc);
    let vendors = openapi::import(&doc, &ImportOptions::default()).unwrap();
    assert_same_as_catalog(&vendors, PointerOrigin::Inferred);
    assert!(vendors.iter().all(|v| v.signature.is_none()));
    // An override wins over inference.
    let options = ImportOptions {
        event_pointer: Some(event_name_pointer(Vendor::POSTAL)),
        ..Default::default()
    };
    let postal = openapi::export(Catalog::builtin(), Some(Vendor::POSTAL)).unwrap();
    let vendors = openapi::import(&postal, &options).unwrap();
    assert_eq!(vendors.len(), 1);
    assert_eq!(vendors[0].pointer_origin, PointerOrigin::Override);
}

#[test]
fn read_names_the_file_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hooks.yaml");
    fs::write(
        &path,
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\nwebhooks:\n  a:\n    post: {}\n",
    )
    .unwrap();
    let e = openapi::read(&path, &ImportOptions::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("{}:/webhooks/a/post: no `requestBody`", path.display())
    );
}

#[test]
fn the_export_command_writes_one_vendor_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("msndr.openapi.json");
    let out = Command::cargo_bin("hookcheck")
        .unwrap()
        .args(["export", "openapi", "--vendor", "getmailer", "-o"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let doc: Value = serde_json::from_slice(&fs::read(&file).unwrap()).unwrap();
    assert_eq!(
        doc,
        openapi::export(Catalog::builtin(), Some(Vendor::GETMAILER)).unwrap()
    );
    let hook = &doc["webhooks"]["getmailer/email.bounced"]["post"];
    assert_eq!(hook["parameters"][0]["name"], "X-GetMailer-Signature");
    assert!(hook["requestBody"]["content"]["application/json"]["examples"]["doc004-email-bounced"]["value"].is_object());
    assert!(
        doc["webhooks"]
            .as_object()
            .unwrap()
            .keys()
            .all(|k| k.starts_with("getmailer/"))
    );
    let out = Command::cargo_bin("hookcheck")
        .unwrap()
        .args(["export", "openapi", "--vendor", "sendgrid"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_embedded_examples_are_the_repaired_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    for vendor in Vendor::all() {
        let dir = root.join(vendor.as_str()).join("examples");
        let manifest: Vec<Value> =
            serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
        let embedded = openapi::examples::documented(vendor).unwrap();
        assert_eq!(embedded.len(), manifest.len(), "{vendor}");
        for (row, ex) in manifest.iter().zip(&embedded) {
            assert_eq!(row["name"], ex.name.as_str());
            assert_eq!(row["event"], ex.event.as_str());
            let file: Value = serde_json::from_str(
                &fs::read_to_string(dir.join(row["repaired"].as_str().unwrap())).unwrap(),
            )
            .unwrap();
            assert_eq!(file, ex.value, "{vendor}/{}", ex.name);
        }
    }
}
