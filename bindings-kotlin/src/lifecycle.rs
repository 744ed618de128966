//! The methods `PartnerAuth` and `ClientCredentials` share word for word (the token, the fast
//! path's hooks, invalidation, the lockout guard, the counters), written once: each class gets
//! them as a second uniffi export block (uniffi merges the blocks of one object).

/// For a type with fields `core` (a finauth lifecycle object) and `fast` (its [`crate::fast::Fast`]).
macro_rules! lifecycle_methods {
    ($native:ty) => {
        #[uniffi::export]
        impl $native {
            /// One logical request to `url` (absolute) under finauth's request policy.
            pub fn exchange(
                &self,
                method: String,
                url: String,
            ) -> $crate::error::Result<std::sync::Arc<$crate::exchange::Exchange>> {
                $crate::exchange::Exchange::new(self.core.exchange(&method, &url))
            }

            /// Which answers an integration must hand to `Exchange.observeBlocking` (all
            /// others are the caller's as they are).
            pub fn observed_statuses(&self) -> $crate::exchange::ObservedStatuses {
                $crate::exchange::observed_statuses(&self.core.policy())
            }

            /// The cached token if no refresh is due yet (no waiting, no I/O), else `null`. A
            /// plain call: from a coroutine, `freshToken() ?: token()` skips uniffi's suspend
            /// machinery, which costs more than the call itself (bench/README.md, JVM).
            pub fn fresh_token(&self) -> Option<String> {
                self.core.fresh_token().map(|t| t.expose().to_owned())
            }

            /// The fast path's id of this object, for `finauth_jvm_fresh_generation` (not for
            /// users).
            pub fn fast_id(&self) -> i64 {
                self.fast.id()
            }

            /// The token of `generation` (from `finauth_jvm_fresh_generation`) if it is still the
            /// last one handed out, else `null` (not for users: the hand-written Kotlin class's
            /// `token()` calls it once a token).
            pub fn fresh_token_at(&self, generation: i64) -> Option<String> {
                self.fast.token_at(generation)
            }

            /// A valid token: from memory when fresh, otherwise one request to the server serves
            /// every concurrent caller.
            pub async fn token(&self) -> $crate::error::Result<String> {
                if let Some(t) = self.core.fresh_token() {
                    return Ok(t.expose().to_owned());
                }
                let core = self.core.clone();
                let t = $crate::runtime::spawn(async move { core.token().await }).await?;
                Ok(t.expose().to_owned())
            }

            /// `token()` for threads that do not use coroutines.
            pub fn token_blocking(&self) -> $crate::error::Result<String> {
                if let Some(t) = self.core.fresh_token() {
                    return Ok(t.expose().to_owned());
                }
                Ok($crate::runtime::block_on(self.core.token())?
                    .expose()
                    .to_owned())
            }

            /// After a resource answered 401 for `token`: drop it if it is still the current one
            /// (a burst of 401s causes one refresh). `true` if this call dropped it.
            pub async fn invalidate(&self, token: String) -> $crate::error::Result<bool> {
                let core = self.core.clone();
                $crate::runtime::spawn(async move {
                    Ok(core.invalidate(&finauth::AccessToken::new(token)).await)
                })
                .await
            }

            /// `invalidate()` for threads that do not use coroutines.
            pub fn invalidate_blocking(&self, token: String) -> $crate::error::Result<bool> {
                let token = finauth::AccessToken::new(token);
                $crate::runtime::block_on(async { Ok(self.core.invalidate(&token).await) })
            }

            /// Operator action: clear the guard's failures, rejected credentials and locked flag
            /// for every process sharing the store.
            pub async fn reset_lockout_guard(&self) -> $crate::error::Result<()> {
                let core = self.core.clone();
                $crate::runtime::spawn(async move { core.reset_lockout_guard().await }).await
            }

            /// `resetLockoutGuard()` for threads that do not use coroutines.
            pub fn reset_lockout_guard_blocking(&self) -> $crate::error::Result<()> {
                $crate::runtime::block_on(self.core.reset_lockout_guard())
            }

            /// What the lockout guard knows (from the store, shared with other processes).
            pub async fn guard_status(
                &self,
            ) -> $crate::error::Result<$crate::partner_auth::GuardStatus> {
                let core = self.core.clone();
                $crate::runtime::spawn(async move { core.guard_status().await })
                    .await
                    .map($crate::partner_auth::GuardStatus::from)
            }

            /// `guardStatus()` for threads that do not use coroutines.
            pub fn guard_status_blocking(
                &self,
            ) -> $crate::error::Result<$crate::partner_auth::GuardStatus> {
                $crate::runtime::block_on(self.core.guard_status())
                    .map($crate::partner_auth::GuardStatus::from)
            }

            /// Counters since this object was built.
            pub fn stats(&self) -> $crate::partner_auth::Stats {
                self.core.stats().into()
            }
        }
    };
}

pub(crate) use lifecycle_methods;
