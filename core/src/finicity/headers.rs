use super::{APP_KEY_HEADER, APP_TOKEN_HEADER};
use crate::secret::{AccessToken, Secret};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::fmt;

/// The two headers of an authenticated Finicity call. `Debug` is redacted.
#[derive(Clone)]
pub struct FinicityHeaders {
    pub(crate) app_key: Secret,
    pub(crate) token: AccessToken,
}

impl FinicityHeaders {
    /// The token these headers carry (pass it to `invalidate` after a 401).
    pub fn token(&self) -> &AccessToken {
        &self.token
    }

    /// `(name, value)` pairs, in a fixed order.
    pub fn pairs(&self) -> [(&'static str, &str); 2] {
        [
            (APP_KEY_HEADER, self.app_key.expose()),
            (APP_TOKEN_HEADER, self.token.expose()),
        ]
    }

    /// As a header map, values marked sensitive (HTTP/2 never indexes them).
    pub fn to_header_map(&self) -> HeaderMap {
        let mut map = HeaderMap::with_capacity(2);
        for (name, value) in self.pairs() {
            if let Ok(mut v) = HeaderValue::from_str(value) {
                v.set_sensitive(true);
                map.insert(HeaderName::from_static(lower(name)), v);
            }
        }
        map
    }
}

fn lower(name: &'static str) -> &'static str {
    match name {
        APP_KEY_HEADER => "finicity-app-key",
        _ => "finicity-app-token",
    }
}

impl fmt::Debug for FinicityHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "FinicityHeaders { Finicity-App-Key: [REDACTED], Finicity-App-Token: [REDACTED] }",
        )
    }
}
