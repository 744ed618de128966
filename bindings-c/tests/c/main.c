/* The C suite's runner: every test of tests.h in a fixed order against the sandbox of
 * FINAUTH_SANDBOX_URL; one line per test, then `N passed, N failed` (scripts/test-c.sh greps it).
 * An argument runs only the tests whose name contains it; exits 1 if any test failed. */
#include "harness.h"
#include "tests.h"

typedef struct test_case {
  const char *name;
  void (*fn)(void);
} test_case;

#define T(f) {#f, f}

/* Each test registers its own partner at the sandbox (unique per process), so the suite can run
 * several times (plain, valgrind, ASan) against one sandbox. */
static const test_case TESTS[] = {
    T(version_is_a_semver_string),
    T(every_status_has_its_api_name),
    T(token_and_headers_authenticate_once),
    T(from_env_reads_the_api_variables),
    T(config_errors_name_the_field),
    T(wrong_secret_is_stopped_by_the_guard),
    T(attempts_run_out_across_objects_sharing_a_store),
    T(account_locked_on_a_24302),
    T(rate_limited_on_an_unknown_app_key),
    T(server_error_on_a_503),
    T(transport_error_on_a_closed_port),
    T(timeout_when_the_server_is_slow),
    T(store_errors_and_specs),
    T(file_store_shares_one_token_between_objects),
    T(invalidate_drops_the_current_token_once),
    T(modify_secret_rotates_and_keeps_working),
    T(set_app_key_is_used_from_then_on),
    T(null_arguments_are_invalid_arguments),
    T(invalid_utf8_is_an_invalid_argument),
    T(herd_of_64_threads_on_a_cold_cache_authenticates_once),
    T(last_error_is_per_thread),
    T(strings_are_owned_copies),
    T(redis_store_shares_one_token),
    T(oauth1_every_loader_loads_the_key),
    T(oauth1_key_errors_name_the_problem_never_the_password),
    T(oauth1_header_has_the_reference_shape),
    T(oauth1_eight_threads_share_one_signer),
    T(oauth1_every_corpus_case_matches_the_java_reference),
    T(oauth1_the_sandbox_verifier_accepts_signed_requests),
    T(oauth2_herd_of_threads_makes_one_token_request),
    T(oauth2_private_key_jwt_with_dpop_headers),
    T(oauth2_wrong_secret_is_stopped_by_the_guard),
    T(oauth2_error_fields_are_readable_from_c),
    T(oauth2_an_issuer_is_discovered),
    T(encryption_jwe_round_trip_and_damage),
    T(encryption_field_level_header_mode_through_a_header_block),
    T(encryption_mastercards_published_vector_decrypts),
    T(encryption_mastercard_auth_against_the_sandbox),
    T(encryption_the_java_librarys_payloads_decrypt),
    T(observe_response_judges_answers_and_a_lock_stops_every_caller),
    T(exchange_arguments_and_order_are_checked),
    T(a_token_with_a_control_character_is_refused_in_json_and_xml),
    T(a_store_document_edited_to_hold_a_crlf_token_is_refused),
    T(a_secret_or_app_key_around_the_cut_never_reaches_the_error),
    T(stress_64_threads_on_one_object),
    T(stress_64_threads_on_objects_sharing_a_file_store),
};

int main(int argc, char **argv) {
  const char *only = argc > 1 ? argv[1] : NULL;
  (void)sandbox_url();
  int passed = 0, failed = 0;
  for (size_t i = 0; i < sizeof TESTS / sizeof TESTS[0]; i++) {
    if (only && !strstr(TESTS[i].name, only)) continue;
    g_failures_in_test = 0;
    TESTS[i].fn();
    if (g_failures_in_test == 0) {
      passed++;
      printf("ok   %s\n", TESTS[i].name);
    } else {
      failed++;
      printf("FAIL %s (%d check(s))\n", TESTS[i].name, g_failures_in_test);
    }
    fflush(stdout);
  }
  /* Not reachable through the C API (documented in bindings-c/README.md):
   *  - FINAUTH_ERR_UNAUTHORIZED: only produced by core's `send` (a resource call made by finauth),
   *    which the C API does not expose: C callers make resource calls with their own HTTP client.
   *  - FINAUTH_ERR_INTERNAL: needs a panic inside finauth (a bug).
   * Their mapping is tested by the Rust unit tests of bindings-c/src/error.rs and ffi_util.rs. */
  printf("not reachable through the C API (mapping covered by the Rust unit tests): "
         "FINAUTH_ERR_UNAUTHORIZED, FINAUTH_ERR_INTERNAL\n");
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
