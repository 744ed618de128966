// finauth's JVM binding (dev.finauth, the release jar with its native library) against
// Mastercard's official Java library (com.mastercard.developer:client-encryption 1.7.7, the class
// path of core/tests/encryption-reference/pom.xml: Guava added, see there) on the payloads and
// operations of python_bench.py and node_bench.js, interleaved in one process. Prints
// `RESULT java <finauth|official> <op> <microseconds per op> <ops/s>`, the median of
// FINAUTH_BENCH_ROUNDS (5) rounds of FINAUTH_BENCH_SECONDS (1) each, after a 2 s JIT warm-up per
// operation; asserts nothing about timings. The ciphertexts decrypted are the official
// library's own output (16-byte IV), made before measuring and decrypted by both; the official
// library decrypts finauth's output once too. String in, String out (both libraries' API).
// Run: java -cp "$CLASSPATH" bench/encryption/JavaBench.java ROOT

import com.mastercard.developer.encryption.FieldLevelEncryption;
import com.mastercard.developer.encryption.FieldLevelEncryptionConfig;
import com.mastercard.developer.encryption.FieldLevelEncryptionConfigBuilder;
import com.mastercard.developer.encryption.JweConfig;
import com.mastercard.developer.encryption.JweConfigBuilder;
import com.mastercard.developer.encryption.JweEncryption;
import com.mastercard.developer.utils.EncryptionUtils;
import dev.finauth.Finauth;
import dev.finauth.PayloadEncryption;
import java.nio.file.Path;
import net.minidev.json.JSONValue;
import java.nio.file.Paths;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;

public class JavaBench {
  static final double SECONDS = Double.parseDouble(envOr("FINAUTH_BENCH_SECONDS", "1"));
  static final int ROUNDS = Integer.parseInt(envOr("FINAUTH_BENCH_ROUNDS", "5"));
  static volatile Object sink;

  static String envOr(String name, String def) {
    String v = System.getenv(name);
    return v == null || v.isEmpty() ? def : v;
  }

  // {"data":{"items":[...],"pad":"x..."}} of exactly `size` bytes: the rule of
  // bench/benches/encryption.rs.
  static String payload(int size) {
    String head = "{\"data\":{\"items\":[", tailOpen = "],\"pad\":\"", tailClose = "\"}}";
    int fixed = head.length() + tailOpen.length() + tailClose.length();
    StringBuilder items = new StringBuilder();
    for (int i = 0; ; i++) {
      String item = String.format("{\"id\":%d,\"card\":\"5123450000%06d\",\"merchant\":\"Merchant %d\",\"amount\":\"%d.%02d\"}",
          i, i, i, (i * 37) % 1000, i % 100);
      int sep = i > 0 ? 1 : 0;
      if (fixed + items.length() + sep + item.length() > size) break;
      if (i > 0) items.append(',');
      items.append(item);
    }
    String out = head + items + tailOpen + "x".repeat(size - fixed - items.length()) + tailClose;
    if (out.length() != size) throw new IllegalStateException("payload size");
    return out;
  }

  static double measure(Callable<Object> fn) throws Exception {
    long warm = System.nanoTime() + 2_000_000_000L;
    while (System.nanoTime() < warm) sink = fn.call();
    List<Double> perRound = new ArrayList<>();
    for (int r = 0; r < ROUNDS; r++) {
      long n = 0, start = System.nanoTime(), elapsed;
      do {
        sink = fn.call();
        n++;
        elapsed = System.nanoTime() - start;
      } while (elapsed < SECONDS * 1e9);
      perRound.add(elapsed / 1e9 / n);
    }
    Collections.sort(perRound);
    int m = perRound.size();
    return m % 2 == 1 ? perRound.get(m / 2) : (perRound.get(m / 2 - 1) + perRound.get(m / 2)) / 2;
  }

  static void report(String lib, String op, Callable<Object> fn) throws Exception {
    double s = measure(fn);
    System.out.printf("RESULT java %s %s %.1f %.1f%n", lib, op, s * 1e6, 1 / s);
  }

  // Equal as JSON values (finauth writes decrypted members in sorted order); json-smart comes
  // with the official library.
  static void checkSame(String got, String want, String what) {
    if (!JSONValue.parse(got).equals(JSONValue.parse(want))) {
      throw new IllegalStateException("check failed: " + what);
    }
  }

  public static void main(String[] args) throws Exception {
    Path keys = Paths.get(args[0], "core", "tests", "encryption-keys");
    Certificate cert = EncryptionUtils.loadEncryptionCertificate(keys.resolve("client-encryption-cert.pem").toString());
    PrivateKey key = EncryptionUtils.loadDecryptionKey(keys.resolve("client-encryption-key.der").toString());
    JweConfig jwe = JweConfigBuilder.aJweEncryptionConfig()
        .withEncryptionCertificate(cert)
        .withDecryptionKey(key)
        .withEncryptionPath("$", "$")
        .withDecryptionPath("$.encryptedData", "$")
        .withEncryptedValueFieldName("encryptedData")
        .build();
    FieldLevelEncryptionConfig fle = FieldLevelEncryptionConfigBuilder.aFieldLevelEncryptionConfig()
        .withEncryptionCertificate(cert)
        .withDecryptionKey(key)
        .withEncryptionPath("$.data", "$.encryptedData")
        .withDecryptionPath("$.encryptedData", "$.data")
        .withOaepPaddingDigestAlgorithm("SHA-256")
        .withFieldValueEncoding(FieldLevelEncryptionConfig.FieldValueEncoding.HEX)
        .withEncryptedValueFieldName("encryptedValue")
        .withIvFieldName("iv")
        .withEncryptedKeyFieldName("encryptedKey")
        .withOaepPaddingDigestAlgorithmFieldName("oaepHashingAlgorithm")
        .withEncryptionCertificateFingerprintFieldName("encryptionCertificateFingerprint")
        .withEncryptionKeyFingerprintFieldName("encryptionKeyFingerprint")
        .build();
    String keysDir = keys.toString();
    PayloadEncryption faJwe = Finauth.payloadEncryption(
        "jwe",
        "{\"encryptionPaths\": {\"$\": \"$\"}, \"decryptionPaths\": {\"$.encryptedData\": \"$\"}}",
        Finauth.loadEncryptionCertificate(keysDir + "/client-encryption-cert.pem"),
        Finauth.loadDecryptionKey(keysDir + "/client-encryption-key.p12", "keystorepassword"));
    PayloadEncryption faFle = Finauth.payloadEncryption(
        "fle",
        "{\"encryptionPaths\": {\"$.data\": \"$.encryptedData\"},"
            + " \"decryptionPaths\": {\"$.encryptedData\": \"$.data\"},"
            + " \"fieldEncoding\": \"hex\", \"oaep\": \"sha256\"}",
        Finauth.loadEncryptionCertificate(keysDir + "/client-encryption-cert.pem"),
        Finauth.loadDecryptionKey(keysDir + "/client-encryption-key.p12", "keystorepassword"));
    System.out.println("NOTE java " + System.getProperty("java.version")
        + ", client-encryption 1.7.7, finauth JVM binding (release native library)");
    String[] names = {"1k", "1m"};
    String[] texts = {payload(1024), payload(1024 * 1024)};
    String[] bodies = new String[2];
    for (int i = 0; i < 2; i++) {
      bodies[i] = JweEncryption.encryptPayload(texts[i], jwe);
      checkSame(JweEncryption.decryptPayload(bodies[i], jwe), texts[i], "official JWE round trip");
      checkSame(faJwe.decryptPayload(bodies[i]), texts[i], "finauth decrypts the official JWE");
      checkSame(JweEncryption.decryptPayload(faJwe.encryptPayload(texts[i]), jwe), texts[i],
          "the official library decrypts finauth's JWE");
    }
    String fleBody = FieldLevelEncryption.encryptPayload(texts[0], fle);
    checkSame(FieldLevelEncryption.decryptPayload(fleBody, fle), texts[0], "official FLE round trip");
    checkSame(faFle.decryptPayload(fleBody), texts[0], "finauth decrypts the official FLE");
    checkSame(FieldLevelEncryption.decryptPayload(faFle.encryptPayload(texts[0]), fle), texts[0],
        "the official library decrypts finauth's FLE");
    for (int i = 0; i < 2; i++) {
      String t = texts[i];
      report("finauth", "jwe_encrypt_" + names[i], () -> faJwe.encryptPayload(t));
      report("official", "jwe_encrypt_" + names[i], () -> JweEncryption.encryptPayload(t, jwe));
    }
    for (int i = 0; i < 2; i++) {
      String b = bodies[i];
      report("finauth", "jwe_decrypt_" + names[i], () -> faJwe.decryptPayload(b));
      report("official", "jwe_decrypt_" + names[i], () -> JweEncryption.decryptPayload(b, jwe));
    }
    report("finauth", "fle_decrypt_1k", () -> faFle.decryptPayload(fleBody));
    report("official", "fle_decrypt_1k", () -> FieldLevelEncryption.decryptPayload(fleBody, fle));
  }
}
