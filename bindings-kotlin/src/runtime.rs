//! The tokio runtime the binding runs the core on: one per process, built on first use. Kotlin
//! suspend functions await tasks spawned here; blocking calls wait for them on the caller's thread.

use crate::error::{FinauthError, Result};
use std::future::Future;
use std::sync::OnceLock;

static RUNTIME: OnceLock<std::result::Result<tokio::runtime::Runtime, String>> = OnceLock::new();

fn get() -> Result<&'static tokio::runtime::Runtime> {
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("finauth-jvm")
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start finauth's runtime: {e}"))
        })
        .as_ref()
        .map_err(|m| FinauthError::Internal {
            description: m.clone(),
        })
}

/// Run `fut` on the runtime and await it from any executor (uniffi polls from Kotlin).
pub async fn spawn<F, T>(fut: F) -> Result<T>
where
    F: Future<Output = finauth::Result<T>> + Send + 'static,
    T: Send + 'static,
{
    let handle = get()?.spawn(fut);
    match handle.await {
        Ok(r) => r.map_err(FinauthError::from),
        Err(e) => Err(FinauthError::Internal {
            description: format!("finauth task failed: {e}"),
        }),
    }
}

/// Run `fut` on the runtime and wait for it on this (JVM) thread.
pub fn block_on<F, T>(fut: F) -> Result<T>
where
    F: Future<Output = finauth::Result<T>>,
{
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(FinauthError::config(
            "a *Blocking method was called from inside finauth's runtime",
        ));
    }
    get()?.block_on(fut).map_err(FinauthError::from)
}
