//! The options of [`PayloadEncryptionBuilder`] as one JSON object, for bindings that hand over
//! a configuration as text (Node, C, the JVM) so that each does not parse it its own way:
//!
//! ```json
//! { "encryptionPaths": {"$.card": "$.encryptedCard"},   // or [["$.card", "$.encryptedCard"]]
//!   "decryptionPaths": {"$.encryptedData": "$"},
//!   "encryptedValueFieldName": "encryptedData", "keyId": "…", "ivSize": 12,
//!   "fieldEncoding": "hex", "oaep": "sha256",
//!   "fieldNames": {"iv": "iv", "encryptedKey": "encryptedKey", "oaepHashingAlgorithm": null,
//!                  "encryptionCertificateFingerprint": null, "encryptionKeyFingerprint": null},
//!   "headerMode": true }                                 // or {"iv": "x-iv", …}
//! ```

use super::config::{FieldNames, HeaderNames, PayloadEncryptionBuilder, Scheme};
use crate::{Error, Result};
use serde_json::{Map, Value};

fn bad(what: &str) -> Error {
    Error::config(format!("payload encryption options: {what}"))
}

fn pairs(v: &Value, name: &str) -> Result<Vec<(String, String)>> {
    let pair_err = || bad(&format!("`{name}` must map input paths to output paths"));
    match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| Ok((k.clone(), v.as_str().ok_or_else(pair_err)?.to_owned())))
            .collect(),
        Value::Array(a) => a
            .iter()
            .map(|p| match p.as_array().map(Vec::as_slice) {
                Some([Value::String(i), Value::String(o)]) => Ok((i.clone(), o.clone())),
                _ => Err(pair_err()),
            })
            .collect(),
        _ => Err(pair_err()),
    }
}

/// A name that may be given, `null` (left out), or absent (the default).
fn name(m: &Map<String, Value>, key: &str, default: Option<String>) -> Result<Option<String>> {
    match m.get(key) {
        None => Ok(default),
        Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad(&format!("`{key}` must be a string or null"))),
    }
}

fn only(m: &Map<String, Value>, known: &[&str], what: &str) -> Result<()> {
    match m.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(bad(&format!(
            "unknown {what} `{}`",
            k.chars().take(60).collect::<String>()
        ))),
        None => Ok(()),
    }
}

impl PayloadEncryptionBuilder {
    /// Applies the options of a JSON object (module documentation); `""` or `{}` changes
    /// nothing. Unknown members and wrong types are `Config` errors naming them.
    pub fn options_json(mut self, json: &str) -> Result<Self> {
        if json.trim().is_empty() {
            return Ok(self);
        }
        let v: Value = serde_json::from_str(json).map_err(|_| bad("not a JSON object"))?;
        let m = v.as_object().ok_or_else(|| bad("not a JSON object"))?;
        only(
            m,
            &[
                "encryptionPaths",
                "decryptionPaths",
                "encryptedValueFieldName",
                "keyId",
                "ivSize",
                "fieldEncoding",
                "oaep",
                "fieldNames",
                "headerMode",
            ],
            "option",
        )?;
        let text = |k: &str| -> Result<Option<&str>> {
            match m.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(_) => Err(bad(&format!("`{k}` must be a string"))),
            }
        };
        let fle = self.scheme_kind() == Scheme::FieldLevel;
        let fle_only = |k: &str| -> Result<()> {
            if fle || m.get(k).is_none_or(Value::is_null) {
                Ok(())
            } else {
                Err(bad(&format!(
                    "`{k}` applies to the field-level scheme only"
                )))
            }
        };
        if let Some(p) = m.get("encryptionPaths") {
            for (i, o) in pairs(p, "encryptionPaths")? {
                self = self.encryption_path(&i, &o);
            }
        }
        if let Some(p) = m.get("decryptionPaths") {
            for (i, o) in pairs(p, "decryptionPaths")? {
                self = self.decryption_path(&i, &o);
            }
        }
        if let Some(f) = text("encryptedValueFieldName")? {
            self = self.encrypted_value_field_name(f);
        }
        if let Some(k) = text("keyId")? {
            self = self.key_id(k);
        }
        match m.get("ivSize") {
            None | Some(Value::Null) => {}
            Some(n) => {
                let n = n.as_u64().ok_or_else(|| bad("`ivSize` must be 12 or 16"))?;
                self = self.iv_size(usize::try_from(n).unwrap_or(0));
            }
        }
        for k in ["fieldEncoding", "oaep", "fieldNames", "headerMode"] {
            fle_only(k)?;
        }
        if let Some(e) = text("fieldEncoding")? {
            self = self.field_encoding(e.parse()?);
        }
        if let Some(o) = text("oaep")? {
            self = self.oaep_hash(o.parse()?);
        }
        match m.get("fieldNames") {
            None | Some(Value::Null) => {}
            Some(Value::Object(f)) => {
                only(
                    f,
                    &[
                        "iv",
                        "encryptedKey",
                        "oaepHashingAlgorithm",
                        "encryptionCertificateFingerprint",
                        "encryptionKeyFingerprint",
                    ],
                    "field name",
                )?;
                let d = FieldNames::default();
                self = self.field_names(FieldNames {
                    iv: name(f, "iv", d.iv)?,
                    encrypted_key: name(f, "encryptedKey", d.encrypted_key)?,
                    oaep_hashing_algorithm: name(
                        f,
                        "oaepHashingAlgorithm",
                        d.oaep_hashing_algorithm,
                    )?,
                    encryption_certificate_fingerprint: name(
                        f,
                        "encryptionCertificateFingerprint",
                        d.encryption_certificate_fingerprint,
                    )?,
                    encryption_key_fingerprint: name(
                        f,
                        "encryptionKeyFingerprint",
                        d.encryption_key_fingerprint,
                    )?,
                });
            }
            Some(_) => return Err(bad("`fieldNames` must be an object")),
        }
        match m.get("headerMode") {
            None | Some(Value::Null) | Some(Value::Bool(false)) => {}
            Some(Value::Bool(true)) => self = self.header_mode(HeaderNames::default()),
            Some(Value::Object(h)) => {
                only(
                    h,
                    &[
                        "iv",
                        "encryptedKey",
                        "oaepHashingAlgorithm",
                        "encryptionCertificateFingerprint",
                        "encryptionKeyFingerprint",
                    ],
                    "header name",
                )?;
                let d = HeaderNames::default();
                let required = |k: &str, default: String| -> Result<String> {
                    name(h, k, Some(default))?
                        .ok_or_else(|| bad(&format!("header `{k}` is required")))
                };
                self = self.header_mode(HeaderNames {
                    iv: required("iv", d.iv)?,
                    encrypted_key: required("encryptedKey", d.encrypted_key)?,
                    oaep_hashing_algorithm: name(
                        h,
                        "oaepHashingAlgorithm",
                        d.oaep_hashing_algorithm,
                    )?,
                    encryption_certificate_fingerprint: name(
                        h,
                        "encryptionCertificateFingerprint",
                        d.encryption_certificate_fingerprint,
                    )?,
                    encryption_key_fingerprint: name(
                        h,
                        "encryptionKeyFingerprint",
                        d.encryption_key_fingerprint,
                    )?,
                });
            }
            Some(_) => {
                return Err(bad(
                    "`headerMode` must be true, false or an object of header names",
                ))
            }
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{PayloadEncryption, Scheme};
    use crate::Error;

    fn builder(s: Scheme) -> super::PayloadEncryptionBuilder {
        PayloadEncryption::builder(s)
    }

    #[test]
    fn wrong_names_and_types_are_config_errors_naming_them() {
        let e = |s: Scheme, j: &str| match builder(s).options_json(j) {
            Err(Error::Config(m)) => m,
            Err(other) => panic!("{j}: {other:?}"),
            Ok(_) => panic!("{j}: accepted"),
        };
        assert!(e(Scheme::Jwe, r#"{"encryptionPath": {}}"#).contains("encryptionPath"));
        assert!(e(Scheme::Jwe, r#"{"fieldEncoding": "hex"}"#).contains("field-level"));
        assert!(e(Scheme::Jwe, r#"{"ivSize": "12"}"#).contains("ivSize"));
        assert!(e(Scheme::Jwe, r#"{"encryptionPaths": {"$": 1}}"#).contains("encryptionPaths"));
        assert!(e(Scheme::FieldLevel, r#"{"fieldNames": {"ivv": "x"}}"#).contains("ivv"));
        assert!(e(Scheme::FieldLevel, r#"{"headerMode": 1}"#).contains("headerMode"));
        assert!(e(Scheme::Jwe, "[1]").contains("JSON object"));
        assert!(builder(Scheme::Jwe).options_json("").is_ok());
        assert!(builder(Scheme::FieldLevel)
            .options_json(r#"{"encryptionPaths": [["$.a", "$.b"]], "fieldEncoding": "base64", "oaep": "SHA-512", "headerMode": {"iv": "x-my-iv"}, "fieldNames": {"oaepHashingAlgorithm": null}}"#)
            .is_ok());
    }
}
