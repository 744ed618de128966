/*
 * finauth from C: a token, then a Finicity call with libcurl carrying both headers.
 *
 * Configured from the environment (FINICITY_PARTNER_ID, FINICITY_PARTNER_SECRET,
 * FINICITY_APP_KEY, FINICITY_BASE_URL, ...). Build against an installed libfinauth:
 *
 *   cc quickstart.c $(pkg-config --cflags --libs finauth) -lcurl -o quickstart
 *
 * The call is one finauth_exchange: finauth_exchange_prepare() gives the headers of each attempt,
 * finauth_exchange_observe() judges each answer. This program only moves bytes: finauth decides
 * that a rejected token (10022/10023) is dropped and the call made once more with a new one, and
 * that a locked Partner ID (24302) is recorded in its store, so every thread and process sharing
 * it stops asking (the program stops too: FINAUTH_ERR_ACCOUNT_LOCKED).
 */
#include <finauth.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, finauth_status s) {
  /* The message never contains a secret or a token. */
  fprintf(stderr, "%s failed: %s: %s\n", what, finauth_status_name(s),
          finauth_last_error_message());
  return 1;
}

/* The answer of one call: status, header block and body (first 64 KiB of each). */
typedef struct text {
  char data[65536];
  size_t len;
} text;

typedef struct answer {
  long status;
  text headers;
  text body;
} answer;

static size_t on_text(char *p, size_t size, size_t n, void *userdata) {
  text *t = (text *)userdata;
  size_t len = size * n;
  size_t room = sizeof t->data - 1 - t->len;
  size_t copy = len < room ? len : room;
  memcpy(t->data + t->len, p, copy);
  t->len += copy;
  t->data[t->len] = '\0';
  return len;
}

/* GET url with the Finicity headers into *a; returns 0, or -1 if no answer came. */
static int get(const char *url, const finauth_headers *h, answer *a) {
  memset(a, 0, sizeof *a);
  a->status = -1;
  CURL *curl = curl_easy_init();
  if (curl == NULL) return -1;
  struct curl_slist *list = curl_slist_append(NULL, "Accept: application/json");
  for (size_t i = 0; i < finauth_headers_count(h); i++) {
    char line[1024];
    snprintf(line, sizeof line, "%s: %s", finauth_headers_name(h, i),
             finauth_headers_value(h, i));
    list = curl_slist_append(list, line);
    memset(line, 0, sizeof line); /* it held a secret */
  }
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_text);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &a->headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_text);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a->body);
  CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a->status);
  } else {
    fprintf(stderr, "request failed: %s\n", curl_easy_strerror(rc));
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return rc == CURLE_OK ? 0 : -1;
}

int main(void) {
  printf("libfinauth %s\n", finauth_version());

  finauth_partner_auth *auth = NULL;
  finauth_status s = finauth_partner_auth_from_env(&auth);
  if (s != FINAUTH_OK) return fail("finauth_partner_auth_from_env", s);

  /* 1. A token: authenticates once, then comes from the cache. */
  char *token = NULL;
  s = finauth_partner_auth_token(auth, &token);
  if (s != FINAUTH_OK) {
    finauth_partner_auth_free(auth);
    return fail("finauth_partner_auth_token", s);
  }
  printf("token: %.4s... (%zu characters)\n", token, strlen(token));
  finauth_string_free(token); /* never free(): it is finauth's allocation */

  /* 2. A Finicity call with both headers. */
  const char *base = getenv("FINICITY_BASE_URL");
  char url[2048];
  snprintf(url, sizeof url, "%s/aggregation/v1/customers",
           base && *base ? base : "https://api.finicity.com");
  curl_global_init(CURL_GLOBAL_DEFAULT);
  static answer a;
  long status = -1;
  finauth_exchange *ex = NULL;
  s = finauth_partner_auth_exchange_new(auth, "GET", url, &ex);
  if (s != FINAUTH_OK) fail("finauth_partner_auth_exchange_new", s);
  while (ex != NULL) {
    finauth_headers *h = NULL;
    s = finauth_exchange_prepare(ex, &h);
    if (s != FINAUTH_OK) {
      fail("finauth_exchange_prepare", s);
      break;
    }
    printf("GET %s\n", url);
    int sent = get(url, h, &a);
    finauth_headers_free(h);
    if (sent != 0) break;
    status = a.status;
    printf("%s\nHTTP %ld\n", a.body.data, status);
    /* finauth judges the answer (Finicity's codes in any of its body formats). */
    finauth_exchange_verdict verdict = FINAUTH_EXCHANGE_DONE;
    int wants = finauth_exchange_wants_body(ex, (int)status);
    s = finauth_exchange_observe(ex, (int)status, a.headers.data,
                                 wants ? (const uint8_t *)a.body.data : NULL, wants ? a.body.len : 0,
                                 &verdict);
    if (s == FINAUTH_ERR_ACCOUNT_LOCKED) {
      /* Recorded in the store: every caller now gets FINAUTH_ERR_ACCOUNT_LOCKED, no request. */
      fprintf(stderr, "the Partner ID is locked (24302); contact Finicity support\n");
      status = -1;
      break;
    }
    if (s != FINAUTH_OK) {
      fail("finauth_exchange_observe", s);
      status = -1;
      break;
    }
    if (verdict == FINAUTH_EXCHANGE_DONE) break;
    /* FINAUTH_EXCHANGE_RESEND: finauth dropped the rejected token; send again. */
  }
  finauth_exchange_free(ex);
  curl_global_cleanup();

  finauth_stats st;
  if (finauth_partner_auth_stats(auth, &st) == FINAUTH_OK) {
    printf("authentication requests: %llu, cache hits: %llu\n",
           (unsigned long long)st.auth_requests, (unsigned long long)st.cache_hits);
  }
  finauth_partner_auth_free(auth);
  return status == 200 ? 0 : 1;
}
