//! A Mastercard-style API with payload encryption: `/encrypted` and everything below it, any
//! method. The request's OAuth 1.0a signature is checked over the bytes received (the encrypted
//! body, as Mastercard checks it), the body is decrypted with the service's key (the *Client
//! Encryption Key*'s private half), and the answer, `{ok, consumer_key, method, path,
//! received}`, is encrypted to the client's key. Configured with `POST /__admin/encryption`.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use finauth::encryption::{DecryptionKey, EncryptionCertificate, PayloadEncryption, Scheme};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::state::Shared;

/// Path prefix of the encrypted API.
pub const ENCRYPTED_PATH: &str = "/encrypted";

/// How the service decrypts requests and encrypts answers (`POST /__admin/encryption`).
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EncryptionSpec {
    /// `jwe` (default) or `fle`.
    #[serde(default)]
    pub scheme: Option<String>,
    /// The service's private key (PEM): requests are decrypted with it.
    pub decryption_key_pem: String,
    /// The client's certificate or public key (PEM): answers are encrypted to it.
    pub encryption_certificate_pem: String,
    /// The service side's options (docs/GUIDE.md: `options_json`), e.g. its decryption paths
    /// for requests and its encryption paths for answers.
    #[serde(default)]
    pub options: Option<Value>,
}

#[derive(Default)]
pub(crate) struct EncryptedApi {
    config: Mutex<Option<PayloadEncryption>>,
}

impl EncryptedApi {
    fn lock(&self) -> MutexGuard<'_, Option<PayloadEncryption>> {
        self.config.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn current(&self) -> Option<PayloadEncryption> {
        self.lock().clone()
    }

    pub fn configure(&self, spec: EncryptionSpec) -> Result<(), String> {
        let scheme: Scheme = spec
            .scheme
            .as_deref()
            .unwrap_or("jwe")
            .parse()
            .map_err(|e: finauth::Error| e.to_string())?;
        let options = spec.options.map(|o| o.to_string()).unwrap_or_default();
        let enc = PayloadEncryption::builder(scheme)
            .options_json(&options)
            .and_then(|b| {
                Ok(
                    b.decryption_key(DecryptionKey::from_pem(&spec.decryption_key_pem, None)?)
                        .encryption_certificate(EncryptionCertificate::from_pem(
                            &spec.encryption_certificate_pem,
                        )?),
                )
            })
            .and_then(|b| b.build())
            .map_err(|e| e.to_string())?;
        *self.lock() = Some(enc);
        Ok(())
    }
}

fn answer(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

pub(crate) async fn endpoint(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared
        .lock()
        .count_endpoint(format!("{method} {}", uri.path()));
    let Some(enc) = shared.encrypted.current() else {
        return answer(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"ok": false, "error": "not_configured", "message": "POST /__admin/encryption first"}),
        );
    };
    // The signature covers the bytes received: the encrypted body.
    let consumer_key = match crate::oauth1::check(&shared, &method, &uri, &headers, &body) {
        Ok(ck) => ck,
        Err(rejected) => return *rejected,
    };
    let lookup = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let received = match enc.decrypt_response(&body, lookup) {
        Ok(clear) if clear.iter().all(u8::is_ascii_whitespace) => Value::Null,
        Ok(clear) => serde_json::from_slice(&clear).unwrap_or(Value::Null),
        Err(e) => {
            return answer(
                StatusCode::BAD_REQUEST,
                json!({"ok": false, "error": "decryption_failed", "message": e.to_string()}),
            )
        }
    };
    let reply = json!({
        "ok": true,
        "consumer_key": consumer_key,
        "method": method.as_str(),
        "path": uri.path(),
        "received": received,
    });
    match enc.encrypt_request(reply.to_string().as_bytes()) {
        Ok(r) => {
            let mut resp = (StatusCode::OK, r.body).into_response();
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            for (k, v) in r.headers {
                if let (Ok(k), Ok(v)) = (
                    HeaderName::from_bytes(k.as_bytes()),
                    HeaderValue::from_str(&v),
                ) {
                    h.insert(k, v);
                }
            }
            resp
        }
        Err(e) => answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"ok": false, "error": "encryption_failed", "message": e.to_string()}),
        ),
    }
}
