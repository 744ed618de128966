//! Understands every answer shape Finicity is known to send (FINICITY.md): JSON `{code, message}`
//! with the code as number or string, the `Errors` wrapper in both casings, plain text, empty
//! bodies and legacy XML. The Finicity code decides before the HTTP status.

use crate::error::Error;
use serde_json::Value;
use std::time::Duration;

/// A server answer reduced to what the SDK decides on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub code: Option<u32>,
    /// The server's text, whole and as sent: finauth scrubs and shortens it only when it becomes
    /// part of an error, so a secret in it is found wherever it stands.
    pub message: Option<String>,
    /// `token` (JSON) or `<access><token>` (XML) of a successful authentication.
    pub token: Option<String>,
    pub retry_after: Option<Duration>,
}

impl Answer {
    /// True if a resource rejected the token (10022 invalid, 10023 expired; with HTTP 401, or
    /// 500 as Finicity's error-code page allows): invalidate it and resend the request once.
    pub fn rejects_token(&self) -> bool {
        matches!(self.status, 401 | 500) && matches!(self.code, Some(10022 | 10023))
    }
}

/// [`Answer::rejects_token`] for a raw response: the one rule every binding's HTTP integration
/// (requests, httpx, fetch, axios, OkHttp) applies.
pub fn rejects_token(status: u16, content_type: &str, body: &[u8]) -> bool {
    parse(status, content_type, body, None).rejects_token()
}

/// What a resource's answer means for the token lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceVerdict {
    /// Nothing for finauth to do: hand the answer to the caller.
    Pass,
    /// The token was rejected (10022/10023): invalidate it and resend the request once.
    TokenRejected,
    /// The Partner ID is locked (24302): every process sharing the store must stop.
    AccountLocked,
}

impl ResourceVerdict {
    /// What an HTTP integration does next: `Err(AccountLocked)` on a lock (raise it), else
    /// whether to invalidate the token it sent and resend the request once.
    pub fn resend(self) -> Result<bool, Error> {
        match self {
            ResourceVerdict::Pass => Ok(false),
            ResourceVerdict::TokenRejected => Ok(true),
            ResourceVerdict::AccountLocked => Err(Error::AccountLocked { code: 24302 }),
        }
    }
}

impl Answer {
    /// The verdict on a resource answer (not on an authentication answer). The statuses judged
    /// are the request policy's (`exchange::policy::finicity_judges`), so an integration that
    /// observes answers (the C API) and one that runs the exchange stop on the same answers.
    pub fn resource_verdict(&self) -> ResourceVerdict {
        if self.rejects_token() {
            ResourceVerdict::TokenRejected
        } else if crate::exchange::policy::finicity_judges(self.status) && self.code == Some(24302)
        {
            ResourceVerdict::AccountLocked
        } else {
            ResourceVerdict::Pass
        }
    }
}

/// Known plain-text messages and the codes they stand for.
const TEXT_CODES: &[(&str, u32)] = &[
    ("invalid credentials", 10001),
    ("you are not authorized", 10021),
    ("invalid (finicity-app-token)", 10022),
    ("expired (finicity-app-token)", 10023),
    ("missing parameter (finicity-app-token)", 10024),
    ("missing parameter (finicity-app-key)", 10026),
    ("invalid (finicity-app-key)", 10027),
    ("partner not found", 12401),
    ("bad credentials", 24302),
    ("new password is not as per policy", 24437),
];

/// Parse a response body of any known shape.
pub fn parse(status: u16, content_type: &str, body: &[u8], retry_after: Option<&str>) -> Answer {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    let mut a = Answer {
        status,
        retry_after: retry_after.and_then(parse_retry_after),
        ..Answer::default()
    };
    if text.is_empty() {
        return a;
    }
    let ct = content_type.to_ascii_lowercase();
    if text.starts_with('{') || text.starts_with('[') || ct.contains("json") {
        if let Ok(v) = serde_json::from_str::<Value>(text) {
            read_json(&v, &mut a);
            return a;
        }
    }
    if text.starts_with('<') || ct.contains("xml") {
        read_xml(text, &mut a);
        if a.code.is_some() || a.token.is_some() || a.message.is_some() {
            return a;
        }
    }
    a.message = Some(text.to_owned());
    a.code = code_from_text(text);
    a
}

fn code_from_text(text: &str) -> Option<u32> {
    let lower = text.to_ascii_lowercase();
    TEXT_CODES
        .iter()
        .find(|(m, _)| lower.contains(m))
        .map(|(_, c)| *c)
}

fn parse_retry_after(v: &str) -> Option<Duration> {
    let secs: f64 = v.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(86_400.0)))
}

/// Case-insensitive member lookup.
fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn as_code(v: &Value) -> Option<u32> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_text(v: &Value) -> Option<String> {
    v.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
}

fn read_json(v: &Value, a: &mut Answer) {
    a.token = get(v, "token").and_then(|t| t.as_str()).map(str::to_owned);
    a.code = get(v, "code").and_then(as_code);
    a.message = get(v, "message")
        .and_then(as_text)
        .or_else(|| get(v, "user_message").and_then(as_text))
        .or_else(|| get(v, "title").and_then(as_text));
    if a.code.is_some() {
        return;
    }
    // {"Errors": {"Error": [ {...} ]}} in either casing; `Error` may be one object.
    let first = get(v, "errors")
        .and_then(|e| get(e, "error").or(Some(e)))
        .and_then(|e| match e {
            Value::Array(items) => items.first(),
            other => Some(other),
        });
    if let Some(e) = first {
        a.code = get(e, "reasoncode")
            .or_else(|| get(e, "code"))
            .and_then(as_code);
        a.message = get(e, "description")
            .or_else(|| get(e, "message"))
            .and_then(as_text)
            .or(a.message.take());
    }
    if a.code.is_none() {
        a.code = a.message.as_deref().and_then(code_from_text);
    }
}

fn read_xml(text: &str, a: &mut Answer) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut current = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                current = e.local_name().as_ref().to_ascii_lowercase();
            }
            Ok(Event::Text(t)) => {
                let value = t.into_inner().trim().to_owned();
                if value.is_empty() {
                    continue;
                }
                match current.as_str() {
                    "token" => a.token = Some(value),
                    "code" | "reasoncode" => a.code = value.parse().ok(),
                    "message" | "description" => a.message = Some(value),
                    _ => {}
                }
            }
            Ok(Event::End(_)) => current.clear(),
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
}

/// What an answer to the authentication call (POST) or Modify Partner Secret (PUT) means.
#[derive(Debug, Clone)]
pub enum AuthVerdict {
    /// 2xx; the token when the body carried one.
    Ok(Option<String>),
    /// The secret was rejected: counts toward the lockout.
    Credential(Option<u32>),
    /// 24302: the Partner ID is locked.
    Locked(u32),
    /// Everything else; never a verdict on the secret.
    Other(Error),
}

/// Decide on an authentication answer: the Finicity code first, then the HTTP status.
pub fn auth_verdict(a: &Answer) -> AuthVerdict {
    let msg = || a.message.clone().unwrap_or_default();
    match a.code {
        Some(24302) => return AuthVerdict::Locked(24302),
        Some(c @ (10001 | 10021)) => return AuthVerdict::Credential(Some(c)),
        Some(c @ (10026 | 10027)) => {
            return AuthVerdict::Other(Error::Config(format!(
                "the server rejected the App Key (code {c}): check app_key (FINICITY_APP_KEY)"
            )))
        }
        Some(12401) => {
            return AuthVerdict::Other(Error::Config(
                "partner not found (code 12401): check partner_id and base_url (sandbox and production Partner IDs differ)".into(),
            ))
        }
        Some(c @ (10005 | 14020)) => {
            return AuthVerdict::Other(Error::Config(format!(
                "the server refused the request as malformed (code {c}): check partner_id"
            )))
        }
        Some(24437) => {
            return AuthVerdict::Other(Error::Config(
                "new partner secret: not as per policy (code 24437): 12–255 characters of A-Z a-z 0-9 ! @ # $ % & * _ - +, with a letter and a digit".into(),
            ))
        }
        _ => {}
    }
    match a.status {
        200..=299 => AuthVerdict::Ok(a.token.clone()),
        // A 401 the SDK cannot read is treated as a verdict: the guard errs on the safe side.
        401 => AuthVerdict::Credential(a.code),
        429 => AuthVerdict::Other(Error::RateLimited {
            retry_after: a.retry_after,
            hint: "on the authentication call a 429 most often means a wrong App Key (its rate limit is 0) or a product outside the plan; check app_key".into(),
        }),
        403 => AuthVerdict::Other(Error::Server {
            status: 403,
            code: a.code,
            message: format!(
                "forbidden: Finicity answers 403 to callers outside the US and Canada (a location block, not a credential verdict){}",
                if msg().is_empty() { String::new() } else { format!(": {}", msg()) }
            ),
            oauth: None,
        }),
        404 => AuthVerdict::Other(Error::Config(format!(
            "the authentication endpoint answered 404: check base_url{}",
            if msg().is_empty() { String::new() } else { format!(" ({})", msg()) }
        ))),
        400 | 405 | 415 | 422 => AuthVerdict::Other(Error::Config(format!(
            "the server refused the request (HTTP {}, {}): {}",
            a.status,
            a.code
                .map_or_else(|| "no Finicity code".into(), |c| format!("code {c}")),
            msg()
        ))),
        status => AuthVerdict::Other(Error::Server {
            status,
            code: a.code,
            message: msg(),
            oauth: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_24302_locks_on_the_statuses_the_request_policy_judges_only() {
        for (status, locks) in [
            (401, true),
            (500, true),
            (403, false),
            (400, false),
            (200, false),
        ] {
            let a = parse(status, "application/json", br#"{"code":24302}"#, None);
            let verdict = a.resource_verdict();
            assert_eq!(verdict == ResourceVerdict::AccountLocked, locks, "{status}");
            let mut policy =
                crate::exchange::policy::Policy::new(crate::exchange::policy::Scheme::Finicity);
            let reading = policy.read(
                status,
                [("Content-Type", "application/json")],
                br#"{"code":24302}"#,
            );
            let decided = policy.decide(&reading, false);
            assert_eq!(
                matches!(decided, crate::exchange::policy::Decision::Locked { .. }),
                locks,
                "{status}: the policy agrees"
            );
        }
    }

    #[test]
    fn json_code_as_number_or_string() {
        let a = parse(
            401,
            "application/json",
            br#"{"code":10001,"message":"Invalid credentials"}"#,
            None,
        );
        assert_eq!(a.code, Some(10001));
        let b = parse(
            401,
            "application/json",
            br#"{"code":"10001","message":"x","status":"401"}"#,
            None,
        );
        assert_eq!(b.code, Some(10001));
        assert!(matches!(
            auth_verdict(&b),
            AuthVerdict::Credential(Some(10001))
        ));
    }

    #[test]
    fn errors_wrapper_in_both_casings() {
        let up = br#"{"Errors":{"Error":[{"Source":"x","ReasonCode":"24302","Description":"Bad credentials","Recoverable":false}]}}"#;
        let a = parse(500, "application/json", up, None);
        assert_eq!(
            (a.code, a.message.as_deref()),
            (Some(24302), Some("Bad credentials"))
        );
        assert!(matches!(auth_verdict(&a), AuthVerdict::Locked(24302)));
        let low = br#"{"errors":{"error":{"reasonCode":10023,"description":"Expired"}}}"#;
        assert_eq!(parse(401, "application/json", low, None).code, Some(10023));
    }

    #[test]
    fn plain_text_empty_and_xml() {
        let t = parse(401, "text/plain", b"Invalid (Finicity-App-Key)", None);
        assert_eq!(t.code, Some(10027));
        assert!(matches!(
            auth_verdict(&t),
            AuthVerdict::Other(Error::Config(_))
        ));
        let e = parse(429, "", b"", Some("7"));
        assert_eq!(e.retry_after, Some(Duration::from_secs(7)));
        assert!(matches!(
            auth_verdict(&e),
            AuthVerdict::Other(Error::RateLimited { .. })
        ));
        let x = parse(
            200,
            "application/xml",
            b"<access><token>abc</token></access>",
            None,
        );
        assert!(matches!(auth_verdict(&x), AuthVerdict::Ok(Some(t)) if t == "abc"));
        let xe = parse(
            500,
            "application/xml",
            b"<error><code>24302</code><message>Bad credentials</message></error>",
            None,
        );
        assert!(matches!(auth_verdict(&xe), AuthVerdict::Locked(24302)));
    }

    #[test]
    fn token_rejection_is_10022_or_10023_with_401_or_500() {
        assert!(rejects_token(
            401,
            "text/plain",
            b"Expired (Finicity-App-Token)"
        ));
        assert!(rejects_token(
            500,
            "application/json",
            br#"{"code":"10022"}"#
        ));
        assert!(!rejects_token(
            200,
            "application/json",
            br#"{"code":10022}"#
        ));
        assert!(!rejects_token(
            401,
            "application/json",
            br#"{"code":10024}"#
        ));
    }

    #[test]
    fn code_decides_before_status() {
        let a = parse(
            500,
            "application/json",
            br#"{"code":24302,"message":"Bad credentials"}"#,
            None,
        );
        assert!(matches!(auth_verdict(&a), AuthVerdict::Locked(24302)));
        let s = parse(503, "text/html", b"<html>upstream</html>", None);
        assert!(matches!(
            auth_verdict(&s),
            AuthVerdict::Other(Error::Server { status: 503, .. })
        ));
    }
}
