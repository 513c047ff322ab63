//! The named checks of `api-check`, each with a stable id and a one-line meaning.

use std::{fmt, str::FromStr};

/// One named check of the msndr webhook configuration API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    /// `post-response`: a valid `POST` answers 2xx, `application/json`, a body valid against
    /// `api.webhook.post.response` carrying the URL sent.
    PostResponse,
    /// `get-response`: `GET` answers 2xx, `application/json`, a body valid against
    /// `api.webhook.get.response`.
    GetResponse,
    /// `get-after-post`: `GET` after `POST` returns the URL that was set.
    GetAfterPost,
    /// `post-replaces`: a second `POST` replaces the URL.
    PostReplaces,
    /// `delete-removes`: after `DELETE`, `GET` answers 404 or an empty or null `url`.
    DeleteRemoves,
    /// `auth-missing-token`: every method without a token answers 401/403 and changes nothing.
    AuthMissingToken,
    /// `auth-wrong-token`: every method with a wrong token answers 401/403 and changes nothing.
    AuthWrongToken,
    /// `rejects-not-json`: a body that is not JSON gets a 4xx and changes nothing.
    RejectsNotJson,
    /// `rejects-missing-url`: a body without a `url` string gets a 4xx and changes nothing.
    RejectsMissingUrl,
    /// `rejects-not-a-url`: a `url` that is not a URL gets a 4xx and changes nothing.
    RejectsNotAUrl,
    /// `rejects-not-http`: a `url` that is not http(s) gets a 4xx and changes nothing.
    RejectsNotHttp,
    /// `rejects-long-url`: a `url` over 2 KB gets a 4xx and changes nothing.
    RejectsLongUrl,
    /// `rejects-wrong-content-type`: a valid body sent as another content type gets a 4xx and
    /// changes nothing.
    RejectsWrongContentType,
    /// `extra-fields`: bodies with undeclared fields are all accepted (and applied) or all
    /// rejected (and not applied), never a 5xx.
    ExtraFields,
}

impl Check {
    /// Every check, in the order they run and are reported.
    pub const ALL: [Check; 14] = [
        Check::PostResponse,
        Check::GetResponse,
        Check::GetAfterPost,
        Check::PostReplaces,
        Check::DeleteRemoves,
        Check::AuthMissingToken,
        Check::AuthWrongToken,
        Check::RejectsNotJson,
        Check::RejectsMissingUrl,
        Check::RejectsNotAUrl,
        Check::RejectsNotHttp,
        Check::RejectsLongUrl,
        Check::RejectsWrongContentType,
        Check::ExtraFields,
    ];

    /// The stable id used in reports and `--check`.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            Check::PostResponse => "post-response",
            Check::GetResponse => "get-response",
            Check::GetAfterPost => "get-after-post",
            Check::PostReplaces => "post-replaces",
            Check::DeleteRemoves => "delete-removes",
            Check::AuthMissingToken => "auth-missing-token",
            Check::AuthWrongToken => "auth-wrong-token",
            Check::RejectsNotJson => "rejects-not-json",
            Check::RejectsMissingUrl => "rejects-missing-url",
            Check::RejectsNotAUrl => "rejects-not-a-url",
            Check::RejectsNotHttp => "rejects-not-http",
            Check::RejectsLongUrl => "rejects-long-url",
            Check::RejectsWrongContentType => "rejects-wrong-content-type",
            Check::ExtraFields => "extra-fields",
        }
    }

    /// What the check means, in one line.
    #[must_use]
    pub fn meaning(self) -> &'static str {
        match self {
            Check::PostResponse => {
                "POST of a valid body answers 2xx application/json matching api.webhook.post.response, with the URL sent"
            }
            Check::GetResponse => {
                "GET answers 2xx application/json matching api.webhook.get.response"
            }
            Check::GetAfterPost => "GET after POST returns the URL that was set",
            Check::PostReplaces => "POST again replaces the URL",
            Check::DeleteRemoves => {
                "after DELETE, GET answers 404 or an empty or null url, not the old URL"
            }
            Check::AuthMissingToken => {
                "POST, GET and DELETE without a token answer 401 or 403 and change nothing"
            }
            Check::AuthWrongToken => {
                "POST, GET and DELETE with a wrong token answer 401 or 403 and change nothing"
            }
            Check::RejectsNotJson => "a body that is not JSON gets a 4xx and changes nothing",
            Check::RejectsMissingUrl => {
                "a body without a url string gets a 4xx and changes nothing"
            }
            Check::RejectsNotAUrl => "a url that is not a URL gets a 4xx and changes nothing",
            Check::RejectsNotHttp => {
                "a url that is not http or https gets a 4xx and changes nothing"
            }
            Check::RejectsLongUrl => "a url over 2 KB (2048 bytes) gets a 4xx and changes nothing",
            Check::RejectsWrongContentType => {
                "a valid body sent as text/plain, as a form or without Content-Type gets a 4xx and changes nothing"
            }
            Check::ExtraFields => {
                "bodies with undeclared fields are all accepted and applied, or all rejected with a 4xx"
            }
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A name that is not a check id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCheck(pub String);

impl fmt::Display for UnknownCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ids: Vec<&str> = Check::ALL.iter().map(|c| c.id()).collect();
        write!(f, "unknown check {:?} (known: {})", self.0, ids.join(", "))
    }
}

impl std::error::Error for UnknownCheck {}

impl FromStr for Check {
    type Err = UnknownCheck;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Check::ALL
            .into_iter()
            .find(|c| c.id() == s)
            .ok_or_else(|| UnknownCheck(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        let mut ids: Vec<&str> = Check::ALL.iter().map(|c| c.id()).collect();
        for c in Check::ALL {
            assert_eq!(c.id().parse::<Check>(), Ok(c));
        }
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), Check::ALL.len());
        assert!("post".parse::<Check>().is_err());
    }
}
