//! The issuer's metadata, cached like a token: the lifecycle engine gives it single flight in the
//! process, the refresh lease and the store's copy across processes, so a fleet that starts at
//! once reads the metadata one time, not once per process or per call.

use super::discovery;
use crate::error::{Error, Result};
use crate::finicity::source::read_raw;
use crate::lifecycle::{CredentialAdvice, FetchError, Fetched, TokenSource};
use crate::secret::{AccessToken, Secret};
use crate::store::IdentityKey;
use crate::transport;
use arc_swap::ArcSwap;
use reqwest::Url;
use std::sync::Arc;
use std::time::Duration;

/// How long a copy of the metadata is used, and when to read it again. Servers change their
/// endpoints rarely and announce it; a day bounds how long a moved endpoint is missed.
const METADATA_LIFETIME: Duration = Duration::from_secs(24 * 3600);
const METADATA_REFRESH: Duration = Duration::from_secs(12 * 3600);

pub(crate) struct MetadataSource {
    identity: IdentityKey,
    issuer: Url,
    client: ArcSwap<reqwest::Client>,
    timeout: Duration,
    allow_insecure_loopback: bool,
    /// Nothing secret is sent for metadata; the guard only needs something to fingerprint.
    credential: Secret,
}

impl MetadataSource {
    pub fn new(issuer: Url, timeout: Duration, allow_insecure_loopback: bool) -> Result<Self> {
        let client = transport::client(&issuer, timeout)?;
        Ok(MetadataSource {
            identity: IdentityKey::new("oauth2-metadata", issuer.as_str(), ""),
            issuer,
            client: ArcSwap::from_pointee(client),
            timeout,
            allow_insecure_loopback,
            credential: Secret::new("metadata"),
        })
    }

    pub fn rebuild_client(&self) -> Result<()> {
        self.client
            .store(Arc::new(transport::client(&self.issuer, self.timeout)?));
        Ok(())
    }

    /// The well-known locations in order; a 404 means "try the next one".
    async fn read(&self) -> Result<discovery::Metadata> {
        let client = self.client.load();
        let mut tried = Vec::new();
        for url in discovery::well_known_urls(&self.issuer) {
            let resp = client
                .get(url.clone())
                .header(reqwest::header::ACCEPT, "application/json")
                .send()
                .await
                .map_err(|e| transport::map_err(e, self.timeout, "metadata request"))?;
            let raw = read_raw(resp, self.timeout).await?;
            if raw.status == 404 {
                tried.push(url.to_string());
                continue;
            }
            if raw.status != 200 {
                return Err(Error::Server {
                    status: raw.status,
                    code: None,
                    message: format!("the metadata request to {url} failed"),
                    oauth: None,
                });
            }
            let meta = discovery::parse(&self.issuer, &raw.body, self.allow_insecure_loopback)?;
            tracing::info!(token_endpoint = %meta.token_endpoint, "read the issuer's metadata");
            return Ok(meta);
        }
        Err(Error::config(format!(
            "issuer: no metadata at {}; check issuer, or set token_url instead",
            tried.join(" or ")
        )))
    }
}

impl TokenSource for MetadataSource {
    fn identity(&self) -> &IdentityKey {
        &self.identity
    }

    fn credential(&self) -> Secret {
        self.credential.clone()
    }

    fn advice(&self) -> CredentialAdvice {
        // Never shown: a metadata request has no credential a server could reject.
        CredentialAdvice {
            fix: "the issuer",
            reset: "`finauth oauth2 guard reset` (reset_lockout_guard())",
        }
    }

    async fn fetch(&self, _credential: &Secret) -> Result<Fetched, FetchError> {
        let meta = self.read().await.map_err(FetchError::Other)?;
        Ok(Fetched {
            token: AccessToken::new(discovery::to_record(&meta)),
            refresh_after: METADATA_REFRESH,
            lifetime: METADATA_LIFETIME,
        })
    }

    fn replace_credential(&self, _old: &Secret, _new: Secret) -> bool {
        false
    }
}
