//! The process's tokio runtime, tagged with the fork generation and PID that made it. A forked
//! child never touches its parent's runtime (tokio runtimes hang after `fork`): it leaks it and
//! builds its own. The same generation tells each `PartnerAuth` to reset its in-flight state.

use arc_swap::ArcSwapOption;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Once};
use tokio::runtime::Runtime;

static FORK_GENERATION: AtomicU64 = AtomicU64::new(0);
static RUNTIME: ArcSwapOption<Tagged> = ArcSwapOption::const_empty();

pub struct Tagged {
    pub generation: u64,
    pub pid: u32,
    pub runtime: Runtime,
}

extern "C" fn child_hook() {
    // Async-signal-safe: one atomic add.
    FORK_GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// Register the `pthread_atfork` child hook once per process image.
pub fn install_fork_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: registering a handler that only performs an atomic add.
        unsafe {
            libc::pthread_atfork(None, None, Some(child_hook));
        }
    });
}

/// Python's `os.register_at_fork(after_in_child=…)` also calls this: a fork made without
/// `pthread_atfork` hooks (none known) still counts. Double counting is harmless.
pub fn after_fork_in_child() {
    let pid = std::process::id();
    if RUNTIME.load().as_ref().is_some_and(|t| t.pid != pid) {
        FORK_GENERATION.fetch_add(1, Ordering::SeqCst);
    }
}

/// The current fork generation (0 in the process that imported finauth first).
#[inline]
pub fn generation() -> u64 {
    FORK_GENERATION.load(Ordering::Relaxed)
}

/// The runtime of this process, built on first use and rebuilt in a forked child.
#[inline]
pub fn get() -> Result<Arc<Tagged>, String> {
    let generation = generation();
    if let Some(t) = &*RUNTIME.load() {
        if t.generation == generation {
            return Ok(Arc::clone(t));
        }
    }
    rebuild(generation)
}

#[cold]
fn rebuild(generation: u64) -> Result<Arc<Tagged>, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .max_blocking_threads(64)
        .thread_name("finauth-runtime")
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start finauth's runtime: {e}"))?;
    let new = Arc::new(Tagged {
        generation,
        pid: std::process::id(),
        runtime,
    });
    let current = RUNTIME.load_full();
    if let Some(t) = &current {
        if t.generation == generation {
            // Another thread built it first.
            return Ok(Arc::clone(t));
        }
    }
    let prev = RUNTIME.compare_and_swap(&current, Some(Arc::clone(&new)));
    let won = match (&*prev, &current) {
        (Some(p), Some(c)) => Arc::ptr_eq(p, c),
        (None, None) => true,
        _ => false,
    };
    if !won {
        // Lost a race: the winner's runtime serves; ours was never used.
        if let Ok(t) = Arc::try_unwrap(new) {
            t.runtime.shutdown_background();
        }
        return Ok(RUNTIME.load_full().expect("set by the winner"));
    }
    if let Some(old) = current {
        // The parent's runtime: its threads do not exist here, so dropping it could hang.
        std::mem::forget(old);
    }
    Ok(new)
}

/// Stop this process's runtime at interpreter exit (`atexit`, before finalization). A worker
/// thread that attaches to the interpreter while it finalizes (an awaitable completing late sets
/// its result under the GIL) aborts the process: "PyGILState_Release: thread state must be
/// current when releasing", seen once at the end of the Python quickstart. With no worker
/// threads left, nothing can attach. Tasks still running are dropped (the process is exiting);
/// a use after this builds a new runtime. The caller releases the GIL, which a task finishing
/// may need.
pub fn shutdown() {
    let Some(t) = RUNTIME.swap(None) else {
        return;
    };
    if t.pid != std::process::id() || t.generation != generation() {
        // The parent's runtime in a forked child: its threads do not exist here.
        std::mem::forget(t);
        return;
    }
    match Arc::try_unwrap(t) {
        Ok(t) => t
            .runtime
            .shutdown_timeout(std::time::Duration::from_millis(500)),
        // A call is still running on another thread (a daemon thread): leave the runtime to it.
        Err(t) => std::mem::forget(t),
    }
}

/// pyo3-async-runtimes' bridge to asyncio, on this module's fork-aware runtime (its own tokio
/// runtime is a process-wide static that a forked child could not replace).
pub struct AsyncioRuntime;

tokio::task_local! {
    static TASK_LOCALS: std::cell::OnceCell<pyo3_async_runtimes::TaskLocals>;
}

fn handle() -> tokio::runtime::Handle {
    match get() {
        Ok(t) => t.runtime.handle().clone(),
        // `awaitable` made the runtime before spawning; failing here means no thread can start.
        Err(m) => panic!("{m}"),
    }
}

impl pyo3_async_runtimes::generic::Runtime for AsyncioRuntime {
    type JoinError = tokio::task::JoinError;
    type JoinHandle = tokio::task::JoinHandle<()>;

    fn spawn<F>(fut: F) -> Self::JoinHandle
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        handle().spawn(fut)
    }

    fn spawn_blocking<F>(f: F) -> Self::JoinHandle
    where
        F: FnOnce() + Send + 'static,
    {
        handle().spawn_blocking(f)
    }
}

impl pyo3_async_runtimes::generic::ContextExt for AsyncioRuntime {
    fn scope<F, R>(
        locals: pyo3_async_runtimes::TaskLocals,
        fut: F,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = R> + Send>>
    where
        F: std::future::Future<Output = R> + Send + 'static,
    {
        let cell = std::cell::OnceCell::new();
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<pyo3_async_runtimes::TaskLocals> {
        TASK_LOCALS
            .try_with(|c| c.get().cloned())
            .unwrap_or_default()
    }
}
