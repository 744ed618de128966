/* PartnerAuth against the sandbox: tokens and headers, from_env, config errors, the guard, a lock,
 * rate limiting, and server, transport and timeout errors. */
#include "harness.h"
#include "tests.h"

void token_and_headers_authenticate_once(void) {
  partner p = new_partner("token");
  finauth_partner_auth_config cfg = config_for(&p);
  finauth_partner_auth *auth = auth_for(&cfg);

  char *token = NULL;
  CHECK_STATUS(finauth_partner_auth_token(auth, &token), FINAUTH_OK);
  CHECK(token != NULL && strlen(token) == 32);
  CHECK(strcmp(finauth_last_error_message(), "") == 0);
  finauth_error_info info = last_info();
  CHECK(info.status == FINAUTH_OK && strcmp(info.kind, "OK") == 0);

  finauth_headers *h = NULL;
  CHECK_STATUS(finauth_partner_auth_headers(auth, &h), FINAUTH_OK);
  CHECK(finauth_headers_count(h) == 2);
  CHECK(strcmp(finauth_headers_name(h, 0), "Finicity-App-Key") == 0);
  CHECK(strcmp(finauth_headers_value(h, 0), p.app_key) == 0);
  CHECK(strcmp(finauth_headers_name(h, 1), "Finicity-App-Token") == 0);
  CHECK(token && strcmp(finauth_headers_value(h, 1), token) == 0);
  CHECK(token && strcmp(finauth_headers_token(h), token) == 0);
  CHECK(finauth_headers_name(h, 2) == NULL && finauth_headers_value(h, 2) == NULL);
  finauth_headers_free(h);

  /* A second token is a separate copy of the same value. */
  char *again = NULL;
  CHECK_STATUS(finauth_partner_auth_token(auth, &again), FINAUTH_OK);
  CHECK(again != NULL && again != token && token && strcmp(again, token) == 0);
  finauth_string_free(token);
  finauth_string_free(again);

  finauth_stats st;
  CHECK_STATUS(finauth_partner_auth_stats(auth, &st), FINAUTH_OK);
  CHECK(st.auth_requests == 1 && st.auth_successes == 1 && st.cache_hits >= 2);
  CHECK(sandbox_stat(p.id, "auth_requests") == 1);

  finauth_guard_status g;
  CHECK_STATUS(finauth_partner_auth_guard_status(auth, &g), FINAUTH_OK);
  CHECK(g.failed_attempts == 0 && g.max_failed_attempts == 3 && g.attempts_remaining == 3);
  CHECK(g.locked_code == -1 && !g.current_secret_rejected);
  finauth_partner_auth_free(auth);
}

void from_env_reads_the_api_variables(void) {
  partner p = new_partner("env");
  setenv("FINICITY_PARTNER_ID", p.id, 1);
  setenv("FINICITY_PARTNER_SECRET", p.secret, 1);
  setenv("FINICITY_APP_KEY", p.app_key, 1);
  setenv("FINICITY_BASE_URL", sandbox_url(), 1);
  setenv("FINAUTH_ALLOW_INSECURE_LOOPBACK", "1", 1);
  setenv("FINAUTH_TIMEOUT", "10", 1);

  finauth_partner_auth *auth = NULL;
  CHECK_STATUS(finauth_partner_auth_from_env(&auth), FINAUTH_OK);
  char *token = NULL;
  CHECK_STATUS(finauth_partner_auth_token(auth, &token), FINAUTH_OK);
  CHECK(token != NULL);
  finauth_string_free(token);
  finauth_partner_auth_free(auth);
  CHECK(sandbox_stat(p.id, "auth_success") == 1);

  setenv("FINAUTH_MAX_FAILED_ATTEMPTS", "9", 1);
  auth = (finauth_partner_auth *)1; /* must be reset to NULL on failure */
  CHECK_STATUS(finauth_partner_auth_from_env(&auth), FINAUTH_ERR_CONFIG);
  CHECK(auth == NULL);
  CHECK(contains(finauth_last_error_message(), "max_failed_attempts"));
  unsetenv("FINAUTH_MAX_FAILED_ATTEMPTS");

  unsetenv("FINICITY_PARTNER_ID");
  CHECK_STATUS(finauth_partner_auth_from_env(&auth), FINAUTH_ERR_CONFIG);
  CHECK(auth == NULL);
  CHECK(contains(finauth_last_error_message(), "FINICITY_PARTNER_ID"));
  finauth_error_info info = last_info();
  CHECK(info.status == FINAUTH_ERR_CONFIG && strcmp(info.kind, "CONFIG") == 0);
  unsetenv("FINICITY_PARTNER_SECRET");
  unsetenv("FINICITY_APP_KEY");
  unsetenv("FINICITY_BASE_URL");
  unsetenv("FINAUTH_ALLOW_INSECURE_LOOPBACK");
  unsetenv("FINAUTH_TIMEOUT");
}

void config_errors_name_the_field(void) {
  partner p = new_partner("config");
  finauth_partner_auth *auth = NULL;
  finauth_partner_auth_config cfg = config_for(&p);

  cfg.max_failed_attempts = 9;
  CHECK_STATUS(finauth_partner_auth_new(&cfg, &auth), FINAUTH_ERR_CONFIG);
  CHECK(auth == NULL && contains(finauth_last_error_message(), "max_failed_attempts"));

  cfg = config_for(&p);
  cfg.timeout = -1.0;
  CHECK_STATUS(finauth_partner_auth_new(&cfg, &auth), FINAUTH_ERR_CONFIG);
  CHECK(contains(finauth_last_error_message(), "timeout"));

  cfg = config_for(&p);
  cfg.refresh_after = 100.0;
  cfg.token_lifetime = 50.0;
  CHECK_STATUS(finauth_partner_auth_new(&cfg, &auth), FINAUTH_ERR_CONFIG);
  CHECK(contains(finauth_last_error_message(), "refresh_after"));

  cfg = config_for(&p);
  cfg.base_url = "http://api.example.com";
  CHECK_STATUS(finauth_partner_auth_new(&cfg, &auth), FINAUTH_ERR_CONFIG);
  CHECK(contains(finauth_last_error_message(), "base_url"));

  cfg = config_for(&p);
  cfg.allow_insecure_loopback = false;
  CHECK_STATUS(finauth_partner_auth_new(&cfg, &auth), FINAUTH_ERR_CONFIG);

  cfg = config_for(&p);
  cfg.partner_id = "";
  CHECK_STATUS(finauth_partner_auth_new(&cfg, &auth), FINAUTH_ERR_CONFIG);
  CHECK(contains(finauth_last_error_message(), "partner_id"));

  cfg = config_for(&p);
  cfg.app_key = "has space";
  CHECK_STATUS(finauth_partner_auth_new(&cfg, &auth), FINAUTH_ERR_CONFIG);
  CHECK(contains(finauth_last_error_message(), "app_key"));
  CHECK(auth == NULL);

  /* Explicit values in range are accepted. */
  cfg = config_for(&p);
  cfg.refresh_after = 30.5;
  cfg.token_lifetime = 60.0;
  cfg.timeout = 5.0;
  cfg.max_failed_attempts = 2;
  CHECK_STATUS(finauth_partner_auth_new(&cfg, &auth), FINAUTH_OK);
  finauth_guard_status g;
  CHECK_STATUS(finauth_partner_auth_guard_status(auth, &g), FINAUTH_OK);
  CHECK(g.max_failed_attempts == 2);
  finauth_partner_auth_free(auth);
}

void wrong_secret_is_stopped_by_the_guard(void) {
  partner p = new_partner("guard");
  finauth_partner_auth_config cfg = config_for(&p);
  cfg.partner_secret = "WrongSecret2026";
  finauth_partner_auth *auth = auth_for(&cfg);

  char *token = NULL;
  CHECK_STATUS(finauth_partner_auth_token(auth, &token), FINAUTH_ERR_INVALID_CREDENTIALS);
  CHECK(token == NULL);
  finauth_error_info info = last_info();
  CHECK(info.status == FINAUTH_ERR_INVALID_CREDENTIALS);
  CHECK(strcmp(info.kind, "INVALID_CREDENTIALS") == 0);
  CHECK(info.attempts_remaining == 2);
  CHECK(info.code == 10001);
  CHECK(info.failed_attempts == -1 && info.http_status == -1);
  CHECK(!contains(finauth_last_error_message(), "WrongSecret2026"));

  for (int i = 0; i < 10; i++) {
    CHECK_STATUS(finauth_partner_auth_token(auth, &token), FINAUTH_ERR_LOCKOUT_GUARD);
    CHECK(token == NULL);
  }
  info = last_info();
  CHECK(info.status == FINAUTH_ERR_LOCKOUT_GUARD && info.failed_attempts == 1);
  CHECK(strcmp(info.guard_reason, "secret_rejected") == 0);
  CHECK(info.attempts_remaining == -1);

  long failures = sandbox_stat(p.id, "auth_failures");
  CHECK(failures >= 1 && failures <= 3);
  CHECK(sandbox_stat(p.id, "auth_requests") == failures);
  CHECK(sandbox_stat(p.id, "wrong_in_a_row") == failures);

  finauth_stats st;
  CHECK_STATUS(finauth_partner_auth_stats(auth, &st), FINAUTH_OK);
  CHECK(st.credential_failures == 1 && st.guard_refusals >= 10);

  finauth_guard_status g;
  CHECK_STATUS(finauth_partner_auth_guard_status(auth, &g), FINAUTH_OK);
  CHECK(g.failed_attempts == 1 && g.current_secret_rejected && g.rejected_secrets == 1);

  /* The operator fixes the secret at the server, then resets the guard. */
  CHECK(sandbox_add_partner(p.id, "WrongSecret2026", p.app_key) == 0);
  CHECK_STATUS(finauth_partner_auth_reset_guard(auth), FINAUTH_OK);
  CHECK_STATUS(finauth_partner_auth_guard_status(auth, &g), FINAUTH_OK);
  CHECK(g.failed_attempts == 0 && !g.current_secret_rejected);
  CHECK_STATUS(finauth_partner_auth_token(auth, &token), FINAUTH_OK);
  finauth_string_free(token);
  finauth_partner_auth_free(auth);
}

void attempts_run_out_across_objects_sharing_a_store(void) {
  partner p = new_partner("exhaust");
  char dir[] = "/tmp/finauth-c-test-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  finauth_store *store = NULL;
  CHECK_STATUS(finauth_store_file_new(dir, &store), FINAUTH_OK);
  finauth_partner_auth_config cfg = config_for(&p);
  cfg.store = store;
  cfg.max_failed_attempts = 2;
  char secret[64];
  char *token = NULL;
  /* Two different wrong secrets, two objects, one store: the guard counts both. */
  for (int i = 0; i < 2; i++) {
    snprintf(secret, sizeof secret, "Wrong%dSecret2026", i);
    cfg.partner_secret = secret;
    finauth_partner_auth *auth = auth_for(&cfg);
    CHECK_STATUS(finauth_partner_auth_token(auth, &token), FINAUTH_ERR_INVALID_CREDENTIALS);
    CHECK(last_info().attempts_remaining == 1 - i);
    finauth_partner_auth_free(auth);
  }
  cfg.partner_secret = p.secret; /* even the right one is not sent now */
  finauth_partner_auth *auth = auth_for(&cfg);
  CHECK_STATUS(finauth_partner_auth_token(auth, &token), FINAUTH_ERR_LOCKOUT_GUARD);
  CHECK(strcmp(last_info().guard_reason, "attempts_exhausted") == 0);
  CHECK(last_info().failed_attempts == 2);
  CHECK(sandbox_stat(p.id, "auth_failures") == 2);
  CHECK_STATUS(finauth_partner_auth_reset_guard(auth), FINAUTH_OK);
  CHECK_STATUS(finauth_partner_auth_token(auth, &token), FINAUTH_OK);
  finauth_string_free(token);
  finauth_partner_auth_free(auth);
  finauth_store_free(store);
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  CHECK(system(cmd) == 0);
}

void account_locked_on_a_24302(void) {
  partner p = new_partner("locked");
  finauth_partner_auth_config cfg = config_for(&p);
  finauth_partner_auth *auth = auth_for(&cfg);
  sandbox_clear_faults();
  CHECK(sandbox_fault("\"locked\"", 1) == 0);
  char *token = NULL;
  CHECK_STATUS(finauth_partner_auth_token(auth, &token), FINAUTH_ERR_ACCOUNT_LOCKED);
  finauth_error_info info = last_info();
  CHECK(info.code == 24302 && strcmp(info.kind, "ACCOUNT_LOCKED") == 0);
  /* From now on the lock is reported without asking the server. */
  CHECK_STATUS(finauth_partner_auth_token(auth, &token), FINAUTH_ERR_ACCOUNT_LOCKED);
  CHECK(token == NULL && last_info().code == 24302);
  finauth_guard_status g;
  CHECK_STATUS(finauth_partner_auth_guard_status(auth, &g), FINAUTH_OK);
  CHECK(g.locked_code == 24302);
  CHECK(sandbox_stat(p.id, "auth_requests") == 1);
  sandbox_clear_faults();
  finauth_partner_auth_free(auth);
}

void rate_limited_on_an_unknown_app_key(void) {
  partner p = new_partner("ratelimit");
  finauth_partner_auth_config cfg = config_for(&p);
  cfg.app_key = "no-such-app-key";
  finauth_partner_auth *auth = auth_for(&cfg);
  char *token = NULL;
  CHECK_STATUS(finauth_partner_auth_token(auth, &token), FINAUTH_ERR_RATE_LIMITED);
  finauth_error_info info = last_info();
  CHECK(info.retry_after == -1.0 && strcmp(info.kind, "RATE_LIMITED") == 0);
  CHECK(contains(finauth_last_error_message(), "App Key") ||
        contains(finauth_last_error_message(), "app_key"));
  finauth_partner_auth_free(auth);
}

void server_error_on_a_503(void) {
  partner p = new_partner("server");
  finauth_partner_auth_config cfg = config_for(&p);
  finauth_partner_auth *auth = auth_for(&cfg);
  sandbox_clear_faults();
  CHECK(sandbox_fault("{\"status\":503,\"content_type\":\"text/html\",\"body\":\"<h1>down</h1>\"}",
                      1) == 0);
  char *token = NULL;
  CHECK_STATUS(finauth_partner_auth_token(auth, &token), FINAUTH_ERR_SERVER);
  finauth_error_info info = last_info();
  CHECK(info.http_status == 503 && info.code == -1);
  sandbox_clear_faults();
  finauth_partner_auth_free(auth);
}

void transport_error_on_a_closed_port(void) {
  partner p = new_partner("transport");
  finauth_partner_auth_config cfg = config_for(&p);
  cfg.base_url = "http://127.0.0.1:1";
  finauth_partner_auth *auth = auth_for(&cfg);
  char *token = NULL;
  CHECK_STATUS(finauth_partner_auth_token(auth, &token), FINAUTH_ERR_TRANSPORT);
  CHECK(token == NULL && strcmp(last_info().kind, "TRANSPORT") == 0);
  finauth_partner_auth_free(auth);

  /* A body cut short is a transport failure too. */
  partner q = new_partner("truncated");
  cfg = config_for(&q);
  auth = auth_for(&cfg);
  sandbox_clear_faults();
  CHECK(sandbox_fault("\"truncated_body\"", 1) == 0);
  CHECK_STATUS(finauth_partner_auth_token(auth, &token), FINAUTH_ERR_TRANSPORT);
  sandbox_clear_faults();
  finauth_partner_auth_free(auth);
}

void timeout_when_the_server_is_slow(void) {
  partner p = new_partner("timeout");
  finauth_partner_auth_config cfg = config_for(&p);
  cfg.timeout = 0.5;
  finauth_partner_auth *auth = auth_for(&cfg);
  sandbox_clear_faults();
  CHECK(sandbox_fault("{\"delay_ms\":3000}", 1) == 0);
  char *token = NULL;
  CHECK_STATUS(finauth_partner_auth_token(auth, &token), FINAUTH_ERR_TIMEOUT);
  CHECK(strcmp(last_info().kind, "TIMEOUT") == 0);
  sandbox_clear_faults();
  finauth_partner_auth_free(auth);
}
