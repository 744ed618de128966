//! The exchange over a fake authority: no sockets, no sleeps, no clock, so the shell's own
//! duties are checked alone: which token is invalidated, when a lock is recorded, the order of
//! calls.

use super::*;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

struct Fake {
    scheme: Scheme,
    /// Token generation the next `prepare` hands out.
    current: AtomicU32,
    invalidated: Mutex<Vec<String>>,
    locked: Mutex<Option<u32>>,
    nonce: Mutex<Option<String>>,
}

impl Fake {
    fn new(scheme: Scheme) -> Arc<Self> {
        Arc::new(Fake {
            scheme,
            current: AtomicU32::new(1),
            invalidated: Mutex::new(Vec::new()),
            locked: Mutex::new(None),
            nonce: Mutex::new(None),
        })
    }

    fn token(&self) -> String {
        format!("t{}", self.current.load(Ordering::SeqCst))
    }
}

impl Authority for Fake {
    fn scheme(&self) -> Scheme {
        self.scheme
    }

    fn prepare<'a>(
        &'a self,
        _method: &'a str,
        _url: &'a Url,
    ) -> BoxFuture<'a, Result<crate::exchange::Attempt>> {
        Box::pin(async move {
            let t = self.token();
            let nonce = self.nonce.lock().unwrap().clone().unwrap_or_default();
            Ok((
                AccessToken::new(t.clone()),
                vec![("Authorization", Secret::new(format!("Bearer {t} {nonce}")))],
            ))
        })
    }

    fn invalidate<'a>(&'a self, token: &'a AccessToken) -> BoxFuture<'a, bool> {
        Box::pin(async move {
            self.invalidated
                .lock()
                .unwrap()
                .push(token.expose().to_owned());
            // Compare-and-swap, like the engine: only the current token is dropped.
            if token.expose() == self.token() {
                self.current.fetch_add(1, Ordering::SeqCst);
                true
            } else {
                false
            }
        })
    }

    fn mark_locked(&self, code: u32) -> BoxFuture<'_, ()> {
        *self.locked.lock().unwrap() = Some(code);
        Box::pin(async {})
    }

    fn learn_nonce(&self, _url: &Url, headers: &HeaderMap) {
        if let Some(n) = headers.get("dpop-nonce").and_then(|v| v.to_str().ok()) {
            *self.nonce.lock().unwrap() = Some(n.to_owned());
        }
    }

    fn nonce_known(&self, _url: &Url) -> bool {
        self.nonce.lock().unwrap().is_some()
    }
}

const URL: &str = "https://api.example.test/aggregation/v1/customers";
const EXPIRED: &[u8] = br#"{"code":10023,"message":"Expired (Finicity-App-Token)"}"#;
const JSON: [(&str, &str); 1] = [("Content-Type", "application/json")];

fn authorization(h: &PreparedHeaders) -> String {
    h.pairs()[0].1.to_owned()
}

#[tokio::test]
async fn the_token_sent_is_the_one_invalidated_even_after_another_caller_refreshed() {
    let fake = Fake::new(Scheme::Finicity);
    let mut a = Exchange::new(fake.clone(), "GET", URL).unwrap();
    let mut b = Exchange::new(fake.clone(), "GET", URL).unwrap();
    assert!(authorization(&a.prepare().await.unwrap()).contains("t1"));
    assert!(authorization(&b.prepare().await.unwrap()).contains("t1"));
    // Both see t1 rejected; only the first invalidation drops it (one refresh for the burst).
    assert_eq!(
        a.observe(401, JSON, EXPIRED).await.unwrap(),
        Verdict::Resend
    );
    assert_eq!(
        b.observe(401, JSON, EXPIRED).await.unwrap(),
        Verdict::Resend
    );
    assert_eq!(*fake.invalidated.lock().unwrap(), ["t1", "t1"]);
    assert_eq!(fake.token(), "t2");
    assert!(authorization(&a.prepare().await.unwrap()).contains("t2"));
    assert_eq!(a.observe(200, JSON, b"{}").await.unwrap(), Verdict::Done);
    assert_eq!(a.attempts(), 2);
}

#[tokio::test]
async fn a_lock_on_the_resent_attempt_is_recorded_and_fails() {
    let fake = Fake::new(Scheme::Finicity);
    let mut ex = Exchange::new(fake.clone(), "POST", URL).unwrap();
    ex.prepare().await.unwrap();
    assert_eq!(
        ex.observe(500, JSON, EXPIRED).await.unwrap(),
        Verdict::Resend
    );
    ex.prepare().await.unwrap();
    let e = ex
        .observe(401, JSON, br#"{"code":24302}"#)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::AccountLocked { code: 24302 }));
    assert_eq!(*fake.locked.lock().unwrap(), Some(24302));
    // The request is over: no further attempt.
    assert!(matches!(ex.prepare().await, Err(Error::Config(_))));
}

#[tokio::test]
async fn a_nonce_challenge_resends_with_the_learned_nonce_and_the_same_token() {
    let fake = Fake::new(Scheme::OAuth2 { dpop: true });
    let mut ex = Exchange::new(fake.clone(), "GET", URL).unwrap();
    let first = authorization(&ex.prepare().await.unwrap());
    let challenge = [
        ("WWW-Authenticate", r#"DPoP error="use_dpop_nonce""#),
        ("DPoP-Nonce", "n-1"),
    ];
    assert_eq!(
        ex.observe(401, challenge, b"").await.unwrap(),
        Verdict::Resend
    );
    let second = authorization(&ex.prepare().await.unwrap());
    assert!(
        first.contains("t1") && second.contains("t1 n-1"),
        "{second}"
    );
    assert!(fake.invalidated.lock().unwrap().is_empty());
    let e = ex.observe(401, challenge, b"").await.unwrap_err();
    assert!(matches!(e, Error::Unauthorized { status: 401, .. }));
}

#[tokio::test]
async fn calls_out_of_order_are_config_errors_not_panics() {
    let fake = Fake::new(Scheme::Finicity);
    let mut ex = Exchange::new(fake.clone(), "GET", URL).unwrap();
    assert!(matches!(
        ex.observe(200, [], b"").await,
        Err(Error::Config(_))
    ));
    ex.prepare().await.unwrap();
    assert!(matches!(ex.prepare().await, Err(Error::Config(_))));
    assert!(Exchange::new(fake.clone(), "GET", "/relative").is_err());
    assert!(Exchange::new(fake, "BAD METHOD", URL).is_err());
}

#[test]
fn the_partner_authentication_endpoint_is_never_an_exchange() {
    // Token requests go through the guard, never through an integration's request loop.
    let fake = Fake::new(Scheme::Finicity);
    for (method, url) in [
        (
            "POST",
            "https://api.finicity.com/aggregation/v2/partners/authentication",
        ),
        (
            "PUT",
            "http://127.0.0.1:9/aggregation/v2/partners/authentication/",
        ),
        // A base URL ending in `/` joined to the operation's path, and other spellings that
        // servers and proxies treat as the same endpoint.
        (
            "POST",
            "https://api.finicity.com//aggregation/v2/partners/authentication",
        ),
        (
            "POST",
            "https://api.finicity.com/aggregation/v2//partners/AUTHENTICATION",
        ),
        (
            "POST",
            "https://api.finicity.com/aggregation/v2/partners%2Fauthentication",
        ),
    ] {
        match Exchange::new(fake.clone(), method, url) {
            Err(Error::Config(m)) => assert!(m.contains("token()"), "{m}"),
            other => panic!("{method} {url}: {other:?}"),
        }
    }
    // Another path, or an OAuth 2.0 resource that happens to have that path, is fine.
    assert!(Exchange::new(fake, "POST", URL).is_ok());
    let oauth = Fake::new(Scheme::OAuth2 { dpop: false });
    assert!(Exchange::new(
        oauth,
        "POST",
        "https://rs.example/aggregation/v2/partners/authentication"
    )
    .is_ok());
}
