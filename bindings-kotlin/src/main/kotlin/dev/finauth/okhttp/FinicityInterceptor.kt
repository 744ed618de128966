package dev.finauth.okhttp

import dev.finauth.ExchangeDriver
import dev.finauth.PartnerAuth
import okhttp3.Interceptor
import okhttp3.Response

/**
 * Sets `Finicity-App-Key` and `Finicity-App-Token` on every request, as an I/O loop over the
 * core's request policy (`PartnerAuth.exchange`): when an answer rejects the token (10022 invalid
 * or 10023 expired, HTTP 401 or 500) the core invalidates the token sent and the request is
 * resent once with a new one; a second rejection throws `FinauthException.Unauthorized`; a 24302
 * (on the resent answer too) is recorded in the store (every caller and process sharing it stops)
 * and `FinauthException.AccountLocked` is thrown. A request the core makes no exchange for
 * (Finicity's partner authentication endpoint: use `auth.token()`) throws its `Config` exception
 * and is not sent.
 *
 * ```
 * val client = OkHttpClient.Builder().addInterceptor(FinicityInterceptor(auth)).build()
 * ```
 */
class FinicityInterceptor(private val auth: PartnerAuth) : Interceptor {
    private val driver = ExchangeDriver.Finicity(auth)

    override fun intercept(chain: Interceptor.Chain): Response {
        val request = chain.request()
        // The loop is core's request policy driven over this chain (ExchangeDriver): on the hot
        // path (a fresh token, a known App Key, a request the core admits) direct calls only, and
        // answers the policy does not judge never reach the core.
        return driver.run(request.method, request.url.toString(), OkHttpAttempts(chain, request))
    }

    override fun toString(): String = "FinicityInterceptor($auth)"
}
