//! One check's conversation with the server: every request it sent, the last answer, and the
//! small steps the checks are made of (set a URL, read it back, expect a rejection).

use serde_json::Value;

use super::client::{Client, Failure, Method, Request, Response};

/// Why a check stopped before holding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Stop {
    /// The server did something the check forbids (the last exchange shows what).
    Fail(String),
    /// The server could not be reached: nothing is known about it.
    Error(String),
}

/// What `GET` said is configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Current {
    /// 2xx with `{"url": "<string>"}` (a non-empty one).
    Url(String),
    /// 404.
    NotFound,
    /// 2xx with `{"url": null}`.
    Null,
    /// 2xx with `{"url": ""}`.
    Empty,
    /// Anything else, described.
    Other(String),
}

impl Current {
    fn describe(&self) -> String {
        match self {
            Current::Url(u) => format!("the URL {u:?}"),
            Current::NotFound => "404".into(),
            Current::Null => "a null url".into(),
            Current::Empty => "an empty url".into(),
            Current::Other(d) => d.clone(),
        }
    }
}

/// A check's requests so far and the last exchange.
pub(crate) struct Probe<'a> {
    client: &'a Client,
    endpoint: String,
    /// Every request sent, in order.
    pub(crate) sent: Vec<Request>,
    /// The last answer (or why there was none).
    pub(crate) last: Option<Result<Response, Failure>>,
}

impl<'a> Probe<'a> {
    pub(crate) fn new(client: &'a Client, endpoint: String) -> Self {
        Self {
            client,
            endpoint,
            sent: Vec::new(),
            last: None,
        }
    }

    /// A token that is not the right one (and says so).
    pub(crate) fn wrong_token(&self) -> String {
        ["hookcheck-wrong-token", "hookcheck-other-wrong-token"]
            .into_iter()
            .find(|t| !self.client.is_token(t))
            .unwrap_or_default()
            .to_owned()
    }

    /// A request to the endpoint, with the right token.
    pub(crate) fn request(&self, method: Method) -> Request {
        Request::new(method, self.endpoint.clone())
    }

    /// Sends `request`; a missing answer stops the check.
    pub(crate) fn send(&mut self, request: Request) -> Result<Response, Stop> {
        let answer = self.client.send(&request);
        self.sent.push(request);
        self.last = Some(answer.clone());
        answer.map_err(|f| match f {
            Failure::Unreachable(_) => Stop::Error(f.to_string()),
            _ => Stop::Fail(f.to_string()),
        })
    }

    /// POSTs `body` (a valid one) and requires a 2xx.
    pub(crate) fn set(&mut self, body: String) -> Result<(), Stop> {
        let r = self.send(self.request(Method::Post).json(body))?;
        if r.is_success() {
            Ok(())
        } else {
            Err(Stop::Fail(format!(
                "POST of a valid body answered {}, not 2xx",
                r.status
            )))
        }
    }

    /// GETs what is configured.
    pub(crate) fn current(&mut self) -> Result<Current, Stop> {
        let r = self.send(self.request(Method::Get))?;
        if r.status == 404 {
            return Ok(Current::NotFound);
        }
        if !r.is_success() {
            return Ok(Current::Other(format!("status {}", r.status)));
        }
        let Ok(body) = serde_json::from_str::<Value>(&r.body) else {
            return Ok(Current::Other("a body that is not JSON".into()));
        };
        Ok(match body.get("url") {
            Some(Value::String(s)) if s.is_empty() => Current::Empty,
            Some(Value::String(s)) => Current::Url(s.clone()),
            Some(Value::Null) => Current::Null,
            Some(_) => Current::Other("a url that is not a string".into()),
            None => Current::Other("a body without url".into()),
        })
    }

    /// GETs and requires `url`; `after` says what came before (`after the second POST`).
    pub(crate) fn expect_current(&mut self, url: &str, after: &str) -> Result<(), Stop> {
        match self.current()? {
            Current::Url(u) if u == url => Ok(()),
            other => Err(Stop::Fail(format!(
                "GET {after} answered {}, not the URL {url:?}",
                other.describe()
            ))),
        }
    }

    /// Sends `request`, which carries bad input described by `what`, requires a 4xx, then
    /// requires that `url` is still configured.
    pub(crate) fn expect_rejected(
        &mut self,
        request: Request,
        what: &str,
        url: &str,
    ) -> Result<(), Stop> {
        let method = request.method;
        let r = self.send(request)?;
        if !r.is_client_error() {
            let kind = match r.status {
                200..=299 => "accepted it",
                500..=599 => "a server error; bad input must get a 4xx",
                _ => "not a 4xx",
            };
            return Err(Stop::Fail(format!(
                "{method} with {what} answered {} ({kind})",
                r.status
            )));
        }
        self.expect_current(url, &format!("after the rejected {method} with {what}"))
    }
}

/// `current` described for a passed check's note.
pub(crate) fn removed_as(current: &Current) -> Option<&'static str> {
    match current {
        Current::NotFound => Some("GET answers 404"),
        Current::Null => Some("GET answers a null url"),
        Current::Empty => Some("GET answers an empty url"),
        _ => None,
    }
}

/// `current` described in a failure.
pub(crate) fn describe(current: &Current) -> String {
    current.describe()
}
