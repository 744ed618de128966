//! finauth for the JVM: the core's public surface exported with uniffi proc-macros, from which
//! `uniffi-bindgen` generates the Kotlin sources of the jar (see `pom.xml`). Conversion only:
//! every decision (refresh, single-flight, lockout guard, signing) is made by the `finauth` core.
//! Async methods become Kotlin `suspend` functions; each has a `*Blocking` twin for Java threads.

mod error;
mod oauth1;
mod oauth2;
mod partner_auth;
mod runtime;
mod store;

pub use error::FinauthError;

uniffi::setup_scaffolding!();

/// True if a resource's answer rejected the token (10022 invalid or 10023 expired, with HTTP 401
/// or 500): invalidate it and resend once. The rule the OkHttp interceptor applies.
#[uniffi::export]
pub fn rejects_token(status: i32, content_type: String, body: Vec<u8>) -> bool {
    let Ok(status) = u16::try_from(status) else {
        return false;
    };
    finauth::finicity::response::rejects_token(status, &content_type, &body)
}
