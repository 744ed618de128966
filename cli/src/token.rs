//! `finauth token` and `finauth headers`.

use crate::error::CliError;
use crate::output;
use crate::store;

/// Print only the token and a newline.
pub async fn token() -> Result<(), CliError> {
    let auth = store::partner_auth_from_env()?;
    store::check_store(&auth).await?;
    let token = auth.token().await?;
    output::print(&format!("{}\n", token.expose()))
}

/// Print `Finicity-App-Key: …` and `Finicity-App-Token: …`, one a line.
pub async fn headers() -> Result<(), CliError> {
    let auth = store::partner_auth_from_env()?;
    store::check_store(&auth).await?;
    let headers = auth.headers().await?;
    let text: String = headers
        .pairs()
        .iter()
        .map(|(name, value)| format!("{name}: {value}\n"))
        .collect();
    output::print(&text)
}
