//! The HTTP client: reqwest on rustls, TLS 1.2 or newer, HTTPS only unless a loopback address is
//! explicitly allowed, no redirects (a redirect must never carry a secret elsewhere), time-outs,
//! proxies from the environment, and a `User-Agent` naming finauth.

use crate::error::{Error, Result};
use crate::lifecycle::FetchError;
use crate::store::AttemptOutcome;
use reqwest::Url;
use std::net::IpAddr;
use std::time::Duration;

pub(crate) const USER_AGENT: &str = concat!("finauth/", env!("CARGO_PKG_VERSION"));

/// Check a base URL against the transport policy; the error names `field`.
pub(crate) fn validate_url(field: &str, raw: &str, allow_insecure_loopback: bool) -> Result<Url> {
    let url = Url::parse(raw.trim())
        .map_err(|e| Error::config(format!("{field}: not a valid URL ({e})")))?;
    if url.username() != "" || url.password().is_some() {
        return Err(Error::config(format!(
            "{field}: credentials in the URL are not allowed"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(format!(
            "{field}: must not have a query or fragment"
        )));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) && allow_insecure_loopback => Ok(url),
        "http" if is_loopback(&url) => Err(Error::config(format!(
            "{field}: plain http on loopback needs allow_insecure_loopback (FINAUTH_ALLOW_INSECURE_LOOPBACK=1)"
        ))),
        "http" => Err(Error::config(format!(
            "{field}: must use https (plain http is allowed only for a loopback address, opted in)"
        ))),
        other => Err(Error::config(format!(
            "{field}: unsupported scheme `{other}` (use https)"
        ))),
    }
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// A client for one base URL.
pub(crate) fn client(base: &Url, timeout: Duration) -> Result<reqwest::Client> {
    let b = builder(base, timeout);
    if base.scheme() == "http" {
        // Plain HTTP (an opted-in loopback) verifies no certificate, so it must not need a CA
        // store: slim and distroless images have none, and the platform verifier refuses to
        // start without one.
        return b
            .tls_certs_only(std::iter::empty())
            .build()
            .map_err(|e| Error::Transport(format!("cannot build the HTTP client: {e}")));
    }
    match b.build() {
        Ok(client) => Ok(client),
        Err(first) => bundled_roots_client(builder(base, timeout), &first),
    }
}

fn builder(base: &Url, timeout: Duration) -> reqwest::ClientBuilder {
    let mut b = reqwest::Client::builder()
        .user_agent(USER_AGENT)
        // Below the request's own time-out, so a connection that never comes up fails as a
        // connect error (nothing sent) rather than as a request the server may have judged,
        // which the lockout guard must count (`fetch_failure`).
        .connect_timeout((timeout - timeout / 10).min(Duration::from_secs(10)))
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .tls_version_min(reqwest::tls::Version::TLS_1_2)
        .https_only(base.scheme() == "https")
        .pool_idle_timeout(Duration::from_secs(60));
    if is_loopback(base) {
        // A proxy must not see, nor break, calls to a local sandbox.
        b = b.no_proxy();
    }
    b
}

/// The platform verifier fails to start when the system has no CA certificates (no
/// `/etc/ssl/certs`, as in slim and distroless images). Fall back to Mozilla's root set, compiled
/// in, and say so once: a private CA is then reached through `SSL_CERT_FILE`.
fn bundled_roots_client(
    b: reqwest::ClientBuilder,
    first: &reqwest::Error,
) -> Result<reqwest::Client> {
    let roots = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .filter_map(|der| reqwest::Certificate::from_der(der).ok());
    match b.tls_certs_only(roots).build() {
        Ok(client) => {
            static WARNED: std::sync::Once = std::sync::Once::new();
            WARNED.call_once(|| {
                tracing::warn!(
                    "no usable CA store on this system ({}); using the bundled Mozilla root \
                     certificates (set SSL_CERT_FILE to a PEM bundle to use your own)",
                    root_cause(first)
                );
            });
            Ok(client)
        }
        Err(_) => Err(Error::Transport(format!(
            "cannot build the HTTP client: {} (if this system has no CA store, install one, \
             e.g. the ca-certificates package, or set SSL_CERT_FILE to a PEM bundle)",
            root_cause(first)
        ))),
    }
}

/// Map a reqwest failure to a typed error (reqwest's messages hold no secrets: URLs only).
pub(crate) fn map_err(e: reqwest::Error, timeout: Duration, what: &str) -> Error {
    if e.is_timeout() {
        Error::Timeout {
            after: timeout,
            what: what.to_owned(),
        }
    } else if e.is_connect() {
        Error::Transport(format!("{what}: cannot connect: {}", root_cause(&e)))
    } else if e.is_body() || e.is_decode() {
        Error::Transport(format!(
            "{what}: the response body was cut short or unreadable: {}",
            root_cause(&e)
        ))
    } else {
        Error::Transport(format!("{what}: {}", root_cause(&e)))
    }
}

/// A credential request that got no answer, as the lockout guard must see it: whether it may have
/// reached the server, where it could have been judged and counted.
#[derive(Debug)]
pub(crate) enum SendError {
    /// No verdict on the credential: nothing was sent (the request could not be built, or no
    /// connection came up: DNS, connect, TLS handshake), or what came back was itself the fault.
    NoVerdict(Error),
    /// Sent, or possibly sent, and no whole answer came back (a time-out or a connection lost
    /// after connecting, a body cut short).
    Unanswered(Error),
}

impl SendError {
    /// How the guard settles the attempt.
    pub(crate) fn outcome(&self) -> AttemptOutcome {
        match self {
            SendError::NoVerdict(_) => AttemptOutcome::Neutral,
            SendError::Unanswered(_) => AttemptOutcome::Unanswered,
        }
    }

    pub(crate) fn into_error(self) -> Error {
        match self {
            SendError::NoVerdict(e) | SendError::Unanswered(e) => e,
        }
    }

    /// `send()` failed: once connected, the request may have reached the server.
    pub(crate) fn sending(e: reqwest::Error, timeout: Duration, what: &str) -> Self {
        let connected = !(e.is_connect() || e.is_builder());
        let error = map_err(e, timeout, what);
        if connected {
            SendError::Unanswered(error)
        } else {
            SendError::NoVerdict(error)
        }
    }

    /// Reading the answer failed after its status arrived: the request was sent and judged,
    /// unless what came back was itself the fault (too large a body), an answer with no verdict.
    pub(crate) fn reading(e: Error) -> Self {
        match e {
            Error::Server { .. } => SendError::NoVerdict(e),
            e => SendError::Unanswered(e),
        }
    }
}

impl From<Error> for SendError {
    fn from(e: Error) -> Self {
        SendError::NoVerdict(e)
    }
}

impl From<SendError> for FetchError {
    fn from(e: SendError) -> Self {
        match e {
            SendError::NoVerdict(e) => FetchError::Other(e),
            SendError::Unanswered(e) => FetchError::Unanswered(e),
        }
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut msg = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        msg = format!("{msg}: {s}");
        src = s.source();
    }
    msg
}
