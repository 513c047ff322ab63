//! What each [`Check`] does, as a sequence of requests. Each check first sets a URL of its own
//! (so that no check depends on what an earlier one left behind) and stops at the first thing
//! the server gets wrong.

use serde_json::{Value, json};

use super::checks::Check;
use super::client::{Auth, Method};
use super::inputs::Inputs;
use super::mock::MAX_URL;
use super::probe::{Current, Probe, Stop, describe, removed_as};

/// A fact a passed check found out (`GET after DELETE` → `answers 404`).
pub(crate) type Note = (&'static str, String);

/// Runs `check`; the notes of a passed check, or why it stopped.
pub(crate) fn run(check: Check, p: &mut Probe<'_>, inputs: &Inputs) -> Result<Vec<Note>, Stop> {
    match check {
        Check::PostResponse => post_response(p, inputs),
        Check::GetResponse => get_response(p, inputs),
        Check::GetAfterPost => {
            p.set(inputs.post(2))?;
            p.expect_current(inputs.url(2), "after POST")?;
            Ok(Vec::new())
        }
        Check::PostReplaces => {
            p.set(inputs.post(3))?;
            p.set(inputs.post(4))?;
            p.expect_current(inputs.url(4), "after the second POST")?;
            Ok(Vec::new())
        }
        Check::DeleteRemoves => delete_removes(p, inputs),
        Check::AuthMissingToken => auth(p, inputs, 6, Auth::Missing, "without a token"),
        Check::AuthWrongToken => {
            let wrong = Auth::Wrong(p.wrong_token());
            auth(p, inputs, 7, wrong, "with a wrong token")
        }
        Check::RejectsNotJson => {
            let bodies = [
                (r#"{"url": "https://example.com/hook""#, "truncated JSON"),
                ("url=https%3A%2F%2Fexample.com%2Fhook", "a form body"),
                ("", "an empty body"),
            ];
            rejects(p, inputs, 1, bodies.map(|(b, what)| (b.to_owned(), what)))
        }
        Check::RejectsMissingUrl => {
            let bodies = [
                ("{}".to_owned(), "an empty object"),
                (inputs.post_with_url(2, Value::Null), "a null url"),
                (
                    json!({"link": inputs.url(3)}).to_string(),
                    "another field instead of url",
                ),
                (json!([inputs.posts[2]]).to_string(), "an array body"),
            ];
            rejects(p, inputs, 2, bodies)
        }
        Check::RejectsNotAUrl => {
            let urls = [
                (json!("not a url"), "the url \"not a url\""),
                (json!("example.com/hook"), "a url without scheme"),
                (json!("https://"), "the url \"https://\""),
                (json!(""), "an empty url"),
                (json!(42), "a number as url"),
            ];
            let bodies = urls.map(|(u, what)| (inputs.post_with_url(3, u), what));
            rejects(p, inputs, 3, bodies)
        }
        Check::RejectsNotHttp => {
            let urls = [
                ("ftp://example.com/hook", "an ftp url"),
                ("file:///etc/passwd", "a file url"),
                ("javascript:alert(1)", "a javascript url"),
                ("mailto:ops@example.com", "a mailto url"),
            ];
            let bodies = urls.map(|(u, what)| (inputs.post_with_url(4, json!(u)), what));
            rejects(p, inputs, 4, bodies)
        }
        Check::RejectsLongUrl => {
            let long = |len: usize| {
                let mut u = String::from("https://example.com/hook?pad=");
                u.push_str(&"a".repeat(len - u.len()));
                json!(u)
            };
            let bodies = [
                (
                    inputs.post_with_url(5, long(MAX_URL + 1)),
                    "a url of 2049 bytes",
                ),
                (inputs.post_with_url(5, long(16 * 1024)), "a url of 16 KiB"),
            ];
            rejects(p, inputs, 5, bodies)
        }
        Check::RejectsWrongContentType => {
            p.set(inputs.post(6))?;
            for (ct, what) in [
                (Some("text/plain"), "Content-Type text/plain"),
                (
                    Some("application/x-www-form-urlencoded"),
                    "a form Content-Type",
                ),
                (None, "no Content-Type"),
            ] {
                let r = p.request(Method::Post).body(ct, inputs.post(7));
                p.expect_rejected(r, what, inputs.url(6))?;
            }
            Ok(Vec::new())
        }
        Check::ExtraFields => extra_fields(p, inputs),
    }
}

fn json_body(p: &Probe<'_>) -> Result<Value, Stop> {
    let Some(Ok(r)) = &p.last else {
        return Err(Stop::Fail("no answer".into()));
    };
    if !r.is_success() {
        return Err(Stop::Fail(format!("answered {}, not 2xx", r.status)));
    }
    if !r.is_json() {
        return Err(Stop::Fail(format!(
            "Content-Type is {}, not application/json",
            r.content_type.as_deref().unwrap_or("missing")
        )));
    }
    serde_json::from_str(&r.body).map_err(|e| Stop::Fail(format!("the body is not JSON: {e}")))
}

fn schema_valid(
    value: &Value,
    validator: &crate::validate::Validator,
    schema: &str,
) -> Result<(), Stop> {
    let violations = validator.violations(value);
    if violations.is_empty() {
        return Ok(());
    }
    let all: Vec<String> = violations
        .iter()
        .map(|v| match v.instance_path.as_str() {
            "" => format!("(the body) {}: {}", v.keyword, v.message),
            _ => v.to_string(),
        })
        .collect();
    Err(Stop::Fail(format!(
        "the body does not match {schema}: {}",
        all.join("; ")
    )))
}

fn post_response(p: &mut Probe<'_>, inputs: &Inputs) -> Result<Vec<Note>, Stop> {
    p.send(p.request(Method::Post).json(inputs.post(0)))?;
    let body = json_body(p)?;
    schema_valid(&body, inputs.post_response, "api.webhook.post.response")?;
    if body["url"] != inputs.url(0) {
        return Err(Stop::Fail(format!(
            "the answer's url is {}, not the URL sent {:?}",
            body["url"],
            inputs.url(0)
        )));
    }
    Ok(Vec::new())
}

fn get_response(p: &mut Probe<'_>, inputs: &Inputs) -> Result<Vec<Note>, Stop> {
    p.set(inputs.post(1))?;
    p.send(p.request(Method::Get))?;
    let body = json_body(p)?;
    schema_valid(&body, inputs.get_response, "api.webhook.get.response")?;
    Ok(Vec::new())
}

fn delete_removes(p: &mut Probe<'_>, inputs: &Inputs) -> Result<Vec<Note>, Stop> {
    let url = inputs.url(5);
    p.set(inputs.post(5))?;
    let r = p.send(p.request(Method::Delete).json(inputs.delete(url)))?;
    if !r.is_success() {
        return Err(Stop::Fail(format!(
            "DELETE of the URL set answered {}, not 2xx",
            r.status
        )));
    }
    let after = p.current()?;
    match removed_as(&after) {
        Some(how) => Ok(vec![("after DELETE", how.to_owned())]),
        None => Err(Stop::Fail(match &after {
            Current::Url(u) if u == url => {
                "GET after DELETE still answers the URL: DELETE did not remove it".to_owned()
            }
            other => format!(
                "GET after DELETE answered {}, not 404 or an empty or null url",
                describe(other)
            ),
        })),
    }
}

fn auth(
    p: &mut Probe<'_>,
    inputs: &Inputs,
    i: usize,
    auth: Auth,
    what: &str,
) -> Result<Vec<Note>, Stop> {
    let url = inputs.url(i);
    p.set(inputs.post(i))?;
    for method in Method::ALL {
        let request = match method {
            Method::Post => p.request(method).json(inputs.post(i + 1)),
            Method::Get => p.request(method),
            Method::Delete => p.request(method).json(inputs.delete(url)),
        }
        .auth(auth.clone());
        let r = p.send(request)?;
        if !matches!(r.status, 401 | 403) {
            return Err(Stop::Fail(format!(
                "{method} {what} answered {}, not 401 or 403",
                r.status
            )));
        }
        p.expect_current(url, &format!("after the refused {method} {what}"))?;
    }
    Ok(Vec::new())
}

fn rejects<const N: usize>(
    p: &mut Probe<'_>,
    inputs: &Inputs,
    i: usize,
    bodies: [(String, &str); N],
) -> Result<Vec<Note>, Stop> {
    p.set(inputs.post(i))?;
    for (body, what) in bodies {
        let r = p.request(Method::Post).json(body);
        p.expect_rejected(r, what, inputs.url(i))?;
    }
    Ok(Vec::new())
}

fn extra_fields(p: &mut Probe<'_>, inputs: &Inputs) -> Result<Vec<Note>, Stop> {
    let extras = [
        ("x_hookcheck_note", json!("an undeclared string")),
        ("x_hookcheck_nested", json!({"a": [1, null, {"b": true}]})),
        ("x_hookcheck_null", Value::Null),
    ];
    let mut configured = inputs.url(7).to_owned();
    p.set(inputs.post(7))?;
    let mut accepted: Option<bool> = None;
    for (n, (name, value)) in extras.into_iter().enumerate() {
        let mut body = inputs.posts[n].clone();
        body[name] = value;
        let url = inputs.url(n);
        let r = p.send(p.request(Method::Post).json(body.to_string()))?;
        let this = match r.status {
            200..=299 => true,
            400..=499 => false,
            s => {
                return Err(Stop::Fail(format!(
                    "POST with the extra field {name} answered {s}: neither accepted (2xx) nor rejected (4xx)"
                )));
            }
        };
        if let Some(before) = accepted
            && before != this
        {
            return Err(Stop::Fail(format!(
                "POST with the extra field {name} was {} but earlier extra fields were {}: not consistent",
                word(this),
                word(before)
            )));
        }
        accepted = Some(this);
        if this {
            configured = url.to_owned();
        }
        p.expect_current(
            &configured,
            &format!("after the {} POST with {name}", word(this)),
        )?;
    }
    Ok(vec![(
        "extra fields",
        word(accepted.unwrap_or(true)).to_owned(),
    )])
}

fn word(accepted: bool) -> &'static str {
    if accepted { "accepted" } else { "rejected" }
}
