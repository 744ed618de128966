//! The protected resource under `/oauth2/resource`: checks the Bearer or DPoP token the
//! authorization server issued (expiry, scheme, proof, `ath`, key binding, nonce) and answers with
//! RFC 6750 / RFC 9449 challenges.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::jose::{check_proof, ProofError};
use super::{now_secs, origin, with_header, State2};
use crate::state::Shared;

pub(crate) async fn resource(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let origin = origin(&shared, &headers);
    let htu = format!("{origin}{}", uri.path());
    let mut st = shared.oauth2.lock();
    let (scheme, token) = match headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
    {
        Some((s, t)) => (s.to_ascii_lowercase(), t.trim().to_owned()),
        None => {
            return challenge("Bearer", "invalid_request", "no access token", None);
        }
    };
    let Some(issued) = st.tokens.get(&token) else {
        return challenge(
            if scheme == "dpop" { "DPoP" } else { "Bearer" },
            "invalid_token",
            "unknown token",
            None,
        );
    };
    let (client_id, scope, jkt, expires_at) = (
        issued.client_id.clone(),
        issued.scope.clone(),
        issued.jkt.clone(),
        issued.expires_at,
    );
    let stats = st.stats.entry(client_id.clone()).or_default();
    stats.resource_requests += 1;
    let reject = |st: &mut State2, scheme: &str, error: &str, d: &str, nonce: Option<&str>| {
        st.stats
            .entry(client_id.clone())
            .or_default()
            .resource_rejected += 1;
        challenge(scheme, error, d, nonce)
    };
    if expires_at <= now_secs() {
        let s = if jkt.is_some() { "DPoP" } else { "Bearer" };
        return reject(
            &mut st,
            s,
            "invalid_token",
            "the access token expired",
            None,
        );
    }
    match (&jkt, scheme.as_str()) {
        (None, "bearer") => {}
        (Some(want), "dpop") => {
            let Some(proof) = headers.get("dpop").and_then(|v| v.to_str().ok()) else {
                return reject(&mut st, "DPoP", "invalid_dpop_proof", "no DPoP proof", None);
            };
            let nonce = st.settings.require_nonce.then(|| st.resource_nonce.clone());
            match check_proof(
                &mut st,
                proof,
                &method,
                &htu,
                Some(&token),
                nonce.as_deref(),
            ) {
                Ok(t) if t == *want => {}
                Ok(_) => {
                    return reject(
                        &mut st,
                        "DPoP",
                        "invalid_dpop_proof",
                        "the proof's key is not the token's key",
                        None,
                    )
                }
                Err(ProofError::NeedNonce) => {
                    st.stats
                        .entry(client_id.clone())
                        .or_default()
                        .resource_nonce_challenges += 1;
                    return challenge(
                        "DPoP",
                        "use_dpop_nonce",
                        "use the DPoP-Nonce this server sent",
                        nonce.as_deref(),
                    );
                }
                Err(ProofError::Invalid(why)) => {
                    return reject(&mut st, "DPoP", "invalid_dpop_proof", &why, None)
                }
            }
        }
        (Some(_), _) => {
            return reject(
                &mut st,
                "DPoP",
                "invalid_token",
                "a DPoP-bound token needs the DPoP scheme",
                None,
            )
        }
        (None, _) => {
            return reject(
                &mut st,
                "Bearer",
                "invalid_token",
                "a Bearer token needs the Bearer scheme",
                None,
            )
        }
    }
    st.stats.entry(client_id.clone()).or_default().resource_ok += 1;
    let nonce = jkt.as_ref().map(|_| st.resource_nonce.clone());
    let r = Json(json!({ "ok": true, "client_id": client_id, "scope": scope, "path": uri.path(), "method": method.as_str() })).into_response();
    match nonce {
        Some(n) => with_header(r, "dpop-nonce", &n),
        None => r,
    }
}

fn challenge(scheme: &str, error: &str, description: &str, nonce: Option<&str>) -> Response {
    let value = format!("{scheme} error=\"{error}\", error_description=\"{description}\"");
    let r = with_header(
        (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": error, "error_description": description })),
        )
            .into_response(),
        "www-authenticate",
        &value,
    );
    match nonce {
        Some(n) => with_header(r, "dpop-nonce", n),
        None => r,
    }
}
