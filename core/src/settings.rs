//! The settings every credential object shares (where the state lives, the lockout guard's limit,
//! the time-out, the loopback opt-in and the lifecycle engine's tunables): one type that
//! `PartnerAuthBuilder` and `ClientCredentialsBuilder` both embed, read from the environment and
//! checked in one place, so a mistake in a `FINAUTH_*` variable reads the same whichever object
//! meets it. Also the field checks both builders use.

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::lifecycle::EngineConfig;
use crate::store::{store_from_spec, MemoryStore, Store};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub(crate) struct CommonSettings {
    pub store: Option<Arc<dyn Store>>,
    pub max_failed_attempts: u32,
    pub timeout: Duration,
    pub allow_insecure_loopback: bool,
    /// `None`: the default for the token's lifetime (see [`CommonSettings::engine`]).
    pub mandatory_margin: Option<Duration>,
    pub degrade_on_store_error: bool,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// `None`: the time-out plus 5 s.
    pub lease_ttl: Option<Duration>,
    pub poll_interval: Duration,
    pub clock: Arc<dyn Clock>,
}

impl Default for CommonSettings {
    fn default() -> Self {
        let e = EngineConfig::default();
        CommonSettings {
            store: None,
            max_failed_attempts: e.max_failed_attempts,
            timeout: e.timeout,
            allow_insecure_loopback: false,
            mandatory_margin: None,
            degrade_on_store_error: e.degrade_on_store_error,
            backoff_base: e.backoff_base,
            backoff_max: e.backoff_max,
            lease_ttl: None,
            poll_interval: e.poll_interval,
            clock: Arc::new(SystemClock),
        }
    }
}

impl std::fmt::Debug for CommonSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommonSettings")
            .field("store", &self.store)
            .field("max_failed_attempts", &self.max_failed_attempts)
            .field("timeout", &self.timeout)
            .field("allow_insecure_loopback", &self.allow_insecure_loopback)
            .finish_non_exhaustive()
    }
}

impl CommonSettings {
    /// `FINAUTH_STORE`, `FINAUTH_MAX_FAILED_ATTEMPTS`, `FINAUTH_TIMEOUT`,
    /// `FINAUTH_ALLOW_INSECURE_LOOPBACK` (empty values are unset).
    pub fn read_env(&mut self, var: &dyn Fn(&str) -> Option<String>) -> Result<()> {
        let get = |name: &str| var(name).filter(|v| !v.is_empty());
        if let Some(v) = get("FINAUTH_STORE") {
            self.store = Some(store_from_spec(&v).map_err(|e| match e {
                Error::Config(m) => Error::config(format!("FINAUTH_STORE: {m}")),
                other => other,
            })?);
        }
        if let Some(v) = get("FINAUTH_MAX_FAILED_ATTEMPTS") {
            self.max_failed_attempts = v.trim().parse().map_err(|_| {
                Error::config(format!(
                    "FINAUTH_MAX_FAILED_ATTEMPTS: `{v}` is not a whole number (1–4)"
                ))
            })?;
        }
        if let Some(v) = get("FINAUTH_TIMEOUT") {
            self.timeout = seconds("FINAUTH_TIMEOUT", &v)?;
        }
        if let Some(v) = get("FINAUTH_ALLOW_INSECURE_LOOPBACK") {
            self.allow_insecure_loopback = flag("FINAUTH_ALLOW_INSECURE_LOOPBACK", &v)?;
        }
        Ok(())
    }

    /// The checks every object needs; the error names the field.
    pub fn check(&self) -> Result<()> {
        if !(1..=4).contains(&self.max_failed_attempts) {
            return Err(Error::config(format!(
                "max_failed_attempts must be 1–4 (the server locks the account at 5 wrong credentials), got {}",
                self.max_failed_attempts
            )));
        }
        if self.timeout.is_zero() || self.timeout > Duration::from_secs(600) {
            return Err(Error::config("timeout must be between 0 and 600 seconds"));
        }
        if self.backoff_base.is_zero() || self.backoff_max < self.backoff_base {
            return Err(Error::config(
                "backoff: base must be positive and at most max",
            ));
        }
        Ok(())
    }

    /// The store to use: the one chosen, else a new memory store.
    pub fn store_or_memory(&self) -> Arc<dyn Store> {
        self.store
            .clone()
            .unwrap_or_else(|| Arc::new(MemoryStore::new()))
    }

    /// The engine's configuration, with `margin` the mandatory window the builder settled on.
    pub fn engine(&self, margin: Duration) -> EngineConfig {
        EngineConfig {
            max_failed_attempts: self.max_failed_attempts,
            timeout: self.timeout,
            mandatory_margin: margin,
            backoff_base: self.backoff_base,
            backoff_max: self.backoff_max,
            lease_ttl: self
                .lease_ttl
                .unwrap_or(self.timeout + Duration::from_secs(5)),
            poll_interval: self.poll_interval.max(Duration::from_millis(1)),
            degrade_on_store_error: self.degrade_on_store_error,
        }
    }
}

/// The setters both builders share, forwarding to their `common` field (one doc, one rule).
macro_rules! common_setters {
    () => {
        /// Credential failures allowed since the last success, 1–4 (default 3).
        pub fn max_failed_attempts(mut self, v: u32) -> Self {
            self.common.max_failed_attempts = v;
            self
        }
        /// Where tokens and the lockout guard live (default: a memory store of this object).
        pub fn store(mut self, v: std::sync::Arc<dyn crate::store::Store>) -> Self {
            self.common.store = Some(v);
            self
        }
        /// True if a store was chosen (by `store` or `FINAUTH_STORE`).
        pub fn has_store(&self) -> bool {
            self.common.store.is_some()
        }
        /// Bound on one request and on any wait for a token (default 30 s).
        pub fn timeout(mut self, v: std::time::Duration) -> Self {
            self.common.timeout = v;
            self
        }
        /// Accept `http://` for loopback addresses (the sandbox).
        pub fn allow_insecure_loopback(mut self, v: bool) -> Self {
            self.common.allow_insecure_loopback = v;
            self
        }
        /// Span before expiry in which callers wait for a new token (default 10 min, or less
        /// when tokens live shorter).
        pub fn mandatory_margin(mut self, v: std::time::Duration) -> Self {
            self.common.mandatory_margin = Some(v);
            self
        }
        /// What a store failure does: `true` (default) goes on with process-local state and a
        /// one-attempt guard; `false` fails with `Error::Store` (short-lived processes, a CLI).
        pub fn degrade_on_store_error(mut self, v: bool) -> Self {
            self.common.degrade_on_store_error = v;
            self
        }
        /// First and largest delay between failed refreshes (default 1 s and 60 s).
        pub fn backoff(mut self, base: std::time::Duration, max: std::time::Duration) -> Self {
            self.common.backoff_base = base;
            self.common.backoff_max = max;
            self
        }
        /// First back-off delay (see `backoff`).
        pub fn backoff_base(mut self, v: std::time::Duration) -> Self {
            self.common.backoff_base = v;
            self
        }
        /// Cap of the back-off (see `backoff`).
        pub fn backoff_max(mut self, v: std::time::Duration) -> Self {
            self.common.backoff_max = v;
            self
        }
        /// How long a shared refresh lease lasts (default: timeout + 5 s).
        pub fn lease_ttl(mut self, v: std::time::Duration) -> Self {
            self.common.lease_ttl = Some(v);
            self
        }
        /// How often a process waiting on another's refresh looks at the store (default 50 ms).
        pub fn poll_interval(mut self, v: std::time::Duration) -> Self {
            self.common.poll_interval = v;
            self
        }
        /// Replace the clock (tests: [`crate::clock::ManualClock`]).
        pub fn clock(mut self, v: std::sync::Arc<dyn crate::clock::Clock>) -> Self {
            self.common.clock = v;
            self
        }
    };
}
pub(crate) use common_setters;

pub(crate) fn seconds(name: &str, v: &str) -> Result<Duration> {
    let s: f64 = v
        .trim()
        .parse()
        .map_err(|_| Error::config(format!("{name}: `{v}` is not a number of seconds")))?;
    Duration::try_from_secs_f64(s)
        .map_err(|_| Error::config(format!("{name}: `{v}` is not a positive number of seconds")))
}

/// An on/off environment variable.
pub(crate) fn flag(name: &str, v: &str) -> Result<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(Error::config(format!("{name}: expected 1 or 0, got `{v}`"))),
    }
}

/// A secret sent in a JSON body: any printable text.
pub(crate) fn check_secret_text(field: &str, s: &str) -> Result<()> {
    if s.is_empty() {
        return Err(Error::config(format!("{field} must not be empty")));
    }
    if s.len() > 1024 || s.chars().any(char::is_control) {
        return Err(Error::config(format!(
            "{field} must be at most 1024 characters without control characters"
        )));
    }
    Ok(())
}

/// A value sent in an HTTP header.
pub(crate) fn check_header_value(field: &str, s: &str) -> Result<()> {
    if s.is_empty() {
        return Err(Error::config(format!("{field} must not be empty")));
    }
    if s.len() > 512 || !s.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err(Error::config(format!(
            "{field} must be 1–512 visible ASCII characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<CommonSettings> {
        let mut c = CommonSettings::default();
        c.read_env(&|n| {
            vars.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| (*v).to_owned())
        })?;
        Ok(c)
    }

    #[test]
    fn each_shared_variable_has_one_message() {
        let e = read(&[("FINAUTH_MAX_FAILED_ATTEMPTS", "three")]).unwrap_err();
        assert!(e
            .to_string()
            .contains("FINAUTH_MAX_FAILED_ATTEMPTS: `three` is not a whole number"));
        let e = read(&[("FINAUTH_ALLOW_INSECURE_LOOPBACK", "maybe")]).unwrap_err();
        assert!(e
            .to_string()
            .contains("FINAUTH_ALLOW_INSECURE_LOOPBACK: expected 1 or 0"));
        let e = read(&[("FINAUTH_TIMEOUT", "-1")]).unwrap_err();
        assert!(e.to_string().contains("FINAUTH_TIMEOUT"));
        let e = read(&[("FINAUTH_STORE", "ftp://x")]).unwrap_err();
        assert!(e.to_string().contains("FINAUTH_STORE:"));
        let c = read(&[
            ("FINAUTH_TIMEOUT", "2.5"),
            ("FINAUTH_ALLOW_INSECURE_LOOPBACK", "yes"),
            ("FINAUTH_MAX_FAILED_ATTEMPTS", "2"),
        ])
        .unwrap();
        assert_eq!(c.timeout, Duration::from_millis(2500));
        assert!(c.allow_insecure_loopback && c.max_failed_attempts == 2);
        assert!(c.check().is_ok());
        let mut bad = c.clone();
        bad.max_failed_attempts = 5;
        assert!(bad
            .check()
            .unwrap_err()
            .to_string()
            .contains("max_failed_attempts"));
    }
}
