//! One Mastercard API call around any HTTP client, sans I/O: the request body is encrypted
//! first (when payload encryption is configured), then signed with OAuth 1.0a over the exact
//! bytes sent; the answer is decrypted before the caller sees it. Integrations (`requests`,
//! `httpx`, `fetch`, axios, OkHttp) only move bytes, so the order of the two steps, the headers
//! and what is left alone are decided once, here.

use crate::encryption::PayloadEncryption;
use crate::oauth1::OAuth1Signer;
use crate::{Error, Result};

/// What to send: the body (encrypted or as given) and the headers to set, replacing any of the
/// same name (`Authorization`; the field-level header mode's parameters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedCall {
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
    /// True when `body` differs from the body given (the integration updates `Content-Length`).
    pub body_changed: bool,
}

/// Signing and payload encryption for Mastercard APIs, applied in the right order. Cheap to
/// clone; thread-safe.
#[derive(Clone, Debug)]
pub struct MastercardAuth {
    signer: Option<OAuth1Signer>,
    encryption: Option<PayloadEncryption>,
}

fn is_json_text(body: &[u8]) -> bool {
    matches!(
        body.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{') | Some(b'[')
    )
}

impl MastercardAuth {
    /// A signer, payload encryption, or both.
    pub fn new(
        signer: Option<OAuth1Signer>,
        encryption: Option<PayloadEncryption>,
    ) -> Result<Self> {
        if signer.is_none() && encryption.is_none() {
            return Err(Error::config(
                "MastercardAuth needs an OAuth1Signer, a PayloadEncryption, or both",
            ));
        }
        Ok(MastercardAuth { signer, encryption })
    }

    pub fn signer(&self) -> Option<&OAuth1Signer> {
        self.signer.as_ref()
    }

    pub fn encryption(&self) -> Option<&PayloadEncryption> {
        self.encryption.as_ref()
    }

    /// The body and headers of a request with `method` to `uri` (the full URL with its query).
    /// A non-empty body is encrypted when a certificate is configured (it must be JSON); the
    /// signature always covers the bytes returned.
    pub fn prepare(&self, method: &str, uri: &str, body: &[u8]) -> Result<PreparedCall> {
        let mut headers = Vec::new();
        let mut out = body.to_vec();
        let mut body_changed = false;
        if let Some(enc) = self.encryption.as_ref().filter(|e| e.can_encrypt()) {
            if !body.iter().all(u8::is_ascii_whitespace) {
                let r = enc.encrypt_request(body)?;
                body_changed = r.body != body;
                out = r.body;
                headers = r.headers;
            }
        }
        if let Some(s) = &self.signer {
            headers.push((
                "Authorization".to_owned(),
                s.authorization_header(method, uri, &out)?,
            ));
        }
        Ok(PreparedCall {
            body: out,
            headers,
            body_changed,
        })
    }

    /// The answer's body as the caller should see it: decrypted when a decryption key is
    /// configured and the body is JSON with encrypted values; anything else (an empty body, an
    /// HTML error page, an unencrypted error answer) as it came. `header` answers the
    /// response's header values by name (the field-level header mode).
    pub fn response(
        &self,
        body: &[u8],
        header: impl Fn(&str) -> Option<String>,
    ) -> Result<Vec<u8>> {
        match self.encryption.as_ref().filter(|e| e.can_decrypt()) {
            Some(enc) if is_json_text(body) => enc.decrypt_response(body, header),
            _ => Ok(body.to_vec()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encryption::{DecryptionKey, EncryptionCertificate, Scheme};
    use std::path::PathBuf;

    fn dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests")
    }

    fn auth() -> MastercardAuth {
        let k = dir().join("encryption-keys");
        let enc = PayloadEncryption::builder(Scheme::Jwe)
            .encryption_certificate(
                EncryptionCertificate::from_file(k.join("client-encryption-cert.pem")).unwrap(),
            )
            .decryption_key(
                DecryptionKey::from_file(k.join("client-encryption-key.pem"), None, None).unwrap(),
            )
            .build()
            .unwrap();
        let key =
            crate::SigningKey::from_file(dir().join("oauth1-keys/pkcs8.pem"), None, None).unwrap();
        let signer = OAuth1Signer::new("ck", key, crate::SignatureMethod::RsaSha256).unwrap();
        MastercardAuth::new(Some(signer), Some(enc)).unwrap()
    }

    #[test]
    fn the_signature_covers_the_encrypted_bytes() {
        let a = auth();
        let p = a
            .prepare(
                "POST",
                "https://api.example.com/x?y=1",
                br#"{"pan":"5123450000000008"}"#,
            )
            .unwrap();
        assert!(p.body_changed);
        let auth_header = &p
            .headers
            .iter()
            .find(|(n, _)| n == "Authorization")
            .unwrap()
            .1;
        // The Java reference writes the body hash unencoded in the header (a quirk we match).
        let hash = crate::oauth1::body_hash(&p.body);
        assert!(
            auth_header.contains(&format!("oauth_body_hash=\"{hash}\"")),
            "{auth_header}"
        );
        assert_eq!(
            a.response(&p.body, |_| None).unwrap(),
            br#"{"pan":"5123450000000008"}"#
        );
        let get = a.prepare("GET", "https://api.example.com/x", b"").unwrap();
        assert!(!get.body_changed && get.body.is_empty());
        assert_eq!(
            a.response(b"<html>502</html>", |_| None).unwrap(),
            b"<html>502</html>"
        );
        assert_eq!(a.response(b"", |_| None).unwrap(), b"");
        assert!(MastercardAuth::new(None, None).is_err());
    }
}
