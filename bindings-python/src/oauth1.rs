//! `SigningKey`, `OAuth1Signer`, `load_pkcs12` and `load_pem`: Mastercard OAuth 1.0a signing.
//! Everything is done by `finauth::oauth1`; signing releases the GIL.

use crate::errors::{config_error, IntoPy};
use finauth::oauth1::SignatureMethod;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyMemoryView, PyString};
use std::path::PathBuf;

/// An RSA private key for OAuth 1.0a signing, parsed once. Its ``repr`` shows the key size
/// only; the key material never leaves the Rust side and is zeroized when dropped.
///
/// Build one with :func:`load_pkcs12` or :func:`load_pem`.
#[pyclass(module = "finauth._finauth", frozen)]
pub struct SigningKey {
    pub(crate) inner: finauth::oauth1::SigningKey,
}

#[pymethods]
impl SigningKey {
    /// The RSA modulus size in bits (e.g. 2048).
    #[getter]
    fn bits(&self) -> usize {
        self.inner.bits()
    }

    /// ``"RSA-2048"``, ``"EC-P256"``, ...
    #[getter]
    fn algorithm(&self) -> String {
        self.inner.algorithm()
    }

    /// The public half as a JWK (a JSON string), e.g. to register the key with a server.
    fn public_jwk(&self) -> String {
        finauth::oauth2::jose::public_jwk(&self.inner).to_string()
    }

    fn __repr__(&self) -> String {
        format!("SigningKey(<{} redacted>)", self.inner.algorithm())
    }
}

/// `bytes`/`bytearray` as bytes; anything else as a path read from disk.
pub(crate) enum Source {
    Bytes(Vec<u8>),
    Text(String),
    Path(PathBuf),
}

pub(crate) fn source(obj: &Bound<'_, PyAny>, text_is_pem: bool) -> PyResult<Source> {
    if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
        return Ok(Source::Bytes(obj.extract::<Vec<u8>>()?));
    }
    if text_is_pem && obj.is_instance_of::<PyString>() {
        let text: String = obj.extract()?;
        if text.contains("-----BEGIN ") {
            return Ok(Source::Text(text));
        }
    }
    match obj.extract::<PathBuf>() {
        Ok(p) => Ok(Source::Path(p)),
        Err(_) => Err(pyo3::exceptions::PyTypeError::new_err(
            "expected bytes, a str or an os.PathLike",
        )),
    }
}

/// Load the private key of a PKCS#12 file (``.p12``, as the Mastercard Developers portal and
/// ``openssl pkcs12 -export`` produce, modern AES-256/PBES2 or legacy 3DES/RC2).
///
/// ``path_or_bytes`` is the file's path (``str`` or ``os.PathLike``) or its content (``bytes``).
/// ``alias`` is the key's friendly name (any key if ``None``). Raises :class:`SigningKeyError`
/// naming the problem (wrong password, unknown alias, not PKCS#12, not an RSA key); the message
/// never holds the password.
#[pyfunction]
#[pyo3(signature = (path_or_bytes, password, alias=None))]
pub fn load_pkcs12(
    py: Python<'_>,
    path_or_bytes: &Bound<'_, PyAny>,
    password: &str,
    alias: Option<&str>,
) -> PyResult<SigningKey> {
    use finauth::oauth1::SigningKey as Key;
    let inner = match source(path_or_bytes, false)? {
        Source::Bytes(b) => Key::from_pkcs12(&b, password, alias),
        Source::Text(t) => Key::from_pkcs12(t.as_bytes(), password, alias),
        Source::Path(p) => Key::from_pkcs12_file(p, password, alias),
    }
    .py_err(py)?;
    Ok(SigningKey { inner })
}

/// Load a PEM private key: PKCS#1 (``RSA PRIVATE KEY``), PKCS#8 (``PRIVATE KEY``) or encrypted
/// PKCS#8 (``ENCRYPTED PRIVATE KEY``, with ``password``).
///
/// ``source`` is the PEM text (a ``str`` holding ``-----BEGIN``), its bytes, or a path. Raises
/// :class:`SigningKeyError` naming the problem; the message never holds the password.
#[pyfunction]
#[pyo3(signature = (source, password=None))]
pub fn load_pem(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    password: Option<&str>,
) -> PyResult<SigningKey> {
    use finauth::oauth1::SigningKey as Key;
    let inner = match self::source(source, true)? {
        Source::Text(t) => Key::from_pem(&t, password),
        Source::Bytes(b) => Key::from_pem(&bytes_to_text(py, b)?, password),
        Source::Path(p) => Key::from_pem_file(p, password),
    }
    .py_err(py)?;
    Ok(SigningKey { inner })
}

fn bytes_to_text(py: Python<'_>, b: Vec<u8>) -> PyResult<String> {
    String::from_utf8(b).map_err(|_| {
        crate::errors::to_pyerr(
            py,
            finauth::Error::SigningKey(
                "not a PEM key (not text; for DER or PKCS#12 use load_pkcs12)".into(),
            ),
        )
    })
}

/// Signs requests for Mastercard APIs with one-legged OAuth 1.0a and the body-hash extension,
/// byte-identically to Mastercard's Java reference signer.
///
/// ``method`` is ``"RSA-SHA256"`` (the default) or ``"RSA-PSS"``. Thread-safe: share one signer;
/// signing releases the GIL, so threads sign in parallel.
#[pyclass(module = "finauth._finauth", frozen)]
pub struct OAuth1Signer {
    pub(crate) inner: finauth::oauth1::OAuth1Signer,
}

/// A request body: ``bytes``/``bytearray``/``memoryview`` or ``str`` (UTF-8), ``None`` = empty.
fn body_bytes(py: Python<'_>, body: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<u8>> {
    match body {
        None => Ok(Vec::new()),
        Some(b) if b.is_none() => Ok(Vec::new()),
        Some(b) if b.is_instance_of::<PyString>() => Ok(b.extract::<String>()?.into_bytes()),
        Some(b) if b.is_instance_of::<PyBytes>() || b.is_instance_of::<PyByteArray>() => {
            b.extract::<Vec<u8>>()
        }
        // bytes(m) copies a memoryview; anything else (bytes(42) would be 42 zero bytes) is refused.
        Some(b) if b.is_instance_of::<PyMemoryView>() => {
            let builtins = PyModule::import(py, "builtins")?;
            builtins.getattr("bytes")?.call1((b,))?.extract::<Vec<u8>>()
        }
        Some(_) => Err(pyo3::exceptions::PyTypeError::new_err(
            "body: expected bytes, bytearray, memoryview, str or None",
        )),
    }
}

#[pymethods]
impl OAuth1Signer {
    #[new]
    #[pyo3(signature = (consumer_key, key, method="RSA-SHA256"))]
    fn new(py: Python<'_>, consumer_key: &str, key: &SigningKey, method: &str) -> PyResult<Self> {
        let method = match method {
            "RSA-SHA256" => SignatureMethod::RsaSha256,
            "RSA-PSS" => SignatureMethod::RsaPss,
            other => {
                return Err(config_error(
                    py,
                    format!("method: expected \"RSA-SHA256\" or \"RSA-PSS\", got \"{other}\""),
                ))
            }
        };
        let inner = finauth::oauth1::OAuth1Signer::new(consumer_key, key.inner.clone(), method)
            .py_err(py)?;
        Ok(OAuth1Signer { inner })
    }

    /// The consumer key.
    #[getter]
    fn consumer_key(&self) -> &str {
        self.inner.consumer_key()
    }

    /// ``"RSA-SHA256"`` or ``"RSA-PSS"``.
    #[getter]
    fn method(&self) -> &'static str {
        self.inner.signature_method().as_str()
    }

    /// The ``Authorization`` header value (``OAuth oauth_body_hash="…",…``) for one request, with
    /// a fresh nonce and the current time. ``uri`` is the full URL as sent (with its query);
    /// ``body`` the exact bytes sent (``str`` is encoded as UTF-8). Releases the GIL.
    #[pyo3(signature = (method, uri, body=None))]
    fn authorization_header(
        &self,
        py: Python<'_>,
        method: &str,
        uri: &str,
        body: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let body = body_bytes(py, body)?;
        py.detach(|| self.inner.authorization_header(method, uri, &body))
            .py_err(py)
    }

    /// The ``Authorization`` header value with a given nonce and timestamp: for conformance tests
    /// and debugging only (a real request needs a fresh nonce: use :meth:`authorization_header`).
    #[pyo3(signature = (method, uri, body, nonce, timestamp))]
    fn authorization_header_with(
        &self,
        py: Python<'_>,
        method: &str,
        uri: &str,
        body: Option<&Bound<'_, PyAny>>,
        nonce: &str,
        timestamp: u64,
    ) -> PyResult<String> {
        let body = body_bytes(py, body)?;
        py.detach(|| {
            self.inner
                .authorization_header_with(method, uri, &body, nonce, timestamp)
        })
        .py_err(py)
    }

    /// The signature base string for a given nonce and timestamp (for tests and debugging).
    #[pyo3(signature = (method, uri, body, nonce, timestamp))]
    fn signature_base_string(
        &self,
        py: Python<'_>,
        method: &str,
        uri: &str,
        body: Option<&Bound<'_, PyAny>>,
        nonce: &str,
        timestamp: u64,
    ) -> PyResult<String> {
        let body = body_bytes(py, body)?;
        self.inner
            .signature_base_string_with(method, uri, &body, nonce, timestamp)
            .py_err(py)
    }

    fn __repr__(&self) -> String {
        format!(
            "OAuth1Signer(consumer_key={:?}, method={:?}, key=<redacted>)",
            self.inner.consumer_key(),
            self.inner.signature_method().as_str()
        )
    }
}
