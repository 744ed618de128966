//! The JOSE checks the authorization server makes: compact JWS parsing, PS256/ES256 signatures
//! against a JWK, RFC 7638 thumbprints, `jti` replay, and DPoP proofs (`htm`, `htu`, `iat`, `ath`,
//! `nonce`). Written here, independently of finauth's client code, so the two can disagree.

use aws_lc_rs::signature::{
    RsaPublicKeyComponents, UnparsedPublicKey, ECDSA_P256_SHA256_FIXED, RSA_PSS_2048_8192_SHA256,
};
use axum::http::Method;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

use super::{now_secs, State2, IAT_WINDOW_SECS};

pub(super) struct Jwt {
    pub header: Value,
    pub claims: Value,
    signing_input: String,
    signature: Vec<u8>,
}

pub(super) fn parse_jwt(s: &str) -> Result<Jwt, String> {
    let mut parts = s.trim().split('.');
    let (h, c, sig) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(c), Some(sig), None) => (h, c, sig),
        _ => return Err("not a compact JWS".into()),
    };
    let dec = |p: &str| {
        URL_SAFE_NO_PAD
            .decode(p)
            .map_err(|_| "bad base64url".to_string())
    };
    let header: Value = serde_json::from_slice(&dec(h)?).map_err(|_| "header is not JSON")?;
    let claims: Value = serde_json::from_slice(&dec(c)?).map_err(|_| "payload is not JSON")?;
    Ok(Jwt {
        header,
        claims,
        signing_input: format!("{h}.{c}"),
        signature: dec(sig)?,
    })
}

pub(super) fn verify_with_jwk(jwt: &Jwt, jwk: &Value) -> Result<(), String> {
    let s = |k: &str| jwk.get(k).and_then(Value::as_str).unwrap_or_default();
    let b = |k: &str| {
        URL_SAFE_NO_PAD
            .decode(s(k))
            .map_err(|_| format!("jwk.{k} is not base64url"))
    };
    let alg = jwt
        .header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let msg = jwt.signing_input.as_bytes();
    let ok = match (alg, s("kty")) {
        ("PS256", "RSA") => RsaPublicKeyComponents {
            n: b("n")?,
            e: b("e")?,
        }
        .verify(&RSA_PSS_2048_8192_SHA256, msg, &jwt.signature)
        .is_ok(),
        ("ES256", "EC") if s("crv") == "P-256" => {
            let mut point = vec![4u8];
            point.extend(b("x")?);
            point.extend(b("y")?);
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point)
                .verify(msg, &jwt.signature)
                .is_ok()
        }
        (alg, kty) => {
            return Err(format!(
                "unsupported alg {alg} for a {kty} key (PS256 or ES256)"
            ))
        }
    };
    if ok {
        Ok(())
    } else {
        Err("signature does not verify".into())
    }
}

/// RFC 7638 thumbprint of a public JWK.
pub(super) fn thumbprint(jwk: &Value) -> String {
    let s = |k: &str| jwk.get(k).and_then(Value::as_str).unwrap_or_default();
    let canonical = if s("kty") == "RSA" {
        json!({"e": s("e"), "kty": "RSA", "n": s("n")})
    } else {
        json!({"crv": s("crv"), "kty": s("kty"), "x": s("x"), "y": s("y")})
    };
    // serde_json's map is ordered by key: the canonical form.
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, canonical.to_string().as_bytes());
    URL_SAFE_NO_PAD.encode(d.as_ref())
}

pub(super) fn num(v: &Value, k: &str) -> Option<u64> {
    v.get(k).and_then(Value::as_u64)
}

/// Record a `jti`; false if it was seen before.
pub(super) fn fresh_jti(st: &mut State2, jti: &str, forget_at: u64) -> bool {
    let now = now_secs();
    st.jtis.retain(|_, t| *t > now);
    if st.jtis.contains_key(jti) {
        return false;
    }
    st.jtis
        .insert(jti.to_owned(), forget_at.max(now + 2 * IAT_WINDOW_SECS));
    true
}

pub(super) enum ProofError {
    Invalid(String),
    NeedNonce,
}

/// Checks a DPoP proof; its key's thumbprint on success.
pub(super) fn check_proof(
    st: &mut State2,
    proof: &str,
    method: &Method,
    htu: &str,
    token: Option<&str>,
    nonce: Option<&str>,
) -> Result<String, ProofError> {
    let bad = |m: &str| ProofError::Invalid(m.to_owned());
    let jwt = parse_jwt(proof).map_err(|e| bad(&e))?;
    if jwt.header.get("typ").and_then(Value::as_str) != Some("dpop+jwt") {
        return Err(bad("typ must be dpop+jwt"));
    }
    let jwk = jwt
        .header
        .get("jwk")
        .cloned()
        .ok_or_else(|| bad("no jwk"))?;
    if jwk.get("d").is_some() {
        return Err(bad("the jwk holds a private key"));
    }
    verify_with_jwk(&jwt, &jwk).map_err(|e| bad(&e))?;
    let c = &jwt.claims;
    if c.get("htm").and_then(Value::as_str) != Some(method.as_str()) {
        return Err(bad("htm does not match the request method"));
    }
    if c.get("htu").and_then(Value::as_str) != Some(htu) {
        return Err(bad("htu does not match the request URL"));
    }
    let now = now_secs();
    let iat = num(c, "iat").ok_or_else(|| bad("no iat"))?;
    if iat + IAT_WINDOW_SECS < now || iat > now + IAT_WINDOW_SECS {
        return Err(bad("iat is outside the accepted window"));
    }
    let jti = c
        .get("jti")
        .and_then(Value::as_str)
        .filter(|j| !j.is_empty())
        .ok_or_else(|| bad("no jti"))?;
    if let Some(t) = token {
        let want = URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
            &aws_lc_rs::digest::SHA256,
            t.as_bytes(),
        ));
        if c.get("ath").and_then(Value::as_str) != Some(want.as_str()) {
            return Err(bad("ath does not match the access token"));
        }
    }
    if let Some(n) = nonce {
        if c.get("nonce").and_then(Value::as_str) != Some(n) {
            return Err(ProofError::NeedNonce);
        }
    }
    if !fresh_jti(st, &format!("dpop:{jti}"), iat + 2 * IAT_WINDOW_SECS) {
        return Err(bad("jti replayed"));
    }
    Ok(thumbprint(&jwk))
}
