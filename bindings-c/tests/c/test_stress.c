/* 64 pthreads through token expiry, invalidate storms and App Key rotation: on one object, and
 * spread over several objects sharing one FileStore directory.
 *
 * Every phase is fenced by a barrier, so the number of token generations is known: one cold
 * authentication, then per round one after the invalidate storm and one after the token
 * expired. The sandbox's count of authentication requests must equal it, as must the distinct
 * tokens the threads saw (two racing authentications would leave an unseen token). The barrier
 * has a deadline and the joins too, so a deadlock fails instead of hanging. Tokens are refreshed
 * after refresh_after s and expire at lifetime s; the phases between two generations take a small
 * fraction of refresh_after, so no background refresh is due during them. Under valgrind
 * (FINAUTH_TEST_QUICK) one round, fewer calls and longer lifetimes: valgrind runs one thread at a
 * time.
 * scripts/test-c.sh also runs these two under ThreadSanitizer (the `stress` filter of main.c). */
#include "harness.h"
#include "tests.h"

#include <dirent.h>
#include <errno.h>
#include <time.h>

#define STRESS_THREADS 64
#define HAMMER_CALLS 100
#define MAX_ROUNDS 2
#define MAX_SEEN 16
/* A phase waits at most this long for the other threads (deadlock detection, not a timing). */
#define PHASE_DEADLINE_S 30

typedef struct timing {
  int rounds, hammer_calls, objects;
  double refresh_after, lifetime;
} timing;

static timing stress_timing(void) {
  timing t = {MAX_ROUNDS, HAMMER_CALLS, 8, 0.8, 1.0};
  if (getenv("FINAUTH_TEST_QUICK") != NULL) {
    /* Building an object costs seconds under valgrind (the TLS setup): 4 of them. */
    t.rounds = 1;
    t.hammer_calls = 10;
    t.objects = 4;
    t.refresh_after = 3.0;
    t.lifetime = 3.3;
  }
  return t;
}

/* A barrier whose wait gives up after PHASE_DEADLINE_S; once broken, every wait fails at once. */
typedef struct deadline_barrier {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int parties, waiting;
  unsigned long cycle;
  bool broken;
} deadline_barrier;

static void barrier_init(deadline_barrier *b, int parties) {
  pthread_mutex_init(&b->mu, NULL);
  pthread_cond_init(&b->cv, NULL);
  b->parties = parties;
  b->waiting = 0;
  b->cycle = 0;
  b->broken = false;
}

static bool barrier_wait(deadline_barrier *b) {
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += PHASE_DEADLINE_S;
  pthread_mutex_lock(&b->mu);
  if (b->broken) {
    pthread_mutex_unlock(&b->mu);
    return false;
  }
  unsigned long cycle = b->cycle;
  if (++b->waiting == b->parties) {
    b->waiting = 0;
    b->cycle++;
    pthread_cond_broadcast(&b->cv);
  } else {
    while (cycle == b->cycle && !b->broken) {
      if (pthread_cond_timedwait(&b->cv, &b->mu, &until) == ETIMEDOUT) {
        b->broken = true;
        pthread_cond_broadcast(&b->cv);
      }
    }
  }
  bool ok = !b->broken;
  pthread_mutex_unlock(&b->mu);
  return ok;
}

typedef struct stress {
  finauth_partner_auth **auths;
  int objects;
  timing t;
  const partner *p;
  deadline_barrier barrier;
  pthread_mutex_t mu;
  int dropped[MAX_ROUNDS];
  int failures;
} stress;

typedef struct worker {
  stress *s;
  int i;
  int seen_count;
  char seen[MAX_SEEN][64];
} worker;

static void rotated_key(const partner *p, int round, char *out, size_t cap) {
  snprintf(out, cap, "%s-rotated-%d", p->app_key, round);
}

static void note(worker *w, const char *token) {
  for (int k = 0; k < w->seen_count; k++)
    if (strcmp(w->seen[k], token) == 0) return;
  if (w->seen_count < MAX_SEEN) snprintf(w->seen[w->seen_count++], 64, "%s", token);
}

static void fail(worker *w, const char *what) {
  pthread_mutex_lock(&w->s->mu);
  if (w->s->failures++ < 3) fprintf(stderr, "    thread %d: %s (last error: %s)\n", w->i, what,
                                    finauth_last_error_message());
  pthread_mutex_unlock(&w->s->mu);
}

/* finauth_partner_auth_token into buf; false (and a failure) on an error. */
static bool token_into(worker *w, finauth_partner_auth *auth, char *buf, size_t cap) {
  char *token = NULL;
  if (finauth_partner_auth_token(auth, &token) != FINAUTH_OK || token == NULL) {
    fail(w, "token() failed");
    return false;
  }
  snprintf(buf, cap, "%s", token);
  finauth_string_free(token);
  return true;
}

static void *stress_worker(void *arg) {
  worker *w = (worker *)arg;
  stress *s = w->s;
  finauth_partner_auth *auth = s->auths[w->i % s->objects];
  char tok[64], old[64], key[200];
  /* On a failure the thread goes on through every barrier, so the others never wait for it. */
  if (!barrier_wait(&s->barrier)) return NULL; /* cold start */
  if (token_into(w, auth, tok, sizeof tok)) note(w, tok);
  for (int r = 0; r < s->t.rounds; r++) {
    if (!barrier_wait(&s->barrier)) return NULL; /* hammer the fresh token */
    for (int k = 0; k < s->t.hammer_calls; k++) {
      if (!token_into(w, auth, tok, sizeof tok)) break;
      note(w, tok);
    }
    if (!barrier_wait(&s->barrier)) return NULL; /* the sandbox rotated the App Key */
    rotated_key(s->p, r, key, sizeof key);
    if (w->i < s->objects && finauth_partner_auth_set_app_key(auth, key) != FINAUTH_OK)
      fail(w, "set_app_key failed");
    for (int k = 0; k < 10; k++) {
      finauth_headers *h = NULL;
      if (finauth_partner_auth_headers(auth, &h) != FINAUTH_OK) fail(w, "headers() failed");
      finauth_headers_free(h);
    }
    if (!barrier_wait(&s->barrier)) return NULL;
    finauth_headers *h = NULL;
    if (finauth_partner_auth_headers(auth, &h) != FINAUTH_OK) {
      fail(w, "headers() failed");
    } else {
      bool rotated = false;
      for (size_t k = 0; k < finauth_headers_count(h); k++)
        if (strcmp(finauth_headers_name(h, k), "Finicity-App-Key") == 0)
          rotated = strcmp(finauth_headers_value(h, k), key) == 0;
      if (!rotated) fail(w, "headers() still carry the old App Key");
      note(w, finauth_headers_token(h));
    }
    finauth_headers_free(h);
    bool have_old = token_into(w, auth, old, sizeof old);
    if (!barrier_wait(&s->barrier)) return NULL; /* the invalidate storm */
    bool dropped = false;
    if (have_old && finauth_partner_auth_invalidate(auth, old, &dropped) != FINAUTH_OK)
      fail(w, "invalidate() failed");
    if (dropped) {
      pthread_mutex_lock(&s->mu);
      s->dropped[r]++;
      pthread_mutex_unlock(&s->mu);
    }
    if (token_into(w, auth, tok, sizeof tok)) {
      if (have_old && strcmp(tok, old) == 0) fail(w, "the invalidated token came back");
      note(w, tok);
    }
    if (!barrier_wait(&s->barrier)) return NULL; /* idle while the token expires */
    if (!barrier_wait(&s->barrier)) return NULL;
    if (token_into(w, auth, tok, sizeof tok)) note(w, tok);
  }
  return NULL;
}

/* Threads of finauth's runtimes (core/src/blocking.rs names them finauth-runtime: each object's
 * worker and its blocking-pool threads); other threads (a sanitizer's own) are not counted. */
static int runtime_threads(void) {
  DIR *d = opendir("/proc/self/task");
  int n = 0;
  if (d == NULL) return -1;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    if (e->d_name[0] == '.') continue;
    char path[300], comm[32] = "";
    snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
    FILE *f = fopen(path, "r");
    if (f == NULL) continue; /* the thread ended */
    if (fgets(comm, sizeof comm, f) != NULL && strncmp(comm, "finauth-runtime", 15) == 0) n++;
    fclose(f);
  }
  closedir(d);
  return n;
}

/* Runs the rounds over `objects` objects (thread i uses object i % objects); checks the counts. */
static void run_stress(const partner *p, finauth_partner_auth **auths, int objects) {
  stress s;
  memset(&s, 0, sizeof s);
  s.auths = auths;
  s.objects = objects;
  s.t = stress_timing();
  s.p = p;
  barrier_init(&s.barrier, STRESS_THREADS + 1);
  pthread_mutex_init(&s.mu, NULL);
  static worker workers[STRESS_THREADS];
  pthread_t threads[STRESS_THREADS];
  int started = 0;
  /* Small stacks, as the suite's other herds: valgrind is slow to hand out 64 default 8 MiB ones. */
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 512 * 1024);
  for (int i = 0; i < STRESS_THREADS; i++) {
    memset(&workers[i], 0, sizeof workers[i]);
    workers[i].s = &s;
    workers[i].i = i;
    if (pthread_create(&threads[i], &attr, stress_worker, &workers[i]) == 0) started++;
  }
  pthread_attr_destroy(&attr);
  CHECK(started == STRESS_THREADS);
  bool ok = barrier_wait(&s.barrier); /* cold start */
  for (int r = 0; ok && r < s.t.rounds; r++) {
    char key[200];
    rotated_key(p, r, key, sizeof key);
    ok = barrier_wait(&s.barrier); /* hammer */
    CHECK(sandbox_add_partner(p->id, p->secret, key) == 0);
    ok = ok && barrier_wait(&s.barrier); /* rotate */
    ok = ok && barrier_wait(&s.barrier); /* headers checked */
    ok = ok && barrier_wait(&s.barrier); /* invalidate storm */
    ok = ok && barrier_wait(&s.barrier); /* idle */
    usleep((useconds_t)((s.t.lifetime + 0.3) * 1e6));
    ok = ok && barrier_wait(&s.barrier); /* expired */
  }
  CHECK(ok);
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += PHASE_DEADLINE_S;
  for (int i = 0; i < started; i++) {
    if (pthread_timedjoin_np(threads[i], NULL, &until) != 0) {
      fprintf(stderr, "    thread %d did not finish (deadlock?)\n", i);
      abort(); /* nothing can be freed under a stuck thread */
    }
  }
  CHECK(s.failures == 0);
  /* One cold authentication, then one per storm and one per expiry. */
  const long generations = 1 + 2L * s.t.rounds;
  CHECK(sandbox_stat(p->id, "auth_requests") == generations);
  CHECK(sandbox_stat(p->id, "auth_success") == generations);
  char distinct[MAX_SEEN * 2][64];
  int n_distinct = 0;
  for (int i = 0; i < STRESS_THREADS; i++)
    for (int k = 0; k < workers[i].seen_count; k++) {
      bool known = false;
      for (int j = 0; j < n_distinct; j++) known = known || strcmp(distinct[j], workers[i].seen[k]) == 0;
      if (!known && n_distinct < MAX_SEEN * 2) snprintf(distinct[n_distinct++], 64, "%s", workers[i].seen[k]);
    }
  CHECK(n_distinct == generations);
  uint64_t auth_requests = 0, advisory = 0;
  for (int o = 0; o < objects; o++) {
    finauth_stats st;
    CHECK_STATUS(finauth_partner_auth_stats(auths[o], &st), FINAUTH_OK);
    auth_requests += st.auth_requests;
    advisory += st.refreshes_advisory;
  }
  CHECK(auth_requests == (uint64_t)generations);
  CHECK(advisory == 0);
  /* Each object's cache dropped the rejected token once per storm. */
  for (int r = 0; r < s.t.rounds; r++) CHECK(s.dropped[r] == objects);
  pthread_mutex_destroy(&s.mu);
}

/* Each object's runtime is shut down by finauth_partner_auth_free: its threads end (polls up to
 * PHASE_DEADLINE_S, a deadline, not a timing). */
static bool threads_back_to(int baseline) {
  for (int k = 0; k < PHASE_DEADLINE_S * 10; k++) {
    if (runtime_threads() <= baseline) return true;
    usleep(100000);
  }
  return false;
}

void stress_64_threads_on_one_object(void) {
  int baseline = runtime_threads();
  partner p = new_partner("stress-one");
  timing t = stress_timing();
  finauth_partner_auth_config cfg = config_for(&p);
  cfg.refresh_after = t.refresh_after;
  cfg.token_lifetime = t.lifetime;
  finauth_partner_auth *auth = auth_for(&cfg);
  run_stress(&p, &auth, 1);
  finauth_partner_auth_free(auth);
  CHECK(threads_back_to(baseline));
}

void stress_64_threads_on_objects_sharing_a_file_store(void) {
  enum { MAX_OBJECTS = 8 };
  int baseline = runtime_threads();
  partner p = new_partner("stress-file");
  timing t = stress_timing();
  const int objects = t.objects < MAX_OBJECTS ? t.objects : MAX_OBJECTS;
  /* Under FINAUTH_TEST_ARTIFACTS when set (scripts/secret-scan.sh reads it, so it is kept). */
  const char *artifacts = getenv("FINAUTH_TEST_ARTIFACTS");
  char dir[512];
  snprintf(dir, sizeof dir, "%s/stress-c-XXXXXX", artifacts && *artifacts ? artifacts : "/tmp");
  if (artifacts && *artifacts) mkdir(artifacts, 0700);
  CHECK(mkdtemp(dir) != NULL);
  finauth_store *store = NULL;
  CHECK_STATUS(finauth_store_file_new(dir, &store), FINAUTH_OK);
  finauth_partner_auth *auths[MAX_OBJECTS];
  finauth_partner_auth_config cfg = config_for(&p);
  cfg.refresh_after = t.refresh_after;
  cfg.token_lifetime = t.lifetime;
  cfg.store = store;
  for (int o = 0; o < objects; o++) auths[o] = auth_for(&cfg);
  run_stress(&p, auths, objects);
  for (int o = 0; o < objects; o++) finauth_partner_auth_free(auths[o]);
  finauth_store_free(store);
  CHECK(threads_back_to(baseline));
  /* One state file and its lock: no temporary file left behind by the atomic replaces. */
  int json = 0, lock = 0, other = 0;
  DIR *d = opendir(dir);
  CHECK(d != NULL);
  for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    size_t len = strlen(e->d_name);
    if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0) json++;
    else if (len > 5 && strcmp(e->d_name + len - 5, ".lock") == 0) lock++;
    else other++;
    if (!(artifacts && *artifacts)) {
      char path[1024];
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
      unlink(path);
    }
  }
  if (d) closedir(d);
  if (!(artifacts && *artifacts)) rmdir(dir);
  CHECK(json == 1 && lock == 1 && other == 0);
}
