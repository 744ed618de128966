//! OAuth 2.0 client credentials (RFC 6749 §4.4) as a [`TokenSource`]: the four client
//! authentication methods, DPoP on the token request, and the RFC 6749 §5.2 error answers.

use super::config::{AuthMethod, Endpoint};
use super::discovery;
use super::dpop::{Dpop, DPOP_HEADER};
use super::jose;
use super::metadata::MetadataSource;
use crate::error::{Error, OAuthError, Result};
use crate::finicity::source::{read_raw, RawResponse};
use crate::finicity::APP_KEY_HEADER;
use crate::lifecycle::{CredentialAdvice, Engine, FetchError, Fetched, TokenSource};
use crate::oauth1::SigningKey;
use crate::secret::{scrub, AccessToken, Secret};
use crate::store::IdentityKey;
use crate::transport::{self, SendError};
use arc_swap::ArcSwap;
use base64::Engine as _;
use reqwest::header::HeaderValue;
use reqwest::Url;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use zeroize::Zeroizing;

/// Refresh at this share of the lifetime.
const REFRESH_RATIO: f64 = 0.75;
/// Lifetime of a client assertion (RFC 7523 `exp - iat`).
const ASSERTION_LIFETIME_SECS: u64 = 90;
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Headers servers use for a request/correlation id, first found wins.
const CORRELATION_HEADERS: [&str; 5] = [
    "correlation-id",
    "x-correlation-id",
    "x-mastercard-correlation-id",
    "x-request-id",
    "request-id",
];

pub(crate) struct OAuth2Source {
    /// The token's: client, scope set and DPoP key.
    pub identity: IdentityKey,
    /// The guard's: `(token endpoint, client id)` (docs/ARCHITECTURE.md, "Stores, the refresh lease and the lockout guard"), whatever the scope set or DPoP key.
    pub guard_identity: IdentityKey,
    /// The configured token endpoint or issuer.
    pub configured: Endpoint,
    /// The token endpoint: set at build time, or discovered once from the issuer's metadata.
    pub token_endpoint: tokio::sync::OnceCell<Url>,
    /// The issuer's metadata, cached like a token (only with an issuer).
    pub metadata: Option<Arc<Engine<MetadataSource>>>,
    pub client_id: String,
    pub method: AuthMethod,
    pub secret: Option<ArcSwap<Secret>>,
    pub key: Option<SigningKey>,
    pub key_id: Option<String>,
    pub audience: String,
    pub scope: Option<String>,
    pub extra_params: Vec<(String, String)>,
    pub app_key: Option<Secret>,
    pub dpop: Option<Dpop>,
    pub default_lifetime: Duration,
    pub allow_insecure_loopback: bool,
    pub client: ArcSwap<reqwest::Client>,
    pub timeout: Duration,
    /// The credential of `private_key_jwt`: the key's thumbprint with the assertion's audience,
    /// `kid` and algorithm (the guard fingerprints it).
    key_credential: Option<Secret>,
}

#[allow(clippy::too_many_arguments)]
impl OAuth2Source {
    pub fn new(
        configured: Endpoint,
        metadata: Option<Arc<Engine<MetadataSource>>>,
        client_id: String,
        method: AuthMethod,
        secret: Option<Secret>,
        key: Option<SigningKey>,
        key_id: Option<String>,
        audience: String,
        scope: Option<String>,
        extra_params: Vec<(String, String)>,
        app_key: Option<Secret>,
        dpop: bool,
        default_lifetime: Duration,
        allow_insecure_loopback: bool,
        timeout: Duration,
    ) -> Result<Self> {
        let server = configured.configured().clone();
        let client = transport::client(&server, timeout)?;
        let dpop = match (&key, dpop) {
            (Some(k), true) => Some(Dpop::new(k.clone())),
            _ => None,
        };
        // With an issuer the guard belongs to (issuer, client): the server, whatever endpoint
        // its metadata names.
        let guard_identity = IdentityKey::new("oauth2", server.as_str(), &client_id);
        let token_endpoint = match &configured {
            Endpoint::Fixed(u) => tokio::sync::OnceCell::new_with(Some(u.clone())),
            Endpoint::Issuer(_) => tokio::sync::OnceCell::new(),
        };
        let mut identity =
            guard_identity.with(&format!("scope={}", scope.as_deref().unwrap_or("")));
        if let Some(d) = &dpop {
            // A DPoP-bound token only works with its key: never share it with another key.
            identity = identity.with(&format!("dpop={}", d.thumbprint()));
        }
        // What a server judges is the assertion, not the key alone: a changed audience, kid or
        // algorithm is a new credential the guard may try, the same setup is never resent.
        let key_credential = key.as_ref().map(|k| {
            Secret::new(format!(
                "key:{}\naud:{audience}\nkid:{}\nalg:{}",
                jose::jwk_thumbprint(&jose::public_jwk(k)),
                key_id.as_deref().unwrap_or(""),
                jose::alg(k),
            ))
        });
        Ok(OAuth2Source {
            identity,
            guard_identity,
            configured,
            token_endpoint,
            metadata,
            client_id,
            method,
            secret: secret.map(ArcSwap::from_pointee),
            key,
            key_id,
            audience,
            scope,
            extra_params,
            app_key,
            dpop,
            default_lifetime,
            allow_insecure_loopback,
            client: ArcSwap::from_pointee(client),
            timeout,
            key_credential,
        })
    }

    pub fn rebuild_client(&self) -> Result<()> {
        self.client.store(Arc::new(transport::client(
            self.configured.configured(),
            self.timeout,
        )?));
        if let Some(m) = &self.metadata {
            m.reset_after_fork();
            m.source().rebuild_client()?;
        }
        Ok(())
    }

    /// The token endpoint, discovered on first use when an issuer is configured: concurrent
    /// callers wait for one discovery (the metadata engine's single flight, shared by the fleet
    /// through the store), and a failed one is tried again by a later call.
    pub async fn token_url(&self) -> Result<Url> {
        let url = self
            .token_endpoint
            .get_or_try_init(|| async {
                let (Endpoint::Issuer(issuer), Some(metadata)) = (&self.configured, &self.metadata)
                else {
                    return Err(Error::config("token_url is required"));
                };
                let record = metadata.token().await?;
                let meta =
                    discovery::from_record(issuer, record.expose(), self.allow_insecure_loopback)?;
                // Each process checks its own configuration against the shared metadata.
                discovery::check(
                    &meta,
                    self.method,
                    self.key.as_ref().map(jose::alg),
                    self.dpop.is_some(),
                )?;
                Ok(meta.token_endpoint)
            })
            .await?;
        Ok(url.clone())
    }

    /// The client assertion of `private_key_jwt` (RFC 7523 §3), fresh `jti` each time.
    fn assertion(&self) -> Result<Secret> {
        let key = self
            .key
            .as_ref()
            .ok_or_else(|| Error::config("private_key_jwt needs a signing_key"))?;
        let now = jose::unix_now();
        let claims = json!({
            "iss": self.client_id,
            "sub": self.client_id,
            "aud": self.audience,
            "jti": jose::jti()?,
            "iat": now,
            "nbf": now,
            "exp": now + ASSERTION_LIFETIME_SECS,
        });
        let mut header = json!({ "typ": "JWT" });
        if let Some(kid) = &self.key_id {
            header["kid"] = Value::from(kid.as_str());
        }
        jose::sign(key, header, &claims)
    }

    /// Everything sent to the token endpoint that must not be echoed back in an error.
    fn sent_secrets(&self, credential: &Secret) -> Vec<Secret> {
        let mut v = vec![credential.clone()];
        if let Some(k) = &self.app_key {
            v.push(k.clone());
        }
        v
    }

    /// One token request (with a fresh assertion and DPoP proof). Returns the answer and the
    /// one-time credentials it carried (the assertion, the proof), so that a server echoing them
    /// in an error cannot put them in a message.
    /// One token request. A failure says whether it may have reached the server, which the
    /// guard counts.
    async fn request_once(
        &self,
        credential: &Secret,
    ) -> std::result::Result<(RawResponse, Vec<Secret>), SendError> {
        let mut sent = Vec::new();
        let mut form: Vec<(&str, Zeroizing<String>)> =
            vec![("grant_type", Zeroizing::new("client_credentials".into()))];
        if let Some(s) = &self.scope {
            form.push(("scope", Zeroizing::new(s.clone())));
        }
        for (k, v) in &self.extra_params {
            form.push((k.as_str(), Zeroizing::new(v.clone())));
        }
        let token_url = self.token_url().await?;
        let client = self.client.load();
        let mut req = client
            .post(token_url.clone())
            .header(reqwest::header::ACCEPT, "application/json");
        match self.method {
            AuthMethod::ClientSecretBasic => {
                let enc = |s: &str| {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                };
                let pair = Zeroizing::new(format!(
                    "{}:{}",
                    enc(&self.client_id),
                    enc(credential.expose())
                ));
                let b64 = Zeroizing::new(
                    base64::engine::general_purpose::STANDARD.encode(pair.as_bytes()),
                );
                req = req.header(
                    reqwest::header::AUTHORIZATION,
                    sensitive(&format!("Basic {}", b64.as_str()))?,
                );
            }
            AuthMethod::ClientSecretPost => {
                form.push(("client_id", Zeroizing::new(self.client_id.clone())));
                form.push((
                    "client_secret",
                    Zeroizing::new(credential.expose().to_owned()),
                ));
            }
            AuthMethod::PrivateKeyJwt => {
                let assertion = self.assertion()?;
                sent.push(assertion.clone());
                form.push(("client_id", Zeroizing::new(self.client_id.clone())));
                form.push((
                    "client_assertion_type",
                    Zeroizing::new(ASSERTION_TYPE.into()),
                ));
                form.push((
                    "client_assertion",
                    Zeroizing::new(assertion.expose().to_owned()),
                ));
            }
            AuthMethod::FinicityJson => {}
        }
        if let Some(d) = &self.dpop {
            let proof = d.proof("POST", &token_url, None)?;
            sent.push(proof.clone());
            req = req.header(DPOP_HEADER, sensitive(proof.expose())?);
        }
        let req = if self.method == AuthMethod::FinicityJson {
            let mut body = json!({
                "client_id": self.client_id,
                "client_secret": credential.expose(),
                "grant_type": "client_credentials",
            });
            if let Some(s) = &self.scope {
                body["scope"] = Value::from(s.as_str());
            }
            for (k, v) in &self.extra_params {
                body[k] = Value::from(v.as_str());
            }
            let bytes = Zeroizing::new(body.to_string().into_bytes());
            let key = self
                .app_key
                .as_ref()
                .ok_or_else(|| Error::config("finicity_json needs app_key"))?;
            req.header(APP_KEY_HEADER, sensitive(key.expose())?)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(bytes.to_vec())
        } else {
            let mut ser = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in &form {
                ser.append_pair(k, v);
            }
            let body = Zeroizing::new(ser.finish());
            req.header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body.as_bytes().to_vec())
        };
        let resp = req
            .send()
            .await
            .map_err(|e| SendError::sending(e, self.timeout, "token request"))?;
        let raw = read_raw(resp, self.timeout)
            .await
            .map_err(SendError::reading)?;
        if let Some(d) = &self.dpop {
            d.learn(&token_url, &raw.headers);
        }
        Ok((raw, sent))
    }

    pub(crate) fn parse_success(
        &self,
        raw: &RawResponse,
    ) -> std::result::Result<Fetched, FetchError> {
        let bad = |m: &str| {
            FetchError::Other(Error::Server {
                status: raw.status,
                code: None,
                message: m.to_owned(),
                oauth: None,
            })
        };
        let v: Value =
            serde_json::from_slice(&raw.body).map_err(|_| bad("the token answer is not JSON"))?;
        let token = v
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| bad("the token answer has no access_token"))?;
        let token_type = v.get("token_type").and_then(Value::as_str).unwrap_or("");
        match (&self.dpop, token_type.to_ascii_lowercase().as_str()) {
            (Some(_), "dpop") | (None, "bearer") => {}
            (Some(_), other) => {
                return Err(bad(&format!(
                    "asked for a DPoP-bound token but got token_type `{}`; the server does not honour DPoP for this client",
                    scrub(other, &[])
                )))
            }
            (None, other) => {
                return Err(bad(&format!(
                    "unsupported token_type `{}` (expected Bearer; set dpop for DPoP-bound tokens)",
                    scrub(other, &[])
                )))
            }
        }
        let expires_in = match v.get("expires_in") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
            Some(_) => None,
        };
        let lifetime = match expires_in {
            Some(s) if s.is_finite() && s >= 1.0 => Duration::from_secs_f64(s.min(1e9)),
            Some(_) => return Err(bad("expires_in is not a positive number of seconds")),
            None => self.default_lifetime,
        };
        Ok(Fetched {
            token: AccessToken::new(token),
            refresh_after: lifetime.mul_f64(REFRESH_RATIO),
            lifetime,
        })
    }
}

pub(crate) fn sensitive(v: &str) -> Result<HeaderValue> {
    let mut h = HeaderValue::from_str(v)
        .map_err(|_| Error::config("a credential is not a valid header value"))?;
    h.set_sensitive(true);
    Ok(h)
}

/// The RFC 6749 §5.2 fields of an error answer, scrubbed of what was sent.
pub(crate) fn oauth_error(raw: &RawResponse, secrets: &[Secret]) -> Option<OAuthError> {
    let v: Value = serde_json::from_slice(&raw.body).ok()?;
    let exposed: Vec<&str> = secrets.iter().map(Secret::expose).collect();
    let error = v.get("error").and_then(Value::as_str)?;
    Some(OAuthError {
        error: scrub(error, &exposed).chars().take(64).collect(),
        error_description: v
            .get("error_description")
            .and_then(Value::as_str)
            .map(|d| scrub(d, &exposed)),
        correlation_id: correlation_id(&raw.headers),
    })
}

pub(crate) fn correlation_id(headers: &reqwest::header::HeaderMap) -> Option<String> {
    CORRELATION_HEADERS.iter().find_map(|h| {
        headers
            .get(*h)
            .and_then(|v| v.to_str().ok())
            .map(|v| scrub(v, &[]).chars().take(128).collect())
    })
}

pub(crate) fn retry_after(raw: &RawResponse) -> Option<Duration> {
    raw.headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

impl TokenSource for OAuth2Source {
    fn identity(&self) -> &IdentityKey {
        &self.identity
    }

    fn guard_identity(&self) -> &IdentityKey {
        &self.guard_identity
    }

    fn advice(&self) -> CredentialAdvice {
        const RESET: &str = "`finauth oauth2 guard reset` (reset_lockout_guard())";
        CredentialAdvice {
            fix: match self.method {
                AuthMethod::PrivateKeyJwt => "the signing key, key_id or audience",
                AuthMethod::FinicityJson => "the client secret or the App Key",
                _ => "the client secret",
            },
            reset: RESET,
        }
    }

    fn credential(&self) -> Secret {
        match (&self.secret, &self.key_credential) {
            (Some(s), _) if self.method.uses_secret() => (**s.load()).clone(),
            (_, Some(k)) => k.clone(),
            _ => Secret::new(""),
        }
    }

    async fn fetch(&self, credential: &Secret) -> std::result::Result<Fetched, FetchError> {
        let (mut raw, mut one_time) = self
            .request_once(credential)
            .await
            .map_err(FetchError::from)?;
        let mut secrets = self.sent_secrets(credential);
        secrets.extend(one_time.iter().cloned());
        let mut err = oauth_error(&raw, &secrets);
        // RFC 9449 §8: the first request may be answered with a nonce to use; retry once.
        if self.dpop.is_some()
            && raw.status == 400
            && err.as_ref().is_some_and(|e| e.error == "use_dpop_nonce")
        {
            tracing::debug!("the token endpoint asked for a DPoP nonce; retrying once");
            (raw, one_time) = self
                .request_once(credential)
                .await
                .map_err(FetchError::from)?;
            secrets.extend(one_time);
            err = oauth_error(&raw, &secrets);
        }
        if raw.status == 200 {
            return self.parse_success(&raw);
        }
        let status = raw.status;
        match err {
            Some(e) if e.error == "invalid_client" => Err(FetchError::Credential {
                code: None,
                oauth: Some(Box::new(e)),
            }),
            _ if status == 429 => Err(FetchError::Other(Error::RateLimited {
                retry_after: retry_after(&raw),
                hint: "the token endpoint is rate limiting this client".into(),
            })),
            Some(e) => {
                let hint = match e.error.as_str() {
                    "invalid_scope" => "check scope",
                    "unauthorized_client" => "the client may not use this grant; check the client's registration",
                    "unsupported_grant_type" => "the server does not offer client credentials at this endpoint; check token_url",
                    "invalid_grant" => "the grant was refused; check the client's registration",
                    "invalid_dpop_proof" | "use_dpop_nonce" => "the server refused the DPoP proof",
                    _ => "the token endpoint refused the request",
                };
                Err(FetchError::Other(Error::Server {
                    status,
                    code: None,
                    message: hint.into(),
                    oauth: Some(Box::new(e)),
                }))
            }
            None if status == 401 => Err(FetchError::Credential {
                code: None,
                oauth: Some(Box::new(OAuthError {
                    error: "invalid_client".into(),
                    error_description: Some("HTTP 401 without an OAuth 2.0 error body".into()),
                    correlation_id: correlation_id(&raw.headers),
                })),
            }),
            None => Err(FetchError::Other(Error::Server {
                status,
                code: None,
                message: if status == 404 {
                    "the token endpoint answered 404: check token_url".into()
                } else {
                    "the token endpoint answered without an OAuth 2.0 error".into()
                },
                oauth: None,
            })),
        }
    }

    fn replace_credential(&self, old: &Secret, new: Secret) -> bool {
        let Some(cell) = &self.secret else {
            return false;
        };
        let current = cell.load();
        if !current.ct_eq(old) {
            return false;
        }
        let prev = cell.compare_and_swap(&current, Arc::new(new));
        Arc::ptr_eq(&prev, &current)
    }
}
