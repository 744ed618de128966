// finauth.hpp: header-only C++17 wrapper over the C API of libfinauth (finauth.h).
//
// Handles are move-only RAII objects; results are std::string; every failure throws an exception
// of the class of its kind, all deriving from finauth::Error (itself a std::runtime_error) and
// carrying the error's fields. Hand-written (finauth.h is the generated part); link with
// `pkg-config --cflags --libs finauth`.
//
//   auto auth = finauth::PartnerAuth::from_env();
//   std::string token = auth.token();
//   for (const auto &[name, value] : auth.headers()) { ... }
//   auto cc = finauth::ClientCredentials::from_env();   // OAuth 2.0 client credentials
//   finauth::Headers h = cc.headers("GET", url);
#ifndef FINAUTH_HPP
#define FINAUTH_HPP

#include "finauth.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace finauth {

/// The OAuth 2.0 error answer behind an error (RFC 6749 §5.2), each field absent if not sent.
struct OAuthErrorFields {
  std::optional<std::string> error;              ///< "invalid_client", "invalid_scope", ...
  std::optional<std::string> error_description;  ///< the server's explanation
  std::optional<std::string> correlation_id;     ///< the server's id for a support ticket
};

/// Base of every finauth exception: the status, the kind name of the API and the error's fields
/// (std::nullopt when a field does not apply to the kind).
class Error : public std::runtime_error {
 public:
  Error(finauth_status status, const std::string &message, const finauth_error_info &info,
        OAuthErrorFields oauth = {})
      : std::runtime_error(message), status_(status), kind_(info.kind ? info.kind : ""),
        guard_reason_(info.guard_reason ? info.guard_reason : ""), oauth_(std::move(oauth)) {
    if (info.attempts_remaining >= 0) attempts_remaining_ = static_cast<uint32_t>(info.attempts_remaining);
    if (info.failed_attempts >= 0) failed_attempts_ = static_cast<uint32_t>(info.failed_attempts);
    if (info.retry_after >= 0.0) retry_after_ = info.retry_after;
    if (info.http_status >= 0) http_status_ = static_cast<uint16_t>(info.http_status);
    if (info.code >= 0) code_ = static_cast<uint32_t>(info.code);
  }

  /// The C status (FINAUTH_ERR_*).
  finauth_status status() const noexcept { return status_; }
  /// The kind name of the API: "INVALID_CREDENTIALS", "LOCKOUT_GUARD", ...
  const std::string &kind() const noexcept { return kind_; }
  /// INVALID_CREDENTIALS: attempts left before the lockout guard stops.
  std::optional<uint32_t> attempts_remaining() const noexcept { return attempts_remaining_; }
  /// LOCKOUT_GUARD: credential failures recorded since the last success.
  std::optional<uint32_t> failed_attempts() const noexcept { return failed_attempts_; }
  /// LOCKOUT_GUARD: "secret_rejected", "attempts_exhausted" or "secret_retired"; "" otherwise.
  const std::string &guard_reason() const noexcept { return guard_reason_; }
  /// RATE_LIMITED: seconds the server asked to wait, if it said.
  std::optional<double> retry_after() const noexcept { return retry_after_; }
  /// UNAUTHORIZED, SERVER: the HTTP status.
  std::optional<uint16_t> http_status() const noexcept { return http_status_; }
  /// The Finicity error code, if the server sent one (24302 for ACCOUNT_LOCKED).
  std::optional<uint32_t> code() const noexcept { return code_; }
  /// OAuth 2.0 (INVALID_CREDENTIALS, SERVER): the RFC 6749 `error` ("invalid_client", ...).
  const std::optional<std::string> &oauth_error() const noexcept { return oauth_.error; }
  /// OAuth 2.0: the server's `error_description`, if it sent one.
  const std::optional<std::string> &error_description() const noexcept {
    return oauth_.error_description;
  }
  /// OAuth 2.0: the server's correlation id (Correlation-Id, X-Request-Id, ...), if it sent one.
  const std::optional<std::string> &correlation_id() const noexcept { return oauth_.correlation_id; }

 private:
  finauth_status status_;
  std::string kind_;
  std::string guard_reason_;
  std::optional<uint32_t> attempts_remaining_;
  std::optional<uint32_t> failed_attempts_;
  std::optional<double> retry_after_;
  std::optional<uint16_t> http_status_;
  std::optional<uint32_t> code_;
  OAuthErrorFields oauth_;
};

#define FINAUTH_HPP_ERROR_CLASS(NAME)  \
  class NAME : public Error {          \
   public:                             \
    using Error::Error;                \
  };
/// Bad configuration or argument value.
FINAUTH_HPP_ERROR_CLASS(ConfigError)
/// The server rejected the partner id / secret (see attempts_remaining()).
FINAUTH_HPP_ERROR_CLASS(InvalidCredentialsError)
/// The Partner ID is locked by the server (code 24302).
FINAUTH_HPP_ERROR_CLASS(AccountLockedError)
/// Refused locally by the lockout guard (see failed_attempts(), guard_reason()).
FINAUTH_HPP_ERROR_CLASS(LockoutGuardError)
/// HTTP 429 / rate limit; on authentication most often a wrong App Key (see retry_after()).
FINAUTH_HPP_ERROR_CLASS(RateLimitedError)
/// A resource rejected the token (see http_status(), code()).
FINAUTH_HPP_ERROR_CLASS(UnauthorizedError)
/// Any other HTTP error (see http_status(), code()).
FINAUTH_HPP_ERROR_CLASS(ServerError)
/// Network failure.
FINAUTH_HPP_ERROR_CLASS(TransportError)
/// A request or a wait for a token timed out.
FINAUTH_HPP_ERROR_CLASS(TimeoutError)
/// A store could not be reached or holds data it cannot read.
FINAUTH_HPP_ERROR_CLASS(StoreError)
/// A signing key could not be loaded.
FINAUTH_HPP_ERROR_CLASS(SigningKeyError)
/// A payload could not be decrypted (tampered, truncated, not for this key) or is not JSON.
FINAUTH_HPP_ERROR_CLASS(EncryptionError)
/// A null handle (e.g. a moved-from object) or a string that is not UTF-8.
FINAUTH_HPP_ERROR_CLASS(InvalidArgumentError)
/// A bug caught at the boundary.
FINAUTH_HPP_ERROR_CLASS(InternalError)
#undef FINAUTH_HPP_ERROR_CLASS

namespace detail {

inline std::optional<std::string> optional_string(const char *s) {
  return s ? std::optional<std::string>(s) : std::nullopt;
}

/// Throw the exception of `status`, with this thread's last error message and fields.
[[noreturn]] inline void throw_status(finauth_status status) {
  finauth_error_info info{};
  finauth_last_error_info(&info);
  const char *m = finauth_last_error_message();
  std::string message = (m && *m) ? m : finauth_status_name(status);
  OAuthErrorFields o{optional_string(finauth_last_error_oauth_error()),
                     optional_string(finauth_last_error_oauth_error_description()),
                     optional_string(finauth_last_error_correlation_id())};
  switch (status) {
    case FINAUTH_ERR_CONFIG: throw ConfigError(status, message, info, std::move(o));
    case FINAUTH_ERR_INVALID_CREDENTIALS:
      throw InvalidCredentialsError(status, message, info, std::move(o));
    case FINAUTH_ERR_ACCOUNT_LOCKED: throw AccountLockedError(status, message, info, std::move(o));
    case FINAUTH_ERR_LOCKOUT_GUARD: throw LockoutGuardError(status, message, info, std::move(o));
    case FINAUTH_ERR_RATE_LIMITED: throw RateLimitedError(status, message, info, std::move(o));
    case FINAUTH_ERR_UNAUTHORIZED: throw UnauthorizedError(status, message, info, std::move(o));
    case FINAUTH_ERR_SERVER: throw ServerError(status, message, info, std::move(o));
    case FINAUTH_ERR_TRANSPORT: throw TransportError(status, message, info, std::move(o));
    case FINAUTH_ERR_TIMEOUT: throw TimeoutError(status, message, info, std::move(o));
    case FINAUTH_ERR_STORE: throw StoreError(status, message, info, std::move(o));
    case FINAUTH_ERR_SIGNING_KEY: throw SigningKeyError(status, message, info, std::move(o));
    case FINAUTH_ERR_ENCRYPTION: throw EncryptionError(status, message, info, std::move(o));
    case FINAUTH_ERR_INVALID_ARGUMENT:
      throw InvalidArgumentError(status, message, info, std::move(o));
    default: throw InternalError(status, message, info, std::move(o));
  }
}

/// Copy a finauth_headers handle into Headers, then free it.
template <typename HeadersT>
inline HeadersT take_headers(finauth_headers *raw) {
  std::unique_ptr<finauth_headers, void (*)(finauth_headers *)> h(raw, finauth_headers_free);
  HeadersT out;
  const std::size_t n = finauth_headers_count(h.get());
  out.pairs.reserve(n);
  for (std::size_t i = 0; i < n; i++) {
    out.pairs.emplace_back(finauth_headers_name(h.get(), i), finauth_headers_value(h.get(), i));
  }
  const char *t = finauth_headers_token(h.get());
  out.token = t ? t : "";
  return out;
}

inline void check(finauth_status status) {
  if (status != FINAUTH_OK) throw_status(status);
}

/// Take ownership of a string returned by the C API: copy it, then finauth_string_free it.
inline std::string take_string(char *s) {
  std::unique_ptr<char, void (*)(char *)> owned(s, finauth_string_free);
  return owned ? std::string(owned.get()) : std::string();
}

// GCC 12 reports a false "may be used uninitialized" for a Handle inside std::optional at -O1+.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
/// Owns one C handle, freed by `Free`; move-only.
template <typename T, void (*Free)(T *)>
class Handle {
 public:
  Handle() noexcept = default;
  explicit Handle(T *p) noexcept : p_(p) {}
  Handle(const Handle &) = delete;
  Handle &operator=(const Handle &) = delete;
  Handle(Handle &&o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  Handle &operator=(Handle &&o) noexcept {
    if (this != &o) {
      reset();
      p_ = std::exchange(o.p_, nullptr);
    }
    return *this;
  }
  ~Handle() { reset(); }
  void reset() noexcept {
    if (p_ != nullptr) Free(std::exchange(p_, nullptr));
  }
  T *get() const noexcept { return p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }

 private:
  T *p_ = nullptr;
};
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace detail

/// The version of libfinauth.
inline std::string version() { return finauth_version(); }

/// Where tokens and the lockout guard live. PartnerAuth objects keep their own reference, so a
/// Store may be destroyed right after the PartnerAuth objects built with it.
class Store {
 public:
  /// Local to this process (the default).
  static Store memory() {
    finauth_store *s = nullptr;
    detail::check(finauth_store_memory_new(&s));
    return Store(s);
  }
  /// A directory shared by every process on the host (created with mode 0700).
  static Store file(const std::string &dir) {
    finauth_store *s = nullptr;
    detail::check(finauth_store_file_new(dir.c_str(), &s));
    return Store(s);
  }
  /// A Redis server shared by every host of a fleet: "redis://[user:password@]host:port/db" or
  /// "rediss://..." (TLS); an empty prefix means the default ("finauth").
  static Store redis(const std::string &url, const std::string &prefix = "") {
    finauth_store *s = nullptr;
    detail::check(
        finauth_store_redis_new(url.c_str(), prefix.empty() ? nullptr : prefix.c_str(), &s));
    return Store(s);
  }
  /// Like the FINAUTH_STORE variable: "memory", "file:/path" or "redis://host:port/db".
  static Store from_spec(const std::string &spec) {
    finauth_store *s = nullptr;
    detail::check(finauth_store_from_spec(spec.c_str(), &s));
    return Store(s);
  }
  /// The C handle (still owned by this object); nullptr once moved from.
  const finauth_store *native() const noexcept { return h_.get(); }

 private:
  explicit Store(finauth_store *s) : h_(s) {}
  detail::Handle<finauth_store, finauth_store_free> h_;
};

/// Explicit configuration (see finauth_partner_auth_config): unset optionals take the defaults.
struct Config {
  std::string partner_id;
  std::string partner_secret;
  std::string app_key;
  std::optional<std::string> base_url;
  std::optional<double> refresh_after;   ///< seconds (default 5400)
  std::optional<double> token_lifetime;  ///< seconds (default 7200)
  std::optional<uint32_t> max_failed_attempts;  ///< 1–4 (default 3; 0 also means the default)
  const Store *store = nullptr;          ///< borrowed during construction only; nullptr: memory
  std::optional<double> timeout;         ///< seconds (default 30)
  bool allow_insecure_loopback = false;  ///< allow http:// on loopback (the sandbox)
  /// The issuer identifier instead of token_url: the token endpoint comes from its metadata.
  std::optional<std::string> issuer;
};

/// The headers of one Finicity call, in order (`Finicity-App-Key`, `Finicity-App-Token`).
struct Headers {
  std::vector<std::pair<std::string, std::string>> pairs;
  /// The token they carry (pass it to PartnerAuth::invalidate after a 401).
  std::string token;

  auto begin() const noexcept { return pairs.begin(); }
  auto end() const noexcept { return pairs.end(); }
  std::size_t size() const noexcept { return pairs.size(); }
};

/// What the answer to a Finicity call means (PartnerAuth::observe_response).
enum class ResourceVerdict {
  Pass,           ///< nothing for finauth to do: the answer is the caller's
  TokenRejected,  ///< 10022/10023: invalidate the token that was sent, resend once
  AccountLocked,  ///< 24302: recorded in the store; every caller now stops
};

/// Finicity partner authentication (finauth_partner_auth). Move-only; thread-safe: one object
/// may be used from every thread (not while it is being destroyed or moved). A moved-from
/// object throws InvalidArgumentError on use.
class PartnerAuth {
 public:
  /// From the environment variables of the finauth API (FINICITY_PARTNER_ID, ...).
  static PartnerAuth from_env() {
    finauth_partner_auth *p = nullptr;
    detail::check(finauth_partner_auth_from_env(&p));
    return PartnerAuth(p);
  }

  explicit PartnerAuth(const Config &c) {
    finauth_partner_auth_config cfg{};
    cfg.partner_id = c.partner_id.c_str();
    cfg.partner_secret = c.partner_secret.c_str();
    cfg.app_key = c.app_key.c_str();
    cfg.base_url = c.base_url ? c.base_url->c_str() : nullptr;
    cfg.refresh_after = c.refresh_after.value_or(0.0);
    cfg.token_lifetime = c.token_lifetime.value_or(0.0);
    cfg.max_failed_attempts = c.max_failed_attempts.value_or(0u);
    cfg.store = c.store ? c.store->native() : nullptr;
    cfg.timeout = c.timeout.value_or(0.0);
    cfg.allow_insecure_loopback = c.allow_insecure_loopback;
    finauth_partner_auth *p = nullptr;
    detail::check(finauth_partner_auth_new(&cfg, &p));
    h_ = Handle(p);
  }

  /// A valid token (cached, or after one authentication shared by every concurrent caller).
  std::string token() {
    char *t = nullptr;
    detail::check(finauth_partner_auth_token(h_.get(), &t));
    return detail::take_string(t);
  }

  /// The two headers of a Finicity call.
  Headers headers() {
    finauth_headers *raw = nullptr;
    detail::check(finauth_partner_auth_headers(h_.get(), &raw));
    return detail::take_headers<Headers>(raw);
  }

  /// After a 401 (10022/10023) for `token`: drop it if still current. True if this call did.
  bool invalidate(const std::string &token) {
    bool dropped = false;
    detail::check(finauth_partner_auth_invalidate(h_.get(), token.c_str(), &dropped));
    return dropped;
  }

  /// Judge the answer to a Finicity call made with headers(): its HTTP status, Content-Type
  /// ("" if none) and body. TokenRejected: invalidate(headers.token) and resend once.
  /// AccountLocked (24302): already recorded in the store, so every object and process sharing
  /// it now throws AccountLockedError without a request; stop.
  ResourceVerdict observe_response(long status, const std::string &content_type,
                                   const std::string &body) {
    finauth_resource_verdict v = FINAUTH_RESOURCE_PASS;
    const int s = status < 0 || status > 999 ? 0 : static_cast<int>(status);
    detail::check(finauth_partner_auth_observe_response(
        h_.get(), s, content_type.c_str(), reinterpret_cast<const uint8_t *>(body.data()),
        body.size(), &v));
    switch (v) {
      case FINAUTH_RESOURCE_TOKEN_REJECTED: return ResourceVerdict::TokenRejected;
      case FINAUTH_RESOURCE_ACCOUNT_LOCKED: return ResourceVerdict::AccountLocked;
      default: return ResourceVerdict::Pass;
    }
  }

  /// Modify Partner Secret (`immediate`: retire the old secret at once).
  void modify_partner_secret(const std::string &new_secret, bool immediate = true) {
    detail::check(finauth_partner_auth_modify_secret(h_.get(), new_secret.c_str(), immediate));
  }

  /// Use another App Key from now on.
  void set_app_key(const std::string &app_key) {
    detail::check(finauth_partner_auth_set_app_key(h_.get(), app_key.c_str()));
  }

  /// Operator action: clear the lockout guard for every process sharing the store.
  void reset_lockout_guard() { detail::check(finauth_partner_auth_reset_guard(h_.get())); }

  /// What the lockout guard knows.
  finauth_guard_status guard_status() {
    finauth_guard_status g{};
    detail::check(finauth_partner_auth_guard_status(h_.get(), &g));
    return g;
  }

  /// Counters since this object was built.
  finauth_stats stats() {
    finauth_stats s{};
    detail::check(finauth_partner_auth_stats(h_.get(), &s));
    return s;
  }

  /// The C handle (still owned by this object); nullptr once moved from.
  finauth_partner_auth *native() const noexcept { return h_.get(); }
  explicit operator bool() const noexcept { return static_cast<bool>(h_); }

 private:
  using Handle = detail::Handle<finauth_partner_auth, finauth_partner_auth_free>;
  explicit PartnerAuth(finauth_partner_auth *p) : h_(p) {}
  Handle h_;
};

/// An RSA private key for Mastercard OAuth 1.0a signing (finauth_signing_key), parsed once.
/// Move-only; an OAuth1Signer keeps its own reference, so the key may go first.
class SigningKey {
 public:
  /// A PKCS#12 key store's content (modern AES/PBES2 or legacy 3DES/RC2); an empty alias means
  /// the first key.
  static SigningKey from_pkcs12(const std::string &data, const std::string &password,
                                const std::string &alias = "") {
    finauth_signing_key *k = nullptr;
    detail::check(finauth_signing_key_from_pkcs12(
        reinterpret_cast<const uint8_t *>(data.data()), data.size(), password.c_str(),
        alias.empty() ? nullptr : alias.c_str(), &k));
    return SigningKey(k);
  }
  /// PEM text: PKCS#1, PKCS#8, or encrypted PKCS#8 with a password.
  static SigningKey from_pem(const std::string &pem,
                             const std::optional<std::string> &password = std::nullopt) {
    finauth_signing_key *k = nullptr;
    detail::check(
        finauth_signing_key_from_pem(pem.c_str(), password ? password->c_str() : nullptr, &k));
    return SigningKey(k);
  }
  /// A key file of any supported format (PEM, DER, PKCS#12), chosen by its content.
  static SigningKey from_file(const std::string &path,
                              const std::optional<std::string> &password = std::nullopt,
                              const std::optional<std::string> &alias = std::nullopt) {
    finauth_signing_key *k = nullptr;
    detail::check(finauth_signing_key_from_file(path.c_str(),
                                                password ? password->c_str() : nullptr,
                                                alias ? alias->c_str() : nullptr, &k));
    return SigningKey(k);
  }
  /// The RSA modulus size in bits; 0 once moved from.
  std::size_t bits() const noexcept { return finauth_signing_key_bits(h_.get()); }
  /// The public half as a JWK (JSON text), e.g. to register it with an authorization server.
  std::string public_jwk() const {
    char *j = nullptr;
    detail::check(finauth_signing_key_public_jwk(h_.get(), &j));
    return detail::take_string(j);
  }
  /// The C handle (still owned by this object); nullptr once moved from.
  const finauth_signing_key *native() const noexcept { return h_.get(); }

 private:
  explicit SigningKey(finauth_signing_key *k) : h_(k) {}
  detail::Handle<finauth_signing_key, finauth_signing_key_free> h_;
};

/// Mastercard's public key (finauth_encryption_certificate): requests are encrypted to it.
class EncryptionCertificate {
 public:
  /// PEM or DER X.509, or a PEM public key, read from a file.
  static EncryptionCertificate from_file(const std::string &path) {
    finauth_encryption_certificate *c = nullptr;
    detail::check(finauth_encryption_certificate_from_file(path.c_str(), &c));
    return EncryptionCertificate(c);
  }
  /// The same from the file's bytes.
  static EncryptionCertificate from_bytes(const std::string &data) {
    finauth_encryption_certificate *c = nullptr;
    detail::check(finauth_encryption_certificate_from_bytes(
        reinterpret_cast<const uint8_t *>(data.data()), data.size(), &c));
    return EncryptionCertificate(c);
  }
  /// SHA-256 of the SubjectPublicKeyInfo DER, hex (the JWE `kid`).
  std::string key_fingerprint() const {
    char *f = nullptr;
    detail::check(finauth_encryption_certificate_key_fingerprint(h_.get(), &f));
    return detail::take_string(f);
  }
  const finauth_encryption_certificate *native() const noexcept { return h_.get(); }

 private:
  explicit EncryptionCertificate(finauth_encryption_certificate *c) : h_(c) {}
  detail::Handle<finauth_encryption_certificate, finauth_encryption_certificate_free> h_;
};

/// Your RSA private key (finauth_decryption_key): responses are decrypted with it.
class DecryptionKey {
 public:
  /// PKCS#12 (password, alias), PEM or DER, read from a file.
  static DecryptionKey from_file(const std::string &path,
                                 const std::optional<std::string> &password = std::nullopt,
                                 const std::optional<std::string> &alias = std::nullopt) {
    finauth_decryption_key *k = nullptr;
    detail::check(finauth_decryption_key_from_file(path.c_str(),
                                                   password ? password->c_str() : nullptr,
                                                   alias ? alias->c_str() : nullptr, &k));
    return DecryptionKey(k);
  }
  const finauth_decryption_key *native() const noexcept { return h_.get(); }

 private:
  explicit DecryptionKey(finauth_decryption_key *k) : h_(k) {}
  detail::Handle<finauth_decryption_key, finauth_decryption_key_free> h_;
};

/// Mastercard payload encryption (finauth_payload_encryption) at JSON paths; the options are a
/// JSON object (docs/GUIDE.md, "Payload encryption"). Move-only; thread-safe.
///
///     finauth::PayloadEncryption enc("jwe", R"({"encryptionPaths": {"$.card": "$.enc"}})",
///                                    &cert, &key);
///     std::string body = enc.encrypt(R"({"card": {"pan": "5123450000000008"}})").body;
class PayloadEncryption {
 public:
  /// An encrypted request: the body, and the headers to set (field-level header mode).
  struct Encrypted {
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
  };

  PayloadEncryption(const std::string &scheme, const std::string &options_json,
                    const EncryptionCertificate *cert, const DecryptionKey *key) {
    finauth_payload_encryption *p = nullptr;
    detail::check(finauth_payload_encryption_new(scheme.c_str(), options_json.c_str(),
                                                 cert ? cert->native() : nullptr,
                                                 key ? key->native() : nullptr, &p));
    h_ = Handle(p);
  }

  Encrypted encrypt(const std::string &body) const {
    char *out = nullptr;
    finauth_headers *hs = nullptr;
    detail::check(finauth_payload_encryption_encrypt(
        h_.get(), reinterpret_cast<const uint8_t *>(body.data()), body.size(), &out, &hs));
    Encrypted e;
    e.body = detail::take_string(out);
    e.headers = detail::take_headers<Headers>(hs).pairs;
    return e;
  }

  /// The decrypted body; `header_block` holds the response's `Name: value` lines (header mode).
  std::string decrypt(const std::string &body, const std::string &header_block = "") const {
    char *out = nullptr;
    detail::check(finauth_payload_encryption_decrypt(
        h_.get(), reinterpret_cast<const uint8_t *>(body.data()), body.size(),
        header_block.c_str(), &out));
    return detail::take_string(out);
  }

  explicit operator bool() const noexcept { return static_cast<bool>(h_); }
  const finauth_payload_encryption *native() const noexcept { return h_.get(); }

 private:
  using Handle = detail::Handle<finauth_payload_encryption, finauth_payload_encryption_free>;
  Handle h_;
};

/// Mastercard one-legged OAuth 1.0a with the body-hash extension (finauth_oauth1_signer),
/// byte-identical to Mastercard's Java reference signer. Move-only; thread-safe.
class OAuth1Signer {
 public:
  OAuth1Signer(const std::string &consumer_key, const SigningKey &key, bool pss = false) {
    finauth_oauth1_signer *s = nullptr;
    detail::check(finauth_oauth1_signer_new(consumer_key.c_str(), key.native(), pss ? 1 : 0, &s));
    h_ = detail::Handle<finauth_oauth1_signer, finauth_oauth1_signer_free>(s);
  }
  /// The `Authorization` value for one request: the full URI with its query and the exact body.
  std::string authorization_header(const std::string &method, const std::string &uri,
                                   const std::string &body = "") const {
    char *h = nullptr;
    detail::check(finauth_oauth1_authorization_header(
        h_.get(), method.c_str(), uri.c_str(), reinterpret_cast<const uint8_t *>(body.data()),
        body.size(), &h));
    return detail::take_string(h);
  }
  const finauth_oauth1_signer *native() const noexcept { return h_.get(); }

 private:
  detail::Handle<finauth_oauth1_signer, finauth_oauth1_signer_free> h_;
};

/// Mastercard API calls with payload encryption and OAuth 1.0a in core's order
/// (finauth_mastercard_auth): the body is encrypted, then signed over the exact bytes sent; the
/// answer is decrypted. Built from a signer, payload encryption, or both (borrowed during
/// construction only). Move-only; thread-safe.
///
///     finauth::MastercardAuth mc(&signer, &encryption);
///     auto p = mc.prepare("POST", url, body);   // send p.body with every header of p.headers
///     std::string clear = mc.response(answer_body, answer_header_block);
class MastercardAuth {
 public:
  /// One prepared request: the body to send (encrypted, or the caller's own when
  /// `body_changed` is false) and the headers to set, replacing any of the same name.
  struct Prepared {
    std::string body;
    bool body_changed = false;
    std::vector<std::pair<std::string, std::string>> headers;
  };

  MastercardAuth(const OAuth1Signer *signer, const PayloadEncryption *encryption) {
    finauth_mastercard_auth *a = nullptr;
    detail::check(finauth_mastercard_auth_new(signer ? signer->native() : nullptr,
                                              encryption ? encryption->native() : nullptr, &a));
    h_ = Handle(a);
  }

  /// `url` is the full URL with its query; `body` the exact bytes the caller would send.
  Prepared prepare(const std::string &method, const std::string &url,
                   const std::string &body = "") const {
    char *out = nullptr;
    finauth_headers *hs = nullptr;
    detail::check(finauth_mastercard_auth_prepare(
        h_.get(), method.c_str(), url.c_str(), reinterpret_cast<const uint8_t *>(body.data()),
        body.size(), &out, &hs));
    Prepared p;
    p.headers = detail::take_headers<Headers>(hs).pairs;
    p.body_changed = out != nullptr;
    p.body = p.body_changed ? detail::take_string(out) : body;
    return p;
  }

  /// The answer's body as the caller should see it: decrypted when it holds encrypted values,
  /// else `body` itself. `header_block` holds the answer's `Name: value` lines (header mode).
  std::string response(const std::string &body, const std::string &header_block = "") const {
    char *out = nullptr;
    detail::check(finauth_mastercard_auth_response(
        h_.get(), reinterpret_cast<const uint8_t *>(body.data()), body.size(),
        header_block.c_str(), &out));
    return out ? detail::take_string(out) : body;
  }

 private:
  using Handle = detail::Handle<finauth_mastercard_auth, finauth_mastercard_auth_free>;
  Handle h_;
};

/// Explicit configuration of ClientCredentials (see finauth_client_credentials_config): unset
/// optionals take the defaults.
struct ClientCredentialsConfig {
  std::optional<std::string> token_url;  ///< the token endpoint, or set issuer (one of the two)
  std::string client_id;                  ///< required
  std::optional<std::string> client_secret;  ///< client_secret_basic / _post, finicity_json
  /// "client_secret_basic" (unset), "client_secret_post", "private_key_jwt", "finicity_json".
  std::optional<std::string> auth_method;
  std::optional<std::string> scope;  ///< space-separated
  /// private_key_jwt and DPoP (RSA: PS256, EC P-256: ES256); borrowed during construction only.
  const SigningKey *signing_key = nullptr;
  std::optional<std::string> key_id;    ///< the client assertion's `kid`
  std::optional<std::string> audience;  ///< the assertion's `aud` (default: issuer or token URL)
  bool dpop = false;                    ///< DPoP-bound tokens (needs signing_key)
  std::optional<std::string> app_key;   ///< Finicity-App-Key (finicity_json)
  std::optional<double> default_lifetime;       ///< seconds, when expires_in is absent (3600)
  std::optional<uint32_t> max_failed_attempts;  ///< 1–4 (default 3)
  const Store *store = nullptr;  ///< borrowed during construction only; nullptr: memory
  std::optional<double> timeout;         ///< seconds (default 30)
  bool allow_insecure_loopback = false;  ///< allow http:// on loopback (the sandbox)
  /// The issuer identifier instead of token_url: the token endpoint comes from its metadata.
  std::optional<std::string> issuer;
};

/// OAuth 2.0 client credentials (finauth_client_credentials): one cached token per token URL,
/// client and scope set, refreshed ahead of expiry, one token request for any number of
/// concurrent callers, behind the lockout guard. Move-only; thread-safe (one object for every
/// thread). A moved-from object throws InvalidArgumentError on use. Errors from the token
/// endpoint carry oauth_error(), error_description() and correlation_id().
class ClientCredentials {
 public:
  /// From the FINAUTH_OAUTH2_* environment variables of the finauth API.
  static ClientCredentials from_env() {
    finauth_client_credentials *p = nullptr;
    detail::check(finauth_client_credentials_from_env(&p));
    return ClientCredentials(p);
  }

  explicit ClientCredentials(const ClientCredentialsConfig &c) {
    auto opt = [](const std::optional<std::string> &s) { return s ? s->c_str() : nullptr; };
    finauth_client_credentials_config cfg{};
    cfg.token_url = opt(c.token_url);
    cfg.issuer = opt(c.issuer);
    cfg.client_id = c.client_id.c_str();
    cfg.client_secret = opt(c.client_secret);
    cfg.auth_method = opt(c.auth_method);
    cfg.scope = opt(c.scope);
    cfg.signing_key = c.signing_key ? c.signing_key->native() : nullptr;
    cfg.key_id = opt(c.key_id);
    cfg.audience = opt(c.audience);
    cfg.dpop = c.dpop;
    cfg.app_key = opt(c.app_key);
    cfg.default_lifetime = c.default_lifetime.value_or(0.0);
    cfg.max_failed_attempts = c.max_failed_attempts.value_or(0u);
    cfg.store = c.store ? c.store->native() : nullptr;
    cfg.timeout = c.timeout.value_or(0.0);
    cfg.allow_insecure_loopback = c.allow_insecure_loopback;
    finauth_client_credentials *p = nullptr;
    detail::check(finauth_client_credentials_new(&cfg, &p));
    h_ = Handle(p);
  }

  /// A valid access token.
  std::string token() {
    char *t = nullptr;
    detail::check(finauth_client_credentials_token(h_.get(), &t));
    return detail::take_string(t);
  }

  /// The headers of one request: `Authorization` (`Bearer …` or `DPoP …`) and, for DPoP-bound
  /// tokens, a fresh `DPoP` proof for `method` and `url` (required then). `token` is the access
  /// token they carry (for invalidate()).
  Headers headers(const std::string &method = "GET",
                  const std::optional<std::string> &url = std::nullopt) {
    finauth_headers *raw = nullptr;
    detail::check(finauth_client_credentials_headers(h_.get(), method.c_str(),
                                                     url ? url->c_str() : nullptr, &raw));
    return detail::take_headers<Headers>(raw);
  }

  /// After a resource answered 401 for `token`: drop it if still current. True if this call did.
  bool invalidate(const std::string &token) {
    bool dropped = false;
    detail::check(finauth_client_credentials_invalidate(h_.get(), token.c_str(), &dropped));
    return dropped;
  }

  /// Remember a `DPoP-Nonce` header value a server sent for `url`. True if it was new.
  bool learn_nonce(const std::string &url, const std::string &nonce) {
    bool changed = false;
    detail::check(
        finauth_client_credentials_learn_nonce(h_.get(), url.c_str(), nonce.c_str(), &changed));
    return changed;
  }

  /// The token endpoint, read now from the issuer's metadata (the configured token_url without
  /// an issuer), so a configuration the server does not support fails at start-up.
  std::string discover() {
    char *u = nullptr;
    detail::check(finauth_client_credentials_discover(h_.get(), &u));
    return detail::take_string(u);
  }

  /// Operator action: clear the lockout guard for every process sharing the store.
  void reset_lockout_guard() { detail::check(finauth_client_credentials_reset_guard(h_.get())); }

  /// What the lockout guard knows.
  finauth_guard_status guard_status() {
    finauth_guard_status g{};
    detail::check(finauth_client_credentials_guard_status(h_.get(), &g));
    return g;
  }

  /// Counters since this object was built (auth_requests = token requests).
  finauth_stats stats() {
    finauth_stats s{};
    detail::check(finauth_client_credentials_stats(h_.get(), &s));
    return s;
  }

  /// The C handle (still owned by this object); nullptr once moved from.
  finauth_client_credentials *native() const noexcept { return h_.get(); }
  explicit operator bool() const noexcept { return static_cast<bool>(h_); }

 private:
  using Handle = detail::Handle<finauth_client_credentials, finauth_client_credentials_free>;
  explicit ClientCredentials(finauth_client_credentials *p) : h_(p) {}
  Handle h_;
};

/// One logical request under finauth's request policy (finauth_exchange), for requests you send
/// with your own HTTP client: `prepare()` gives the headers of each attempt, `observe()` says
/// whether to send again. It throws AccountLockedError on 24302 (already recorded for every
/// caller sharing the store) and UnauthorizedError when the token is still rejected after the
/// one resend. Move-only; one object per request, used from one thread at a time.
///
///     finauth::Exchange ex(auth, "GET", url);
///     for (;;) {
///       auto headers = ex.prepare();                 // set each (replace), then send
///       ...                                          // status, header block, body
///       if (!ex.observe(status, header_block, body)) break;   // the answer is yours
///     }
class Exchange {
 public:
  Exchange(PartnerAuth &auth, const std::string &method, const std::string &url) {
    finauth_exchange *p = nullptr;
    detail::check(finauth_partner_auth_exchange_new(auth.native(), method.c_str(), url.c_str(), &p));
    h_ = Handle(p);
  }

  Exchange(ClientCredentials &cc, const std::string &method, const std::string &url) {
    finauth_exchange *p = nullptr;
    detail::check(
        finauth_client_credentials_exchange_new(cc.native(), method.c_str(), url.c_str(), &p));
    h_ = Handle(p);
  }

  /// The headers of this attempt (waits for a token if none is fresh).
  Headers prepare() {
    finauth_headers *raw = nullptr;
    detail::check(finauth_exchange_prepare(h_.get(), &raw));
    return detail::take_headers<Headers>(raw);
  }

  /// Whether observe() needs the body of an answer with this status.
  bool wants_body(int status) const noexcept { return finauth_exchange_wants_body(h_.get(), status); }

  /// Judge the answer to the last attempt: `headers` is its header block as received (`Name:
  /// value` lines). True: send again (prepare() first); false: the answer is the caller's.
  bool observe(int status, const std::string &headers, const std::string &body) {
    finauth_exchange_verdict v = FINAUTH_EXCHANGE_DONE;
    detail::check(finauth_exchange_observe(h_.get(), status, headers.c_str(),
                                           reinterpret_cast<const uint8_t *>(body.data()),
                                           body.size(), &v));
    return v == FINAUTH_EXCHANGE_RESEND;
  }

  explicit operator bool() const noexcept { return static_cast<bool>(h_); }

 private:
  using Handle = detail::Handle<finauth_exchange, finauth_exchange_free>;
  Handle h_;
};

}  // namespace finauth

#endif  // FINAUTH_HPP
