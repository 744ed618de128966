//! The little JOSE OAuth 2.0 needs: compact JWS with PS256 (RSA) or ES256 (P-256), the public
//! JWK of a [`SigningKey`] and its RFC 7638 thumbprint.

use crate::error::{Error, Result};
use crate::oauth1::key::KeyPair;
use crate::oauth1::SigningKey;
use crate::secret::Secret;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{KeyPair as _, RSA_PSS_SHA256};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

pub(crate) fn b64(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// The JWS `alg` of a key: PS256 for RSA, ES256 for P-256.
pub fn alg(key: &SigningKey) -> &'static str {
    match key.pair {
        KeyPair::Rsa(_) => "PS256",
        KeyPair::EcP256(_) => "ES256",
    }
}

/// The public half of `key` as a JWK (`kty`, `n`/`e` or `crv`/`x`/`y`).
pub fn public_jwk(key: &SigningKey) -> Value {
    match &key.pair {
        KeyPair::Rsa(p) => {
            let pk = p.public_key();
            json!({
                "kty": "RSA",
                "n": b64(pk.modulus().big_endian_without_leading_zero()),
                "e": b64(pk.exponent().big_endian_without_leading_zero()),
            })
        }
        KeyPair::EcP256(p) => {
            // X9.62 uncompressed point: 0x04 || x || y.
            let point = p.public_key().as_ref();
            let (x, y) = point
                .get(1..33)
                .zip(point.get(33..65))
                .unwrap_or((&[][..], &[][..]));
            json!({ "kty": "EC", "crv": "P-256", "x": b64(x), "y": b64(y) })
        }
    }
}

/// RFC 7638 thumbprint (SHA-256, base64url) of a public JWK.
pub fn jwk_thumbprint(jwk: &Value) -> String {
    let s = |k: &str| jwk.get(k).and_then(Value::as_str).unwrap_or_default();
    // Required members only, lexicographic order, no whitespace.
    let canonical = match s("kty") {
        "RSA" => format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, s("e"), s("n")),
        _ => format!(
            r#"{{"crv":"{}","kty":"EC","x":"{}","y":"{}"}}"#,
            s("crv"),
            s("x"),
            s("y")
        ),
    };
    b64(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.as_bytes()).as_ref())
}

/// A compact JWS of `claims` under `header` (its `alg` is set from the key). A secret: it is a
/// bearer credential until it expires.
pub fn sign(key: &SigningKey, mut header: Value, claims: &Value) -> Result<Secret> {
    header["alg"] = Value::from(alg(key));
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let rng = SystemRandom::new();
    let sig = match &key.pair {
        KeyPair::Rsa(p) => {
            let mut sig = vec![0u8; p.public_modulus_len()];
            p.sign(&RSA_PSS_SHA256, &rng, input.as_bytes(), &mut sig)
                .map_err(|_| Error::SigningKey("the RSA signature operation failed".into()))?;
            sig
        }
        KeyPair::EcP256(p) => p
            .sign(&rng, input.as_bytes())
            .map_err(|_| Error::SigningKey("the ECDSA signature operation failed".into()))?
            .as_ref()
            .to_vec(),
    };
    Ok(Secret::new(format!("{input}.{}", b64(&sig))))
}

/// 16 random bytes, base64url: a `jti`.
pub(crate) fn jti() -> Result<String> {
    Ok(b64(&crate::fingerprint::random_bytes::<16>()?))
}

/// Seconds since the Unix epoch (JWT times are wall-clock by definition).
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
