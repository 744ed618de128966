//! The OAuth 1.0a signature base string, exactly as Mastercard's Java reference signer
//! (`com.mastercard.developer:oauth1-signer`, class `com.mastercard.developer.oauth.OAuth`, 1.6.0)
//! builds it. Every rule below was pinned by running the Java library on the corpus in
//! `core/tests/oauth1-reference/` (see `scripts/oauth1-reference.sh`); the expected values in
//! `expected.json` come from the jar, not from this text.
//!
//! # The scheme
//! `METHOD&pct(base_uri)&pct(param_string)`, `pct` = RFC 3986 percent-encoding of the UTF-8 bytes
//! (unreserved `A-Za-z0-9-._~`, upper-case hex).
//!
//! * base URI: scheme and (decoded) authority lower-cased, path kept exactly as given (escapes not
//!   re-encoded or re-cased), `/` for an empty path, query and fragment dropped.
//! * parameters: the query (decoded, split on `&`) plus the `oauth_*` parameters; keys sorted,
//!   then the values of a repeated key sorted, both as Java's `String.compareTo` sorts (UTF-16 code
//!   units, not bytes); joined `k=v&k=v`.
//!
//! # Quirks of the reference, reproduced on purpose
//! 1. **Encode all or nothing.** The query is decoded first. If the decoded query differs from the
//!    raw one (the raw query holds any `%XX` escape), *every* key and value
//!    is percent-encoded; otherwise all are used exactly as written — `a=b:c` signs `b:c`, not
//!    `b%3Ac`, and raw non-ASCII is signed unencoded (then encoded once by the base string).
//! 2. **`+` is a plus**, never a space (`a=1+2` signs `1+2`; with an escape elsewhere, `1%2B2`).
//! 3. **An encoded `&` splits the pair**: the split happens after decoding, so `a=b%26c=d` is the
//!    two pairs `a=b` and `c=d`. An encoded `=` likewise moves the key/value boundary:
//!    `a%3Db=c` is key `a`, value `b=c` (encoded `b%3Dc`).
//! 4. **Trailing empty pairs vanish** (Java's `String.split` drops trailing empty strings):
//!    `a=1&`, `a=1&&` sign only `a=1`; an empty pair elsewhere (`a=1&&b=2`, `&a=1`) becomes the
//!    key `""` with the value `""` (a leading `=` in the parameter string).
//! 5. **`=` at the start of a pair** does not split it: `=x` is the key `=x` (encoded `%3Dx` when
//!    encoding) with an empty value. Only the first `=` splits: `a=b=c` is `a` → `b=c`.
//! 6. **A key without `=`** (`flag`) and a key with an empty value (`flag=`) both give `flag=`.
//! 7. **Repeated keys that change when encoded keep only their last value**: the reference looks
//!    the *decoded* key up in a map keyed by *encoded* keys, misses, and replaces the list. So
//!    `a%20b=1&a%20b=2` signs only `a%20b=2`, while `a=1&a=2` (encoding-invariant key) keeps both.
//!    Conversely a decoded key that equals another key's encoded form joins that key's list
//!    (`%C3%A9=1&%25C3%25A9=2` → key `%C3%A9` with values `1`, `2`, the second unencoded).
//! 8. **Query keys named like OAuth parameters** (`oauth_nonce=x`) are merged with them: both
//!    values appear, sorted.
//! 9. **Raw non-ASCII** in the query does not count as "encoded": `k=€` alone signs `k=€` (the
//!    base string then encodes it once), `q=%E2%82%AC&k=€` signs `k=%E2%82%AC` (quirk 1).
//! 10. **Invalid UTF-8 in escapes** decodes to U+FFFD, as Java's decoder does (one per maximal
//!     invalid subpart within a run of consecutive escapes, except that an encoded surrogate
//!     `%ED%A0%80` is one U+FFFD), re-encoded as `%EF%BF%BD`.
//! 11. **Default ports** are dropped only when the authority parses as a server authority (a
//!     valid host name, IPv4 or `[IPv6]` literal): `https://my_host:443/` keeps `:443` (the
//!     underscore makes it a registry name for `java.net.URI`). The port is compared as a number,
//!     so `:0443` is dropped too. `http://h:443` and `https://h:80` keep their port; an empty
//!     port (`h:`) is kept.
//! 12. **The authority is decoded** before lower-casing (then re-encoded by the base string), and
//!     any user info stays in it, lower-cased (`HTTP://User:PW@Host:80/P` → `http://user:pw@host/P`);
//!     escapes inside `[...]` (an IPv6 zone) are not decoded. The path is neither decoded nor
//!     re-cased.
//! 13. Identical pairs are all kept (`a=1&a=1` signs both), values sorted as UTF-16 too (`😀` before
//!     `～`, unlike byte order); the method is upper-cased; the parameter string never ends with `&`.

use crate::{Error, Result};
use std::cmp::Ordering;
use std::collections::HashMap;

/// RFC 3986 percent-encoding of the UTF-8 bytes (unreserved `A-Za-z0-9-._~`, upper-case hex).
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(char::from(b"0123456789ABCDEF"[(b >> 4) as usize]));
            out.push(char::from(b"0123456789ABCDEF"[(b & 15) as usize]));
        }
    }
    out
}

/// Java's `String.compareTo`: UTF-16 code units.
pub(crate) fn java_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// The parts of an absolute hierarchical URI the signature needs.
struct UriParts<'a> {
    scheme: &'a str,
    authority: &'a str,
    path: &'a str,
    query: Option<&'a str>,
}

fn split_uri(uri: &str) -> Result<UriParts<'_>> {
    let bad = |why: &str| Error::Config(format!("uri: {why}"));
    let colon = uri
        .find(':')
        .ok_or_else(|| bad("not an absolute URI (no scheme)"))?;
    let scheme = &uri[..colon];
    let mut chars = scheme.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        || !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    {
        return Err(bad("not an absolute URI (invalid scheme)"));
    }
    let rest = uri[colon + 1..]
        .strip_prefix("//")
        .ok_or_else(|| bad("has no authority (expected scheme://host/...)"))?;
    let rest = rest.split('#').next().unwrap_or("");
    let auth_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..auth_end];
    if authority.is_empty() {
        return Err(bad("has an empty host"));
    }
    let rest = &rest[auth_end..];
    let (path, query) = match rest.find('?') {
        Some(q) => (&rest[..q], Some(&rest[q + 1..])),
        None => (rest, None),
    };
    for part in [authority, path, query.unwrap_or("")] {
        check_escapes(part).map_err(|()| bad("holds a `%` that does not start a `%XX` escape"))?;
    }
    Ok(UriParts {
        scheme,
        authority,
        path,
        query,
    })
}

fn check_escapes(s: &str) -> std::result::Result<(), ()> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if i + 2 >= b.len() || !(b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit()) {
                return Err(());
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    Ok(())
}

fn hex(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

/// `java.net.URI`'s decoding: runs of consecutive `%XX` escapes are decoded as UTF-8 (invalid
/// sequences become U+FFFD, see [`java_utf8_lossy`]). For the authority (`brackets`), escapes
/// between `[` and `]` are left as they are (IPv6 zone ids); the query decodes them.
fn java_decode(s: &str, brackets: bool) -> String {
    if !s.contains('%') {
        return s.to_owned();
    }
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut in_brackets = false;
    let mut i = 0;
    let mut plain_start = 0;
    while i < b.len() {
        match b[i] {
            b'[' => in_brackets = true,
            b']' if in_brackets => in_brackets = false,
            _ => {}
        }
        if b[i] != b'%' || (brackets && in_brackets) {
            i += 1;
            continue;
        }
        out.push_str(&s[plain_start..i]);
        let mut bytes = Vec::new();
        while i + 2 < b.len() && b[i] == b'%' {
            bytes.push(hex(b[i + 1]) << 4 | hex(b[i + 2]));
            i += 3;
        }
        java_utf8_lossy(&bytes, &mut out);
        plain_start = i;
    }
    out.push_str(&s[plain_start..]);
    out
}

/// UTF-8 decoding with U+FFFD for invalid input, as Java's decoder does it: like Rust's
/// (maximal invalid subparts), except that an encoded surrogate (`ED A0..BF`, with its third
/// byte when that is a continuation byte) is one U+FFFD, not two or three.
fn java_utf8_lossy(mut bytes: &[u8], out: &mut String) {
    loop {
        match std::str::from_utf8(bytes) {
            Ok(valid) => {
                out.push_str(valid);
                return;
            }
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                out.push('\u{FFFD}');
                let skip = if rest.len() >= 2 && rest[0] == 0xED && (0xA0..=0xBF).contains(&rest[1])
                {
                    if rest.len() >= 3 && rest[2] & 0xC0 == 0x80 {
                        3
                    } else {
                        2
                    }
                } else {
                    e.error_len().unwrap_or(rest.len())
                };
                bytes = &rest[skip..];
            }
        }
    }
}

/// The port of a server-based authority as `java.net.URI` parses it, or `None` (no port, or a
/// registry-based authority such as one with `_` in its host).
fn server_port(authority: &str) -> Option<i64> {
    let b = authority.as_bytes();
    let userinfo_char =
        |c: u8| c.is_ascii_alphanumeric() || b"-_.!~*'()%;:&=+$,".contains(&c) || c >= 0x80;
    let mut p = 0;
    let q = b.iter().position(|&c| !userinfo_char(c)).unwrap_or(b.len());
    if q < b.len() && b[q] == b'@' {
        p = q + 1;
    }
    let host_end = if b.get(p) == Some(&b'[') {
        p + authority[p..].find(']')? + 1
    } else {
        let end = authority[p..].find(':').map_or(b.len(), |e| p + e);
        let host = &authority[p..end];
        if !(is_ipv4(host) || is_hostname(host)) {
            return None;
        }
        end
    };
    if host_end == b.len() {
        return None;
    }
    if b[host_end] != b':' {
        return None;
    }
    let port = &authority[host_end + 1..];
    if port.is_empty() || !port.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    port.parse::<i32>().ok().map(i64::from)
}

fn is_ipv4(host: &str) -> bool {
    let parts: Vec<&str> = host.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.len() <= 3
                && p.bytes().all(|c| c.is_ascii_digit())
                && p.parse::<u16>().is_ok_and(|v| v <= 255)
        })
}

/// `java.net.URI`'s host name rule: labels of letters, digits and inner `-`, an optional
/// trailing dot, and (when there are several labels) a last label starting with a letter.
fn is_hostname(host: &str) -> bool {
    let trimmed = host.strip_suffix('.').unwrap_or(host);
    if trimmed.is_empty() {
        return false;
    }
    let labels: Vec<&str> = trimmed.split('.').collect();
    for l in &labels {
        let lb = l.as_bytes();
        if lb.is_empty()
            || !lb[0].is_ascii_alphanumeric()
            || lb[lb.len() - 1] == b'-'
            || !lb.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        {
            return false;
        }
    }
    labels.len() == 1 || labels[labels.len() - 1].as_bytes()[0].is_ascii_alphabetic()
}

/// The normalised base URI (scheme://authority/path).
pub fn base_uri(uri: &str) -> Result<String> {
    let parts = split_uri(uri)?;
    let scheme = parts.scheme.to_ascii_lowercase();
    let mut authority = java_decode(parts.authority, true).to_lowercase();
    let port = server_port(parts.authority);
    if (scheme == "http" && port == Some(80)) || (scheme == "https" && port == Some(443)) {
        if let Some(i) = authority.rfind(':') {
            authority.truncate(i);
        }
    }
    let path = if parts.path.is_empty() {
        "/"
    } else {
        parts.path
    };
    Ok(format!("{scheme}://{authority}{path}"))
}

/// The query parameters as the reference reads them (keys and values already encoded or not,
/// see quirks 1–7), in no particular order.
pub fn query_params(uri: &str) -> Result<HashMap<String, Vec<String>>> {
    let parts = split_uri(uri)?;
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    let raw = match parts.query {
        Some(q) if !q.is_empty() => q,
        _ => return Ok(map),
    };
    let decoded = java_decode(raw, false);
    if decoded.is_empty() {
        return Ok(map);
    }
    let encode = decoded != raw;
    let enc = |s: &str| {
        if encode {
            percent_encode(s)
        } else {
            s.to_owned()
        }
    };
    let mut pairs: Vec<&str> = decoded.split('&').collect();
    while pairs.last() == Some(&"") {
        pairs.pop();
    }
    for pair in pairs {
        let eq = pair.find('=').filter(|&i| i > 0);
        let mut key = match eq {
            Some(i) => pair[..i].to_owned(),
            None => pair.to_owned(),
        };
        if !map.contains_key(&key) {
            key = enc(&key);
            map.insert(key.clone(), Vec::new());
        }
        let value = match eq {
            Some(i) if pair.len() > i + 1 => &pair[i + 1..],
            _ => "",
        };
        let value = enc(value);
        if let Some(values) = map.get_mut(&key) {
            values.push(value);
        }
    }
    Ok(map)
}

/// The sorted `k=v&k=v` parameter string of query and OAuth parameters.
pub fn param_string(
    mut params: HashMap<String, Vec<String>>,
    oauth_params: &[(&str, &str)],
) -> String {
    for (k, v) in oauth_params {
        params
            .entry((*k).to_owned())
            .or_default()
            .push((*v).to_owned());
    }
    let mut keys: Vec<(String, Vec<String>)> = params.into_iter().collect();
    keys.sort_by(|a, b| java_cmp(&a.0, &b.0));
    let mut out = String::new();
    for (k, mut values) in keys {
        values.sort_by(|a, b| java_cmp(a, b));
        for v in values {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(&k);
            out.push('=');
            out.push_str(&v);
        }
    }
    out
}

/// The HTTP method, upper-cased; it must be an HTTP token.
pub(crate) fn normalise_method(method: &str) -> Result<String> {
    if method.is_empty()
        || !method
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c))
    {
        return Err(Error::Config(
            "method: not an HTTP method (expected a token such as GET or POST)".into(),
        ));
    }
    Ok(method.to_ascii_uppercase())
}

/// The signature base string for a request: `METHOD&pct(base_uri)&pct(param_string)`, with the
/// given `oauth_*` parameters (every one but `oauth_signature`) joined to the query's.
pub fn signature_base_string(
    method: &str,
    uri: &str,
    oauth_params: &[(&str, &str)],
) -> Result<String> {
    let method = normalise_method(method)?;
    let base = base_uri(uri)?;
    let params = param_string(query_params(uri)?, oauth_params);
    Ok(format!(
        "{method}&{}&{}",
        percent_encode(&base),
        percent_encode(&params)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_rfc3986() {
        assert_eq!(percent_encode("a b+*~é/"), "a%20b%2B%2A~%C3%A9%2F");
        assert_eq!(percent_encode(""), "");
    }

    #[test]
    fn decodes_like_java() {
        assert_eq!(java_decode("a%20b", false), "a b");
        assert_eq!(java_decode("%C3%A9x%FF", false), "éx\u{FFFD}");
        assert_eq!(java_decode("[%41]%41", false), "[A]A");
        assert_eq!(java_decode("[%41]%41", true), "[%41]A");
        assert_eq!(java_decode("%ED%A0%80%ED%A0A", false), "\u{FFFD}\u{FFFD}A");
    }

    #[test]
    fn ports() {
        assert_eq!(server_port("example.com:443"), Some(443));
        assert_eq!(server_port("u@example.com:0443"), Some(443));
        assert_eq!(server_port("my_host:443"), None);
        assert_eq!(server_port("[::1]:80"), Some(80));
        assert_eq!(server_port("1.2.3.4:80"), Some(80));
        assert_eq!(server_port("example.com:"), None);
    }

    #[test]
    fn rejects_bad_input() {
        assert!(matches!(base_uri("/relative"), Err(Error::Config(_))));
        assert!(matches!(base_uri("mailto:x@y"), Err(Error::Config(_))));
        assert!(matches!(base_uri("https://h/%4"), Err(Error::Config(_))));
        assert!(matches!(normalise_method("G T"), Err(Error::Config(_))));
    }

    #[test]
    fn sorts_as_utf16() {
        // UTF-8 bytes put U+FF5E (EF BD 9E) before U+1F600 (F0 9F 98 80); UTF-16 code units
        // put U+1F600 (D83D DE00) before U+FF5E, as Java does.
        assert_eq!(java_cmp("\u{1F600}", "\u{FF5E}"), Ordering::Less);
    }
}
