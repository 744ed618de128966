//! Scripted answers: a test queues the exact answers (status, headers, body) the next requests
//! under a path prefix get, in order, and reads back what those requests carried. The request
//! policy's conformance corpus and the hostile-server tests run through it, so every binding's
//! real HTTP library meets the same byte-for-byte answers. When the queue is empty the sandbox
//! answers as usual. An answer may also be late (`delay_ms`), repeat (`times`, `for_ms`: a 5xx
//! storm is one answer repeated), or break on the wire (`fault`, see [`crate::wire`]).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::state::Shared;
use crate::wire::{Wire, WireFault};

/// Bodies the script records are cut here (they are read back only to compare).
const MAX_RECORDED_BODY: usize = 64 * 1024;

/// One scripted answer. `pass: true` lets the sandbox answer as usual (the request is recorded).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ScriptedAnswer {
    pub status: u16,
    /// Header name → value, sent as given (values may be any bytes a header can carry).
    pub headers: BTreeMap<String, String>,
    pub body: String,
    pub pass: bool,
    /// Wait this long before answering (before the head: a server slower than the client).
    pub delay_ms: u64,
    /// Break the answer on the wire instead of sending it whole (plain HTTP only).
    pub fault: Option<WireFault>,
    /// Answer this many requests (0 and 1: one).
    pub times: u32,
    /// Instead of `times`: answer every request until this long after the first one it answered.
    pub for_ms: u64,
}

/// A request the script saw.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct ReceivedRequest {
    pub method: String,
    /// Path and query as sent.
    pub path: String,
    /// Lower-case header name → value (values that are not UTF-8 are lossily decoded).
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

#[derive(Default)]
pub(crate) struct Script {
    prefix: String,
    answers: std::collections::VecDeque<ScriptedAnswer>,
    received: Vec<ReceivedRequest>,
    /// How many requests the first answer served, and when it served the first.
    head_used: u32,
    head_started: Option<Instant>,
}

impl Script {
    /// The answer for the next request: the first one, used up after `times` requests or once
    /// `for_ms` has passed since it first answered.
    fn next_answer(&mut self) -> Option<ScriptedAnswer> {
        loop {
            let front = self.answers.front()?;
            if front.for_ms > 0 {
                let started = *self.head_started.get_or_insert_with(Instant::now);
                if started.elapsed() < Duration::from_millis(front.for_ms) {
                    return Some(front.clone());
                }
                self.pop();
                continue;
            }
            self.head_used += 1;
            if self.head_used < front.times.max(1) {
                return Some(front.clone());
            }
            return self.pop();
        }
    }

    fn pop(&mut self) -> Option<ScriptedAnswer> {
        self.head_used = 0;
        self.head_started = None;
        self.answers.pop_front()
    }
}

/// `POST /__admin/script`: replaces the script.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScriptRequest {
    pub path_prefix: String,
    pub answers: Vec<ScriptedAnswer>,
}

/// `GET /__admin/script`.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ScriptReport {
    pub remaining: usize,
    pub received: Vec<ReceivedRequest>,
}

pub(crate) struct ScriptCell(Mutex<Script>);

impl ScriptCell {
    pub fn new() -> Self {
        ScriptCell(Mutex::new(Script::default()))
    }

    fn lock(&self) -> MutexGuard<'_, Script> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set(&self, r: ScriptRequest) {
        let mut s = self.lock();
        s.prefix = r.path_prefix;
        s.answers = r.answers.into();
        s.received.clear();
        s.head_used = 0;
        s.head_started = None;
    }

    pub fn clear(&self) {
        *self.lock() = Script::default();
    }

    pub fn report(&self) -> ScriptReport {
        let s = self.lock();
        ScriptReport {
            remaining: s.answers.len(),
            received: s.received.clone(),
        }
    }
}

/// The middleware: a request under the prefix while answers remain is recorded and answered from
/// the queue; every other request goes on to the routes.
pub(crate) async fn layer(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let path = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
    let scripted = {
        let s = shared.script.lock();
        !s.prefix.is_empty()
            && !path.starts_with("/__admin")
            && path.starts_with(&s.prefix)
            && !s.answers.is_empty()
    };
    if !scripted {
        return next.run(req).await;
    }
    let wire = req
        .extensions()
        .get::<ConnectInfo<Wire>>()
        .map(|ConnectInfo(w)| w.clone());
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, 1024 * 1024).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "body too large").into_response();
    };
    let headers = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let recorded_body =
        String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_RECORDED_BODY)]).into_owned();
    let answer = {
        let mut s = shared.script.lock();
        s.received.push(ReceivedRequest {
            method: parts.method.to_string(),
            path,
            headers,
            body: recorded_body,
        });
        s.next_answer()
    };
    let Some(a) = answer else {
        return next
            .run(Request::from_parts(parts, Body::from(bytes)))
            .await;
    };
    if a.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(a.delay_ms)).await;
    }
    match (a.pass, &a.fault, wire) {
        (true, _, _) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        (false, Some(fault), Some(wire)) => {
            let headers: Vec<(String, String)> = a.headers.clone().into_iter().collect();
            wire.play(fault, a.status, &headers, a.body.as_bytes())
                .await;
            broken()
        }
        (false, Some(_), None) => (
            StatusCode::NOT_IMPLEMENTED,
            "finauth-sandbox: wire faults need plain HTTP",
        )
            .into_response(),
        (false, None, _) => render(a),
    }
}

/// What hyper gets after a wire fault wrote the answer: a body that fails, so hyper drops the
/// connection (its own head goes nowhere: the connection is muted).
fn broken() -> Response {
    let failed = futures_util::stream::once(async {
        Err::<axum::body::Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "finauth-sandbox: wire fault played",
        ))
    });
    Response::new(Body::from_stream(failed))
}

fn render(a: ScriptedAnswer) -> Response {
    let mut response = Response::new(Body::from(a.body));
    *response.status_mut() =
        StatusCode::from_u16(a.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in a.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            response.headers_mut().append(n, v);
        }
    }
    response
}
