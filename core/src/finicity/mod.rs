//! Finicity (Mastercard Open Finance US) partner authentication.

mod config;
mod headers;
mod partner;
pub mod response;
pub(crate) mod source;

pub use config::{PartnerAuthBuilder, DEFAULT_BASE_URL};
pub use headers::FinicityHeaders;
pub use partner::PartnerAuth;
pub use response::ResourceVerdict;

/// Path of Create Access Token (POST) and Modify Partner Secret (PUT).
pub const AUTH_PATH: &str = "/aggregation/v2/partners/authentication";
/// The header names Finicity reads.
pub const APP_KEY_HEADER: &str = "Finicity-App-Key";
pub const APP_TOKEN_HEADER: &str = "Finicity-App-Token";
