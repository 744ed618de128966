/* OAuth 1.0a signing: key loaders and their errors, the header shape, a signer shared by threads,
 * the Java reference corpus and the sandbox's verifier. */
#include "harness.h"
#include "tests.h"

/* "OAuth k="v",k="v",..." : the value of `name`, copied into `out` (or "" if absent). */
static void header_param(const char *header, const char *name, char *out, size_t cap) {
  out[0] = 0;
  char pat[64];
  snprintf(pat, sizeof pat, "%s=\"", name);
  const char *p = strstr(header, pat);
  if (!p) return;
  p += strlen(pat);
  const char *e = strchr(p, '"');
  if (!e) return;
  size_t len = (size_t)(e - p) < cap - 1 ? (size_t)(e - p) : cap - 1;
  memcpy(out, p, len);
  out[len] = 0;
}

static char *sign_with(const finauth_signing_key *key, int pss, const char *method, const char *uri,
                       const char *body) {
  finauth_oauth1_signer *s = NULL;
  char *h = NULL;
  CHECK_STATUS(finauth_oauth1_signer_new("consumer-key", key, pss, &s), FINAUTH_OK);
  CHECK_STATUS(finauth_oauth1_authorization_header(s, method, uri, (const uint8_t *)body,
                                                   body ? strlen(body) : 0, &h),
               FINAUTH_OK);
  finauth_oauth1_signer_free(s);
  return h;
}

void oauth1_every_loader_loads_the_key(void) {
  finauth_signing_key *k = NULL;
  size_t len = 0;
  uint8_t *p12 = read_all(key_path("modern.p12"), &len);
  CHECK(p12 != NULL);
  CHECK_STATUS(finauth_signing_key_from_pkcs12(p12, len, "keystorepassword", "signing-key", &k), FINAUTH_OK);
  CHECK(k && finauth_signing_key_bits(k) == 2048);
  finauth_signing_key_free(k);
  CHECK_STATUS(finauth_signing_key_from_pkcs12(p12, len, "keystorepassword", NULL, &k), FINAUTH_OK);
  finauth_signing_key_free(k);
  free(p12);
  uint8_t *legacy = read_all(key_path("legacy.p12"), &len);
  CHECK_STATUS(finauth_signing_key_from_pkcs12(legacy, len, "keystorepassword", "signing-key", &k), FINAUTH_OK);
  finauth_signing_key_free(k);
  free(legacy);
  const char *pems[] = {"pkcs8.pem", "pkcs1.pem"};
  for (int i = 0; i < 2; i++) {
    char *pem = (char *)read_all(key_path(pems[i]), &len);
    CHECK_STATUS(finauth_signing_key_from_pem(pem, NULL, &k), FINAUTH_OK);
    CHECK(k && finauth_signing_key_bits(k) == 2048);
    finauth_signing_key_free(k);
    free(pem);
  }
  char *enc = (char *)read_all(key_path("encrypted.pem"), &len);
  CHECK_STATUS(finauth_signing_key_from_pem(enc, "test-password", &k), FINAUTH_OK);
  finauth_signing_key_free(k);
  free(enc);
  const char *files[][3] = {{"pkcs8.der", NULL, NULL},
                            {"pkcs1.der", NULL, NULL},
                            {"encrypted.der", "test-password", NULL},
                            {"encrypted.pem", "test-password", NULL},
                            {"modern.p12", "keystorepassword", "signing-key"},
                            {"legacy.p12", "keystorepassword", NULL}};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    CHECK_STATUS(finauth_signing_key_from_file(key_path(files[i][0]), files[i][1], files[i][2], &k), FINAUTH_OK);
    CHECK(k != NULL);
    finauth_signing_key_free(k);
  }
  CHECK(finauth_signing_key_bits(NULL) == 0);
  finauth_signing_key_free(NULL);
  finauth_oauth1_signer_free(NULL);
}

void oauth1_key_errors_name_the_problem_never_the_password(void) {
  finauth_signing_key *k = (finauth_signing_key *)&k;
  size_t len = 0;
  uint8_t *p12 = read_all(key_path("modern.p12"), &len);
  const char *secret = "s3cret-wrong-pw";
  CHECK_STATUS(finauth_signing_key_from_pkcs12(p12, len, secret, NULL, &k), FINAUTH_ERR_SIGNING_KEY);
  CHECK(k == NULL);
  CHECK(contains(finauth_last_error_message(), "password"));
  CHECK(!contains(finauth_last_error_message(), secret));
  finauth_error_info info = last_info();
  CHECK(info.status == FINAUTH_ERR_SIGNING_KEY && strcmp(info.kind, "SIGNING_KEY") == 0);
  CHECK_STATUS(finauth_signing_key_from_pkcs12(p12, len, "keystorepassword", "no-such-alias", &k),
               FINAUTH_ERR_SIGNING_KEY);
  CHECK(contains(finauth_last_error_message(), "alias"));
  CHECK(!contains(finauth_last_error_message(), "keystorepassword"));
  free(p12);
  CHECK_STATUS(finauth_signing_key_from_pkcs12((const uint8_t *)"junk", 4, secret, NULL, &k), FINAUTH_ERR_SIGNING_KEY);
  CHECK(!contains(finauth_last_error_message(), secret));
  /* EC P-256 keys load (for OAuth 2.0); the OAuth 1.0a signer refuses them. */
  const char *ec_files[2][2] = {{"ec.pem", NULL}, {"ec.p12", "keystorepassword"}};
  for (int i = 0; i < 2; i++) {
    CHECK_STATUS(finauth_signing_key_from_file(key_path(ec_files[i][0]), ec_files[i][1], NULL, &k), FINAUTH_OK);
    CHECK(finauth_signing_key_bits(k) == 256);
    finauth_oauth1_signer *ec_signer = NULL;
    CHECK_STATUS(finauth_oauth1_signer_new("ck", k, 0, &ec_signer), FINAUTH_ERR_SIGNING_KEY);
    CHECK(contains(finauth_last_error_message(), "RSA"));
    CHECK(ec_signer == NULL);
    finauth_signing_key_free(k);
    k = NULL;
  }
  CHECK_STATUS(finauth_signing_key_from_file(key_path("encrypted.pem"), secret, NULL, &k), FINAUTH_ERR_SIGNING_KEY);
  CHECK(!contains(finauth_last_error_message(), secret));
  CHECK_STATUS(finauth_signing_key_from_file(key_path("encrypted.pem"), NULL, NULL, &k), FINAUTH_ERR_SIGNING_KEY);
  CHECK_STATUS(finauth_signing_key_from_file(key_path("no-such-file"), secret, NULL, &k), FINAUTH_ERR_SIGNING_KEY);
  CHECK(!contains(finauth_last_error_message(), secret));
  CHECK_STATUS(finauth_signing_key_from_pem("-----BEGIN PRIVATE KEY-----\nxx\n-----END PRIVATE KEY-----\n", secret, &k),
               FINAUTH_ERR_SIGNING_KEY);
  CHECK(!contains(finauth_last_error_message(), secret));
  CHECK(k == NULL);
  /* the boundary's own checks */
  CHECK_STATUS(finauth_signing_key_from_pkcs12(NULL, 0, "pw", NULL, &k), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_signing_key_from_pkcs12((const uint8_t *)"x", 1, NULL, NULL, &k), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_signing_key_from_pem(NULL, NULL, &k), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_signing_key_from_pem("x", NULL, NULL), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_signing_key_from_file(NULL, NULL, NULL, &k), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_signing_key_from_pem("\xff\xfe", NULL, &k), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK(k == NULL);
}

void oauth1_header_has_the_reference_shape(void) {
  finauth_signing_key *k = NULL;
  CHECK_STATUS(finauth_signing_key_from_file(key_path("pkcs8.pem"), NULL, NULL, &k), FINAUTH_OK);
  char *h1 = sign_with(k, 0, "POST", "https://api.example.com/x?a=1", "{\"a\":1}");
  char *h2 = sign_with(k, 0, "POST", "https://api.example.com/x?a=1", "{\"a\":1}");
  char *h3 = sign_with(k, 1, "GET", "https://api.example.com/x", NULL);
  CHECK(h1 && h2 && h3);
  if (h1 && h2 && h3) {
    CHECK(strncmp(h1, "OAuth oauth_body_hash=\"", 23) == 0);
    CHECK(strstr(h1, " ") == h1 + 5 && strchr(h1 + 6, ' ') == NULL);
    char a[1024], b[1024];
    header_param(h1, "oauth_body_hash", a, sizeof a);
    CHECK(strcmp(a, "AVq9f1zFei3ZS3WQ8ErYCEJzkF7jPsXOvq5iJ2qX+GI=") == 0);
    header_param(h3, "oauth_body_hash", a, sizeof a);
    CHECK(strcmp(a, "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=") == 0);
    header_param(h1, "oauth_consumer_key", a, sizeof a);
    CHECK(strcmp(a, "consumer-key") == 0);
    header_param(h1, "oauth_signature_method", a, sizeof a);
    CHECK(strcmp(a, "RSA-SHA256") == 0);
    header_param(h3, "oauth_signature_method", a, sizeof a);
    CHECK(strcmp(a, "RSA-PSS") == 0);
    header_param(h1, "oauth_version", a, sizeof a);
    CHECK(strcmp(a, "1.0") == 0);
    header_param(h1, "oauth_nonce", a, sizeof a);
    header_param(h2, "oauth_nonce", b, sizeof b);
    CHECK(strlen(a) == 16 && strspn(a, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == 16);
    CHECK(strcmp(a, b) != 0);
    header_param(h1, "oauth_signature", a, sizeof a);
    header_param(h2, "oauth_signature", b, sizeof b);
    CHECK(strlen(a) > 300 && strcmp(a, b) != 0);
    header_param(h1, "oauth_timestamp", a, sizeof a);
    long ts = strtol(a, NULL, 10);
    CHECK(ts > 1700000000L);
  }
  finauth_string_free(h1);
  finauth_string_free(h2);
  finauth_string_free(h3);
  /* signer errors */
  finauth_oauth1_signer *s = (finauth_oauth1_signer *)&s;
  CHECK_STATUS(finauth_oauth1_signer_new("", k, 0, &s), FINAUTH_ERR_CONFIG);
  CHECK(s == NULL);
  CHECK_STATUS(finauth_oauth1_signer_new("ck", NULL, 0, &s), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_oauth1_signer_new(NULL, k, 0, &s), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_oauth1_signer_new("ck", k, 0, &s), FINAUTH_OK);
  finauth_signing_key_free(k); /* the signer keeps its own reference */
  char *h = (char *)&h;
  CHECK_STATUS(finauth_oauth1_authorization_header(s, "GET", "not a uri", NULL, 0, &h), FINAUTH_ERR_CONFIG);
  CHECK(h == NULL);
  CHECK_STATUS(finauth_oauth1_authorization_header(s, "GET", "https://x.com/", NULL, 5, &h), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_oauth1_authorization_header(NULL, "GET", "https://x.com/", NULL, 0, &h), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_oauth1_authorization_header(s, NULL, "https://x.com/", NULL, 0, &h), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_oauth1_authorization_header(s, "GET", "https://x.com/", NULL, 0, NULL), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_oauth1_authorization_header(s, "GET", "https://x.com/", NULL, 0, &h), FINAUTH_OK);
  finauth_string_free(h);
  finauth_oauth1_signer_free(s);
}

#define OAUTH1_THREADS 8
#define OAUTH1_SIGNS 25

static void *oauth1_sign_many(void *arg) {
  const finauth_oauth1_signer *s = arg;
  intptr_t bad = 0;
  for (int i = 0; i < OAUTH1_SIGNS; i++) {
    char uri[128];
    snprintf(uri, sizeof uri, "https://api.example.com/t?i=%d", i);
    char *h = NULL;
    if (finauth_oauth1_authorization_header(s, "POST", uri, (const uint8_t *)"{}", 2, &h) != FINAUTH_OK ||
        h == NULL || strncmp(h, "OAuth ", 6) != 0)
      bad++;
    finauth_string_free(h);
  }
  return (void *)bad;
}

void oauth1_eight_threads_share_one_signer(void) {
  finauth_signing_key *k = NULL;
  finauth_oauth1_signer *s = NULL;
  CHECK_STATUS(finauth_signing_key_from_file(key_path("modern.p12"), "keystorepassword", NULL, &k), FINAUTH_OK);
  CHECK_STATUS(finauth_oauth1_signer_new("ck", k, 0, &s), FINAUTH_OK);
  finauth_signing_key_free(k);
  pthread_t th[OAUTH1_THREADS];
  for (int i = 0; i < OAUTH1_THREADS; i++) CHECK(pthread_create(&th[i], NULL, oauth1_sign_many, s) == 0);
  for (int i = 0; i < OAUTH1_THREADS; i++) {
    void *bad = NULL;
    pthread_join(th[i], &bad);
    CHECK(bad == NULL);
  }
  finauth_oauth1_signer_free(s);
}

/* The next JSON string value of `"name": "` at or after *cursor in expected.json (escapes \" \\ \n
 * \t \/ only, which is all that file uses), copied into out; advances *cursor. 0 if none. */
static int json_next_string(const char **cursor, const char *name, char *out, size_t cap) {
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\": \"", name);
  const char *p = strstr(*cursor, pat);
  if (!p) return 0;
  p += strlen(pat);
  size_t n = 0;
  for (; *p && *p != '"' && n + 1 < cap; p++) {
    char c = *p;
    if (c == '\\') {
      p++;
      c = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
    }
    out[n++] = c;
  }
  out[n] = 0;
  *cursor = p;
  return 1;
}

/* %XX-decode in place (oauth_signature is the only percent-encoded header item). */
static void pct_decode(char *s) {
  char *w = s;
  for (char *r = s; *r; r++) {
    unsigned v;
    if (*r == '%' && sscanf(r + 1, "%2x", &v) == 1) {
      *w++ = (char)v;
      r += 2;
    } else {
      *w++ = *r;
    }
  }
  *w = 0;
}

void oauth1_every_corpus_case_matches_the_java_reference(void) {
  size_t len = 0;
  char *json = (char *)read_all(key_path("../oauth1-reference/expected.json"), &len);
  CHECK(json != NULL);
  if (!json) return;
  const char *cur = json;
  char ck[128], nonce[64], method[16], uri[1024], body[1024], sig[1024], got[1024];
  CHECK(json_next_string(&cur, "consumer_key", ck, sizeof ck));
  CHECK(json_next_string(&cur, "nonce", nonce, sizeof nonce));
  const char *ts = strstr(json, "\"timestamp\": ");
  CHECK(ts != NULL);
  uint64_t timestamp = ts ? strtoull(ts + 13, NULL, 10) : 0;
  finauth_signing_key *k = NULL;
  finauth_oauth1_signer *s = NULL;
  CHECK_STATUS(finauth_signing_key_from_file(key_path("pkcs1.der"), NULL, NULL, &k), FINAUTH_OK);
  CHECK_STATUS(finauth_oauth1_signer_new(ck, k, 0, &s), FINAUTH_OK);
  finauth_signing_key_free(k);
  int cases = 0, mismatches = 0;
  while (json_next_string(&cur, "method", method, sizeof method)) {
    CHECK(json_next_string(&cur, "uri", uri, sizeof uri));
    CHECK(json_next_string(&cur, "body", body, sizeof body));
    CHECK(json_next_string(&cur, "signature", sig, sizeof sig));
    char *h = NULL;
    CHECK_STATUS(finauth_oauth1_authorization_header_with(s, method, uri, (const uint8_t *)body,
                                                          strlen(body), nonce, timestamp, &h),
                 FINAUTH_OK);
    if (!h) break;
    header_param(h, "oauth_signature", got, sizeof got);
    pct_decode(got);
    /* The reference's item order, then the signature byte for byte. */
    const char *order = strstr(h, "oauth_body_hash=");
    if (order != h + 6 || strcmp(got, sig) != 0 ||
        !(strstr(h, ",oauth_nonce=") < strstr(h, ",oauth_signature=") &&
          strstr(h, ",oauth_signature=") < strstr(h, ",oauth_consumer_key=") &&
          strstr(h, ",oauth_consumer_key=") < strstr(h, ",oauth_signature_method=") &&
          strstr(h, ",oauth_signature_method=") < strstr(h, ",oauth_timestamp=") &&
          strstr(h, ",oauth_timestamp=") < strstr(h, ",oauth_version="))) {
      fprintf(stderr, "  mismatch: %s %s\n", method, uri);
      mismatches++;
    }
    finauth_string_free(h);
    cases++;
  }
  CHECK(cases >= 40);
  CHECK(mismatches == 0);
  char *none = NULL;
  CHECK_STATUS(finauth_oauth1_authorization_header_with(s, "GET", "https://x.com/", NULL, 0, NULL, 1, &none),
               FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK(none == NULL);
  finauth_oauth1_signer_free(s);
  free(json);
}

void oauth1_the_sandbox_verifier_accepts_signed_requests(void) {
  /* Register the test key's public half under a consumer key of this process. */
  char ck[64];
  snprintf(ck, sizeof ck, "c-consumer-%ld", (long)getpid());
  size_t len = 0;
  char *pem = (char *)read_all(key_path("public.pem"), &len);
  CHECK(pem != NULL);
  if (!pem) return;
  char reg[4096];
  size_t n = (size_t)snprintf(reg, sizeof reg, "{\"consumer_key\":\"%s\",\"public_key_pem\":\"", ck);
  for (const char *p = pem; *p && n + 4 < sizeof reg; p++) {
    if (*p == '\n') {
      reg[n++] = '\\';
      reg[n++] = 'n';
    } else {
      reg[n++] = *p;
    }
  }
  snprintf(reg + n, sizeof reg - n, "\"}");
  free(pem);
  CHECK(sandbox_http("POST", "/__admin/oauth1-keys", reg, NULL, 0) == 204);

  finauth_signing_key *k = NULL;
  CHECK_STATUS(finauth_signing_key_from_file(key_path("legacy.p12"), "keystorepassword", "signing-key", &k), FINAUTH_OK);
  for (int pss = 0; pss <= 1; pss++) {
    finauth_oauth1_signer *s = NULL;
    CHECK_STATUS(finauth_oauth1_signer_new(ck, k, pss, &s), FINAUTH_OK);
    const char *paths[] = {"/oauth1/payments?Format=JSON&q=a%20b&amount=10", "/oauth1/atms?PageOffset=0"};
    const char *bodies[] = {"{\"amount\":10,\"note\":\"caf\xc3\xa9\"}", ""};
    for (int i = 0; i < 2; i++) {
      char uri[1024], header[2048], resp[1024];
      snprintf(uri, sizeof uri, "%s%s", sandbox_url(), paths[i]);
      char *h = NULL;
      CHECK_STATUS(finauth_oauth1_authorization_header(s, i ? "GET" : "POST", uri, (const uint8_t *)bodies[i],
                                                       strlen(bodies[i]), &h),
                   FINAUTH_OK);
      if (!h) continue;
      snprintf(header, sizeof header, "Authorization: %s", h);
      int status = sandbox_request(i ? "GET" : "POST", paths[i], header, bodies[i], strlen(bodies[i]), resp, sizeof resp);
      if (status != 200) fprintf(stderr, "  verifier said %d: %s\n", status, resp);
      CHECK(status == 200 && strstr(resp, "\"ok\":true") != NULL);
      /* The same header over another body is rejected. */
      if (i == 0) CHECK(sandbox_request("POST", paths[i], header, "{}", 2, NULL, 0) == 401);
      finauth_string_free(h);
    }
    finauth_oauth1_signer_free(s);
  }
  finauth_signing_key_free(k);
}
