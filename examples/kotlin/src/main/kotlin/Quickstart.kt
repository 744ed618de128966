// finauth quickstart for Kotlin: 1,000 coroutines share one authentication, the headers of a
// Finicity call, a real call through OkHttp with FinicityInterceptor, and the counters.
// Configured by FINICITY_PARTNER_ID, FINICITY_PARTNER_SECRET, FINICITY_APP_KEY, FINICITY_BASE_URL
// and FINAUTH_ALLOW_INSECURE_LOOPBACK=1 for the local sandbox (scripts/quickstart-kotlin.sh).

import dev.finauth.FinauthException
import dev.finauth.PartnerAuth
import dev.finauth.okhttp.FinicityInterceptor
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking
import okhttp3.OkHttpClient
import okhttp3.Request
import kotlin.system.exitProcess

fun main() {
    val auth = try {
        PartnerAuth.fromEnv()
    } catch (e: FinauthException.Config) {
        println("configuration: ${e.description}")
        exitProcess(2)
    }
    println(auth)
    try {
        val tokens = runBlocking(Dispatchers.Default) { (1..1000).map { async { auth.token() } }.awaitAll() }
        println("1000 coroutines got ${tokens.toSet().size} distinct token(s) of ${tokens[0].length} characters")
        val headers = runBlocking { auth.headers() }
        println("headers: ${headers.asMap().keys.sorted()}")

        // OkHttp: headers set; a 401 with 10022/10023 invalidates the token and resends once.
        val client = OkHttpClient.Builder().addInterceptor(FinicityInterceptor(auth)).build()
        val request = Request.Builder().url("${auth.baseUrl()}aggregation/v1/customers").build()
        client.newCall(request).execute().use { println("OkHttp GET /aggregation/v1/customers -> ${it.code}") }
    } catch (e: FinauthException) {
        println("${e::class.simpleName} (${e.kind()}): $e")
        exitProcess(1)
    }
    val s = auth.stats()
    println("stats: ${s.authRequests} authentication request(s), ${s.cacheHits} cache hit(s)")
}
