/* The harness's definitions (declared in harness.h). */
#include "harness.h"

int g_failures_in_test;

bool contains(const char *haystack, const char *needle) {
  return haystack != NULL && strstr(haystack, needle) != NULL;
}

/* A partner known only to this test, in this process. */
partner new_partner(const char *name) {
  static int counter;
  partner p;
  snprintf(p.id, sizeof p.id, "c-%ld-%d-%s", (long)getpid(), ++counter, name);
  snprintf(p.secret, sizeof p.secret, "Secret%dx2026", counter);
  snprintf(p.app_key, sizeof p.app_key, "key-%s", p.id);
  if (sandbox_add_partner(p.id, p.secret, p.app_key) != 0) {
    fprintf(stderr, "cannot register partner %s at the sandbox\n", p.id);
    exit(2);
  }
  return p;
}

finauth_partner_auth_config config_for(const partner *p) {
  finauth_partner_auth_config cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.partner_id = p->id;
  cfg.partner_secret = p->secret;
  cfg.app_key = p->app_key;
  cfg.base_url = sandbox_url();
  cfg.allow_insecure_loopback = true;
  return cfg;
}

finauth_partner_auth *auth_for(const finauth_partner_auth_config *cfg) {
  finauth_partner_auth *auth = NULL;
  finauth_status s = finauth_partner_auth_new(cfg, &auth);
  if (s != FINAUTH_OK || auth == NULL) {
    fprintf(stderr, "finauth_partner_auth_new: %s: %s\n", finauth_status_name(s),
            finauth_last_error_message());
    exit(2);
  }
  return auth;
}

finauth_error_info last_info(void) {
  finauth_error_info info;
  memset(&info, 0, sizeof info);
  if (finauth_last_error_info(&info) != FINAUTH_OK) abort();
  return info;
}

static const char *keys_dir(void) {
  const char *d = getenv("FINAUTH_OAUTH1_KEYS");
  return d && *d ? d : "core/tests/oauth1-keys";
}

char *key_path(const char *file) {
  static char buf[4][1024];
  static int n;
  char *p = buf[n++ % 4];
  snprintf(p, sizeof buf[0], "%s/%s", keys_dir(), file);
  return p;
}

/* A whole file, NUL-terminated (not counted in *len); NULL if it cannot be read. */
uint8_t *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t *data = NULL;
  size_t cap = 0, n = 0;
  for (;;) {
    if (n == cap) {
      cap = cap ? cap * 2 : 4096;
      uint8_t *grown = realloc(data, cap + 1);
      if (!grown) break;
      data = grown;
    }
    size_t r = fread(data + n, 1, cap - n, f);
    n += r;
    if (r == 0) break;
  }
  fclose(f);
  if (data) data[n] = 0;
  *len = n;
  return data;
}
