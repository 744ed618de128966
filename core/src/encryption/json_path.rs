//! The JSON paths of Mastercard's encryption configuration: `$`, definite paths (`$.a.b`,
//! `$['a'].b`, `$.list[0]`) and at most one `[*]` wildcard, with the operations the
//! encryption semantics need (read, write, remove, make the parent object).
//!
//! Written here, small, rather than taken from a JSONPath crate: the crates evaluate queries
//! against existing nodes, while an output path names a node that does not exist yet and must
//! be created under its parent, which needs the path's segments. Anything beyond this subset
//! (filters, slices, recursive descent) is a `Config` error, as Mastercard's libraries refuse
//! indefinite paths too.

use crate::{Error, Result};
use serde_json::{Map, Value};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
    Wildcard,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsonPath {
    text: String,
    segments: Vec<Segment>,
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn bad(path: &str, why: &str) -> Error {
    Error::config(format!(
        "JSON path `{}`: {why} (supported: `$`, `.name`, `['name']`, `[index]` and one `[*]`)",
        path.chars().take(200).collect::<String>()
    ))
}

impl JsonPath {
    pub(crate) fn parse(text: &str) -> Result<Self> {
        let trimmed = text.trim();
        // `encryptedData` and `data.card` (no `$`), as Mastercard's libraries accept them, are
        // relative to the root.
        let rooted = match trimmed.chars().next() {
            Some('$') => trimmed.to_owned(),
            Some('[') => format!("${trimmed}"),
            Some(_) => format!("$.{trimmed}"),
            None => return Err(bad(text, "it is empty")),
        };
        let chars: Vec<char> = rooted.chars().collect();
        let mut segments = Vec::new();
        let mut i = 1;
        let name_end = |mut j: usize| {
            while j < chars.len() && !matches!(chars[j], '.' | '[' | ']') {
                j += 1;
            }
            j
        };
        while i < chars.len() {
            match chars[i] {
                '.' => {
                    let end = name_end(i + 1);
                    let name: String = chars[i + 1..end].iter().collect();
                    if name.is_empty() || name == "*" || name.starts_with('.') {
                        return Err(bad(text, "an empty or wildcard name after `.`"));
                    }
                    segments.push(Segment::Key(name));
                    i = end;
                }
                '[' => {
                    let close = chars[i..]
                        .iter()
                        .position(|&c| c == ']')
                        .map(|p| i + p)
                        .ok_or_else(|| bad(text, "an unclosed `[`"))?;
                    let inner: String = chars[i + 1..close].iter().collect();
                    let inner = inner.trim();
                    let quoted = inner.len() >= 2
                        && ((inner.starts_with('\'') && inner.ends_with('\''))
                            || (inner.starts_with('"') && inner.ends_with('"')));
                    if inner == "*" {
                        segments.push(Segment::Wildcard);
                    } else if quoted {
                        let name = &inner[1..inner.len() - 1];
                        if name.contains(['\'', '"', '\\']) {
                            return Err(bad(text, "quotes or backslashes inside a quoted name"));
                        }
                        segments.push(Segment::Key(name.to_owned()));
                    } else if let Ok(n) = inner.parse::<usize>() {
                        segments.push(Segment::Index(n));
                    } else {
                        return Err(bad(text, "not a definite path"));
                    }
                    i = close + 1;
                    // `$.list[*]name` (no dot) is accepted by Mastercard's libraries: a name.
                    if i < chars.len() && !matches!(chars[i], '.' | '[') {
                        let end = name_end(i);
                        if end == i {
                            return Err(bad(text, "an unexpected `]`"));
                        }
                        segments.push(Segment::Key(chars[i..end].iter().collect()));
                        i = end;
                    }
                }
                _ => return Err(bad(text, "an unexpected character")),
            }
        }
        if segments.iter().filter(|s| **s == Segment::Wildcard).count() > 1 {
            return Err(bad(text, "more than one `[*]`"));
        }
        Ok(JsonPath {
            text: rooted,
            segments,
        })
    }

    /// True when the last segment is a member name (not an array element, not `$`).
    pub(crate) fn ends_with_name(&self) -> bool {
        matches!(self.segments.last(), Some(Segment::Key(_)))
    }

    pub(crate) fn is_root(&self) -> bool {
        self.segments.is_empty()
    }

    pub(crate) fn has_wildcard(&self) -> bool {
        self.segments.contains(&Segment::Wildcard)
    }

    /// The path up to (not including) its wildcard.
    pub(crate) fn before_wildcard(&self) -> Option<JsonPath> {
        let at = self.segments.iter().position(|s| *s == Segment::Wildcard)?;
        Some(JsonPath {
            text: self.text.clone(),
            segments: self.segments[..at].to_vec(),
        })
    }

    /// The wildcard replaced by `index`.
    pub(crate) fn at_index(&self, index: usize) -> JsonPath {
        JsonPath {
            text: self.text.replacen("[*]", &format!("[{index}]"), 1),
            segments: self
                .segments
                .iter()
                .map(|s| match s {
                    Segment::Wildcard => Segment::Index(index),
                    other => other.clone(),
                })
                .collect(),
        }
    }

    /// The path without its last segment; `None` for `$`.
    pub(crate) fn parent(&self) -> Option<JsonPath> {
        let (rest, _) = self.split_last()?;
        Some(JsonPath {
            text: self.text.clone(),
            segments: rest.to_vec(),
        })
    }

    /// True when `other` is this path or lies under it.
    pub(crate) fn contains(&self, other: &JsonPath) -> bool {
        other.segments.starts_with(&self.segments)
    }

    /// `(parent, last segment)`; `None` for `$`.
    fn split_last(&self) -> Option<(&[Segment], &Segment)> {
        self.segments.split_last().map(|(last, rest)| (rest, last))
    }

    fn walk<'a>(segments: &[Segment], mut v: &'a Value) -> Option<&'a Value> {
        for s in segments {
            v = match (s, v) {
                (Segment::Key(k), Value::Object(m)) => m.get(k)?,
                (Segment::Index(i), Value::Array(a)) => a.get(*i)?,
                _ => return None,
            };
        }
        Some(v)
    }

    fn walk_mut<'a>(segments: &[Segment], mut v: &'a mut Value) -> Option<&'a mut Value> {
        for s in segments {
            v = match (s, v) {
                (Segment::Key(k), Value::Object(m)) => m.get_mut(k)?,
                (Segment::Index(i), Value::Array(a)) => a.get_mut(*i)?,
                _ => return None,
            };
        }
        Some(v)
    }

    /// The node at this path; `None` if absent (or the path has a wildcard).
    pub(crate) fn get<'a>(&self, doc: &'a Value) -> Option<&'a Value> {
        Self::walk(&self.segments, doc)
    }

    pub(crate) fn get_mut<'a>(&self, doc: &'a mut Value) -> Option<&'a mut Value> {
        Self::walk_mut(&self.segments, doc)
    }

    /// Removes the node (a member of its object, or an element of its array).
    pub(crate) fn remove(&self, doc: &mut Value) -> Option<Value> {
        let (parent, last) = self.split_last()?;
        match (Self::walk_mut(parent, doc)?, last) {
            (Value::Object(m), Segment::Key(k)) => m.remove(k),
            (Value::Array(a), Segment::Index(i)) if *i < a.len() => Some(a.remove(*i)),
            _ => None,
        }
    }

    /// The object at this path, made empty if absent, with any missing parent objects (a
    /// superset of Mastercard's Java library, which needs the parent to exist). A path through
    /// a non-object, or to an array element that does not exist, is refused.
    pub(crate) fn object_mut<'a>(&self, doc: &'a mut Value) -> Result<&'a mut Map<String, Value>> {
        let mut v = doc;
        for s in &self.segments {
            v = match (s, v) {
                (Segment::Key(k), Value::Object(m)) => m
                    .entry(k.clone())
                    .or_insert_with(|| Value::Object(Map::new())),
                (Segment::Index(i), Value::Array(a)) => a.get_mut(*i).ok_or_else(|| {
                    Error::encryption(format!(
                        "`{}` names an array element that is not there",
                        self.text
                    ))
                })?,
                _ => {
                    return Err(Error::encryption(format!(
                        "`{}` goes through a part of the payload that is not an object",
                        self.text
                    )))
                }
            };
        }
        v.as_object_mut().ok_or_else(|| {
            Error::encryption(format!("a JSON object is expected at `{}`", self.text))
        })
    }

    /// Replaces the node at this path by `value` (made under an existing parent if absent).
    pub(crate) fn set(&self, doc: &mut Value, value: Value) -> Result<()> {
        let Some((parent, last)) = self.split_last() else {
            *doc = value;
            return Ok(());
        };
        match (Self::walk_mut(parent, doc), last) {
            (Some(Value::Object(m)), Segment::Key(k)) => {
                m.insert(k.clone(), value);
                Ok(())
            }
            (Some(Value::Array(a)), Segment::Index(i)) if *i < a.len() => {
                a[*i] = value;
                Ok(())
            }
            _ => Err(Error::encryption(format!(
                "the parent of the JSON path `{}` is not in the payload",
                self.text
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(s: &str) -> JsonPath {
        JsonPath::parse(s).unwrap()
    }

    #[test]
    fn the_supported_forms_parse_to_segments() {
        use Segment::*;
        assert!(p("$").is_root());
        assert_eq!(p("$.a.b").segments, vec![Key("a".into()), Key("b".into())]);
        assert_eq!(
            p("$['a'][\"b c\"]").segments,
            vec![Key("a".into()), Key("b c".into())]
        );
        assert_eq!(
            p("$.list[2].x").segments,
            vec![Key("list".into()), Index(2), Key("x".into())]
        );
        assert_eq!(
            p("$.fields[*]field1").segments,
            vec![Key("fields".into()), Wildcard, Key("field1".into())]
        );
        for bad in [
            "",
            "$..a",
            "$.a[?(@.x)]",
            "$.a[1:2]",
            "$.*",
            "$.a[*].b[*]",
            "$.a[",
            "$['a]",
            "$.a]",
        ] {
            assert!(
                matches!(JsonPath::parse(bad), Err(Error::Config(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn read_write_remove_and_make_objects() {
        let mut doc = json!({"a": {"b": 1}, "list": [{"x": 1}, {"x": 2}]});
        assert_eq!(p("$.a.b").get(&doc), Some(&json!(1)));
        assert_eq!(p("$.list[1].x").get(&doc), Some(&json!(2)));
        assert_eq!(p("$.nope").get(&doc), None);
        p("$.a.c")
            .object_mut(&mut doc)
            .unwrap()
            .insert("k".into(), json!("v"));
        assert_eq!(doc["a"]["c"], json!({"k": "v"}));
        p("$.missing.child").object_mut(&mut doc).unwrap();
        assert_eq!(doc["missing"], json!({"child": {}}));
        assert_eq!(p("data.card").to_string(), "$.data.card");
        assert_eq!(p("['a']").to_string(), "$['a']");
        assert!(p("$.a.b").object_mut(&mut doc).is_err(), "not an object");
        assert_eq!(p("$.a.b").remove(&mut doc), Some(json!(1)));
        p("$.list[0]").set(&mut doc, json!("replaced")).unwrap();
        assert_eq!(doc["list"][0], json!("replaced"));
        let w = p("$.list[*].x");
        assert_eq!(
            w.before_wildcard()
                .unwrap()
                .get(&doc)
                .and_then(Value::as_array)
                .map(Vec::len),
            Some(2)
        );
        assert_eq!(w.at_index(1).get(&doc), Some(&json!(2)));
        assert_eq!(w.at_index(1).to_string(), "$.list[1].x");
    }
}
