//! The request bodies `api-check` sends, drawn from the catalog's msndr API schemas.
//!
//! Valid bodies come from `api.webhook.post.request` and `api.webhook.delete.request` with a
//! seed. The schema's `url` is deliberately loose (any `http(s)://` followed by non-space
//! characters, so that IRIs pass), which admits strings no implementation should be blamed
//! for refusing (`https://%O`); the draws kept are those whose `url` is also an absolute
//! `http(s)` URI with a host, at most [`MAX_URL`](super::mock::MAX_URL) bytes, and distinct.

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
        .get(Vendor::Msndr, name)
        .map_err(ApiError::Catalog)
}

fn usable(url: &str) -> bool {
    url.len() <= MAX_URL
        && url.parse::<Uri>().is_ok_and(|u| {
            matches!(u.scheme_str(), Some("http" | "https"))
                && u.host().is_some_and(|h| !h.is_empty())
        })
}

impl Inputs {
    /// Draws the inputs of a run from `seed`.
    pub(crate) fn draw(seed: u64) -> Result<Self, ApiError> {
        let options = GenOptions::default().with_extra_properties(false);
        let post = entry("api.webhook.post.request")?;
        let generator = post
            .generator(options.clone())
            .map_err(|e| ApiError::Generate(e.to_string()))?;
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
        let inputs = Inputs::draw(7).unwrap();
        let validator = entry("api.webhook.post.request")
            .unwrap()
            .validator()
            .unwrap();
        for i in 0..URLS {
            assert!(usable(inputs.url(i)), "{}", inputs.url(i));
            assert!(validator.is_valid(&inputs.posts[i]));
            for j in 0..i {
                assert_ne!(inputs.url(i), inputs.url(j));
            }
        }
        assert_eq!(Inputs::draw(7).unwrap().posts, inputs.posts);
    }

    #[test]
    fn usable_urls_are_absolute_http_with_a_host() {
        assert!(usable("https://example.com/some/path"));
        assert!(usable("http://1"));
        assert!(!usable("https://%O"));
        assert!(!usable("ftp://example.com/"));
        assert!(!usable(&format!(
            "https://example.com/{}",
            "a".repeat(MAX_URL)
        )));
    }
}
