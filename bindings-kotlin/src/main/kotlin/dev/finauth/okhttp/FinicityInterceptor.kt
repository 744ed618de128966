package dev.finauth.okhttp

import dev.finauth.FinauthException
import dev.finauth.PartnerAuth
import dev.finauth.ResourceVerdict
import okhttp3.Interceptor
import okhttp3.Request
import okhttp3.Response

/**
 * Sets `Finicity-App-Key` and `Finicity-App-Token` on every request and lets the core judge each
 * error answer (`observeResponse`): when it rejects the token (10022 invalid or 10023 expired),
 * that token is invalidated and the request resent once with a new one; when it says the
 * Partner ID is locked (24302), the lock is recorded in the store (every caller and process
 * sharing it stops) and `FinauthException.AccountLocked` is thrown.
 *
 * ```
 * val client = OkHttpClient.Builder().addInterceptor(FinicityInterceptor(auth)).build()
 * ```
 */
class FinicityInterceptor(private val auth: PartnerAuth) : Interceptor {
    override fun intercept(chain: Interceptor.Chain): Response {
        val request = chain.request()
        val (first, token) = send(chain, request)
        when (verdict(first)) {
            ResourceVerdict.PASS -> return first
            ResourceVerdict.ACCOUNT_LOCKED -> locked(first)
            ResourceVerdict.TOKEN_REJECTED -> {
                first.close()
                auth.invalidateBlocking(token)
            }
        }
        val (second, _) = send(chain, request)
        if (verdict(second) == ResourceVerdict.ACCOUNT_LOCKED) locked(second)
        return second
    }

    private fun send(chain: Interceptor.Chain, request: Request): Pair<Response, String> {
        // Hot path: a fresh token and a known App Key cost one direct call, not four uniffi calls.
        auth.freshHeaderPair()?.let { (key, token) ->
            val fast = request.newBuilder().header(APP_KEY, key).header(APP_TOKEN, token).build()
            return chain.proceed(fast) to token
        }
        val headers = auth.headersBlocking()
        try {
            val builder = request.newBuilder()
            val map = headers.asMap()
            for ((name, value) in map) builder.header(name, value)
            map[APP_KEY]?.let(auth::learnAppKey)
            return chain.proceed(builder.build()) to headers.token()
        } finally {
            headers.close()
        }
    }

    /** Only error answers are judged: a success never costs a call into the core. */
    private fun verdict(response: Response): ResourceVerdict {
        if (response.code < 400) return ResourceVerdict.PASS
        val body = response.peekBody(MAX_ERROR_BODY)
        return auth.observeResponseBlocking(response.code, body.contentType()?.toString() ?: "", body.bytes())
    }

    /** The core recorded the lock: its own `AccountLocked` (with its code and advice) is thrown. */
    private fun locked(response: Response): Nothing {
        response.close()
        auth.tokenBlocking()
        // Reached only if the store lost the lock it was just given.
        throw FinauthException.AccountLocked("the Partner ID is locked by the server (code 24302)", 24302)
    }

    override fun toString(): String = "FinicityInterceptor($auth)"

    private companion object {
        const val MAX_ERROR_BODY = 64L * 1024
        const val APP_KEY = "Finicity-App-Key"
        const val APP_TOKEN = "Finicity-App-Token"
    }
}
