//! finauth for the JVM: the core's public surface exported with uniffi proc-macros, from which
//! `uniffi-bindgen` generates the Kotlin sources of the jar (see `pom.xml`). Conversion only:
//! every decision (refresh, single-flight, lockout guard, signing) is made by the `finauth` core.
//! Async methods become Kotlin `suspend` functions; each has a `*Blocking` twin for Java threads.

mod encryption;
mod error;
mod exchange;
mod fast;
mod lifecycle;
mod oauth1;
mod oauth2;
mod partner_auth;
mod runtime;
mod store;

pub use error::FinauthError;

uniffi::setup_scaffolding!();
