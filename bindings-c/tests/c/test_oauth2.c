/* OAuth 2.0 client credentials: a thread herd makes one token request, private_key_jwt + DPoP,
 * the guard, and the RFC 6749 error fields. */
#include "harness.h"
#include "tests.h"

static char g_token_url[256];

static finauth_client_credentials_config oauth2_config(const char *client_id, const char *secret) {
  snprintf(g_token_url, sizeof g_token_url, "%s/oauth2/token", sandbox_url());
  finauth_client_credentials_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.token_url = g_token_url;
  cfg.client_id = client_id;
  cfg.client_secret = secret;
  cfg.allow_insecure_loopback = true;
  cfg.timeout = 10;
  return cfg;
}

typedef struct cc_herd {
  finauth_client_credentials *cc;
  pthread_barrier_t barrier;
  char **tokens;
  finauth_status *status;
} cc_herd;

typedef struct cc_herd_arg {
  cc_herd *h;
  int i;
} cc_herd_arg;

static void *cc_herd_member(void *p) {
  cc_herd_arg *a = (cc_herd_arg *)p;
  pthread_barrier_wait(&a->h->barrier);
  a->h->status[a->i] = finauth_client_credentials_token(a->h->cc, &a->h->tokens[a->i]);
  if (a->h->status[a->i] != FINAUTH_OK) fprintf(stderr, "    thread %d: %s\n", a->i, finauth_last_error_message());
  return NULL;
}

/* FINAUTH_TEST_HERD threads (default 1000; fewer under valgrind), one cold object: one request. */
void oauth2_herd_of_threads_makes_one_token_request(void) {
  const char *env = getenv("FINAUTH_TEST_HERD");
  int n = env ? atoi(env) : 1000;
  if (n < 2) n = 2;
  char id[64];
  snprintf(id, sizeof id, "c-herd-%d", (int)getpid());
  char body[256];
  snprintf(body, sizeof body, "{\"client_id\":\"%s\",\"client_secret\":\"herd-secret\"}", id);
  CHECK(sandbox_http("POST", "/__admin/oauth2/clients", body, NULL, 0) == 204);
  finauth_client_credentials_config cfg = oauth2_config(id, "herd-secret");
  cc_herd h;
  memset(&h, 0, sizeof h);
  CHECK_STATUS(finauth_client_credentials_new(&cfg, &h.cc), FINAUTH_OK);
  h.tokens = calloc((size_t)n, sizeof(char *));
  h.status = calloc((size_t)n, sizeof(finauth_status));
  pthread_t *threads = calloc((size_t)n, sizeof(pthread_t));
  cc_herd_arg *args = calloc((size_t)n, sizeof(cc_herd_arg));
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_barrier_init(&h.barrier, NULL, (unsigned)n);
  int started = 0;
  for (int i = 0; i < n; i++) {
    args[i].h = &h;
    args[i].i = i;
    if (pthread_create(&threads[i], &attr, cc_herd_member, &args[i]) == 0) started++;
  }
  CHECK(started == n);
  for (int i = 0; i < started; i++) pthread_join(threads[i], NULL);
  pthread_barrier_destroy(&h.barrier);
  pthread_attr_destroy(&attr);
  int same = 0;
  for (int i = 0; i < n; i++) {
    if (h.status[i] == FINAUTH_OK && h.tokens[i] && h.tokens[0] && strcmp(h.tokens[i], h.tokens[0]) == 0) same++;
  }
  for (int i = 0; i < n; i++) finauth_string_free(h.tokens[i]);
  if (same != n) fprintf(stderr, "    %d of %d threads got the token\n", same, n);
  CHECK(same == n);
  CHECK(oauth2_stat(id, "token_requests") == 1);
  finauth_stats st;
  CHECK_STATUS(finauth_client_credentials_stats(h.cc, &st), FINAUTH_OK);
  CHECK(st.auth_requests == 1);
  finauth_client_credentials_free(h.cc);
  free(h.tokens);
  free(h.status);
  free(threads);
  free(args);
}

/* private_key_jwt with an EC key and DPoP: the headers work once, for their request only. */
void oauth2_private_key_jwt_with_dpop_headers(void) {
  finauth_signing_key *k = NULL;
  CHECK_STATUS(finauth_signing_key_from_file(key_path("ec.pem"), NULL, NULL, &k), FINAUTH_OK);
  char *jwk = NULL;
  CHECK_STATUS(finauth_signing_key_public_jwk(k, &jwk), FINAUTH_OK);
  /* A client of this process: the suite runs several times (valgrind, ASan) on one sandbox. */
  char id[64];
  snprintf(id, sizeof id, "c-dpop-%d", (int)getpid());
  char body[1024];
  snprintf(body, sizeof body, "{\"client_id\":\"%s\",\"jwk\":%s}", id, jwk ? jwk : "null");
  finauth_string_free(jwk);
  CHECK(sandbox_http("POST", "/__admin/oauth2/clients", body, NULL, 0) == 204);
  finauth_client_credentials_config cfg = oauth2_config(id, NULL);
  cfg.auth_method = "private_key_jwt";
  cfg.signing_key = k;
  cfg.key_id = "k1";
  cfg.dpop = true;
  finauth_client_credentials *cc = NULL;
  CHECK_STATUS(finauth_client_credentials_new(&cfg, &cc), FINAUTH_OK);
  finauth_signing_key_free(k);
  finauth_headers *h = NULL;
  CHECK_STATUS(finauth_client_credentials_headers(cc, "GET", NULL, &h), FINAUTH_ERR_CONFIG);
  char url[512];
  snprintf(url, sizeof url, "%s/oauth2/resource/accounts", sandbox_url());
  CHECK_STATUS(finauth_client_credentials_headers(cc, "GET", url, &h), FINAUTH_OK);
  CHECK(finauth_headers_count(h) == 2);
  CHECK(strcmp(finauth_headers_name(h, 0), "Authorization") == 0);
  CHECK(strncmp(finauth_headers_value(h, 0), "DPoP ", 5) == 0);
  CHECK(strcmp(finauth_headers_name(h, 1), "DPoP") == 0);
  static char lines[8192];
  snprintf(lines, sizeof lines, "%s: %s\r\n%s: %s\r\n", finauth_headers_name(h, 0), finauth_headers_value(h, 0),
           finauth_headers_name(h, 1), finauth_headers_value(h, 1));
  CHECK(sandbox_get_with("/oauth2/resource/accounts", lines) == 200);
  CHECK(sandbox_get_with("/oauth2/resource/accounts", lines) == 401); /* a proof is single-use */
  finauth_headers_free(h);
  CHECK(oauth2_stat(id, "resource_ok") == 1);
  bool changed = true;
  CHECK_STATUS(finauth_client_credentials_learn_nonce(cc, url, "n-1", &changed), FINAUTH_OK);
  CHECK(changed);
  finauth_client_credentials_free(cc);
}

/* A wrong secret: INVALID_CREDENTIALS once (the RFC error in the message), then the guard. */
void oauth2_wrong_secret_is_stopped_by_the_guard(void) {
  finauth_client_credentials_config cfg = oauth2_config("finauth-demo-client", "c-wrong-secret");
  cfg.auth_method = "client_secret_post";
  finauth_client_credentials *cc = NULL;
  CHECK_STATUS(finauth_client_credentials_new(&cfg, &cc), FINAUTH_OK);
  char *t = NULL;
  CHECK_STATUS(finauth_client_credentials_token(cc, &t), FINAUTH_ERR_INVALID_CREDENTIALS);
  CHECK(contains(finauth_last_error_message(), "invalid_client"));
  CHECK(!contains(finauth_last_error_message(), "c-wrong-secret"));
  CHECK_STATUS(finauth_client_credentials_token(cc, &t), FINAUTH_ERR_LOCKOUT_GUARD);
  CHECK(t == NULL);
  finauth_client_credentials_free(cc);
  cfg.auth_method = "no_such_method";
  CHECK_STATUS(finauth_client_credentials_new(&cfg, &cc), FINAUTH_ERR_CONFIG);
  CHECK(cc == NULL);
}

static bool str_eq(const char *a, const char *b) { return a != NULL && b != NULL && strcmp(a, b) == 0; }

/* The RFC 6749 fields of real sandbox answers: invalid_client, invalid_scope; NULL otherwise. */
void oauth2_error_fields_are_readable_from_c(void) {
  char id[64];
  snprintf(id, sizeof id, "c-fields-%d", (int)getpid());
  char body[256];
  snprintf(body, sizeof body,
           "{\"client_id\":\"%s\",\"client_secret\":\"fields-secret\",\"scopes\":[\"accounts\"]}", id);
  CHECK(sandbox_add_oauth2_client(body) == 0);

  /* A wrong secret: INVALID_CREDENTIALS with invalid_client, its description, a correlation id. */
  finauth_client_credentials_config cfg = oauth2_config(id, "not-the-secret");
  finauth_client_credentials *cc = NULL;
  CHECK_STATUS(finauth_client_credentials_new(&cfg, &cc), FINAUTH_OK);
  char *t = NULL;
  CHECK_STATUS(finauth_client_credentials_token(cc, &t), FINAUTH_ERR_INVALID_CREDENTIALS);
  CHECK(str_eq(finauth_last_error_oauth_error(), "invalid_client"));
  CHECK(str_eq(finauth_last_error_oauth_error_description(), "client authentication failed"));
  CHECK(strncmp(finauth_last_error_correlation_id() ? finauth_last_error_correlation_id() : "",
                "sandbox-", 8) == 0);
  CHECK(last_info().attempts_remaining == 2);
  /* Reading them changes nothing; the next call that returns a status clears them. */
  CHECK(str_eq(finauth_last_error_oauth_error(), "invalid_client"));
  finauth_stats st;
  CHECK_STATUS(finauth_client_credentials_stats(cc, &st), FINAUTH_OK);
  CHECK(finauth_last_error_oauth_error() == NULL && finauth_last_error_correlation_id() == NULL);
  /* The guard's refusal is not an answer from the server: no OAuth fields. */
  CHECK_STATUS(finauth_client_credentials_token(cc, &t), FINAUTH_ERR_LOCKOUT_GUARD);
  CHECK(finauth_last_error_oauth_error() == NULL);
  finauth_client_credentials_free(cc);

  /* A scope the client may not ask for: SERVER (HTTP 400) with invalid_scope. */
  cfg = oauth2_config(id, "fields-secret");
  cfg.scope = "accounts payments";
  CHECK_STATUS(finauth_client_credentials_new(&cfg, &cc), FINAUTH_OK);
  CHECK_STATUS(finauth_client_credentials_token(cc, &t), FINAUTH_ERR_SERVER);
  CHECK(last_info().http_status == 400);
  CHECK(str_eq(finauth_last_error_oauth_error(), "invalid_scope"));
  CHECK(str_eq(finauth_last_error_oauth_error_description(), "scope `payments` is not allowed"));
  CHECK(finauth_last_error_correlation_id() != NULL);
  CHECK(contains(finauth_last_error_message(), "invalid_scope"));
  finauth_client_credentials_free(cc);

  /* The allowed scope works, and success leaves no OAuth fields behind. */
  cfg.scope = "accounts";
  CHECK_STATUS(finauth_client_credentials_new(&cfg, &cc), FINAUTH_OK);
  CHECK_STATUS(finauth_client_credentials_token(cc, &t), FINAUTH_OK);
  CHECK(t != NULL && finauth_last_error_oauth_error() == NULL);
  finauth_string_free(t);
  t = NULL;
  finauth_client_credentials_free(cc);

  /* Errors that are not OAuth 2.0 answers: NULL fields. A 404 token URL (SERVER) ... */
  char url[256];
  snprintf(url, sizeof url, "%s/no-such-token-endpoint", sandbox_url());
  cfg = oauth2_config(id, "fields-secret");
  cfg.token_url = url;
  CHECK_STATUS(finauth_client_credentials_new(&cfg, &cc), FINAUTH_OK);
  CHECK_STATUS(finauth_client_credentials_token(cc, &t), FINAUTH_ERR_SERVER);
  CHECK(last_info().http_status == 404);
  CHECK(finauth_last_error_oauth_error() == NULL);
  CHECK(finauth_last_error_oauth_error_description() == NULL);
  CHECK(finauth_last_error_correlation_id() == NULL);
  finauth_client_credentials_free(cc);
  /* ... and Finicity's own 10001 (INVALID_CREDENTIALS without an OAuth body). */
  partner p = new_partner("oauthfields");
  finauth_partner_auth_config pcfg = config_for(&p);
  pcfg.partner_secret = "WrongSecret2026";
  finauth_partner_auth *auth = auth_for(&pcfg);
  CHECK_STATUS(finauth_partner_auth_token(auth, &t), FINAUTH_ERR_INVALID_CREDENTIALS);
  CHECK(last_info().code == 10001);
  CHECK(finauth_last_error_oauth_error() == NULL);
  CHECK(finauth_last_error_oauth_error_description() == NULL);
  CHECK(finauth_last_error_correlation_id() == NULL);
  finauth_partner_auth_free(auth);
}

/* `issuer` instead of `token_url`: discover() reads the metadata and names the token endpoint;
 * the token request goes there, with the issuer as the assertion's default audience. */
void oauth2_an_issuer_is_discovered(void) {
  finauth_signing_key *k = NULL;
  CHECK_STATUS(finauth_signing_key_from_file(key_path("ec.pem"), NULL, NULL, &k), FINAUTH_OK);
  char *jwk = NULL;
  CHECK_STATUS(finauth_signing_key_public_jwk(k, &jwk), FINAUTH_OK);
  char id[64];
  snprintf(id, sizeof id, "c-disc-%d", (int)getpid());
  char body[1024];
  snprintf(body, sizeof body, "{\"client_id\":\"%s\",\"jwk\":%s}", id, jwk ? jwk : "null");
  finauth_string_free(jwk);
  CHECK(sandbox_http("POST", "/__admin/oauth2/clients", body, NULL, 0) == 204);
  char issuer[256];
  snprintf(issuer, sizeof issuer, "%s/oauth2", sandbox_url());
  finauth_client_credentials_config cfg = oauth2_config(id, NULL);
  cfg.token_url = NULL;
  cfg.issuer = issuer;
  cfg.auth_method = "private_key_jwt";
  cfg.signing_key = k;
  finauth_client_credentials *cc = NULL;
  CHECK_STATUS(finauth_client_credentials_new(&cfg, &cc), FINAUTH_OK);
  char *url = NULL;
  CHECK_STATUS(finauth_client_credentials_discover(cc, &url), FINAUTH_OK);
  CHECK(url && strcmp(url, g_token_url) == 0);
  finauth_string_free(url);
  char *token = NULL;
  CHECK_STATUS(finauth_client_credentials_token(cc, &token), FINAUTH_OK);
  finauth_string_free(token);
  CHECK(oauth2_stat(id, "tokens_issued") == 1);
  finauth_client_credentials_free(cc);

  /* Both, or neither: a Config error, no handle. */
  cfg.token_url = g_token_url;
  CHECK_STATUS(finauth_client_credentials_new(&cfg, &cc), FINAUTH_ERR_CONFIG);
  CHECK(cc == NULL);
  cfg.token_url = NULL;
  cfg.issuer = NULL;
  CHECK_STATUS(finauth_client_credentials_new(&cfg, &cc), FINAUTH_ERR_CONFIG);
  /* An issuer without metadata: the Config error comes from discover(). */
  char nowhere[256];
  snprintf(nowhere, sizeof nowhere, "%s/elsewhere", sandbox_url());
  cfg.issuer = nowhere;
  CHECK_STATUS(finauth_client_credentials_new(&cfg, &cc), FINAUTH_OK);
  CHECK_STATUS(finauth_client_credentials_discover(cc, &url), FINAUTH_ERR_CONFIG);
  CHECK(url == NULL && contains(finauth_last_error_message(), "no metadata"));
  finauth_client_credentials_free(cc);
  finauth_signing_key_free(k);
}
