package dev.finauth.okhttp

import dev.finauth.PartnerAuth
import dev.finauth.rejectsToken
import okhttp3.Interceptor
import okhttp3.Request
import okhttp3.Response

/**
 * Sets `Finicity-App-Key` and `Finicity-App-Token` on every request. When the answer rejects the
 * token (10022 invalid or 10023 expired), invalidates that token and resends the request once
 * with a new one; the core decides both (`rejectsToken`, `invalidate`).
 *
 * ```
 * val client = OkHttpClient.Builder().addInterceptor(FinicityInterceptor(auth)).build()
 * ```
 */
class FinicityInterceptor(private val auth: PartnerAuth) : Interceptor {
    override fun intercept(chain: Interceptor.Chain): Response {
        val request = chain.request()
        val (first, token) = send(chain, request)
        if (!isRejected(first)) return first
        first.close()
        auth.invalidateBlocking(token)
        return send(chain, request).first
    }

    private fun send(chain: Interceptor.Chain, request: Request): Pair<Response, String> {
        val headers = auth.headersBlocking()
        try {
            val builder = request.newBuilder()
            for ((name, value) in headers.asMap()) builder.header(name, value)
            return chain.proceed(builder.build()) to headers.token()
        } finally {
            headers.close()
        }
    }

    private fun isRejected(response: Response): Boolean {
        if (response.code != 401 && response.code != 500) return false
        val body = response.peekBody(MAX_ERROR_BODY)
        return rejectsToken(response.code, body.contentType()?.toString() ?: "", body.bytes())
    }

    override fun toString(): String = "FinicityInterceptor($auth)"

    private companion object {
        const val MAX_ERROR_BODY = 64L * 1024
    }
}
