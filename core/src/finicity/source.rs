//! Partner authentication as a [`TokenSource`].

use super::response::{self, auth_verdict, Answer, AuthVerdict};
use super::{APP_KEY_HEADER, AUTH_PATH};
use crate::error::{Error, Result};
use crate::lifecycle::{FetchError, Fetched, TokenSource};
use crate::secret::{AccessToken, Secret};
use crate::store::IdentityKey;
use crate::transport::{self, SendError};
use arc_swap::ArcSwap;
use reqwest::{Method, Url};
use std::sync::Arc;
use std::time::Duration;

/// Bodies larger than this are not Finicity answers.
const MAX_BODY: usize = 256 * 1024;

pub(crate) struct PartnerSource {
    pub identity: IdentityKey,
    pub partner_id: String,
    pub base_url: Url,
    pub auth_url: Url,
    pub secret: ArcSwap<Secret>,
    pub app_key: ArcSwap<Secret>,
    /// Swapped by [`PartnerSource::rebuild_client`] after `fork()`.
    pub client: ArcSwap<reqwest::Client>,
    pub refresh_after: Duration,
    pub lifetime: Duration,
    pub timeout: Duration,
}

impl PartnerSource {
    pub fn new(
        partner_id: String,
        secret: Secret,
        app_key: Secret,
        base_url: Url,
        refresh_after: Duration,
        lifetime: Duration,
        timeout: Duration,
    ) -> Result<Self> {
        let client = transport::client(&base_url, timeout)?;
        let auth_url = join(&base_url, AUTH_PATH)?;
        Ok(PartnerSource {
            identity: IdentityKey::new("finicity", base_url.as_str(), &partner_id),
            partner_id,
            auth_url,
            base_url,
            secret: ArcSwap::from_pointee(secret),
            app_key: ArcSwap::from_pointee(app_key),
            client: ArcSwap::from_pointee(client),
            refresh_after,
            lifetime,
            timeout,
        })
    }

    /// A new HTTP client with no pooled connection (after `fork()`: the parent's connections and
    /// their runtime must not be used by the child).
    pub fn rebuild_client(&self) -> Result<()> {
        let client = transport::client(&self.base_url, self.timeout)?;
        self.client.store(Arc::new(client));
        Ok(())
    }

    /// Send one authentication-endpoint request and read the answer. A failure says whether the
    /// request may have reached the server, which the guard counts.
    pub async fn call(
        &self,
        method: Method,
        body: &serde_json::Value,
    ) -> std::result::Result<Answer, SendError> {
        let app_key = self.app_key.load_full();
        let body = zeroize::Zeroizing::new(
            serde_json::to_vec(body)
                .map_err(|e| Error::config(format!("cannot encode request: {e}")))?,
        );
        let mut key_value = reqwest::header::HeaderValue::from_str(app_key.expose())
            .map_err(|_| Error::config("app_key is not a valid header value"))?;
        key_value.set_sensitive(true);
        let resp = self
            .client
            .load()
            .request(method, self.auth_url.clone())
            .header(APP_KEY_HEADER, key_value)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(body.to_vec())
            .send()
            .await
            .map_err(|e| SendError::sending(e, self.timeout, "authentication request"))?;
        read_answer(resp, self.timeout)
            .await
            .map_err(SendError::reading)
    }
}

/// Read status, headers and a bounded body, and parse it.
pub(crate) async fn read_answer(resp: reqwest::Response, timeout: Duration) -> Result<Answer> {
    let raw = read_raw(resp, timeout).await?;
    Ok(raw.answer())
}

/// A response read whole (bounded).
pub(crate) struct RawResponse {
    pub status: u16,
    pub version: reqwest::Version,
    pub headers: reqwest::header::HeaderMap,
    pub body: zeroize::Zeroizing<Vec<u8>>,
}

impl RawResponse {
    pub fn answer(&self) -> Answer {
        let header = |name| {
            self.headers
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
        };
        response::parse(
            self.status,
            header(reqwest::header::CONTENT_TYPE).unwrap_or_default(),
            &self.body,
            header(reqwest::header::RETRY_AFTER),
        )
    }

    /// Back into a response, byte for byte, for a caller that should see it as it came.
    pub fn into_response(self) -> reqwest::Response {
        let mut r = http::Response::new(self.body.to_vec());
        *r.status_mut() = http::StatusCode::from_u16(self.status)
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        *r.version_mut() = self.version;
        *r.headers_mut() = self.headers;
        reqwest::Response::from(r)
    }
}

pub(crate) async fn read_raw(
    mut resp: reqwest::Response,
    timeout: Duration,
) -> Result<RawResponse> {
    let status = resp.status().as_u16();
    let version = resp.version();
    let headers = resp.headers().clone();
    let mut body = zeroize::Zeroizing::new(Vec::new());
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| transport::map_err(e, timeout, "reading the response"))?
    {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(Error::Server {
                status,
                code: None,
                message: "response body too large".into(),
                oauth: None,
            });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(RawResponse {
        status,
        version,
        headers,
        body,
    })
}

pub(crate) fn join(base: &Url, path: &str) -> Result<Url> {
    let mut s = base.as_str().trim_end_matches('/').to_owned();
    s.push_str(path);
    Url::parse(&s).map_err(|e| Error::config(format!("base_url: cannot append {path}: {e}")))
}

impl TokenSource for PartnerSource {
    fn identity(&self) -> &IdentityKey {
        &self.identity
    }

    fn credential(&self) -> Secret {
        (**self.secret.load()).clone()
    }

    async fn fetch(&self, credential: &Secret) -> Result<Fetched, FetchError> {
        let body = serde_json::json!({
            "partnerId": self.partner_id,
            "partnerSecret": credential.expose(),
        });
        let answer = self.call(Method::POST, &body).await?;
        match auth_verdict(&answer) {
            AuthVerdict::Ok(Some(token)) if !token.is_empty() => Ok(Fetched {
                token: AccessToken::new(token),
                refresh_after: self.refresh_after,
                lifetime: self.lifetime,
            }),
            AuthVerdict::Ok(_) => Err(FetchError::Other(Error::Server {
                status: answer.status,
                code: None,
                message: "the authentication answer carried no token".into(),
                oauth: None,
            })),
            AuthVerdict::Credential(code) => Err(FetchError::Credential { code, oauth: None }),
            AuthVerdict::Locked(code) => Err(FetchError::Locked { code }),
            AuthVerdict::Other(e) => {
                let app_key = self.app_key.load_full();
                Err(FetchError::Other(scrub_error(e, &[credential, &app_key])))
            }
        }
    }

    fn replace_credential(&self, old: &Secret, new: Secret) -> bool {
        let current = self.secret.load();
        if !current.ct_eq(old) {
            return false;
        }
        let prev = self.secret.compare_and_swap(&current, Arc::new(new));
        Arc::ptr_eq(&prev, &current)
    }
}

/// Server messages are echoed into errors: make sure none carries back what was sent (the
/// partner secret, a new secret, the App Key). One pass over all of them, before shortening.
pub(crate) fn scrub_error(e: Error, sent: &[&Secret]) -> Error {
    let sent: Vec<&str> = sent.iter().map(|s| s.expose()).collect();
    match e {
        Error::Server {
            status,
            code,
            message,
            oauth,
        } => Error::Server {
            status,
            code,
            message: crate::secret::scrub(&message, &sent),
            oauth,
        },
        Error::Config(m) => Error::Config(crate::secret::scrub(&m, &sent)),
        other => other,
    }
}
