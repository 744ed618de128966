// Prints: OAuth 1.0a signatures/s from finauth's JVM binding and from Mastercard's Java signer
// (com.mastercard.developer:oauth1-signer) with the same RSA-2048 key, on one thread and two;
// the cost of a fresh token() from Kotlin (suspend and blocking, PartnerAuth and
// ClientCredentials) and, to explain it, the cost of the pieces every uniffi call is made of (a
// JNA direct call, the JNA Structures uniffi allocates per call); the per-request cost of the
// OkHttp interceptors, with the network replaced by a canned answer. Asserts nothing.
// Arguments: KEYS_DIR (core/tests/oauth1-keys) [token | interceptors: only those figures].
// Environment: the FINICITY_* and FINAUTH_OAUTH2_* variables of a sandbox.

import com.mastercard.developer.oauth.OAuth
import com.sun.jna.Native
import com.sun.jna.Pointer
import com.sun.jna.Structure
import dev.finauth.ClientCredentials
import dev.finauth.OAuth1Signer
import dev.finauth.PartnerAuth
import dev.finauth.loadPem
import dev.finauth.okhttp.FinicityInterceptor
import dev.finauth.okhttp.OAuth2Interceptor
import okhttp3.Interceptor
import okhttp3.OkHttpClient
import okhttp3.Protocol
import okhttp3.Request
import okhttp3.Response
import okhttp3.ResponseBody.Companion.toResponseBody
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

/** ns per call of `op`, after as many calls of warm-up. */
inline fun nsPerCall(n: Int, op: () -> Unit): Double {
    repeat(n) { op() }
    val s = System.nanoTime()
    repeat(n) { op() }
    return (System.nanoTime() - s).toDouble() / n
}

/**
 * ns per call of `op` in `batches` batches of `size` calls, after a collection and a pause
 * before each batch: the rate a service sees when it is not calling in a tight loop (JNA's one
 * cleaner thread has freed the previous batch's native memory by then).
 */
inline fun pacedNsPerCall(batches: Int, size: Int, op: () -> Unit): Double {
    var total = 0L
    repeat(batches) {
        System.gc()
        Thread.sleep(50)
        val s = System.nanoTime()
        repeat(size) { op() }
        total += System.nanoTime() - s
    }
    return total.toDouble() / (batches.toLong() * size)
}

/** The shapes uniffi's generated Kotlin passes on every call: RustBuffer and RustCallStatus. */
@Structure.FieldOrder("capacity", "len", "data")
open class Buf : Structure() {
    @JvmField var capacity: Long = 0
    @JvmField var len: Long = 0
    @JvmField var data: Pointer? = null

    class ByValue : Buf(), Structure.ByValue
}

@Structure.FieldOrder("code", "errorBuf")
open class CallStatus : Structure() {
    @JvmField var code: Byte = 0
    @JvmField var errorBuf: Buf.ByValue = Buf.ByValue()
}

/** JNA direct mapping (what uniffi uses) of two libc functions. */
object LibC {
    init {
        Native.register(LibC::class.java, "c")
    }

    @JvmStatic external fun getpid(): Int

    /** A call that takes a Structure by reference, as every uniffi call takes its status. */
    @JvmStatic external fun memchr(s: CallStatus, c: Int, n: Long): Pointer?
}

fun tokenFigures() {
    val auth = PartnerAuth.fromEnv()
    val t0 = System.nanoTime()
    runBlocking { auth.token() }
    println("first token() (one authentication at the sandbox): %.2f ms".format((System.nanoTime() - t0) / 1e6))
    println("paced (20 batches of 1,000 calls, a collection and 50 ms between batches), ns per call:")
    println(
        "  PartnerAuth: suspend token() %.0f, freshToken() ?: token() in a coroutine %.0f, tokenBlocking() %.0f, partnerId() %.0f; RustCallStatus Structure allocated %.0f"
            .format(
                runBlocking { pacedNsPerCall(20, 1000) { auth.token() } },
                runBlocking { pacedNsPerCall(20, 1000) { auth.freshToken() ?: auth.token() } },
                pacedNsPerCall(20, 1000) { auth.tokenBlocking() },
                pacedNsPerCall(20, 1000) { auth.partnerId() },
                pacedNsPerCall(20, 1000) { CallStatus() },
            ),
    )

    val n = 50_000
    val suspendNs = runBlocking { nsPerCall(n) { auth.token() } }
    val freshNs = runBlocking { nsPerCall(n) { auth.freshToken() ?: auth.token() } }
    val blockingNs = nsPerCall(n) { auth.tokenBlocking() }
    println(
        "fresh token() from Kotlin: suspend %.0f ns/call, freshToken() ?: token() %.0f ns/call, tokenBlocking() %.0f ns/call (%,d calls each)"
            .format(suspendNs, freshNs, blockingNs, n),
    )
    val st = auth.stats()
    println("authentication requests by this object: ${st.authRequests}; cache hits: ${st.cacheHits}")
    for (threads in 1..2) {
        val r = rate(threads, 2.0) { auth.tokenBlocking() }
        println(
            "tokenBlocking() on %d thread(s) at once, 2 s after 1 s of warm-up: %,.0f calls/s (%.0f ns per call per thread)"
                .format(threads, r, threads * 1e9 / r),
        )
    }

    val cc = ClientCredentials.fromEnv()
    cc.tokenBlocking()
    val ccSuspend = runBlocking { nsPerCall(n) { cc.token() } }
    val ccBlocking = nsPerCall(n) { cc.tokenBlocking() }
    val ccFresh = nsPerCall(n) { cc.freshToken() }
    println(
        "ClientCredentials fresh token(): suspend %.0f ns/call, tokenBlocking() %.0f ns/call, freshToken() %.0f ns/call; token requests: %d"
            .format(ccSuspend, ccBlocking, ccFresh, cc.stats().authRequests),
    )

    println("what a uniffi call is made of (ns per operation, tight loops of %,d):".format(n))
    println("  partnerId() (uniffi method returning a String, no core work): %.0f".format(nsPerCall(n) { auth.partnerId() }))
    println("  stats() (uniffi method returning a record, no core work): %.0f".format(nsPerCall(n) { auth.stats() }))
    println("  JNA direct call, no arguments (getpid): %.0f".format(nsPerCall(n) { LibC.getpid() }))
    println("  JNA Structure of a RustCallStatus allocated: %.0f".format(nsPerCall(n) { CallStatus() }))
    val status = CallStatus()
    println("  JNA direct call with that Structure by reference (memchr): %.0f".format(nsPerCall(n) { LibC.memchr(status, 1, 1) }))
    println("  JNA Structure allocated and passed (memchr): %.0f".format(nsPerCall(n) { LibC.memchr(CallStatus(), 1, 1) }))
}

/** The network replaced by a 200: what is left of a call is OkHttp and the interceptors. */
val canned = Interceptor { chain ->
    Response.Builder().request(chain.request()).protocol(Protocol.HTTP_1_1).code(200).message("OK")
        .body("{}".toResponseBody()).build()
}

/** What the interceptors did before the fast paths: one `headersBlocking()` per request. */
fun perRequestHeaders(headers: () -> Pair<Map<String, String>, () -> Unit>) = Interceptor { chain ->
    val (map, close) = headers()
    try {
        val b = chain.request().newBuilder()
        for ((k, v) in map) b.header(k, v)
        chain.proceed(b.build())
    } finally {
        close()
    }
}

fun interceptorFigures() {
    val auth = PartnerAuth.fromEnv()
    val cc = ClientCredentials.fromEnv()
    auth.tokenBlocking()
    cc.tokenBlocking()
    val request = Request.Builder().url("https://api.finicity.com/aggregation/v1/customers").build()
    fun client(vararg interceptors: Interceptor): OkHttpClient {
        val b = OkHttpClient.Builder()
        for (i in interceptors) b.addInterceptor(i)
        return b.addInterceptor(canned).build()
    }
    val cases = listOf(
        "OkHttp alone (no auth)" to client(),
        "FinicityInterceptor (fast path)" to client(FinicityInterceptor(auth)),
        "headersBlocking() per request, PartnerAuth" to client(perRequestHeaders { auth.headersBlocking().let { h -> h.asMap() to { h.close() } } }),
        "OAuth2Interceptor, Bearer (reused headers)" to client(OAuth2Interceptor(cc)),
        "headersBlocking() per request, ClientCredentials" to client(perRequestHeaders { cc.headersBlocking("GET", request.url.toString()).let { h -> h.asMap() to { h.close() } } }),
    )
    // Every case warmed up (JIT) first; then three interleaved rounds, the median shown.
    for ((_, c) in cases) repeat(20_000) { c.newCall(request).execute().close() }
    val rounds = cases.map { mutableListOf<Double>() }
    repeat(3) {
        cases.forEachIndexed { i, (_, c) -> rounds[i] += pacedNsPerCall(20, 1000) { c.newCall(request).execute().close() } }
    }
    println("one OkHttp call with the network replaced by a canned 200, ns per call (paced: 20 batches of 1,000; median of 3 rounds):")
    cases.forEachIndexed { i, (name, _) -> println("  %-50s %,.0f".format(name, rounds[i].sorted()[1])) }
    println("authentications: ${auth.stats().authRequests}; token requests: ${cc.stats().authRequests}")
}

fun main(args: Array<String>) {
    val only = args.getOrNull(1)
    if (only == null) signingFigures(File(args.getOrElse(0) { "core/tests/oauth1-keys" }))
    if (only == null || only == "token") tokenFigures()
    if (only == null || only == "interceptors") interceptorFigures()
}

fun signingFigures(keys: File) {
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
}
