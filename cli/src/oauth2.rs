//! `finauth oauth2 token`, `finauth oauth2 headers` and `finauth oauth2 guard status|reset`.

use crate::error::CliError;
use crate::guard::render;
use crate::output;
use crate::store;

pub const OAUTH2_HELP: &str = "Environment: FINAUTH_OAUTH2_TOKEN_URL or FINAUTH_OAUTH2_ISSUER (the \
token endpoint from the issuer's metadata), FINAUTH_OAUTH2_CLIENT_ID, \
FINAUTH_OAUTH2_CLIENT_SECRET, FINAUTH_OAUTH2_AUTH_METHOD (client_secret_basic | client_secret_post | \
private_key_jwt | finicity_json), FINAUTH_OAUTH2_SCOPE, FINAUTH_OAUTH2_KEY (a path), \
FINAUTH_OAUTH2_KEY_PASSWORD, FINAUTH_OAUTH2_KEY_ALIAS, FINAUTH_OAUTH2_KEY_ID, FINAUTH_OAUTH2_AUDIENCE, \
FINAUTH_OAUTH2_DPOP (1), FINICITY_APP_KEY (finicity_json), FINAUTH_STORE, FINAUTH_MAX_FAILED_ATTEMPTS, \
FINAUTH_TIMEOUT, FINAUTH_ALLOW_INSECURE_LOOPBACK.\n\
Exit status: 0 ok, 2 CONFIG, 3 INVALID_CREDENTIALS, 5 LOCKOUT_GUARD, 6 RATE_LIMITED, 8 SERVER, \
9 TRANSPORT, 10 TIMEOUT, 11 STORE, 12 SIGNING_KEY.";

/// Print only the access token and a newline.
pub async fn token() -> Result<(), CliError> {
    let cc = store::client_credentials_from_env()?;
    cc.guard_status().await?;
    let token = cc.token().await?;
    output::print(&format!("{}\n", token.expose()))
}

/// Print the token endpoint (discovered from the issuer's metadata when one is configured; the
/// store keeps the metadata for every later run and process).
pub async fn discover() -> Result<(), CliError> {
    let cc = store::client_credentials_from_env()?;
    let url = cc.discover().await?;
    output::print(&format!("{url}\n"))
}

/// Print `Authorization: …` (and `DPoP: …`), one a line, for one request.
pub async fn headers(method: &str, url: Option<&str>) -> Result<(), CliError> {
    let cc = store::client_credentials_from_env()?;
    let url = match (url, cc.token_type()) {
        (Some(u), _) => u.to_owned(),
        (None, "DPoP") => {
            return Err(CliError::config(
                "--url is needed with FINAUTH_OAUTH2_DPOP=1 (the DPoP proof is bound to the request URL)",
            ))
        }
        (None, _) => cc.token_url().to_string(),
    };
    cc.guard_status().await?;
    let headers = cc.headers(method, &url).await?;
    let text: String = headers
        .pairs()
        .iter()
        .map(|(name, value)| format!("{name}: {value}\n"))
        .collect();
    output::print(&text)
}

/// What the lockout guard of this client knows, as `key: value` lines or one JSON object.
pub async fn guard_status(json: bool) -> Result<(), CliError> {
    let (cc, known) = store::oauth2_guard_from_env()?;
    let status = cc.guard_status().await?;
    // The guard belongs to the issuer when one is configured (no metadata is read here).
    let endpoint = match cc.issuer() {
        Some(issuer) => ("issuer", issuer.to_string()),
        None => ("token_url", cc.token_url().to_string()),
    };
    let whose = [("client_id", cc.client_id().to_owned()), endpoint];
    output::print(&render(&whose, &status, known, json))
}

/// Operator action: forget the failures and rejected credentials of this client, for every
/// process sharing the store.
pub async fn guard_reset() -> Result<(), CliError> {
    let (cc, _) = store::oauth2_guard_from_env()?;
    let before = cc.guard_status().await?;
    cc.reset_lockout_guard().await?;
    output::print(&format!(
        "lockout guard cleared for client {} at {} (store {}): {} failed attempt(s), {} rejected credential(s) forgotten\n",
        cc.client_id(),
        cc.token_url(),
        before.store,
        before.failed_attempts,
        before.rejected_secrets,
    ))
}
