/* The C suite's shared harness: CHECK macros, the per-test failure count, and fixtures used by
 * several feature files (partners at the sandbox, configs, OAuth 1.0a key paths). */
#ifndef FINAUTH_TEST_HARNESS_H
#define FINAUTH_TEST_HARNESS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "finauth.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The admin API client of ../sandbox_client.h (see there), defined once, in sandbox.c. */
const char *sandbox_url(void);
int sandbox_port(void);
void sandbox_answer_header(const char *name, char *out, size_t cap);
int sandbox_request(const char *method, const char *path, const char *header, const char *body,
                    size_t blen, char *resp, size_t cap);
int sandbox_http(const char *method, const char *path, const char *body, char *resp, size_t cap);
long sandbox_stat(const char *partner, const char *field);
int sandbox_add_partner(const char *id, const char *secret, const char *app_key);
int sandbox_fault(const char *fault_json, int times);
int sandbox_get_with(const char *path, const char *header_lines);
long oauth2_stat(const char *client, const char *field);
int sandbox_add_oauth2_client(const char *json);
void sandbox_clear_faults(void);

/* Checks that failed in the running test (reset and read by the runner in main.c). */
extern int g_failures_in_test;

#define CHECK(cond)                                                                   \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      g_failures_in_test++;                                                           \
      fprintf(stderr, "    %s:%d: CHECK failed: %s (last error: %s)\n", __FILE__,     \
              __LINE__, #cond, finauth_last_error_message());                         \
    }                                                                                 \
  } while (0)

#define CHECK_STATUS(expr, expected)                                                      \
  do {                                                                                    \
    finauth_status s_ = (expr);                                                           \
    if (s_ != (expected)) {                                                               \
      g_failures_in_test++;                                                               \
      fprintf(stderr, "    %s:%d: %s returned %s, expected %s (last error: %s)\n",        \
              __FILE__, __LINE__, #expr, finauth_status_name(s_),                         \
              finauth_status_name(expected), finauth_last_error_message());               \
    }                                                                                     \
  } while (0)

bool contains(const char *haystack, const char *needle);

typedef struct partner {
  char id[128];
  char secret[64];
  char app_key[160];
} partner;

/* A partner known only to this test, in this process. */
partner new_partner(const char *name);
finauth_partner_auth_config config_for(const partner *p);
finauth_partner_auth *auth_for(const finauth_partner_auth_config *cfg);
finauth_error_info last_info(void);

/* Path of a file of the OAuth 1.0a key directory (FINAUTH_OAUTH1_KEYS, else
 * core/tests/oauth1-keys); four rotating buffers. */
char *key_path(const char *file);
/* A whole file, NUL-terminated (not counted in *len); NULL if it cannot be read. Free it. */
uint8_t *read_all(const char *path, size_t *len);

#endif
