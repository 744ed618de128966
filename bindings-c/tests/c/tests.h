/* Every test of the C suite, one per line in the runner's order (main.c's TESTS[]); each is
 * defined in the test_*.c file of its feature. */
#ifndef FINAUTH_TEST_TESTS_H
#define FINAUTH_TEST_TESTS_H

void version_is_a_semver_string(void);
void every_status_has_its_api_name(void);
void token_and_headers_authenticate_once(void);
void from_env_reads_the_api_variables(void);
void config_errors_name_the_field(void);
void wrong_secret_is_stopped_by_the_guard(void);
void attempts_run_out_across_objects_sharing_a_store(void);
void account_locked_on_a_24302(void);
void rate_limited_on_an_unknown_app_key(void);
void server_error_on_a_503(void);
void transport_error_on_a_closed_port(void);
void timeout_when_the_server_is_slow(void);
void store_errors_and_specs(void);
void file_store_shares_one_token_between_objects(void);
void invalidate_drops_the_current_token_once(void);
void modify_secret_rotates_and_keeps_working(void);
void set_app_key_is_used_from_then_on(void);
void null_arguments_are_invalid_arguments(void);
void invalid_utf8_is_an_invalid_argument(void);
void herd_of_64_threads_on_a_cold_cache_authenticates_once(void);
void last_error_is_per_thread(void);
void strings_are_owned_copies(void);
void redis_store_shares_one_token(void);
void oauth1_every_loader_loads_the_key(void);
void oauth1_key_errors_name_the_problem_never_the_password(void);
void oauth1_header_has_the_reference_shape(void);
void oauth1_eight_threads_share_one_signer(void);
void oauth1_every_corpus_case_matches_the_java_reference(void);
void oauth1_the_sandbox_verifier_accepts_signed_requests(void);
void oauth2_herd_of_threads_makes_one_token_request(void);
void oauth2_private_key_jwt_with_dpop_headers(void);
void oauth2_wrong_secret_is_stopped_by_the_guard(void);
void oauth2_error_fields_are_readable_from_c(void);
void oauth2_an_issuer_is_discovered(void);
void encryption_jwe_round_trip_and_damage(void);
void encryption_field_level_header_mode_through_a_header_block(void);
void encryption_mastercards_published_vector_decrypts(void);
void encryption_mastercard_auth_against_the_sandbox(void);
void encryption_the_java_librarys_payloads_decrypt(void);
void observe_response_judges_answers_and_a_lock_stops_every_caller(void);
void exchange_arguments_and_order_are_checked(void);
void a_token_with_a_control_character_is_refused_in_json_and_xml(void);
void a_store_document_edited_to_hold_a_crlf_token_is_refused(void);
void a_secret_or_app_key_around_the_cut_never_reaches_the_error(void);
void stress_64_threads_on_one_object(void);
void stress_64_threads_on_objects_sharing_a_file_store(void);

#endif
