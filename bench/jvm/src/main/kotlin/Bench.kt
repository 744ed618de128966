// Prints: OAuth 1.0a signatures/s from finauth's JVM binding and from Mastercard's Java signer
// (com.mastercard.developer:oauth1-signer) with the same RSA-2048 key, on one thread and two;
// and the cost of a fresh token() from Kotlin (suspend and blocking). Asserts nothing.
// Arguments: KEYS_DIR (core/tests/oauth1-keys). Environment: the FINICITY_* variables of a sandbox.

import com.mastercard.developer.oauth.OAuth
import dev.finauth.OAuth1Signer
import dev.finauth.PartnerAuth
import dev.finauth.loadPem
import kotlinx.coroutines.runBlocking
import java.io.File
import java.net.URI
import java.nio.charset.StandardCharsets
import java.security.KeyFactory
import java.security.spec.PKCS8EncodedKeySpec
import java.util.concurrent.CyclicBarrier
import java.util.concurrent.atomic.AtomicLong
import kotlin.concurrent.thread

const val URI_TEXT = "https://sandbox.api.mastercard.com/payments/v1/transfers?limit=10&offset=0"
const val BODY = """{"amount":"12.50","currency":"USD","reference":"bench-0001"}"""

/** Calls of `op` per second over `seconds`, on `threads` threads at once (after a warm-up). */
fun rate(threads: Int, seconds: Double, op: () -> Unit): Double {
    val warmEnd = System.nanoTime() + 1_000_000_000L
    while (System.nanoTime() < warmEnd) op()
    val total = AtomicLong()
    val barrier = CyclicBarrier(threads)
    val ns = (seconds * 1e9).toLong()
    val workers = (1..threads).map {
        thread {
            barrier.await()
            val end = System.nanoTime() + ns
            var n = 0L
            while (System.nanoTime() < end) {
                op(); n++
            }
            total.addAndGet(n)
        }
    }
    workers.forEach { it.join() }
    return total.get() / seconds
}

fun main(args: Array<String>) {
    val keys = File(args.getOrElse(0) { "core/tests/oauth1-keys" })
    val finauthSigner = OAuth1Signer("bench-consumer-key", loadPem(File(keys, "pkcs8.pem").path))
    val privateKey = KeyFactory.getInstance("RSA").generatePrivate(PKCS8EncodedKeySpec(File(keys, "pkcs8.der").readBytes()))
    val uri = URI.create(URI_TEXT)
    val body = BODY.toByteArray()
    val fin = { check(finauthSigner.authorizationHeader("POST", URI_TEXT, body).startsWith("OAuth ")) }
    val mc = { check(OAuth.getAuthorizationHeader(uri, "POST", BODY, StandardCharsets.UTF_8, "bench-consumer-key", privateKey).startsWith("OAuth ")) }

    println("OAuth 1.0a Authorization headers per second (RSA-2048, POST with a 60-byte body):")
    for (threads in listOf(1, 2)) {
        val a = rate(threads, 5.0, fin)
        val b = rate(threads, 5.0, mc)
        println("  %d thread(s): finauth (JVM binding) %,.0f/s | Mastercard oauth1-signer %,.0f/s | ratio %.2f".format(threads, a, b, a / b))
    }

    val auth = PartnerAuth.fromEnv()
    val t0 = System.nanoTime()
    runBlocking { auth.token() }
    println("first token() (one authentication at the sandbox): %.2f ms".format((System.nanoTime() - t0) / 1e6))
    val n = 200_000
    repeat(1) {
        runBlocking { repeat(n) { auth.token() } }
        val s = System.nanoTime()
        runBlocking { repeat(n) { auth.token() } }
        val suspendNs = (System.nanoTime() - s).toDouble() / n
        val b = System.nanoTime()
        repeat(n) { auth.tokenBlocking() }
        val blockingNs = (System.nanoTime() - b).toDouble() / n
        println("fresh token() from Kotlin: suspend %.0f ns/call, tokenBlocking() %.0f ns/call (%,d calls each)".format(suspendNs, blockingNs, n))
    }
    val st = auth.stats()
    println("authentication requests by this object: ${st.authRequests}; cache hits: ${st.cacheHits}")
}
