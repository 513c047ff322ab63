//! Adapters that put parsers written in any language behind [`WebhookParser`]: a subprocess
//! speaking NDJSON ([`exec`]) and a webhook receiver reached over HTTP (`http`, with the `http`
//! feature).
//!
//! [`WebhookParser`]: crate::parser::WebhookParser

pub mod exec;
mod hello;
#[cfg(feature = "http")]
pub mod http;
mod reply;

pub use hello::AdapterInfo;
pub(crate) use reply::snippet;
