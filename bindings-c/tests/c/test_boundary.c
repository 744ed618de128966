/* The C API surface itself: version and status names, NULL and invalid UTF-8 arguments, threads
 * (a cold herd, the last error per thread) and owned strings. */
#include "harness.h"
#include "tests.h"

void version_is_a_semver_string(void) {
  const char *v = finauth_version();
  CHECK(v != NULL && strlen(v) >= 5 && strchr(v, '.') != NULL);
}

void every_status_has_its_api_name(void) {
  CHECK(FINAUTH_OK == 0);
  static const char *names[] = {"OK",           "CONFIG",      "INVALID_CREDENTIALS",
                                "ACCOUNT_LOCKED", "LOCKOUT_GUARD", "RATE_LIMITED",
                                "UNAUTHORIZED", "SERVER",      "TRANSPORT",
                                "TIMEOUT",      "STORE",       "SIGNING_KEY",
                                "INVALID_ARGUMENT", "INTERNAL"};
  for (int i = 0; i <= FINAUTH_ERR_INTERNAL; i++) CHECK(strcmp(finauth_status_name(i), names[i]) == 0);
  CHECK(strcmp(finauth_status_name(99), "UNKNOWN") == 0);
  CHECK(strcmp(finauth_status_name(-5), "UNKNOWN") == 0);
}

void null_arguments_are_invalid_arguments(void) {
  partner p = new_partner("null");
  finauth_partner_auth_config cfg = config_for(&p);
  finauth_partner_auth *auth = auth_for(&cfg);
  finauth_partner_auth *out = NULL;
  char *token = (char *)1;
  finauth_headers *h = (finauth_headers *)1;
  finauth_store *store = NULL;
  finauth_stats st;
  finauth_guard_status g;
  bool dropped = true;

  CHECK_STATUS(finauth_partner_auth_from_env(NULL), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK(contains(finauth_last_error_message(), "out"));
  CHECK_STATUS(finauth_partner_auth_new(NULL, &out), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK(out == NULL && contains(finauth_last_error_message(), "config"));
  CHECK_STATUS(finauth_partner_auth_new(&cfg, NULL), FINAUTH_ERR_INVALID_ARGUMENT);
  cfg.partner_id = NULL;
  CHECK_STATUS(finauth_partner_auth_new(&cfg, &out), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK(contains(finauth_last_error_message(), "config.partner_id is NULL"));
  cfg = config_for(&p);
  cfg.partner_secret = NULL;
  CHECK_STATUS(finauth_partner_auth_new(&cfg, &out), FINAUTH_ERR_INVALID_ARGUMENT);
  cfg = config_for(&p);
  cfg.app_key = NULL;
  CHECK_STATUS(finauth_partner_auth_new(&cfg, &out), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK(out == NULL);

  CHECK_STATUS(finauth_partner_auth_token(NULL, &token), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK(token == NULL && contains(finauth_last_error_message(), "auth is NULL"));
  CHECK_STATUS(finauth_partner_auth_token(auth, NULL), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK(contains(finauth_last_error_message(), "out_token is NULL"));
  CHECK_STATUS(finauth_partner_auth_headers(NULL, &h), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK(h == NULL);
  CHECK_STATUS(finauth_partner_auth_headers(auth, NULL), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_partner_auth_invalidate(NULL, "t", &dropped), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK(!dropped);
  CHECK_STATUS(finauth_partner_auth_invalidate(auth, NULL, NULL), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK(contains(finauth_last_error_message(), "token is NULL"));
  CHECK_STATUS(finauth_partner_auth_modify_secret(NULL, "Rotated2027secret", true),
               FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_partner_auth_modify_secret(auth, NULL, false), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_partner_auth_set_app_key(NULL, "k"), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_partner_auth_set_app_key(auth, NULL), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_partner_auth_reset_guard(NULL), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_partner_auth_guard_status(NULL, &g), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_partner_auth_guard_status(auth, NULL), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_partner_auth_stats(NULL, &st), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_partner_auth_stats(auth, NULL), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_store_memory_new(NULL), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_store_file_new(NULL, &store), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK(store == NULL && contains(finauth_last_error_message(), "dir is NULL"));
  CHECK_STATUS(finauth_store_file_new("/tmp", NULL), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_store_from_spec(NULL, &store), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_last_error_info(NULL), FINAUTH_ERR_INVALID_ARGUMENT);

  /* Accessors and frees accept NULL. */
  CHECK(finauth_headers_count(NULL) == 0);
  CHECK(finauth_headers_name(NULL, 0) == NULL);
  CHECK(finauth_headers_value(NULL, 0) == NULL);
  CHECK(finauth_headers_token(NULL) == NULL);
  finauth_string_free(NULL);
  finauth_headers_free(NULL);
  finauth_store_free(NULL);
  finauth_partner_auth_free(NULL);

  /* Nothing was sent for any of these. */
  CHECK(sandbox_stat(p.id, "auth_requests") == 0);
  finauth_partner_auth_free(auth);
}

void invalid_utf8_is_an_invalid_argument(void) {
  partner p = new_partner("utf8");
  finauth_partner_auth_config cfg = config_for(&p);
  finauth_partner_auth *auth = auth_for(&cfg);
  finauth_partner_auth *out = NULL;
  finauth_store *store = NULL;
  const char *bad[] = {"\xff\xfe", "abc\xc3\x28", "\x80", "\xe2\x28\xa1", "ok\xf0\x28\x8c\x28"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    cfg = config_for(&p);
    cfg.partner_id = bad[i];
    CHECK_STATUS(finauth_partner_auth_new(&cfg, &out), FINAUTH_ERR_INVALID_ARGUMENT);
    CHECK(contains(finauth_last_error_message(), "config.partner_id is not valid UTF-8"));
    cfg = config_for(&p);
    cfg.base_url = bad[i];
    CHECK_STATUS(finauth_partner_auth_new(&cfg, &out), FINAUTH_ERR_INVALID_ARGUMENT);
    CHECK(out == NULL);
    CHECK_STATUS(finauth_partner_auth_set_app_key(auth, bad[i]), FINAUTH_ERR_INVALID_ARGUMENT);
    CHECK(contains(finauth_last_error_message(), "UTF-8"));
    CHECK_STATUS(finauth_partner_auth_invalidate(auth, bad[i], NULL), FINAUTH_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(finauth_partner_auth_modify_secret(auth, bad[i], true), FINAUTH_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(finauth_store_file_new(bad[i], &store), FINAUTH_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(finauth_store_from_spec(bad[i], &store), FINAUTH_ERR_INVALID_ARGUMENT);
    CHECK(store == NULL);
  }
  /* Valid UTF-8 that is not a valid value is a CONFIG error, not a crash. */
  CHECK_STATUS(finauth_partner_auth_set_app_key(auth, "caf\xc3\xa9"), FINAUTH_ERR_CONFIG);
  cfg = config_for(&p);
  cfg.partner_secret = "line\nbreak";
  CHECK_STATUS(finauth_partner_auth_new(&cfg, &out), FINAUTH_ERR_CONFIG);
  CHECK(!contains(finauth_last_error_message(), "line\nbreak"));
  CHECK(sandbox_stat(p.id, "auth_requests") == 0);
  finauth_partner_auth_free(auth);
}

/* 64 threads, one cold object, started together: one authentication. */
#define HERD 64
typedef struct herd {
  finauth_partner_auth *auth;
  pthread_barrier_t barrier;
  char *tokens[HERD];
  finauth_status status[HERD];
  bool clean_last_error[HERD];
} herd;

typedef struct herd_arg {
  herd *h;
  int i;
} herd_arg;

static void *herd_member(void *p) {
  herd_arg *a = (herd_arg *)p;
  pthread_barrier_wait(&a->h->barrier);
  a->h->status[a->i] = finauth_partner_auth_token(a->h->auth, &a->h->tokens[a->i]);
  a->h->clean_last_error[a->i] = strcmp(finauth_last_error_message(), "") == 0;
  return NULL;
}

void herd_of_64_threads_on_a_cold_cache_authenticates_once(void) {
  partner p = new_partner("herd");
  finauth_partner_auth_config cfg = config_for(&p);
  herd h;
  memset(&h, 0, sizeof h);
  h.auth = auth_for(&cfg);
  pthread_barrier_init(&h.barrier, NULL, HERD);
  pthread_t threads[HERD];
  herd_arg args[HERD];
  for (int i = 0; i < HERD; i++) {
    args[i].h = &h;
    args[i].i = i;
    CHECK(pthread_create(&threads[i], NULL, herd_member, &args[i]) == 0);
  }
  for (int i = 0; i < HERD; i++) pthread_join(threads[i], NULL);
  pthread_barrier_destroy(&h.barrier);
  int ok = 0, same = 0;
  for (int i = 0; i < HERD; i++) {
    if (h.status[i] == FINAUTH_OK && h.tokens[i] != NULL) ok++;
    if (h.tokens[i] && h.tokens[0] && strcmp(h.tokens[i], h.tokens[0]) == 0) same++;
    CHECK(h.clean_last_error[i]);
  }
  for (int i = 0; i < HERD; i++) finauth_string_free(h.tokens[i]);
  CHECK(ok == HERD);
  CHECK(same == HERD);
  CHECK(sandbox_stat(p.id, "auth_requests") == 1);
  finauth_stats st;
  CHECK_STATUS(finauth_partner_auth_stats(h.auth, &st), FINAUTH_OK);
  CHECK(st.auth_requests == 1);
  finauth_partner_auth_free(h.auth);
}

static void *read_message_elsewhere(void *out) {
  *(bool *)out = strcmp(finauth_last_error_message(), "") == 0 &&
                 strcmp(finauth_status_name(FINAUTH_ERR_CONFIG), "CONFIG") == 0;
  finauth_error_info info;
  *(bool *)out = *(bool *)out && finauth_last_error_info(&info) == FINAUTH_OK &&
                 info.status == FINAUTH_OK;
  return NULL;
}

void last_error_is_per_thread(void) {
  char *token = NULL;
  CHECK_STATUS(finauth_partner_auth_token(NULL, &token), FINAUTH_ERR_INVALID_ARGUMENT);
  const char *before = finauth_last_error_message();
  bool other_clean = false;
  pthread_t t;
  CHECK(pthread_create(&t, NULL, read_message_elsewhere, &other_clean) == 0);
  pthread_join(t, NULL);
  CHECK(other_clean);
  /* This thread's message is still there, at the same address. */
  CHECK(finauth_last_error_message() == before && contains(before, "auth is NULL"));
  CHECK(last_info().status == FINAUTH_ERR_INVALID_ARGUMENT);
  /* A later successful call clears it. */
  finauth_store *s = NULL;
  CHECK_STATUS(finauth_store_memory_new(&s), FINAUTH_OK);
  CHECK(strcmp(finauth_last_error_message(), "") == 0);
  finauth_store_free(s);
}

void strings_are_owned_copies(void) {
  partner p = new_partner("strings");
  finauth_partner_auth_config cfg = config_for(&p);
  finauth_partner_auth *auth = auth_for(&cfg);
  char *tokens[16];
  for (int i = 0; i < 16; i++) CHECK_STATUS(finauth_partner_auth_token(auth, &tokens[i]), FINAUTH_OK);
  /* Each is a separate allocation; the object may go first; free in any order. */
  finauth_partner_auth_free(auth);
  for (int i = 0; i < 16; i++) {
    for (int j = 0; j < i; j++) CHECK(tokens[i] != tokens[j]);
    CHECK(tokens[i] && strcmp(tokens[i], tokens[0]) == 0);
  }
  for (int i = 15; i >= 0; i -= 2) finauth_string_free(tokens[i]);
  for (int i = 0; i < 16; i += 2) finauth_string_free(tokens[i]);
}
