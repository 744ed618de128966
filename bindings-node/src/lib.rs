//! Node binding of finauth: the native part (`finauth.<platform>.node`) of the `finauth` npm
//! package, built with napi-rs.
//!
//! It converts types and maps errors (`error.rs`); every network call runs on napi's tokio
//! runtime and returns a Promise, so the event loop never waits. It holds no token logic: that is
//! all in the `finauth` crate. The hand-written JavaScript façade (`index.js`, `errors.js`,
//! `axios.js`) adds the `FinauthError` classes and the `fetch` / axios integrations; the
//! declarations users see are `index.d.ts`.

mod auth;
#[cfg_attr(test, allow(dead_code))]
mod encryption;
mod error;
#[cfg_attr(test, allow(dead_code))]
mod exchange;
// napi registers these functions only outside `cfg(test)`: the lib test sees them unused.
#[cfg_attr(test, allow(dead_code))]
mod oauth1;
#[cfg_attr(test, allow(dead_code))]
mod oauth2;
#[cfg_attr(test, allow(dead_code))]
mod options;
mod store;

pub use auth::fresh_generation;

use napi_derive::napi;

/// The Finicity error code of a response body (JSON in any of its shapes, XML or text), or null.
#[napi]
pub fn finicity_code(status: u32, content_type: String, body: String) -> Option<u32> {
    finauth::finicity::response::parse(status as u16, &content_type, body.as_bytes(), None).code
}

/// True if a resource's answer says the token is invalid (10022) or expired (10023): the token
/// should be invalidated and the request resent once.
#[napi]
pub fn rejects_token(status: u32, content_type: String, body: String) -> bool {
    let status = u16::try_from(status).unwrap_or(0);
    finauth::finicity::response::rejects_token(status, &content_type, body.as_bytes())
}

/// The version of the native module.
#[napi]
pub fn version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
