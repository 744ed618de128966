//! `PayloadEncryption`, `EncryptionCertificate`, `DecryptionKey` and their loaders: Mastercard
//! payload encryption, all of it done by `finauth::encryption`; the work releases the GIL.

use crate::errors::{config_error, IntoPy};
use crate::oauth1::{source, Source};
use finauth::encryption::{self as enc, Scheme};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Mastercard's public key (the *Client Encryption Key* certificate) that requests are
/// encrypted to. Build it with :func:`load_encryption_certificate`.
#[pyclass(module = "finauth._finauth", frozen)]
pub struct EncryptionCertificate {
    inner: enc::EncryptionCertificate,
}

#[pymethods]
impl EncryptionCertificate {
    /// SHA-256 of the public key's SubjectPublicKeyInfo DER, hex (the JWE ``kid``).
    #[getter]
    fn key_fingerprint(&self) -> &str {
        self.inner.key_fingerprint()
    }

    /// SHA-256 of the certificate's DER, hex; ``None`` for a bare public key.
    #[getter]
    fn certificate_fingerprint(&self) -> Option<&str> {
        self.inner.certificate_fingerprint()
    }

    #[getter]
    fn bits(&self) -> usize {
        self.inner.bits()
    }

    fn __repr__(&self) -> String {
        format!(
            "EncryptionCertificate(RSA-{}, key_fingerprint={:?})",
            self.inner.bits(),
            self.inner.key_fingerprint()
        )
    }
}

/// Your RSA private key (the *Mastercard Encryption Key*) that responses are decrypted with.
/// Build it with :func:`load_decryption_key`; its ``repr`` shows the key size only.
#[pyclass(module = "finauth._finauth", frozen)]
pub struct DecryptionKey {
    inner: enc::DecryptionKey,
}

#[pymethods]
impl DecryptionKey {
    /// SHA-256 of this key's public SubjectPublicKeyInfo DER, hex.
    #[getter]
    fn key_fingerprint(&self) -> &str {
        self.inner.key_fingerprint()
    }

    #[getter]
    fn bits(&self) -> usize {
        self.inner.bits()
    }

    fn __repr__(&self) -> String {
        format!("DecryptionKey(<RSA-{} redacted>)", self.inner.bits())
    }
}

/// Load Mastercard's encryption certificate: PEM or DER X.509 (SHA-1 signed ones too: only the
/// key is used), or a PEM public key; a path, the PEM text, or the file's bytes. Raises
/// :class:`SigningKeyError` if it does not load.
#[pyfunction]
pub fn load_encryption_certificate(
    py: Python<'_>,
    path_or_bytes: &Bound<'_, PyAny>,
) -> PyResult<EncryptionCertificate> {
    let inner = match source(path_or_bytes, true)? {
        Source::Bytes(b) => enc::EncryptionCertificate::from_bytes(&b),
        Source::Text(t) => enc::EncryptionCertificate::from_pem(&t),
        Source::Path(p) => enc::EncryptionCertificate::from_file(p),
    }
    .py_err(py)?;
    Ok(EncryptionCertificate { inner })
}

/// Load your decryption key: PKCS#12 (``password``, and ``alias`` when it holds several keys),
/// PEM or DER (PKCS#1, PKCS#8, encrypted PKCS#8); a path, the PEM text, or the file's bytes.
/// Raises :class:`SigningKeyError` naming the problem, never the password.
#[pyfunction]
#[pyo3(signature = (path_or_bytes, password=None, alias=None))]
pub fn load_decryption_key(
    py: Python<'_>,
    path_or_bytes: &Bound<'_, PyAny>,
    password: Option<&str>,
    alias: Option<&str>,
) -> PyResult<DecryptionKey> {
    let inner = match source(path_or_bytes, true)? {
        Source::Bytes(b) => enc::DecryptionKey::from_bytes(&b, password, alias),
        Source::Text(t) => enc::DecryptionKey::from_pem(&t, password),
        Source::Path(p) => enc::DecryptionKey::from_file(p, password, alias),
    }
    .py_err(py)?;
    Ok(DecryptionKey { inner })
}

/// `{in: out}` or `[(in, out), ...]`.
fn path_pairs(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(String, String)>> {
    let Some(obj) = obj else {
        return Ok(Vec::new());
    };
    if let Ok(d) = obj.cast::<PyDict>() {
        return d
            .iter()
            .map(|(k, v)| Ok((k.extract()?, v.extract()?)))
            .collect();
    }
    obj.try_iter()?
        .map(|item| item?.extract::<(String, String)>())
        .collect()
}

/// A dict of parameter names (`str`, or `None` to leave one out) as JSON, for core to check.
fn names_json(py: Python<'_>, what: &str, d: &Bound<'_, PyDict>) -> PyResult<Value> {
    let mut m = Map::new();
    for (k, v) in d.iter() {
        let k: String = k.extract()?;
        let v =
            if v.is_none() {
                Value::Null
            } else {
                Value::String(v.extract().map_err(|_| {
                    config_error(py, format!("{what}: `{k}` must be a str or None"))
                })?)
            };
        m.insert(k, v);
    }
    Ok(Value::Object(m))
}

fn pairs_json(pairs: Vec<(String, String)>) -> Value {
    pairs
        .into_iter()
        .map(|(i, o)| Value::from(vec![i, o]))
        .collect()
}

/// Mastercard payload encryption of request and response bodies (JWE, or the field-level
/// scheme), at JSON paths, with the semantics of Mastercard's client-encryption libraries.
/// Thread-safe; the work releases the GIL.
///
/// ``encryption_paths`` / ``decryption_paths`` are ``{in: out}`` dicts (or lists of pairs);
/// defaults as in Mastercard's Java library. The field-level options (``field_encoding``,
/// ``oaep``, ``field_names``, ``header_mode``) apply to ``scheme="fle"`` only.
#[pyclass(module = "finauth._finauth", frozen)]
pub struct PayloadEncryption {
    inner: enc::PayloadEncryption,
}

/// Any mapping of header names to values, keyed by lower-case name.
fn lower_case_headers(headers: Option<&Bound<'_, PyAny>>) -> PyResult<HashMap<String, String>> {
    let mut map = HashMap::new();
    if let Some(h) = headers {
        for item in h.call_method0("items")?.try_iter()? {
            let (k, v): (String, String) = item?.extract()?;
            map.insert(k.to_ascii_lowercase(), v);
        }
    }
    Ok(map)
}

/// `str` in, `str` out; `bytes` in, `bytes` out.
fn text_or_bytes<'py>(
    py: Python<'py>,
    payload: &Bound<'py, PyAny>,
    f: impl FnOnce(&[u8]) -> finauth::Result<Vec<u8>> + Send,
) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(s) = payload.cast::<PyString>() {
        let text: String = s.extract()?;
        let out = py.detach(|| f(text.as_bytes())).py_err(py)?;
        let out =
            String::from_utf8(out).map_err(|_| config_error(py, "the result is not UTF-8 text"))?;
        return Ok(PyString::new(py, &out).into_any());
    }
    let bytes: Vec<u8> = payload
        .extract()
        .map_err(|_| pyo3::exceptions::PyTypeError::new_err("expected str or bytes"))?;
    let out = py.detach(|| f(&bytes)).py_err(py)?;
    Ok(PyBytes::new(py, &out).into_any())
}

#[pymethods]
impl PayloadEncryption {
    #[new]
    #[pyo3(signature = (scheme="jwe", *, encryption_certificate=None, decryption_key=None,
        encryption_paths=None, decryption_paths=None, encrypted_value_field_name=None,
        key_id=None, iv_size=None, field_encoding=None, oaep=None, field_names=None,
        header_mode=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        scheme: &str,
        encryption_certificate: Option<PyRef<'_, EncryptionCertificate>>,
        decryption_key: Option<PyRef<'_, DecryptionKey>>,
        encryption_paths: Option<&Bound<'_, PyAny>>,
        decryption_paths: Option<&Bound<'_, PyAny>>,
        encrypted_value_field_name: Option<String>,
        key_id: Option<String>,
        iv_size: Option<usize>,
        field_encoding: Option<String>,
        oaep: Option<String>,
        field_names: Option<&Bound<'_, PyDict>>,
        header_mode: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let scheme: Scheme = scheme.parse().py_err(py)?;
        // The keywords become core's options JSON: core checks them (names, types, what
        // applies to which scheme) as it does for every binding.
        let mut o = Map::new();
        o.insert(
            "encryptionPaths".into(),
            pairs_json(path_pairs(encryption_paths)?),
        );
        o.insert(
            "decryptionPaths".into(),
            pairs_json(path_pairs(decryption_paths)?),
        );
        let mut text = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                o.insert(k.into(), Value::String(v));
            }
        };
        text("encryptedValueFieldName", encrypted_value_field_name);
        text("keyId", key_id);
        text("fieldEncoding", field_encoding);
        text("oaep", oaep);
        if let Some(n) = iv_size {
            o.insert("ivSize".into(), Value::from(n));
        }
        if let Some(d) = field_names {
            o.insert("fieldNames".into(), names_json(py, "field_names", d)?);
        }
        if let Some(h) = header_mode.filter(|h| !h.is_none()) {
            let v = if let Ok(flag) = h.extract::<bool>() {
                Value::Bool(flag)
            } else {
                let d = h
                    .cast::<PyDict>()
                    .map_err(|_| config_error(py, "header_mode: True or a dict of header names"))?;
                names_json(py, "header_mode", d)?
            };
            o.insert("headerMode".into(), v);
        }
        let mut b = enc::PayloadEncryption::builder(scheme)
            .options_json(&Value::Object(o).to_string())
            .py_err(py)?;
        if let Some(c) = encryption_certificate {
            b = b.encryption_certificate(c.inner.clone());
        }
        if let Some(k) = decryption_key {
            b = b.decryption_key(k.inner.clone());
        }
        Ok(PayloadEncryption {
            inner: b.build().py_err(py)?,
        })
    }

    /// ``"jwe"`` or ``"fle"``.
    #[getter]
    fn scheme(&self) -> &'static str {
        match self.inner.scheme() {
            Scheme::Jwe => "jwe",
            Scheme::FieldLevel => "fle",
        }
    }

    /// Encrypt a JSON payload (``str`` → ``str``, ``bytes`` → ``bytes``). The field-level
    /// header mode needs :meth:`encrypt_request` (its parameters travel in headers).
    fn encrypt_payload<'py>(
        &self,
        py: Python<'py>,
        payload: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.clone();
        text_or_bytes(py, payload, move |b| {
            let text = std::str::from_utf8(b)
                .map_err(|_| finauth::Error::Encryption("the payload is not UTF-8 JSON".into()))?;
            inner.encrypt_payload(text).map(String::into_bytes)
        })
    }

    /// Decrypt a JSON payload (``str`` → ``str``, ``bytes`` → ``bytes``); a payload without
    /// encrypted values comes back unchanged. Raises :class:`EncryptionError` when it cannot be
    /// decrypted (tampered, truncated, not for this key).
    fn decrypt_payload<'py>(
        &self,
        py: Python<'py>,
        payload: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let inner = self.inner.clone();
        text_or_bytes(py, payload, move |b| inner.decrypt_response(b, |_| None))
    }

    /// Encrypt a request body: ``(body, headers)``, the headers to set (the field-level
    /// header mode; empty otherwise).
    fn encrypt_request<'py>(
        &self,
        py: Python<'py>,
        body: Vec<u8>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let inner = self.inner.clone();
        let r = py.detach(move || inner.encrypt_request(&body)).py_err(py)?;
        let headers: HashMap<String, String> = r.headers.into_iter().collect();
        PyTuple::new(
            py,
            [
                PyBytes::new(py, &r.body).into_any(),
                headers.into_pyobject(py)?.into_any(),
            ],
        )
    }

    /// Decrypt a response body; ``headers`` (any mapping, names case-insensitive) supply the
    /// field-level header mode's parameters.
    #[pyo3(signature = (body, headers=None))]
    fn decrypt_response<'py>(
        &self,
        py: Python<'py>,
        body: Vec<u8>,
        headers: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let map = lower_case_headers(headers)?;
        let inner = self.inner.clone();
        let out = py
            .detach(move || {
                inner.decrypt_response(&body, |n| map.get(&n.to_ascii_lowercase()).cloned())
            })
            .py_err(py)?;
        Ok(PyBytes::new(py, &out))
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.inner)
    }
}

/// Signing and payload encryption of Mastercard API calls in core's order: the body is
/// encrypted first, then signed over the exact bytes sent; answers are decrypted. The
/// ``requests`` and ``httpx`` integrations (``finauth.requests.MastercardAuth``,
/// ``finauth.httpx.MastercardAuth``) drive it; use it directly with any other client.
#[pyclass(module = "finauth._finauth", frozen)]
pub struct MastercardAuth {
    inner: finauth::mastercard::MastercardAuth,
}

#[pymethods]
impl MastercardAuth {
    #[new]
    #[pyo3(signature = (*, signer=None, encryption=None))]
    fn new(
        py: Python<'_>,
        signer: Option<PyRef<'_, crate::oauth1::OAuth1Signer>>,
        encryption: Option<PyRef<'_, PayloadEncryption>>,
    ) -> PyResult<Self> {
        let inner = finauth::mastercard::MastercardAuth::new(
            signer.map(|s| s.inner.clone()),
            encryption.map(|e| e.inner.clone()),
        )
        .py_err(py)?;
        Ok(MastercardAuth { inner })
    }

    /// ``(body, headers, body_changed)`` for a request: the (encrypted) body and the headers
    /// to set, ``Authorization`` among them.
    fn prepare<'py>(
        &self,
        py: Python<'py>,
        method: String,
        url: String,
        body: Vec<u8>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let inner = self.inner.clone();
        let p = py
            .detach(move || inner.prepare(&method, &url, &body))
            .py_err(py)?;
        let headers: HashMap<String, String> = p.headers.into_iter().collect();
        PyTuple::new(
            py,
            [
                PyBytes::new(py, &p.body).into_any(),
                headers.into_pyobject(py)?.into_any(),
                pyo3::types::PyBool::new(py, p.body_changed)
                    .to_owned()
                    .into_any(),
            ],
        )
    }

    /// The answer's body as the caller should see it (decrypted when it carries encrypted
    /// values; anything else as it came).
    #[pyo3(signature = (body, headers=None))]
    fn response<'py>(
        &self,
        py: Python<'py>,
        body: Vec<u8>,
        headers: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let map = lower_case_headers(headers)?;
        let inner = self.inner.clone();
        let out = py
            .detach(move || inner.response(&body, |n| map.get(&n.to_ascii_lowercase()).cloned()))
            .py_err(py)?;
        Ok(PyBytes::new(py, &out))
    }

    fn __repr__(&self) -> String {
        format!(
            "MastercardAuth(signs={}, encryption={:?})",
            self.inner.signer().is_some(),
            self.inner.encryption()
        )
    }
}
