//! The OpenAPI document (`/openapi.json`) and the resources it describes: every documented
//! operation is routed and answers what the document says, to the property (a client generated
//! with OpenAPI Generator's `okhttp-gson` library rejects a property its model does not declare),
//! and the resources refuse requests exactly as the `/aggregation/` catch-all does.

mod common;

use std::time::Duration;

use aws_lc_rs::signature::{KeyPair, RsaKeyPair};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use common::*;
use finauth::oauth1::{OAuth1Signer, SignatureMethod, SigningKey};
use finauth_sandbox::{
    ErrorStyle, OAuth1Key, Sandbox, SandboxConfig, AUTH_PATH, OPENAPI_JSON, OPENAPI_PATH,
};
use serde_json::{json, Value};

const KNOWN: &str = "1005061234";
const CK: &str = "openapi-consumer";
const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/oauth1-keys");

fn document() -> Value {
    serde_json::from_str(OPENAPI_JSON).expect("the embedded document is JSON")
}

/// Follows a local `$ref` (`#/components/...`).
fn resolve<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let pointer = r.strip_prefix('#').expect("a local $ref");
            resolve(doc, doc.pointer(pointer).expect("the $ref resolves"))
        }
        None => node,
    }
}

/// Checks `value` against the subset of JSON Schema the document uses: types, `required`,
/// and no undeclared property where `additionalProperties` is not given.
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str) {
    let schema = resolve(doc, schema);
    let kind = schema["type"].as_str().unwrap_or("object");
    match kind {
        "object" => {
            let object = value
                .as_object()
                .unwrap_or_else(|| panic!("{at}: not an object: {value}"));
            let properties = schema["properties"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            for required in schema["required"].as_array().into_iter().flatten() {
                let name = required.as_str().unwrap_or_default();
                assert!(object.contains_key(name), "{at}: {name} is missing");
            }
            for (name, v) in object {
                match properties.get(name) {
                    Some(s) => conforms(doc, s, v, &format!("{at}.{name}")),
                    None => match schema.get("additionalProperties") {
                        Some(extra) if extra.is_object() => {
                            conforms(doc, extra, v, &format!("{at}.{name}"))
                        }
                        Some(Value::Bool(true)) => {}
                        _ => panic!("{at}: {name} is not declared"),
                    },
                }
            }
        }
        "array" => {
            let items = value
                .as_array()
                .unwrap_or_else(|| panic!("{at}: not an array: {value}"));
            for (i, item) in items.iter().enumerate() {
                conforms(doc, &schema["items"], item, &format!("{at}[{i}]"));
            }
        }
        "string" => assert!(value.is_string(), "{at}: not a string: {value}"),
        "integer" => assert!(value.is_i64() || value.is_u64(), "{at}: not an integer"),
        "number" => assert!(value.is_number(), "{at}: not a number: {value}"),
        "boolean" => assert!(value.is_boolean(), "{at}: not a boolean: {value}"),
        other => panic!("{at}: schema type {other} not handled"),
    }
}

/// The JSON schema of an operation's answer with this status.
fn response_schema<'a>(doc: &'a Value, path: &str, method: &str, status: u16) -> &'a Value {
    let responses = &doc["paths"][path][method]["responses"];
    let response = resolve(doc, &responses[status.to_string()]);
    assert!(
        response.is_object(),
        "{method} {path}: status {status} is not documented"
    );
    &response["content"]["application/json"]["schema"]
}

fn public_pem() -> String {
    let der = std::fs::read(format!("{KEYS}/pkcs8.der")).expect("test key");
    let pair = RsaKeyPair::from_pkcs8(&der).expect("pkcs8");
    let b64 = STANDARD.encode(pair.public_key().as_ref());
    let lines: Vec<String> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    format!(
        "-----BEGIN RSA PUBLIC KEY-----\n{}\n-----END RSA PUBLIC KEY-----\n",
        lines.join("\n")
    )
}

fn signer() -> OAuth1Signer {
    let der = std::fs::read(format!("{KEYS}/pkcs8.der")).expect("test key");
    let key = SigningKey::from_der(&der).expect("key");
    OAuth1Signer::new(CK, key, SignatureMethod::RsaSha256).expect("signer")
}

async fn start_signed() -> Sandbox {
    let key = OAuth1Key::from_pem(CK, &public_pem()).expect("public key");
    start_with(SandboxConfig {
        oauth1_keys: vec![key],
        ..SandboxConfig::default()
    })
    .await
}

/// A request body the operation accepts.
fn sample_body(operation_id: &str) -> Option<Value> {
    match operation_id {
        "createToken" => Some(creds(DEMO_ID, DEMO_SECRET)),
        "addTestingCustomer" => Some(json!({
            "username": "routing-check", "firstName": "Route", "lastName": "Check",
            "phone": "1-801-984-4200", "email": "route@example.com"
        })),
        "generateConnectUrl" => Some(json!({ "partnerId": DEMO_ID, "customerId": KNOWN })),
        "postSignedEcho" => Some(json!({ "note": "hello", "path": "/a/b" })),
        _ => None,
    }
}

struct Call {
    status: u16,
    content_type: String,
    body: Value,
}

/// Calls one documented operation with the credentials its security names.
async fn call(sb: &Sandbox, token: &str, path: &str, method: &str, op: &Value) -> Call {
    let doc = document();
    let operation_id = op["operationId"].as_str().expect("an operationId");
    let security = op.get("security").unwrap_or(&doc["security"]);
    let schemes: Vec<&str> = security
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|o| o.keys().map(String::as_str))
        .collect();
    let url = format!("{}{}", sb.url(), path.replace("{customerId}", KNOWN));
    let body = sample_body(operation_id)
        .map(|b| b.to_string())
        .unwrap_or_default();
    let mut req = http()
        .request(method.to_uppercase().parse().expect("a method"), &url)
        .header("Accept", "application/json");
    if !body.is_empty() {
        req = req
            .header("Content-Type", "application/json")
            .body(body.clone());
    }
    for scheme in schemes {
        match scheme {
            "FinicityAppKey" => req = req.header("Finicity-App-Key", DEMO_KEY),
            "FinicityAppToken" => req = req.header("Finicity-App-Token", token),
            "MastercardOAuth1" => {
                let header = signer()
                    .authorization_header(&method.to_uppercase(), &url, body.as_bytes())
                    .expect("signed");
                req = req.header("Authorization", header);
            }
            other => panic!("{operation_id}: unknown security scheme {other}"),
        }
    }
    let resp = req.send().await.expect("answered");
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = resp.text().await.expect("a body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Call {
        status,
        content_type,
        body,
    }
}

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item") {
            ops.push((path.clone(), method.clone(), op.clone()));
        }
    }
    ops
}

#[tokio::test]
async fn the_document_is_served_without_credentials() {
    let sb = start().await;
    let resp = get_resource(&sb, OPENAPI_PATH, &[]).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let served: Value = resp.json().await.expect("JSON");
    assert_eq!(served, document());
    assert_eq!(served["openapi"], "3.0.3");
    let schemes = &served["components"]["securitySchemes"];
    assert_eq!(schemes["FinicityAppKey"]["name"], "Finicity-App-Key");
    assert_eq!(schemes["FinicityAppToken"]["name"], "Finicity-App-Token");
    assert_eq!(schemes["MastercardOAuth1"]["name"], "Authorization");
    assert!(served["components"]["schemas"]["Configuration"].is_object());
    assert_eq!(sb.stats().endpoint("GET /openapi.json"), 1);
}

#[tokio::test]
async fn every_documented_operation_is_routed_and_answers_its_documented_shape() {
    let sb = start_signed().await;
    let token = demo_token(&sb).await;
    let doc = document();
    let ops = operations(&doc);
    assert_eq!(ops.len(), 9, "operations in the document");
    for (path, method, op) in &ops {
        let operation_id = op["operationId"].as_str().unwrap_or_default();
        assert!(
            op["tags"].as_array().is_some_and(|t| t.len() == 1),
            "{operation_id}: one tag"
        );
        let got = call(&sb, &token, path, method, op).await;
        assert!(
            (200..300).contains(&got.status),
            "{method} {path}: {} {}",
            got.status,
            got.body
        );
        assert!(got.content_type.starts_with("application/json"));
        let schema = response_schema(&doc, path, method, got.status);
        conforms(&doc, schema, &got.body, operation_id);
    }
}

#[tokio::test]
async fn documented_refusals_have_the_documented_shapes() {
    // No OAuth 1.0a key configured: the signed calls name an unknown consumer key.
    let sb = start().await;
    let doc = document();
    for (path, method, op) in operations(&doc) {
        // No token at all, and a signature that cannot verify.
        let got = call(&sb, "", &path, &method, &op).await;
        let operation_id = op["operationId"].as_str().unwrap_or_default();
        if operation_id == "createToken" {
            continue;
        }
        assert_eq!(got.status, 401, "{operation_id}: {}", got.body);
        let schema = response_schema(&doc, &path, &method, 401);
        if path.starts_with("/oauth1/") {
            assert_eq!(got.body["error"], "unknown_consumer_key");
        } else {
            assert_eq!(got.body["code"], 10024, "{operation_id}");
        }
        conforms(&doc, schema, &got.body, operation_id);
    }
}

#[tokio::test]
async fn get_customers_pages_and_filters() {
    let sb = start().await;
    let token = demo_token(&sb).await;
    let h = [
        ("Finicity-App-Key", DEMO_KEY),
        ("Finicity-App-Token", token.as_str()),
    ];
    let body = |resp: reqwest::Response| async move {
        assert_eq!(resp.status(), 200);
        resp.json::<Value>().await.expect("JSON")
    };
    let all = body(get_resource(&sb, "/aggregation/v1/customers", &h).await).await;
    assert_eq!((&all["found"], &all["displaying"]), (&json!(5), &json!(5)));
    assert_eq!(all["moreAvailable"], false);
    assert!(all["createdDate"]
        .as_str()
        .is_some_and(|d| d.parse::<u64>().is_ok()));
    let first = &all["customers"][0];
    assert_eq!(first["id"], KNOWN);
    assert_eq!(first["username"], "customerusername1");
    assert_eq!(
        (&first["firstName"], &first["lastName"], &first["type"]),
        (&json!("John"), &json!("Smith"), &json!("testing"))
    );
    assert_eq!(first["createdDate"], "1767225600");

    let page = body(get_resource(&sb, "/aggregation/v1/customers?start=2&limit=2", &h).await).await;
    assert_eq!(
        (&page["found"], &page["displaying"]),
        (&json!(5), &json!(2))
    );
    assert_eq!(page["moreAvailable"], true);
    assert_eq!(page["customers"][0]["id"], "1005061235");

    let last = body(get_resource(&sb, "/aggregation/v1/customers?start=4&limit=2", &h).await).await;
    assert_eq!(
        (&last["displaying"], &last["moreAvailable"]),
        (&json!(2), &json!(false))
    );

    let search = body(get_resource(&sb, "/aggregation/v1/customers?search=DOE", &h).await).await;
    assert_eq!(search["found"], 1);
    assert_eq!(search["customers"][0]["username"], "jane.doe");

    let by_name =
        body(get_resource(&sb, "/aggregation/v1/customers?username=wei.chen", &h).await).await;
    assert_eq!(by_name["customers"][0]["id"], "1005061238");

    let testing =
        body(get_resource(&sb, "/aggregation/v1/customers?type=testing&search=*", &h).await).await;
    assert_eq!(testing["found"], 3);

    for bad in ["start=0", "limit=0", "limit=1001", "start=one"] {
        let resp = get_resource(&sb, &format!("/aggregation/v1/customers?{bad}"), &h).await;
        assert_eq!(json_error(resp).await, (400, 14020, "Bad request.".into()));
    }
}

#[tokio::test]
async fn get_customer_and_its_accounts() {
    let sb = start().await;
    let token = demo_token(&sb).await;
    let h = [
        ("Finicity-App-Key", DEMO_KEY),
        ("Finicity-App-Token", token.as_str()),
    ];
    let resp = get_resource(&sb, &format!("/aggregation/v1/customers/{KNOWN}"), &h).await;
    assert_eq!(resp.status(), 200);
    let customer: Value = resp.json().await.expect("JSON");
    assert_eq!(customer["username"], "customerusername1");

    let resp = get_resource(
        &sb,
        &format!("/aggregation/v1/customers/{KNOWN}/accounts"),
        &h,
    )
    .await;
    assert_eq!(resp.status(), 200);
    let accounts: Value = resp.json().await.expect("JSON");
    let accounts = accounts["accounts"].as_array().expect("accounts");
    assert_eq!(accounts.len(), 2);
    let checking = &accounts[0];
    assert_eq!(checking["id"], "5011648377");
    assert_eq!(checking["accountNumberDisplay"], "8888");
    assert_eq!(checking["balance"], 501.24);
    assert_eq!(checking["customerId"], KNOWN);
    assert_eq!(checking["currency"], "USD");
    assert!(checking["balanceDate"].is_u64() && checking["createdDate"].is_u64());

    let empty = get_resource(&sb, "/aggregation/v1/customers/1005061238/accounts", &h).await;
    let empty: Value = empty.json().await.expect("JSON");
    assert_eq!(empty, json!({ "accounts": [] }));

    for path in [
        "/aggregation/v1/customers/42",
        "/aggregation/v1/customers/42/accounts",
    ] {
        let resp = get_resource(&sb, path, &h).await;
        assert_eq!(
            json_error(resp).await,
            (404, 14001, "Customer not found.".into())
        );
    }
    // The configured error style applies to the new codes too.
    sb.set_error_style(ErrorStyle::ErrorsUpper);
    let resp = get_resource(&sb, "/aggregation/v1/customers/42", &h).await;
    assert_eq!(resp.status(), 404);
    let body: Value = resp.json().await.expect("JSON");
    assert_eq!(body["Errors"]["Error"][0]["ReasonCode"], "14001");
    assert_eq!(body["Errors"]["Error"][0]["Source"], "customerId");
}

#[tokio::test]
async fn a_testing_customer_is_added_and_found_later() {
    let sb = start().await;
    let token = demo_token(&sb).await;
    let post = |body: Value, token: Option<String>| {
        let mut req = http()
            .post(format!("{}/aggregation/v2/customers/testing", sb.url()))
            .header("Finicity-App-Key", DEMO_KEY)
            .json(&body);
        if let Some(t) = token {
            req = req.header("Finicity-App-Token", t);
        }
        req.send()
    };
    let new = json!({
        "username": "new.tester", "firstName": "New", "lastName": "Tester",
        "phone": "1-801-984-4200", "email": "new@example.com"
    });
    let resp = post(new.clone(), None).await.expect("answered");
    assert_eq!(json_error(resp).await.1, 10024);

    let resp = post(new.clone(), Some(token.clone()))
        .await
        .expect("answered");
    assert_eq!(resp.status(), 201);
    let created: Value = resp.json().await.expect("JSON");
    assert_eq!(created["id"], "1005062000");
    assert_eq!(created["username"], "new.tester");
    assert!(created["createdDate"]
        .as_str()
        .is_some_and(|d| d.parse::<u64>().is_ok()));

    let h = [
        ("Finicity-App-Key", DEMO_KEY),
        ("Finicity-App-Token", token.as_str()),
    ];
    let resp = get_resource(&sb, "/aggregation/v1/customers/1005062000", &h).await;
    let customer: Value = resp.json().await.expect("JSON");
    assert_eq!(
        customer,
        json!({
            "id": "1005062000", "username": "new.tester", "firstName": "New",
            "lastName": "Tester", "type": "testing", "createdDate": created["createdDate"]
        })
    );
    let resp = get_resource(&sb, "/aggregation/v1/customers?username=new.tester", &h).await;
    let found: Value = resp.json().await.expect("JSON");
    assert_eq!(found["found"], 1);

    let resp = post(new.clone(), Some(token.clone()))
        .await
        .expect("answered");
    assert_eq!(
        json_error(resp).await,
        (409, 11000, "Username already taken.".into())
    );
    let resp = post(
        json!({"username": "x", "firstName": "y"}),
        Some(token.clone()),
    )
    .await
    .expect("answered");
    assert_eq!(json_error(resp).await, (400, 14020, "Bad request.".into()));
    let resp = http()
        .post(format!("{}/aggregation/v2/customers/testing", sb.url()))
        .header("Finicity-App-Key", DEMO_KEY)
        .header("Finicity-App-Token", &token)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("answered");
    assert_eq!(json_error(resp).await.1, 14020);

    let second = json!({"username": "second", "firstName": "S", "lastName": "T"});
    let resp = post(second, Some(token)).await.expect("answered");
    let created: Value = resp.json().await.expect("JSON");
    assert_eq!(created["id"], "1005062001");
}

#[tokio::test]
async fn generate_connect_url() {
    let sb = start().await;
    let token = demo_token(&sb).await;
    let post = |body: Value| {
        http()
            .post(format!("{}/connect/v2/generate", sb.url()))
            .header("Finicity-App-Key", DEMO_KEY)
            .header("Finicity-App-Token", &token)
            .json(&body)
            .send()
    };
    let resp = post(json!({
        "partnerId": DEMO_ID, "customerId": KNOWN, "redirectUri": "https://example.com/done?a=1"
    }))
    .await
    .expect("answered");
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("JSON");
    let link = body["link"].as_str().expect("a link");
    assert!(link.starts_with("https://connect2.finicity.com/?customerId=1005061234&partnerId=finauth-demo-partner&signature="), "{link}");
    assert!(link.ends_with("&redirectUri=https%3A%2F%2Fexample.com%2Fdone%3Fa%3D1"));
    assert_eq!(body.as_object().map(|o| o.len()), Some(1));

    let resp = post(json!({ "customerId": KNOWN }))
        .await
        .expect("answered");
    assert_eq!(
        json_error(resp).await,
        (400, 10005, "Missing parameter (partnerId)".into())
    );
    let resp = post(json!({ "partnerId": DEMO_ID }))
        .await
        .expect("answered");
    assert_eq!(json_error(resp).await.1, 14020);
    let resp = post(json!({ "partnerId": "someone-else", "customerId": KNOWN }))
        .await
        .expect("answered");
    assert_eq!(
        json_error(resp).await,
        (401, 10021, "You are not authorized.".into())
    );
    let resp = post(json!({ "partnerId": DEMO_ID, "customerId": "42" }))
        .await
        .expect("answered");
    assert_eq!(json_error(resp).await.1, 14001);
    assert_eq!(sb.stats().endpoint("POST /connect/v2/generate"), 5);
}

#[tokio::test]
async fn partner_configuration_reflects_the_settings() {
    let sb = start().await;
    let token = demo_token(&sb).await;
    sb.set_error_style(ErrorStyle::Text);
    let resp = get_resource(
        &sb,
        "/aggregation/v1/partners/configuration",
        &[
            ("Finicity-App-Key", DEMO_KEY),
            ("Finicity-App-Token", &token),
        ],
    )
    .await;
    let body: Value = resp.json().await.expect("JSON");
    assert_eq!(
        body,
        json!({
            "partnerId": DEMO_ID, "appName": "finauth sandbox", "tokenLifetimeSeconds": 7200,
            "lockoutThreshold": 5, "errorStyle": "text"
        })
    );
}

/// The paths of the documented resources that need a token, with a method each serves.
const PROTECTED: [(&str, &str); 6] = [
    ("GET", "/aggregation/v1/customers"),
    ("GET", "/aggregation/v1/customers/1005061234"),
    ("GET", "/aggregation/v1/customers/1005061234/accounts"),
    ("POST", "/aggregation/v2/customers/testing"),
    ("GET", "/aggregation/v1/partners/configuration"),
    ("POST", "/connect/v2/generate"),
];

async fn send(
    sb: &Sandbox,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = http().request(
        method.parse().expect("method"),
        format!("{}{path}", sb.url()),
    );
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.json(&json!({})).send().await.expect("answered")
}

#[tokio::test]
async fn the_resources_refuse_exactly_like_the_catch_all() {
    let sb = start().await;
    let token = demo_token(&sb).await;
    for (method, path) in PROTECTED {
        let resp = send(&sb, method, path, &[("Finicity-App-Token", &token)]).await;
        assert_eq!(json_error(resp).await.1, 10026, "{method} {path}");
        let resp = send(&sb, method, path, &[("Finicity-App-Key", "bogus")]).await;
        assert_eq!(json_error(resp).await.1, 10027, "{method} {path}");
        let resp = send(&sb, method, path, &[("Finicity-App-Key", DEMO_KEY)]).await;
        assert_eq!(json_error(resp).await.1, 10024, "{method} {path}");
        let resp = send(
            &sb,
            method,
            path,
            &[
                ("Finicity-App-Key", DEMO_KEY),
                ("Finicity-App-Token", "Nope"),
            ],
        )
        .await;
        assert_eq!(json_error(resp).await.1, 10022, "{method} {path}");
        // The newer header names work here too.
        let resp = send(
            &sb,
            method,
            path,
            &[("App-Key", DEMO_KEY), ("App-Token", &token)],
        )
        .await;
        assert_ne!(resp.status().as_u16(), 401, "{method} {path}");
    }
    let stats = sb.partner_stats(DEMO_ID);
    // An unknown App Key without a token names no partner: 4 of the 5 calls are the demo's.
    assert_eq!(stats.resource_requests, 6 * 4);
    assert_eq!(stats.resource_ok, 6);
    assert_eq!(sb.stats().endpoint("GET /aggregation/v1/customers"), 5);

    sb.set_token_lifetime(Duration::from_millis(1));
    tokio::time::sleep(Duration::from_millis(10)).await;
    for (method, path) in PROTECTED {
        let headers = [
            ("Finicity-App-Key", DEMO_KEY),
            ("Finicity-App-Token", token.as_str()),
        ];
        let resp = send(&sb, method, path, &headers).await;
        assert_eq!(
            json_error(resp).await,
            (401, 10023, "Expired (Finicity-App-Token)".into())
        );
    }
    sb.set_token_lifetime(Duration::from_secs(3600));
    for _ in 0..5 {
        post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, "wrong")).await;
    }
    sb.set_error_style(ErrorStyle::Text);
    for (method, path) in PROTECTED {
        let headers = [
            ("Finicity-App-Key", DEMO_KEY),
            ("Finicity-App-Token", token.as_str()),
        ];
        let resp = send(&sb, method, path, &headers).await;
        assert_eq!(resp.status(), 401);
        assert_eq!(resp.text().await.expect("text"), "Bad credentials");
    }
}

#[tokio::test]
async fn other_paths_and_methods_keep_the_catch_all_answer() {
    let sb = start().await;
    let token = demo_token(&sb).await;
    let headers = [
        ("Finicity-App-Key", DEMO_KEY),
        ("Finicity-App-Token", token.as_str()),
    ];
    for (method, path) in [
        ("POST", "/aggregation/v1/customers"),
        ("DELETE", "/aggregation/v1/customers/1005061234"),
        ("PUT", "/aggregation/v1/customers/1005061234/accounts"),
        ("GET", "/aggregation/v1/customers/1005061234/transactions"),
        ("GET", "/aggregation/v2/customers/testing"),
        ("GET", "/aggregation/v1/customers/"),
        ("GET", "/aggregation/v1/partners/configuration/extra"),
    ] {
        let resp = send(&sb, method, path, &headers).await;
        assert_eq!(resp.status(), 200, "{method} {path}");
        let body: Value = resp.json().await.expect("JSON");
        assert_eq!(
            body,
            json!({ "ok": true, "partnerId": DEMO_ID, "path": path }),
            "{method} {path}"
        );
    }
    // Outside /aggregation/, only the documented method is served.
    let resp = send(&sb, "GET", "/connect/v2/generate", &headers).await;
    assert_eq!(resp.status(), 405);
    let resp = send(&sb, "GET", "/connect/v2/other", &headers).await;
    assert_eq!(resp.status(), 404);
    let resp = post_auth(&sb, Some(DEMO_KEY), &creds(DEMO_ID, DEMO_SECRET)).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(sb.stats().endpoint(&format!("POST {AUTH_PATH}")), 2);
}
