//! finauth: authentication and token lifecycle for Mastercard Open Finance (Finicity) and
//! Mastercard APIs. One core for every language: the Python, Node, C and JVM bindings are thin
//! wrappers over this crate and own no logic.
//!
//! It is for getting and keeping credentials right (tokens, refresh, lockout guard, rotation,
//! signing). It is not a client for the Finicity data APIs themselves.
//!
//! ```no_run
//! # async fn demo() -> finauth::Result<()> {
//! let auth = finauth::PartnerAuth::from_env()?;
//! let token = auth.token().await?; // one authentication for every concurrent caller
//! let resp = auth.send(auth.request(finauth::reqwest::Method::GET, "/aggregation/v1/customers")?).await?;
//! # let _ = (token, resp); Ok(()) }
//! ```

pub mod blocking;
pub mod clock;
pub mod encryption;
mod error;
pub mod exchange;
mod fingerprint;
pub mod finicity;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod lifecycle;
pub mod mastercard;
pub mod oauth1;
pub mod oauth2;
mod secret;
mod settings;
pub mod store;
mod token_check;
mod transport;

pub use error::{Error, GuardReason, OAuthError, Result};
pub use finicity::{FinicityHeaders, PartnerAuth, PartnerAuthBuilder, DEFAULT_BASE_URL};
pub use lifecycle::{GuardStatus, Stats, TokenOwner};
pub use oauth1::{OAuth1Signer, SignatureMethod, SigningKey};
pub use oauth2::{AuthMethod, ClientCredentials, ClientCredentialsBuilder, OAuth2Headers};
pub use secret::{AccessToken, Secret};
#[cfg(feature = "redis")]
pub use store::RedisStore;
pub use store::{FileStore, MemoryStore, Store};
pub use token_check::MAX_TOKEN_LEN;

/// The HTTP client crate finauth uses, for building requests to pass to `send`.
pub use reqwest;

/// `finauth/<version>`, sent as the `User-Agent`.
pub const USER_AGENT: &str = transport::USER_AGENT;
