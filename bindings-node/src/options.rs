//! The one reader of a JavaScript options object (`new PartnerAuth(options)`,
//! `new ClientCredentials(options)`): names in camelCase, durations in seconds, `null` and
//! `undefined` meaning "not given". A wrong JavaScript type throws a plain `TypeError`
//! (`TYPE_ERROR`, mapped in `errors.js`); a value of the right type that makes no sense, or an
//! unknown name, throws a `ConfigError`. Everything else is checked by core's builders.

use crate::error::{config, SyncError};
use crate::store::{FileStore, MemoryStore, RedisStore};
use napi::bindgen_prelude::{ClassInstance, Either3, FromNapiValue, Object, Unknown};
use napi::ValueType;
use std::sync::Arc;
use std::time::Duration;

/// A JavaScript `TypeError` with this message (see `errors.js`).
pub(crate) fn type_error(message: impl Into<String>) -> SyncError {
    napi::Error::new("TYPE_ERROR".to_owned(), message.into())
}

/// A napi failure while reading a value (a throwing getter, a revoked proxy).
fn napi_failure(e: napi::Error) -> SyncError {
    type_error(format!("finauth: could not read the options: {}", e.reason))
}

pub(crate) struct Options<'a> {
    object: Object<'a>,
}

impl<'a> Options<'a> {
    /// `value` as the options of `new {class}(options)`, with no name outside `known`.
    pub(crate) fn read(value: Unknown<'a>, class: &str, known: &[&str]) -> Result<Self, SyncError> {
        let not_object = || {
            type_error(format!(
                "finauth: new {class}(options) needs an options object"
            ))
        };
        if value.get_type().map_err(napi_failure)? != ValueType::Object {
            return Err(not_object());
        }
        let object = Object::from_unknown(value).map_err(|_| not_object())?;
        for name in Object::keys(&object).map_err(napi_failure)? {
            if !known.contains(&name.as_str()) {
                return Err(config(format!("unknown option `{name}`")));
            }
        }
        Ok(Options { object })
    }

    /// The value of `name` and its type, or `None` for absent, `undefined` and `null`.
    fn get(&self, name: &str) -> Result<Option<(Unknown<'a>, ValueType)>, SyncError> {
        let Some(v) = self.object.get::<Unknown>(name).map_err(napi_failure)? else {
            return Ok(None);
        };
        match v.get_type().map_err(napi_failure)? {
            ValueType::Undefined | ValueType::Null => Ok(None),
            t => Ok(Some((v, t))),
        }
    }

    pub(crate) fn is_given(&self, name: &str) -> Result<bool, SyncError> {
        Ok(self.get(name)?.is_some())
    }

    /// A value that must be of JavaScript type `ty` (`what` names it in the `TypeError`).
    fn typed<T: FromNapiValue>(
        &self,
        name: &str,
        ty: ValueType,
        what: &str,
    ) -> Result<Option<T>, SyncError> {
        match self.get(name)? {
            None => Ok(None),
            Some((v, t)) if t == ty => T::from_unknown(v).map(Some).map_err(napi_failure),
            Some(_) => Err(type_error(format!(
                "finauth: option `{name}` must be {what}"
            ))),
        }
    }

    pub(crate) fn string(&self, name: &str) -> Result<Option<String>, SyncError> {
        self.typed(name, ValueType::String, "a string")
    }

    pub(crate) fn boolean(&self, name: &str) -> Result<Option<bool>, SyncError> {
        self.typed(name, ValueType::Boolean, "a boolean")
    }

    fn number(&self, name: &str) -> Result<Option<Option<f64>>, SyncError> {
        match self.get(name)? {
            None => Ok(None),
            Some((v, ValueType::Number)) => {
                let n = f64::from_unknown(v).map_err(napi_failure)?;
                Ok(Some((n.is_finite() && n >= 0.0).then_some(n)))
            }
            Some(_) => Ok(Some(None)),
        }
    }

    /// A duration in seconds: a finite, non-negative number.
    pub(crate) fn seconds(&self, name: &str) -> Result<Option<Duration>, SyncError> {
        let bad = || config(format!("{name} must be a non-negative number of seconds"));
        match self.number(name)? {
            None => Ok(None),
            Some(Some(n)) => Duration::try_from_secs_f64(n).map(Some).map_err(|_| bad()),
            Some(None) => Err(bad()),
        }
    }

    /// A whole, non-negative number (the core checks its range).
    pub(crate) fn count(&self, name: &str, range: &str) -> Result<Option<u32>, SyncError> {
        match self.number(name)? {
            None => Ok(None),
            Some(Some(n)) if n.fract() == 0.0 && n <= f64::from(u32::MAX) => Ok(Some(n as u32)),
            Some(_) => Err(config(format!("{name} must be a whole number ({range})"))),
        }
    }

    /// An object whose every own value is a string, as (name, value) pairs in key order.
    pub(crate) fn string_map(
        &self,
        name: &str,
    ) -> Result<Option<Vec<(String, String)>>, SyncError> {
        let Some((v, t)) = self.get(name)? else {
            return Ok(None);
        };
        if t != ValueType::Object {
            return Err(type_error(format!(
                "finauth: option `{name}` must be an object of strings"
            )));
        }
        let map = Object::from_unknown(v).map_err(napi_failure)?;
        let mut out = Vec::new();
        for key in Object::keys(&map).map_err(napi_failure)? {
            let value = match map.get::<Unknown>(&key).map_err(napi_failure)? {
                Some(v) if v.get_type().map_err(napi_failure)? == ValueType::String => v,
                _ => {
                    return Err(type_error(format!(
                        "finauth: {name}.{key} must be a string"
                    )))
                }
            };
            out.push((key, String::from_unknown(value).map_err(napi_failure)?));
        }
        Ok(Some(out))
    }

    /// `store`: a `MemoryStore`, `FileStore` or `RedisStore` object, or a `FINAUTH_STORE`-style
    /// string (`memory`, `file:/path`, `redis://...`).
    pub(crate) fn store(&self) -> Result<Option<Arc<dyn finauth::Store>>, SyncError> {
        let Some((v, t)) = self.get("store")? else {
            return Ok(None);
        };
        let wrong = || {
            type_error(
                "finauth: option `store` must be a MemoryStore, a FileStore, a RedisStore or a \
                 string such as \"file:/path\"",
            )
        };
        match t {
            ValueType::String => {
                let spec = String::from_unknown(v).map_err(napi_failure)?;
                finauth::store::store_from_spec(&spec)
                    .map(Some)
                    .map_err(crate::error::throw)
            }
            ValueType::Object => {
                // `ClassInstance`, not `&T`: napi-rs lends `&T` only while converting a
                // callback's own arguments, and this is a property of one.
                type Stores<'v> = Either3<
                    ClassInstance<'v, MemoryStore>,
                    ClassInstance<'v, FileStore>,
                    ClassInstance<'v, RedisStore>,
                >;
                match Stores::from_unknown(v) {
                    Ok(Either3::A(s)) => Ok(Some(Arc::clone(&s.inner))),
                    Ok(Either3::B(s)) => Ok(Some(Arc::clone(&s.inner))),
                    Ok(Either3::C(s)) => Ok(Some(Arc::clone(&s.inner))),
                    Err(_) => Err(wrong()),
                }
            }
            _ => Err(wrong()),
        }
    }
}
