//! `uri`, `uri-reference`, `iri`, `iri-reference` (RFC 3986/3987) and `uri-template` (RFC 6570).

use crate::generate::source::Source;

const SCHEMES: [&str; 4] = ["https", "http", "mailto", "urn"];
const HOSTS: [&str; 4] = [
    "example.com",
    "hooks.example.org",
    "api.example.net",
    "localhost:8080",
];
const SEGMENTS: [&str; 8] = [
    "webhooks", "v1", "messages", "events", "42", "status", "track", "u",
];
const IRI_SEGMENTS: [&str; 3] = ["café", "ünïcode", "パス"];

fn path<S: Source + ?Sized>(src: &mut S, iri: bool) -> String {
    let mut out = String::new();
    for _ in 0..src.draw(3) {
        out.push('/');
        if iri && src.rarely(3) {
            out.push_str(IRI_SEGMENTS[src.choose(IRI_SEGMENTS.len())]);
        } else {
            out.push_str(SEGMENTS[src.choose(SEGMENTS.len())]);
        }
    }
    out
}

fn query<S: Source + ?Sized>(src: &mut S) -> String {
    match src.draw(4) {
        0 | 1 => String::new(),
        2 => format!("?id={}", src.draw(99_999)),
        3 => "?utm_source=newsletter&utm_medium=email".to_owned(),
        _ => "#section-2".to_owned(),
    }
}

/// An absolute URI (an IRI may hold non-ASCII characters).
pub(crate) fn uri<S: Source + ?Sized>(src: &mut S, iri: bool) -> String {
    match SCHEMES[src.choose(SCHEMES.len())] {
        "mailto" => "mailto:someone@example.com".to_owned(),
        "urn" => format!("urn:uuid:{}", super::uuid(src)),
        scheme => {
            let host = HOSTS[src.choose(HOSTS.len())];
            let p = path(src, iri);
            let q = query(src);
            [scheme, "://", host, &p, &q].concat()
        }
    }
}

/// A URI reference: absolute, or a relative path, or a fragment.
pub(crate) fn uri_reference<S: Source + ?Sized>(src: &mut S, iri: bool) -> String {
    match src.draw(3) {
        0 | 1 => uri(src, iri),
        2 => {
            let p = path(src, iri);
            if p.is_empty() { "/".to_owned() } else { p }
        }
        _ => "#top".to_owned(),
    }
}

/// A URI template with a few expressions.
pub(crate) fn template<S: Source + ?Sized>(src: &mut S) -> String {
    const TEMPLATES: [&str; 4] = [
        "https://example.com/messages/{id}",
        "/webhooks/{event}{?page,limit}",
        "https://api.example.net{/version}/events{#section}",
        "{+base}/track/{id}",
    ];
    TEMPLATES[src.choose(TEMPLATES.len())].to_owned()
}
