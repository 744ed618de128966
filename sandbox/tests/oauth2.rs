//! The sandbox's OAuth 2.0 checks, driven by hand-made requests: replayed assertions and
//! proofs, wrong `aud`/`htu`/`ath`, expired assertions, and the admin API.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{http, start};
use finauth::oauth2::jose;
use finauth::SigningKey;
use finauth_sandbox::{OAuth2Client, Sandbox};
use serde_json::{json, Value};
use std::path::Path;

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

fn key() -> SigningKey {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/oauth1-keys/ec.pem");
    SigningKey::from_file(p, None, None).unwrap()
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn assertion(sb: &Sandbox, k: &SigningKey, jti: &str, aud: Option<&str>, exp_in: i64) -> String {
    let claims = json!({
        "iss": "jwt", "sub": "jwt", "aud": aud.map(str::to_owned).unwrap_or_else(|| sb.url()),
        "jti": jti, "iat": now(), "exp": (now() as i64 + exp_in) as u64,
    });
    jose::sign(k, json!({"typ": "JWT"}), &claims)
        .unwrap()
        .expose()
        .to_owned()
}

fn proof(k: &SigningKey, htm: &str, htu: &str, jti: &str, ath: Option<&str>) -> String {
    let mut claims = json!({ "htm": htm, "htu": htu, "jti": jti, "iat": now() });
    if let Some(a) = ath {
        claims["ath"] = Value::from(a);
    }
    let header = json!({ "typ": "dpop+jwt", "jwk": jose::public_jwk(k) });
    jose::sign(k, header, &claims).unwrap().expose().to_owned()
}

fn form(req: reqwest::RequestBuilder, pairs: &[(&str, &str)]) -> reqwest::RequestBuilder {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    req.header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
}

async fn token_req(sb: &Sandbox, assertion: &str, dpop: Option<&str>) -> (u16, Value) {
    let mut req = form(
        http().post(sb.oauth2_token_url()),
        &[
            ("grant_type", "client_credentials"),
            ("client_assertion_type", ASSERTION_TYPE),
            ("client_assertion", assertion),
        ],
    );
    if let Some(p) = dpop {
        req = req.header("DPoP", p);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn assertions_are_checked_for_aud_exp_and_replay() {
    let sb = start().await;
    let k = key();
    sb.add_oauth2_client(OAuth2Client::with_jwk("jwt", jose::public_jwk(&k)));
    let good = assertion(&sb, &k, "j1", None, 60);
    assert_eq!(token_req(&sb, &good, None).await.0, 200);
    let (status, body) = token_req(&sb, &good, None).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client")),
        "replay"
    );
    let wrong_aud = assertion(&sb, &k, "j2", Some("https://elsewhere.example"), 60);
    assert_eq!(token_req(&sb, &wrong_aud, None).await.0, 401);
    let expired = assertion(&sb, &k, "j3", None, -5);
    assert_eq!(token_req(&sb, &expired, None).await.0, 401);
    let token_url_aud = assertion(&sb, &k, "j4", Some(&sb.oauth2_token_url()), 60);
    assert_eq!(token_req(&sb, &token_url_aud, None).await.0, 200);
    assert_eq!(sb.oauth2_stats("jwt").invalid_client, 3);
}

#[tokio::test]
async fn dpop_proofs_are_checked_for_htu_replay_and_ath() {
    let sb = start().await;
    let k = key();
    sb.add_oauth2_client(OAuth2Client::with_jwk("jwt", jose::public_jwk(&k)));
    let bad_htu = proof(&k, "POST", "http://elsewhere/oauth2/token", "p0", None);
    let (s, b) = token_req(&sb, &assertion(&sb, &k, "a0", None, 60), Some(&bad_htu)).await;
    assert_eq!((s, b["error"].as_str()), (400, Some("invalid_dpop_proof")));
    let p = proof(&k, "POST", &sb.oauth2_token_url(), "p1", None);
    let (s, b) = token_req(&sb, &assertion(&sb, &k, "a1", None, 60), Some(&p)).await;
    assert_eq!((s, b["token_type"].as_str()), (200, Some("DPoP")));
    let token = b["access_token"].as_str().unwrap().to_owned();
    let (s, _) = token_req(&sb, &assertion(&sb, &k, "a2", None, 60), Some(&p)).await;
    assert_eq!(s, 400, "a replayed proof is refused");

    let url = format!("{}/x", sb.oauth2_resource_url());
    let ath = URL_SAFE_NO_PAD.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        token.as_bytes(),
    ));
    let call = |scheme: &'static str, proof: Option<String>| {
        let mut r = http()
            .get(&url)
            .header("Authorization", format!("{scheme} {token}"));
        if let Some(p) = proof {
            r = r.header("DPoP", p);
        }
        async move { r.send().await.unwrap().status().as_u16() }
    };
    assert_eq!(
        call("Bearer", None).await,
        401,
        "a bound token is not a Bearer token"
    );
    assert_eq!(call("DPoP", None).await, 401, "no proof");
    assert_eq!(
        call("DPoP", Some(proof(&k, "GET", &url, "r1", Some("wrong")))).await,
        401
    );
    assert_eq!(
        call("DPoP", Some(proof(&k, "POST", &url, "r2", Some(&ath)))).await,
        401
    );
    assert_eq!(
        call("DPoP", Some(proof(&k, "GET", &url, "r3", Some(&ath)))).await,
        200
    );
    assert_eq!(
        call("DPoP", Some(proof(&k, "GET", &url, "r3", Some(&ath)))).await,
        401,
        "replay"
    );
}

#[tokio::test]
async fn admin_api_configures_the_oauth2_server() {
    let sb = start().await;
    let admin = |p: &str| format!("{}/__admin/oauth2/{p}", sb.url());
    let r = http()
        .post(admin("config"))
        .json(&json!({ "expires_in": null, "require_nonce": true }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(sb.oauth2_settings().expires_in, None);
    assert!(sb.oauth2_settings().require_nonce);
    let r = http()
        .post(admin("clients"))
        .json(&json!({ "client_id": "c2", "client_secret": "s2" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = form(
        http()
            .post(sb.oauth2_token_url())
            .basic_auth("c2", Some("s2")),
        &[("grant_type", "client_credentials")],
    )
    .send()
    .await
    .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert!(body.get("expires_in").is_none());
    let stats: Value = http()
        .get(format!("{}/__admin/stats", sb.url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["oauth2"]["c2"]["tokens_issued"], 1);
}

#[tokio::test]
async fn tls_serves_https_with_a_generated_certificate() {
    let sb = finauth_sandbox::Sandbox::start(finauth_sandbox::SandboxConfig {
        tls: true,
        ..Default::default()
    })
    .await
    .unwrap();
    assert!(sb.url().starts_with("https://127.0.0.1:"));
    let pem = sb.tls_certificate_pem().expect("a certificate");
    let cert = reqwest::Certificate::from_pem(pem.as_bytes()).unwrap();
    let client = reqwest::Client::builder()
        .no_proxy()
        .tls_certs_only([cert])
        .build()
        .unwrap();
    let r = form(
        client.post(sb.oauth2_token_url()).basic_auth(
            OAuth2Client::DEMO_CLIENT_ID,
            Some(OAuth2Client::DEMO_CLIENT_SECRET),
        ),
        &[("grant_type", "client_credentials")],
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 200);
    // Plain HTTP to the TLS port is refused.
    let plain = http().get(sb.url().replace("https", "http")).send().await;
    assert!(plain.is_err() || plain.is_ok_and(|r| !r.status().is_success()));
}
