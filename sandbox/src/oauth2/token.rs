//! `POST /oauth2/token`: the client credentials grant. One request goes through four steps, each
//! its own function: read the parameters, say who the client claims to be and how it
//! authenticates, check that (secret, assertion or Finicity's JSON style), then bind the token to
//! a DPoP key if a proof came along and issue it.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use super::jose::{check_proof, fresh_jti, num, parse_jwt, verify_with_jwk, ProofError};
use super::{
    now_secs, oauth_error, origin, random_text, with_header, Issued, OAuth2Client, OAuth2Server,
    State2, ASSERTION_TYPE, MAX_ASSERTION_SECS, OAUTH2_ISSUER_PATH, OAUTH2_TOKEN_PATH,
};
use crate::state::Shared;

type Params = HashMap<String, String>;

/// Who the request says it is, and how it proves it.
struct ClientAuth {
    client_id: String,
    method: &'static str,
    secret: Option<String>,
    assertion: Option<String>,
}

/// Why the token endpoint says no.
enum Refusal {
    /// An OAuth 2.0 error answer, counted against the client.
    Error {
        status: StatusCode,
        error: &'static str,
        description: String,
    },
    /// A `use_dpop_nonce` challenge; the nonce the client must use.
    NeedNonce(String),
}

fn refuse(status: StatusCode, error: &'static str, description: impl Into<String>) -> Refusal {
    Refusal::Error {
        status,
        error,
        description: description.into(),
    }
}

pub(crate) async fn token_endpoint(
    State(shared): State<Arc<Shared>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if method != Method::POST {
        return oauth_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "use POST",
        );
    }
    let latency = shared.lock().settings.latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let origin = origin(&shared, &headers);
    let server = &shared.oauth2;
    let seq = {
        let mut st = server.lock();
        st.seq += 1;
        st.seq
    };
    let correlation = format!("sandbox-{seq}");
    let r = answer(server, &origin, &headers, &body);
    with_header(r, "correlation-id", &correlation)
}

fn answer(server: &OAuth2Server, origin: &str, headers: &HeaderMap, body: &[u8]) -> Response {
    let json_style = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.contains("json"));
    let Some(params) = read_params(json_style, body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "body is not JSON",
        );
    };
    let auth = client_auth(json_style, headers, &params);
    let mut st = server.lock();
    let stats = st.stats.entry(auth.client_id.clone()).or_default();
    stats.token_requests += 1;
    *stats.by_method.entry(auth.method.into()).or_default() += 1;
    match grant(&mut st, &auth, &params, headers, origin) {
        Ok(r) => r,
        Err(Refusal::NeedNonce(nonce)) => {
            st.stats
                .entry(auth.client_id.clone())
                .or_default()
                .nonce_challenges += 1;
            let r = oauth_error(
                StatusCode::BAD_REQUEST,
                "use_dpop_nonce",
                "use the DPoP-Nonce this server sent",
            );
            with_header(r, "dpop-nonce", &nonce)
        }
        Err(Refusal::Error {
            status,
            error,
            description,
        }) => {
            let s = st.stats.entry(auth.client_id.clone()).or_default();
            if error == "invalid_client" {
                s.invalid_client += 1;
            } else {
                s.other_errors += 1;
            }
            let r = oauth_error(status, error, &description);
            if error == "invalid_client" && status == StatusCode::UNAUTHORIZED {
                with_header(r, "www-authenticate", "Basic realm=\"finauth-sandbox\"")
            } else {
                r
            }
        }
    }
}

/// The request's parameters: a form, or (Finicity's style) a JSON object of strings. `None` when
/// a JSON body does not parse.
fn read_params(json_style: bool, body: &[u8]) -> Option<Params> {
    if !json_style {
        return Some(url::form_urlencoded::parse(body).into_owned().collect());
    }
    let map = serde_json::from_slice::<HashMap<String, Value>>(body).ok()?;
    Some(
        map.into_iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_owned())))
            .collect(),
    )
}

fn client_auth(json_style: bool, headers: &HeaderMap, params: &Params) -> ClientAuth {
    let p = |k: &str| params.get(k).map(String::as_str);
    let with_secret = |client_id: String, method, secret: Option<&str>| ClientAuth {
        client_id,
        method,
        secret: secret.map(str::to_owned),
        assertion: None,
    };
    let named = || p("client_id").unwrap_or_default().to_owned();
    if json_style {
        return with_secret(named(), "finicity_json", p("client_secret"));
    }
    if let Some((id, secret)) = basic(headers) {
        return with_secret(id, "client_secret_basic", Some(&secret));
    }
    let Some(assertion) = p("client_assertion") else {
        return with_secret(named(), "client_secret_post", p("client_secret"));
    };
    // Without a client_id the assertion's issuer names the client (RFC 7523 §3).
    let client_id = p("client_id")
        .map(str::to_owned)
        .or_else(|| {
            let jwt = parse_jwt(assertion).ok()?;
            jwt.claims.get("iss")?.as_str().map(str::to_owned)
        })
        .unwrap_or_default();
    ClientAuth {
        client_id,
        method: "private_key_jwt",
        secret: None,
        assertion: Some(assertion.to_owned()),
    }
}

/// `client_secret_basic` credentials, each half form-decoded (RFC 6749 §2.3.1).
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let b64 = v
        .strip_prefix("Basic ")
        .or_else(|| v.strip_prefix("basic "))?;
    let raw = String::from_utf8(STANDARD.decode(b64.trim()).ok()?).ok()?;
    let (id, secret) = raw.split_once(':')?;
    let dec = |s: &str| -> Option<String> {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .into_owned()
            .collect();
        pairs.into_iter().next().map(|(_, v)| v)
    };
    Some((dec(id)?, dec(secret)?))
}

fn grant(
    st: &mut State2,
    auth: &ClientAuth,
    params: &Params,
    headers: &HeaderMap,
    origin: &str,
) -> Result<Response, Refusal> {
    let p = |k: &str| params.get(k).map(String::as_str);
    if p("grant_type") != Some("client_credentials") {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only client_credentials is supported",
        ));
    }
    let client = st
        .clients
        .get(&auth.client_id)
        .cloned()
        .ok_or_else(|| refuse(StatusCode::UNAUTHORIZED, "invalid_client", "unknown client"))?;
    authenticate(
        st,
        &client,
        auth,
        p("client_assertion_type"),
        headers,
        origin,
    )
    .map_err(|why| refuse(StatusCode::UNAUTHORIZED, "invalid_client", why))?;
    if client.unauthorized {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "this client may not use client credentials",
        ));
    }
    let scope = allowed_scope(&client, p("scope").unwrap_or_default())?;
    let (jkt, nonce) = dpop_binding(st, headers, origin)?;
    Ok(issue(st, &auth.client_id, scope, jkt, nonce))
}

/// Client authentication; why it failed otherwise.
fn authenticate(
    st: &mut State2,
    client: &OAuth2Client,
    auth: &ClientAuth,
    assertion_type: Option<&str>,
    headers: &HeaderMap,
    origin: &str,
) -> Result<(), String> {
    if auth.method == "private_key_jwt" {
        let assertion = auth.assertion.as_deref().unwrap_or_default();
        return check_assertion(st, client, assertion, assertion_type, origin);
    }
    match (&client.client_secret, &auth.secret) {
        (Some(want), Some(got)) if want == got => {}
        _ => return Err("client authentication failed".into()),
    }
    if auth.method == "finicity_json" {
        let key = headers
            .get("finicity-app-key")
            .and_then(|v| v.to_str().ok());
        if key.is_none() || key != client.app_key.as_deref() {
            return Err("wrong or missing Finicity-App-Key".into());
        }
    }
    Ok(())
}

/// RFC 7523 §3: the assertion's signature, `iss`/`sub`, `aud`, lifetime and `jti`.
fn check_assertion(
    st: &mut State2,
    client: &OAuth2Client,
    assertion: &str,
    assertion_type: Option<&str>,
    origin: &str,
) -> Result<(), String> {
    if assertion_type != Some(ASSERTION_TYPE) {
        return Err("client_assertion_type must be jwt-bearer".into());
    }
    let jwk = client
        .jwk
        .as_ref()
        .ok_or("no public key registered for this client")?;
    let jwt = parse_jwt(assertion)?;
    verify_with_jwk(&jwt, jwk)?;
    let c = &jwt.claims;
    let s = |k: &str| c.get(k).and_then(Value::as_str);
    if s("iss") != Some(client.client_id.as_str()) || s("sub") != Some(client.client_id.as_str()) {
        return Err("iss and sub must be the client id".into());
    }
    // RFC 7523 §3: the token endpoint URL or the issuer (and, leniently, the origin).
    let token_url = format!("{origin}{OAUTH2_TOKEN_PATH}");
    let issuer = format!("{origin}{OAUTH2_ISSUER_PATH}");
    let ours = |a: &str| a == origin || a == token_url || a == issuer;
    let aud_ok = match c.get("aud") {
        Some(Value::String(a)) => ours(a),
        Some(Value::Array(v)) => v.iter().any(|a| a.as_str().is_some_and(ours)),
        _ => false,
    };
    if !aud_ok {
        return Err("aud is not this server".into());
    }
    let now = now_secs();
    let exp = num(c, "exp").ok_or("no exp")?;
    if exp <= now {
        return Err("the assertion has expired".into());
    }
    let iat = num(c, "iat").unwrap_or(now);
    if exp.saturating_sub(iat) > MAX_ASSERTION_SECS {
        return Err("the assertion lives too long".into());
    }
    if num(c, "nbf").is_some_and(|nbf| nbf > now + 5) {
        return Err("the assertion is not valid yet".into());
    }
    let jti = s("jti").filter(|j| !j.is_empty()).ok_or("no jti")?;
    if !fresh_jti(
        st,
        &format!("assertion:{}:{jti}", client.client_id),
        exp + 1,
    ) {
        return Err("jti replayed".into());
    }
    Ok(())
}

/// The requested scopes, if the client may have every one of them.
fn allowed_scope(client: &OAuth2Client, requested: &str) -> Result<String, Refusal> {
    let scope = requested.split_ascii_whitespace().collect::<Vec<_>>();
    if let Some(allowed) = &client.scopes {
        if let Some(s) = scope.iter().find(|s| !allowed.iter().any(|a| a == *s)) {
            return Err(refuse(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                format!("scope `{s}` is not allowed"),
            ));
        }
    }
    Ok(scope.join(" "))
}

/// With a DPoP proof (and DPoP on): the key thumbprint the token is bound to, and the nonce to
/// send back. Without one: a Bearer token.
fn dpop_binding(
    st: &mut State2,
    headers: &HeaderMap,
    origin: &str,
) -> Result<(Option<String>, Option<String>), Refusal> {
    let Some(proof) = headers.get("dpop").and_then(|v| v.to_str().ok()) else {
        return Ok((None, None));
    };
    if st.settings.bearer_only {
        return Ok((None, None));
    }
    let required = st.settings.require_nonce.then(|| st.token_nonce.clone());
    let current = st.token_nonce.clone();
    let htu = format!("{origin}{OAUTH2_TOKEN_PATH}");
    match check_proof(st, proof, &Method::POST, &htu, None, required.as_deref()) {
        Ok(jkt) => Ok((Some(jkt), Some(current))),
        Err(ProofError::NeedNonce) => Err(Refusal::NeedNonce(current)),
        Err(ProofError::Invalid(why)) => {
            Err(refuse(StatusCode::BAD_REQUEST, "invalid_dpop_proof", why))
        }
    }
}

fn issue(
    st: &mut State2,
    client_id: &str,
    scope: String,
    jkt: Option<String>,
    nonce: Option<String>,
) -> Response {
    st.seq += 1;
    let token = random_text(st.seq);
    crate::token_log::record(&token);
    let settings = &st.settings;
    let lifetime = settings.expires_in.unwrap_or(settings.implicit_lifetime);
    let mut answer = json!({
        "access_token": token,
        "token_type": if jkt.is_some() { "DPoP" } else { "Bearer" },
    });
    if let Some(e) = settings.expires_in {
        answer["expires_in"] = Value::from(e);
    }
    if !scope.is_empty() {
        answer["scope"] = Value::from(scope.clone());
    }
    st.tokens.insert(
        token,
        Issued {
            client_id: client_id.to_owned(),
            scope,
            jkt,
            expires_at: now_secs() + lifetime,
        },
    );
    st.stats
        .entry(client_id.to_owned())
        .or_default()
        .tokens_issued += 1;
    let mut r = Json(answer).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    match nonce {
        Some(n) => with_header(r, "dpop-nonce", &n),
        None => r,
    }
}
