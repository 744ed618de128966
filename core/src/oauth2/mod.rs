//! OAuth 2.0 client credentials (RFC 6749 §4.4) on the same lifecycle engine as Finicity's
//! partner authentication: `client_secret_basic`, `client_secret_post`, `private_key_jwt`
//! (RFC 7523) and Finicity's JSON request style, with DPoP-bound tokens (RFC 9449) for
//! Mastercard's FAPI 2.0 profile.
//!
//! ```no_run
//! # async fn demo() -> finauth::Result<()> {
//! use finauth::oauth2::{AuthMethod, ClientCredentials};
//! let key = finauth::SigningKey::from_file("client-key.pem", None, None)?;
//! let cc = ClientCredentials::builder()
//!     .token_url("https://auth.example.com/oauth2/token")
//!     .client_id("my-client")
//!     .auth_method(AuthMethod::PrivateKeyJwt)
//!     .signing_key(key)
//!     .key_id("key-1")
//!     .dpop(true)
//!     .build()?;
//! let resp = cc.send(cc.request(finauth::reqwest::Method::GET, "https://api.example.com/x")?).await?;
//! # let _ = resp; Ok(()) }
//! ```

mod client;
pub(crate) mod config;
pub(crate) mod discovery;
pub(crate) mod dpop;
pub mod jose;
mod metadata;
pub(crate) mod source;

pub use client::{ClientCredentials, OAuth2Headers};
pub use config::{AuthMethod, ClientCredentialsBuilder};
