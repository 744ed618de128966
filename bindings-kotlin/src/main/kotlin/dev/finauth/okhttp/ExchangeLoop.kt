package dev.finauth.okhttp

import dev.finauth.Exchange
import dev.finauth.ObservedStatuses
import okhttp3.Interceptor
import okhttp3.Request
import okhttp3.Response

/**
 * The I/O loop both interceptors run over core's request policy: observe an answer (if the core's
 * data says it can matter), resend while the exchange says so. Nothing here decides anything.
 */
internal class ExchangeLoop(observed: ObservedStatuses) {
    private val statuses: Set<Int> = observed.statuses.toHashSet()
    private val nonceAnswers = observed.nonceAnswers

    /** Whether the core must see this answer; every other one is the caller's as it came. */
    fun judged(response: Response): Boolean =
        response.code in statuses || (nonceAnswers && response.header(NONCE_HEADER) != null)

    /**
     * Drive [exchange] from its first answer [first] to the answer the caller gets. Throws what
     * the core throws (`AccountLocked`, `Unauthorized`) after closing the answer.
     */
    fun run(chain: Interceptor.Chain, request: Request, exchange: Exchange, first: Response): Response {
        var response = first
        while (true) {
            if (!judged(response)) return response
            val again = try {
                observe(exchange, response)
            } catch (e: RuntimeException) {
                response.close()
                throw e
            }
            if (!again) return response
            response.close()
            response = proceed(chain, request, exchange.prepareBlocking().headers)
        }
    }

    private fun observe(exchange: Exchange, response: Response): Boolean {
        val body = if (exchange.wantsBody(response.code)) response.peekBody(MAX_BODY).bytes() else ByteArray(0)
        val headers = ArrayList<String>(response.headers.size * 2)
        for ((name, value) in response.headers) {
            headers.add(name)
            headers.add(value)
        }
        return exchange.observeBlocking(response.code, headers, body)
    }

    companion object {
        const val NONCE_HEADER = "DPoP-Nonce"
        private const val MAX_BODY = 64L * 1024

        fun proceed(chain: Interceptor.Chain, request: Request, headers: Map<String, String>): Response {
            val builder = request.newBuilder()
            for ((name, value) in headers) builder.header(name, value)
            return chain.proceed(builder.build())
        }
    }
}
