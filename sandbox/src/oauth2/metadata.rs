//! The authorization server's metadata (RFC 8414) for the issuer `{origin}/oauth2`: an issuer
//! with a path, so clients must insert the well-known segment as RFC 8414 §3.1 says. The same
//! document is served at the OpenID Connect location (`{issuer}/.well-known/openid-configuration`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use super::{origin, OAUTH2_ISSUER_PATH, OAUTH2_TOKEN_PATH};
use crate::state::Shared;

pub(crate) async fn metadata(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    // Counted per location, so tests can prove a client reads the metadata once.
    shared.lock().count_endpoint(format!("GET {}", uri.path()));
    let origin = origin(&shared, &headers);
    Json(json!({
        "issuer": format!("{origin}{OAUTH2_ISSUER_PATH}"),
        "token_endpoint": format!("{origin}{OAUTH2_TOKEN_PATH}"),
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported":
            ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["PS256", "ES256"],
        "dpop_signing_alg_values_supported": ["PS256", "ES256"],
    }))
    .into_response()
}
