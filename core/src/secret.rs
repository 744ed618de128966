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

/// The longest server-supplied text, in characters, that finauth repeats in an error.
pub(crate) const MAX_MESSAGE_CHARS: usize = 300;

/// Make server-supplied text fit for an error message. Every occurrence of the given secrets is
/// replaced first, longest first, on the whole text: shortening first would let a secret that
/// crosses the cut leave its prefix behind. Control characters become spaces (no terminal escapes,
/// no forged log lines), then the text is shortened on a character boundary.
pub(crate) fn scrub(message: &str, secrets: &[&str]) -> String {
    let mut secrets: Vec<&str> = secrets.iter().copied().filter(|s| s.len() >= 4).collect();
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut whole = zeroize::Zeroizing::new(message.to_owned());
    for s in secrets {
        if whole.contains(s) {
            whole = zeroize::Zeroizing::new(whole.replace(s, "[REDACTED]"));
        }
    }
    let mut out: String = whole
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_MESSAGE_CHARS)
        .collect();
    if whole.chars().nth(MAX_MESSAGE_CHARS).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "Hostile-Secret-2026-x"; // 21 characters
    const APP_KEY: &str = "hostile-appkey-Z9w4";

    #[test]
    fn a_secret_at_any_offset_around_the_cut_never_survives() {
        for secret in [SECRET, APP_KEY, "sécrét-ünïcode-κλειδί"] {
            let n = secret.chars().count();
            for at in MAX_MESSAGE_CHARS - n - 2..=MAX_MESSAGE_CHARS + 2 {
                let message = format!("{}{secret} and more text after it", "m".repeat(at));
                let out = scrub(&message, &[SECRET, APP_KEY, "sécrét-ünïcode-κλειδί"]);
                // No prefix of the secret that the cut could have left (at least 4 characters).
                for len in 4..=n {
                    let prefix: String = secret.chars().take(len).collect();
                    assert!(!out.contains(&prefix), "offset {at}, prefix {len}: {out}");
                }
                assert!(out.chars().count() <= MAX_MESSAGE_CHARS + 1);
            }
        }
    }

    #[test]
    fn longest_secret_first_and_control_characters_blanked() {
        let out = scrub(
            "key abcd-efgh-ijkl\r\n\x1b[31m",
            &["abcd", "abcd-efgh-ijkl"],
        );
        assert_eq!(out, "key [REDACTED]   [31m");
    }
}
