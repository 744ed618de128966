//! C binding of finauth: `libfinauth.so` / `libfinauth.a` and the cbindgen header
//! `include/finauth.h` (plus the header-only C++17 wrapper `include/finauth.hpp`).
//!
//! It is conversion only: C strings, handles, status codes and out-parameters in, calls to
//! `finauth::blocking::PartnerAuth` and the stores of the core crate, status codes and out-parameters
//! back. It owns no authentication logic. Every entry point runs inside `catch_unwind`, checks
//! NULL and UTF-8, and reports failures through a status plus a thread-local last error.
#![allow(non_camel_case_types)]

mod client_credentials;
mod encryption;
mod error;
mod exchange;
mod ffi_util;
mod headers;
mod oauth1;
mod partner_auth;
mod store;
mod strings;

pub use client_credentials::{
    finauth_client_credentials, finauth_client_credentials_config, finauth_client_credentials_free,
    finauth_client_credentials_from_env, finauth_client_credentials_guard_status,
    finauth_client_credentials_headers, finauth_client_credentials_invalidate,
    finauth_client_credentials_learn_nonce, finauth_client_credentials_new,
    finauth_client_credentials_reset_guard, finauth_client_credentials_stats,
    finauth_client_credentials_token,
};
pub use encryption::{
    finauth_decryption_key, finauth_decryption_key_free, finauth_decryption_key_from_bytes,
    finauth_decryption_key_from_file, finauth_encryption_certificate,
    finauth_encryption_certificate_free, finauth_encryption_certificate_from_bytes,
    finauth_encryption_certificate_from_file, finauth_encryption_certificate_key_fingerprint,
    finauth_mastercard_auth, finauth_mastercard_auth_free, finauth_mastercard_auth_new,
    finauth_mastercard_auth_prepare, finauth_mastercard_auth_response, finauth_payload_encryption,
    finauth_payload_encryption_decrypt, finauth_payload_encryption_encrypt,
    finauth_payload_encryption_free, finauth_payload_encryption_new,
};
pub use error::{
    finauth_error_info, finauth_last_error_correlation_id, finauth_last_error_info,
    finauth_last_error_message, finauth_last_error_oauth_error,
    finauth_last_error_oauth_error_description, finauth_status, finauth_status_name,
};
pub use headers::{
    finauth_headers, finauth_headers_count, finauth_headers_free, finauth_headers_name,
    finauth_headers_token, finauth_headers_value,
};
pub use oauth1::{
    finauth_oauth1_authorization_header, finauth_oauth1_authorization_header_with,
    finauth_oauth1_signer, finauth_oauth1_signer_free, finauth_oauth1_signer_new,
    finauth_signing_key, finauth_signing_key_bits, finauth_signing_key_free,
    finauth_signing_key_from_file, finauth_signing_key_from_pem, finauth_signing_key_from_pkcs12,
    finauth_signing_key_public_jwk,
};
pub use partner_auth::{
    finauth_guard_status, finauth_partner_auth, finauth_partner_auth_config,
    finauth_partner_auth_free, finauth_partner_auth_from_env, finauth_partner_auth_guard_status,
    finauth_partner_auth_headers, finauth_partner_auth_invalidate,
    finauth_partner_auth_modify_secret, finauth_partner_auth_new,
    finauth_partner_auth_observe_response, finauth_partner_auth_reset_guard,
    finauth_partner_auth_set_app_key, finauth_partner_auth_stats, finauth_partner_auth_token,
    finauth_resource_verdict, finauth_stats,
};
pub use store::{
    finauth_store, finauth_store_file_new, finauth_store_free, finauth_store_from_spec,
    finauth_store_memory_new, finauth_store_redis_new,
};
pub use strings::{finauth_string_free, finauth_version};
