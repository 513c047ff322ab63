//! `email`, `idn-email`, `hostname`, `idn-hostname`, `ipv4`, `ipv6`.
//!
//! Host names live under the reserved `example.*` domains (RFC 2606) and a few ordinary-looking
//! mail provider names, so generated payloads never name a real third party by accident.

use std::net::Ipv6Addr;

use crate::generate::source::Source;

const LOCALS: [&str; 8] = [
    "alice",
    "bob",
    "support",
    "no-reply",
    "carol.smith",
    "ops+alerts",
    "dave_99",
    "billing",
];
const DOMAINS: [&str; 6] = [
    "example.com",
    "example.org",
    "mail.example.net",
    "example.co.uk",
    "mx1.example.io",
    "newsletter.example.com",
];
const IDN_LOCALS: [&str; 4] = ["jörg", "用户", "élodie", "ñandú"];
const IDN_DOMAINS: [&str; 4] = [
    "bücher.example",
    "例え.テスト",
    "münchen.example.de",
    "xn--bcher-kva.example",
];
const WORDS: [&str; 8] = [
    "api", "mail", "hooks", "app", "eu-west", "status", "cdn", "smtp",
];

/// An e-mail address; with `idn`, sometimes with non-ASCII local part or domain.
pub(crate) fn email<S: Source + ?Sized>(src: &mut S, idn: bool) -> String {
    if idn && src.rarely(3) {
        let local = IDN_LOCALS[src.choose(IDN_LOCALS.len())];
        let domain = IDN_DOMAINS[src.choose(IDN_DOMAINS.len())];
        return [local, "@", domain].concat();
    }
    let local = LOCALS[src.choose(LOCALS.len())];
    let domain = DOMAINS[src.choose(DOMAINS.len())];
    let mut out = String::with_capacity(local.len() + domain.len() + 4);
    out.push_str(local);
    if src.rarely(4) {
        out.push_str(&src.draw(999).to_string());
    }
    out.push('@');
    out.push_str(domain);
    out
}

/// A host name of one to three labels under an example domain.
pub(crate) fn hostname<S: Source + ?Sized>(src: &mut S, idn: bool) -> String {
    if idn && src.rarely(3) {
        return IDN_DOMAINS[src.choose(IDN_DOMAINS.len())].to_owned();
    }
    let domain = DOMAINS[src.choose(DOMAINS.len())];
    let mut out = String::new();
    for _ in 0..src.draw(2) {
        out.push_str(WORDS[src.choose(WORDS.len())]);
        out.push('.');
    }
    out.push_str(domain);
    out
}

/// A dotted-quad IPv4 address (no leading zeros).
pub(crate) fn ipv4<S: Source + ?Sized>(src: &mut S) -> String {
    // Documentation and private ranges look like real traffic without being anyone's address.
    const NETS: [[u64; 2]; 4] = [[192, 0], [198, 51], [203, 0], [10, 20]];
    let net = NETS[src.choose(NETS.len())];
    let third = if net[0] == 192 {
        2
    } else if net[0] == 203 {
        113
    } else {
        src.draw(255)
    };
    format!("{}.{}.{third}.{}", net[0], net[1], src.between(1, 254))
}

/// An IPv6 address in canonical (compressed) form.
pub(crate) fn ipv6<S: Source + ?Sized>(src: &mut S) -> String {
    let mut groups = [0x2001, 0x0db8, 0, 0, 0, 0, 0, 0];
    for g in groups.iter_mut().skip(2) {
        if src.likely(2) {
            *g = u16::try_from(src.draw(0xffff)).unwrap_or(0);
        }
    }
    let [a, b, c, d, e, f, g, h] = groups;
    Ipv6Addr::new(a, b, c, d, e, f, g, h).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::source::ReplaySource;

    #[test]
    fn simplest_values_are_plain() {
        assert_eq!(
            email(&mut ReplaySource::new(&[]), false),
            "alice@example.com"
        );
        assert_eq!(hostname(&mut ReplaySource::new(&[]), false), "example.com");
        assert_eq!(ipv4(&mut ReplaySource::new(&[]),), "192.0.2.1");
        assert_eq!(ipv6(&mut ReplaySource::new(&[])), "2001:db8::");
    }
}
