//! Mastercard payload encryption, in core so that every language gets the same, correct
//! implementation: JWE (compact; `RSA-OAEP-256` with `A256GCM`, and on decryption also
//! `A128GCM`/`A192GCM` with 12- or 16-byte IVs and `A128CBC-HS256` with its HMAC verified) and the
//! older field-level scheme (AES-CBC with an RSA-OAEP SHA-256/SHA-512 wrapped key, HEX or BASE64,
//! parameters in the payload or in HTTP headers), at JSON paths, with the semantics of
//! Mastercard's client-encryption libraries (docs/GUIDE.md, "Payload encryption").
//!
//! ```no_run
//! # fn demo() -> finauth::Result<()> {
//! use finauth::encryption::{DecryptionKey, EncryptionCertificate, PayloadEncryption, Scheme};
//! let enc = PayloadEncryption::builder(Scheme::Jwe)
//!     .encryption_certificate(EncryptionCertificate::from_file("mastercard-encryption.pem")?)
//!     .decryption_key(DecryptionKey::from_file("my-keystore.p12", Some("password"), Some("alias"))?)
//!     .encryption_path("$.card", "$.encryptedCard")
//!     .decryption_path("$.encryptedData", "$")
//!     .build()?;
//! let body = enc.encrypt_payload(r#"{"card":{"pan":"5123450000000008"}}"#)?;
//! # let _ = body; Ok(()) }
//! ```

mod cipher;
mod codec;
mod config;
mod fle;
pub(crate) mod json_path;
pub(crate) mod jwe;
mod keys;
mod options;
mod payload;

pub use cipher::OaepHash;
pub use config::{FieldNames, HeaderNames, PayloadEncryption, PayloadEncryptionBuilder, Scheme};
pub use fle::FieldEncoding;
pub use keys::{DecryptionKey, EncryptionCertificate};
pub use payload::EncryptedRequest;
