//! Finicity error codes and the shapes their bodies come in.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::ErrorStyle;

/// An error answer of the Finicity API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ApiError {
    /// 401 10026
    MissingAppKey,
    /// 401 10027
    InvalidAppKey,
    /// 401 10024
    MissingToken,
    /// 401 10022
    InvalidToken,
    /// 401 10023
    ExpiredToken,
    /// 401 10001
    InvalidCredentials,
    /// 401 10021 (App Key of another partner)
    NotAuthorized,
    /// 404 12401
    PartnerNotFound,
    /// 24302 with the configured status
    Locked(u16),
    /// 400 10005
    MissingPartnerId,
    /// 400 14020
    BadRequest,
    /// 400 24437
    SecretPolicy,
    /// 429, empty body
    TooManyRequests,
    /// 404 14001 (a customer ID the partner has no customer with)
    CustomerNotFound,
    /// 409 11000 (Add Testing Customer with a username already used)
    UsernameTaken,
}

impl ApiError {
    pub fn code(self) -> u32 {
        match self {
            ApiError::MissingAppKey => 10026,
            ApiError::InvalidAppKey => 10027,
            ApiError::MissingToken => 10024,
            ApiError::InvalidToken => 10022,
            ApiError::ExpiredToken => 10023,
            ApiError::InvalidCredentials => 10001,
            ApiError::NotAuthorized => 10021,
            ApiError::PartnerNotFound => 12401,
            ApiError::Locked(_) => 24302,
            ApiError::MissingPartnerId => 10005,
            ApiError::BadRequest => 14020,
            ApiError::SecretPolicy => 24437,
            ApiError::TooManyRequests => 429,
            ApiError::CustomerNotFound => 14001,
            ApiError::UsernameTaken => 11000,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            ApiError::MissingAppKey => "Missing parameter (Finicity-App-Key)",
            ApiError::InvalidAppKey => "Invalid (Finicity-App-Key)",
            ApiError::MissingToken => "Missing parameter (Finicity-App-Token)",
            ApiError::InvalidToken => "Invalid (Finicity-App-Token)",
            ApiError::ExpiredToken => "Expired (Finicity-App-Token)",
            ApiError::InvalidCredentials => "Invalid credentials",
            ApiError::NotAuthorized => "You are not authorized.",
            ApiError::PartnerNotFound => "partner not found",
            ApiError::Locked(_) => "Bad credentials",
            ApiError::MissingPartnerId => "Missing parameter (partnerId)",
            ApiError::BadRequest => "Bad request.",
            ApiError::SecretPolicy => "New password is not as per policy",
            ApiError::TooManyRequests => "Too Many Requests",
            ApiError::CustomerNotFound => "Customer not found.",
            ApiError::UsernameTaken => "Username already taken.",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ApiError::Locked(status) => status_or_500(status),
            ApiError::PartnerNotFound | ApiError::CustomerNotFound => StatusCode::NOT_FOUND,
            ApiError::UsernameTaken => StatusCode::CONFLICT,
            ApiError::MissingPartnerId | ApiError::BadRequest | ApiError::SecretPolicy => {
                StatusCode::BAD_REQUEST
            }
            ApiError::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::UNAUTHORIZED,
        }
    }

    /// The `Source` of the `Errors` shapes.
    fn source(self) -> &'static str {
        match self {
            ApiError::MissingAppKey | ApiError::InvalidAppKey => "Finicity-App-Key",
            ApiError::MissingToken | ApiError::InvalidToken | ApiError::ExpiredToken => {
                "Finicity-App-Token"
            }
            ApiError::MissingPartnerId | ApiError::PartnerNotFound => "partnerId",
            ApiError::SecretPolicy => "newPartnerSecret",
            ApiError::CustomerNotFound => "customerId",
            ApiError::UsernameTaken => "username",
            ApiError::BadRequest => "body",
            _ => "partnerSecret",
        }
    }

    /// The answer in this style. The 429 is empty whatever the style.
    pub fn render(self, style: ErrorStyle) -> Response {
        if self == ApiError::TooManyRequests {
            return self.status().into_response();
        }
        let code = self.code();
        let message = self.message();
        let (content_type, body) = match style {
            ErrorStyle::JsonNumber => (
                "application/json",
                json!({ "code": code, "message": message }).to_string(),
            ),
            ErrorStyle::JsonString => (
                "application/json",
                json!({ "code": code.to_string(), "message": message }).to_string(),
            ),
            ErrorStyle::ErrorsUpper => (
                "application/json",
                json!({ "Errors": { "Error": [{
                    "Source": self.source(),
                    "ReasonCode": code.to_string(),
                    "Description": message,
                    "Recoverable": false,
                    "Details": "",
                }]}})
                .to_string(),
            ),
            ErrorStyle::ErrorsLower => (
                "application/json",
                json!({ "errors": { "error": [{
                    "source": self.source(),
                    "reasonCode": code.to_string(),
                    "description": message,
                    "recoverable": false,
                    "details": "",
                }]}})
                .to_string(),
            ),
            ErrorStyle::Text => ("text/plain; charset=utf-8", message.to_string()),
            ErrorStyle::Xml => (
                "application/xml",
                format!(
                    "<error><code>{code}</code><message>{}</message></error>",
                    quick_xml::escape::escape(message)
                ),
            ),
        };
        (
            self.status(),
            [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
            body,
        )
            .into_response()
    }
}

/// A configured status, or 500 when it is not a valid HTTP status.
pub(crate) fn status_or_500(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}
