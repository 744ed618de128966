//! Python binding of finauth: the `finauth._finauth` extension module of the `finauth` wheel.
//!
//! It converts types, maps errors (`errors.rs`), owns the process's tokio runtime (rebuilt after
//! `fork()`) and forwards `tracing` events to Python's `logging`. It holds no token logic: that is
//! all in the `finauth` crate. The pure-Python part (`python/finauth/`) adds the exception classes
//! and the `requests` / `httpx` integrations.

mod auth;
mod encryption;
mod errors;
mod exchange;
mod logging;
mod oauth1;
mod oauth2;
mod runtime;
mod store;

use pyo3::prelude::*;

/// Tell the binding it is now in a forked child (also done by a `pthread_atfork` hook).
#[pyfunction]
fn _after_fork_in_child() {
    runtime::after_fork_in_child();
}

/// Wait until every log record emitted so far by the Rust core reached `logging`.
#[pyfunction]
fn _flush_logs(py: Python<'_>) {
    py.detach(logging::flush);
}

/// The Finicity error code of a response body (JSON, XML or text), or `None`.
#[pyfunction]
#[pyo3(signature = (status, content_type, body))]
fn _finicity_code(status: u16, content_type: &str, body: &[u8]) -> Option<u32> {
    finauth::finicity::response::parse(status, content_type, body, None).code
}

/// Stop the log forwarder and the runtime before the interpreter finalizes (registered with
/// `atexit`): no thread of finauth's may attach to a finalizing interpreter.
#[pyfunction]
fn _shutdown(py: Python<'_>) {
    logging::shutdown(py);
    py.detach(runtime::shutdown);
}

#[pymodule]
fn _finauth(m: &Bound<'_, PyModule>) -> PyResult<()> {
    runtime::install_fork_hook();
    logging::install();
    let shutdown = wrap_pyfunction!(_shutdown, m)?;
    m.py()
        .import("atexit")?
        .call_method1("register", (&shutdown,))?;
    m.add_function(shutdown)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<store::MemoryStore>()?;
    m.add_class::<store::FileStore>()?;
    m.add_class::<store::RedisStore>()?;
    m.add_class::<auth::PartnerAuth>()?;
    m.add_class::<auth::AsyncPartnerAuth>()?;
    m.add_class::<exchange::Exchange>()?;
    m.add_class::<exchange::AsyncExchange>()?;
    m.add_class::<oauth1::SigningKey>()?;
    m.add_class::<encryption::PayloadEncryption>()?;
    m.add_class::<encryption::MastercardAuth>()?;
    m.add_class::<encryption::EncryptionCertificate>()?;
    m.add_class::<encryption::DecryptionKey>()?;
    m.add_function(wrap_pyfunction!(
        encryption::load_encryption_certificate,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(encryption::load_decryption_key, m)?)?;
    m.add_class::<oauth1::OAuth1Signer>()?;
    m.add_class::<oauth2::ClientCredentials>()?;
    m.add_class::<oauth2::AsyncClientCredentials>()?;
    m.add_function(wrap_pyfunction!(oauth1::load_pkcs12, m)?)?;
    m.add_function(wrap_pyfunction!(oauth1::load_pem, m)?)?;
    m.add_function(wrap_pyfunction!(_after_fork_in_child, m)?)?;
    m.add_function(wrap_pyfunction!(_flush_logs, m)?)?;
    m.add_function(wrap_pyfunction!(_finicity_code, m)?)?;
    Ok(())
}
