//! `tracing` events of the core, forwarded to the standard `logging` logger `finauth`.
//!
//! Events are queued and a forwarder thread hands them to `logging` under the GIL, so a thread
//! that emits an event never waits for the GIL (it may hold a core lock that a Python thread
//! wants). The core never puts a secret or a token into an event; only `finauth*` targets are
//! forwarded. The forwarder is rebuilt in a forked child, like the runtime. An `atexit` hook
//! stops it before the interpreter finalizes: a thread that takes the GIL during finalization
//! aborts the process ("PyGILState_Release: thread state must be current").

use arc_swap::ArcSwapOption;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, sync_channel, Sender, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

enum Msg {
    Record {
        level: u8,
        target: &'static str,
        message: String,
    },
    Flush(SyncSender<()>),
    Stop,
}

struct Forwarder {
    generation: u64,
    tx: Sender<Msg>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

static FORWARDER: ArcSwapOption<Forwarder> = ArcSwapOption::const_empty();
/// Set by [`shutdown`]: from then on events are dropped and no forwarder starts.
static STOPPED: AtomicBool = AtomicBool::new(false);

fn sender() -> Option<Arc<Forwarder>> {
    if STOPPED.load(Ordering::Acquire) {
        return None;
    }
    let generation = crate::runtime::generation();
    if let Some(f) = &*FORWARDER.load() {
        if f.generation == generation {
            return Some(Arc::clone(f));
        }
    }
    let (tx, rx) = channel::<Msg>();
    let spawned = std::thread::Builder::new()
        .name("finauth-logging".into())
        .spawn(move || {
            while let Ok(msg) = rx.recv() {
                match msg {
                    Msg::Record {
                        level,
                        target,
                        message,
                    } => {
                        if Python::try_attach(|py| emit(py, level, target, &message)).is_none() {
                            return; // the interpreter is shutting down
                        }
                    }
                    Msg::Flush(done) => {
                        let _ = done.send(());
                    }
                    Msg::Stop => return,
                }
            }
        });
    let Ok(thread) = spawned else {
        return None;
    };
    let new = Arc::new(Forwarder {
        generation,
        tx,
        thread: Mutex::new(Some(thread)),
    });
    let current = FORWARDER.load_full();
    if let Some(f) = &current {
        if f.generation == generation {
            return Some(Arc::clone(f));
        }
    }
    FORWARDER.compare_and_swap(&current, Some(Arc::clone(&new)));
    FORWARDER.load_full()
}

static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn emit(py: Python<'_>, level: u8, target: &str, message: &str) {
    let result = (|| -> PyResult<()> {
        let logger = LOGGER.get_or_try_init(py, || {
            Ok::<_, PyErr>(
                py.import("logging")?
                    .call_method1("getLogger", ("finauth",))?
                    .unbind(),
            )
        })?;
        let logger = logger.bind(py);
        if logger.call_method1("isEnabledFor", (level,))?.is_truthy()? {
            let extra = pyo3::types::PyDict::new(py);
            extra.set_item("finauth_target", target)?;
            let kwargs = pyo3::types::PyDict::new(py);
            kwargs.set_item("extra", extra)?;
            logger.call_method("log", (level, "%s", message), Some(&kwargs))?;
        }
        Ok(())
    })();
    if let Err(e) = result {
        // Never let logging break the forwarder; report like `logging` does.
        e.print(py);
    }
}

/// Deliver what is queued, then stop the forwarder for good (called by `atexit`, with the GIL,
/// before the interpreter finalizes). Events emitted afterwards are dropped.
pub fn shutdown(py: Python<'_>) {
    STOPPED.store(true, Ordering::Release);
    if let Some(f) = FORWARDER.swap(None) {
        if f.generation != crate::runtime::generation() {
            return; // the parent's forwarder: its thread does not exist in this forked child
        }
        let _ = f.tx.send(Msg::Stop);
        let thread = f.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(thread) = thread {
            // The forwarder may be waiting for the GIL to deliver a record: release it.
            py.detach(|| {
                let _ = thread.join();
            });
        }
    }
}

/// Block until every record queued so far was handed to `logging`.
pub fn flush() {
    if let Some(f) = sender() {
        let (done, wait) = sync_channel(1);
        if f.tx.send(Msg::Flush(done)).is_ok() {
            let _ = wait.recv_timeout(std::time::Duration::from_secs(5));
        }
    }
}

fn python_level(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 40,
        Level::WARN => 30,
        Level::INFO => 20,
        Level::DEBUG => 10,
        Level::TRACE => 5,
    }
}

struct Message {
    text: String,
    fields: String,
}

impl Visit for Message {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.text.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={}", field.name(), value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.text, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={:?}", field.name(), value);
        }
    }
}

struct ToPythonLogging;

fn forwarded(meta: &Metadata<'_>) -> bool {
    meta.target().starts_with("finauth")
}

impl<S: Subscriber> Layer<S> for ToPythonLogging {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> tracing::subscriber::Interest {
        if forwarded(meta) {
            tracing::subscriber::Interest::always()
        } else {
            tracing::subscriber::Interest::never()
        }
    }

    fn enabled(&self, meta: &Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        forwarded(meta)
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        if !meta.is_event() {
            return;
        }
        let mut m = Message {
            text: String::new(),
            fields: String::new(),
        };
        event.record(&mut m);
        m.text.push_str(&m.fields);
        if let Some(f) = sender() {
            let _ = f.tx.send(Msg::Record {
                level: python_level(meta.level()),
                target: meta.target(),
                message: m.text,
            });
        }
    }
}

/// Install the forwarding subscriber as the process's global default (once; if the host already
/// installed one, keep it).
pub fn install() {
    let subscriber = tracing_subscriber::registry().with(ToPythonLogging);
    let _ = tracing::subscriber::set_global_default(subscriber);
}
