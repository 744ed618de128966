/*
 * finauth from C: a token, then a Finicity call with libcurl carrying both headers.
 *
 * Configured from the environment (FINICITY_PARTNER_ID, FINICITY_PARTNER_SECRET,
 * FINICITY_APP_KEY, FINICITY_BASE_URL, ...). Build against an installed libfinauth:
 *
 *   cc quickstart.c $(pkg-config --cflags --libs finauth) -lcurl -o quickstart
 *
 * On a 401 the token is handed back with finauth_partner_auth_invalidate() and the call is
 * made once more with a new one.
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

/* GET base_url + path with the Finicity headers; returns the HTTP status (or -1). */
static long get(const char *url, const finauth_headers *h) {
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
  /* The response body goes to stdout (curl's default). */
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
  long status = -1;
  for (int attempt = 0; attempt < 2; attempt++) {
    finauth_headers *h = NULL;
    s = finauth_partner_auth_headers(auth, &h);
    if (s != FINAUTH_OK) {
      curl_global_cleanup();
      finauth_partner_auth_free(auth);
      return fail("finauth_partner_auth_headers", s);
    }
    printf("GET %s\n", url);
    status = get(url, h);
    printf("HTTP %ld\n", status);
    if (status == 401 && attempt == 0) {
      /* The server rejected the token: drop it (if still current) and try once more. */
      finauth_partner_auth_invalidate(auth, finauth_headers_token(h), NULL);
      finauth_headers_free(h);
      continue;
    }
    finauth_headers_free(h);
    break;
  }
  curl_global_cleanup();

  finauth_stats st;
  if (finauth_partner_auth_stats(auth, &st) == FINAUTH_OK) {
    printf("authentication requests: %llu, cache hits: %llu\n",
           (unsigned long long)st.auth_requests, (unsigned long long)st.cache_hits);
  }
  finauth_partner_auth_free(auth);
  return status == 200 ? 0 : 1;
}
