/*
 * One corpus case's requests, made the way a C program would: libcurl for the HTTP, a
 * finauth_exchange per logical request for everything else. Driven by run_corpus.py, which
 * scripts the sandbox's answers and checks what it received.
 *
 *   corpus_client KIND METHOD URL BODY|- REQUESTS
 *
 * KIND is finicity, oauth2 or oauth2-dpop (FINAUTH_TEST_EC_KEY names the DPoP key). Prints one
 * line per logical request, `status=N` or `error=KIND`, then `after=OK` or `after=KIND` for one
 * token call afterwards. Exits 2 on a usage or setup error.
 */
#define _GNU_SOURCE
#include "finauth.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct buffer {
  char *data;
  size_t len;
} buffer;

static size_t append(char *p, size_t size, size_t n, void *userdata) {
  buffer *b = (buffer *)userdata;
  size_t len = size * n;
  char *grown = realloc(b->data, b->len + len + 1);
  if (grown == NULL) return 0;
  memcpy(grown + b->len, p, len);
  b->data = grown;
  b->len += len;
  b->data[b->len] = '\0';
  return len;
}

/* One HTTP attempt with the exchange's headers. Returns the status, or -1 if no answer came. */
static long attempt(const char *method, const char *url, const char *body, const finauth_headers *h,
                    buffer *head, buffer *resp) {
  CURL *curl = curl_easy_init();
  if (curl == NULL) return -1;
  struct curl_slist *list = NULL;
  for (size_t i = 0; i < finauth_headers_count(h); i++) {
    char line[16384];
    snprintf(line, sizeof line, "%s: %s", finauth_headers_name(h, i), finauth_headers_value(h, i));
    list = curl_slist_append(list, line);
  }
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  if (body != NULL) curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, head);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, resp);
  long status = -1;
  if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return status;
}

/* One logical request: the I/O loop over the exchange, nothing more. */
static void request(finauth_exchange *ex, const char *method, const char *url, const char *body) {
  for (;;) {
    finauth_headers *h = NULL;
    finauth_status s = finauth_exchange_prepare(ex, &h);
    if (s != FINAUTH_OK) {
      printf("error=%s\n", finauth_status_name(s));
      return;
    }
    buffer head = {0}, resp = {0};
    long status = attempt(method, url, body, h, &head, &resp);
    finauth_headers_free(h);
    if (status < 0) {
      printf("error=TRANSPORT\n");
      free(head.data);
      free(resp.data);
      return;
    }
    finauth_exchange_verdict v = FINAUTH_EXCHANGE_DONE;
    int wants = finauth_exchange_wants_body(ex, (int)status);
    s = finauth_exchange_observe(ex, (int)status, head.data, wants ? (const uint8_t *)resp.data : NULL,
                                 wants ? resp.len : 0, &v);
    free(head.data);
    free(resp.data);
    if (s != FINAUTH_OK) {
      printf("error=%s\n", finauth_status_name(s));
      return;
    }
    if (v == FINAUTH_EXCHANGE_DONE) {
      printf("status=%ld\n", status);
      return;
    }
  }
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: corpus_client KIND METHOD URL BODY|- REQUESTS\n");
    return 2;
  }
  const char *kind = argv[1], *method = argv[2], *url = argv[3];
  const char *body = strcmp(argv[4], "-") == 0 ? NULL : argv[4];
  int requests = atoi(argv[5]);
  const char *base = getenv("FINAUTH_SANDBOX_URL");
  if (base == NULL) return 2;
  curl_global_init(CURL_GLOBAL_DEFAULT);

  finauth_partner_auth *auth = NULL;
  finauth_client_credentials *cc = NULL;
  finauth_signing_key *key = NULL;
  finauth_status s;
  if (strcmp(kind, "finicity") == 0) {
    finauth_partner_auth_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.partner_id = "finauth-demo-partner";
    cfg.partner_secret = "DemoSecret2026";
    cfg.app_key = "demo-app-key";
    cfg.base_url = base;
    cfg.allow_insecure_loopback = true;
    s = finauth_partner_auth_new(&cfg, &auth);
  } else {
    char token_url[1024];
    snprintf(token_url, sizeof token_url, "%s/oauth2/token", base);
    finauth_client_credentials_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.token_url = token_url;
    cfg.client_id = "finauth-demo-client";
    cfg.client_secret = "demo-client-secret";
    cfg.allow_insecure_loopback = true;
    if (strcmp(kind, "oauth2-dpop") == 0) {
      s = finauth_signing_key_from_file(getenv("FINAUTH_TEST_EC_KEY"), NULL, NULL, &key);
      if (s != FINAUTH_OK) {
        fprintf(stderr, "key: %s\n", finauth_last_error_message());
        return 2;
      }
      cfg.signing_key = key;
      cfg.dpop = true;
    }
    s = finauth_client_credentials_new(&cfg, &cc);
  }
  if (s != FINAUTH_OK) {
    fprintf(stderr, "setup: %s\n", finauth_last_error_message());
    return 2;
  }
  for (int i = 0; i < requests; i++) {
    finauth_exchange *ex = NULL;
    s = auth ? finauth_partner_auth_exchange_new(auth, method, url, &ex)
             : finauth_client_credentials_exchange_new(cc, method, url, &ex);
    if (s != FINAUTH_OK) {
      fprintf(stderr, "exchange: %s\n", finauth_last_error_message());
      return 2;
    }
    request(ex, method, url, body);
    finauth_exchange_free(ex);
  }
  char *token = NULL;
  s = auth ? finauth_partner_auth_token(auth, &token) : finauth_client_credentials_token(cc, &token);
  printf("after=%s\n", s == FINAUTH_OK ? "OK" : finauth_status_name(s));
  finauth_string_free(token);
  finauth_partner_auth_free(auth);
  finauth_client_credentials_free(cc);
  finauth_signing_key_free(key);
  curl_global_cleanup();
  return 0;
}
