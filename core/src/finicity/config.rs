//! Configuration of a [`crate::PartnerAuth`]: a validating builder and `from_env`. The settings
//! every credential object shares are [`crate::settings::CommonSettings`].

use crate::error::{Error, Result};
use crate::lifecycle::EngineConfig;
use crate::secret::Secret;
use crate::settings::{
    check_header_value, check_secret_text, common_setters, seconds, CommonSettings,
};
use crate::store::Store;
use std::time::Duration;

/// The default Finicity API (sandbox and production share it; the Partner ID decides).
pub const DEFAULT_BASE_URL: &str = "https://api.finicity.com";

/// Builds a [`crate::PartnerAuth`]; `build` checks every field and names the one at fault.
#[derive(Clone)]
pub struct PartnerAuthBuilder {
    pub(crate) partner_id: Option<String>,
    pub(crate) partner_secret: Option<Secret>,
    pub(crate) app_key: Option<Secret>,
    pub(crate) base_url: String,
    pub(crate) refresh_after: Duration,
    pub(crate) token_lifetime: Duration,
    pub(crate) common: CommonSettings,
}

impl std::fmt::Debug for PartnerAuthBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartnerAuthBuilder")
            .field("partner_id", &self.partner_id)
            .field(
                "partner_secret",
                &self.partner_secret.as_ref().map(|_| "[REDACTED]"),
            )
            .field("app_key", &self.app_key.as_ref().map(|_| "[REDACTED]"))
            .field("base_url", &self.base_url)
            .field("refresh_after", &self.refresh_after)
            .field("token_lifetime", &self.token_lifetime)
            .field("common", &self.common)
            .finish_non_exhaustive()
    }
}

impl Default for PartnerAuthBuilder {
    fn default() -> Self {
        PartnerAuthBuilder {
            partner_id: None,
            partner_secret: None,
            app_key: None,
            base_url: DEFAULT_BASE_URL.into(),
            refresh_after: Duration::from_secs(5400),
            token_lifetime: Duration::from_secs(7200),
            common: CommonSettings::default(),
        }
    }
}

impl PartnerAuthBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn partner_id(mut self, v: impl Into<String>) -> Self {
        self.partner_id = Some(v.into());
        self
    }
    pub fn partner_secret(mut self, v: impl Into<Secret>) -> Self {
        self.partner_secret = Some(v.into());
        self
    }
    pub fn app_key(mut self, v: impl Into<Secret>) -> Self {
        self.app_key = Some(v.into());
        self
    }
    pub fn base_url(mut self, v: impl Into<String>) -> Self {
        self.base_url = v.into();
        self
    }
    /// Age at which a token is refreshed (default 90 min).
    pub fn refresh_after(mut self, v: Duration) -> Self {
        self.refresh_after = v;
        self
    }
    /// How long a token works (default 2 h).
    pub fn token_lifetime(mut self, v: Duration) -> Self {
        self.token_lifetime = v;
        self
    }
    common_setters!();

    /// Read the variables of docs/API.md through `var` (tests pass a map; `from_env` the process's).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let mut b = PartnerAuthBuilder::default();
        let get = |name: &str| var(name).filter(|v| !v.is_empty());
        let need =
            |name: &str| get(name).ok_or_else(|| Error::config(format!("{name} is not set")));
        b.partner_id = Some(need("FINICITY_PARTNER_ID")?);
        b.partner_secret = Some(Secret::new(need("FINICITY_PARTNER_SECRET")?));
        b.app_key = Some(Secret::new(need("FINICITY_APP_KEY")?));
        if let Some(v) = get("FINICITY_BASE_URL") {
            b.base_url = v;
        }
        if let Some(v) = get("FINAUTH_REFRESH_AFTER") {
            b.refresh_after = seconds("FINAUTH_REFRESH_AFTER", &v)?;
        }
        if let Some(v) = get("FINAUTH_TOKEN_LIFETIME") {
            b.token_lifetime = seconds("FINAUTH_TOKEN_LIFETIME", &v)?;
        }
        b.common.read_env(&var)?;
        Ok(b)
    }

    /// Read the process environment (see [`PartnerAuthBuilder::from_vars`]).
    pub fn from_env() -> Result<Self> {
        Self::from_vars(|n| std::env::var(n).ok())
    }

    /// Check everything; the error names the field.
    pub(crate) fn validate(&self) -> Result<Validated> {
        let partner_id = self
            .partner_id
            .clone()
            .ok_or_else(|| Error::config("partner_id is required"))?;
        let partner_id = partner_id.trim().to_owned();
        if partner_id.is_empty() || partner_id.len() > 128 {
            return Err(Error::config("partner_id must be 1–128 characters"));
        }
        if partner_id
            .chars()
            .any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(Error::config(
                "partner_id must not contain spaces or control characters",
            ));
        }
        let secret = self
            .partner_secret
            .clone()
            .ok_or_else(|| Error::config("partner_secret is required"))?;
        check_secret_text("partner_secret", secret.expose())?;
        let app_key = self
            .app_key
            .clone()
            .ok_or_else(|| Error::config("app_key is required"))?;
        check_header_value("app_key", app_key.expose())?;
        let base_url = crate::transport::validate_url(
            "base_url",
            &self.base_url,
            self.common.allow_insecure_loopback,
        )?;
        self.common.check()?;
        if self.token_lifetime.is_zero() {
            return Err(Error::config("token_lifetime must be positive"));
        }
        if self.refresh_after.is_zero() || self.refresh_after >= self.token_lifetime {
            return Err(Error::config(
                "refresh_after must be positive and shorter than token_lifetime",
            ));
        }
        let margin = self.common.mandatory_margin.unwrap_or_else(|| {
            EngineConfig::default()
                .mandatory_margin
                .min(self.token_lifetime.saturating_sub(self.refresh_after) / 2)
        });
        if margin >= self.token_lifetime {
            return Err(Error::config(
                "mandatory_margin must be shorter than token_lifetime",
            ));
        }
        let engine = self.common.engine(margin);
        Ok(Validated {
            partner_id,
            secret,
            app_key,
            base_url,
            store: self.common.store_or_memory(),
            engine,
        })
    }
}

pub(crate) struct Validated {
    pub partner_id: String,
    pub secret: Secret,
    pub app_key: Secret,
    pub base_url: reqwest::Url,
    pub store: std::sync::Arc<dyn Store>,
    pub engine: EngineConfig,
}

/// Finicity's rules for a new partner secret (checked before the PUT is sent).
pub(crate) fn check_new_secret(s: &str) -> Result<()> {
    const SPECIAL: &str = "!@#$%&*_-+";
    let n = s.chars().count();
    if !(12..=255).contains(&n) {
        return Err(Error::config(format!(
            "new_partner_secret must be 12–255 characters, got {n}"
        )));
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || SPECIAL.contains(c))
    {
        return Err(Error::config(format!(
            "new_partner_secret may only use A-Z a-z 0-9 {SPECIAL}"
        )));
    }
    if !s.chars().any(|c| c.is_ascii_alphabetic()) || !s.chars().any(|c| c.is_ascii_digit()) {
        return Err(Error::config(
            "new_partner_secret needs at least one letter and one digit",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> PartnerAuthBuilder {
        PartnerAuthBuilder::new()
            .partner_id("p1")
            .partner_secret("s3cretValue1")
            .app_key("key")
    }

    fn err(b: PartnerAuthBuilder) -> String {
        match b.validate() {
            Err(Error::Config(m)) => m,
            Err(other) => panic!("not a config error: {other}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn each_invalid_field_is_named() {
        assert!(err(PartnerAuthBuilder::new()).contains("partner_id"));
        assert!(err(base().max_failed_attempts(5)).contains("max_failed_attempts"));
        assert!(err(base().max_failed_attempts(0)).contains("max_failed_attempts"));
        assert!(err(base().base_url("http://api.example.com")).contains("base_url"));
        assert!(err(base().base_url("http://127.0.0.1:1")).contains("allow_insecure_loopback"));
        assert!(err(base().app_key("has space")).contains("app_key"));
        assert!(err(base().refresh_after(Duration::from_secs(9000))).contains("refresh_after"));
        assert!(base()
            .base_url("http://127.0.0.1:1")
            .allow_insecure_loopback(true)
            .validate()
            .is_ok());
    }

    #[test]
    fn new_secret_rules() {
        assert!(check_new_secret("NewSecret2027").is_ok());
        assert!(check_new_secret("short1A").is_err());
        assert!(check_new_secret("nodigitsatallhere").is_err());
        assert!(check_new_secret("spaces are bad 1").is_err());
    }

    #[test]
    fn from_vars_reads_api_md_names() {
        let vars = |n: &str| match n {
            "FINICITY_PARTNER_ID" => Some("p".into()),
            "FINICITY_PARTNER_SECRET" => Some("s".into()),
            "FINICITY_APP_KEY" => Some("k".into()),
            "FINAUTH_TIMEOUT" => Some("2.5".into()),
            "FINAUTH_MAX_FAILED_ATTEMPTS" => Some("9".into()),
            _ => None,
        };
        let b = PartnerAuthBuilder::from_vars(vars).unwrap();
        assert_eq!(b.common.timeout, Duration::from_millis(2500));
        assert!(err(b).contains("max_failed_attempts"));
        let missing = PartnerAuthBuilder::from_vars(|_| None)
            .err()
            .unwrap()
            .to_string();
        assert!(missing.contains("FINICITY_PARTNER_ID"));
    }
}
