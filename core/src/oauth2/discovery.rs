//! Authorization server metadata (RFC 8414, OpenID Connect Discovery 1.0), sans I/O: where to
//! look for an issuer's metadata, how to read it, and whether it supports the configuration.
//! The source fetches the documents; everything decided about them is here, testable without a
//! socket.

use super::config::AuthMethod;
use crate::error::{Error, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::Url;
use serde_json::Value;

/// What finauth takes from an issuer's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Metadata {
    pub issuer: String,
    pub token_endpoint: Url,
    /// `None`: not published (RFC 8414 §2 then means `client_secret_basic` only).
    pub auth_methods: Option<Vec<String>>,
    pub auth_signing_algs: Option<Vec<String>>,
    pub dpop_signing_algs: Option<Vec<String>>,
}

/// The metadata URLs of `issuer`, in the order to try them: RFC 8414 §3.1 inserts
/// `/.well-known/oauth-authorization-server` between the host and the issuer's path; OpenID
/// Connect Discovery appends `/.well-known/openid-configuration` to the issuer.
pub(crate) fn well_known_urls(issuer: &Url) -> Vec<Url> {
    let path = issuer.path().trim_end_matches('/');
    let at = |p: String| {
        let mut u = issuer.clone();
        u.set_path(&p);
        u.set_query(None);
        u.set_fragment(None);
        u
    };
    vec![
        at(format!("/.well-known/oauth-authorization-server{path}")),
        at(format!("{path}/.well-known/openid-configuration")),
    ]
}

/// Reads one metadata document. RFC 8414 §3.3: its `issuer` must be the configured one, or an
/// attacker's document could name another token endpoint.
pub(crate) fn parse(issuer: &Url, body: &[u8], allow_insecure_loopback: bool) -> Result<Metadata> {
    let v: Value = serde_json::from_slice(body)
        .map_err(|_| Error::config("issuer: the metadata document is not JSON"))?;
    let said = v.get("issuer").and_then(Value::as_str).unwrap_or_default();
    if said.trim_end_matches('/') != issuer.as_str().trim_end_matches('/') {
        return Err(Error::config(format!(
            "issuer: the metadata names issuer `{}`, not `{issuer}`",
            crate::secret::scrub(said, &[])
                .chars()
                .take(200)
                .collect::<String>()
        )));
    }
    let endpoint = v
        .get("token_endpoint")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::config("issuer: the metadata has no token_endpoint"))?;
    let token_endpoint =
        crate::transport::validate_url("token_endpoint", endpoint, allow_insecure_loopback)?;
    let list = |k: &str| {
        v.get(k).and_then(Value::as_array).map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
    };
    Ok(Metadata {
        issuer: said.to_owned(),
        token_endpoint,
        auth_methods: list("token_endpoint_auth_methods_supported"),
        auth_signing_algs: list("token_endpoint_auth_signing_alg_values_supported"),
        dpop_signing_algs: list("dpop_signing_alg_values_supported"),
    })
}

/// The part of `m` finauth uses, as a store record: base64url of a metadata document holding
/// only those members (a record must be a header-safe token; see the metadata source).
pub(crate) fn to_record(m: &Metadata) -> String {
    let mut doc = serde_json::json!({
        "issuer": m.issuer,
        "token_endpoint": m.token_endpoint.as_str(),
    });
    let lists = [
        ("token_endpoint_auth_methods_supported", &m.auth_methods),
        (
            "token_endpoint_auth_signing_alg_values_supported",
            &m.auth_signing_algs,
        ),
        ("dpop_signing_alg_values_supported", &m.dpop_signing_algs),
    ];
    for (k, v) in lists {
        if let Some(v) = v {
            doc[k] = Value::from(v.clone());
        }
    }
    URL_SAFE_NO_PAD.encode(doc.to_string())
}

/// Reads a record of [`to_record`] (written by any process sharing the store) with the checks of
/// [`parse`]: a record from another configuration or a damaged one is refused, never trusted.
pub(crate) fn from_record(
    issuer: &Url,
    record: &str,
    allow_insecure_loopback: bool,
) -> Result<Metadata> {
    let doc = URL_SAFE_NO_PAD
        .decode(record)
        .map_err(|_| Error::Store("the stored issuer metadata is damaged".into()))?;
    parse(issuer, &doc, allow_insecure_loopback)
}

/// Whether the server supports this configuration; a `Config` error naming the mismatch if not.
/// `alg` is the JWS algorithm of the signing key, if there is one.
pub(crate) fn check(m: &Metadata, method: AuthMethod, alg: Option<&str>, dpop: bool) -> Result<()> {
    // Finicity's JSON style is not a registered method; no metadata can speak for it.
    if method != AuthMethod::FinicityJson {
        let methods = m
            .auth_methods
            .clone()
            .unwrap_or_else(|| vec!["client_secret_basic".into()]);
        if !methods.iter().any(|x| x == method.as_str()) {
            return Err(Error::config(format!(
                "auth_method: the server supports {} at its token endpoint, not {method}",
                methods.join(", ")
            )));
        }
    }
    if let (AuthMethod::PrivateKeyJwt, Some(alg), Some(algs)) = (method, alg, &m.auth_signing_algs)
    {
        if !algs.iter().any(|a| a == alg) {
            return Err(Error::config(format!(
                "signing_key: the server accepts client assertions signed with {}, not {alg}",
                algs.join(", ")
            )));
        }
    }
    if dpop {
        match (&m.dpop_signing_algs, alg) {
            (None, _) => {
                return Err(Error::config(
                    "dpop: the server's metadata has no dpop_signing_alg_values_supported: it does not offer DPoP",
                ))
            }
            (Some(algs), Some(alg)) if !algs.iter().any(|a| a == alg) => {
                return Err(Error::config(format!(
                    "dpop: the server accepts DPoP proofs signed with {}, not {alg}",
                    algs.join(", ")
                )))
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn an_issuer_with_a_path_gets_the_path_inserted_then_appended() {
        let u = well_known_urls(&url("https://auth.example.com/realms/acme/"));
        assert_eq!(
            u[0].as_str(),
            "https://auth.example.com/.well-known/oauth-authorization-server/realms/acme"
        );
        assert_eq!(
            u[1].as_str(),
            "https://auth.example.com/realms/acme/.well-known/openid-configuration"
        );
        let root = well_known_urls(&url("https://auth.example.com"));
        assert_eq!(
            root[0].as_str(),
            "https://auth.example.com/.well-known/oauth-authorization-server"
        );
        assert_eq!(
            root[1].as_str(),
            "https://auth.example.com/.well-known/openid-configuration"
        );
    }

    fn doc(extra: &str) -> Vec<u8> {
        format!(
            r#"{{"issuer":"https://auth.example.com/realms/acme","token_endpoint":"https://auth.example.com/realms/acme/token"{extra}}}"#
        )
        .into_bytes()
    }

    #[test]
    fn the_issuer_must_match_and_the_token_endpoint_be_https() {
        let iss = url("https://auth.example.com/realms/acme");
        let m = parse(&iss, &doc(""), false).unwrap();
        assert_eq!(
            m.token_endpoint.as_str(),
            "https://auth.example.com/realms/acme/token"
        );
        let other = parse(
            &url("https://auth.example.com/realms/other"),
            &doc(""),
            false,
        );
        assert!(other.unwrap_err().to_string().contains("names issuer"));
        let plain = br#"{"issuer":"https://auth.example.com/realms/acme","token_endpoint":"http://auth.example.com/t"}"#;
        assert!(parse(&iss, plain, false).is_err());
        assert!(parse(&iss, b"<html>", false).is_err());
    }

    #[test]
    fn unsupported_methods_and_algorithms_are_named() {
        let iss = url("https://auth.example.com/realms/acme");
        let m = parse(
            &iss,
            &doc(r#","token_endpoint_auth_methods_supported":["private_key_jwt"],"token_endpoint_auth_signing_alg_values_supported":["ES256"],"dpop_signing_alg_values_supported":["ES256"]"#),
            false,
        )
        .unwrap();
        let e = check(&m, AuthMethod::ClientSecretBasic, None, false).unwrap_err();
        assert!(e.to_string().contains("supports private_key_jwt"), "{e}");
        let e = check(&m, AuthMethod::PrivateKeyJwt, Some("PS256"), false).unwrap_err();
        assert!(
            e.to_string().contains("signed with ES256, not PS256"),
            "{e}"
        );
        check(&m, AuthMethod::PrivateKeyJwt, Some("ES256"), true).unwrap();
        // Nothing published: client_secret_basic only (RFC 8414 §2), and no DPoP.
        let bare = parse(&iss, &doc(""), false).unwrap();
        check(&bare, AuthMethod::ClientSecretBasic, None, false).unwrap();
        let back = from_record(&iss, &to_record(&m), false).unwrap();
        assert_eq!(back, m);
        assert_eq!(from_record(&iss, &to_record(&bare), false).unwrap(), bare);
        assert!(from_record(&iss, "not base64!", false).is_err());
        assert!(check(&bare, AuthMethod::ClientSecretPost, None, false).is_err());
        assert!(
            check(&bare, AuthMethod::ClientSecretBasic, Some("ES256"), true)
                .unwrap_err()
                .to_string()
                .contains("does not offer DPoP")
        );
    }
}
