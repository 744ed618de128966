/* OAuth 1.0a signing throughput of the C binding: finauth_oauth1_authorization_header +
 * finauth_string_free on 1 and 2 threads sharing one signer, for a fixed time each. Prints
 * `RESULT c <threads> <signs/s> <signs per CPU-second of the signing threads>` for run.sh;
 * asserts nothing about time.
 * Usage: sign_bench KEY.pem [seconds] */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "finauth.h"

static const char *CONSUMER_KEY = "Xyz-consumer_KEY!0123456789abcdefABCDEF";
static const char *URI =
    "https://sandbox.api.mastercard.com/fraud/merchant/v3/termination-inquiry?Format=JSON&PageOffset=0&PageLength=10";
static const char *BODY =
    "{\"terminationInquiryRequest\":{\"acquirerId\":\"1996\",\"merchant\":{\"name\":\"TEST\",\"address\":{\"city\":\"O'Fallon\",\"country\":\"USA\"}}}}";

struct job {
  finauth_oauth1_signer *signer;
  double seconds;
  pthread_barrier_t *barrier;
  double rate, signs, cpu;
  int failed;
};

static double clock_s(clockid_t id) {
  struct timespec t;
  clock_gettime(id, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}
static double now(void) { return clock_s(CLOCK_MONOTONIC); }

static void *worker(void *arg) {
  struct job *j = arg;
  pthread_barrier_wait(j->barrier);
  double start = now(), cpu = clock_s(CLOCK_THREAD_CPUTIME_ID), elapsed = 0;
  unsigned long n = 0;
  while ((elapsed = now() - start) < j->seconds) {
    char *header = NULL;
    if (finauth_oauth1_authorization_header(j->signer, "POST", URI, (const uint8_t *)BODY,
                                            strlen(BODY), &header) != FINAUTH_OK) {
      j->failed = 1;
      return NULL;
    }
    finauth_string_free(header);
    n++;
  }
  j->rate = (double)n / elapsed;
  j->signs = (double)n;
  j->cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - cpu;
  return NULL;
}

/* Signs per second (all threads); *per_cpu: signs per CPU-second of the signing threads. */
static double run(finauth_oauth1_signer *signer, int threads, double seconds, double *per_cpu) {
  pthread_t tid[2];
  struct job jobs[2];
  pthread_barrier_t barrier;
  pthread_barrier_init(&barrier, NULL, (unsigned)threads);
  for (int i = 0; i < threads; i++) {
    jobs[i] = (struct job){signer, seconds, &barrier, 0, 0, 0, 0};
    pthread_create(&tid[i], NULL, worker, &jobs[i]);
  }
  double total = 0, signs = 0, cpu = 0;
  for (int i = 0; i < threads; i++) {
    pthread_join(tid[i], NULL);
    if (jobs[i].failed) {
      fprintf(stderr, "signing failed: %s\n", finauth_last_error_message());
      exit(1);
    }
    total += jobs[i].rate;
    signs += jobs[i].signs;
    cpu += jobs[i].cpu;
  }
  *per_cpu = cpu > 0 ? signs / cpu : 0;
  pthread_barrier_destroy(&barrier);
  return total;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s KEY.pem [seconds]\n", argv[0]);
    return 2;
  }
  double seconds = argc > 2 ? atof(argv[2]) : 3.0;
  finauth_signing_key *key = NULL;
  finauth_oauth1_signer *signer = NULL;
  if (finauth_signing_key_from_file(argv[1], NULL, NULL, &key) != FINAUTH_OK ||
      finauth_oauth1_signer_new(CONSUMER_KEY, key, 0, &signer) != FINAUTH_OK) {
    fprintf(stderr, "setup failed: %s\n", finauth_last_error_message());
    return 1;
  }
  finauth_signing_key_free(key);
  double per_cpu = 0;
  run(signer, 1, 0.3, &per_cpu); /* warm-up */
  for (int threads = 1; threads <= 2; threads++) {
    double rate = run(signer, threads, seconds, &per_cpu);
    printf("RESULT c %d %.1f %.1f\n", threads, rate, per_cpu);
    fflush(stdout);
  }
  finauth_oauth1_signer_free(signer);
  return 0;
}
