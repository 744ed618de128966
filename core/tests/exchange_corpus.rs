//! The request-policy conformance corpus (`tests/exchange-corpus/*.json`) through the Rust
//! integrations: `PartnerAuth::send` / `ClientCredentials::send` (finauth's own reqwest loop) and
//! the raw `Exchange` driven by a plain reqwest client, as a user's own HTTP code would. Every
//! binding runs the same files through its language's HTTP libraries.

mod common;

use base64::Engine as _;
use common::*;
use finauth::exchange::Verdict;
use finauth::{ClientCredentials, Error, PartnerAuth, SigningKey};
use finauth_sandbox::{Sandbox, ScriptedAnswer};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Deserialize)]
struct Case {
    name: String,
    auth: String,
    #[serde(default = "one")]
    requests: usize,
    method: Option<String>,
    body: Option<String>,
    answers: Vec<ScriptedAnswer>,
    expect: Expect,
}

fn one() -> usize {
    1
}

#[derive(Deserialize)]
struct Expect {
    sent: usize,
    tokens: Vec<String>,
    #[serde(default)]
    nonces: Option<Vec<Option<String>>>,
    result: Outcome,
    token_requests: u64,
    locked_after: bool,
    #[serde(default)]
    same_bodies: bool,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(untagged)]
enum Outcome {
    Status { status: u16 },
    Error { error: String },
}

fn corpus() -> Vec<Case> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/exchange-corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let cases: Vec<Case> = files
        .iter()
        .map(|p| {
            serde_json::from_slice(&std::fs::read(p).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        })
        .collect();
    assert!(cases.len() >= 20, "the corpus is there");
    cases
}

enum Auth {
    Finicity(PartnerAuth),
    OAuth2(ClientCredentials),
}

impl Auth {
    fn new(sb: &Sandbox, kind: &str) -> Auth {
        match kind {
            "finicity" => Auth::Finicity(builder(sb).build().unwrap()),
            _ => {
                let mut b = ClientCredentials::builder()
                    .token_url(sb.oauth2_token_url())
                    .client_id("finauth-demo-client")
                    .client_secret("demo-client-secret")
                    .allow_insecure_loopback(true)
                    .timeout(Duration::from_secs(10));
                if kind == "oauth2-dpop" {
                    let key =
                        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oauth1-keys/ec.pem");
                    b = b
                        .signing_key(SigningKey::from_file(key, None, None).unwrap())
                        .dpop(true);
                }
                Auth::OAuth2(b.build().unwrap())
            }
        }
    }

    fn path(&self) -> &'static str {
        match self {
            Auth::Finicity(_) => "/aggregation/v1/customers",
            Auth::OAuth2(_) => "/oauth2/resource/accounts",
        }
    }

    fn exchange(&self, method: &str, url: &str) -> finauth::exchange::Exchange {
        match self {
            Auth::Finicity(a) => a.exchange(method, url).unwrap(),
            Auth::OAuth2(c) => c.exchange(method, url).unwrap(),
        }
    }

    async fn send(
        &self,
        req: finauth::reqwest::RequestBuilder,
    ) -> finauth::Result<finauth::reqwest::Response> {
        match self {
            Auth::Finicity(a) => a.send(req).await,
            Auth::OAuth2(c) => c.send(req).await,
        }
    }

    async fn token(&self) -> finauth::Result<finauth::AccessToken> {
        match self {
            Auth::Finicity(a) => a.token().await,
            Auth::OAuth2(c) => c.token().await,
        }
    }
}

fn token_requests(sb: &Sandbox, kind: &str) -> u64 {
    if kind == "finicity" {
        sb.partner_stats(PARTNER).auth_requests
    } else {
        sb.oauth2_stats("finauth-demo-client").token_requests
    }
}

fn outcome(r: finauth::Result<u16>) -> Outcome {
    match r {
        Ok(status) => Outcome::Status { status },
        Err(e) => Outcome::Error {
            error: e.kind().to_owned(),
        },
    }
}

/// The plain-reqwest loop over an exchange: what any integration does, nothing more.
async fn via_exchange(
    auth: &Auth,
    client: &reqwest_client::Client,
    method: &str,
    url: &str,
    body: &Option<String>,
) -> finauth::Result<u16> {
    let mut ex = auth.exchange(method, url);
    loop {
        let headers = ex.prepare().await?;
        let mut req = client.request(method.parse().unwrap(), url);
        for (name, value) in headers.pairs() {
            req = req.header(name, value);
        }
        if let Some(b) = body {
            req = req.body(b.clone());
        }
        let resp = req
            .send()
            .await
            .map_err(|e| Error::Transport(e.to_string()))?;
        let status = resp.status().as_u16();
        let pairs: Vec<(String, String)> = resp
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    v.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let bytes = if ex.wants_body(status) {
            resp.bytes()
                .await
                .map_err(|e| Error::Transport(e.to_string()))?
                .to_vec()
        } else {
            Vec::new()
        };
        match ex
            .observe(
                status,
                pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())),
                &bytes,
            )
            .await?
        {
            Verdict::Done => return Ok(status),
            Verdict::Resend => continue,
        }
    }
}

use finauth::reqwest as reqwest_client;

async fn run(case: &Case, integration: &str) {
    let sb = sandbox().await;
    let auth = Auth::new(&sb, &case.auth);
    let url = format!("{}{}", sb.url(), auth.path());
    sb.script(auth.path(), case.answers.clone());
    let method = case.method.clone().unwrap_or_else(|| "GET".into());
    let client = reqwest_client::Client::new();
    let mut last = Ok(0);
    for _ in 0..case.requests {
        last = match integration {
            "send" => {
                let mut req = client.request(method.parse().unwrap(), &url);
                if let Some(b) = &case.body {
                    req = req.body(b.clone());
                }
                auth.send(req).await.map(|r| r.status().as_u16())
            }
            _ => via_exchange(&auth, &client, &method, &url, &case.body).await,
        };
    }
    let ctx = format!("{} via {integration}", case.name);
    assert_eq!(outcome(last), case.expect.result, "{ctx}: result");
    check_received(&sb, case, &ctx);
    assert_eq!(
        token_requests(&sb, &case.auth),
        case.expect.token_requests,
        "{ctx}: token requests"
    );
    let before = token_requests(&sb, &case.auth);
    match auth.token().await {
        Err(Error::AccountLocked { .. }) => assert!(case.expect.locked_after, "{ctx}: locked"),
        Ok(_) => assert!(!case.expect.locked_after, "{ctx}: not locked"),
        Err(e) => panic!("{ctx}: token() afterwards: {e}"),
    }
    if case.expect.locked_after {
        assert_eq!(
            token_requests(&sb, &case.auth),
            before,
            "{ctx}: locked without a request"
        );
    }
    sb.shutdown().await;
}

/// What the sandbox received: how many requests, which token each carried, which DPoP nonce.
fn check_received(sb: &Sandbox, case: &Case, ctx: &str) {
    let report = sb.script_report();
    let received = &report.received;
    assert_eq!(received.len(), case.expect.sent, "{ctx}: requests sent");
    let mut labels: HashMap<String, String> = HashMap::new();
    for (i, (r, label)) in received.iter().zip(&case.expect.tokens).enumerate() {
        let token = r
            .headers
            .get("finicity-app-token")
            .cloned()
            .or_else(|| {
                r.headers
                    .get("authorization")
                    .and_then(|a| a.split_once(' '))
                    .map(|(_, t)| t.to_owned())
            })
            .unwrap_or_else(|| panic!("{ctx}: request {i} carried no token"));
        // Same label, same token; different labels, different tokens.
        match labels.get(label) {
            Some(t) => assert_eq!(t, &token, "{ctx}: request {i} token `{label}`"),
            None => {
                assert!(
                    !labels.values().any(|t| *t == token),
                    "{ctx}: request {i} reused a token"
                );
                labels.insert(label.clone(), token);
            }
        }
        if case.auth == "finicity" {
            assert_eq!(
                r.headers.get("finicity-app-key").map(String::as_str),
                Some(APP_KEY),
                "{ctx}"
            );
        }
    }
    if let Some(nonces) = &case.expect.nonces {
        for (i, (r, want)) in received.iter().zip(nonces).enumerate() {
            let Some(want) = want else { continue };
            let proof = r
                .headers
                .get("dpop")
                .unwrap_or_else(|| panic!("{ctx}: request {i} has no DPoP proof"));
            let payload = proof.split('.').nth(1).unwrap();
            let claims: serde_json::Value = serde_json::from_slice(
                &base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(payload)
                    .unwrap(),
            )
            .unwrap();
            assert_eq!(
                claims["nonce"].as_str(),
                Some(want.as_str()),
                "{ctx}: request {i} nonce"
            );
        }
    }
    if case.expect.same_bodies {
        let first = &received[0].body;
        assert!(!first.is_empty(), "{ctx}: a body was sent");
        assert!(
            received.iter().all(|r| &r.body == first),
            "{ctx}: the body was resent whole"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_corpus_case_through_send() {
    for case in corpus() {
        run(&case, "send").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_corpus_case_through_a_plain_reqwest_loop_over_the_exchange() {
    for case in corpus() {
        run(&case, "exchange").await;
    }
}
