//! Configuration from the environment, and the CLI's default store.
//!
//! Each `finauth` call is a new process, so a memory store would make a shell loop authenticate on
//! every call and give every call a fresh lockout guard. Without `FINAUTH_STORE` the CLI therefore
//! keeps its state in a `FileStore` in the user's cache directory (mode 0700), like
//! `gcloud auth print-access-token` caches its token.

use crate::error::CliError;
use finauth::{FileStore, PartnerAuth, PartnerAuthBuilder};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Stands in for a secret or App Key that `guard` commands do not need; never sent anywhere.
const PLACEHOLDER: &str = "finauth-cli-placeholder";

/// A `PartnerAuth` configured by the environment, with the CLI's default store.
pub fn partner_auth_from_env() -> Result<PartnerAuth, CliError> {
    let builder = PartnerAuthBuilder::from_env()?;
    Ok(with_default_store(builder, &env)?.build()?)
}

/// A `ClientCredentials` configured by the `FINAUTH_OAUTH2_*` variables, with the CLI's default
/// store (so a shell loop of `finauth oauth2 token` makes one token request).
pub fn client_credentials_from_env() -> Result<finauth::ClientCredentials, CliError> {
    let builder = finauth::ClientCredentialsBuilder::from_env()?.degrade_on_store_error(false);
    if builder.has_store() {
        return Ok(builder.build()?);
    }
    let dir = default_dir(&env)?;
    Ok(builder.store(Arc::new(open_private_dir(&dir)?)).build()?)
}

/// For `oauth2 guard status|reset`, which send nothing: the client secret may be unset. Returns
/// whether the credential the guard judges (secret, or key) was configured.
pub fn oauth2_guard_from_env() -> Result<(finauth::ClientCredentials, bool), CliError> {
    let known =
        env("FINAUTH_OAUTH2_CLIENT_SECRET").is_some() || env("FINAUTH_OAUTH2_KEY").is_some();
    let builder = finauth::ClientCredentialsBuilder::from_vars(|name| match name {
        "FINAUTH_OAUTH2_CLIENT_SECRET" => env(name).or_else(|| Some(PLACEHOLDER.to_owned())),
        "FINICITY_APP_KEY" => env(name).or_else(|| Some(PLACEHOLDER.to_owned())),
        _ => env(name),
    })?
    .degrade_on_store_error(false);
    if builder.has_store() {
        return Ok((builder.build()?, known));
    }
    let dir = default_dir(&env)?;
    Ok((
        builder.store(Arc::new(open_private_dir(&dir)?)).build()?,
        known,
    ))
}

/// For `guard status|reset`, which send nothing: the secret and App Key may be unset (an operator
/// clearing the guard need not hold them). Returns whether the real secret was configured.
pub fn guard_auth_from_env() -> Result<(PartnerAuth, bool), CliError> {
    let secret_known = env("FINICITY_PARTNER_SECRET").is_some();
    let builder = PartnerAuthBuilder::from_vars(|name| match name {
        "FINICITY_PARTNER_SECRET" | "FINICITY_APP_KEY" => {
            env(name).or_else(|| Some(PLACEHOLDER.to_owned()))
        }
        _ => env(name),
    })?;
    Ok((with_default_store(builder, &env)?.build()?, secret_known))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Use the builder's store if `FINAUTH_STORE` chose one, else the default file store.
fn with_default_store(
    builder: PartnerAuthBuilder,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<PartnerAuthBuilder, CliError> {
    // Each CLI call is a new process: a process-local fallback guard would start from zero on
    // every call, so a store failure must fail the call instead.
    let builder = builder.degrade_on_store_error(false);
    if builder.has_store() {
        if var("FINAUTH_STORE").is_some_and(|s| s.trim() == "memory") {
            tracing::warn!(
                "FINAUTH_STORE=memory: this finauth process keeps its token and lockout guard to \
                 itself, so every call authenticates and starts with a fresh guard"
            );
        }
        return Ok(builder);
    }
    let dir = default_dir(var)?;
    Ok(builder.store(Arc::new(open_private_dir(&dir)?)))
}

/// `$XDG_CACHE_HOME/finauth`, else `$HOME/.cache/finauth` (relative paths are ignored, as the
/// XDG specification asks).
pub fn default_dir(var: &dyn Fn(&str) -> Option<String>) -> Result<PathBuf, CliError> {
    let absolute = |name: &str| var(name).map(PathBuf::from).filter(|p| p.is_absolute());
    if let Some(cache) = absolute("XDG_CACHE_HOME") {
        return Ok(cache.join("finauth"));
    }
    if let Some(home) = absolute("HOME") {
        return Ok(home.join(".cache").join("finauth"));
    }
    Err(CliError::config(
        "cannot choose where to keep the token and lockout guard: set FINAUTH_STORE \
         (e.g. file:/path/to/dir), XDG_CACHE_HOME or HOME",
    ))
}

/// A `FileStore` in `dir`, created 0700; an existing directory open to group or others is
/// tightened to 0700 first (it holds tokens).
pub fn open_private_dir(dir: &Path) -> Result<FileStore, CliError> {
    if let Ok(meta) = std::fs::metadata(dir) {
        if meta.is_dir() && meta.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| {
                finauth::Error::Store(format!(
                    "cannot restrict {} to mode 0700: {e}",
                    dir.display()
                ))
            })?;
            tracing::info!(dir = %dir.display(), "restricted the cache directory to mode 0700");
        }
    }
    Ok(FileStore::new(dir)?)
}

/// Read the guard state from the store before anything is sent. The core falls back to
/// process-local state when a store fails; for a CLI, where every call is a new process, that
/// would give each call a fresh guard, so an unreadable store stops the command here instead.
pub async fn check_store(auth: &PartnerAuth) -> Result<finauth::GuardStatus, CliError> {
    Ok(auth.guard_status().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |n| {
            pairs
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn xdg_cache_home_wins_then_home() {
        let both = vars(&[("XDG_CACHE_HOME", "/x/cache"), ("HOME", "/home/u")]);
        assert_eq!(
            default_dir(&both).ok(),
            Some(PathBuf::from("/x/cache/finauth"))
        );
        let home = vars(&[("HOME", "/home/u")]);
        assert_eq!(
            default_dir(&home).ok(),
            Some(PathBuf::from("/home/u/.cache/finauth"))
        );
        let relative = vars(&[("XDG_CACHE_HOME", "rel"), ("HOME", "/home/u")]);
        assert_eq!(
            default_dir(&relative).ok(),
            Some(PathBuf::from("/home/u/.cache/finauth"))
        );
    }

    #[test]
    fn no_home_at_all_is_a_config_error() {
        let none = vars(&[]);
        let err = default_dir(&none).err().map(|e| e.kind());
        assert_eq!(err, Some("CONFIG"));
    }
}
