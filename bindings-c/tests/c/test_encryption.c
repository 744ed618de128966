/* Payload encryption from C: JWE and field-level round trips (the header mode through a header
 * block), one of Mastercard's published A128CBC-HS256 vectors, damage and bad input as statuses. */
#include "harness.h"
#include "tests.h"

/* Mastercard's Java test suite: JWEObjectTest, A128CBC-HS256, decrypts to "bar" with its
 * published test key (core/tests/encryption-reference/mastercard-vectors). */
static const char *MASTERCARD_CBC_TOKEN = "eyJraWQiOiI3NjFiMDAzYzFlYWRlM2E1NDkwZTUwMDBkMzc4ODdiYWE1ZTZlYzBlMjI2YzA3NzA2ZTU5OTQ1MWZjMDMyYTc5IiwiY3R5IjoiYXBwbGljYXRpb25cL2pzb24iLCJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiUlNBLU9BRVAtMjU2In0.5bsamlChk0HR3Nqg2UPJ2Fw4Y0MvC2pwWzNv84jYGkOXyqp1iwQSgETGaplIa7JyLg1ZWOqwNHEx3N7gsN4nzwAnVgz0eta6SsoQUE9YQ-5jek0COslUkoqIQjlQYJnYur7pqttDibj87fcw13G2agle5fL99j1QgFPjNPYqH88DMv481XGFa8O3VfJhW93m73KD2gvE5GasOPOkFK9wjKXc9lMGSgSArp3Awbc_oS2Cho_SbsvuEQwkhnQc2JKT3IaSWu8yK7edNGwD6OZJLhMJzWJlY30dUt2Eqe1r6kMT0IDRl7jHJnVIr2Qpe56CyeZ9V0aC5RH1mI5dYk4kHg.yI0CS3NdBrz9CCW2jwBSDw.6zr2pOSmAGdlJG0gbH53Eg.UFgf3-P9UjgMocEu7QA_vQ";

static finauth_encryption_certificate *load_cert(void) {
  finauth_encryption_certificate *c = NULL;
  CHECK_STATUS(finauth_encryption_certificate_from_file(key_path("../encryption-keys/client-encryption-cert.pem"), &c), FINAUTH_OK);
  return c;
}

static finauth_decryption_key *load_key(void) {
  finauth_decryption_key *k = NULL;
  CHECK_STATUS(finauth_decryption_key_from_file(key_path("../encryption-keys/client-encryption-key.p12"), "keystorepassword", NULL, &k), FINAUTH_OK);
  return k;
}

void encryption_jwe_round_trip_and_damage(void) {
  finauth_encryption_certificate *cert = load_cert();
  finauth_decryption_key *key = load_key();
  finauth_payload_encryption *pe = NULL;
  CHECK_STATUS(finauth_payload_encryption_new(NULL, "{\"encryptionPaths\": {\"$.card\": \"$.enc\"}, \"decryptionPaths\": {\"$.enc.encryptedData\": \"$.card\"}}", cert, key, &pe), FINAUTH_OK);
  finauth_encryption_certificate_free(cert);
  finauth_decryption_key_free(key);
  const char *plain = "{\"card\":{\"pan\":\"5123450000000008\"},\"id\":1}";
  char *enc = NULL;
  finauth_headers *h = NULL;
  CHECK_STATUS(finauth_payload_encryption_encrypt(pe, (const uint8_t *)plain, strlen(plain), &enc, &h), FINAUTH_OK);
  CHECK(enc && !contains(enc, "5123450000000008") && contains(enc, "encryptedData"));
  CHECK(finauth_headers_count(h) == 0);
  finauth_headers_free(h);
  char *back = NULL;
  CHECK_STATUS(finauth_payload_encryption_decrypt(pe, (const uint8_t *)enc, strlen(enc), NULL, &back), FINAUTH_OK);
  CHECK(back && strcmp(back, plain) == 0);
  finauth_string_free(back);
  /* One changed character of the ciphertext: an ENCRYPTION status, no output. */
  char *dot = strrchr(enc, '.');
  CHECK(dot && dot > enc + 10);
  if (dot) dot[-3] = dot[-3] == 'A' ? 'B' : 'A';
  back = NULL;
  CHECK_STATUS(finauth_payload_encryption_decrypt(pe, (const uint8_t *)enc, strlen(enc), NULL, &back), FINAUTH_ERR_ENCRYPTION);
  CHECK(back == NULL && strcmp(finauth_status_name(FINAUTH_ERR_ENCRYPTION), "ENCRYPTION") == 0);
  finauth_string_free(enc);
  CHECK_STATUS(finauth_payload_encryption_decrypt(pe, (const uint8_t *)"not json", 8, NULL, &back), FINAUTH_ERR_ENCRYPTION);
  CHECK_STATUS(finauth_payload_encryption_encrypt(pe, NULL, 5, &enc, NULL), FINAUTH_ERR_INVALID_ARGUMENT);
  CHECK_STATUS(finauth_payload_encryption_encrypt(NULL, (const uint8_t *)"{}", 2, &enc, NULL), FINAUTH_ERR_INVALID_ARGUMENT);
  finauth_payload_encryption_free(pe);
  finauth_payload_encryption_free(NULL);
}

void encryption_field_level_header_mode_through_a_header_block(void) {
  finauth_encryption_certificate *cert = load_cert();
  finauth_decryption_key *key = load_key();
  finauth_payload_encryption *pe = NULL;
  CHECK_STATUS(finauth_payload_encryption_new("fle", "{\"headerMode\": true, \"fieldEncoding\": \"base64\", \"oaep\": \"sha512\", \"encryptionPaths\": [[\"$.a\", \"$.ea\"]], \"decryptionPaths\": [[\"$.ea\", \"$.a\"]]}", cert, key, &pe), FINAUTH_OK);
  const char *plain = "{\"a\":{\"x\":1},\"b\":2}";
  char *enc = NULL;
  finauth_headers *h = NULL;
  CHECK_STATUS(finauth_payload_encryption_encrypt(pe, (const uint8_t *)plain, strlen(plain), &enc, &h), FINAUTH_OK);
  CHECK(finauth_headers_count(h) >= 3);
  char block[8192] = "HTTP/1.1 200 OK\r\n";
  for (size_t i = 0; i < finauth_headers_count(h); i++) {
    size_t used = strlen(block);
    snprintf(block + used, sizeof block - used, "%s: %s\r\n", finauth_headers_name(h, i), finauth_headers_value(h, i));
  }
  finauth_headers_free(h);
  CHECK(contains(block, "x-iv: "));
  char *back = NULL;
  CHECK_STATUS(finauth_payload_encryption_decrypt(pe, (const uint8_t *)enc, strlen(enc), block, &back), FINAUTH_OK);
  CHECK(back && strcmp(back, plain) == 0);
  finauth_string_free(back);
  CHECK_STATUS(finauth_payload_encryption_decrypt(pe, (const uint8_t *)enc, strlen(enc), NULL, &back), FINAUTH_ERR_ENCRYPTION);
  CHECK(contains(finauth_last_error_message(), "x-iv"));
  finauth_string_free(enc);
  finauth_payload_encryption_free(pe);
  /* Wrong options and keys name the problem. */
  CHECK_STATUS(finauth_payload_encryption_new("jwe", "{\"fieldEncoding\": \"hex\"}", cert, NULL, &pe), FINAUTH_ERR_CONFIG);
  CHECK(pe == NULL && contains(finauth_last_error_message(), "field-level"));
  CHECK_STATUS(finauth_payload_encryption_new("xml", NULL, cert, NULL, &pe), FINAUTH_ERR_CONFIG);
  CHECK_STATUS(finauth_payload_encryption_new(NULL, NULL, NULL, NULL, &pe), FINAUTH_ERR_CONFIG);
  finauth_decryption_key *k2 = NULL;
  CHECK_STATUS(finauth_decryption_key_from_file(key_path("../encryption-keys/client-encryption-key.p12"), "wrong", NULL, &k2), FINAUTH_ERR_SIGNING_KEY);
  CHECK(k2 == NULL && !contains(finauth_last_error_message(), "wrong\""));
  finauth_encryption_certificate_free(cert);
  finauth_decryption_key_free(key);
}

void encryption_mastercards_published_vector_decrypts(void) {
  finauth_decryption_key *mc = NULL;
  CHECK_STATUS(finauth_decryption_key_from_file(key_path("../encryption-reference/mastercard-vectors/test_key_pkcs8-2048.der"), NULL, NULL, &mc), FINAUTH_OK);
  finauth_payload_encryption *pe = NULL;
  CHECK_STATUS(finauth_payload_encryption_new("jwe", "", NULL, mc, &pe), FINAUTH_OK);
  finauth_decryption_key_free(mc);
  char body[1024];
  snprintf(body, sizeof body, "{\"encryptedData\":\"%s\"}", MASTERCARD_CBC_TOKEN);
  char *out = NULL;
  CHECK_STATUS(finauth_payload_encryption_decrypt(pe, (const uint8_t *)body, strlen(body), NULL, &out), FINAUTH_OK);
  CHECK(out && strcmp(out, "\"bar\"") == 0);
  finauth_string_free(out);
  finauth_payload_encryption_free(pe);
  /* The certificate also loads from its DER bytes, with the same key fingerprint. */
  FILE *f = fopen(key_path("../encryption-keys/client-encryption-cert.der"), "rb");
  CHECK(f != NULL);
  if (!f) return;
  unsigned char der[4096];
  size_t n = fread(der, 1, sizeof der, f);
  fclose(f);
  finauth_encryption_certificate *a = NULL, *b = load_cert();
  CHECK_STATUS(finauth_encryption_certificate_from_bytes(der, n, &a), FINAUTH_OK);
  char *fa = NULL, *fb = NULL;
  CHECK_STATUS(finauth_encryption_certificate_key_fingerprint(a, &fa), FINAUTH_OK);
  CHECK_STATUS(finauth_encryption_certificate_key_fingerprint(b, &fb), FINAUTH_OK);
  CHECK(fa && fb && strlen(fa) == 64 && strcmp(fa, fb) == 0);
  finauth_string_free(fa);
  finauth_string_free(fb);
  finauth_encryption_certificate_free(a);
  finauth_encryption_certificate_free(b);
}

/* `path`'s PEM text as a JSON string body (newlines escaped) appended at `out + *n`. */
static void append_pem_json(const char *path, char *out, size_t cap, size_t *n) {
  size_t len = 0;
  char *pem = (char *)read_all(path, &len);
  CHECK(pem != NULL);
  if (!pem) return;
  for (const char *p = pem; *p && *n + 4 < cap; p++) {
    if (*p == '\n') {
      out[(*n)++] = '\\';
      out[(*n)++] = 'n';
    } else if (*p != '\r') {
      out[(*n)++] = *p;
    }
  }
  out[*n] = '\0';
  free(pem);
}

/* MastercardAuth against the sandbox's encrypted API: the signature over the encrypted bytes is
 * accepted, the request decrypted there, and the encrypted answer decrypted here. */
void encryption_mastercard_auth_against_the_sandbox(void) {
  char ck[64];
  snprintf(ck, sizeof ck, "c-enc-%ld", (long)getpid());
  static char reg[16384];
  size_t n = (size_t)snprintf(reg, sizeof reg, "{\"consumer_key\":\"%s\",\"public_key_pem\":\"", ck);
  append_pem_json(key_path("public.pem"), reg, sizeof reg, &n);
  snprintf(reg + n, sizeof reg - n, "\"}");
  CHECK(sandbox_http("POST", "/__admin/oauth1-keys", reg, NULL, 0) == 204);
  n = (size_t)snprintf(reg, sizeof reg, "{\"decryptionKeyPem\":\"");
  append_pem_json(key_path("../encryption-keys/client-encryption-key.pem"), reg, sizeof reg, &n);
  n += (size_t)snprintf(reg + n, sizeof reg - n, "\",\"encryptionCertificatePem\":\"");
  append_pem_json(key_path("../encryption-keys/client-encryption-cert.pem"), reg, sizeof reg, &n);
  snprintf(reg + n, sizeof reg - n,
           "\",\"options\":{\"decryptionPaths\":{\"$.encryptedCard.encryptedData\":\"$.card\"}}}");
  CHECK(sandbox_http("POST", "/__admin/encryption", reg, NULL, 0) == 204);

  finauth_signing_key *sk = NULL;
  CHECK_STATUS(finauth_signing_key_from_file(key_path("pkcs8.pem"), NULL, NULL, &sk), FINAUTH_OK);
  finauth_oauth1_signer *signer = NULL;
  CHECK_STATUS(finauth_oauth1_signer_new(ck, sk, 0, &signer), FINAUTH_OK);
  finauth_signing_key_free(sk);
  finauth_encryption_certificate *cert = load_cert();
  finauth_decryption_key *key = load_key();
  finauth_payload_encryption *pe = NULL;
  CHECK_STATUS(finauth_payload_encryption_new("jwe", "{\"encryptionPaths\":{\"$.card\":\"$.encryptedCard\"}}", cert, key, &pe), FINAUTH_OK);
  finauth_mastercard_auth *auth = NULL;
  CHECK_STATUS(finauth_mastercard_auth_new(signer, pe, &auth), FINAUTH_OK);
  finauth_oauth1_signer_free(signer);
  finauth_payload_encryption_free(pe);
  finauth_encryption_certificate_free(cert);
  finauth_decryption_key_free(key);

  const char *path = "/encrypted/payments?x=1";
  char url[256];
  snprintf(url, sizeof url, "%s%s", sandbox_url(), path);
  const char *plain = "{\"card\":{\"pan\":\"5123450000000008\"},\"amount\":10}";
  char *body = NULL;
  finauth_headers *h = NULL;
  CHECK_STATUS(finauth_mastercard_auth_prepare(auth, "POST", url, (const uint8_t *)plain, strlen(plain), &body, &h), FINAUTH_OK);
  CHECK(body != NULL && !contains(body, "5123450000000008"));
  CHECK(finauth_headers_count(h) == 1 && strcmp(finauth_headers_name(h, 0), "Authorization") == 0);
  char header[4096];
  snprintf(header, sizeof header, "Authorization: %s", finauth_headers_value(h, 0));
  finauth_headers_free(h);
  static char resp[16384];
  int status = sandbox_request("POST", path, header, body ? body : "", body ? strlen(body) : 0, resp, sizeof resp);
  CHECK(status == 200);
  CHECK(!contains(resp, "5123450000000008"));
  char *clear = NULL;
  CHECK_STATUS(finauth_mastercard_auth_response(auth, (const uint8_t *)resp, strlen(resp), NULL, &clear), FINAUTH_OK);
  CHECK(clear && contains(clear, "\"received\":{\"amount\":10,\"card\":{\"pan\":\"5123450000000008\"}}"));
  CHECK(clear && contains(clear, ck));
  finauth_string_free(clear);
  finauth_string_free(body);
  /* Nothing to encrypt (no body): *out_body stays NULL, the caller sends its own. */
  CHECK_STATUS(finauth_mastercard_auth_prepare(auth, "GET", url, NULL, 0, &body, &h), FINAUTH_OK);
  CHECK(body == NULL && finauth_headers_count(h) == 1);
  finauth_headers_free(h);
  CHECK_STATUS(finauth_mastercard_auth_response(auth, (const uint8_t *)"<html/>", 7, NULL, &clear), FINAUTH_OK);
  CHECK(clear == NULL);
  finauth_mastercard_auth_free(auth);
  auth = NULL;
  CHECK_STATUS(finauth_mastercard_auth_new(NULL, NULL, &auth), FINAUTH_ERR_CONFIG);
  CHECK(auth == NULL);
}

/* JSON texts that can differ only in the order of object members: the same length and the same
 * bytes (the plaintext of a whole-document JWE comes back in the order the Java library wrote,
 * which is its map's; the tree path writes members sorted). Rust and the other bindings
 * compare the same cases as JSON values; a C test has no JSON parser. */
static int byte_cmp(const void *a, const void *b) {
  return (int)*(const unsigned char *)a - (int)*(const unsigned char *)b;
}
static bool same_json_bytes(const char *a, const char *b) {
  size_t n = strlen(a);
  if (n != strlen(b)) return false;
  char *x = (char *)malloc(n + 1), *y = (char *)malloc(n + 1);
  bool same = false;
  if (x && y) {
    memcpy(x, a, n + 1);
    memcpy(y, b, n + 1);
    qsort(x, n, 1, byte_cmp);
    qsort(y, n, 1, byte_cmp);
    same = memcmp(x, y, n) == 0;
  }
  free(x);
  free(y);
  return same;
}

/* The Java library's payloads for every interoperability case decrypt to the case's plaintext
 * (FINAUTH_ENCRYPTION_CASES: the lines scripts/test-c.sh writes with encryption_cases.py). */
void encryption_the_java_librarys_payloads_decrypt(void) {
  const char *file = getenv("FINAUTH_ENCRYPTION_CASES");
  CHECK(file != NULL && *file);
  if (!file || !*file) return;
  size_t len = 0;
  char *all = (char *)read_all(file, &len);
  CHECK(all != NULL);
  if (!all) return;
  finauth_encryption_certificate *cert = load_cert();
  finauth_decryption_key *key = load_key();
  int cases = 0;
  for (char *line = strtok(all, "\n"); line; line = strtok(NULL, "\n")) {
    char *f[6] = {0};
    char *p = line;
    for (int i = 0; i < 6 && p; i++) {
      f[i] = p;
      p = strchr(p, '\t');
      if (p) *p++ = '\0';
    }
    CHECK(f[5] != NULL);
    if (!f[5]) break;
    /* The header block was written with literal \r\n escapes: make them real. */
    char block[4096];
    size_t b = 0;
    for (const char *q = f[4]; *q && b + 2 < sizeof block; q++) {
      if (q[0] == '\\' && q[1] == 'r') { block[b++] = '\r'; q++; }
      else if (q[0] == '\\' && q[1] == 'n') { block[b++] = '\n'; q++; }
      else block[b++] = *q;
    }
    block[b] = '\0';
    finauth_payload_encryption *pe = NULL;
    CHECK_STATUS(finauth_payload_encryption_new(f[1], f[2], cert, key, &pe), FINAUTH_OK);
    char *out = NULL;
    CHECK_STATUS(finauth_payload_encryption_decrypt(pe, (const uint8_t *)f[3], strlen(f[3]), block, &out), FINAUTH_OK);
    if (!out || !same_json_bytes(out, f[5])) fprintf(stderr, "    %s: got %s\n", f[0], out ? out : "(null)");
    CHECK(out && same_json_bytes(out, f[5]));
    finauth_string_free(out);
    finauth_payload_encryption_free(pe);
    cases++;
  }
  CHECK(cases >= 14);
  free(all);
  finauth_encryption_certificate_free(cert);
  finauth_decryption_key_free(key);
}
