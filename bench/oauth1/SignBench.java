// OAuth 1.0a signing throughput of Mastercard's Java signer (com.mastercard.developer:oauth1-signer,
// the reference): OAuth.getAuthorizationHeader on 1 and 2 threads sharing one PrivateKey, for a
// fixed time each, after a JIT warm-up. Prints `RESULT java <threads> <signs/s> <signs per
// CPU-second of the signing threads>` for run.sh.
// Usage: java -cp <classpath> SignBench.java KEY-pkcs8.der SECONDS
import com.mastercard.developer.oauth.OAuth;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CyclicBarrier;

public class SignBench {
  static final String CONSUMER_KEY = "Xyz-consumer_KEY!0123456789abcdefABCDEF";
  static final URI TARGET = URI.create(
      "https://sandbox.api.mastercard.com/fraud/merchant/v3/termination-inquiry?Format=JSON&PageOffset=0&PageLength=10");
  static final String BODY =
      "{\"terminationInquiryRequest\":{\"acquirerId\":\"1996\",\"merchant\":{\"name\":\"TEST\",\"address\":{\"city\":\"O'Fallon\",\"country\":\"USA\"}}}}";

  static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

  /** {signs per second, signs per CPU-second of the signing threads}. */
  static double[] run(PrivateKey key, int threads, double seconds) throws Exception {
    CyclicBarrier barrier = new CyclicBarrier(threads);
    double[] rates = new double[threads], signs = new double[threads], cpu = new double[threads];
    Thread[] workers = new Thread[threads];
    for (int i = 0; i < threads; i++) {
      final int id = i;
      workers[i] = new Thread(() -> {
        try {
          barrier.await();
          long start = System.nanoTime(), end = start + (long) (seconds * 1e9), n = 0;
          long cpu0 = CPU.getCurrentThreadCpuTime();
          while (System.nanoTime() < end) {
            OAuth.getAuthorizationHeader(TARGET, "POST", BODY, StandardCharsets.UTF_8, CONSUMER_KEY, key);
            n++;
          }
          rates[id] = n / ((System.nanoTime() - start) / 1e9);
          signs[id] = n;
          cpu[id] = (CPU.getCurrentThreadCpuTime() - cpu0) / 1e9;
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      });
      workers[i].start();
    }
    double total = 0, n = 0, used = 0;
    for (int i = 0; i < threads; i++) {
      workers[i].join();
      total += rates[i];
      n += signs[i];
      used += cpu[i];
    }
    return new double[] {total, n / used};
  }

  public static void main(String[] args) throws Exception {
    PrivateKey key = KeyFactory.getInstance("RSA")
        .generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(Paths.get(args[0]))));
    double seconds = Double.parseDouble(args[1]);
    run(key, 2, 5.0); // JIT warm-up
    for (int threads = 1; threads <= 2; threads++) {
      double[] r = run(key, threads, seconds);
      System.out.printf("RESULT java %d %.1f %.1f%n", threads, r[0], r[1]);
    }
  }
}
