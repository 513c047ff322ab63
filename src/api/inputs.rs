//! The request bodies `api-check` sends, drawn from the catalog's msndr API schemas.
//!
//! Valid bodies come from `api.webhook.post.request` and `api.webhook.delete.request` with a
//! seed. The schema's `url` is deliberately loose (any `http(s)://` followed by non-space
//! characters, so that IRIs pass), which admits strings no implementation should be blamed
//! for refusing (`https://%O`), or for storing in a normalised form (`http://1` is
//! `http://0.0.0.1/` to a WHATWG URL parser). So the POST bodies are drawn from the catalog
//! schema narrowed with `allOf` to URLs already in normal form ([`NORMAL_URL`]), and checked
//! once more (`usable`: at most [`MAX_URL`] bytes, lower-case host, a
//! path, no port, userinfo or percent escapes) and for being distinct; a seed whose draws run
//! short is topped up with `https://hooks.example.com/...`.

use axum::http::Uri;
use serde_json::Value;

use crate::catalog::{Catalog, Vendor};
use crate::generate::GenOptions;
use crate::validate::Validator;

use super::ApiError;
use super::mock::MAX_URL;

/// How many distinct URLs a run uses.
pub(crate) const URLS: usize = 8;

/// Draws tried before giving up on distinct URLs.
const DRAWS: u64 = 512;

/// Everything the checks send or compare against.
pub(crate) struct Inputs {
    /// Valid POST bodies with distinct URLs ([`URLS`] of them).
    pub(crate) posts: Vec<Value>,
    /// A valid DELETE body (its `url` replaced by the URL being removed).
    pub(crate) delete: Value,
    /// `api.webhook.post.response`.
    pub(crate) post_response: &'static Validator,
    /// `api.webhook.get.response`.
    pub(crate) get_response: &'static Validator,
}

fn entry(name: &str) -> Result<&'static crate::catalog::Entry, ApiError> {
    Catalog::builtin()
        .get(Vendor::MSNDR, name)
        .map_err(ApiError::Catalog)
}

/// Whether `url` is an absolute http(s) URL already in the form URL libraries normalise to
/// (lower-case host name with a dot, no port, a path, no percent escapes or fragment), so that
/// an implementation that stores the normalised URL still returns exactly the URL sent.
fn usable(url: &str) -> bool {
    let Ok(uri) = url.parse::<Uri>() else {
        return false;
    };
    let host = uri.host().unwrap_or_default();
    let after_host = uri
        .authority()
        .and_then(|a| url.split_once(a.as_str()))
        .map_or("", |(_, rest)| rest);
    url.len() <= MAX_URL
        && matches!(uri.scheme_str(), Some("http" | "https"))
        && url.starts_with(uri.scheme_str().unwrap_or_default())
        && uri.port().is_none()
        && uri.authority().is_some_and(|a| !a.as_str().contains('@'))
        && host.contains('.')
        && !host.ends_with('.')
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.".contains(&b))
        && host.bytes().any(|b| b.is_ascii_lowercase())
        && after_host.starts_with('/')
        && url
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~/?=&+,;:@!$'()*".contains(&b))
}

/// The URLs the checks set: a narrowing of the catalog's `webhook_url`, in normal form.
const NORMAL_URL: &str = r"^https://(hooks|api|app|events)\.[a-z]{3,12}\.(com|org|net|io)/[a-z0-9]{1,12}(/[a-z0-9_-]{1,16}){0,2}(\?[a-z]{1,8}=[a-z0-9]{1,16})?$";

/// A generator of `entry`'s bodies whose `url` also matches [`NORMAL_URL`]: the catalog schema
/// itself, narrowed with `allOf`, so every body drawn is valid against it.
fn narrowed(
    entry: &crate::catalog::Entry,
    options: GenOptions,
) -> Result<crate::generate::Generator, ApiError> {
    let schema = serde_json::json!({
        "allOf": [{"$ref": entry.id()}],
        "properties": {"url": {"type": "string", "pattern": NORMAL_URL}}
    });
    crate::generate::Generator::new(&schema, &entry.resources().sorted(), options)
        .map_err(|e| ApiError::Generate(e.to_string()))
}

impl Inputs {
    /// Draws the inputs of a run from `seed`.
    pub(crate) fn draw(seed: u64) -> Result<Self, ApiError> {
        let options = GenOptions::default().with_extra_properties(false);
        let post = entry("api.webhook.post.request")?;
        let generator = narrowed(post, options.clone())?;
        let mut posts: Vec<Value> = Vec::with_capacity(URLS);
        for index in 0..DRAWS {
            if posts.len() == URLS {
                break;
            }
            let body = generator
                .generate(seed, index)
                .map_err(|e| ApiError::Generate(e.to_string()))?;
            let Some(url) = body.get("url").and_then(Value::as_str) else {
                continue;
            };
            if usable(url) && posts.iter().all(|p| p["url"] != url) {
                posts.push(body);
            }
        }
        // A schema whose draws keep repeating still yields distinct, valid URLs.
        let mut n = 0;
        while posts.len() < URLS {
            n += 1;
            let url = format!("https://hooks.example.com/msndr/{seed}/{n}");
            if posts.iter().all(|p| p["url"] != url.as_str()) {
                posts.push(serde_json::json!({ "url": url }));
            }
        }
        let delete = entry("api.webhook.delete.request")?
            .generator(options)
            .and_then(|g| g.generate(seed, 0))
            .map_err(|e| ApiError::Generate(e.to_string()))?;
        Ok(Self {
            posts,
            delete,
            post_response: entry("api.webhook.post.response")?
                .validator()
                .map_err(ApiError::Catalog)?,
            get_response: entry("api.webhook.get.response")?
                .validator()
                .map_err(ApiError::Catalog)?,
        })
    }

    /// The URL of POST body `i` (modulo [`URLS`]).
    pub(crate) fn url(&self, i: usize) -> &str {
        self.posts[i % URLS]["url"].as_str().unwrap_or_default()
    }

    /// POST body `i` as JSON text.
    pub(crate) fn post(&self, i: usize) -> String {
        self.posts[i % URLS].to_string()
    }

    /// POST body `i` with `url` replaced.
    pub(crate) fn post_with_url(&self, i: usize, url: Value) -> String {
        let mut body = self.posts[i % URLS].clone();
        body["url"] = url;
        body.to_string()
    }

    /// The DELETE body for removing `url`.
    pub(crate) fn delete(&self, url: &str) -> String {
        let mut body = self.delete.clone();
        body["url"] = Value::String(url.to_owned());
        body.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_distinct_usable_and_valid() {
        let validator = entry("api.webhook.post.request")
            .unwrap()
            .validator()
            .unwrap();
        let fallback = "https://hooks.example.com/msndr/";
        for seed in [0, 7, 12345] {
            let inputs = Inputs::draw(seed).unwrap();
            for i in 0..URLS {
                assert!(usable(inputs.url(i)), "{}", inputs.url(i));
                assert!(!inputs.url(i).starts_with(fallback), "{}", inputs.url(i));
                assert!(validator.is_valid(&inputs.posts[i]));
                for j in 0..i {
                    assert_ne!(inputs.url(i), inputs.url(j));
                }
            }
            assert_eq!(Inputs::draw(seed).unwrap().posts, inputs.posts);
        }
        assert_ne!(
            Inputs::draw(1).unwrap().posts,
            Inputs::draw(2).unwrap().posts
        );
    }

    #[test]
    fn usable_urls_are_absolute_http_with_a_host() {
        assert!(usable("https://example.com/some/path"));
        assert!(usable("https://hooks.example.org/msndr?token=3f9a1c"));
        assert!(!usable("http://1"));
        assert!(!usable("https://%O"));
        assert!(!usable("https://Example.com/a"));
        assert!(!usable("https://example.com"));
        assert!(!usable("https://example.com:8443/a"));
        assert!(!usable("https://example.com/a%7e"));
        assert!(!usable("https://user@example.com/a"));
        assert!(!usable("ftp://example.com/"));
        assert!(!usable(&format!(
            "https://example.com/{}",
            "a".repeat(MAX_URL)
        )));
    }
}
