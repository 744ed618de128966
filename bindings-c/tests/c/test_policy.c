/* The resource-call policy: observe_response on real sandbox answers (a lock stops every caller
 * sharing the store) and finauth_exchange's argument and order checks. */
#include "harness.h"
#include "tests.h"

/* GET /aggregation/v1/customers with `token`; the answer's status, Content-Type and body. */
static int customers_get(const partner *p, const char *token, char *content_type, size_t ct_cap,
                         char *body, size_t body_cap) {
  char headers[1024];
  snprintf(headers, sizeof headers, "Finicity-App-Key: %s\r\nFinicity-App-Token: %s\r\nAccept: application/json",
           p->app_key, token);
  int status = sandbox_request("GET", "/aggregation/v1/customers", headers, NULL, 0, body, body_cap);
  sandbox_answer_header("Content-Type", content_type, ct_cap);
  return status;
}

static finauth_resource_verdict observe(finauth_partner_auth *auth, int status, const char *ct,
                                        const char *body) {
  finauth_resource_verdict v = FINAUTH_RESOURCE_ACCOUNT_LOCKED; /* overwritten on every path */
  CHECK_STATUS(finauth_partner_auth_observe_response(auth, status, ct[0] ? ct : NULL,
                                                     (const uint8_t *)body, strlen(body), &v),
               FINAUTH_OK);
  return v;
}

/* Real resource answers judged; a 24302 on a resource call stops every object sharing the store
 * (and the next authentication is never sent). */
void observe_response_judges_answers_and_a_lock_stops_every_caller(void) {
  partner p = new_partner("observe");
  finauth_store *store = NULL;
  CHECK_STATUS(finauth_store_memory_new(&store), FINAUTH_OK);
  finauth_partner_auth_config cfg = config_for(&p);
  cfg.store = store;
  finauth_partner_auth *auth = auth_for(&cfg);
  finauth_partner_auth *twin = auth_for(&cfg);
  finauth_store_free(store);
  char *token = NULL;
  CHECK_STATUS(finauth_partner_auth_token(auth, &token), FINAUTH_OK);
  if (token == NULL) return;
  char ct[128];
  static char body[8192];

  int status = customers_get(&p, token, ct, sizeof ct, body, sizeof body);
  CHECK(status == 200);
  CHECK(observe(auth, status, ct, body) == FINAUTH_RESOURCE_PASS);

  status = customers_get(&p, "NotAToken", ct, sizeof ct, body, sizeof body);
  CHECK(status == 401 && contains(body, "10022"));
  CHECK(observe(auth, status, ct, body) == FINAUTH_RESOURCE_TOKEN_REJECTED);
  /* The verdict alone drops nothing: the cached token is still served. */
  char *again = NULL;
  CHECK_STATUS(finauth_partner_auth_token(auth, &again), FINAUTH_OK);
  CHECK(again != NULL && strcmp(again, token) == 0);
  finauth_string_free(again);

  /* Lock the Partner ID at the sandbox with wrong secrets sent around finauth (as another,
   * misconfigured client would), then make a resource call with the still-valid token. */
  char key_header[256], wrong[512], answer[1024];
  snprintf(key_header, sizeof key_header, "Finicity-App-Key: %s", p.app_key);
  snprintf(wrong, sizeof wrong, "{\"partnerId\":\"%s\",\"partnerSecret\":\"NotTheSecret123\"}", p.id);
  bool locked = false;
  for (int i = 0; i < 10 && !locked; i++) {
    sandbox_request("POST", "/aggregation/v2/partners/authentication", key_header, wrong, strlen(wrong),
                    answer, sizeof answer);
    locked = contains(answer, "24302");
  }
  CHECK(locked);
  status = customers_get(&p, token, ct, sizeof ct, body, sizeof body);
  CHECK(status >= 400 && contains(body, "24302"));
  CHECK(observe(auth, status, ct, body) == FINAUTH_RESOURCE_ACCOUNT_LOCKED);

  /* Every object sharing the store now answers ACCOUNT_LOCKED without a request. */
  long before = sandbox_stat(p.id, "auth_requests");
  char *t = NULL;
  CHECK_STATUS(finauth_partner_auth_token(auth, &t), FINAUTH_ERR_ACCOUNT_LOCKED);
  CHECK(last_info().code == 24302 && t == NULL);
  CHECK_STATUS(finauth_partner_auth_token(twin, &t), FINAUTH_ERR_ACCOUNT_LOCKED);
  finauth_headers *h = NULL;
  CHECK_STATUS(finauth_partner_auth_headers(twin, &h), FINAUTH_ERR_ACCOUNT_LOCKED);
  CHECK(h == NULL);
  finauth_guard_status g;
  CHECK_STATUS(finauth_partner_auth_guard_status(twin, &g), FINAUTH_OK);
  CHECK(g.locked_code == 24302);
  CHECK(sandbox_stat(p.id, "auth_requests") == before);

  /* Other answer shapes Finicity sends: plain text and XML 24302, a 500 10023, a 404. */
  CHECK(observe(auth, 500, "text/plain", "Bad credentials") == FINAUTH_RESOURCE_ACCOUNT_LOCKED);
  CHECK(observe(auth, 500, "application/xml",
                "<error><code>10023</code><message>Token expired</message></error>") ==
        FINAUTH_RESOURCE_TOKEN_REJECTED);
  CHECK(observe(auth, 404, "", "") == FINAUTH_RESOURCE_PASS);

  /* Bad arguments: INVALID_ARGUMENT, verdict PASS. */
  finauth_resource_verdict v = FINAUTH_RESOURCE_ACCOUNT_LOCKED;
  CHECK_STATUS(finauth_partner_auth_observe_response(NULL, 200, NULL, NULL, 0, &v),
               FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK(v == FINAUTH_RESOURCE_PASS);
  CHECK_STATUS(finauth_partner_auth_observe_response(auth, 200, NULL, NULL, 0, NULL),
               FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_partner_auth_observe_response(auth, 200, NULL, NULL, 5, &v),
               FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK(contains(finauth_last_error_message(), "body"));
  CHECK_STATUS(finauth_partner_auth_observe_response(auth, 0, NULL, NULL, 0, &v),
               FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_partner_auth_observe_response(auth, 70000, NULL, NULL, 0, &v),
               FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_partner_auth_observe_response(auth, 401, "\xff", NULL, 0, &v),
               FINAUTH_ERR_INVALID_ARGUMENT);
  finauth_string_free(token);
  finauth_partner_auth_free(twin);
  finauth_partner_auth_free(auth);
}

/* ---- the request policy (finauth_exchange) ---------------------------------------------- */

void exchange_arguments_and_order_are_checked(void) {
  partner p = new_partner("exchange");
  finauth_partner_auth_config cfg = config_for(&p);
  finauth_partner_auth *auth = auth_for(&cfg);
  finauth_exchange *ex = NULL;
  CHECK_STATUS(finauth_partner_auth_exchange_new(NULL, "GET", "http://x/", &ex),
               FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_partner_auth_exchange_new(auth, "GET", "/relative", &ex), FINAUTH_ERR_CONFIG);
  CHECK(ex == NULL);
  char url[512];
  snprintf(url, sizeof url, "%s/aggregation/v1/customers", sandbox_url());
  CHECK_STATUS(finauth_partner_auth_exchange_new(auth, "GET", url, &ex), FINAUTH_OK);
  finauth_exchange_verdict v = FINAUTH_EXCHANGE_RESEND;
  /* Observing before any attempt was prepared is a usage error, never a crash. */
  CHECK_STATUS(finauth_exchange_observe(ex, 200, NULL, NULL, 0, &v), FINAUTH_ERR_CONFIG);
  CHECK(v == FINAUTH_EXCHANGE_DONE);
  finauth_headers *h = NULL;
  CHECK_STATUS(finauth_exchange_prepare(ex, &h), FINAUTH_OK);
  CHECK(finauth_headers_count(h) == 2 && strcmp(finauth_headers_name(h, 1), "Finicity-App-Token") == 0);
  CHECK_STATUS(finauth_exchange_observe(ex, 70000, NULL, NULL, 0, &v), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_exchange_observe(ex, 401, NULL, NULL, 5, &v), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK(finauth_exchange_wants_body(ex, 401) && !finauth_exchange_wants_body(ex, 200));
  CHECK(!finauth_exchange_wants_body(NULL, 401));
  const char *expired = "{\"code\":10023}";
  CHECK_STATUS(finauth_exchange_observe(ex, 401, "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n\r\n",
                                        (const uint8_t *)expired, strlen(expired), &v),
               FINAUTH_OK);
  CHECK(v == FINAUTH_EXCHANGE_RESEND);
  finauth_headers *again = NULL;
  CHECK_STATUS(finauth_exchange_prepare(ex, &again), FINAUTH_OK);
  CHECK(strcmp(finauth_headers_token(h), finauth_headers_token(again)) != 0);
  finauth_headers_free(h);
  h = NULL;
  CHECK_STATUS(finauth_exchange_observe(ex, 200, "Content-Type: application/json\n", NULL, 0, &v), FINAUTH_OK);
  CHECK(v == FINAUTH_EXCHANGE_DONE);
  CHECK_STATUS(finauth_exchange_prepare(ex, &h), FINAUTH_ERR_CONFIG);
  CHECK(h == NULL);
  finauth_headers_free(again);
  finauth_exchange_free(ex);
  finauth_exchange_free(NULL);
  finauth_partner_auth_free(auth);
}
