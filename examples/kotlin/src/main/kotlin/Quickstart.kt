// finauth quickstart for Kotlin: 1,000 coroutines share one authentication, the headers of a
// Finicity call, a real call through OkHttp with FinicityInterceptor, the counters; then OAuth 2.0
// client credentials with OAuth2Interceptor.
// Configured by FINICITY_PARTNER_ID, FINICITY_PARTNER_SECRET, FINICITY_APP_KEY, FINICITY_BASE_URL,
// FINAUTH_OAUTH2_TOKEN_URL, FINAUTH_OAUTH2_CLIENT_ID, FINAUTH_OAUTH2_CLIENT_SECRET and
// FINAUTH_ALLOW_INSECURE_LOOPBACK=1 for the local sandbox (scripts/quickstart-kotlin.sh).

import dev.finauth.ClientCredentials
import dev.finauth.FinauthException
import dev.finauth.PartnerAuth
import dev.finauth.okhttp.FinicityInterceptor
import dev.finauth.okhttp.OAuth2Interceptor
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking
import okhttp3.OkHttpClient
import okhttp3.Request
import kotlin.system.exitProcess

fun main() {
    val (auth, oauth2) = try {
        PartnerAuth.fromEnv() to ClientCredentials.fromEnv()
    } catch (e: FinauthException.Config) {
        println("configuration: ${e.description}")
        exitProcess(2)
    }
    println(auth)
    println(oauth2)
    try {
        val tokens = runBlocking(Dispatchers.Default) { (1..1000).map { async { auth.token() } }.awaitAll() }
        println("1000 coroutines got ${tokens.toSet().size} distinct token(s) of ${tokens[0].length} characters")
        val headers = runBlocking { auth.headers() }
        println("headers: ${headers.asMap().keys.sorted()}")

        // OkHttp: headers set; a rejected token (10022/10023) is invalidated and the request resent
        // once; a locked Partner ID (24302) stops every caller sharing the store.
        val client = OkHttpClient.Builder().addInterceptor(FinicityInterceptor(auth)).build()
        val request = Request.Builder().url("${auth.baseUrl()}aggregation/v1/customers").build()
        client.newCall(request).execute().use { println("OkHttp GET /aggregation/v1/customers -> ${it.code}") }

        // OAuth 2.0: one token request for every concurrent caller; the interceptor sets
        // Authorization (and a DPoP proof per request when the client uses DPoP).
        val oauth2Tokens = runBlocking(Dispatchers.Default) { (1..1000).map { async { oauth2.token() } }.awaitAll() }
        println("OAuth 2.0: 1000 coroutines got ${oauth2Tokens.toSet().size} distinct token(s) (${oauth2.tokenType()})")
        val resource = oauth2.tokenUrl().removeSuffix("/token") + "/resource/accounts"
        val oauth2Client = OkHttpClient.Builder().addInterceptor(OAuth2Interceptor(oauth2)).build()
        oauth2Client.newCall(Request.Builder().url(resource).build()).execute().use {
            println("OkHttp GET /oauth2/resource/accounts -> ${it.code}")
        }
    } catch (e: FinauthException) {
        println("${e::class.simpleName} (${e.kind()}): $e")
        exitProcess(1)
    }
    val s = auth.stats()
    println("stats: ${s.authRequests} authentication request(s), ${s.cacheHits} cache hit(s)")
    println("OAuth 2.0 stats: ${oauth2.stats().authRequests} token request(s)")
}
