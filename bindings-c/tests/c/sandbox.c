/* The suite's one copy of ../sandbox_client.h (declared in harness.h): its helpers are `static`
 * with 64 KiB thread-local buffers, and a copy per file would outgrow the herds' 256 KiB thread
 * stacks (pthread_create fails with EINVAL). So it is included here, under private names. */
#define _GNU_SOURCE
#define sandbox_url sc_url
#define sandbox_port sc_port
#define sandbox_answer_header sc_answer_header
#define sandbox_request sc_request
#define sandbox_http sc_http
#define sandbox_stat sc_stat
#define sandbox_add_partner sc_add_partner
#define sandbox_fault sc_fault
#define sandbox_get_with sc_get_with
#define oauth2_stat sc_oauth2_stat
#define sandbox_add_oauth2_client sc_add_oauth2_client
#define sandbox_clear_faults sc_clear_faults
#include "sandbox_client.h"
#undef sandbox_url
#undef sandbox_port
#undef sandbox_answer_header
#undef sandbox_request
#undef sandbox_http
#undef sandbox_stat
#undef sandbox_add_partner
#undef sandbox_fault
#undef sandbox_get_with
#undef oauth2_stat
#undef sandbox_add_oauth2_client
#undef sandbox_clear_faults

#include "harness.h"

const char *sandbox_url(void) { return sc_url(); }

int sandbox_port(void) { return sc_port(); }

void sandbox_answer_header(const char *name, char *out, size_t cap) {
  sc_answer_header(name, out, cap);
}

int sandbox_request(const char *method, const char *path, const char *header, const char *body,
                    size_t blen, char *resp, size_t cap) {
  return sc_request(method, path, header, body, blen, resp, cap);
}

int sandbox_http(const char *method, const char *path, const char *body, char *resp, size_t cap) {
  return sc_http(method, path, body, resp, cap);
}

long sandbox_stat(const char *partner, const char *field) { return sc_stat(partner, field); }

int sandbox_add_partner(const char *id, const char *secret, const char *app_key) {
  return sc_add_partner(id, secret, app_key);
}

int sandbox_fault(const char *fault_json, int times) { return sc_fault(fault_json, times); }

int sandbox_get_with(const char *path, const char *header_lines) {
  return sc_get_with(path, header_lines);
}

long oauth2_stat(const char *client, const char *field) { return sc_oauth2_stat(client, field); }

int sandbox_add_oauth2_client(const char *json) { return sc_add_oauth2_client(json); }

void sandbox_clear_faults(void) { sc_clear_faults(); }
