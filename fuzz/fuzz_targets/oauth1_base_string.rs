//! Differential: the OAuth 1.0a signature base string (RFC 5849 §3.4.1) of core
//! (`finauth::oauth1::base_string`) against the straightforward re-implementation below, which
//! follows the steps of Mastercard's Java reference signer (`OAuth.getSignatureBaseString`:
//! `getBaseUriString`, `extractQueryParams`, `getOAuthParamString`, `toUriRfc3986` as
//! `URLEncoder.encode` plus three replacements) one by one, without core's shortcuts.
//!
//! Input: line 1 the method, line 2 the URI, the rest the body (hashed into `oauth_body_hash`).
//!
//! Where the two may differ for a legitimate reason, the comparison is narrowed, not dropped:
//! * `java.net.URI` refuses characters outside RFC 2396 (space, `"`, `<`, `{`, ...); the Java
//!   signer then throws. Core signs such a URI as given (it never sees one from a well-formed
//!   request). Neither side here validates them, so both sign them alike.
//! * Escapes that decode to invalid UTF-8: Java's replacement rules (one U+FFFD per maximal
//!   invalid subpart, one per encoded surrogate) are pinned in core by the reference corpus
//!   (`core/tests/oauth1-reference/`), not re-derived here. Such queries or authorities are
//!   compared only for the method and the parts that do not depend on the decoding.
//! * Which authorities `java.net.URI` parses as server-based (and so which `:80`/`:443` it
//!   drops) is a grammar of its own; this side knows plain host names, IPv4 and bracketed
//!   literals of hex digits, `:` and `.`. For other authorities the base URI is compared with
//!   the port part ignored.
//! * Core refuses a method that is not an HTTP token; Java upper-cases anything. Only token
//!   methods are compared.
#![no_main]

use base64::Engine;
use finauth::oauth1::base_string;
use libfuzzer_sys::fuzz_target;
use sha2::Digest;
use std::collections::BTreeMap;

const NONCE: &str = "aB3dE6gH9jK2mN5p";
const TIMESTAMP: &str = "1764100000";
const CONSUMER_KEY: &str = "Xyz-consumer_KEY!0123456789abcdefABCDEF";

fuzz_target!(|data: &[u8]| {
    let (head, body) = finauth_fuzz::lines(data, 2);
    let (method, uri) = (head[0].as_str(), head[1].as_str());

    // The body hash: base64 of SHA-256, computed here with another implementation.
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(body));
    assert_eq!(finauth::oauth1::body_hash(body), hash);
    let oauth = [
        ("oauth_body_hash", hash.as_str()),
        ("oauth_consumer_key", CONSUMER_KEY),
        ("oauth_nonce", NONCE),
        ("oauth_signature_method", "RSA-SHA256"),
        ("oauth_timestamp", TIMESTAMP),
        ("oauth_version", "1.0"),
    ];

    let core = base_string::signature_base_string(method, uri, &oauth);
    let token = !method.is_empty()
        && method
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c));
    let Some(parts) = Uri::split(uri) else {
        assert!(
            core.is_err(),
            "core signed a URI this side cannot split: {uri:?}"
        );
        return;
    };
    if !token {
        assert!(
            core.is_err(),
            "core signed a method that is not a token: {method:?}"
        );
        return;
    }
    let core = core.unwrap_or_else(|e| panic!("core refused {method:?} {uri:?}: {e}"));
    // Core's parts, each checked against this side below; the whole is their join.
    let c_base_plain = base_string::base_uri(uri).expect("base_uri of an accepted URI");
    let c_query = base_string::query_params(uri).expect("query_params of an accepted URI");
    let c_params = base_string::param_string(c_query, &oauth);
    assert_eq!(
        core,
        format!(
            "{}&{}&{}",
            method.to_ascii_uppercase(),
            rfc3986(&c_base_plain),
            rfc3986(&c_params)
        )
    );

    // Base URI.
    let (base, exact) = parts.base_uri();
    if let Some(base) = base {
        if exact {
            assert_eq!(c_base_plain, base, "base URI of {uri:?}");
        } else {
            assert_eq!(
                strip_port(&c_base_plain),
                strip_port(&base),
                "base URI of {uri:?} (port aside)"
            );
        }
    }

    // Parameter string.
    if let Some(query) = extract_query_params(parts.query) {
        let expected = oauth_param_string(query, &oauth);
        assert_eq!(c_params, expected, "parameters of {uri:?}");
    }
});

/// `scheme://authority path ?query #fragment`, split as `java.net.URI` splits a hierarchical
/// URI with an authority; `None` where core must refuse it.
struct Uri<'a> {
    scheme: &'a str,
    authority: &'a str,
    path: &'a str,
    query: Option<&'a str>,
}

impl<'a> Uri<'a> {
    fn split(uri: &'a str) -> Option<Self> {
        let (scheme, rest) = uri.split_once(':')?;
        let mut cs = scheme.chars();
        if !cs.next()?.is_ascii_alphabetic()
            || !cs.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return None;
        }
        let rest = rest.strip_prefix("//")?;
        let rest = match rest.find('#') {
            Some(i) => &rest[..i],
            None => rest,
        };
        let end = rest.find(|c| c == '/' || c == '?').unwrap_or(rest.len());
        let (authority, rest) = rest.split_at(end);
        if authority.is_empty() {
            return None;
        }
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        // Every `%` must start an escape of two hex digits (java.net.URI refuses the URI otherwise).
        for part in [authority, path, query.unwrap_or("")] {
            let b = part.as_bytes();
            for (i, _) in part.match_indices('%') {
                if !(b.len() > i + 2
                    && b[i + 1].is_ascii_hexdigit()
                    && b[i + 2].is_ascii_hexdigit())
                {
                    return None;
                }
            }
        }
        Some(Uri {
            scheme,
            authority,
            path,
            query,
        })
    }

    /// `getBaseUriString`; `None` where the decoded authority is not valid UTF-8, and `exact`
    /// false where the authority is of a kind this side does not classify (see the top).
    fn base_uri(&self) -> (Option<String>, bool) {
        let scheme = self.scheme.to_lowercase();
        let Some(decoded) = decode_authority(self.authority) else {
            return (None, false);
        };
        let mut authority = decoded.to_lowercase();
        let (port, known) = server_port(self.authority);
        if (scheme == "http" && port == Some(80)) || (scheme == "https" && port == Some(443)) {
            if let Some(i) = authority.rfind(':') {
                authority.truncate(i);
            }
        }
        let path = if self.path.is_empty() { "/" } else { self.path };
        (Some(format!("{scheme}://{authority}{path}")), known)
    }
}

fn strip_port(base: &str) -> String {
    // scheme://authority/path: drop a trailing `:digits` of the authority.
    let after = base.find("://").map_or(0, |i| i + 3);
    let end = base[after..].find('/').map_or(base.len(), |i| after + i);
    let auth = &base[after..end];
    let auth = match auth.rfind(':') {
        Some(i)
            if auth[i + 1..].bytes().all(|b| b.is_ascii_digit()) && !auth[i..].contains(']') =>
        {
            &auth[..i]
        }
        _ => auth,
    };
    format!("{}{}{}", &base[..after], auth, &base[end..])
}

/// Percent-decoding to bytes; `None` when they are not UTF-8.
fn decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let h = u8::from_str_radix(&s[i + 1..i + 3], 16).ok()?;
            out.push(h);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `getAuthority()` decodes everything but what stands inside `[...]`.
fn decode_authority(a: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = a;
    while let Some(open) = rest.find('[') {
        out.push_str(&decode(&rest[..open])?);
        let close = rest[open..].find(']').map_or(rest.len(), |c| open + c + 1);
        out.push_str(&rest[open..close]);
        rest = &rest[close..];
    }
    out.push_str(&decode(rest)?);
    Some(out)
}

/// The port `java.net.URI.getPort()` reports, for the authorities this side classifies, and
/// whether it classified this one.
fn server_port(a: &str) -> (Option<i64>, bool) {
    let hostport = match a.rfind('@') {
        Some(i) => &a[i + 1..],
        None => a,
    };
    // A user-info part with characters outside its grammar: leave it to the reference corpus.
    if a.contains('@')
        && !a[..a.rfind('@').unwrap_or(0)]
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-_.!~*'();:&=+$,%".contains(&c))
    {
        return (None, false);
    }
    let (host, port) = if hostport.starts_with('[') {
        match hostport.find(']') {
            Some(i) => (&hostport[..=i], hostport[i + 1..].strip_prefix(':')),
            None => return (None, false),
        }
    } else {
        match hostport.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    let known = if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        !inner.is_empty()
            && inner
                .bytes()
                .all(|c| c.is_ascii_hexdigit() || c == b':' || c == b'.')
    } else {
        is_host_name(host) || is_dotted_quad(host)
    };
    if !known {
        // Core calls these registry-based only when they are no host name; other shapes
        // (bracketed zone ids, ...) are the reference corpus's.
        return (None, !host.starts_with('[') && !host.contains('%'));
    }
    match port {
        Some(p) if !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()) => {
            (p.parse::<i32>().ok().map(i64::from), true)
        }
        Some(p) if p.is_empty() => (None, true),
        Some(_) => (None, false),
        None => (None, true),
    }
}

fn is_dotted_quad(h: &str) -> bool {
    let parts: Vec<&str> = h.split('.').collect();
    parts.len() == 4
        && parts.iter().all(|p| {
            (1..=3).contains(&p.len())
                && p.bytes().all(|c| c.is_ascii_digit())
                && p.parse::<u32>().is_ok_and(|v| v < 256)
        })
}

/// RFC 2396 hostname: `domainlabel.`* `toplabel` `.`?, a top label starting with a letter.
fn is_host_name(h: &str) -> bool {
    let h = h.strip_suffix('.').unwrap_or(h);
    let labels: Vec<&str> = h.split('.').collect();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    !h.is_empty()
        && labels.iter().all(|l| label_ok(l))
        && (labels.len() == 1
            || labels
                .last()
                .is_some_and(|l| l.as_bytes()[0].is_ascii_alphabetic()))
}

/// `extractQueryParams`: keys and values as Java collects them; `None` where the decoded
/// query is not UTF-8 (see the top). Keys of the map are Java strings, compared by UTF-16.
fn extract_query_params(raw: Option<&str>) -> Option<Vec<(String, Vec<String>)>> {
    let mut pairs_map: Vec<(String, Vec<String>)> = Vec::new();
    let Some(raw) = raw.filter(|q| !q.is_empty()) else {
        return Some(pairs_map);
    };
    let decoded = decode(raw)?;
    if decoded.is_empty() {
        return Some(pairs_map);
    }
    let must_encode = decoded != raw;
    let enc = |s: &str| {
        if must_encode {
            rfc3986(s)
        } else {
            s.to_owned()
        }
    };
    // String.split("&"): trailing empty strings removed.
    let mut pairs: Vec<&str> = decoded.split('&').collect();
    while pairs.last().is_some_and(|p| p.is_empty()) {
        pairs.pop();
    }
    for pair in pairs {
        let idx = pair.find('=');
        let mut key = match idx {
            Some(i) if i > 0 => pair[..i].to_owned(),
            _ => pair.to_owned(),
        };
        if !pairs_map.iter().any(|(k, _)| *k == key) {
            key = enc(&key);
            // Map.put replaces an existing list.
            pairs_map.retain(|(k, _)| *k != key);
            pairs_map.push((key.clone(), Vec::new()));
        }
        let value = match idx {
            Some(i) if i > 0 && pair.len() > i + 1 => &pair[i + 1..],
            _ => "",
        };
        let value = enc(value);
        if let Some((_, list)) = pairs_map.iter_mut().find(|(k, _)| *k == key) {
            list.push(value);
        }
    }
    Some(pairs_map)
}

/// `getOAuthParamString`: query and OAuth parameters in one sorted map (UTF-16 order), the
/// values of each key sorted, `k=v` joined by `&`.
fn oauth_param_string(query: Vec<(String, Vec<String>)>, oauth: &[(&str, &str)]) -> String {
    let mut all: BTreeMap<Vec<u16>, (String, Vec<Vec<u16>>)> = BTreeMap::new();
    for (k, vs) in query {
        let e = all
            .entry(k.encode_utf16().collect())
            .or_insert_with(|| (k.clone(), Vec::new()));
        e.1.extend(vs.iter().map(|v| v.encode_utf16().collect()));
    }
    for (k, v) in oauth {
        let e = all
            .entry(k.encode_utf16().collect())
            .or_insert_with(|| ((*k).to_owned(), Vec::new()));
        e.1.push(v.encode_utf16().collect());
    }
    let mut out = Vec::new();
    for (_, (k, mut vs)) in all {
        vs.sort();
        for v in vs {
            out.push(format!("{k}={}", String::from_utf16_lossy(&v)));
        }
    }
    out.join("&")
}

/// `toUriRfc3986`: `URLEncoder.encode(s, UTF-8)` (keeps `A-Za-z0-9.-*_`, space as `+`, the rest
/// `%XX` upper case), then `+` → `%20`, `*` → `%2A`, `%7E` → `~`.
fn rfc3986(s: &str) -> String {
    let mut url_encoded = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                url_encoded.push(b as char)
            }
            b' ' => url_encoded.push('+'),
            _ => url_encoded.push_str(&format!("%{b:02X}")),
        }
    }
    url_encoded
        .replace('+', "%20")
        .replace('*', "%2A")
        .replace("%7E", "~")
}
