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
 * Every DPoP-Nonce the server sends is handed to finauth. A 401 asking for a nonce
 * (use_dpop_nonce) is resent once; any other 401 hands the token back with
 * finauth_client_credentials_invalidate() and is resent once with a new one.
 */
#include <finauth.h>

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef struct seen {
  char nonce[512];
  bool nonce_challenge;
} seen;

/* Response headers: remember DPoP-Nonce and whether WWW-Authenticate asks for a nonce. */
static size_t on_header(char *buf, size_t size, size_t n, void *userdata) {
  seen *s = (seen *)userdata;
  size_t len = size * n;
  char line[1024];
  size_t copy = len < sizeof line - 1 ? len : sizeof line - 1;
  memcpy(line, buf, copy);
  line[copy] = '\0';
  line[strcspn(line, "\r\n")] = '\0';
  if (strncasecmp(line, "DPoP-Nonce:", 11) == 0) {
    const char *v = line + 11;
    while (*v == ' ') v++;
    snprintf(s->nonce, sizeof s->nonce, "%s", v);
  } else if (strncasecmp(line, "WWW-Authenticate:", 17) == 0 && strstr(line, "use_dpop_nonce")) {
    s->nonce_challenge = true;
  }
  return len;
}

/* One GET with finauth's headers; returns the HTTP status (or -1). */
static long get(const char *url, const finauth_headers *h, seen *s) {
  CURL *curl = curl_easy_init();
  if (curl == NULL) return -1;
  struct curl_slist *list = NULL;
  for (size_t i = 0; i < finauth_headers_count(h); i++) {
    char line[4096];
    snprintf(line, sizeof line, "%s: %s", finauth_headers_name(h, i), finauth_headers_value(h, i));
    list = curl_slist_append(list, line);
    memset(line, 0, sizeof line); /* it held a token or a proof */
  }
  memset(s, 0, sizeof *s);
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, s);
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

  bool nonce_retry = false, token_retry = false;
  long status = -1;
  for (;;) {
    finauth_headers *h = NULL;
    st = finauth_client_credentials_headers(cc, "GET", url, &h);
    if (st != FINAUTH_OK) {
      finauth_client_credentials_free(cc);
      return fail("finauth_client_credentials_headers", st);
    }
    seen s;
    status = get(url, h, &s);
    if (s.nonce[0] != '\0') finauth_client_credentials_learn_nonce(cc, url, s.nonce, NULL);
    if (status == 401 && s.nonce_challenge && !nonce_retry) {
      nonce_retry = true;
    } else if (status == 401 && !s.nonce_challenge && !token_retry) {
      token_retry = true;
      finauth_client_credentials_invalidate(cc, finauth_headers_token(h), NULL);
    } else {
      finauth_headers_free(h);
      break;
    }
    finauth_headers_free(h);
  }
  printf("HTTP %ld\n", status);
  finauth_stats stats;
  if (finauth_client_credentials_stats(cc, &stats) == FINAUTH_OK) {
    printf("token requests: %llu\n", (unsigned long long)stats.auth_requests);
  }
  finauth_client_credentials_free(cc);
  curl_global_cleanup();
  return status == 200 ? 0 : 1;
}
