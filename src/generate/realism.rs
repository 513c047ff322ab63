//! Plausible values for common property names, where the schema leaves the choice free.
//!
//! A webhook field called `email` that the schema only types as `string` should still look like
//! an e-mail address, `user_agent` like a browser, `timestamp` like a time near now. The table is
//! deliberately small. A hint is a suggestion: the value is used only when the schema has no
//! `format`/`pattern` of its own and the value fits the length and range constraints; otherwise
//! the generic generator runs.

use std::fmt::Write as _;

use crate::generate::{
    formats::{self, StringFormat},
    source::Source,
    stack_text::StackText,
};

/// What a property's name suggests about its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Hint {
    #[default]
    None,
    Email,
    Url,
    Uuid,
    UserAgent,
    Ip,
    Timestamp,
    SmtpReply,
    Hostname,
    Name,
    Subject,
    Token,
    Port,
    MessageId,
    /// A duration in seconds (Postal's delivery `time`).
    Seconds,
}

/// The hint for a property name (`createdAt`, `created_at` and `created-at` are the same).
pub(crate) fn hint_for(name: &str) -> Hint {
    // Undeclared keys are named while generating: short names are folded on the stack.
    let mut folded = StackText::default();
    let owned: String;
    let n = if name
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .try_for_each(|c| folded.write_char(c))
        .is_ok()
    {
        folded.as_str()
    } else {
        owned = name
            .chars()
            .filter(|c| *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect();
        owned.as_str()
    };
    match n {
        "from" | "to" | "sender" | "recipient" | "rcptto" | "mailfrom" | "replyto" => Hint::Email,
        "ip" | "ipaddress" | "clientip" | "remoteip" | "sourceip" => Hint::Ip,
        "port" => Hint::Port,
        "subject" => Hint::Subject,
        "messageid" => Hint::MessageId,
        "host" | "hostname" | "domain" | "mxhost" | "server" => Hint::Hostname,
        "name" | "fullname" | "firstname" | "lastname" | "displayname" | "username" => Hint::Name,
        "output" | "details" | "diagnostic" | "smtpresponse" | "response" | "reply" => {
            Hint::SmtpReply
        }
        "time" | "duration" | "elapsed" | "latency" => Hint::Seconds,
        "ts" | "timestamp" | "date" | "datetime" => Hint::Timestamp,
        _ if n.contains("email") => Hint::Email,
        _ if n.contains("useragent") => Hint::UserAgent,
        _ if n.contains("url") || n.contains("uri") || n.contains("href") || n.contains("link") => {
            Hint::Url
        }
        _ if n.contains("uuid") || n.contains("guid") => Hint::Uuid,
        _ if n.contains("token") || n.contains("secret") || n.contains("signature") => Hint::Token,
        _ if n.ends_with("at") && n.len() > 4
            || n.ends_with("time")
            || n.ends_with("timestamp") =>
        {
            Hint::Timestamp
        }
        _ => Hint::None,
    }
}

const AGENTS: [&str; 4] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
    "Thunderbird/115.12.2",
];
const REPLIES: [&str; 5] = [
    "250 2.0.0 OK",
    "250 2.0.0 Ok: queued as 4F1A21C0",
    "421 4.7.0 Try again later",
    "550 5.1.1 User unknown",
    "552 5.2.2 Mailbox full",
];
const NAMES: [&str; 5] = [
    "Alice Example",
    "Bob",
    "Carol Smith",
    "Dave O'Neil",
    "Élodie Martin",
];
const SUBJECTS: [&str; 4] = [
    "Welcome to Example",
    "Your receipt #1042",
    "Password reset",
    "Weekly digest",
];

/// A string for `hint`, if the hint has a string form.
pub(crate) fn string<S: Source + ?Sized>(hint: Hint, src: &mut S) -> Option<String> {
    Some(match hint {
        Hint::None | Hint::Port | Hint::Seconds => return None,
        Hint::Email => StringFormat::Email.generate(src),
        Hint::Url => StringFormat::Uri.generate(src),
        Hint::Uuid => formats::uuid(src),
        Hint::UserAgent => AGENTS[src.choose(AGENTS.len())].to_owned(),
        Hint::Ip => StringFormat::Ipv4.generate(src),
        Hint::Timestamp => StringFormat::DateTime.generate(src),
        Hint::SmtpReply => REPLIES[src.choose(REPLIES.len())].to_owned(),
        Hint::Hostname => StringFormat::Hostname.generate(src),
        Hint::Name => NAMES[src.choose(NAMES.len())].to_owned(),
        Hint::Subject => SUBJECTS[src.choose(SUBJECTS.len())].to_owned(),
        Hint::Token => formats::hex(src, 32),
        Hint::MessageId => format!("<{}@mail.example.com>", formats::uuid(src)),
    })
}

/// An integer for `hint`, if the hint has a numeric form (a unix time, a port, seconds).
pub(crate) fn integer<S: Source + ?Sized>(hint: Hint, src: &mut S) -> Option<i64> {
    match hint {
        Hint::Timestamp => Some(formats::unix_time(src)),
        Hint::Port => Some([25, 587, 465, 2525][src.choose(4)]),
        Hint::Seconds => Some(i64::try_from(src.draw(30)).unwrap_or(0)),
        _ => None,
    }
}

/// A number for `hint` where the schema allows any number: times and durations get a fraction,
/// as Postal sends them (`1477945177.12994`, `0.22`); other hints are [`integer`]s.
pub(crate) fn number<S: Source + ?Sized>(hint: Hint, src: &mut S) -> Option<serde_json::Value> {
    let value = match hint {
        Hint::Timestamp => {
            let seconds = formats::unix_time(src);
            // Below 2^53: exact in an f64.
            seconds as f64 + micros(src.draw(999_999))
        }
        Hint::Seconds => micros(src.draw(30_000_000)),
        _ => return integer(hint, src).map(serde_json::Value::from),
    };
    serde_json::Number::from_f64(value).map(serde_json::Value::Number)
}

/// `n` microseconds in seconds.
#[allow(
    clippy::cast_precision_loss,
    reason = "n is below 2^53, exact in an f64"
)]
fn micros(n: u64) -> f64 {
    n as f64 / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::source::RngSource;

    #[test]
    fn names_map_to_hints() {
        assert_eq!(hint_for("email"), Hint::Email);
        assert_eq!(hint_for("recipientEmail"), Hint::Email);
        assert_eq!(hint_for("user_agent"), Hint::UserAgent);
        assert_eq!(hint_for("created_at"), Hint::Timestamp);
        assert_eq!(hint_for("sentAt"), Hint::Timestamp);
        assert_eq!(hint_for("smtp_response"), Hint::SmtpReply);
        assert_eq!(hint_for("click_url"), Hint::Url);
        assert_eq!(hint_for("flat"), Hint::None);
        assert_eq!(hint_for("status"), Hint::None);
        assert_eq!(hint_for("time"), Hint::Seconds);
        assert_eq!(hint_for("Message-ID"), Hint::MessageId);
        assert_eq!(hint_for("Émetteur_EMAIL"), Hint::Email);
        assert_eq!(hint_for(&format!("{}url", "x".repeat(70))), Hint::Url);
    }

    #[test]
    fn numbers_carry_fractions_where_the_vendor_sends_them() {
        for seed in 0..64 {
            let mut src = RngSource::new(seed, 0);
            let t = number(Hint::Timestamp, &mut src).unwrap();
            let t = t.as_f64().unwrap();
            assert!(
                (t - formats::REFERENCE_UNIX as f64).abs() <= 2.0 * 365.0 * 24.0 * 3600.0 + 1.0
            );
            let d = number(Hint::Seconds, &mut src).unwrap().as_f64().unwrap();
            assert!((0.0..=30.0).contains(&d), "{d}");
            let port = number(Hint::Port, &mut src).unwrap();
            assert!(port.is_u64(), "{port}");
        }
        let fractional = (0..64)
            .filter(|seed| {
                let t = number(Hint::Timestamp, &mut RngSource::new(*seed, 0)).unwrap();
                t.as_f64().unwrap().fract() != 0.0
            })
            .count();
        assert!(
            fractional > 48,
            "{fractional} of 64 timestamps have a fraction"
        );
    }

    #[test]
    fn timestamps_are_near_the_reference() {
        let t = integer(Hint::Timestamp, &mut RngSource::new(1, 1)).unwrap();
        assert!((t - formats::REFERENCE_UNIX).abs() <= 2 * 365 * 24 * 3600);
    }
}
