// The C++ wrapper (finauth.hpp) against the sandbox (FINAUTH_SANDBOX_URL): exceptions per kind with
// their fields, RAII, moves. Prints one line per test and `N passed, N failed`.
#include "finauth.hpp"

#include "sandbox_client.h"

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <unistd.h>
#include <vector>

static int g_failures;

#define CHECK(cond)                                                                         \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      g_failures++;                                                                         \
      std::fprintf(stderr, "    %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);     \
    }                                                                                       \
  } while (0)

// Runs `body`; checks it throws exactly E (or a subclass) and returns the caught exception.
template <typename E>
static std::optional<E> expect_throw(const std::function<void()> &body, int line) {
  try {
    body();
  } catch (const E &e) {
    return e;
  } catch (const std::exception &e) {
    g_failures++;
    std::fprintf(stderr, "    line %d: wrong exception: %s\n", line, e.what());
    return std::nullopt;
  }
  g_failures++;
  std::fprintf(stderr, "    line %d: no exception\n", line);
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

static void handles_are_move_only() {
  static_assert(!std::is_copy_constructible_v<finauth::PartnerAuth>);
  static_assert(!std::is_copy_assignable_v<finauth::PartnerAuth>);
  static_assert(std::is_nothrow_move_constructible_v<finauth::PartnerAuth>);
  static_assert(std::is_nothrow_move_assignable_v<finauth::PartnerAuth>);
  static_assert(!std::is_copy_constructible_v<finauth::Store>);
  static_assert(std::is_base_of_v<std::runtime_error, finauth::Error>);
  static_assert(std::is_base_of_v<finauth::Error, finauth::LockoutGuardError>);
  CHECK(!finauth::version().empty());
}

static void token_headers_and_stats() {
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

static void moves_transfer_ownership() {
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

static void exceptions_carry_their_fields() {
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

static void stores_outlive_nothing_they_do_not_need_to() {
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

static void threads_share_one_object() {
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

static void oauth1_signer_raii_and_errors() {
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

int main() {
  (void)sandbox_url();
  struct {
    const char *name;
    void (*fn)();
  } tests[] = {
      {"handles_are_move_only", handles_are_move_only},
      {"token_headers_and_stats", token_headers_and_stats},
      {"moves_transfer_ownership", moves_transfer_ownership},
      {"exceptions_carry_their_fields", exceptions_carry_their_fields},
      {"stores_outlive_nothing_they_do_not_need_to", stores_outlive_nothing_they_do_not_need_to},
      {"threads_share_one_object", threads_share_one_object},
      {"oauth1_signer_raii_and_errors", oauth1_signer_raii_and_errors},
  };
  int passed = 0, failed = 0;
  for (const auto &t : tests) {
    g_failures = 0;
    try {
      t.fn();
    } catch (const std::exception &e) {
      g_failures++;
      std::fprintf(stderr, "    unexpected exception: %s\n", e.what());
    }
    if (g_failures == 0) {
      passed++;
      std::printf("ok   %s\n", t.name);
    } else {
      failed++;
      std::printf("FAIL %s (%d check(s))\n", t.name, g_failures);
    }
    std::fflush(stdout);
  }
  std::printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
