//! OAuth 2.0 client credentials against the sandbox's token endpoint and protected resource,
//! over real HTTP: every client authentication method, DPoP with nonces, the 401 retries, the
//! lockout guard, the default lifetime, scopes and the shared `FileStore` across processes.

mod common;

use common::temp_dir;
use finauth::clock::ManualClock;
use finauth::oauth2::jose;
use finauth::reqwest::Method;
use finauth::{
    AuthMethod, ClientCredentials, ClientCredentialsBuilder, Error, FileStore, SigningKey,
};
use finauth_sandbox::{OAuth2Client, OAuth2Settings, Sandbox, SandboxConfig};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

const ID: &str = OAuth2Client::DEMO_CLIENT_ID;
const SECRET: &str = OAuth2Client::DEMO_CLIENT_SECRET;
const APP_KEY: &str = OAuth2Client::DEMO_APP_KEY;
const CHILD: &str = "FINAUTH_TEST_OAUTH2_CHILD";

fn keys() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oauth1-keys")
}

fn rsa_key() -> SigningKey {
    SigningKey::from_file(keys().join("pkcs8.pem"), None, None).unwrap()
}

fn ec_key() -> SigningKey {
    SigningKey::from_file(keys().join("ec.pem"), None, None).unwrap()
}

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxConfig::default())
        .await
        .expect("sandbox starts")
}

fn builder(sb: &Sandbox) -> ClientCredentialsBuilder {
    ClientCredentials::builder()
        .token_url(sb.oauth2_token_url())
        .client_id(ID)
        .client_secret(SECRET)
        .allow_insecure_loopback(true)
        .timeout(Duration::from_secs(10))
}

/// A `private_key_jwt` client registered with `key`'s public JWK.
fn jwt_builder(sb: &Sandbox, id: &str, key: SigningKey) -> ClientCredentialsBuilder {
    sb.add_oauth2_client(OAuth2Client::with_jwk(id, jose::public_jwk(&key)));
    ClientCredentials::builder()
        .token_url(sb.oauth2_token_url())
        .client_id(id)
        .auth_method(AuthMethod::PrivateKeyJwt)
        .signing_key(key)
        .key_id("test-key-1")
        .allow_insecure_loopback(true)
        .timeout(Duration::from_secs(10))
}

async fn resource_ok(cc: &ClientCredentials, sb: &Sandbox) {
    let url = format!("{}/accounts?limit=1", sb.oauth2_resource_url());
    let resp = cc
        .send(cc.request(Method::GET, &url).unwrap())
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["ok"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn herd_of_1000_cold_callers_makes_one_token_request() {
    let sb = sandbox().await;
    let cc = builder(&sb).build().unwrap();
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let c = cc.clone();
            tokio::spawn(async move { c.token().await })
        })
        .collect();
    let mut first = None;
    for t in tasks {
        let tok = t.await.unwrap().unwrap();
        let f = first.get_or_insert_with(|| tok.clone());
        assert_eq!(*f, tok);
    }
    let s = sb.oauth2_stats(ID);
    assert_eq!((s.token_requests, s.tokens_issued), (1, 1));
    assert_eq!(cc.stats().auth_requests, 1);
}

#[tokio::test]
async fn every_client_authentication_method_gets_a_working_token() {
    let sb = sandbox().await;
    for method in [
        AuthMethod::ClientSecretBasic,
        AuthMethod::ClientSecretPost,
        AuthMethod::FinicityJson,
    ] {
        let cc = builder(&sb)
            .auth_method(method)
            .app_key(APP_KEY)
            .build()
            .unwrap();
        resource_ok(&cc, &sb).await;
        assert_eq!(
            sb.oauth2_stats(ID).by_method.get(method.as_str()),
            Some(&1),
            "{method}"
        );
    }
    for (id, key) in [("rsa-client", rsa_key()), ("ec-client", ec_key())] {
        let cc = jwt_builder(&sb, id, key).build().unwrap();
        resource_ok(&cc, &sb).await;
        let s = sb.oauth2_stats(id);
        assert_eq!(
            (
                s.by_method.get("private_key_jwt"),
                s.tokens_issued,
                s.resource_ok
            ),
            (Some(&1), 1, 1),
            "{id}"
        );
    }
}

#[tokio::test]
async fn secrets_with_reserved_characters_are_form_encoded_for_basic() {
    let sb = sandbox().await;
    let (id, secret) = ("client:with spaces", "s3cret:+/%&= é");
    sb.add_oauth2_client(OAuth2Client::with_secret(id, secret));
    let cc = builder(&sb)
        .client_id(id)
        .client_secret(secret)
        .build()
        .unwrap();
    cc.token().await.unwrap();
    assert_eq!(sb.oauth2_stats(id).tokens_issued, 1);
}

#[tokio::test]
async fn dpop_bound_tokens_work_with_rsa_and_ec_keys() {
    let sb = sandbox().await;
    for (id, key) in [("dpop-rsa", rsa_key()), ("dpop-ec", ec_key())] {
        let cc = jwt_builder(&sb, id, key).dpop(true).build().unwrap();
        assert_eq!(cc.token_type(), "DPoP");
        resource_ok(&cc, &sb).await;
        // A second call: a fresh proof (new jti), same token.
        resource_ok(&cc, &sb).await;
        let s = sb.oauth2_stats(id);
        assert_eq!(
            (s.tokens_issued, s.resource_ok, s.resource_rejected),
            (1, 2, 0),
            "{id}"
        );
        let h = cc.headers("GET", &sb.oauth2_resource_url()).await.unwrap();
        let pairs = h.pairs();
        assert!(pairs[0].1.starts_with("DPoP "));
        assert_eq!(pairs[1].0, "DPoP");
    }
}

#[tokio::test]
async fn dpop_with_a_client_secret_also_works() {
    let sb = sandbox().await;
    let cc = builder(&sb)
        .signing_key(ec_key())
        .dpop(true)
        .build()
        .unwrap();
    resource_ok(&cc, &sb).await;
}

#[tokio::test]
async fn a_nonce_challenge_at_the_token_endpoint_costs_exactly_one_retry() {
    let sb = sandbox().await;
    sb.set_oauth2_settings(OAuth2Settings {
        require_nonce: true,
        ..Default::default()
    });
    let cc = jwt_builder(&sb, "nonce-client", ec_key())
        .dpop(true)
        .build()
        .unwrap();
    cc.token().await.unwrap();
    let s = sb.oauth2_stats("nonce-client");
    assert_eq!(
        (s.token_requests, s.nonce_challenges, s.tokens_issued),
        (2, 1, 1)
    );
    // The resource asks for its own nonce once, then the client knows it.
    resource_ok(&cc, &sb).await;
    resource_ok(&cc, &sb).await;
    let s = sb.oauth2_stats("nonce-client");
    assert_eq!(
        (
            s.resource_nonce_challenges,
            s.resource_ok,
            s.resource_requests
        ),
        (1, 2, 3)
    );
}

#[tokio::test]
async fn a_resource_use_dpop_nonce_challenge_is_retried_once_with_the_new_nonce() {
    let sb = sandbox().await;
    sb.set_oauth2_settings(OAuth2Settings {
        require_nonce: true,
        ..Default::default()
    });
    let cc = jwt_builder(&sb, "rotating", rsa_key())
        .dpop(true)
        .build()
        .unwrap();
    resource_ok(&cc, &sb).await;
    sb.reset_stats();
    sb.rotate_oauth2_nonces();
    resource_ok(&cc, &sb).await;
    let s = sb.oauth2_stats("rotating");
    assert_eq!(
        (
            s.resource_requests,
            s.resource_nonce_challenges,
            s.resource_ok,
            s.token_requests
        ),
        (2, 1, 1, 0)
    );
}

#[tokio::test]
async fn a_resource_401_for_an_expired_token_invalidates_it_and_refreshes_once() {
    let sb = sandbox().await;
    let cc = builder(&sb).build().unwrap();
    resource_ok(&cc, &sb).await;
    let old = cc.token().await.unwrap();
    sb.expire_oauth2_tokens(ID);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (c, url) = (cc.clone(), sb.oauth2_resource_url());
            tokio::spawn(async move {
                c.send(c.request(Method::GET, &url).unwrap())
                    .await
                    .map(|r| r.status())
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap(), 200);
    }
    let s = sb.oauth2_stats(ID);
    assert_eq!(
        s.tokens_issued, 2,
        "20 rejected calls for one token cause one refresh"
    );
    assert_ne!(cc.token().await.unwrap(), old);
    assert_eq!(cc.stats().invalidations, 1);
}

#[tokio::test]
async fn a_wrong_secret_hammered_by_50_tasks_stays_under_the_guard() {
    let sb = sandbox().await;
    let cc = builder(&sb)
        .client_secret("wrong-secret")
        .max_failed_attempts(3)
        .build()
        .unwrap();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let c = cc.clone();
            tokio::spawn(async move { c.token().await })
        })
        .collect();
    for t in tasks {
        match t.await.unwrap() {
            Err(e @ Error::InvalidCredentials { .. }) => {
                let o = e.oauth_error().expect("the RFC error is kept");
                assert_eq!(o.error, "invalid_client");
                assert!(o
                    .correlation_id
                    .as_deref()
                    .is_some_and(|c| c.starts_with("sandbox-")));
                assert!(!e.to_string().contains("wrong-secret"));
            }
            other => panic!("expected InvalidCredentials, got {other:?}"),
        }
    }
    assert!(sb.oauth2_stats(ID).invalid_client <= 3);
    // The rejected secret is never resent: the guard answers.
    for _ in 0..5 {
        assert!(matches!(cc.token().await, Err(Error::LockoutGuard { .. })));
    }
    assert_eq!(sb.oauth2_stats(ID).invalid_client, 1);
}

#[tokio::test]
async fn new_wrong_secrets_stop_at_max_failed_attempts() {
    let sb = sandbox().await;
    let store: Arc<dyn finauth::Store> = Arc::new(finauth::MemoryStore::new());
    for i in 0..6 {
        let cc = builder(&sb)
            .client_secret(format!("wrong-{i}"))
            .max_failed_attempts(2)
            .store(store.clone())
            .build()
            .unwrap();
        let r = cc.token().await;
        if i < 2 {
            assert!(matches!(r, Err(Error::InvalidCredentials { .. })), "{r:?}");
        } else {
            assert!(matches!(r, Err(Error::LockoutGuard { .. })), "{r:?}");
        }
    }
    assert_eq!(sb.oauth2_stats(ID).invalid_client, 2);
}

/// The guard belongs to (token endpoint, client id). Scope sets and DPoP keys get their
/// own tokens, never their own allowance of wrong secrets.
#[tokio::test]
async fn scope_sets_and_dpop_keys_share_one_guard_per_client() {
    let sb = sandbox().await;
    let store: Arc<dyn finauth::Store> = Arc::new(finauth::MemoryStore::new());
    let shapes: [fn(ClientCredentialsBuilder) -> ClientCredentialsBuilder; 5] = [
        |b| b,
        |b| b.scope("read"),
        |b| b.scope("read write"),
        |b| b.signing_key(ec_key()).dpop(true),
        |b| b.signing_key(rsa_key()).dpop(true).scope("write"),
    ];
    let mut outcomes = Vec::new();
    for (i, shape) in shapes.iter().enumerate() {
        let cc = shape(builder(&sb))
            .client_secret(format!("wrong-{i}"))
            .max_failed_attempts(2)
            .store(store.clone())
            .build()
            .unwrap();
        outcomes.push(match cc.token().await {
            Err(Error::InvalidCredentials { .. }) => "invalid",
            Err(Error::LockoutGuard { .. }) => "guard",
            other => panic!("{other:?}"),
        });
    }
    assert_eq!(outcomes, ["invalid", "invalid", "guard", "guard", "guard"]);
    assert_eq!(sb.oauth2_stats(ID).invalid_client, 2);
    let status = builder(&sb)
        .scope("admin")
        .max_failed_attempts(2)
        .store(store.clone())
        .build()
        .unwrap()
        .guard_status()
        .await
        .unwrap();
    assert_eq!((status.failed_attempts, status.attempts_remaining), (2, 0));

    // One reset serves every scope set; then the right secret works in each and clears the count.
    let right = |scope: &str| {
        builder(&sb)
            .scope(scope)
            .max_failed_attempts(2)
            .store(store.clone())
            .build()
            .unwrap()
    };
    right("read").reset_lockout_guard().await.unwrap();
    right("read").token().await.unwrap();
    right("write").token().await.unwrap();
    assert_eq!(
        sb.oauth2_stats(ID).tokens_issued,
        2,
        "one token per scope set"
    );
}

#[tokio::test]
async fn a_bad_assertion_key_is_invalid_client() {
    let sb = sandbox().await;
    // Registered with the EC key, signs with the RSA key.
    sb.add_oauth2_client(OAuth2Client::with_jwk(
        "mismatch",
        jose::public_jwk(&ec_key()),
    ));
    let cc = ClientCredentials::builder()
        .token_url(sb.oauth2_token_url())
        .client_id("mismatch")
        .auth_method(AuthMethod::PrivateKeyJwt)
        .signing_key(rsa_key())
        .allow_insecure_loopback(true)
        .build()
        .unwrap();
    let e = cc.token().await.unwrap_err();
    assert!(matches!(e, Error::InvalidCredentials { .. }), "{e:?}");
    assert!(matches!(cc.token().await, Err(Error::LockoutGuard { .. })));
}

/// The guard's credential for `private_key_jwt` is the assertion setup: a wrong audience is
/// rejected once and never resent, the fixed audience is a new credential tried without a reset,
/// and the messages name what to change for a key, never a Finicity secret or command.
#[tokio::test]
async fn a_fixed_assertion_audience_works_without_a_guard_reset() {
    let sb = sandbox().await;
    let store: Arc<dyn finauth::Store> = Arc::new(finauth::MemoryStore::new());
    let with = |aud: Option<&str>| {
        let b = jwt_builder(&sb, "aud-client", rsa_key()).store(store.clone());
        match aud {
            Some(a) => b.audience(a),
            None => b,
        }
        .build()
        .unwrap()
    };
    let wrong = with(Some("https://elsewhere.example/token"));
    let e = wrong.token().await.unwrap_err();
    let Error::InvalidCredentials { hint, .. } = &e else {
        panic!("{e:?}")
    };
    assert!(
        hint.contains("the signing key, key_id or audience"),
        "{hint}"
    );
    let text = e.to_string();
    assert!(text.contains("finauth oauth2 guard reset"), "{text}");
    assert!(
        !text.contains("Finicity") && !text.contains("secret"),
        "{text}"
    );

    // The same setup again, from a new object: refused locally, nothing sent.
    let again = with(Some("https://elsewhere.example/token"))
        .token()
        .await
        .unwrap_err();
    assert!(
        matches!(&again, Error::LockoutGuard { reason, .. } if reason.as_str() == "secret_rejected"),
        "{again:?}"
    );
    assert!(again.to_string().contains("audience"), "{again}");
    assert_eq!(sb.oauth2_stats("aud-client").token_requests, 1);

    // The default audience is the token endpoint URL, which the server accepts.
    let fixed = with(None);
    fixed.token().await.unwrap();
    resource_ok(&fixed, &sb).await;
    assert_eq!(sb.oauth2_stats("aud-client").token_requests, 2);
    assert_eq!(fixed.guard_status().await.unwrap().failed_attempts, 0);
}

/// `issuer` instead of `token_url`: the endpoint comes from RFC 8414 metadata under an issuer
/// with a path, once per object, and the assertion's default `aud` is the issuer.
#[tokio::test]
async fn an_issuer_is_discovered_once_and_is_the_default_audience() {
    let sb = sandbox().await;
    sb.add_oauth2_client(OAuth2Client::with_jwk("disc", jose::public_jwk(&ec_key())));
    let dir = temp_dir("oauth2-discovery");
    let store: Arc<dyn finauth::Store> = Arc::new(FileStore::new(&dir).unwrap());
    let disc = || {
        ClientCredentials::builder()
            .issuer(sb.oauth2_issuer())
            .client_id("disc")
            .auth_method(AuthMethod::PrivateKeyJwt)
            .signing_key(ec_key())
            .dpop(true)
            .store(store.clone())
            .allow_insecure_loopback(true)
            .build()
            .unwrap()
    };
    let metadata_requests = || {
        sb.stats()
            .endpoint("GET /.well-known/oauth-authorization-server/oauth2")
    };
    let cc = disc();
    assert_eq!(
        cc.issuer().map(|u| u.as_str()),
        Some(sb.oauth2_issuer().as_str())
    );
    // 50 concurrent first calls: one metadata request (RFC 8414 §3.1 location, found first).
    let calls: Vec<_> = (0..50).map(|_| cc.discover()).collect();
    for url in futures_util::future::join_all(calls).await {
        assert_eq!(url.unwrap().as_str(), sb.oauth2_token_url());
    }
    cc.token().await.unwrap();
    resource_ok(&cc, &sb).await;
    assert_eq!(cc.token_url().as_str(), sb.oauth2_token_url());
    assert_eq!(metadata_requests(), 1);
    assert_eq!(
        sb.stats()
            .endpoint("GET /oauth2/.well-known/openid-configuration"),
        0
    );
    // Another object (another process) on the same store reads the stored copy.
    let other = disc();
    assert_eq!(
        other.discover().await.unwrap().as_str(),
        sb.oauth2_token_url()
    );
    assert_eq!(metadata_requests(), 1, "metadata is read once per store");
    let _ = std::fs::remove_dir_all(dir);

    // Unsupported methods and algorithms are refused by `discovery::check` (its unit tests);
    // here: an issuer without metadata is a Config error before any token request.

    // A method the metadata does not list is a Config error naming it, before any token request.
    let fj = ClientCredentials::builder()
        .issuer(format!("{}/elsewhere", sb.url()))
        .client_id(ID)
        .client_secret(SECRET)
        .allow_insecure_loopback(true)
        .build()
        .unwrap();
    let e = fj.token().await.unwrap_err();
    assert!(
        matches!(&e, Error::Config(m) if m.contains("no metadata")),
        "{e:?}"
    );
    assert!(ClientCredentials::builder()
        .issuer(sb.oauth2_issuer())
        .token_url(sb.oauth2_token_url())
        .client_id(ID)
        .client_secret(SECRET)
        .allow_insecure_loopback(true)
        .build()
        .is_err());
}

#[tokio::test]
async fn rfc_6749_errors_carry_error_and_description() {
    let sb = sandbox().await;
    sb.add_oauth2_client(OAuth2Client {
        scopes: Some(vec!["read".into()]),
        ..OAuth2Client::with_secret("scoped", "scoped-secret")
    });
    sb.add_oauth2_client(OAuth2Client {
        unauthorized: true,
        ..OAuth2Client::with_secret("refused", "refused-secret")
    });
    let scoped = builder(&sb)
        .client_id("scoped")
        .client_secret("scoped-secret");
    let e = scoped
        .clone()
        .scope("read admin")
        .build()
        .unwrap()
        .token()
        .await
        .unwrap_err();
    let o = e.oauth_error().unwrap();
    assert!(matches!(e, Error::Server { status: 400, .. }), "{e:?}");
    assert_eq!(o.error, "invalid_scope");
    assert!(o.error_description.as_deref().unwrap().contains("admin"));
    assert!(e.to_string().contains("invalid_scope"));
    scoped.scope("read").build().unwrap().token().await.unwrap();
    let e = builder(&sb)
        .client_id("refused")
        .client_secret("refused-secret")
        .build()
        .unwrap()
        .token()
        .await
        .unwrap_err();
    assert_eq!(e.oauth_error().unwrap().error, "unauthorized_client");
    assert!(!e.to_string().contains("refused-secret"));
}

#[tokio::test]
async fn a_dpop_request_answered_with_a_bearer_token_is_an_error() {
    let sb = sandbox().await;
    sb.set_oauth2_settings(OAuth2Settings {
        bearer_only: true,
        ..Default::default()
    });
    let cc = builder(&sb)
        .signing_key(ec_key())
        .dpop(true)
        .build()
        .unwrap();
    let e = cc.token().await.unwrap_err();
    assert!(matches!(e, Error::Server { .. }), "{e:?}");
    assert!(e.to_string().contains("DPoP"), "{e}");
}

#[tokio::test]
async fn without_expires_in_the_default_lifetime_is_used() {
    let sb = sandbox().await;
    sb.set_oauth2_settings(OAuth2Settings {
        expires_in: None,
        ..Default::default()
    });
    let clock = Arc::new(ManualClock::new());
    let cc = builder(&sb)
        .default_lifetime(Duration::from_secs(1000))
        .clock(clock.clone())
        .build()
        .unwrap();
    cc.token().await.unwrap();
    clock.advance(Duration::from_secs(749));
    cc.token().await.unwrap();
    assert_eq!(
        sb.oauth2_stats(ID).tokens_issued,
        1,
        "fresh until 75 % of 1000 s"
    );
    clock.advance(Duration::from_secs(2));
    cc.token().await.unwrap();
    assert_eq!(
        sb.oauth2_stats(ID).tokens_issued,
        2,
        "refreshed after 750 s"
    );
}

#[tokio::test]
async fn expires_in_drives_the_refresh_at_75_percent() {
    let sb = sandbox().await;
    sb.set_oauth2_settings(OAuth2Settings {
        expires_in: Some(400),
        ..Default::default()
    });
    let clock = Arc::new(ManualClock::new());
    let cc = builder(&sb).clock(clock.clone()).build().unwrap();
    cc.token().await.unwrap();
    clock.advance(Duration::from_secs(299));
    cc.token().await.unwrap();
    assert_eq!(sb.oauth2_stats(ID).tokens_issued, 1);
    clock.advance(Duration::from_secs(2));
    cc.token().await.unwrap();
    assert_eq!(sb.oauth2_stats(ID).tokens_issued, 2);
}

#[tokio::test]
async fn tokens_are_cached_per_scope_set() {
    let sb = sandbox().await;
    let dir = temp_dir("oauth2-scope");
    let store: Arc<dyn finauth::Store> = Arc::new(FileStore::new(&dir).unwrap());
    let a = builder(&sb)
        .scope("read write")
        .store(store.clone())
        .build()
        .unwrap();
    let b = builder(&sb)
        .scope("write read read")
        .store(store.clone())
        .build()
        .unwrap();
    let c = builder(&sb)
        .scope("read")
        .store(store.clone())
        .build()
        .unwrap();
    let ta = a.token().await.unwrap();
    assert_eq!(
        b.token().await.unwrap(),
        ta,
        "the same scope set shares the token"
    );
    assert_ne!(c.token().await.unwrap(), ta);
    assert_eq!(sb.oauth2_stats(ID).tokens_issued, 2);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn nothing_secret_in_debug_or_errors() {
    let sb = sandbox().await;
    let cc = jwt_builder(&sb, "quiet", ec_key())
        .dpop(true)
        .build()
        .unwrap();
    let h = cc.headers("POST", &sb.oauth2_resource_url()).await.unwrap();
    let token = cc.token().await.unwrap();
    let shown = format!("{cc:?} {h:?} {token:?} {token} {:?}", builder(&sb));
    for (_, v) in h.pairs() {
        assert!(!shown.contains(v));
    }
    assert!(!shown.contains(token.expose()));
    assert!(!shown.contains(SECRET));
    assert!(!format!("{:?}", ec_key()).contains("PRIVATE"));
}

// ---- processes ---------------------------------------------------------------------------------

/// Not a test of its own: the body of each child process.
#[test]
fn child_process_entry() {
    let Ok(url) = std::env::var(CHILD) else {
        return;
    };
    let store = std::env::var("CHILD_STORE").unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let outcome = rt.block_on(async {
        let cc = ClientCredentials::builder()
            .token_url(url)
            .client_id(ID)
            .client_secret(SECRET)
            .allow_insecure_loopback(true)
            .store(Arc::new(FileStore::new(store).unwrap()))
            .build()
            .unwrap();
        match cc.token().await {
            Ok(_) => "OK".to_string(),
            Err(e) => e.kind().to_string(),
        }
    });
    println!("\nOUTCOME={outcome}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_processes_sharing_a_file_store_make_one_token_request() {
    let sb = sandbox().await;
    let dir = temp_dir("oauth2-procs");
    let url = sb.oauth2_token_url();
    let store = dir.to_string_lossy().to_string();
    let outcomes = common::wave(8, || {
        common::child_command(&[(CHILD, &url), ("CHILD_STORE", &store)])
    })
    .await;
    assert!(outcomes.iter().all(|o| o == "OK"), "{outcomes:?}");
    assert_eq!(sb.oauth2_stats(ID).token_requests, 1);
    let _ = std::fs::remove_dir_all(dir);
}
