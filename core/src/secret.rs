//! Values that must never be printed: partner secrets, App Keys, tokens.

use secrecy::{ExposeSecret, SecretString};
use std::fmt;
use std::sync::Arc;

/// A secret string: redacted in `Debug`/`Display`, zeroized when the last copy drops.
/// Cloning is cheap (shared), so the token hot path does not allocate.
#[derive(Clone)]
pub struct Secret(Arc<SecretString>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Arc::new(SecretString::from(value.into())))
    }

    /// The secret value. Keep its use short; never log it.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Constant-time comparison.
    pub fn ct_eq(&self, other: &Secret) -> bool {
        ct_eq(self.expose().as_bytes(), other.expose().as_bytes())
    }

    pub(crate) fn ptr_eq(&self, other: &Secret) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(a, b).is_ok()
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret::new(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret::new(s)
    }
}

/// A Finicity App Token (or OAuth 2.0 access token) returned by [`crate::PartnerAuth::token`].
/// `Debug` and `Display` are redacted; use [`AccessToken::expose`] to put it on the wire.
#[derive(Clone)]
pub struct AccessToken(pub(crate) Secret);

impl AccessToken {
    pub fn new(value: impl Into<String>) -> Self {
        AccessToken(Secret::new(value))
    }

    /// The token value, for a request header.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    pub(crate) fn same_as(&self, other: &AccessToken) -> bool {
        self.0.ptr_eq(&other.0) || self.0.ct_eq(&other.0)
    }
}

impl PartialEq for AccessToken {
    fn eq(&self, other: &Self) -> bool {
        self.same_as(other)
    }
}

impl Eq for AccessToken {}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken([REDACTED])")
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// Replace every occurrence of the given secrets in a server-supplied message, and bound its length.
pub(crate) fn scrub(message: &str, secrets: &[&str]) -> String {
    let mut out: String = message.chars().take(300).collect();
    for s in secrets {
        if s.len() >= 4 {
            out = out.replace(s, "[REDACTED]");
        }
    }
    out
}
