//! Applying [`PayloadEncryption`] to a JSON body, with the semantics of Mastercard's
//! client-encryption libraries: an absent input path is left alone; the clear value is removed;
//! the output object is made under an existing parent; a string is encrypted without its
//! quotes and restored as JSON when it parses, else as a string; a decrypted object is merged
//! into an existing one; an input object emptied by decryption is removed.

use super::config::{Inner, PayloadEncryption, SchemeSettings};
use super::fle::{FieldEncoding, Params};
use super::json_path::JsonPath;
use super::{jwe, DecryptionKey, EncryptionCertificate, OaepHash};
use crate::{Error, Result};
use serde::de::IgnoredAny;
use serde_json::{Map, Value};

/// An encrypted request: the body to send and, in the field-level header mode, the headers to
/// set (replacing any of the same name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncryptedRequest {
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

fn not_json(e: &serde_json::Error) -> Error {
    Error::encryption(format!(
        "the payload is not JSON (line {}, column {})",
        e.line(),
        e.column()
    ))
}

fn parse(body: &[u8]) -> Result<Value> {
    serde_json::from_slice(body).map_err(|e| not_json(&e))
}

fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// What is encrypted for a node: a string without its quotes, anything else as compact JSON.
fn plaintext_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A decrypted text back as a node: JSON when it parses, else the string itself.
fn value_of(plaintext: &[u8]) -> Result<Value> {
    let text = std::str::from_utf8(plaintext)
        .map_err(|_| Error::encryption("the decrypted value is not UTF-8 text"))?;
    Ok(serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned())))
}

/// A decrypted text that becomes the whole document: its own bytes when it is JSON (no tree is
/// built, and members keep their order), else the JSON string of it, as [`value_of`] decides.
fn whole_document(plaintext: &[u8]) -> Result<Vec<u8>> {
    let text = std::str::from_utf8(plaintext)
        .map_err(|_| Error::encryption("the decrypted value is not UTF-8 text"))?;
    if serde_json::from_str::<IgnoredAny>(text).is_ok() {
        return Ok(plaintext.to_vec());
    }
    Ok(Value::String(text.to_owned()).to_string().into_bytes())
}

/// The body is an object or an array: encrypting it at `$` can take its bytes as they are.
fn is_structured(body: &[u8]) -> bool {
    matches!(
        body.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{' | b'[')
    )
}

/// Each `(in, out)` with its wildcard replaced by every index of the array it names.
fn expand(doc: &Value, paths: &[(JsonPath, JsonPath)]) -> Vec<(JsonPath, JsonPath)> {
    let mut out = Vec::new();
    for (a, b) in paths {
        match a.before_wildcard() {
            None => out.push((a.clone(), b.clone())),
            Some(prefix) => {
                let n = prefix
                    .get(doc)
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                out.extend((0..n).map(|i| (a.at_index(i), b.at_index(i))));
            }
        }
    }
    out
}

/// Takes the clear node at `input` out of the document (it is about to be encrypted into
/// `output`): the whole document for `$`, an empty object when both paths are the same node.
fn take_input(doc: &mut Value, input: &JsonPath, output: &JsonPath) -> Result<()> {
    if input.is_root() {
        *doc = Value::Object(Map::new());
    } else if input == output {
        input.set(doc, Value::Object(Map::new()))?;
    } else {
        input.remove(doc);
    }
    Ok(())
}

/// Puts a decrypted node at `output`: an object is merged into the object there, anything else
/// replaces it.
fn place(doc: &mut Value, output: &JsonPath, value: Value) -> Result<()> {
    if output.is_root() {
        *doc = value;
        return Ok(());
    }
    match value {
        Value::Object(m) => {
            let target = output.object_mut(doc)?;
            for (k, v) in m {
                target.insert(k, v);
            }
            Ok(())
        }
        other => {
            output.object_mut(doc)?;
            output.set(doc, other)
        }
    }
}

fn is_empty_object(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Object(m)) if m.is_empty())
}

impl PayloadEncryption {
    fn certificate(&self) -> Result<&EncryptionCertificate> {
        self.inner.certificate.as_ref().ok_or_else(|| {
            Error::config("encrypting needs an encryption certificate (the Client Encryption Key)")
        })
    }

    fn key(&self) -> Result<&DecryptionKey> {
        self.inner.decryption_key.as_ref().ok_or_else(|| {
            Error::config("decrypting needs a decryption key (the Mastercard Encryption Key)")
        })
    }

    fn header_mode(&self) -> bool {
        matches!(
            &self.inner.scheme,
            SchemeSettings::FieldLevel {
                headers: Some(_),
                ..
            }
        )
    }

    /// Encrypts a JSON payload at the encryption paths. In the field-level header mode use
    /// [`encrypt_request`](Self::encrypt_request): the parameters travel in headers.
    pub fn encrypt_payload(&self, payload: &str) -> Result<String> {
        if self.header_mode() {
            return Err(Error::config(
                "the header mode puts parameters in HTTP headers: use encrypt_request",
            ));
        }
        let r = self.encrypt_request(payload.as_bytes())?;
        String::from_utf8(r.body)
            .map_err(|_| Error::encryption("the encrypted payload is not UTF-8"))
    }

    /// Decrypts a JSON payload at the decryption paths (the field-level header mode needs
    /// [`decrypt_response`](Self::decrypt_response) and the response headers).
    pub fn decrypt_payload(&self, payload: &str) -> Result<String> {
        let out = self.decrypt_response(payload.as_bytes(), |_| None)?;
        String::from_utf8(out).map_err(|_| Error::encryption("the decrypted payload is not UTF-8"))
    }

    /// Encrypts a request body. An empty body is sent as it is.
    pub fn encrypt_request(&self, body: &[u8]) -> Result<EncryptedRequest> {
        if is_blank(body) {
            return Ok(EncryptedRequest {
                body: body.to_vec(),
                headers: Vec::new(),
            });
        }
        let cert = self.certificate()?;
        let inner: &Inner = &self.inner;
        if let (SchemeSettings::Jwe { kid, iv_len }, [(input, output)]) =
            (&inner.scheme, inner.encryption_paths.as_slice())
        {
            // The whole body as one JWE (the usual set-up, and the one large payloads take):
            // checked as JSON but not built into a tree, and encrypted as the bytes it is.
            if input.is_root() && is_structured(body) {
                serde_json::from_slice::<IgnoredAny>(body).map_err(|e| not_json(&e))?;
                let kid = kid.as_deref().unwrap_or(cert.key_fingerprint());
                let token = jwe::encrypt(cert, kid, *iv_len, body.trim_ascii())?;
                let mut doc = Value::Object(Map::new());
                output
                    .object_mut(&mut doc)?
                    .insert(inner.encrypted_value_field.clone(), Value::String(token));
                return Ok(EncryptedRequest {
                    body: doc.to_string().into_bytes(),
                    headers: Vec::new(),
                });
            }
        }
        let mut doc = parse(body)?;
        let mut headers = Vec::new();
        match &inner.scheme {
            SchemeSettings::Jwe { kid, iv_len } => {
                let kid = kid.as_deref().unwrap_or(cert.key_fingerprint());
                for (input, output) in expand(&doc, &inner.encryption_paths) {
                    let Some(v) = input.get(&doc).filter(|v| !v.is_null()) else {
                        continue;
                    };
                    let token = jwe::encrypt(cert, kid, *iv_len, plaintext_of(v).as_bytes())?;
                    take_input(&mut doc, &input, &output)?;
                    output
                        .object_mut(&mut doc)?
                        .insert(inner.encrypted_value_field.clone(), Value::String(token));
                }
            }
            SchemeSettings::FieldLevel {
                encoding,
                oaep,
                fields,
                headers: header_names,
                certificate_fingerprint,
                key_fingerprint,
            } => {
                // The header mode has one IV and key per message; otherwise one per path.
                let shared = match header_names {
                    Some(_) => Some(Params::generate(cert, *oaep)?),
                    None => None,
                };
                for (input, output) in expand(&doc, &inner.encryption_paths) {
                    let Some(v) = input.get(&doc).filter(|v| !v.is_null()) else {
                        continue;
                    };
                    let own;
                    let params = match &shared {
                        Some(p) => p,
                        None => {
                            own = Params::generate(cert, *oaep)?;
                            &own
                        }
                    };
                    let ciphertext = params.encrypt(plaintext_of(v).as_bytes())?;
                    take_input(&mut doc, &input, &output)?;
                    let obj = output.object_mut(&mut doc)?;
                    let mut put = |name: &Option<String>, value: Option<String>| {
                        if let (Some(n), Some(v)) = (name, value) {
                            obj.insert(n.clone(), Value::String(v));
                        }
                    };
                    put(
                        &Some(inner.encrypted_value_field.clone()),
                        Some(encoding.encode(&ciphertext)),
                    );
                    put(&fields.iv, Some(encoding.encode(&params.iv)));
                    put(
                        &fields.encrypted_key,
                        Some(encoding.encode(&params.wrapped_key)),
                    );
                    put(
                        &fields.encryption_certificate_fingerprint,
                        certificate_fingerprint.clone(),
                    );
                    put(&fields.encryption_key_fingerprint, key_fingerprint.clone());
                    put(
                        &fields.oaep_hashing_algorithm,
                        Some(params.oaep.as_str().to_owned()),
                    );
                }
                if let (Some(h), Some(p)) = (header_names, &shared) {
                    headers.push((h.iv.clone(), encoding.encode(&p.iv)));
                    headers.push((h.encrypted_key.clone(), encoding.encode(&p.wrapped_key)));
                    let mut opt = |name: &Option<String>, value: Option<String>| {
                        if let (Some(n), Some(v)) = (name, value) {
                            headers.push((n.clone(), v));
                        }
                    };
                    opt(&h.oaep_hashing_algorithm, Some(p.oaep.as_str().to_owned()));
                    opt(
                        &h.encryption_certificate_fingerprint,
                        certificate_fingerprint.clone(),
                    );
                    opt(&h.encryption_key_fingerprint, key_fingerprint.clone());
                }
            }
        }
        Ok(EncryptedRequest {
            body: doc.to_string().into_bytes(),
            headers,
        })
    }

    /// Decrypts a response body; `header` answers the response's header values by name (case-
    /// insensitively), for the field-level header mode. A body without encrypted values at the
    /// decryption paths (an error answer, say) comes back as it is.
    pub fn decrypt_response(
        &self,
        body: &[u8],
        header: impl Fn(&str) -> Option<String>,
    ) -> Result<Vec<u8>> {
        if is_blank(body) {
            return Ok(body.to_vec());
        }
        let key = self.key()?;
        let mut doc = parse(body)?;
        let inner: &Inner = &self.inner;
        let field = inner.encrypted_value_field.as_str();
        let mut changed = false;
        match &inner.scheme {
            SchemeSettings::Jwe { .. } => {
                // One token that becomes the whole document (`$.encryptedData → $`): its
                // plaintext is the answer, with no tree built and nothing else to keep (`place`
                // at `$` replaces everything, and a parent at `$` is never dropped).
                let whole = match inner.decryption_paths.as_slice() {
                    [(input, output)] => {
                        output.is_root()
                            && !input.has_wildcard()
                            && input.parent().is_none_or(|p| p.is_root())
                    }
                    _ => false,
                };
                for (input, output) in expand(&doc, &inner.decryption_paths) {
                    // The path names the token (Java's convention) or the object holding it
                    // in the encrypted-value field (Python's).
                    let token = match input.get(&doc) {
                        None | Some(Value::Null) => continue,
                        Some(Value::String(s)) if s.is_empty() => continue,
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Object(m)) => match m.get(field) {
                            None | Some(Value::Null) => continue,
                            Some(Value::String(s)) if s.is_empty() => continue,
                            Some(Value::String(s)) => s.clone(),
                            Some(_) => {
                                return Err(Error::encryption(format!(
                                    "`{field}` at `{input}` is not a JWE string"
                                )))
                            }
                        },
                        Some(_) => {
                            return Err(Error::encryption(format!(
                                "a JWE string is expected at `{input}`"
                            )))
                        }
                    };
                    let plaintext = jwe::decrypt(key, &token)?;
                    if whole {
                        return whole_document(&plaintext);
                    }
                    let value = value_of(&plaintext)?;
                    if !input.is_root() {
                        input.remove(&mut doc);
                    }
                    place(&mut doc, &output, value)?;
                    self.drop_emptied_parent(&mut doc, &input, &output);
                    changed = true;
                }
            }
            SchemeSettings::FieldLevel {
                encoding,
                oaep,
                fields,
                headers: header_names,
                ..
            } => {
                let mut from_headers: Option<Params> = None;
                for (input, output) in expand(&doc, &inner.decryption_paths) {
                    let obj = match input.get(&doc) {
                        None | Some(Value::Null) => continue,
                        Some(Value::Object(m)) => m,
                        Some(_) => {
                            return Err(Error::encryption(format!(
                                "a JSON object with `{field}` is expected at `{input}`"
                            )))
                        }
                    };
                    let ciphertext = match obj.get(field) {
                        None | Some(Value::Null) => continue,
                        Some(Value::String(s)) if s.is_empty() => continue,
                        Some(Value::String(s)) => encoding.decode(s, "encrypted value")?,
                        Some(_) => {
                            return Err(Error::encryption(format!(
                                "`{field}` at `{input}` is not text"
                            )))
                        }
                    };
                    let text = |name: &Option<String>| {
                        name.as_ref()
                            .and_then(|n| obj.get(n))
                            .and_then(Value::as_str)
                            .map(str::to_owned)
                    };
                    let own;
                    let params = match header_names {
                        Some(h) => {
                            if from_headers.is_none() {
                                from_headers =
                                    Some(self.header_params(key, h, &header, *encoding, *oaep)?);
                            }
                            from_headers
                                .as_ref()
                                .ok_or_else(|| Error::encryption("no parameters"))?
                        }
                        None => {
                            let hash = match text(&fields.oaep_hashing_algorithm) {
                                Some(h) => h.parse::<OaepHash>().map_err(|_| {
                                    Error::encryption(format!(
                                        "unsupported oaepHashingAlgorithm at `{input}`"
                                    ))
                                })?,
                                None => *oaep,
                            };
                            let iv = text(&fields.iv).ok_or_else(|| {
                                Error::encryption(format!(
                                    "the encrypted object at `{input}` has no IV"
                                ))
                            })?;
                            let wrapped = text(&fields.encrypted_key).ok_or_else(|| {
                                Error::encryption(format!(
                                    "the encrypted object at `{input}` has no encrypted key"
                                ))
                            })?;
                            own = Params::read(key, &iv, &wrapped, hash, *encoding)?;
                            &own
                        }
                    };
                    let value = value_of(&params.decrypt(&ciphertext)?)?;
                    if let Some(Value::Object(m)) = input.get_mut(&mut doc) {
                        for name in [
                            Some(field.to_owned()),
                            fields.iv.clone(),
                            fields.encrypted_key.clone(),
                            fields.oaep_hashing_algorithm.clone(),
                            fields.encryption_certificate_fingerprint.clone(),
                            fields.encryption_key_fingerprint.clone(),
                        ]
                        .into_iter()
                        .flatten()
                        {
                            m.remove(&name);
                        }
                    }
                    place(&mut doc, &output, value)?;
                    if input != output && !input.is_root() && is_empty_object(input.get(&doc)) {
                        input.remove(&mut doc);
                    }
                    changed = true;
                }
            }
        }
        if !changed {
            return Ok(body.to_vec());
        }
        Ok(doc.to_string().into_bytes())
    }

    /// After a JWE inside `…parent` was decrypted elsewhere, objects it leaves empty go too,
    /// up the path: never the root, an array element, or the output or anything holding it.
    /// (Mastercard's Java library removes only a parent that is not under an array, and leaves
    /// `{}` behind; its own test of this rule expects the empty parent to go.)
    fn drop_emptied_parent(&self, doc: &mut Value, input: &JsonPath, output: &JsonPath) {
        let mut at = input.parent();
        while let Some(p) = at {
            if !p.ends_with_name() || p.contains(output) || !is_empty_object(p.get(doc)) {
                return;
            }
            p.remove(doc);
            at = p.parent();
        }
    }

    fn header_params(
        &self,
        key: &DecryptionKey,
        names: &super::HeaderNames,
        header: &impl Fn(&str) -> Option<String>,
        encoding: FieldEncoding,
        oaep: OaepHash,
    ) -> Result<Params> {
        let need = |n: &str| {
            header(n).ok_or_else(|| {
                Error::encryption(format!(
                    "the response has encrypted fields but no `{n}` header"
                ))
            })
        };
        let iv = need(&names.iv)?;
        let wrapped = need(&names.encrypted_key)?;
        let hash = match names.oaep_hashing_algorithm.as_deref().and_then(header) {
            Some(h) => h.parse::<OaepHash>().map_err(|_| {
                Error::encryption("unsupported OAEP digest in the response headers")
            })?,
            None => oaep,
        };
        Params::read(key, &iv, &wrapped, hash, encoding)
    }
}
