//! The few Finicity resources the sandbox really serves, and its OpenAPI document.
//!
//! They exist so that API clients generated from `sandbox/openapi.json` have real answers of the
//! documented shapes to deserialize (and a JSON body to send, with Add Testing Customer), not to
//! mimic Finicity's data: the customers and accounts are a fixed sample, the same for every
//! partner. Each handler first makes the check every protected resource makes
//! ([`crate::http::authorize`]), so tokens, expiry, lockout and the counters behave exactly as on
//! the `/aggregation/` catch-all.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use serde_json::json;

use crate::errors::ApiError;
use crate::http::{authorize, error_style};
use crate::state::Shared;

/// Path of the sandbox's OpenAPI document.
pub const OPENAPI_PATH: &str = "/openapi.json";

/// The sandbox's OpenAPI 3.0.3 document (`sandbox/openapi.json`), as served at [`OPENAPI_PATH`].
pub const OPENAPI_JSON: &str = include_str!("../openapi.json");

/// IDs given to testing customers, in order, after the sample ones.
const FIRST_ADDED_ID: u64 = 1_005_062_000;

/// 2026-01-01T00:00:00Z: when the sample data was "created", so that answers are reproducible.
const SAMPLE_EPOCH: u64 = 1_767_225_600;

const DEFAULT_LIMIT: usize = 25;
const MAX_LIMIT: usize = 1000;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Customer {
    id: String,
    username: String,
    first_name: String,
    last_name: String,
    #[serde(rename = "type")]
    kind: String,
    created_date: String,
}

#[derive(Clone, Copy)]
struct SampleAccount {
    id: &'static str,
    customer_id: &'static str,
    number: &'static str,
    name: &'static str,
    balance: f64,
    kind: &'static str,
    institution_id: &'static str,
}

/// (id, username, first name, last name, type), created a day apart from [`SAMPLE_EPOCH`].
const SAMPLE_CUSTOMERS: [(&str, &str, &str, &str, &str); 5] = [
    (
        "1005061234",
        "customerusername1",
        "John",
        "Smith",
        "testing",
    ),
    ("1005061235", "jane.doe", "Jane", "Doe", "active"),
    ("1005061236", "finbank.tester", "Fin", "Bank", "testing"),
    ("1005061237", "maria.garcia", "Maria", "Garcia", "active"),
    ("1005061238", "wei.chen", "Wei", "Chen", "testing"),
];

const SAMPLE_ACCOUNTS: [SampleAccount; 5] = [
    SampleAccount {
        id: "5011648377",
        customer_id: "1005061234",
        number: "8000008888",
        name: "Checking",
        balance: 501.24,
        kind: "checking",
        institution_id: "101732",
    },
    SampleAccount {
        id: "5011648378",
        customer_id: "1005061234",
        number: "8000005015",
        name: "Savings",
        balance: 1200.5,
        kind: "savings",
        institution_id: "101732",
    },
    SampleAccount {
        id: "5011648379",
        customer_id: "1005061235",
        number: "4000002222",
        name: "Credit Card",
        balance: -245.1,
        kind: "creditCard",
        institution_id: "101732",
    },
    SampleAccount {
        id: "5011648380",
        customer_id: "1005061236",
        number: "6000001111",
        name: "Roth IRA",
        balance: 15320.0,
        kind: "roth",
        institution_id: "102105",
    },
    SampleAccount {
        id: "5011648381",
        customer_id: "1005061237",
        number: "8000003333",
        name: "Everyday Checking",
        balance: 87.0,
        kind: "checking",
        institution_id: "102105",
    },
];

impl SampleAccount {
    fn to_json(self, index: usize) -> serde_json::Value {
        let last4 = &self.number[self.number.len().saturating_sub(4)..];
        // Spread in time so that a client sorting by date sees distinct values.
        let created = SAMPLE_EPOCH + 3600 * index as u64;
        json!({
            "id": self.id,
            "number": self.number,
            "accountNumberDisplay": last4,
            "name": self.name,
            "balance": self.balance,
            "type": self.kind,
            "status": "active",
            "customerId": self.customer_id,
            "institutionId": self.institution_id,
            "balanceDate": created + 86_400,
            "createdDate": created,
            "currency": "USD",
        })
    }
}

/// Every customer: the samples, then the testing customers added since the start.
pub(crate) struct Directory {
    inner: Mutex<DirectoryState>,
}

struct DirectoryState {
    customers: Vec<Customer>,
    next_id: u64,
}

impl Directory {
    pub fn new() -> Self {
        let customers = SAMPLE_CUSTOMERS
            .iter()
            .enumerate()
            .map(|(i, (id, username, first, last, kind))| Customer {
                id: (*id).to_owned(),
                username: (*username).to_owned(),
                first_name: (*first).to_owned(),
                last_name: (*last).to_owned(),
                kind: (*kind).to_owned(),
                created_date: (SAMPLE_EPOCH + 86_400 * i as u64).to_string(),
            })
            .collect();
        Directory {
            inner: Mutex::new(DirectoryState {
                customers,
                next_id: FIRST_ADDED_ID,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, DirectoryState> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn find(&self, id: &str) -> Option<Customer> {
        self.lock().customers.iter().find(|c| c.id == id).cloned()
    }
}

impl Default for Directory {
    fn default() -> Self {
        Self::new()
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn refuse(shared: &Shared, headers: &HeaderMap, err: ApiError) -> Response {
    err.render(error_style(shared, headers))
}

/// `GET /openapi.json`: no credentials, so that a generator can read it from a running sandbox.
pub(crate) async fn openapi(State(shared): State<Arc<Shared>>, method: Method) -> Response {
    shared
        .lock()
        .count_endpoint(format!("{method} {OPENAPI_PATH}"));
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON).into_response()
}

struct CustomerQuery {
    search: Option<String>,
    username: Option<String>,
    start: usize,
    limit: usize,
    kind: Option<String>,
}

/// Reads the query by hand so that a malformed one is Finicity's 400, not axum's plain-text one.
fn parse_customer_query(raw: Option<&str>) -> Result<CustomerQuery, ApiError> {
    let mut q = CustomerQuery {
        search: None,
        username: None,
        start: 1,
        limit: DEFAULT_LIMIT,
        kind: None,
    };
    let number = |v: &str, max: usize| -> Result<usize, ApiError> {
        v.trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or(ApiError::BadRequest)
    };
    for (key, value) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let value = value.trim();
        match key.as_ref() {
            "search" if !value.is_empty() && value != "*" => q.search = Some(value.to_lowercase()),
            "username" if !value.is_empty() => q.username = Some(value.to_owned()),
            "start" => q.start = number(value, usize::MAX)?,
            "limit" => q.limit = number(value, MAX_LIMIT)?,
            "type" if !value.is_empty() => q.kind = Some(value.to_owned()),
            _ => {}
        }
    }
    Ok(q)
}

impl CustomerQuery {
    fn matches(&self, c: &Customer) -> bool {
        let search = self.search.as_deref().is_none_or(|s| {
            [&c.username, &c.first_name, &c.last_name]
                .iter()
                .any(|field| field.to_lowercase().contains(s))
        });
        search
            && self.username.as_deref().is_none_or(|u| c.username == u)
            && self.kind.as_deref().is_none_or(|k| c.kind == k)
    }
}

/// `GET /aggregation/v1/customers` (Get Customers).
pub(crate) async fn get_customers(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(refused) = authorize(&shared, &method, &uri, &headers) {
        return *refused;
    }
    let query = match parse_customer_query(raw.as_deref()) {
        Ok(q) => q,
        Err(err) => return refuse(&shared, &headers, err),
    };
    let found: Vec<Customer> = shared
        .resources
        .lock()
        .customers
        .iter()
        .filter(|c| query.matches(c))
        .cloned()
        .collect();
    let page: Vec<&Customer> = found
        .iter()
        .skip(query.start - 1)
        .take(query.limit)
        .collect();
    let more = (query.start - 1).saturating_add(page.len()) < found.len();
    Json(json!({
        "found": found.len(),
        "displaying": page.len(),
        "moreAvailable": more,
        "createdDate": now_secs().to_string(),
        "customers": page,
    }))
    .into_response()
}

/// `GET /aggregation/v1/customers/{customerId}` (Get Customer by ID).
pub(crate) async fn get_customer(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    if let Err(refused) = authorize(&shared, &method, &uri, &headers) {
        return *refused;
    }
    let Ok(Path(id)) = id else {
        return refuse(&shared, &headers, ApiError::BadRequest);
    };
    match shared.resources.find(&id) {
        Some(customer) => Json(customer).into_response(),
        None => refuse(&shared, &headers, ApiError::CustomerNotFound),
    }
}

/// `GET /aggregation/v1/customers/{customerId}/accounts` (Get Customer Accounts).
pub(crate) async fn get_customer_accounts(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    if let Err(refused) = authorize(&shared, &method, &uri, &headers) {
        return *refused;
    }
    let Ok(Path(id)) = id else {
        return refuse(&shared, &headers, ApiError::BadRequest);
    };
    if shared.resources.find(&id).is_none() {
        return refuse(&shared, &headers, ApiError::CustomerNotFound);
    }
    let accounts: Vec<serde_json::Value> = SAMPLE_ACCOUNTS
        .iter()
        .enumerate()
        .filter(|(_, a)| a.customer_id == id)
        .map(|(i, a)| a.to_json(i))
        .collect();
    Json(json!({ "accounts": accounts })).into_response()
}

/// A JSON body's string field: `Ok(None)` when absent, null or blank, `Err` for another type.
fn string_field(
    object: &serde_json::Map<String, serde_json::Value>,
    key: &str,
) -> Result<Option<String>, ApiError> {
    match object.get(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(_) => Err(ApiError::BadRequest),
    }
}

fn json_object(body: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
    match serde_json::from_slice(body) {
        Ok(serde_json::Value::Object(object)) => Ok(object),
        _ => Err(ApiError::BadRequest),
    }
}

struct NewCustomer {
    username: String,
    first_name: String,
    last_name: String,
}

fn parse_new_customer(body: &[u8]) -> Result<NewCustomer, ApiError> {
    let object = json_object(body)?;
    let required = |key: &str| string_field(&object, key)?.ok_or(ApiError::BadRequest);
    // phone and email are accepted and checked for type, but the sandbox keeps neither.
    string_field(&object, "phone")?;
    string_field(&object, "email")?;
    Ok(NewCustomer {
        username: required("username")?,
        first_name: required("firstName")?,
        last_name: required("lastName")?,
    })
}

/// `POST /aggregation/v2/customers/testing` (Add Testing Customer).
pub(crate) async fn add_testing_customer(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refused) = authorize(&shared, &method, &uri, &headers) {
        return *refused;
    }
    let new = match parse_new_customer(&body) {
        Ok(new) => new,
        Err(err) => return refuse(&shared, &headers, err),
    };
    let created = {
        let mut directory = shared.resources.lock();
        if directory
            .customers
            .iter()
            .any(|c| c.username.eq_ignore_ascii_case(&new.username))
        {
            None
        } else {
            let customer = Customer {
                id: directory.next_id.to_string(),
                username: new.username,
                first_name: new.first_name,
                last_name: new.last_name,
                kind: "testing".to_owned(),
                created_date: now_secs().to_string(),
            };
            directory.next_id += 1;
            directory.customers.push(customer.clone());
            Some(customer)
        }
    };
    match created {
        Some(c) => (
            StatusCode::CREATED,
            Json(json!({ "id": c.id, "username": c.username, "createdDate": c.created_date })),
        )
            .into_response(),
        None => refuse(&shared, &headers, ApiError::UsernameTaken),
    }
}

/// `POST /connect/v2/generate` (Generate Connect URL).
pub(crate) async fn generate_connect_url(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let partner_id = match authorize(&shared, &method, &uri, &headers) {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    match connect_link(&shared, &partner_id, &body) {
        Ok(link) => Json(json!({ "link": link })).into_response(),
        Err(err) => refuse(&shared, &headers, err),
    }
}

fn connect_link(shared: &Shared, partner_id: &str, body: &[u8]) -> Result<String, ApiError> {
    let object = json_object(body)?;
    let named_partner = string_field(&object, "partnerId")?.ok_or(ApiError::MissingPartnerId)?;
    let customer_id = string_field(&object, "customerId")?.ok_or(ApiError::BadRequest)?;
    let redirect_uri = string_field(&object, "redirectUri")?;
    for optional in ["webhook", "experience", "language"] {
        string_field(&object, optional)?;
    }
    if named_partner != partner_id {
        return Err(ApiError::NotAuthorized);
    }
    if shared.resources.find(&customer_id).is_none() {
        return Err(ApiError::CustomerNotFound);
    }
    let timestamp = now_secs();
    // Looks like Connect's signature and changes with its inputs; it signs nothing.
    let mut hasher = DefaultHasher::new();
    (partner_id, &customer_id, timestamp).hash(&mut hasher);
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query
        .append_pair("customerId", &customer_id)
        .append_pair("partnerId", partner_id)
        .append_pair("signature", &format!("{:016x}", hasher.finish()))
        .append_pair("timestamp", &timestamp.to_string())
        .append_pair("ttl", &(timestamp + 7200).to_string());
    if let Some(uri) = redirect_uri {
        query.append_pair("redirectUri", &uri);
    }
    Ok(format!("https://connect2.finicity.com/?{}", query.finish()))
}

/// `GET /aggregation/v1/partners/configuration`: the settings in force for the calling partner.
pub(crate) async fn get_partner_configuration(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let partner_id = match authorize(&shared, &method, &uri, &headers) {
        Ok(p) => p,
        Err(refused) => return *refused,
    };
    let settings = shared.lock().settings.clone();
    Json(json!({
        "partnerId": partner_id,
        "appName": "finauth sandbox",
        "tokenLifetimeSeconds": settings.token_lifetime.as_secs(),
        "lockoutThreshold": settings.lockout_threshold,
        "errorStyle": settings.error_style.name(),
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_is_json_with_the_operations_the_router_serves() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI_JSON).unwrap_or_default();
        assert_eq!(doc["openapi"], "3.0.3");
        let paths = doc["paths"].as_object().map(|p| p.len()).unwrap_or(0);
        assert_eq!(paths, 8);
        assert!(doc["components"]["schemas"]["Configuration"].is_object());
    }

    #[test]
    fn malformed_queries_are_finicity_bad_requests() {
        assert!(parse_customer_query(Some("start=0")).is_err());
        assert!(parse_customer_query(Some("limit=1001")).is_err());
        assert!(parse_customer_query(Some("limit=x")).is_err());
        let q = parse_customer_query(Some("search=*&start=2&limit=3&type=")).ok();
        let q = q.map(|q| (q.search, q.start, q.limit, q.kind));
        assert_eq!(q, Some((None, 2, 3, None)));
    }

    #[test]
    fn new_customers_need_the_three_names_as_strings() {
        assert!(parse_new_customer(br#"{"username":"a","firstName":"b"}"#).is_err());
        assert!(parse_new_customer(br#"{"username":"a","firstName":"b","lastName":7}"#).is_err());
        assert!(parse_new_customer(b"[]").is_err());
        let ok = parse_new_customer(br#"{"username":" a ","firstName":"b","lastName":"c"}"#);
        assert_eq!(ok.map(|n| n.username).ok().as_deref(), Some("a"));
    }
}
