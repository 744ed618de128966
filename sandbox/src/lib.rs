//! # finauth-sandbox
//!
//! A local, Finicity-compatible HTTP server for tests, examples, the quickstart and CI.
//!
//! It reproduces the behaviour of the Finicity (Mastercard Open Finance US) partner
//! authentication API that matters to a client SDK: Create Access Token
//! (`POST /aggregation/v2/partners/authentication`, JSON and legacy XML), Modify Partner
//! Secret (`PUT` on the same path), token checks on every other `/aggregation/` path, the
//! documented error codes in each of the error body shapes Finicity is known to send, the
//! empty `429` for an unknown App Key, and the lockout after five wrong secrets in a row.
//! An admin API (`/__admin/...`, and the same operations as methods on [`Sandbox`]) lets a
//! test inject faults and ask what the server received.
//!
//! It also publishes an OpenAPI 3.0.3 document of what it serves at [`OPENAPI_PATH`]
//! ([`OPENAPI_JSON`]), for clients generated with OpenAPI Generator, and answers the few resources
//! it describes (Get Customers, Get Customer, Get Customer Accounts, Add Testing Customer, Generate
//! Connect URL, Get Partner Configuration) with small, fixed sample data of the documented shapes.
//!
//! It is **not** a production server, a mock of the aggregation data endpoints (any other
//! protected resource, and any other method on those, just answers `{"ok":true,...}`), nor a
//! security boundary: it listens on loopback over plain HTTP, keeps everything in memory and its
//! tokens are not cryptographically strong. It never logs a secret or a token.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use finauth_sandbox::{Sandbox, SandboxConfig};
//! let sandbox = Sandbox::start(SandboxConfig::default()).await?;
//! println!("Finicity sandbox at {}", sandbox.url());
//! // ... point the client at sandbox.url() ...
//! assert_eq!(sandbox.partner_stats("finauth-demo-partner").auth_requests, 0);
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```

mod admin;
pub mod args;
mod encrypted;
mod errors;
mod http;
mod oauth1;
mod oauth2;
mod resources;
mod script;
mod state;
mod tls;
mod token_log;
mod wire;

pub use encrypted::{EncryptionSpec, ENCRYPTED_PATH};
pub use oauth1::{OAuth1Key, OAuth1Stats, OAUTH1_PATH};
pub use oauth2::{
    OAuth2Client, OAuth2Settings, OAuth2Stats, OAUTH2_ISSUER_PATH, OAUTH2_RESOURCE_PATH,
    OAUTH2_TOKEN_PATH,
};
pub use resources::{OPENAPI_JSON, OPENAPI_PATH};
pub use script::{ReceivedRequest, ScriptReport, ScriptedAnswer};
pub use wire::WireFault;

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::state::Shared;

/// Path of the Create Access Token (`POST`) and Modify Partner Secret (`PUT`) endpoint.
pub const AUTH_PATH: &str = "/aggregation/v2/partners/authentication";

/// How long [`Sandbox::shutdown`] waits for open connections before aborting the server task.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Everything the sandbox can be started with. See the field docs for the defaults.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// Known partners. Default: `vec![Partner::demo()]`.
    pub partners: Vec<Partner>,
    /// Tokens older than this are expired (code 10023). Default: 2 hours.
    pub token_lifetime: Duration,
    /// Added before answering the authentication endpoints (`POST` and `PUT`). Default: 0.
    pub latency: Duration,
    /// Wrong secrets in a row that lock a partner (0 disables the lockout). Default: 5.
    pub lockout_threshold: u32,
    /// HTTP status sent with code 24302. Default: 401 (the spec; the error-code page says 500).
    pub locked_status: u16,
    /// Shape of error bodies. Default: [`ErrorStyle::JsonNumber`].
    pub error_style: ErrorStyle,
    /// Address to bind. Default: `127.0.0.1:0` (an ephemeral port).
    pub bind: SocketAddr,
    /// Consumer keys and public keys the OAuth 1.0a verifier (`/oauth1/*`) accepts. Default: none.
    pub oauth1_keys: Vec<OAuth1Key>,
    /// How far `oauth_timestamp` may be from the sandbox's clock, either way. Default: 5 minutes.
    pub oauth1_tolerance: Duration,
    /// OAuth 2.0 clients the token endpoint knows. Default: `vec![OAuth2Client::demo()]`.
    pub oauth2_clients: Vec<OAuth2Client>,
    /// Serve HTTPS with a self-signed certificate generated at start (for `127.0.0.1` and
    /// `localhost`; see [`Sandbox::tls_certificate_pem`]). Default: false (plain HTTP).
    pub tls: bool,
    /// With `tls`, where `run_until_signal` writes the certificate's PEM. Default: none.
    pub tls_cert_out: Option<std::path::PathBuf>,
    /// With `tls`, offer TLS 1.2 only (not 1.3). Default: false.
    pub tls12_only: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            partners: vec![Partner::demo()],
            token_lifetime: Duration::from_secs(2 * 60 * 60),
            latency: Duration::ZERO,
            lockout_threshold: 5,
            locked_status: 401,
            error_style: ErrorStyle::JsonNumber,
            bind: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            oauth1_keys: Vec::new(),
            oauth1_tolerance: Duration::from_secs(300),
            oauth2_clients: vec![OAuth2Client::demo()],
            tls: false,
            tls_cert_out: None,
            tls12_only: false,
        }
    }
}

/// A partner known to the sandbox: its Partner ID, current secret and App Key.
///
/// `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct Partner {
    pub partner_id: String,
    pub secret: String,
    pub app_key: String,
}

impl Partner {
    /// Partner ID of [`Partner::demo`].
    pub const DEMO_PARTNER_ID: &'static str = "finauth-demo-partner";
    /// Secret of [`Partner::demo`].
    pub const DEMO_SECRET: &'static str = "DemoSecret2026";
    /// App Key of [`Partner::demo`].
    pub const DEMO_APP_KEY: &'static str = "demo-app-key";

    pub fn new(
        partner_id: impl Into<String>,
        secret: impl Into<String>,
        app_key: impl Into<String>,
    ) -> Self {
        Partner {
            partner_id: partner_id.into(),
            secret: secret.into(),
            app_key: app_key.into(),
        }
    }

    /// The demo partner: id `finauth-demo-partner`, secret `DemoSecret2026`, App Key `demo-app-key`.
    pub fn demo() -> Self {
        Partner::new(Self::DEMO_PARTNER_ID, Self::DEMO_SECRET, Self::DEMO_APP_KEY)
    }
}

impl fmt::Debug for Partner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Partner")
            .field("partner_id", &self.partner_id)
            .field("secret", &"<redacted>")
            .field("app_key", &self.app_key)
            .finish()
    }
}

/// Parses `ID:SECRET:APPKEY` (the `--partner` argument). The ID is everything before the
/// first `:`, the App Key everything after the last one, the secret what lies between.
impl FromStr for Partner {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || "expected ID:SECRET:APPKEY".to_string();
        let (id, rest) = s.split_once(':').ok_or_else(bad)?;
        let (secret, app_key) = rest.rsplit_once(':').ok_or_else(bad)?;
        if id.is_empty() || secret.is_empty() || app_key.is_empty() {
            return Err(bad());
        }
        Ok(Partner::new(id, secret, app_key))
    }
}

/// Shape of error bodies (serde and `FromStr` names are snake_case: `json_number`, ...).
///
/// Requests made in legacy XML always get XML errors, whatever the style. The `429` for an
/// unknown App Key is empty in every style.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorStyle {
    /// `{"code":10001,"message":"Invalid credentials"}`
    #[default]
    JsonNumber,
    /// `{"code":"10001","message":"Invalid credentials"}`
    JsonString,
    /// `{"Errors":{"Error":[{"Source":..,"ReasonCode":"10001","Description":..,"Recoverable":false,"Details":""}]}}`
    ErrorsUpper,
    /// `{"errors":{"error":[{"source":..,"reasonCode":"10001","description":..,"recoverable":false,"details":""}]}}`
    ErrorsLower,
    /// `text/plain`, the message only: `Invalid credentials`
    Text,
    /// `application/xml`: `<error><code>10001</code><message>Invalid credentials</message></error>`
    Xml,
}

impl ErrorStyle {
    /// Every style, in declaration order.
    pub const ALL: [ErrorStyle; 6] = [
        ErrorStyle::JsonNumber,
        ErrorStyle::JsonString,
        ErrorStyle::ErrorsUpper,
        ErrorStyle::ErrorsLower,
        ErrorStyle::Text,
        ErrorStyle::Xml,
    ];

    /// The snake_case name (`json_number`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ErrorStyle::JsonNumber => "json_number",
            ErrorStyle::JsonString => "json_string",
            ErrorStyle::ErrorsUpper => "errors_upper",
            ErrorStyle::ErrorsLower => "errors_lower",
            ErrorStyle::Text => "text",
            ErrorStyle::Xml => "xml",
        }
    }
}

impl fmt::Display for ErrorStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Accepts the snake_case names, also written with `-`, in any case.
impl FromStr for ErrorStyle {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        ErrorStyle::ALL
            .into_iter()
            .find(|style| style.name() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = ErrorStyle::ALL.iter().map(|s| s.name()).collect();
                format!(
                    "unknown error style {s:?} (expected one of {})",
                    names.join(", ")
                )
            })
    }
}

/// A fault injected into the answers of the Create Access Token endpoint (`POST`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status, `Content-Type` (none if `None`) and body.
    Status {
        status: u16,
        content_type: Option<String>,
        body: String,
    },
    /// Sleep this long, then answer normally.
    Delay(Duration),
    /// A `200` whose `Content-Length` promises more than is sent, then the connection breaks.
    TruncatedBody,
    /// Code 24302 "Bad credentials" with HTTP 500; the partner is not actually locked.
    Locked,
    /// `429 Too Many Requests`, no body, with `Retry-After: <seconds>` (real throttling).
    Throttled { retry_after_secs: u64 },
}

/// What the sandbox received. Same data as `GET /__admin/stats`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Stats {
    /// Per Partner ID named in a request (known or not) and per configured partner.
    pub partners: BTreeMap<String, PartnerStats>,
    /// Per `"METHOD /path"` (query string dropped, paths kept as sent; admin calls not counted).
    pub endpoints: BTreeMap<String, u64>,
    /// `User-Agent` of the authentication requests (`POST`/`PUT`), by value (`-` when absent).
    #[serde(default)]
    pub auth_user_agents: BTreeMap<String, u64>,
    /// OAuth 1.0a verifier outcomes per consumer key named in a request (known or not).
    #[serde(default)]
    pub oauth1: BTreeMap<String, OAuth1Stats>,
    /// OAuth 2.0 server counters per client id named in a request (known or not).
    #[serde(default)]
    pub oauth2: BTreeMap<String, OAuth2Stats>,
}

impl Stats {
    /// Count for one endpoint key such as `"POST /aggregation/v2/partners/authentication"`.
    pub fn endpoint(&self, key: &str) -> u64 {
        self.endpoints.get(key).copied().unwrap_or(0)
    }
}

/// Per-partner counters and lockout state.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct PartnerStats {
    /// Every `POST` to the authentication endpoint naming this partner (incl. faulted ones).
    pub auth_requests: u64,
    /// Tokens issued.
    pub auth_success: u64,
    /// Wrong-secret (10001) answers, to `POST` and `PUT`.
    pub auth_failures: u64,
    /// 24302 answers to `POST` and `PUT` (incl. the [`Fault::Locked`] ones).
    pub auth_locked: u64,
    /// `POST`s answered by an injected fault ([`Fault::Delay`] ones too, which also count
    /// their normal outcome).
    pub auth_faulted: u64,
    /// Every `PUT` (Modify Partner Secret) naming this partner.
    pub modify_requests: u64,
    /// `204` answers to `PUT`.
    pub modify_success: u64,
    /// `POST`s or `PUT`s that carried a secret this partner had before a successful modify.
    pub retired_secret_attempts: u64,
    /// Requests to protected resources whose token (or, failing that, App Key) is this partner's.
    pub resource_requests: u64,
    pub resource_ok: u64,
    pub resource_rejected: u64,
    /// Whether the partner is locked now (state, not a counter: `reset_stats` keeps it).
    pub locked: bool,
    /// Wrong secrets in a row now (state, not a counter: `reset_stats` keeps it).
    pub wrong_in_a_row: u32,
}

/// Checks a secret against Finicity's policy: 12–255 characters from
/// `A-Z a-z 0-9 ! @ # $ % & * _ - +`, at least one letter and one digit.
pub fn secret_meets_policy(secret: &str) -> bool {
    const SPECIALS: &str = "!@#$%&*_-+";
    (12..=255).contains(&secret.chars().count())
        && secret
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c))
        && secret.chars().any(|c| c.is_ascii_alphabetic())
        && secret.chars().any(|c| c.is_ascii_digit())
}

/// A running sandbox. Dropping it aborts the server task; [`Sandbox::shutdown`] stops it
/// gracefully.
pub struct Sandbox {
    shared: Arc<Shared>,
    addr: SocketAddr,
    cert_pem: Option<String>,
    shutdown_tx: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox").field("addr", &self.addr).finish()
    }
}

impl Sandbox {
    /// Binds `config.bind` and serves in a spawned tokio task.
    pub async fn start(config: SandboxConfig) -> io::Result<Sandbox> {
        let listener = tokio::net::TcpListener::bind(config.bind).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(&config));
        let router = http::router(shared.clone());
        let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
        // A dropped sender also means "stop".
        let stop = async move {
            let _ = shutdown_rx.await;
        };
        let (task, cert_pem) = if config.tls {
            let generated = tls::generate(config.tls12_only)?;
            *shared
                .oauth2
                .scheme
                .lock()
                .unwrap_or_else(|e| e.into_inner()) = "https";
            let listener = tls::TlsListener::new(listener, generated.config)?;
            let task = tokio::spawn(async move {
                let served = axum::serve(listener, router)
                    .with_graceful_shutdown(stop)
                    .await;
                if let Err(err) = served {
                    tracing::warn!(error = %err, "finauth-sandbox server stopped with an error");
                }
            });
            (task, Some(generated.cert_pem))
        } else {
            // Plain HTTP can play scripted wire faults: each request sees its connection.
            let listener = wire::WireListener(listener);
            let service = router.into_make_service_with_connect_info::<wire::Wire>();
            let task = tokio::spawn(async move {
                let served = axum::serve(listener, service)
                    .with_graceful_shutdown(stop)
                    .await;
                if let Err(err) = served {
                    tracing::warn!(error = %err, "finauth-sandbox server stopped with an error");
                }
            });
            (task, None)
        };
        tracing::debug!(%addr, "finauth-sandbox listening");
        Ok(Sandbox {
            shared,
            addr,
            cert_pem,
            shutdown_tx: Some(shutdown_tx),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`, no trailing slash. An unspecified bind address
    /// (`0.0.0.0`, `::`) is reported as loopback.
    pub fn url(&self) -> String {
        let mut addr = self.addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(if addr.is_ipv4() {
                Ipv4Addr::LOCALHOST.into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            });
        }
        let scheme = if self.cert_pem.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{addr}")
    }

    /// With `tls`: the PEM of the generated certificate, for clients to trust.
    pub fn tls_certificate_pem(&self) -> Option<&str> {
        self.cert_pem.as_deref()
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A snapshot of the counters, same data as `GET /__admin/stats`.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    /// The OAuth 1.0a verifier's counters for one consumer key (zero if never named).
    pub fn oauth1_stats(&self, consumer_key: &str) -> OAuth1Stats {
        self.shared
            .oauth1
            .stats()
            .remove(consumer_key)
            .unwrap_or_default()
    }

    /// Configures the encrypted API (`/encrypted/...`): its key, the client's certificate and
    /// its options.
    pub fn configure_encryption(&self, spec: EncryptionSpec) -> Result<(), String> {
        self.shared.encrypted.configure(spec)
    }

    /// The encrypted API's URL, `…/encrypted`.
    pub fn encrypted_url(&self) -> String {
        format!("{}{ENCRYPTED_PATH}", self.url())
    }

    /// Adds (or replaces) a consumer key's public key for the OAuth 1.0a verifier.
    pub fn add_oauth1_key(&self, key: OAuth1Key) {
        self.shared.oauth1.add_key(key);
    }

    /// How far `oauth_timestamp` may be from the sandbox's clock, either way.
    pub fn set_oauth1_tolerance(&self, d: Duration) {
        self.shared.oauth1.set_tolerance(d);
    }

    /// `…/oauth2/token` on this sandbox.
    pub fn oauth2_token_url(&self) -> String {
        format!("{}{OAUTH2_TOKEN_PATH}", self.url())
    }

    /// The OAuth 2.0 issuer identifier, `…/oauth2` (its metadata says where the token endpoint is).
    pub fn oauth2_issuer(&self) -> String {
        format!("{}{OAUTH2_ISSUER_PATH}", self.url())
    }

    /// `…/oauth2/resource` on this sandbox (any path below it is protected too).
    pub fn oauth2_resource_url(&self) -> String {
        format!("{}{OAUTH2_RESOURCE_PATH}", self.url())
    }

    /// The OAuth 2.0 server's counters for one client id (zero if never named).
    pub fn oauth2_stats(&self, client_id: &str) -> OAuth2Stats {
        self.shared
            .oauth2
            .stats()
            .remove(client_id)
            .unwrap_or_default()
    }

    /// Registers (or replaces) an OAuth 2.0 client.
    pub fn add_oauth2_client(&self, c: OAuth2Client) {
        self.shared.oauth2.add_client(c);
    }

    pub fn oauth2_settings(&self) -> OAuth2Settings {
        self.shared.oauth2.settings()
    }

    /// `expires_in` of new tokens, DPoP nonce requirement, Bearer-only mode.
    pub fn set_oauth2_settings(&self, s: OAuth2Settings) {
        self.shared.oauth2.set_settings(s);
    }

    /// New DPoP nonces: the next proof with an old one gets a `use_dpop_nonce` challenge.
    pub fn rotate_oauth2_nonces(&self) {
        self.shared.oauth2.rotate_nonces();
    }

    /// Every OAuth 2.0 token issued so far to the client is expired.
    pub fn expire_oauth2_tokens(&self, client_id: &str) {
        self.shared.oauth2.expire_tokens(client_id);
    }

    /// One partner's counters; a zeroed default if the sandbox never heard of it.
    pub fn partner_stats(&self, partner_id: &str) -> PartnerStats {
        self.shared.lock().partner_stats(partner_id)
    }

    pub fn set_latency(&self, d: Duration) {
        self.shared.lock().settings.latency = d;
    }

    /// Applies to tokens already issued too: their age is compared to the lifetime in force.
    pub fn set_token_lifetime(&self, d: Duration) {
        self.shared.lock().settings.token_lifetime = d;
    }

    pub fn set_error_style(&self, s: ErrorStyle) {
        self.shared.lock().settings.error_style = s;
    }

    /// HTTP status sent with 24302. Not a valid status (outside 100–999) is sent as 500.
    pub fn set_locked_status(&self, status: u16) {
        self.shared.lock().settings.locked_status = status;
    }

    /// Wrong secrets in a row that lock a partner (0 disables the lockout).
    pub fn set_lockout_threshold(&self, threshold: u32) {
        self.shared.lock().settings.lockout_threshold = threshold;
    }

    /// The next `times` `POST`s to the authentication endpoint get this fault (FIFO, one per
    /// request, after any fault queued earlier).
    pub fn push_fault(&self, fault: Fault, times: u32) {
        self.shared.lock().push_fault(fault, times);
    }

    /// Drops every queued fault.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// The next requests whose path (with query) starts with `path_prefix` get these answers, one
    /// each, in order; afterwards the sandbox answers as usual. Replaces any earlier script and
    /// forgets what it received.
    pub fn script(&self, path_prefix: &str, answers: Vec<ScriptedAnswer>) {
        self.shared.script.set(script::ScriptRequest {
            path_prefix: path_prefix.to_owned(),
            answers,
        });
    }

    /// The answers left and the requests the script met (headers included, tokens too: this is a
    /// test server).
    pub fn script_report(&self) -> ScriptReport {
        self.shared.script.report()
    }

    /// Adds a partner, or replaces the secret and App Key of a known one (its counters,
    /// lockout state and tokens are kept).
    pub fn add_partner(&self, p: Partner) {
        self.shared.lock().add_partner(p);
    }

    /// What Finicity support does: clears the lock and the wrong-secret count.
    pub fn unlock(&self, partner_id: &str) {
        self.shared.lock().unlock(partner_id);
    }

    /// Makes every token issued so far to the partner expired (10023).
    pub fn expire_tokens(&self, partner_id: &str) {
        self.shared.lock().expire_tokens(partner_id);
    }

    /// Zeroes every counter (endpoint and partner). Lockout state is kept.
    pub fn reset_stats(&self) {
        self.shared.reset_stats();
    }

    /// Stops accepting connections and waits (up to 5 s) for open ones to finish, then
    /// aborts whatever is left.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown_tx.take() {
            let _ = tx.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
    }
}

impl Drop for Sandbox {
    /// Stops accepting at once; open connections finish their request in flight and close.
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown_tx.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Resolves on SIGINT (Ctrl-C) or, on Unix, SIGTERM.
///
/// The handlers are installed when this is called, not when the future is first polled:
/// call it before announcing the URL, or a supervisor that signals as soon as it reads the
/// URL kills the process with the default action instead of shutting it down.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let term = signal(SignalKind::terminate()).ok();
        let int = signal(SignalKind::interrupt()).ok();
        async move {
            let wait = |s: Option<tokio::signal::unix::Signal>| async move {
                match s {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    // No handler could be installed: never resolve through this branch.
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = wait(term) => {}
                _ = wait(int) => {}
            }
        }
    }
    #[cfg(not(unix))]
    async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// What the `finauth-sandbox` binary (and `finauth sandbox`) does: starts the sandbox,
/// prints exactly one line, its URL, to stdout, flushes, and serves until SIGINT/SIGTERM.
pub async fn run_until_signal(config: SandboxConfig) -> io::Result<()> {
    let cert_out = config.tls_cert_out.clone();
    let signal = shutdown_signal();
    let sandbox = Sandbox::start(config).await?;
    if let (Some(path), Some(pem)) = (cert_out, sandbox.tls_certificate_pem()) {
        std::fs::write(path, pem)?;
    }
    {
        let mut out = io::stdout().lock();
        writeln!(out, "{}", sandbox.url())?;
        out.flush()?;
    }
    signal.await;
    sandbox.shutdown().await;
    Ok(())
}
