//! The token lifecycle engine (docs/ARCHITECTURE.md): fresh / advisory / mandatory windows,
//! single-flight refresh, stale-while-revalidate, backoff, compare-and-swap invalidation and the
//! lockout guard, generic over a [`TokenSource`].

mod backoff;
mod engine;
mod local_copy;
mod stats;

pub use engine::{Engine, EngineConfig, GuardStatus};
pub use stats::Stats;

use crate::error::Error;
use crate::secret::{AccessToken, Secret};
use crate::store::IdentityKey;
use std::future::Future;
use std::time::Duration;

/// What every token owner ([`crate::PartnerAuth`], [`crate::ClientCredentials`]) answers
/// without I/O, for bindings that treat both alike: the fresh token with its generation, and the
/// reset a forked child needs.
pub trait TokenOwner: Send + Sync {
    /// The generation of the fresh token (a hit is counted), `None` when `token()` must refresh.
    fn fresh_generation(&self) -> Option<u64>;
    /// The fresh token and its generation (no hit counted).
    fn fresh_token_with_generation(&self) -> Option<(u64, AccessToken)>;
    /// In a child process after `fork()`, before any other call.
    fn reset_after_fork(&self) -> crate::error::Result<()>;
}

/// A token as a source returns it.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub token: AccessToken,
    /// When to start refreshing, from the moment the request was sent.
    pub refresh_after: Duration,
    /// When the token stops working, from the moment the request was sent.
    pub lifetime: Duration,
}

/// Why a source could not produce a token, as the lockout guard needs to know it.
#[derive(Debug, Clone)]
pub enum FetchError {
    /// The server rejected the credential: counts toward the lockout.
    Credential {
        code: Option<u32>,
        /// The OAuth 2.0 error answer (`invalid_client`), kept on the error.
        oauth: Option<Box<crate::error::OAuthError>>,
    },
    /// The server says the account is locked.
    Locked { code: u32 },
    /// The request may have reached the server, but no answer came back (a time-out or a
    /// connection lost after sending): the verdict is unknown, so the guard counts it as a
    /// failure without marking the credential rejected.
    Unanswered(Error),
    /// Anything else: no verdict on the credential.
    Other(Error),
}

/// How guard and credential errors name what to fix, for one kind of credential: a Finicity
/// partner secret and an OAuth 2.0 key need different advice, and a different reset command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialAdvice {
    /// What to change, e.g. "the partner secret" or "the signing key, key_id or audience".
    pub fix: &'static str,
    /// The operator command (and method) that clears the guard for this configuration.
    pub reset: &'static str,
}

impl CredentialAdvice {
    pub const PARTNER_SECRET: CredentialAdvice = CredentialAdvice {
        fix: "the partner secret",
        reset: "`finauth guard reset` (reset_lockout_guard())",
    };

    /// The hint of an `InvalidCredentials` error.
    pub(crate) fn after_rejection(self) -> String {
        format!(
            "fix {} (a changed one is tried while attempts remain, without a reset); {} clears the guard's record",
            self.fix, self.reset
        )
    }
}

/// Turns a credential into a token. Finicity partner authentication is one; OAuth 2.0 client
/// credentials are others. The engine calls `fetch` at most once at a time per identity.
pub trait TokenSource: Send + Sync + 'static {
    /// What the token (and its refresh lease) belongs to.
    fn identity(&self) -> &IdentityKey;

    /// What the lockout guard counts against: the owner of the credential. The same as
    /// [`identity`](TokenSource::identity) unless one credential serves several tokens (OAuth 2.0
    /// scope sets and DPoP keys share their client's guard, so a wrong secret gets
    /// `max_failed_attempts` in all, not per scope set).
    fn guard_identity(&self) -> &IdentityKey {
        self.identity()
    }

    /// The credential the next request would send (fingerprinted by the guard, never stored).
    fn credential(&self) -> Secret;

    /// How errors about this credential say what to fix.
    fn advice(&self) -> CredentialAdvice {
        CredentialAdvice::PARTNER_SECRET
    }

    /// Request a token with exactly this credential.
    fn fetch(
        &self,
        credential: &Secret,
    ) -> impl Future<Output = Result<Fetched, FetchError>> + Send;

    /// Replace `old` by `new` if `old` is still current (a rotation made by another process).
    fn replace_credential(&self, old: &Secret, new: Secret) -> bool;
}
