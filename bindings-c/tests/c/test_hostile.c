/* A hostile server: control characters and CRLF in tokens (answers and store documents), secrets
 * cut into error messages. */
#include "harness.h"
#include "tests.h"

/* Concatenated contents of the files in dir (the store's documents). */
static void dir_text(const char *dir, char *out, size_t cap) {
  char cmd[512];
  snprintf(cmd, sizeof cmd, "cat '%s'/* 2>/dev/null", dir);
  out[0] = '\0';
  FILE *f = popen(cmd, "r");
  if (!f) return;
  size_t n = fread(out, 1, cap - 1, f);
  out[n] = '\0';
  /* NUL bytes in a document would end the string early: make them visible. */
  for (size_t i = 0; i < n; i++)
    if (out[i] == '\0') out[i] = '?';
  pclose(f);
}

/* Under valgrind (FINAUTH_TEST_QUICK) the loops below take a sample: the boundary's memory safety
   is what valgrind checks; every case runs in the plain, static and ASan runs. */
static bool quick(void) { return getenv("FINAUTH_TEST_QUICK") != NULL; }

void a_token_with_a_control_character_is_refused_in_json_and_xml(void) {
  /* Code points of each case: CRLF, NUL, CR, LF, ESC, DEL. */
  static const int codes[][3] = {{0x0d, 0x0a, -1}, {0x00, -1}, {0x0d, -1},
                                 {0x0a, -1}, {0x1b, -1}, {0x7f, -1}};
  const size_t cases = quick() ? 2 : sizeof codes / sizeof codes[0];
  for (size_t c = 0; c < cases; c++) {
    for (int xml = 0; xml <= 1; xml++) {
      /* The escape as it must stand in the admin JSON: doubled once more inside a JSON body. */
      char esc[64] = "";
      for (int i = 0; codes[c][i] >= 0; i++) {
        char one[16];
        snprintf(one, sizeof one, xml ? "\\u%04x" : "\\\\u%04x", codes[c][i]);
        strcat(esc, one);
      }
      char fault[512];
      if (xml)
        snprintf(fault, sizeof fault,
                 "{\"status\":200,\"content_type\":\"application/xml\",\"body\":"
                 "\"<access><token>abc%sX-Injected: 1</token></access>\"}",
                 esc);
      else
        snprintf(fault, sizeof fault,
                 "{\"status\":200,\"content_type\":\"application/json\",\"body\":"
                 "\"{\\\"token\\\":\\\"abc%sX-Injected: 1\\\"}\"}",
                 esc);
      partner p = new_partner(xml ? "hostile-xml" : "hostile-json");
      char dir[] = "/tmp/finauth-c-hostile-XXXXXX";
      CHECK(mkdtemp(dir) != NULL);
      finauth_store *store = NULL;
      CHECK_STATUS(finauth_store_file_new(dir, &store), FINAUTH_OK);
      finauth_partner_auth_config cfg = config_for(&p);
      cfg.store = store;
      finauth_partner_auth *auth = auth_for(&cfg);
      finauth_store_free(store);
      sandbox_clear_faults();
      CHECK(sandbox_fault(fault, 2) == 0);

      char *token = NULL;
      CHECK_STATUS(finauth_partner_auth_token(auth, &token), FINAUTH_ERR_SERVER);
      CHECK(token == NULL);
      CHECK(!contains(finauth_last_error_message(), "Injected"));
      finauth_headers *headers = NULL;
      CHECK_STATUS(finauth_partner_auth_headers(auth, &headers), FINAUTH_ERR_SERVER);
      CHECK(headers == NULL);
      finauth_guard_status g;
      CHECK_STATUS(finauth_partner_auth_guard_status(auth, &g), FINAUTH_OK);
      CHECK(g.failed_attempts == 0);
      char stored[65536];
      dir_text(dir, stored, sizeof stored);
      CHECK(!contains(stored, "Injected"));
      sandbox_clear_faults();
      finauth_partner_auth_free(auth);
      char cmd[256];
      snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
      CHECK(system(cmd) == 0);
    }
  }
}

void a_store_document_edited_to_hold_a_crlf_token_is_refused(void) {
  partner p = new_partner("hostile-store");
  char dir[] = "/tmp/finauth-c-hostile-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  finauth_store *store = NULL;
  CHECK_STATUS(finauth_store_file_new(dir, &store), FINAUTH_OK);
  finauth_partner_auth_config cfg = config_for(&p);
  cfg.store = store;
  finauth_partner_auth *first = auth_for(&cfg);
  char *good = NULL;
  CHECK_STATUS(finauth_partner_auth_token(first, &good), FINAUTH_OK);
  /* Edit the shared document: the token now carries a second header. */
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "sed -i 's/\"%s\"/\"abc\\\\r\\\\nX-Injected: 1\"/' '%s'/*", good ? good : "",
           dir);
  CHECK(system(cmd) == 0);
  char stored[65536];
  dir_text(dir, stored, sizeof stored);
  CHECK(contains(stored, "X-Injected"));

  finauth_partner_auth *second = auth_for(&cfg);
  finauth_store_free(store);
  char *token = NULL;
  CHECK_STATUS(finauth_partner_auth_token(second, &token), FINAUTH_OK);
  CHECK(token && !contains(token, "Injected") && good && strcmp(token, good) != 0);
  CHECK(sandbox_stat(p.id, "auth_requests") == 2);
  dir_text(dir, stored, sizeof stored);
  CHECK(!contains(stored, "Injected"));
  finauth_string_free(good);
  finauth_string_free(token);
  finauth_partner_auth_free(first);
  finauth_partner_auth_free(second);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  CHECK(system(cmd) == 0);
}

/* True if any prefix of `secret` of 4 characters or more is in `text`. */
static bool leaks(const char *text, const char *secret) {
  char prefix[64];
  for (size_t n = 4; n <= strlen(secret) && n < sizeof prefix; n++) {
    memcpy(prefix, secret, n);
    prefix[n] = '\0';
    if (contains(text, prefix)) return true;
  }
  return false;
}

void a_secret_or_app_key_around_the_cut_never_reaches_the_error(void) {
  const char *secret = "HostileSecret2026xyz1", *app_key = "hostile-appkey-Z9w4";
  const char *values[] = {secret, app_key};
  const int statuses[] = {500, 400};
  partner p = new_partner("hostile-scrub");
  for (int v = 0; v < 2; v++) {
    for (int s = 0; s < 2; s++) {
      int n = (int)strlen(values[v]);
      for (int at = 300 - n - 3; at <= 303; at += quick() ? 9 : 1) {
        finauth_partner_auth_config cfg = config_for(&p);
        cfg.partner_secret = secret;
        cfg.app_key = app_key;
        finauth_partner_auth *auth = auth_for(&cfg);
        char filler[400];
        memset(filler, 'm', (size_t)at);
        filler[at] = '\0';
        char fault[1024];
        snprintf(fault, sizeof fault,
                 "{\"status\":%d,\"content_type\":\"application/json\",\"body\":"
                 "\"{\\\"code\\\":1000,\\\"message\\\":\\\"%s%s is over the limit\\\"}\"}",
                 statuses[s], filler, values[v]);
        sandbox_clear_faults();
        CHECK(sandbox_fault(fault, 1) == 0);
        char *token = NULL;
        finauth_status st = finauth_partner_auth_token(auth, &token);
        CHECK(st == FINAUTH_ERR_SERVER || st == FINAUTH_ERR_CONFIG);
        const char *msg = finauth_last_error_message();
        if (leaks(msg, values[v]))
          fprintf(stderr, "    leaked at offset %d: %s\n", at, msg);
        CHECK(!leaks(msg, values[v]));
        CHECK(contains(msg, "code 1000") && !contains(msg, "Some("));
        finauth_partner_auth_free(auth);
      }
    }
  }
  sandbox_clear_faults();
}
