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
//!
//! The names inside `fieldNames` and `headerMode` may also be written in snake_case
//! (`encrypted_key`, …), as Python's keywords have them.

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

/// The field-level parameters, by their key in `fieldNames` / `headerMode`: camelCase as this
/// JSON writes them, or snake_case as Python's keywords do (so no binding renames them itself).
const PARAMETERS: [(&str, &str); 5] = [
    ("iv", "iv"),
    ("encryptedKey", "encrypted_key"),
    ("oaepHashingAlgorithm", "oaep_hashing_algorithm"),
    (
        "encryptionCertificateFingerprint",
        "encryption_certificate_fingerprint",
    ),
    ("encryptionKeyFingerprint", "encryption_key_fingerprint"),
];

/// Each parameter's name from an object of them, in [`PARAMETERS`] order: given, `null` (left
/// out) or absent (its default).
fn parameter_names(
    m: &Map<String, Value>,
    defaults: [Option<String>; 5],
    what: &str,
) -> Result<[Option<String>; 5]> {
    let known = |k: &str| PARAMETERS.iter().any(|(c, s)| k == *c || k == *s);
    if let Some(k) = m.keys().find(|k| !known(k)) {
        return Err(bad(&format!(
            "unknown {what} `{}`",
            k.chars().take(60).collect::<String>()
        )));
    }
    let mut out = defaults;
    for ((camel, snake), slot) in PARAMETERS.iter().zip(out.iter_mut()) {
        let given = match (m.get(*camel), m.get(*snake)) {
            (Some(_), Some(_)) if camel != snake => {
                return Err(bad(&format!("`{camel}` is given twice (and as `{snake}`)")))
            }
            (Some(v), _) | (None, Some(v)) => v,
            (None, None) => continue,
        };
        *slot = match given {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            _ => return Err(bad(&format!("`{camel}` must be a string or null"))),
        };
    }
    Ok(out)
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
                let d = FieldNames::default();
                let [iv, key, oaep, cert_fp, key_fp] = parameter_names(
                    f,
                    [
                        d.iv,
                        d.encrypted_key,
                        d.oaep_hashing_algorithm,
                        d.encryption_certificate_fingerprint,
                        d.encryption_key_fingerprint,
                    ],
                    "field name",
                )?;
                self = self.field_names(FieldNames {
                    iv,
                    encrypted_key: key,
                    oaep_hashing_algorithm: oaep,
                    encryption_certificate_fingerprint: cert_fp,
                    encryption_key_fingerprint: key_fp,
                });
            }
            Some(_) => return Err(bad("`fieldNames` must be an object")),
        }
        match m.get("headerMode") {
            None | Some(Value::Null) | Some(Value::Bool(false)) => {}
            Some(Value::Bool(true)) => self = self.header_mode(HeaderNames::default()),
            Some(Value::Object(h)) => {
                let d = HeaderNames::default();
                let [iv, key, oaep, cert_fp, key_fp] = parameter_names(
                    h,
                    [
                        Some(d.iv),
                        Some(d.encrypted_key),
                        d.oaep_hashing_algorithm,
                        d.encryption_certificate_fingerprint,
                        d.encryption_key_fingerprint,
                    ],
                    "header name",
                )?;
                let required = |v: Option<String>, k: &str| {
                    v.ok_or_else(|| bad(&format!("header `{k}` is required")))
                };
                self = self.header_mode(HeaderNames {
                    iv: required(iv, "iv")?,
                    encrypted_key: required(key, "encryptedKey")?,
                    oaep_hashing_algorithm: oaep,
                    encryption_certificate_fingerprint: cert_fp,
                    encryption_key_fingerprint: key_fp,
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
        assert!(e(Scheme::FieldLevel, r#"{"headerMode": {"iv": null}}"#).contains("`iv`"));
        assert!(e(
            Scheme::FieldLevel,
            r#"{"fieldNames": {"iv": "a", "iv": 1}}"#
        )
        .contains("`iv`"));
        assert!(e(
            Scheme::FieldLevel,
            r#"{"fieldNames": {"encryptedKey": "a", "encrypted_key": "b"}}"#
        )
        .contains("twice"));
        assert!(e(Scheme::Jwe, "[1]").contains("JSON object"));
        assert!(builder(Scheme::Jwe).options_json("").is_ok());
        assert!(builder(Scheme::FieldLevel)
            .options_json(r#"{"encryptionPaths": [["$.a", "$.b"]], "fieldEncoding": "base64", "oaep": "SHA-512", "headerMode": {"iv": "x-my-iv"}, "fieldNames": {"oaepHashingAlgorithm": null}}"#)
            .is_ok());
        // Python's spelling of the parameter names reads the same.
        assert!(builder(Scheme::FieldLevel)
            .options_json(r#"{"fieldNames": {"encrypted_key": "k", "encryption_key_fingerprint": null}, "headerMode": {"encrypted_key": "x-k"}}"#)
            .is_ok());
    }
}
