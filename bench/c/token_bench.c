/*
 * Throughput of finauth_partner_auth_token from C: each call returns a fresh copy of the cached
 * token, which the caller then frees with finauth_string_free (both are timed). Runs against the
 * sandbox (configured from the environment, like the quickstart); the first call authenticates
 * and is not timed. Prints figures; asserts nothing about time.
 *
 *   bench/c/run.sh            (builds the release library, starts the sandbox, runs this)
 */
#define _POSIX_C_SOURCE 200809L
#include <finauth.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct worker {
  finauth_partner_auth *auth;
  long calls;
  int failures;
} worker;

static void *run(void *p) {
  worker *w = (worker *)p;
  for (long i = 0; i < w->calls; i++) {
    char *t = NULL;
    if (finauth_partner_auth_token(w->auth, &t) != FINAUTH_OK) w->failures++;
    finauth_string_free(t);
  }
  return NULL;
}

/* Calls/s with `threads` threads sharing one object, `calls` calls each. */
static double measure(finauth_partner_auth *auth, int threads, long calls) {
  pthread_t tid[64];
  worker w[64];
  double start = now();
  for (int i = 0; i < threads; i++) {
    w[i].auth = auth;
    w[i].calls = calls;
    w[i].failures = 0;
    pthread_create(&tid[i], NULL, run, &w[i]);
  }
  int failures = 0;
  for (int i = 0; i < threads; i++) {
    pthread_join(tid[i], NULL);
    failures += w[i].failures;
  }
  double elapsed = now() - start;
  if (failures) fprintf(stderr, "%d failed calls\n", failures);
  return (double)threads * (double)calls / elapsed;
}

int main(int argc, char **argv) {
  long calls = argc > 1 ? atol(argv[1]) : 2000000;
  finauth_partner_auth *auth = NULL;
  if (finauth_partner_auth_from_env(&auth) != FINAUTH_OK) {
    fprintf(stderr, "from_env: %s\n", finauth_last_error_message());
    return 1;
  }
  char *t = NULL;
  double t0 = now();
  if (finauth_partner_auth_token(auth, &t) != FINAUTH_OK) {
    fprintf(stderr, "token: %s\n", finauth_last_error_message());
    return 1;
  }
  double cold = now() - t0;
  finauth_string_free(t);
  printf("libfinauth %s\n", finauth_version());
  printf("cold token (one authentication at the local sandbox): %.2f ms\n", cold * 1e3);
  measure(auth, 1, calls / 10); /* warm-up */
  int thread_counts[] = {1, 2, 4};
  for (size_t i = 0; i < sizeof thread_counts / sizeof thread_counts[0]; i++) {
    int n = thread_counts[i];
    double rate = measure(auth, n, calls / n);
    printf("token + string_free, %d thread(s): %.2f M calls/s (%.0f ns per call per thread)\n", n,
           rate / 1e6, 1e9 * n / rate);
  }
  finauth_stats st;
  finauth_partner_auth_stats(auth, &st);
  printf("authentication requests during the run: %llu\n", (unsigned long long)st.auth_requests);
  finauth_partner_auth_free(auth);
  return 0;
}
