/*
 * A tiny HTTP/1.1 client for the sandbox's admin API (plain sockets, loopback only), shared by the
 * C and C++ tests. The sandbox URL comes from FINAUTH_SANDBOX_URL (http://127.0.0.1:PORT).
 */
#ifndef FINAUTH_TEST_SANDBOX_CLIENT_H
#define FINAUTH_TEST_SANDBOX_CLIENT_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *sandbox_url(void) {
  const char *u = getenv("FINAUTH_SANDBOX_URL");
  if (u == NULL || strncmp(u, "http://127.0.0.1:", 17) != 0) {
    fprintf(stderr, "FINAUTH_SANDBOX_URL must be http://127.0.0.1:PORT (got %s)\n",
            u ? u : "nothing");
    exit(2);
  }
  return u;
}

static int sandbox_port(void) { return atoi(sandbox_url() + 17); }

/* The whole last answer of sandbox_request() on this thread (status line, headers, body). */
static __thread char sandbox_raw_answer[65536];

/* Copy the value of header `name` (case-insensitive) of the last answer of sandbox_request() on
 * this thread into out; "" if it had none. */
static void sandbox_answer_header(const char *name, char *out, size_t cap) {
  out[0] = '\0';
  const size_t nlen = strlen(name);
  const char *end = strstr(sandbox_raw_answer, "\r\n\r\n");
  for (const char *line = strstr(sandbox_raw_answer, "\r\n"); line && line < end;
       line = strstr(line + 2, "\r\n")) {
    const char *h = line + 2;
    if (strncasecmp(h, name, nlen) == 0 && h[nlen] == ':') {
      h += nlen + 1;
      while (*h == ' ') h++;
      size_t vlen = strcspn(h, "\r");
      snprintf(out, cap, "%.*s", (int)vlen, h);
      return;
    }
  }
}

/* Send one request with an optional extra header line ("Name: value", no CRLF) and a body of
 * body_len bytes; returns the HTTP status (or -1) and copies the body into resp (may be NULL). */
static int sandbox_request(const char *method, const char *path, const char *header,
                           const char *body, size_t blen, char *resp, size_t cap) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)sandbox_port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  char req[8192];
  int n = snprintf(req, sizeof req,
                   "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n"
                   "%s%sContent-Length: %zu\r\nConnection: close\r\n\r\n",
                   method, path, sandbox_port(), header ? header : "", header ? "\r\n" : "", blen);
  if (n < 0 || (size_t)n + blen >= sizeof req) {
    close(fd);
    return -1;
  }
  if (blen) memcpy(req + n, body, blen);
  if (write(fd, req, (size_t)n + blen) != (ssize_t)((size_t)n + blen)) {
    close(fd);
    return -1;
  }
  char *buf = sandbox_raw_answer;
  size_t len = 0;
  for (;;) {
    ssize_t r = read(fd, buf + len, sizeof sandbox_raw_answer - 1 - len);
    if (r <= 0) break;
    len += (size_t)r;
    if (len == sizeof sandbox_raw_answer - 1) break;
  }
  close(fd);
  buf[len] = '\0';
  int status = -1;
  if (sscanf(buf, "HTTP/1.1 %d", &status) != 1) return -1;
  if (resp != NULL && cap > 0) {
    const char *b = strstr(buf, "\r\n\r\n");
    b = b ? b + 4 : "";
    snprintf(resp, cap, "%s", b);
  }
  return status;
}

/* A JSON request to the admin API (body NUL-terminated or NULL). */
static int sandbox_http(const char *method, const char *path, const char *body, char *resp,
                        size_t cap) {
  return sandbox_request(method, path, NULL, body, body ? strlen(body) : 0, resp, cap);
}

/* A counter of the sandbox's stats for one partner (auth_requests, auth_failures, ...), or -1. */
static long sandbox_stat(const char *partner, const char *field) {
  static __thread char body[65536];
  if (sandbox_http("GET", "/__admin/stats", NULL, body, sizeof body) != 200) return -1;
  char key[512];
  snprintf(key, sizeof key, "\"%s\":{", partner);
  const char *p = strstr(body, key);
  if (p == NULL) return -1;
  const char *end = strchr(p + strlen(key), '}');
  snprintf(key, sizeof key, "\"%s\":", field);
  const char *f = strstr(p, key);
  if (f == NULL || (end != NULL && f > end)) return -1;
  return strtol(f + strlen(key), NULL, 10);
}

/* Register a partner (or replace its secret and App Key). Returns 0 on success. */
static int sandbox_add_partner(const char *id, const char *secret, const char *app_key) {
  char body[1024];
  snprintf(body, sizeof body, "{\"partner_id\":\"%s\",\"secret\":\"%s\",\"app_key\":\"%s\"}", id,
           secret, app_key);
  return sandbox_http("POST", "/__admin/partners", body, NULL, 0) == 204 ? 0 : -1;
}

/* Queue a fault (JSON of the sandbox README) for the next `times` authentication requests. */
static int sandbox_fault(const char *fault_json, int times) {
  char body[1024];
  snprintf(body, sizeof body, "{\"fault\":%s,\"times\":%d}", fault_json, times);
  return sandbox_http("POST", "/__admin/faults", body, NULL, 0) == 200 ? 0 : -1;
}

/* GET `path` with extra header lines (each ending in \r\n); the HTTP status, or -1. */
static int sandbox_get_with(const char *path, const char *header_lines) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)sandbox_port());
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  static __thread char req[16384];
  int n = snprintf(req, sizeof req,
                   "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%sConnection: close\r\n\r\n", path,
                   sandbox_port(), header_lines);
  int status = -1;
  if (n > 0 && (size_t)n < sizeof req && write(fd, req, (size_t)n) == n) {
    char buf[256];
    ssize_t r = read(fd, buf, sizeof buf - 1);
    if (r > 0) {
      buf[r] = '\0';
      if (sscanf(buf, "HTTP/1.1 %d", &status) != 1) status = -1;
    }
  }
  close(fd);
  return status;
}

/* A counter of the sandbox's OAuth 2.0 stats for one client (token_requests, ...); 0 if the
 * client is not listed yet, -1 on failure. */
static long oauth2_stat(const char *client, const char *field) {
  static __thread char body[65536];
  if (sandbox_http("GET", "/__admin/stats", NULL, body, sizeof body) != 200) return -1;
  const char *o = strstr(body, "\"oauth2\":{");
  if (o == NULL) return -1;
  char key[512];
  snprintf(key, sizeof key, "\"%s\":{", client);
  const char *p = strstr(o, key);
  if (p == NULL) return 0;
  snprintf(key, sizeof key, "\"%s\":", field);
  const char *f = strstr(p, key);
  return f == NULL ? -1 : strtol(f + strlen(key), NULL, 10);
}

/* Register an OAuth 2.0 client (JSON of the admin API). Returns 0 on success. */
static int sandbox_add_oauth2_client(const char *json) {
  return sandbox_http("POST", "/__admin/oauth2/clients", json, NULL, 0) == 204 ? 0 : -1;
}

static void sandbox_clear_faults(void) { (void)sandbox_http("DELETE", "/__admin/faults", NULL, NULL, 0); }

#endif
