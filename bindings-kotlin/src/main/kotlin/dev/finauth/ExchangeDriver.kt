package dev.finauth

/**
 * One attempt of a request as an integration's HTTP library sends it: the OkHttp interceptors,
 * the `java.net.http` wrapper and the Feign client of `dev.finauth.openapi` each implement it
 * for their request and answer types. [R] is an answer.
 */
internal interface AttemptIo<R> {
    /** Send the request once with these headers set, each replacing any of the same name. */
    fun send(headers: Map<String, String>): R

    fun status(response: R): Int

    /** The first value of a header of the answer, or `null`. */
    fun header(response: R, name: String): String?

    /** Every header of the answer, flat: name, value, name, value, ... */
    fun headers(response: R): List<String>

    /**
     * The body of an answer the core judges (see [ExchangeDriver.judged]); the answer must stay
     * readable for the caller afterwards (the integration buffers or peeks it).
     */
    fun body(response: R): ByteArray

    fun close(response: R)
}

/**
 * The I/O loop of one logical request over core's request policy (docs/REQUEST-POLICY.md), for
 * any HTTP library: prepare → send → observe → resend or done. Nothing here decides anything:
 * which headers to set comes from `Exchange.prepareBlocking()`, whether to resend or stop from
 * `Exchange.observeBlocking()`, which answers can matter from `observedStatuses()` (as data, so
 * the others are handed over without a call into the core).
 *
 * The fast path sends the first attempt with the token in memory, without making an exchange
 * (uniffi calls cost the JVM µs, bench/jvm/README.md): it asks the core first (one direct call,
 * `admits`) whether it would make an exchange for the request at all, so a request the core
 * refuses (Finicity's partner authentication endpoint) takes the slow path and throws there.
 */
internal sealed class ExchangeDriver(observed: ObservedStatuses) {
    private val statuses: Set<Int> = observed.statuses.toHashSet()
    private val nonceAnswers = observed.nonceAnswers

    /** Whether the core must see an answer with this status and `DPoP-Nonce` header (or `null`). */
    fun judged(status: Int, nonce: String?): Boolean = status in statuses || (nonceAnswers && nonce != null)

    /**
     * Drive one logical request to [url] (absolute, as sent) through [io]; the answer the caller
     * gets. Throws what the core throws: `Config` for a request it makes no exchange for (nothing
     * is sent), `AccountLocked` (24302), `Unauthorized` (rejected after the one resend), after
     * closing the answer.
     */
    abstract fun <R> run(method: String, url: String, io: AttemptIo<R>): R

    protected fun <R> judged(io: AttemptIo<R>, response: R): Boolean =
        judged(io.status(response), if (nonceAnswers) io.header(response, NONCE_HEADER) else null)

    /** From the first answer [first] to the one the caller gets. */
    protected fun <R> loop(exchange: Exchange, io: AttemptIo<R>, first: R): R {
        var response = first
        while (true) {
            if (!judged(io, response)) return response
            val again = try {
                observe(exchange, io, response)
            } catch (e: Exception) {
                // FinauthException is a checked exception (not a RuntimeException): close on both.
                io.close(response)
                throw e
            }
            if (!again) return response
            io.close(response)
            response = io.send(exchange.prepareBlocking().headers)
        }
    }

    private fun <R> observe(exchange: Exchange, io: AttemptIo<R>, response: R): Boolean {
        val status = io.status(response)
        val body = if (exchange.wantsBody(status)) io.body(response) else ByteArray(0)
        return exchange.observeBlocking(status, io.headers(response), body)
    }

    /** `Finicity-App-Key` and `Finicity-App-Token` for a [PartnerAuth]. */
    class Finicity(private val auth: PartnerAuth) : ExchangeDriver(auth.observedStatuses()) {
        override fun <R> run(method: String, url: String, io: AttemptIo<R>): R {
            // Hot path: a fresh token and a known App Key cost direct calls, not uniffi calls.
            auth.freshHeaderPair()?.takeIf { auth.admits(method, url) }?.let { (key, token) ->
                val first = io.send(mapOf(APP_KEY to key, APP_TOKEN to token))
                if (!judged(io, first)) return first
                return auth.exchange(method, url).use { ex ->
                    ex.sentWith(token)
                    loop(ex, io, first)
                }
            }
            return auth.exchange(method, url).use { ex ->
                val headers = ex.prepareBlocking().headers
                headers[APP_KEY]?.let(auth::learnAppKey)
                loop(ex, io, io.send(headers))
            }
        }

        override fun toString(): String = auth.toString()
    }

    /** `Authorization` (and DPoP proofs) for a [ClientCredentials]. */
    class OAuth2(private val auth: ClientCredentials) : ExchangeDriver(auth.observedStatuses()) {
        /** Bearer headers of the last token, immutable, published through one volatile field. */
        private class Reusable(@JvmField val token: String, @JvmField val headers: Map<String, String>)

        @Volatile
        private var reusable: Reusable? = null

        override fun <R> run(method: String, url: String, io: AttemptIo<R>): R {
            val last = reusable
            // Bearer headers depend on nothing but the token: reused while it is fresh.
            if (last != null && auth.freshToken() == last.token && auth.admits(method, url)) {
                val first = io.send(last.headers)
                if (!judged(io, first)) return first
                return auth.exchange(method, url).use { ex ->
                    ex.sentWith(last.token)
                    loop(ex, io, first)
                }
            }
            return auth.exchange(method, url).use { ex ->
                val attempt = ex.prepareBlocking()
                reusable = if (attempt.headers.containsKey(DPOP_HEADER)) null else Reusable(attempt.token, attempt.headers)
                loop(ex, io, io.send(attempt.headers))
            }
        }

        override fun toString(): String = auth.toString()
    }

    companion object {
        const val NONCE_HEADER = "DPoP-Nonce"
        private const val APP_KEY = "Finicity-App-Key"
        private const val APP_TOKEN = "Finicity-App-Token"
        private const val DPOP_HEADER = "DPoP"
    }
}
