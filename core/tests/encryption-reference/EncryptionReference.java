// Drives Mastercard's Java encryption library (com.mastercard.developer:client-encryption, JSON engine
// json-smart) over cases.json, so finauth's Rust encryption can be checked against it both ways.
// Run by scripts/encryption-reference.sh.
// Usage: java -cp <classpath> EncryptionReference.java MODE cases.json keys-dir dir
//   encrypt   Java-encrypts every case's payload into dir/<name>.json = {"payload": …, "headers": {…}}
//   decrypt   Java-decrypts dir/<name>.json (written by finauth) and compares with the case's payload
//   selftest  encrypt into dir, then decrypt from dir
// Per-case lines go to stdout, one summary line to stderr; exit 1 on any mismatch or error.
import com.mastercard.developer.encryption.FieldLevelEncryption;
import com.mastercard.developer.encryption.FieldLevelEncryptionConfig;
import com.mastercard.developer.encryption.FieldLevelEncryptionConfigBuilder;
import com.mastercard.developer.encryption.FieldLevelEncryptionParams;
import com.mastercard.developer.encryption.JweConfig;
import com.mastercard.developer.encryption.JweConfigBuilder;
import com.mastercard.developer.encryption.JweEncryption;
import com.mastercard.developer.utils.EncryptionUtils;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.minidev.json.JSONStyle;
import net.minidev.json.JSONValue;
import net.minidev.json.parser.JSONParser;

public class EncryptionReference {
  // Header names used in FLE header mode (values are what finauth must send/accept).
  static final String IV = "x-iv";
  static final String ENCRYPTED_KEY = "x-encrypted-key";
  static final String OAEP = "x-oaep-padding-digest-algorithm";
  static final String CERT_FP = "x-encryption-certificate-fingerprint";
  static final String KEY_FP = "x-encryption-key-fingerprint";
  // Strict JSON, no whitespace, and "/" left unescaped.
  static final JSONStyle COMPACT = JSONStyle.LT_COMPRESS;

  static Certificate cert;
  static PrivateKey key;

  static Object parse(String json) throws Exception {
    return new JSONParser(JSONParser.MODE_RFC4627).parse(json);
  }

  static String compact(Object value) {
    return JSONValue.toJSONString(value, COMPACT);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> obj(Object o) {
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return (List<Object>) o;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 4 || !List.of("encrypt", "decrypt", "selftest").contains(args[0])) {
      System.err.println("usage: EncryptionReference encrypt|decrypt|selftest cases.json keys-dir dir");
      System.exit(2);
    }
    String mode = args[0];
    List<Object> cases = list(parse(Files.readString(Paths.get(args[1]), StandardCharsets.UTF_8)));
    Path keys = Paths.get(args[2]);
    Path dir = Paths.get(args[3]);
    cert = EncryptionUtils.loadEncryptionCertificate(keys.resolve("client-encryption-cert.pem").toString());
    key = EncryptionUtils.loadDecryptionKey(keys.resolve("client-encryption-key.der").toString());

    int failed = 0;
    if (!mode.equals("decrypt")) {
      Files.createDirectories(dir);
      failed += encryptAll(cases, dir);
      if (mode.equals("encrypt")) {
        System.err.printf("encryption reference (encrypt): %d cases, %d written to %s, %d failed%n",
            cases.size(), cases.size() - failed, dir, failed);
      }
    }
    if (!mode.equals("encrypt")) {
      int bad = decryptAll(cases, dir);
      System.err.printf("encryption reference (%s): %d cases, %d ok, %d failed%n",
          mode, cases.size(), cases.size() - bad, bad);
      failed += bad;
    }
    System.exit(failed == 0 ? 0 : 1);
  }

  static int encryptAll(List<Object> cases, Path dir) {
    int failed = 0;
    for (Object c : cases) {
      Map<String, Object> tc = obj(c);
      String name = (String) tc.get("name");
      try {
        Map<String, String> headers = new LinkedHashMap<>();
        String encrypted = encrypt(tc, compact(tc.get("payload")), headers);
        String out = "{\"payload\":" + encrypted + ",\"headers\":" + compact(headers) + "}\n";
        Files.writeString(dir.resolve(name + ".json"), out, StandardCharsets.UTF_8);
      } catch (Throwable e) {
        System.out.println("FAIL " + name + " (encrypt): " + describe(e));
        failed++;
      }
    }
    return failed;
  }

  static int decryptAll(List<Object> cases, Path dir) {
    int failed = 0;
    for (Object c : cases) {
      Map<String, Object> tc = obj(c);
      String name = (String) tc.get("name");
      try {
        Path file = dir.resolve(name + ".json");
        if (!Files.exists(file)) {
          System.out.println("FAIL " + name + ": missing input file " + file);
          failed++;
          continue;
        }
        Map<String, Object> input = obj(parse(Files.readString(file, StandardCharsets.UTF_8)));
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Object h = input.get("headers");
        if (h != null) {
          for (Map.Entry<String, Object> e : obj(h).entrySet()) {
            headers.put(e.getKey(), String.valueOf(e.getValue()));
          }
        }
        String decrypted = decrypt(tc, compact(input.get("payload")), headers);
        Object expected = tc.get("payload");
        Object got = parse(decrypted);
        List<String> stripped = new ArrayList<>();
        if (!jsonEquals(expected, got) && "jwe".equals(tc.get("scheme"))) {
          stripJweLeftovers(tc, got, stripped);
        }
        if (jsonEquals(expected, got)) {
          System.out.println("ok " + name + (stripped.isEmpty() ? "" : " (ignored the empty "
              + String.join(", ", stripped) + " that client-encryption 1.7.7 leaves behind)"));
        } else {
          System.out.println("MISMATCH " + name + ": expected " + compact(expected) + " got " + decrypted);
          failed++;
        }
      } catch (Throwable e) {
        System.out.println("FAIL " + name + " (decrypt): " + describe(e));
        failed++;
      }
    }
    return failed;
  }

  static String encrypt(Map<String, Object> tc, String payload, Map<String, String> headers) throws Exception {
    if ("jwe".equals(tc.get("scheme"))) {
      return JweEncryption.encryptPayload(payload, jweConfig(tc));
    }
    FieldLevelEncryptionConfig config = fleConfig(tc);
    if (!headerMode(tc)) {
      return FieldLevelEncryption.encryptPayload(payload, config);
    }
    // Header mode: one set of params (IV, wrapped key) for the whole payload, sent as headers.
    FieldLevelEncryptionParams params = FieldLevelEncryptionParams.generate(config);
    headers.put(IV, params.getIvValue());
    headers.put(ENCRYPTED_KEY, params.getEncryptedKeyValue());
    headers.put(OAEP, params.getOaepPaddingDigestAlgorithmValue());
    headers.put(CERT_FP, config.getEncryptionCertificateFingerprint());
    headers.put(KEY_FP, config.getEncryptionKeyFingerprint());
    return FieldLevelEncryption.encryptPayload(payload, config, params);
  }

  static String decrypt(Map<String, Object> tc, String payload, Map<String, String> headers) throws Exception {
    if ("jwe".equals(tc.get("scheme"))) {
      return JweEncryption.decryptPayload(payload, jweConfig(tc));
    }
    FieldLevelEncryptionConfig config = fleConfig(tc);
    if (!headerMode(tc)) {
      return FieldLevelEncryption.decryptPayload(payload, config);
    }
    // As the library's HTTP interceptors do: params straight from the headers (missing ones are null).
    FieldLevelEncryptionParams params = new FieldLevelEncryptionParams(
        headers.get(IV), headers.get(ENCRYPTED_KEY), headers.get(OAEP), config);
    return FieldLevelEncryption.decryptPayload(payload, config, params);
  }

  static boolean headerMode(Map<String, Object> tc) {
    return Boolean.TRUE.equals(obj(tc.get("fle")).get("headerMode"));
  }

  static JweConfig jweConfig(Map<String, Object> tc) throws Exception {
    JweConfigBuilder b = JweConfigBuilder.aJweEncryptionConfig()
        .withEncryptionCertificate(cert)
        .withDecryptionKey(key);
    for (Object p : list(tc.get("encryptionPaths"))) {
      b.withEncryptionPath((String) list(p).get(0), (String) list(p).get(1));
    }
    for (Object p : list(tc.get("decryptionPaths"))) {
      b.withDecryptionPath((String) list(p).get(0), (String) list(p).get(1));
    }
    if (tc.get("encryptedValueFieldName") != null) {
      b.withEncryptedValueFieldName((String) tc.get("encryptedValueFieldName"));
    }
    return b.build();
  }

  static FieldLevelEncryptionConfig fleConfig(Map<String, Object> tc) throws Exception {
    Map<String, Object> fle = obj(tc.get("fle"));
    Object field = tc.get("encryptedValueFieldName");
    FieldLevelEncryptionConfigBuilder b = FieldLevelEncryptionConfigBuilder.aFieldLevelEncryptionConfig()
        .withEncryptionCertificate(cert)
        .withDecryptionKey(key)
        .withOaepPaddingDigestAlgorithm((String) fle.get("oaep"))
        .withFieldValueEncoding(FieldLevelEncryptionConfig.FieldValueEncoding.valueOf((String) fle.get("encoding")))
        .withEncryptedValueFieldName(field != null ? (String) field : "encryptedValue");
    for (Object p : list(tc.get("encryptionPaths"))) {
      b.withEncryptionPath((String) list(p).get(0), (String) list(p).get(1));
    }
    for (Object p : list(tc.get("decryptionPaths"))) {
      b.withDecryptionPath((String) list(p).get(0), (String) list(p).get(1));
    }
    if (Boolean.TRUE.equals(fle.get("headerMode"))) {
      b.withIvHeaderName(IV)
          .withEncryptedKeyHeaderName(ENCRYPTED_KEY)
          .withOaepPaddingDigestAlgorithmHeaderName(OAEP)
          .withEncryptionCertificateFingerprintHeaderName(CERT_FP)
          .withEncryptionKeyFingerprintHeaderName(KEY_FP);
    } else {
      b.withIvFieldName("iv")
          .withEncryptedKeyFieldName("encryptedKey")
          .withOaepPaddingDigestAlgorithmFieldName("oaepHashingAlgorithm")
          .withEncryptionCertificateFingerprintFieldName("encryptionCertificateFingerprint")
          .withEncryptionKeyFingerprintFieldName("encryptionKeyFingerprint");
    }
    return b.build();
  }

  // client-encryption 1.7.7's JweEncryption.decryptPayload deletes only the decryption in-path
  // (e.g. $.encN.encryptedData) and leaves its parent behind as an empty object ("encN": {});
  // upstream fixed that in 1.8.4. Only used after a strict comparison failed: removes such empty
  // parents (recording where) so the rest of the payload can still be compared strictly.
  static void stripJweLeftovers(Map<String, Object> tc, Object root, List<String> stripped) {
    String field = tc.get("encryptedValueFieldName") != null ? (String) tc.get("encryptedValueFieldName") : "encryptedData";
    for (Object p : list(tc.get("decryptionPaths"))) {
      String in = (String) list(p).get(0);
      if (!in.endsWith("." + field)) {
        continue;
      }
      List<String> segments = new ArrayList<>();
      Matcher m = Pattern.compile("\\.([^.\\[]+)|\\[(\\*|\\d+)\\]").matcher(in.substring(1));
      while (m.find()) {
        segments.add(m.group(1) != null ? m.group(1) : "[" + m.group(2) + "]");
      }
      if (segments.size() >= 2) {
        stripEmpty(root, segments.subList(0, segments.size() - 1), "$", stripped);
      }
    }
  }

  static void stripEmpty(Object node, List<String> segments, String at, List<String> stripped) {
    String seg = segments.get(0);
    boolean last = segments.size() == 1;
    if (seg.startsWith("[") && node instanceof List) {
      List<Object> items = list(node);
      for (int i = 0; i < items.size() && !last; i++) {
        if (seg.equals("[*]") || seg.equals("[" + i + "]")) {
          stripEmpty(items.get(i), segments.subList(1, segments.size()), at + "[" + i + "]", stripped);
        }
      }
    } else if (!seg.startsWith("[") && node instanceof Map) {
      Map<String, Object> map = obj(node);
      Object child = map.get(seg);
      if (last) {
        if (child instanceof Map && obj(child).isEmpty()) {
          map.remove(seg);
          stripped.add(at + "." + seg);
        }
      } else if (child != null) {
        stripEmpty(child, segments.subList(1, segments.size()), at + "." + seg, stripped);
      }
    }
  }

  // Structural JSON equality; numbers compare by value (10 == 10.0), object key order is ignored.
  static boolean jsonEquals(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof Number && b instanceof Number) {
      return new BigDecimal(a.toString()).compareTo(new BigDecimal(b.toString())) == 0;
    }
    if (a instanceof Map && b instanceof Map) {
      Map<String, Object> x = obj(a);
      Map<String, Object> y = obj(b);
      if (!x.keySet().equals(y.keySet())) {
        return false;
      }
      for (String k : x.keySet()) {
        if (!jsonEquals(x.get(k), y.get(k))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof List && b instanceof List) {
      List<Object> x = list(a);
      List<Object> y = list(b);
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!jsonEquals(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    return a.getClass() == b.getClass() && a.equals(b);
  }

  // Exception class and message, then each cause's; no stack traces, never key material.
  static String describe(Throwable e) {
    StringBuilder s = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t != e) {
        s.append("; caused by ");
      }
      s.append(t.getClass().getName()).append(": ").append(t.getMessage());
      if (t.getCause() == t) {
        break;
      }
    }
    return s.toString();
  }
}
