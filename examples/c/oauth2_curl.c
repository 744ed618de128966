/*
 * OAuth 2.0 client credentials from C: finauth gives the Authorization header (and, with
 * FINAUTH_OAUTH2_DPOP=1, a fresh DPoP proof bound to this request) and libcurl sends the call.
 *
 * Configured from the environment (FINAUTH_OAUTH2_TOKEN_URL, FINAUTH_OAUTH2_CLIENT_ID,
 * FINAUTH_OAUTH2_CLIENT_SECRET or FINAUTH_OAUTH2_KEY, FINAUTH_OAUTH2_AUTH_METHOD, ...):
 *
 *   cc oauth2_curl.c $(pkg-config --cflags --libs finauth) -lcurl -o oauth2_curl
 *   ./oauth2_curl https://api.example.com/resource
 *
 * The call is one finauth_exchange: this program hands every answer's header block to
 * finauth_exchange_observe() and does what it says. finauth learns each DPoP-Nonce, resends once
 * after a use_dpop_nonce challenge, and after any other 401 drops the token and resends once
 * with a new one.
 */
#include <finauth.h>

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

/* The response's header block, as finauth_exchange_observe() takes it. */
typedef struct block {
  char data[16384];
  size_t len;
} block;

static size_t on_header(char *buf, size_t size, size_t n, void *userdata) {
  block *b = (block *)userdata;
  size_t len = size * n;
  size_t room = sizeof b->data - 1 - b->len;
  size_t copy = len < room ? len : room;
  memcpy(b->data + b->len, buf, copy);
  b->len += copy;
  b->data[b->len] = '\0';
  return len;
}

/* One GET with finauth's headers; returns the HTTP status (or -1). */
static long get(const char *url, const finauth_headers *h, block *b) {
  CURL *curl = curl_easy_init();
  if (curl == NULL) return -1;
  struct curl_slist *list = NULL;
  for (size_t i = 0; i < finauth_headers_count(h); i++) {
    char line[4096];
    snprintf(line, sizeof line, "%s: %s", finauth_headers_name(h, i), finauth_headers_value(h, i));
    list = curl_slist_append(list, line);
    memset(line, 0, sizeof line); /* it held a token or a proof */
  }
  memset(b, 0, sizeof *b);
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, b);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  long status = -1;
  CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  } else {
    fprintf(stderr, "request failed: %s\n", curl_easy_strerror(rc));
  }
  printf("\n");
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return status;
}

static int fail(const char *what, finauth_status s) {
  fprintf(stderr, "%s failed: %s: %s\n", what, finauth_status_name(s), finauth_last_error_message());
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s URL\n", argv[0]);
    return 2;
  }
  const char *url = argv[1];
  curl_global_init(CURL_GLOBAL_DEFAULT);
  finauth_client_credentials *cc = NULL;
  finauth_status st = finauth_client_credentials_from_env(&cc);
  if (st != FINAUTH_OK) return fail("finauth_client_credentials_from_env", st);

  finauth_exchange *ex = NULL;
  st = finauth_client_credentials_exchange_new(cc, "GET", url, &ex);
  if (st != FINAUTH_OK) {
    finauth_client_credentials_free(cc);
    return fail("finauth_client_credentials_exchange_new", st);
  }
  long status = -1;
  static block b;
  for (;;) {
    finauth_headers *h = NULL;
    st = finauth_exchange_prepare(ex, &h);
    if (st != FINAUTH_OK) {
      fail("finauth_exchange_prepare", st);
      status = -1;
      break;
    }
    status = get(url, h, &b);
    finauth_headers_free(h);
    if (status < 0) break;
    /* The body is never needed for an OAuth 2.0 verdict: finauth_exchange_wants_body() is false. */
    finauth_exchange_verdict v = FINAUTH_EXCHANGE_DONE;
    st = finauth_exchange_observe(ex, (int)status, b.data, NULL, 0, &v);
    if (st != FINAUTH_OK) {
      fail("finauth_exchange_observe", st);
      status = -1;
      break;
    }
    if (v == FINAUTH_EXCHANGE_DONE) break;
  }
  finauth_exchange_free(ex);
  printf("HTTP %ld\n", status);
  finauth_stats stats;
  if (finauth_client_credentials_stats(cc, &stats) == FINAUTH_OK) {
    printf("token requests: %llu\n", (unsigned long long)stats.auth_requests);
  }
  finauth_client_credentials_free(cc);
  curl_global_cleanup();
  return status == 200 ? 0 : 1;
}
