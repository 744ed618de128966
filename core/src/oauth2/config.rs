//! Configuration of a [`super::ClientCredentials`]: a validating builder and `from_env`.

use crate::error::{Error, Result};
use crate::lifecycle::EngineConfig;
use crate::oauth1::SigningKey;
use crate::secret::Secret;
use crate::settings::{check_header_value, check_secret_text, flag, CommonSettings};
use crate::store::Store;
use std::sync::Arc;
use std::time::Duration;

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AuthMethod {
    /// HTTP Basic with the form-urlencoded id and secret (RFC 6749 §2.3.1). The default.
    #[default]
    ClientSecretBasic,
    /// `client_id` and `client_secret` in the form body.
    ClientSecretPost,
    /// A signed client assertion (RFC 7523): Mastercard's FAPI 2.0 profile.
    PrivateKeyJwt,
    /// Finicity's JSON body `{client_id, client_secret, grant_type}` with `Finicity-App-Key`.
    FinicityJson,
}

impl AuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
            AuthMethod::FinicityJson => "finicity_json",
        }
    }

    pub fn uses_secret(self) -> bool {
        !matches!(self, AuthMethod::PrivateKeyJwt)
    }
}

impl std::str::FromStr for AuthMethod {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s.trim() {
            "" | "client_secret_basic" => AuthMethod::ClientSecretBasic,
            "client_secret_post" => AuthMethod::ClientSecretPost,
            "private_key_jwt" => AuthMethod::PrivateKeyJwt,
            "finicity_json" => AuthMethod::FinicityJson,
            other => {
                return Err(Error::config(format!(
                "auth_method: unknown `{other}` (client_secret_basic, client_secret_post, private_key_jwt, finicity_json)"
            )))
            }
        })
    }
}

impl std::fmt::Display for AuthMethod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Builds a [`super::ClientCredentials`]; `build` checks every field and names the one at fault.
#[derive(Clone)]
pub struct ClientCredentialsBuilder {
    pub(crate) token_url: Option<String>,
    pub(crate) issuer: Option<String>,
    pub(crate) client_id: Option<String>,
    pub(crate) client_secret: Option<Secret>,
    pub(crate) auth_method: AuthMethod,
    pub(crate) scope: Option<String>,
    pub(crate) signing_key: Option<SigningKey>,
    pub(crate) key_id: Option<String>,
    pub(crate) audience: Option<String>,
    pub(crate) dpop: bool,
    pub(crate) app_key: Option<Secret>,
    pub(crate) default_lifetime: Duration,
    pub(crate) extra_params: Vec<(String, String)>,
    pub(crate) common: CommonSettings,
}

impl std::fmt::Debug for ClientCredentialsBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentialsBuilder")
            .field("token_url", &self.token_url)
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[REDACTED]"),
            )
            .field("auth_method", &self.auth_method)
            .field("scope", &self.scope)
            .field("signing_key", &self.signing_key)
            .field("key_id", &self.key_id)
            .field("audience", &self.audience)
            .field("dpop", &self.dpop)
            .field("app_key", &self.app_key.as_ref().map(|_| "[REDACTED]"))
            .field("default_lifetime", &self.default_lifetime)
            .field("common", &self.common)
            .finish_non_exhaustive()
    }
}

impl Default for ClientCredentialsBuilder {
    fn default() -> Self {
        ClientCredentialsBuilder {
            token_url: None,
            issuer: None,
            client_id: None,
            client_secret: None,
            auth_method: AuthMethod::default(),
            scope: None,
            signing_key: None,
            key_id: None,
            audience: None,
            dpop: false,
            app_key: None,
            default_lifetime: Duration::from_secs(3600),
            extra_params: Vec::new(),
            // A store failure degrades by default here too (the common default).
            common: CommonSettings::default(),
        }
    }
}

macro_rules! setter {
    ($(#[$m:meta])* $name:ident: $t:ty => $field:ident $conv:expr) => {
        $(#[$m])*
        pub fn $name(mut self, v: $t) -> Self {
            self.$field = $conv(v);
            self
        }
    };
}

impl ClientCredentialsBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    setter!(/// The token endpoint (this, or `issuer`).
        token_url: impl Into<String> => token_url |v: _| Some(Into::<String>::into(v)));
    setter!(/// The issuer identifier: the token endpoint is read from its metadata (RFC 8414 or
        /// OpenID Connect discovery) on first use, and the assertion's default `aud` is the issuer.
        issuer: impl Into<String> => issuer |v: _| Some(Into::<String>::into(v)));
    setter!(/// The client id (required).
        client_id: impl Into<String> => client_id |v: _| Some(Into::<String>::into(v)));
    setter!(/// The client secret (for the secret methods and `finicity_json`).
        client_secret: impl Into<Secret> => client_secret |v: _| Some(Into::<Secret>::into(v)));
    setter!(/// How the client authenticates (default `client_secret_basic`).
        auth_method: AuthMethod => auth_method |v| v);
    setter!(/// Space-separated scopes (tokens are cached per scope set).
        scope: impl Into<String> => scope |v: _| Some(Into::<String>::into(v)));
    setter!(/// The private key for `private_key_jwt` and DPoP proofs (RSA: PS256; P-256: ES256).
        signing_key: SigningKey => signing_key Some);
    setter!(/// The `kid` of the client assertion's header.
        key_id: impl Into<String> => key_id |v: _| Some(Into::<String>::into(v)));
    setter!(/// The assertion's `aud` (default: the issuer if one is set, else the token URL).
        audience: impl Into<String> => audience |v: _| Some(Into::<String>::into(v)));
    setter!(/// DPoP-bound tokens (Mastercard's FAPI 2.0 profile); default false.
        dpop: bool => dpop |v| v);
    setter!(/// The `Finicity-App-Key` for `finicity_json`.
        app_key: impl Into<Secret> => app_key |v: _| Some(Into::<Secret>::into(v)));
    setter!(/// The lifetime assumed when the answer has no `expires_in` (default 3600 s).
        default_lifetime: Duration => default_lifetime |v| v);
    crate::settings::common_setters!();

    /// An extra form parameter of the token request (e.g. `resource`).
    pub fn extra_param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_params.push((name.into(), value.into()));
        // Sorted here, in core: the token request's form never depends on the order (or the
        // hash map) a binding handed them over in.
        self.extra_params.sort();
        self
    }

    /// Several extra token-request parameters at once, in any order (e.g. a binding's map).
    pub fn extra_params(mut self, params: impl IntoIterator<Item = (String, String)>) -> Self {
        self.extra_params.extend(params);
        self.extra_params.sort();
        self
    }

    /// From the environment variables of docs/API.md (`FINAUTH_OAUTH2_*`).
    pub fn from_env() -> Result<Self> {
        Self::from_vars(|n| std::env::var(n).ok())
    }

    /// Like [`from_env`](Self::from_env), reading each variable through `var` (tests, or a CLI
    /// that fills in what an operator command does not need).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let get = |n: &str| var(n).filter(|v| !v.trim().is_empty());
        let need = |n: &str| get(n).ok_or_else(|| Error::config(format!("{n} is not set")));
        let mut b = ClientCredentialsBuilder::new();
        match (
            get("FINAUTH_OAUTH2_TOKEN_URL"),
            get("FINAUTH_OAUTH2_ISSUER"),
        ) {
            (None, None) => {
                return Err(Error::config(
                    "FINAUTH_OAUTH2_TOKEN_URL (or FINAUTH_OAUTH2_ISSUER) is not set",
                ))
            }
            (t, i) => {
                b.token_url = t;
                b.issuer = i;
            }
        }
        b = b.client_id(need("FINAUTH_OAUTH2_CLIENT_ID")?);
        if let Some(s) = get("FINAUTH_OAUTH2_CLIENT_SECRET") {
            b = b.client_secret(s);
        }
        if let Some(m) = get("FINAUTH_OAUTH2_AUTH_METHOD") {
            b = b.auth_method(m.parse()?);
        }
        if let Some(s) = get("FINAUTH_OAUTH2_SCOPE") {
            b = b.scope(s);
        }
        if let Some(path) = get("FINAUTH_OAUTH2_KEY") {
            let pw = var("FINAUTH_OAUTH2_KEY_PASSWORD");
            let alias = get("FINAUTH_OAUTH2_KEY_ALIAS");
            b = b.signing_key(SigningKey::from_file(
                path,
                pw.as_deref(),
                alias.as_deref(),
            )?);
        }
        if let Some(k) = get("FINAUTH_OAUTH2_KEY_ID") {
            b = b.key_id(k);
        }
        if let Some(a) = get("FINAUTH_OAUTH2_AUDIENCE") {
            b = b.audience(a);
        }
        if let Some(d) = get("FINAUTH_OAUTH2_DPOP") {
            b = b.dpop(flag("FINAUTH_OAUTH2_DPOP", &d)?);
        }
        if let Some(k) = get("FINICITY_APP_KEY") {
            b = b.app_key(k);
        }
        b.common.read_env(&var)?;
        Ok(b)
    }

    pub(crate) fn validate(&self) -> Result<Validated> {
        let insecure = self.common.allow_insecure_loopback;
        let endpoint = match (&self.token_url, &self.issuer) {
            (Some(_), Some(_)) => {
                return Err(Error::config(
                    "token_url and issuer: set one (issuer discovers the token endpoint)",
                ))
            }
            (None, None) => return Err(Error::config("token_url (or issuer) is required")),
            (Some(t), None) => {
                Endpoint::Fixed(crate::transport::validate_url("token_url", t, insecure)?)
            }
            (None, Some(i)) => {
                Endpoint::Issuer(crate::transport::validate_url("issuer", i, insecure)?)
            }
        };
        let client_id = self
            .client_id
            .clone()
            .filter(|c| !c.is_empty() && c.len() <= 256)
            .ok_or_else(|| Error::config("client_id is required (1–256 characters)"))?;
        if client_id.chars().any(char::is_control) {
            return Err(Error::config(
                "client_id must not contain control characters",
            ));
        }
        let method = self.auth_method;
        if method.uses_secret() {
            let s = self.client_secret.as_ref().ok_or_else(|| {
                Error::config(format!(
                    "client_secret is required for auth_method {method}"
                ))
            })?;
            check_secret_text("client_secret", s.expose())?;
        }
        if (method == AuthMethod::PrivateKeyJwt || self.dpop) && self.signing_key.is_none() {
            return Err(Error::config(format!(
                "signing_key is required for {}",
                if self.dpop { "dpop" } else { "private_key_jwt" }
            )));
        }
        if method == AuthMethod::FinicityJson {
            let k = self.app_key.as_ref().ok_or_else(|| {
                Error::config("app_key is required for auth_method finicity_json")
            })?;
            check_header_value("app_key", k.expose())?;
        }
        if let Some(k) = &self.key_id {
            if k.is_empty() || k.chars().any(char::is_control) {
                return Err(Error::config(
                    "key_id must be non-empty, without control characters",
                ));
            }
        }
        let scope = normalize_scope(self.scope.as_deref())?;
        for (k, _) in &self.extra_params {
            if RESERVED.contains(&k.as_str()) || k.is_empty() {
                return Err(Error::config(format!(
                    "extra parameter `{k}` is reserved or empty"
                )));
            }
        }
        self.common.check()?;
        if self.default_lifetime < Duration::from_secs(1) {
            return Err(Error::config("default_lifetime must be at least 1 second"));
        }
        // RFC 7523 §3: the token endpoint URL identifies the server; every well-known server
        // accepts it (docs/GUIDE.md, "OAuth 2.0"), the origin alone only some.
        let audience = match &self.audience {
            Some(a) if !a.trim().is_empty() => a.trim().to_owned(),
            _ => match &endpoint {
                Endpoint::Fixed(u) => u.as_str().to_owned(),
                // FAPI 2.0 asks for the issuer; RFC 7523 servers accept it too. As written, not
                // as parsed: a URL parser adds `/` to `https://host`, and issuers are compared
                // as strings (Auth0's ends in `/`, Keycloak's does not).
                Endpoint::Issuer(_) => self.issuer.as_deref().unwrap_or_default().trim().to_owned(),
            },
        };
        Ok(Validated {
            endpoint,
            client_id,
            scope,
            audience,
            store: self.common.store_or_memory(),
            engine: self.common.engine(
                self.common
                    .mandatory_margin
                    .unwrap_or(EngineConfig::default().mandatory_margin),
            ),
        })
    }
}

/// Form parameters finauth sets itself.
const RESERVED: [&str; 6] = [
    "grant_type",
    "scope",
    "client_id",
    "client_secret",
    "client_assertion",
    "client_assertion_type",
];

/// Where the token endpoint comes from.
#[derive(Debug, Clone)]
pub(crate) enum Endpoint {
    Fixed(reqwest::Url),
    /// Discovered from this issuer's metadata on first use.
    Issuer(reqwest::Url),
}

impl Endpoint {
    /// The URL the configuration names: the token endpoint, or the issuer.
    pub fn configured(&self) -> &reqwest::Url {
        match self {
            Endpoint::Fixed(u) | Endpoint::Issuer(u) => u,
        }
    }
}

pub(crate) struct Validated {
    pub endpoint: Endpoint,
    pub client_id: String,
    /// Sorted, de-duplicated, space-separated; `None` when no scope is asked for.
    pub scope: Option<String>,
    pub audience: String,
    pub store: Arc<dyn Store>,
    pub engine: EngineConfig,
}

/// Scopes are a set: `b a a` and `a b` ask for the same token.
pub(crate) fn normalize_scope(scope: Option<&str>) -> Result<Option<String>> {
    let Some(s) = scope else { return Ok(None) };
    let mut items: Vec<&str> = s.split_ascii_whitespace().collect();
    for i in &items {
        // RFC 6749 §3.3 scope-token characters.
        if !i
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
        {
            return Err(Error::config(format!(
                "scope: `{i}` has characters RFC 6749 does not allow"
            )));
        }
    }
    items.sort_unstable();
    items.dedup();
    Ok(if items.is_empty() {
        None
    } else {
        Some(items.join(" "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_sets_are_normalized() {
        assert_eq!(
            normalize_scope(Some(" b a  a ")).unwrap().as_deref(),
            Some("a b")
        );
        assert_eq!(normalize_scope(Some("  ")).unwrap(), None);
        assert!(normalize_scope(Some("a\"b")).is_err());
    }

    #[test]
    fn from_vars_reads_api_md_names() {
        let vars = |n: &str| match n {
            "FINAUTH_OAUTH2_TOKEN_URL" => Some("https://auth.example.com/token".into()),
            "FINAUTH_OAUTH2_CLIENT_ID" => Some("c".into()),
            "FINAUTH_OAUTH2_CLIENT_SECRET" => Some("s".into()),
            "FINAUTH_OAUTH2_AUTH_METHOD" => Some("client_secret_post".into()),
            "FINAUTH_OAUTH2_SCOPE" => Some("x y".into()),
            _ => None,
        };
        let b = ClientCredentialsBuilder::from_vars(vars).unwrap();
        assert_eq!(b.auth_method, AuthMethod::ClientSecretPost);
        let v = b.validate().unwrap();
        assert_eq!(v.audience, "https://auth.example.com/token");
        assert_eq!(v.scope.as_deref(), Some("x y"));
        let missing = ClientCredentialsBuilder::from_vars(|_| None).err().unwrap();
        assert!(missing.to_string().contains("FINAUTH_OAUTH2_TOKEN_URL"));
    }

    #[test]
    fn each_method_names_what_it_needs() {
        let base = || {
            ClientCredentialsBuilder::new()
                .token_url("https://a.example/token")
                .client_id("c")
        };
        let msg = |b: ClientCredentialsBuilder| b.validate().err().unwrap().to_string();
        assert!(msg(base()).contains("client_secret"));
        assert!(msg(base().auth_method(AuthMethod::PrivateKeyJwt)).contains("signing_key"));
        assert!(msg(base().client_secret("s").dpop(true)).contains("signing_key"));
        assert!(msg(base()
            .client_secret("s")
            .auth_method(AuthMethod::FinicityJson))
        .contains("app_key"));
        assert!(
            msg(base().client_secret("s").max_failed_attempts(5)).contains("max_failed_attempts")
        );
    }
}

#[cfg(test)]
mod extra_params_tests {
    use super::*;

    #[test]
    fn extra_params_are_sorted_in_core_whatever_order_they_came_in() {
        let a = ClientCredentialsBuilder::new()
            .extra_param("b", "2")
            .extra_param("a", "1");
        let b = ClientCredentialsBuilder::new().extra_params([
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), "2".to_owned()),
        ]);
        assert_eq!(a.extra_params, b.extra_params);
        assert_eq!(a.extra_params[0].0, "a");
    }
}
