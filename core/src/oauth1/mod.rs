//! Mastercard OAuth 1.0a request signing (one-legged, with the body-hash extension), byte-identical
//! to Mastercard's Java reference signer (`com.mastercard.developer:oauth1-signer`).
//!
//! ```no_run
//! # fn demo() -> finauth::Result<()> {
//! use finauth::oauth1::{OAuth1Signer, SignatureMethod, SigningKey};
//! let key = SigningKey::from_pkcs12(&std::fs::read("key.p12").unwrap(), "keystorepassword", Some("keyalias"))?;
//! let signer = OAuth1Signer::new("consumer-key", key, SignatureMethod::RsaSha256)?;
//! let header = signer.authorization_header("POST", "https://sandbox.api.mastercard.com/x?a=1", br#"{"a":1}"#)?;
//! # let _ = header; Ok(()) }
//! ```

pub mod base_string;
pub(crate) mod key;
mod signer;

pub use base_string::signature_base_string;
pub use key::SigningKey;
pub use signer::{body_hash, OAuth1Signer, SignatureMethod};
