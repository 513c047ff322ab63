//! Every instance the catalog has a verdict for: the documented examples (the repaired form,
//! and the original when it is JSON) and the labelled negatives of
//! `schemas/<vendor>/invalid/<event>.json`.

use std::{fs, path::Path};

use serde_json::Value;

/// One instance with what the catalog says of it.
pub(crate) struct Case {
    /// Where it comes from, for messages.
    pub(crate) label: String,
    /// The event (`vendor/event` key) it belongs to.
    pub(crate) key: String,
    /// The instance.
    pub(crate) value: Value,
    /// `None` for an instance the schema accepts, else the labelled keyword and pointer (for
    /// an original example: as its manifest says).
    pub(crate) fails_on: Option<(String, String)>,
}

fn read(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

/// Every case of the vendor directory `dir` (`schemas/<vendor>`), for the vendor `vendor`.
pub(crate) fn of_dir(vendor: &str, dir: &Path) -> Vec<Case> {
    let mut out = Vec::new();
    let manifest = dir.join("examples/manifest.json");
    if manifest.is_file() {
        for row in read(&manifest).as_array().expect("a manifest is a list") {
            let key = format!("{vendor}/{}", text(row, "event"));
            let name = text(row, "name");
            out.push(Case {
                label: format!("{key} example {name} (repaired)"),
                key: key.clone(),
                value: read(&dir.join("examples").join(text(row, "repaired"))),
                fails_on: None,
            });
            let original = fs::read_to_string(dir.join("examples").join(text(row, "original")))
                .expect("original example");
            if let Ok(value) = serde_json::from_str::<Value>(&original) {
                let fails = &row["original_fails"];
                let fails_on = (fails["kind"] == "schema")
                    .then(|| (text(fails, "keyword"), text(fails, "instance_path")));
                out.push(Case {
                    label: format!("{key} example {name} (original)"),
                    key,
                    value,
                    fails_on,
                });
            }
        }
    }
    let invalid = dir.join("invalid");
    let mut files: Vec<_> = fs::read_dir(&invalid)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    for path in files {
        let Some(event) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".json"))
        else {
            continue;
        };
        let key = format!("{vendor}/{event}");
        for case in read(&path).as_array().expect("an invalid file is a list") {
            out.push(Case {
                label: format!("{key} invalid {:?}", text(case, "name")),
                key: key.clone(),
                value: case["instance"].clone(),
                fails_on: Some((text(case, "keyword"), text(case, "instance_path"))),
            });
        }
    }
    out
}

/// Every case of the built-in vendors.
pub(crate) fn builtin() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    hookcheck::catalog::Vendor::all()
        .into_iter()
        .flat_map(|v| of_dir(v.as_str(), &root.join(v.as_str())))
        .collect()
}
