package dev.finauth.okhttp

import dev.finauth.ClientCredentials
import okhttp3.Interceptor
import okhttp3.Request
import okhttp3.Response

/**
 * Authenticates every request with an OAuth 2.0 [ClientCredentials]: `Authorization: Bearer …`
 * or, for DPoP-bound tokens, `Authorization: DPoP …` and a fresh `DPoP` proof for the request's
 * real method and URL. The `DPoP-Nonce` of every response is remembered. A 401 asking for a
 * nonce (`use_dpop_nonce`) is resent once with it; any other 401 invalidates the token sent (one
 * refresh however many requests saw it) and the request is resent once with a new one.
 *
 * Bearer headers depend on nothing but the token, so while the token is fresh they are reused
 * (one direct call per request, as `token()`); DPoP proofs are made per request by the core.
 *
 * ```
 * val client = OkHttpClient.Builder().addInterceptor(OAuth2Interceptor(credentials)).build()
 * ```
 */
class OAuth2Interceptor(private val auth: ClientCredentials) : Interceptor {
    override fun intercept(chain: Interceptor.Chain): Response {
        val request = chain.request()
        var nonceRetried = false
        var tokenRetried = false
        while (true) {
            val (response, token) = send(chain, request)
            response.header(NONCE_HEADER)?.let { auth.learnNonce(request.url.toString(), mapOf(NONCE_HEADER to it)) }
            if (response.code != 401) return response
            if (asksForNonce(response)) {
                if (nonceRetried || response.header(NONCE_HEADER) == null) return response
                nonceRetried = true
            } else {
                if (tokenRetried) return response
                tokenRetried = true
                auth.invalidateBlocking(token)
            }
            response.close()
        }
    }

    /** Bearer headers of the last token, immutable, published through one volatile field. */
    private class Reusable(@JvmField val token: String, @JvmField val headers: Map<String, String>)

    @Volatile
    private var reusable: Reusable? = null

    private fun send(chain: Interceptor.Chain, request: Request): Pair<Response, String> {
        val (headers, token) = headersFor(request)
        val builder = request.newBuilder()
        for ((name, value) in headers) builder.header(name, value)
        return chain.proceed(builder.build()) to token
    }

    private fun headersFor(request: Request): Pair<Map<String, String>, String> {
        val last = reusable
        if (last != null && auth.freshToken() == last.token) return last.headers to last.token
        val native = auth.headersBlocking(request.method, request.url.toString())
        try {
            val headers = native.asMap()
            val token = native.token()
            reusable = if (headers.containsKey(DPOP_HEADER)) null else Reusable(token, headers)
            return headers to token
        } finally {
            native.close()
        }
    }

    private fun asksForNonce(response: Response): Boolean =
        response.headers(WWW_AUTHENTICATE).any { it.contains("use_dpop_nonce") }

    override fun toString(): String = "OAuth2Interceptor($auth)"

    private companion object {
        const val NONCE_HEADER = "DPoP-Nonce"
        const val DPOP_HEADER = "DPoP"
        const val WWW_AUTHENTICATE = "WWW-Authenticate"
    }
}
