//! Scripted answers: a test queues the exact answers (status, headers, body) the next requests
//! under a path prefix get, in order, and reads back what those requests carried. The request
//! policy's conformance corpus and the hostile-server tests run through it, so every binding's
//! real HTTP library meets the same byte-for-byte answers. When the queue is empty the sandbox
//! answers as usual.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::state::Shared;

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
        s.answers.pop_front()
    };
    match answer {
        Some(a) if !a.pass => render(a),
        _ => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
    }
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
