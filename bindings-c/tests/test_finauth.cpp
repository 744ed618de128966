// The C++ wrapper (finauth.hpp) against the sandbox (FINAUTH_SANDBOX_URL), with GoogleTest:
// exceptions per kind with their fields, RAII, moves, OAuth 2.0 client credentials, resource
// verdicts.
#include "finauth.hpp"

#include "sandbox_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <unistd.h>
#include <vector>

// Every check of the suite: a GoogleTest expectation that names the failed condition.
#define CHECK(cond) EXPECT_TRUE(cond) << #cond

// Runs `body`; expects it to throw E (or a subclass) and returns the caught exception.
template <typename E>
static std::optional<E> expect_throw(const std::function<void()> &body, int line) {
  try {
    body();
  } catch (const E &e) {
    return e;
  } catch (const std::exception &e) {
    ADD_FAILURE_AT(__FILE__, line) << "wrong exception: " << e.what();
    return std::nullopt;
  }
  ADD_FAILURE_AT(__FILE__, line) << "no exception";
  return std::nullopt;
}
#define EXPECT_THROW_AS(E, stmt) expect_throw<E>([&] { stmt; }, __LINE__)

struct Partner {
  std::string id, secret, app_key;
};

static Partner new_partner(const std::string &name) {
  static int counter;
  Partner p;
  p.id = "cpp-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + "-" + name;
  p.secret = "Secret" + std::to_string(counter) + "x2026";
  p.app_key = "key-" + p.id;
  if (sandbox_add_partner(p.id.c_str(), p.secret.c_str(), p.app_key.c_str()) != 0) std::exit(2);
  return p;
}

static finauth::Config config_for(const Partner &p) {
  finauth::Config c;
  c.partner_id = p.id;
  c.partner_secret = p.secret;
  c.app_key = p.app_key;
  c.base_url = sandbox_url();
  c.allow_insecure_loopback = true;
  return c;
}

TEST(Wrapper, handles_are_move_only) {
  static_assert(!std::is_copy_constructible_v<finauth::PartnerAuth>);
  static_assert(!std::is_copy_assignable_v<finauth::PartnerAuth>);
  static_assert(std::is_nothrow_move_constructible_v<finauth::PartnerAuth>);
  static_assert(std::is_nothrow_move_assignable_v<finauth::PartnerAuth>);
  static_assert(!std::is_copy_constructible_v<finauth::Store>);
  static_assert(std::is_base_of_v<std::runtime_error, finauth::Error>);
  static_assert(std::is_base_of_v<finauth::Error, finauth::LockoutGuardError>);
  CHECK(!finauth::version().empty());
}

TEST(Wrapper, token_headers_and_stats) {
  Partner p = new_partner("token");
  finauth::PartnerAuth auth(config_for(p));
  std::string token = auth.token();
  CHECK(token.size() == 32);
  finauth::Headers h = auth.headers();
  CHECK(h.size() == 2);
  CHECK(h.pairs[0].first == "Finicity-App-Key" && h.pairs[0].second == p.app_key);
  CHECK(h.pairs[1].first == "Finicity-App-Token" && h.pairs[1].second == token);
  CHECK(h.token == token);
  int n = 0;
  for (const auto &[name, value] : h) n += !name.empty() && !value.empty();
  CHECK(n == 2);
  CHECK(auth.stats().auth_requests == 1);
  CHECK(auth.guard_status().attempts_remaining == 3);
  CHECK(sandbox_stat(p.id.c_str(), "auth_requests") == 1);
  CHECK(auth.invalidate(token));
  CHECK(!auth.invalidate(token));
  CHECK(auth.token() != token);
}

TEST(Wrapper, moves_transfer_ownership) {
  Partner p = new_partner("moves");
  finauth::PartnerAuth a(config_for(p));
  finauth_partner_auth *raw = a.native();
  std::string t = a.token();
  finauth::PartnerAuth b(std::move(a));
  CHECK(!a && a.native() == nullptr);
  CHECK(b && b.native() == raw);
  CHECK(b.token() == t);  // same object, cached token
  // A moved-from object throws instead of crashing.
  auto e = EXPECT_THROW_AS(finauth::InvalidArgumentError, a.token());
  CHECK(e && e->status() == FINAUTH_ERR_INVALID_ARGUMENT && e->kind() == "INVALID_ARGUMENT");
  // Move assignment frees the target's old object and takes the source's.
  Partner q = new_partner("moves2");
  finauth::PartnerAuth c(config_for(q));
  c = std::move(b);
  CHECK(c.native() == raw && !b);
  finauth::PartnerAuth &alias = c;
  c = std::move(alias);  // self-move keeps the object usable
  CHECK(c.token() == t);
  CHECK(sandbox_stat(p.id.c_str(), "auth_requests") == 1);
  std::vector<finauth::PartnerAuth> v;
  v.push_back(std::move(c));
  v.emplace_back(config_for(q));
  CHECK(v[0].token() == t && !v[1].token().empty());
}

TEST(Wrapper, exceptions_carry_their_fields) {
  Partner p = new_partner("guard");
  finauth::Config cfg = config_for(p);
  cfg.partner_secret = "WrongSecret2026";
  finauth::PartnerAuth auth(cfg);
  auto bad = EXPECT_THROW_AS(finauth::InvalidCredentialsError, auth.token());
  CHECK(bad && bad->attempts_remaining() == 2u && bad->code() == 10001u);
  CHECK(bad && !bad->failed_attempts() && !bad->http_status() && !bad->retry_after());
  CHECK(bad && std::string(bad->what()).find("WrongSecret2026") == std::string::npos);
  for (int i = 0; i < 5; i++) {
    auto g = EXPECT_THROW_AS(finauth::LockoutGuardError, auth.token());
    CHECK(g && g->failed_attempts() == 1u && g->guard_reason() == "secret_rejected");
    CHECK(g && g->kind() == "LOCKOUT_GUARD");
  }
  // Catchable through the base classes too.
  try {
    auth.token();
    CHECK(false);
  } catch (const finauth::Error &e) {
    CHECK(e.status() == FINAUTH_ERR_LOCKOUT_GUARD);
  }
  try {
    auth.token();
    CHECK(false);
  } catch (const std::runtime_error &e) {
    CHECK(std::string(e.what()).find("lockout guard") != std::string::npos);
  }
  CHECK(sandbox_stat(p.id.c_str(), "auth_failures") == 1);

  finauth::Config c2 = config_for(p);
  c2.max_failed_attempts = 7;
  auto cfg_err = EXPECT_THROW_AS(finauth::ConfigError, finauth::PartnerAuth x(c2));
  CHECK(cfg_err && std::string(cfg_err->what()).find("max_failed_attempts") != std::string::npos);

  Partner s = new_partner("server");
  finauth::PartnerAuth auth2(config_for(s));
  sandbox_clear_faults();
  sandbox_fault("{\"status\":502}", 1);
  auto srv = EXPECT_THROW_AS(finauth::ServerError, auth2.token());
  CHECK(srv && srv->http_status() == 502 && !srv->code());
  sandbox_clear_faults();

  Partner r = new_partner("rate");
  finauth::Config c3 = config_for(r);
  c3.app_key = "unknown-app-key";
  finauth::PartnerAuth auth3(c3);
  auto rl = EXPECT_THROW_AS(finauth::RateLimitedError, auth3.token());
  CHECK(rl && !rl->retry_after());

  finauth::Config c4 = config_for(r);
  c4.base_url = "http://127.0.0.1:1";
  finauth::PartnerAuth auth4(c4);
  EXPECT_THROW_AS(finauth::TransportError, auth4.token());

  EXPECT_THROW_AS(finauth::StoreError, finauth::Store::file("/dev/null/x"));
  EXPECT_THROW_AS(finauth::ConfigError, finauth::Store::redis("garbage"));
  EXPECT_THROW_AS(finauth::ConfigError, auth3.set_app_key("bad key"));
  EXPECT_THROW_AS(finauth::ConfigError, auth3.modify_partner_secret("short"));
  EXPECT_THROW_AS(finauth::InvalidArgumentError, auth3.set_app_key("\xff"));
}

TEST(Wrapper, stores_outlive_nothing_they_do_not_need_to) {
  Partner p = new_partner("store");
  char dir[] = "/tmp/finauth-cpp-test-XXXXXX";
  CHECK(mkdtemp(dir) != nullptr);
  std::optional<finauth::PartnerAuth> a, b;
  {
    finauth::Store store = finauth::Store::file(dir);
    finauth::Config cfg = config_for(p);
    cfg.store = &store;
    a.emplace(cfg);
    b.emplace(cfg);
  }  // the store handle is gone; the objects keep their reference
  CHECK(a->token() == b->token());
  CHECK(sandbox_stat(p.id.c_str(), "auth_requests") == 1);
  a.reset();
  b.reset();
  std::string cmd = std::string("rm -rf '") + dir + "'";
  CHECK(std::system(cmd.c_str()) == 0);
  finauth::Store m = finauth::Store::memory();
  finauth::Store m2 = std::move(m);
  finauth::Store r = finauth::Store::redis("redis://127.0.0.1:6379/0", "cpp");  // no connection yet
  CHECK(r.native() != nullptr);
  CHECK(m.native() == nullptr && m2.native() != nullptr);
}

TEST(Wrapper, threads_share_one_object) {
  Partner p = new_partner("threads");
  finauth::PartnerAuth auth(config_for(p));
  std::vector<std::thread> threads;
  std::vector<std::string> tokens(16);
  for (int i = 0; i < 16; i++) threads.emplace_back([&, i] { tokens[i] = auth.token(); });
  for (auto &t : threads) t.join();
  for (const auto &t : tokens) CHECK(t == tokens[0] && !t.empty());
  CHECK(sandbox_stat(p.id.c_str(), "auth_requests") == 1);
}

static std::string keys_dir() {
  const char *d = std::getenv("FINAUTH_OAUTH1_KEYS");
  return d && *d ? d : "core/tests/oauth1-keys";
}

TEST(Wrapper, oauth1_signer_raii_and_errors) {
  finauth::SigningKey key = finauth::SigningKey::from_file(keys_dir() + "/modern.p12",
                                                           std::string("keystorepassword"));
  CHECK(key.bits() == 2048);
  finauth::SigningKey moved = std::move(key);
  CHECK(key.native() == nullptr && key.bits() == 0 && moved.bits() == 2048);
  std::optional<finauth::OAuth1Signer> signer;
  signer.emplace("cpp-consumer", moved, /*pss=*/true);
  { finauth::SigningKey gone = std::move(moved); }  // the signer keeps its own reference
  std::string h = signer->authorization_header("POST", "https://api.example.com/x?a=1", "{}");
  CHECK(h.rfind("OAuth oauth_body_hash=\"", 0) == 0);
  CHECK(h.find("oauth_signature_method=\"RSA-PSS\"") != std::string::npos);
  CHECK(h.find("oauth_consumer_key=\"cpp-consumer\"") != std::string::npos);
  EXPECT_THROW_AS(finauth::ConfigError, signer->authorization_header("GET", "not a uri"));
  auto e = EXPECT_THROW_AS(finauth::SigningKeyError,
                           finauth::SigningKey::from_file(keys_dir() + "/modern.p12",
                                                          std::string("wrong-secret-pw")));
  CHECK(e && std::string(e->what()).find("wrong-secret-pw") == std::string::npos);
  EXPECT_THROW_AS(finauth::SigningKeyError, finauth::SigningKey::from_pem("not a key"));
  EXPECT_THROW_AS(finauth::InvalidArgumentError, finauth::OAuth1Signer("ck", key));
}

// ---- OAuth 2.0 client credentials --------------------------------------------------------------

static std::string token_url() { return std::string(sandbox_url()) + "/oauth2/token"; }

static finauth::ClientCredentialsConfig cc_config(const std::string &client_id) {
  finauth::ClientCredentialsConfig c;
  c.token_url = token_url();
  c.client_id = client_id;
  c.allow_insecure_loopback = true;
  c.timeout = 10.0;
  return c;
}

// A client known only to this process (the suite also runs under valgrind on the same sandbox).
static std::string new_client(const std::string &name, const std::string &extra_json) {
  std::string id = "cpp-" + std::to_string(getpid()) + "-" + name;
  std::string body = "{\"client_id\":\"" + id + "\"" + extra_json + "}";
  if (sandbox_add_oauth2_client(body.c_str()) != 0) std::exit(2);
  return id;
}

// Sends `headers` to the sandbox's protected resource; the HTTP status.
static int resource_get(const finauth::Headers &headers, const std::string &path) {
  std::string lines;
  for (const auto &[name, value] : headers) lines += name + ": " + value + "\r\n";
  return sandbox_get_with(path.c_str(), lines.c_str());
}

TEST(OAuth2, client_credentials_is_move_only_raii) {
  static_assert(!std::is_copy_constructible_v<finauth::ClientCredentials>);
  static_assert(!std::is_copy_assignable_v<finauth::ClientCredentials>);
  static_assert(std::is_nothrow_move_constructible_v<finauth::ClientCredentials>);
  static_assert(std::is_nothrow_move_assignable_v<finauth::ClientCredentials>);
  std::string id = new_client("moves", ",\"client_secret\":\"moves-secret\"");
  auto cfg = cc_config(id);
  cfg.client_secret = "moves-secret";
  finauth::ClientCredentials a(cfg);
  std::string t = a.token();
  finauth::ClientCredentials b(std::move(a));
  CHECK(!a && a.native() == nullptr && b);
  CHECK(b.token() == t);
  auto e = EXPECT_THROW_AS(finauth::InvalidArgumentError, a.token());
  CHECK(e && !e->oauth_error() && !e->correlation_id());
  CHECK(b.stats().auth_requests == 1 && b.stats().cache_hits >= 1);
  CHECK(oauth2_stat(id.c_str(), "token_requests") == 1);
}

// An issuer instead of a token URL: discover() names the endpoint its metadata gives.
TEST(OAuth2, client_credentials_discovers_the_token_endpoint_from_the_issuer) {
  std::string id = new_client("issuer", ",\"client_secret\":\"issuer-secret\"");
  auto cfg = cc_config(id);
  cfg.token_url.reset();
  cfg.issuer = std::string(sandbox_url()) + "/oauth2";
  cfg.client_secret = "issuer-secret";
  finauth::ClientCredentials cc(cfg);
  CHECK(cc.discover() == token_url());
  CHECK(!cc.token().empty());
  CHECK(oauth2_stat(id.c_str(), "tokens_issued") == 1);
  cfg.token_url = token_url();
  EXPECT_THROW_AS(finauth::ConfigError, finauth::ClientCredentials{cfg});
}

// A token and resource headers for every client authentication method.
TEST(OAuth2, client_credentials_every_auth_method_gets_a_token) {
  std::string id = new_client("secret", ",\"client_secret\":\"s3cret-for-cpp\",\"app_key\":\"cpp-app-key\"");
  for (const char *method : {"client_secret_basic", "client_secret_post", "finicity_json"}) {
    SCOPED_TRACE(method);
    auto cfg = cc_config(id);
    cfg.client_secret = "s3cret-for-cpp";
    cfg.auth_method = method;
    if (std::string(method) == "finicity_json") cfg.app_key = "cpp-app-key";
    finauth::ClientCredentials cc(cfg);
    std::string t = cc.token();
    CHECK(!t.empty());
    finauth::Headers h = cc.headers();
    CHECK(h.size() == 1 && h.pairs[0].first == "Authorization" &&
          h.pairs[0].second == "Bearer " + t && h.token == t);
    CHECK(resource_get(h, "/oauth2/resource/accounts") == 200);
  }
  CHECK(oauth2_stat(id.c_str(), "token_requests") == 3);

  for (const char *file : {"ec.pem", "pkcs8.pem"}) {
    SCOPED_TRACE(file);
    finauth::SigningKey key = finauth::SigningKey::from_file(keys_dir() + "/" + file);
    std::string kid = std::string("jwt-") + (file[0] == 'e' ? "ec" : "rsa");
    std::string jwt_id = new_client(kid, ",\"jwk\":" + key.public_jwk());
    auto cfg = cc_config(jwt_id);
    cfg.auth_method = "private_key_jwt";
    cfg.signing_key = &key;
    cfg.key_id = "k1";
    cfg.scope = "accounts";
    finauth::ClientCredentials cc(cfg);
    finauth::Headers h = cc.headers("GET", std::string(sandbox_url()) + "/oauth2/resource/x");
    CHECK(h.size() == 1 && h.pairs[0].second.rfind("Bearer ", 0) == 0);
    CHECK(resource_get(h, "/oauth2/resource/x") == 200);
    CHECK(oauth2_stat(jwt_id.c_str(), "tokens_issued") == 1);
  }
}

// DPoP-bound tokens: the headers carry a fresh proof per request, accepted by the resource once.
TEST(OAuth2, client_credentials_dpop_headers_are_accepted_by_the_resource) {
  finauth::SigningKey key = finauth::SigningKey::from_file(keys_dir() + "/ec.pem");
  std::string id = new_client("dpop", ",\"jwk\":" + key.public_jwk());
  auto cfg = cc_config(id);
  cfg.auth_method = "private_key_jwt";
  cfg.signing_key = &key;
  cfg.key_id = "k1";
  cfg.dpop = true;
  std::optional<finauth::ClientCredentials> cc;
  cc.emplace(cfg);
  { finauth::SigningKey gone = std::move(key); }  // the object keeps its own reference
  EXPECT_THROW_AS(finauth::ConfigError, cc->headers("GET"));  // a proof needs the URL
  const std::string path = "/oauth2/resource/accounts";
  const std::string url = std::string(sandbox_url()) + path;
  for (int i = 0; i < 3; i++) {
    finauth::Headers h = cc->headers("GET", url);
    CHECK(h.size() == 2 && h.pairs[0].first == "Authorization" && h.pairs[1].first == "DPoP");
    CHECK(h.pairs[0].second == "DPoP " + h.token);
    CHECK(resource_get(h, path) == 200);
    CHECK(resource_get(h, path) == 401);  // a proof is single-use
  }
  finauth::Headers post = cc->headers("POST", url);
  CHECK(resource_get(post, path) == 401);  // bound to the method
  CHECK(oauth2_stat(id.c_str(), "resource_ok") == 3);
  CHECK(oauth2_stat(id.c_str(), "token_requests") == 1);
  CHECK(cc->learn_nonce(url, "cpp-nonce-1"));
  CHECK(!cc->learn_nonce(url, "cpp-nonce-1"));
  // invalidate: the first call for the current token drops it, the next token is new.
  std::string t = cc->token();
  CHECK(cc->invalidate(t));
  CHECK(!cc->invalidate(t));
  CHECK(cc->token() != t);
  CHECK(cc->stats().invalidations == 1);
  EXPECT_THROW_AS(finauth::InvalidArgumentError, cc->learn_nonce(url, "bad\nnonce"));
}

// 1,000 threads (FINAUTH_TEST_HERD under valgrind) on one cold object: one token request.
TEST(OAuth2, client_credentials_herd_of_threads_makes_one_token_request) {
  const char *env = std::getenv("FINAUTH_TEST_HERD");
  const int n = env ? std::max(2, std::atoi(env)) : 1000;
  std::string id = new_client("herd", ",\"client_secret\":\"herd-secret\"");
  auto cfg = cc_config(id);
  cfg.client_secret = "herd-secret";
  cfg.auth_method = "client_secret_post";
  finauth::ClientCredentials cc(cfg);
  std::vector<std::string> tokens(static_cast<std::size_t>(n));
  std::vector<std::thread> threads;
  threads.reserve(tokens.size());
  std::mutex m;
  std::condition_variable cv;
  bool go = false;
  int errors = 0;
  for (int i = 0; i < n; i++) {
    threads.emplace_back([&, i] {
      {
        std::unique_lock<std::mutex> lock(m);
        cv.wait(lock, [&] { return go; });
      }
      try {
        tokens[static_cast<std::size_t>(i)] = cc.token();
      } catch (const finauth::Error &e) {
        std::lock_guard<std::mutex> lock(m);
        errors++;
        std::fprintf(stderr, "    thread %d: %s\n", i, e.what());
      }
    });
  }
  {
    std::lock_guard<std::mutex> lock(m);
    go = true;
  }
  cv.notify_all();
  for (auto &t : threads) t.join();
  CHECK(errors == 0);
  int same = 0;
  for (const auto &t : tokens) same += !t.empty() && t == tokens[0];
  CHECK(same == n);
  CHECK(oauth2_stat(id.c_str(), "token_requests") == 1);
  CHECK(cc.stats().auth_requests == 1);
}

// Errors carry the RFC 6749 fields; other errors have none.
TEST(OAuth2, client_credentials_errors_carry_the_oauth_fields) {
  std::string id = new_client("errors", ",\"client_secret\":\"right-secret\",\"scopes\":[\"accounts\"]");
  auto cfg = cc_config(id);
  cfg.client_secret = "wrong-secret-cpp";
  finauth::ClientCredentials wrong(cfg);
  auto e = EXPECT_THROW_AS(finauth::InvalidCredentialsError, wrong.token());
  CHECK(e && e->oauth_error() == "invalid_client");
  CHECK(e && e->error_description() == "client authentication failed");
  CHECK(e && e->correlation_id() && e->correlation_id()->rfind("sandbox-", 0) == 0);
  CHECK(e && e->attempts_remaining() == 2u && e->kind() == "INVALID_CREDENTIALS");
  CHECK(e && std::string(e->what()).find("wrong-secret-cpp") == std::string::npos);
  auto g = EXPECT_THROW_AS(finauth::LockoutGuardError, wrong.token());
  CHECK(g && g->guard_reason() == "secret_rejected" && !g->oauth_error());
  CHECK(wrong.guard_status().current_secret_rejected);
  wrong.reset_lockout_guard();
  CHECK(!wrong.guard_status().current_secret_rejected && wrong.guard_status().failed_attempts == 0);
  CHECK(oauth2_stat(id.c_str(), "invalid_client") == 1);

  cfg.client_secret = "right-secret";
  cfg.scope = "payments";
  finauth::ClientCredentials scoped(cfg);
  auto s = EXPECT_THROW_AS(finauth::ServerError, scoped.token());
  CHECK(s && s->http_status() == 400u && s->oauth_error() == "invalid_scope");
  CHECK(s && s->error_description() == "scope `payments` is not allowed" && s->correlation_id());

  cfg.token_url = std::string(sandbox_url()) + "/no-such-token-endpoint";
  cfg.scope.reset();
  finauth::ClientCredentials lost(cfg);
  auto nf = EXPECT_THROW_AS(finauth::ServerError, lost.token());
  CHECK(nf && nf->http_status() == 404u && !nf->oauth_error() && !nf->error_description() &&
        !nf->correlation_id());
  cfg.auth_method = "no_such_method";
  EXPECT_THROW_AS(finauth::ConfigError, finauth::ClientCredentials x(cfg));
}

// from_env() reads the FINAUTH_OAUTH2_* variables.
TEST(OAuth2, client_credentials_from_env) {
  std::string id = new_client("env", ",\"client_secret\":\"env-secret\"");
  setenv("FINAUTH_OAUTH2_TOKEN_URL", token_url().c_str(), 1);
  setenv("FINAUTH_OAUTH2_CLIENT_ID", id.c_str(), 1);
  setenv("FINAUTH_OAUTH2_CLIENT_SECRET", "env-secret", 1);
  setenv("FINAUTH_OAUTH2_AUTH_METHOD", "client_secret_post", 1);
  setenv("FINAUTH_ALLOW_INSECURE_LOOPBACK", "1", 1);
  auto cc = finauth::ClientCredentials::from_env();
  CHECK(!cc.token().empty());
  CHECK(oauth2_stat(id.c_str(), "token_requests") == 1);
  unsetenv("FINAUTH_OAUTH2_TOKEN_URL");
  EXPECT_THROW_AS(finauth::ConfigError, finauth::ClientCredentials::from_env());
  for (const char *v : {"FINAUTH_OAUTH2_CLIENT_ID", "FINAUTH_OAUTH2_CLIENT_SECRET",
                        "FINAUTH_OAUTH2_AUTH_METHOD", "FINAUTH_ALLOW_INSECURE_LOOPBACK"})
    unsetenv(v);
}

// PartnerAuth::observe_response on real answers, through the wrapper.
TEST(OAuth2, partner_observe_response_verdicts) {
  Partner p = new_partner("observe");
  finauth::PartnerAuth auth(config_for(p));
  std::string token = auth.token();
  std::string headers = "Finicity-App-Key: " + p.app_key + "\r\nFinicity-App-Token: " + token;
  static char body[8192];
  char ct[128];
  int status = sandbox_request("GET", "/aggregation/v1/customers", headers.c_str(), nullptr, 0,
                               body, sizeof body);
  sandbox_answer_header("Content-Type", ct, sizeof ct);
  CHECK(status == 200 && auth.observe_response(status, ct, body) == finauth::ResourceVerdict::Pass);
  headers = "Finicity-App-Key: " + p.app_key + "\r\nFinicity-App-Token: Nope";
  status = sandbox_request("GET", "/aggregation/v1/customers", headers.c_str(), nullptr, 0, body,
                           sizeof body);
  sandbox_answer_header("Content-Type", ct, sizeof ct);
  CHECK(status == 401 &&
        auth.observe_response(status, ct, body) == finauth::ResourceVerdict::TokenRejected);
  CHECK(auth.observe_response(500, "application/json", "{\"code\":24302,\"message\":\"Bad credentials\"}") ==
        finauth::ResourceVerdict::AccountLocked);
  auto e = EXPECT_THROW_AS(finauth::AccountLockedError, auth.token());
  CHECK(e && e->code() == 24302u);
  EXPECT_THROW_AS(finauth::InvalidArgumentError, auth.observe_response(-1, "", ""));
}

int main(int argc, char **argv) {
  (void)sandbox_url();  // exits with a message if FINAUTH_SANDBOX_URL is not set
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

// ---- payload encryption -------------------------------------------------------------------------

TEST(Encryption, payload_encryption_round_trips_and_throws_encryption_error_on_damage) {
  const std::string dir = keys_dir() + "/../encryption-keys/";
  auto cert = finauth::EncryptionCertificate::from_file(dir + "client-encryption-cert.pem");
  auto key = finauth::DecryptionKey::from_file(dir + "client-encryption-key.p12",
                                               std::string("keystorepassword"));
  CHECK(cert.key_fingerprint().size() == 64);
  finauth::PayloadEncryption jwe("jwe", R"({"encryptionPaths": {"$.card": "$.enc"},
      "decryptionPaths": {"$.enc.encryptedData": "$.card"}})", &cert, &key);
  const std::string plain = R"({"card":{"pan":"5123450000000008"},"id":1})";
  auto e = jwe.encrypt(plain);
  CHECK(e.headers.empty() && e.body.find("5123450000000008") == std::string::npos);
  CHECK(jwe.decrypt(e.body) == plain);
  EXPECT_THROW_AS(finauth::EncryptionError, jwe.decrypt("not json"));
  finauth::PayloadEncryption fle("fle", R"({"headerMode": true})", &cert, &key);
  auto f = fle.encrypt(plain);
  std::string block;
  for (const auto &[name, value] : f.headers) block += name + ": " + value + "\r\n";
  CHECK(!f.headers.empty() && fle.decrypt(f.body, block) == plain);
  EXPECT_THROW_AS(finauth::ConfigError, finauth::PayloadEncryption("jwe", R"({"oaep": "sha1"})", &cert, nullptr));
  EXPECT_THROW_AS(finauth::SigningKeyError,
                  finauth::DecryptionKey::from_file(dir + "client-encryption-key.p12", std::string("x")));
}

TEST(Encryption, mastercard_auth_encrypts_then_signs_and_decrypts_the_answer) {
  const std::string dir = keys_dir() + "/../encryption-keys/";
  auto cert = finauth::EncryptionCertificate::from_file(dir + "client-encryption-cert.pem");
  auto key = finauth::DecryptionKey::from_file(dir + "client-encryption-key.p12",
                                               std::string("keystorepassword"));
  finauth::PayloadEncryption enc("jwe", R"({"encryptionPaths": {"$.card": "$.enc"},
      "decryptionPaths": {"$.enc.encryptedData": "$.card"}})", &cert, &key);
  auto sk = finauth::SigningKey::from_file(keys_dir() + "/pkcs8.pem");
  finauth::OAuth1Signer signer("cpp-consumer", sk);
  std::optional<finauth::MastercardAuth> mc;
  mc.emplace(&signer, &enc);
  const std::string url = "https://api.mastercard.com/things?x=1";
  const std::string plain = R"({"card":{"pan":"5123450000000008"},"id":1})";
  auto p = mc->prepare("POST", url, plain);
  CHECK(p.body_changed && p.body.find("5123450000000008") == std::string::npos);
  CHECK(p.headers.size() == 1 && p.headers[0].first == "Authorization");
  CHECK(p.headers[0].second.rfind("OAuth ", 0) == 0);
  // The answer decrypts with the same configuration; anything else comes back as it is.
  CHECK(mc->response(p.body) == plain);
  CHECK(mc->response("<html/>") == "<html/>");
  auto get = mc->prepare("GET", url);
  CHECK(!get.body_changed && get.body.empty() && get.headers.size() == 1);
  // Signing only: the body is the caller's own.
  finauth::MastercardAuth sign_only(&signer, nullptr);
  auto s = sign_only.prepare("POST", url, plain);
  CHECK(!s.body_changed && s.body == plain);
  EXPECT_THROW_AS(finauth::EncryptionError, mc->response(R"({"enc":{"encryptedData":"a.b.c.d.e"}})"));
  EXPECT_THROW_AS(finauth::ConfigError, finauth::MastercardAuth(nullptr, nullptr));
}
