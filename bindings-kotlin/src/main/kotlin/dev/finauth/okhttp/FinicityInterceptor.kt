package dev.finauth.okhttp

import dev.finauth.PartnerAuth
import okhttp3.Interceptor
import okhttp3.Response

/**
 * Sets `Finicity-App-Key` and `Finicity-App-Token` on every request, as an I/O loop over the
 * core's request policy (`PartnerAuth.exchange`): when an answer rejects the token (10022 invalid
 * or 10023 expired, HTTP 401 or 500) the core invalidates the token sent and the request is
 * resent once with a new one; a second rejection throws `FinauthException.Unauthorized`; a 24302
 * (on the resent answer too) is recorded in the store (every caller and process sharing it stops)
 * and `FinauthException.AccountLocked` is thrown.
 *
 * ```
 * val client = OkHttpClient.Builder().addInterceptor(FinicityInterceptor(auth)).build()
 * ```
 */
class FinicityInterceptor(private val auth: PartnerAuth) : Interceptor {
    private val loop = ExchangeLoop(auth.observedStatuses())

    override fun intercept(chain: Interceptor.Chain): Response {
        val request = chain.request()
        // Hot path: a fresh token and a known App Key cost one direct call, not uniffi calls;
        // answers the policy does not judge never reach the core.
        auth.freshHeaderPair()?.let { (key, token) ->
            val first = ExchangeLoop.proceed(chain, request, mapOf(APP_KEY to key, APP_TOKEN to token))
            if (!loop.judged(first)) return first
            return auth.exchange(request.method, request.url.toString()).use { ex ->
                ex.sentWith(token)
                loop.run(chain, request, ex, first)
            }
        }
        return auth.exchange(request.method, request.url.toString()).use { ex ->
            val headers = ex.prepareBlocking().headers
            headers[APP_KEY]?.let(auth::learnAppKey)
            loop.run(chain, request, ex, ExchangeLoop.proceed(chain, request, headers))
        }
    }

    override fun toString(): String = "FinicityInterceptor($auth)"

    private companion object {
        const val APP_KEY = "Finicity-App-Key"
        const val APP_TOKEN = "Finicity-App-Token"
    }
}
