package dev.finauth.okhttp

import dev.finauth.ClientCredentials
import dev.finauth.ExchangeDriver
import okhttp3.Interceptor
import okhttp3.Response

/**
 * Authenticates every request with an OAuth 2.0 [ClientCredentials], as an I/O loop over the
 * core's request policy (`ClientCredentials.exchange`): `Authorization: Bearer …` or, for
 * DPoP-bound tokens, `Authorization: DPoP …` and a fresh `DPoP` proof for the request's real
 * method and URL. The core learns the `DPoP-Nonce` of every answer, resends once after a
 * `use_dpop_nonce` challenge, and after any other 401 invalidates the token sent (one refresh
 * however many requests saw it) and resends once with a new one.
 *
 * Bearer headers depend on nothing but the token, so while the token is fresh they are reused
 * (one direct call per request, as `token()`); DPoP proofs are made per request by the core.
 *
 * ```
 * val client = OkHttpClient.Builder().addInterceptor(OAuth2Interceptor(credentials)).build()
 * ```
 */
class OAuth2Interceptor(private val auth: ClientCredentials) : Interceptor {
    private val driver = ExchangeDriver.OAuth2(auth)

    override fun intercept(chain: Interceptor.Chain): Response {
        val request = chain.request()
        return driver.run(request.method, request.url.toString(), OkHttpAttempts(chain, request))
    }

    override fun toString(): String = "OAuth2Interceptor($auth)"
}
