//! The admin API under `/__admin` (JSON in, JSON out). See README.md.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::state::Shared;
use crate::{ErrorStyle, Fault, Partner};

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/health", get(health))
        .route("/stats", get(stats))
        .route("/reset-stats", post(reset_stats))
        .route("/config", get(get_config).post(set_config))
        .route("/faults", post(push_fault).delete(clear_faults))
        .route(
            "/script",
            post(set_script).get(get_script).delete(clear_script),
        )
        .route("/partners", post(add_partner))
        .route("/oauth1-keys", post(add_oauth1_key))
        .route("/encryption", post(configure_encryption))
        .route("/oauth2/clients", post(add_oauth2_client))
        .route(
            "/oauth2/config",
            get(get_oauth2_config).post(set_oauth2_config),
        )
        .route("/oauth2/rotate-nonces", post(rotate_oauth2_nonces))
        .route("/oauth2/expire-tokens", post(expire_oauth2_tokens))
        .route("/unlock", post(unlock))
        .route("/expire-tokens", post(expire_tokens))
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(serde_json::json!({ "error": message.into() }))).into_response()
}

/// Parses a JSON body; an empty body reads as `{}`.
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let body: &[u8] = if body.trim_ascii().is_empty() {
        b"{}"
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| format!("invalid admin request: {e}"))
}

async fn health() -> Response {
    Json(serde_json::json!({ "ok": true })).into_response()
}

async fn stats(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.stats()).into_response()
}

async fn reset_stats(State(shared): State<Arc<Shared>>) -> Response {
    shared.reset_stats();
    StatusCode::NO_CONTENT.into_response()
}

/// `GET`/`POST /__admin/config` body and answer.
#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ConfigPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    latency_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    token_lifetime_secs: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error_style: Option<ErrorStyle>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    locked_status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lockout_threshold: Option<u32>,
}

fn current_config(shared: &Shared) -> ConfigPatch {
    let inner = shared.lock();
    let s = &inner.settings;
    ConfigPatch {
        latency_ms: Some(u64::try_from(s.latency.as_millis()).unwrap_or(u64::MAX)),
        token_lifetime_secs: Some(s.token_lifetime.as_secs_f64()),
        error_style: Some(s.error_style),
        locked_status: Some(s.locked_status),
        lockout_threshold: Some(s.lockout_threshold),
    }
}

async fn get_config(State(shared): State<Arc<Shared>>) -> Response {
    Json(current_config(&shared)).into_response()
}

async fn set_config(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let patch: ConfigPatch = match parse(&body) {
        Ok(p) => p,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let lifetime = match patch.token_lifetime_secs.map(Duration::try_from_secs_f64) {
        Some(Err(_)) => {
            return error(
                StatusCode::BAD_REQUEST,
                "token_lifetime_secs must be a finite, non-negative number",
            )
        }
        Some(Ok(d)) => Some(d),
        None => None,
    };
    if let Some(status) = patch.locked_status {
        if StatusCode::from_u16(status).is_err() {
            return error(
                StatusCode::BAD_REQUEST,
                "locked_status must be an HTTP status (100-999)",
            );
        }
    }
    {
        let mut inner = shared.lock();
        let s = &mut inner.settings;
        if let Some(ms) = patch.latency_ms {
            s.latency = Duration::from_millis(ms);
        }
        if let Some(d) = lifetime {
            s.token_lifetime = d;
        }
        if let Some(style) = patch.error_style {
            s.error_style = style;
        }
        if let Some(status) = patch.locked_status {
            s.locked_status = status;
        }
        if let Some(t) = patch.lockout_threshold {
            s.lockout_threshold = t;
        }
    }
    Json(current_config(&shared)).into_response()
}

/// The wire form of a [`Fault`].
#[derive(Deserialize)]
#[serde(untagged)]
enum FaultSpec {
    Named(NamedFault),
    Status {
        status: u16,
        #[serde(default)]
        content_type: Option<String>,
        #[serde(default)]
        body: String,
    },
    Delay {
        delay_ms: u64,
    },
    Throttled {
        retry_after_secs: u64,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum NamedFault {
    TruncatedBody,
    Locked,
}

impl From<FaultSpec> for Fault {
    fn from(spec: FaultSpec) -> Self {
        match spec {
            FaultSpec::Named(NamedFault::TruncatedBody) => Fault::TruncatedBody,
            FaultSpec::Named(NamedFault::Locked) => Fault::Locked,
            FaultSpec::Status {
                status,
                content_type,
                body,
            } => Fault::Status {
                status,
                content_type,
                body,
            },
            FaultSpec::Delay { delay_ms } => Fault::Delay(Duration::from_millis(delay_ms)),
            FaultSpec::Throttled { retry_after_secs } => Fault::Throttled { retry_after_secs },
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultRequest {
    fault: FaultSpec,
    #[serde(default = "one")]
    times: u32,
}

fn one() -> u32 {
    1
}

async fn push_fault(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let request: FaultRequest = match parse(&body) {
        Ok(r) => r,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let queued = {
        let mut inner = shared.lock();
        inner.push_fault(request.fault.into(), request.times);
        inner.faults.iter().map(|(_, n)| u64::from(*n)).sum::<u64>()
    };
    Json(serde_json::json!({ "queued": queued })).into_response()
}

async fn set_script(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match parse::<crate::script::ScriptRequest>(&body) {
        Ok(r) => {
            let queued = r.answers.len();
            shared.script.set(r);
            Json(serde_json::json!({ "queued": queued })).into_response()
        }
        Err(e) => error(StatusCode::BAD_REQUEST, e),
    }
}

async fn get_script(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.script.report()).into_response()
}

async fn clear_script(State(shared): State<Arc<Shared>>) -> Response {
    shared.script.clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    shared.lock().faults.clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn add_partner(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let partner: Partner = match parse(&body) {
        Ok(p) => p,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    if partner.partner_id.is_empty() || partner.secret.is_empty() || partner.app_key.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "partner_id, secret and app_key must not be empty",
        );
    }
    shared.lock().add_partner(partner);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct PartnerRef {
    partner_id: String,
}

/// Runs `op` on a known partner; 404 otherwise.
fn on_partner(
    shared: &Shared,
    body: &[u8],
    op: impl FnOnce(&mut crate::state::Inner, &str),
) -> Response {
    let PartnerRef { partner_id } = match parse(body) {
        Ok(p) => p,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let mut inner = shared.lock();
    if !inner.has_partner(&partner_id) {
        return error(StatusCode::NOT_FOUND, "unknown partner_id");
    }
    op(&mut inner, &partner_id);
    StatusCode::NO_CONTENT.into_response()
}

async fn unlock(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    on_partner(&shared, &body, |inner, id| inner.unlock(id))
}

async fn expire_tokens(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    on_partner(&shared, &body, |inner, id| inner.expire_tokens(id))
}

/// `POST /__admin/oauth1-keys` body.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OAuth1KeySpec {
    consumer_key: String,
    public_key_pem: String,
}

/// Configures the encrypted API (`/encrypted/...`): `EncryptionSpec` as JSON.
async fn configure_encryption(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let spec: crate::EncryptionSpec = match parse(&body) {
        Ok(s) => s,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    match shared.encrypted.configure(spec) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, e),
    }
}

/// Adds (or replaces) the public key of a consumer key for the OAuth 1.0a verifier.
async fn add_oauth1_key(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let spec: OAuth1KeySpec = match parse(&body) {
        Ok(s) => s,
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    match crate::oauth1::OAuth1Key::from_pem(spec.consumer_key, &spec.public_key_pem) {
        Ok(key) => {
            shared.oauth1.add_key(key);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => error(StatusCode::BAD_REQUEST, e),
    }
}

async fn add_oauth2_client(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match parse::<crate::OAuth2Client>(&body) {
        Ok(c) if !c.client_id.is_empty() => {
            shared.oauth2.add_client(c);
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(_) => error(StatusCode::BAD_REQUEST, "client_id must not be empty"),
        Err(e) => error(StatusCode::BAD_REQUEST, e),
    }
}

async fn get_oauth2_config(State(shared): State<Arc<Shared>>) -> Response {
    Json(shared.oauth2.settings()).into_response()
}

/// Replaces the OAuth 2.0 settings; fields left out take their defaults.
async fn set_oauth2_config(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match parse::<crate::OAuth2Settings>(&body) {
        Ok(s) => {
            shared.oauth2.set_settings(s);
            Json(shared.oauth2.settings()).into_response()
        }
        Err(e) => error(StatusCode::BAD_REQUEST, e),
    }
}

async fn rotate_oauth2_nonces(State(shared): State<Arc<Shared>>) -> Response {
    shared.oauth2.rotate_nonces();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct ClientRef {
    client_id: String,
}

async fn expire_oauth2_tokens(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match parse::<ClientRef>(&body) {
        Ok(c) => {
            shared.oauth2.expire_tokens(&c.client_id);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => error(StatusCode::BAD_REQUEST, e),
    }
}
