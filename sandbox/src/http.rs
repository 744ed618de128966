//! The Finicity-compatible HTTP surface.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use quick_xml::events::Event;
use quick_xml::Reader;

use crate::errors::{status_or_500, ApiError};
use crate::resources as res;
use crate::state::{AuthFields, Shared};
use crate::{admin, ErrorStyle, Fault, AUTH_PATH};

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(AUTH_PATH, any(auth_endpoint))
        .route(crate::OPENAPI_PATH, get(res::openapi))
        // The documented operations; other methods on their paths keep the catch-all's answer.
        .route(
            "/aggregation/v1/customers",
            get(res::get_customers).fallback(resource),
        )
        .route(
            "/aggregation/v1/customers/{customer_id}",
            get(res::get_customer).fallback(resource),
        )
        .route(
            "/aggregation/v1/customers/{customer_id}/accounts",
            get(res::get_customer_accounts).fallback(resource),
        )
        .route(
            "/aggregation/v2/customers/testing",
            post(res::add_testing_customer).fallback(resource),
        )
        .route(
            "/aggregation/v1/partners/configuration",
            get(res::get_partner_configuration).fallback(resource),
        )
        .route("/connect/v2/generate", post(res::generate_connect_url))
        .route("/aggregation/{*rest}", any(resource))
        .route(crate::OAUTH1_PATH, any(crate::oauth1::endpoint))
        .route(crate::ENCRYPTED_PATH, any(crate::encrypted::endpoint))
        .route("/encrypted/{*rest}", any(crate::encrypted::endpoint))
        .route("/oauth1/{*rest}", any(crate::oauth1::endpoint))
        .route(crate::OAUTH2_TOKEN_PATH, any(crate::oauth2::token_endpoint))
        .route(
            "/.well-known/oauth-authorization-server/oauth2",
            get(crate::oauth2::metadata),
        )
        .route(
            "/oauth2/.well-known/openid-configuration",
            get(crate::oauth2::metadata),
        )
        .route(crate::OAUTH2_RESOURCE_PATH, any(crate::oauth2::resource))
        .route("/oauth2/resource/{*rest}", any(crate::oauth2::resource))
        .nest("/__admin", admin::router())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            crate::script::layer,
        ))
        .with_state(shared)
}

fn endpoint_key(method: &Method, uri: &Uri) -> String {
    format!("{method} {}", uri.path())
}

/// A header's value, `None` when absent, empty or not visible ASCII.
fn header_str<'a>(headers: &'a HeaderMap, names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|name| {
        headers
            .get(*name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    })
}

/// Whether the request is in legacy XML, or asks for XML only.
fn wants_xml(headers: &HeaderMap, body: &[u8]) -> bool {
    let content_type = header_str(headers, &["content-type"]).map(str::to_ascii_lowercase);
    let xml_body = match &content_type {
        Some(ct) => ct.contains("xml"),
        None => body.trim_ascii_start().starts_with(b"<"),
    };
    let xml_accept = header_str(headers, &["accept"])
        .map(str::to_ascii_lowercase)
        .is_some_and(|a| a.contains("xml") && !a.contains("json") && !a.contains("*/*"));
    xml_body || xml_accept
}

fn is_xml_request(headers: &HeaderMap, body: &[u8]) -> bool {
    match header_str(headers, &["content-type"]) {
        Some(ct) => ct.to_ascii_lowercase().contains("xml"),
        None => body.trim_ascii_start().starts_with(b"<"),
    }
}

/// Reads the body's fields; `Err` when it is not well-formed JSON (object) / XML.
fn parse_fields(xml: bool, body: &[u8]) -> Result<AuthFields, ()> {
    if xml {
        parse_xml_fields(body)
    } else {
        parse_json_fields(body)
    }
}

fn parse_json_fields(body: &[u8]) -> Result<AuthFields, ()> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|_| ())?;
    let object = value.as_object().ok_or(())?;
    let string = |key: &str| -> Result<Option<String>, ()> {
        match object.get(key) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) if s.is_empty() => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(()),
        }
    };
    let immediate = match object.get("immediate") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::Bool(b)) => Some(Ok(*b)),
        Some(serde_json::Value::String(s)) => Some(parse_bool(s)),
        Some(_) => Some(Err(())),
    };
    Ok(AuthFields {
        partner_id: string("partnerId")?,
        partner_secret: string("partnerSecret")?,
        new_partner_secret: string("newPartnerSecret")?,
        immediate,
    })
}

fn parse_bool(s: &str) -> Result<bool, ()> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(()),
    }
}

/// `<credentials><partnerId>..</partnerId><partnerSecret>..</partnerSecret></credentials>`
/// (any root element name; also `newPartnerSecret` and `immediate` for a modify).
fn parse_xml_fields(body: &[u8]) -> Result<AuthFields, ()> {
    let text = std::str::from_utf8(body).map_err(|_| ())?;
    let mut reader = Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    let mut seen_root = false;
    let mut current = String::new();
    let mut fields = AuthFields::default();
    loop {
        match reader.read_event().map_err(|_| ())? {
            Event::Start(start) => {
                if path.is_empty() && seen_root {
                    return Err(());
                }
                seen_root = true;
                path.push(start.local_name().as_ref().to_string());
                current.clear();
            }
            Event::Empty(_) if path.is_empty() => {
                if seen_root {
                    return Err(());
                }
                seen_root = true;
            }
            Event::Text(t) => current.push_str(&t.xml10_content()),
            Event::CData(c) => current.push_str(&c.into_inner()),
            Event::GeneralRef(r) => {
                if let Some(ch) = r.resolve_char_ref().map_err(|_| ())? {
                    current.push(ch);
                } else {
                    let resolved = quick_xml::escape::resolve_predefined_entity(&r).ok_or(())?;
                    current.push_str(resolved);
                }
            }
            Event::End(_) => {
                let name = path.pop().ok_or(())?;
                if path.len() == 1 {
                    let value = current.trim().to_string();
                    let value = (!value.is_empty()).then_some(value);
                    match name.as_str() {
                        "partnerId" => fields.partner_id = value,
                        "partnerSecret" => fields.partner_secret = value,
                        "newPartnerSecret" => fields.new_partner_secret = value,
                        "immediate" => fields.immediate = value.map(|v| parse_bool(&v)),
                        _ => {}
                    }
                }
                current.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root || !path.is_empty() {
        return Err(());
    }
    Ok(fields)
}

fn style_for(xml: bool, configured: ErrorStyle) -> ErrorStyle {
    if xml {
        ErrorStyle::Xml
    } else {
        configured
    }
}

/// `POST` (Create Access Token) and `PUT` (Modify Partner Secret) on [`AUTH_PATH`].
async fn auth_endpoint(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    {
        let mut inner = shared.lock();
        inner.count_endpoint(endpoint_key(&method, &uri));
        inner.count_auth_user_agent(header_str(&headers, &["user-agent"]).unwrap_or("-"));
    }
    if method == Method::POST {
        authenticate(&shared, &headers, &body).await
    } else if method == Method::PUT {
        modify(&shared, &headers, &body).await
    } else {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            [(header::ALLOW, HeaderValue::from_static("POST, PUT"))],
        )
            .into_response()
    }
}

async fn authenticate(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Response {
    let xml_request = is_xml_request(headers, body);
    let xml = wants_xml(headers, body);
    let fields = parse_fields(xml_request, body);
    let (fault, latency) = {
        let mut inner = shared.lock();
        let fault = inner.begin_authenticate(fields.as_ref().ok());
        (fault, inner.settings.latency)
    };
    let delay = match &fault {
        Some(Fault::Delay(d)) => *d,
        _ => Duration::ZERO,
    };
    sleep(latency + delay).await;
    match fault {
        Some(Fault::Status {
            status,
            content_type,
            body,
        }) => {
            tracing::debug!(status, "finauth-sandbox: injected status fault");
            let mut response = (status_or_500(status), body).into_response();
            let headers = response.headers_mut();
            headers.remove(header::CONTENT_TYPE);
            if let Some(ct) = content_type.and_then(|ct| HeaderValue::from_str(&ct).ok()) {
                headers.insert(header::CONTENT_TYPE, ct);
            }
            return response;
        }
        Some(Fault::TruncatedBody) => {
            tracing::debug!("finauth-sandbox: injected truncated body");
            return truncated_body();
        }
        Some(Fault::Throttled { retry_after_secs }) => {
            tracing::debug!(retry_after_secs, "finauth-sandbox: injected 429");
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, retry_after_secs.to_string())],
            )
                .into_response();
        }
        Some(Fault::Locked) => {
            tracing::debug!("finauth-sandbox: injected locked fault");
            let style = style_for(xml, shared.lock().settings.error_style);
            return ApiError::Locked(500).render(style);
        }
        Some(Fault::Delay(_)) | None => {}
    }
    let app_key = header_str(headers, &["finicity-app-key"]);
    let (outcome, style) = {
        let mut inner = shared.lock();
        let outcome = inner.authenticate(app_key, fields.as_ref().map_err(|_| ()));
        (outcome, style_for(xml, inner.settings.error_style))
    };
    match outcome {
        Ok(token) => {
            tracing::debug!("finauth-sandbox: token issued");
            crate::token_log::record(&token);
            if xml {
                (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/xml")],
                    format!("<access><token>{token}</token></access>"),
                )
                    .into_response()
            } else {
                (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    serde_json::json!({ "token": token }).to_string(),
                )
                    .into_response()
            }
        }
        Err(err) => {
            tracing::debug!(code = err.code(), "finauth-sandbox: authentication refused");
            err.render(style)
        }
    }
}

async fn modify(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Response {
    let xml_request = is_xml_request(headers, body);
    let xml = wants_xml(headers, body);
    let fields = parse_fields(xml_request, body);
    let latency = {
        let mut inner = shared.lock();
        inner.begin_modify(fields.as_ref().ok());
        inner.settings.latency
    };
    sleep(latency).await;
    let app_key = header_str(headers, &["finicity-app-key"]);
    let (outcome, style) = {
        let mut inner = shared.lock();
        let outcome = inner.modify(app_key, fields.as_ref().map_err(|_| ()));
        (outcome, style_for(xml, inner.settings.error_style))
    };
    match outcome {
        Ok(()) => {
            tracing::debug!("finauth-sandbox: partner secret modified");
            StatusCode::NO_CONTENT.into_response()
        }
        Err(err) => {
            tracing::debug!(code = err.code(), "finauth-sandbox: modify refused");
            err.render(style)
        }
    }
}

async fn sleep(d: Duration) {
    if !d.is_zero() {
        tokio::time::sleep(d).await;
    }
}

/// A 200 promising more than it sends: the head and part of a JSON body, a pause (so they
/// are flushed to the client), then a broken stream, which makes the server drop the
/// connection.
fn truncated_body() -> Response {
    const PART: &str = r#"{"token":"Trunc"#;
    let stream = futures_util::stream::unfold(0u8, |step| async move {
        match step {
            0 => Some((Ok(Bytes::from_static(PART.as_bytes())), 1)),
            1 => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                Some((
                    Err(std::io::Error::new(
                        std::io::ErrorKind::ConnectionAborted,
                        "finauth-sandbox: injected truncated body",
                    )),
                    2,
                ))
            }
            _ => None,
        }
    });
    let mut response = Response::new(Body::from_stream(stream));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(PART.len() + 64));
    response
}

/// Any other path under `/aggregation/`: checks App Key and App Token.
async fn resource(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    match authorize(&shared, &method, &uri, &headers) {
        Ok(partner_id) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({ "ok": true, "partnerId": partner_id, "path": uri.path() })
                .to_string(),
        )
            .into_response(),
        Err(refused) => *refused,
    }
}

/// The check every protected resource makes first: counts the endpoint, checks App Key and App
/// Token, and gives the token's Partner ID, or the error answer to send as it is.
pub(crate) fn authorize(
    shared: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<String, Box<Response>> {
    let app_key = header_str(headers, &["finicity-app-key", "app-key"]);
    let token = header_str(headers, &["finicity-app-token", "app-token"]);
    let xml = wants_xml(headers, b"");
    let (outcome, style) = {
        let mut inner = shared.lock();
        inner.count_endpoint(endpoint_key(method, uri));
        let outcome = inner.check_resource(app_key, token);
        (outcome, style_for(xml, inner.settings.error_style))
    };
    outcome.map_err(|err| {
        tracing::debug!(
            code = err.code(),
            path = uri.path(),
            "finauth-sandbox: resource refused"
        );
        Box::new(err.render(style))
    })
}

/// The error style for an answer to these request headers (XML when only XML is accepted).
pub(crate) fn error_style(shared: &Shared, headers: &HeaderMap) -> ErrorStyle {
    style_for(wants_xml(headers, b""), shared.lock().settings.error_style)
}

async fn not_found(State(shared): State<Arc<Shared>>, method: Method, uri: Uri) -> Response {
    if !uri.path().starts_with("/__admin") {
        shared.lock().count_endpoint(endpoint_key(&method, &uri));
    }
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "Not Found",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_credentials_are_read_with_entities_and_cdata() {
        let body = br#"<?xml version="1.0"?><credentials><partnerId>p&amp;1</partnerId><partnerSecret><![CDATA[s<2]]></partnerSecret></credentials>"#;
        let fields = parse_xml_fields(body).unwrap_or_default();
        assert_eq!(fields.partner_id.as_deref(), Some("p&1"));
        assert_eq!(fields.partner_secret.as_deref(), Some("s<2"));
    }

    #[test]
    fn malformed_xml_is_rejected() {
        assert!(parse_xml_fields(b"<credentials><partnerId>x</partnerId>").is_err());
        assert!(parse_xml_fields(b"").is_err());
        assert!(parse_xml_fields(b"<a></b>").is_err());
    }

    #[test]
    fn json_fields_of_the_wrong_type_are_a_bad_request() {
        assert!(parse_json_fields(br#"{"partnerId": 5}"#).is_err());
        assert!(parse_json_fields(b"[]").is_err());
        let f = parse_json_fields(br#"{"partnerId":"a","immediate":"false"}"#).unwrap_or_default();
        assert_eq!(f.immediate, Some(Ok(false)));
    }
}
