package dev.finauth.openapi

import dev.finauth.AttemptIo
import dev.finauth.ClientCredentials
import dev.finauth.ExchangeDriver
import dev.finauth.FinauthException
import dev.finauth.MastercardAuth
import dev.finauth.OAuth1Signer
import dev.finauth.PartnerAuth
import java.io.Closeable
import java.io.IOException
import java.net.Authenticator
import java.net.CookieHandler
import java.net.ProxySelector
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpHeaders
import java.net.http.HttpRequest
import java.net.http.HttpRequest.BodyPublishers
import java.net.http.HttpResponse
import java.net.http.HttpResponse.BodyHandler
import java.net.http.HttpResponse.BodySubscribers
import java.net.http.WebSocket
import java.nio.ByteBuffer
import java.time.Duration
import java.util.Locale
import java.util.Optional
import java.util.concurrent.CompletableFuture
import java.util.concurrent.ExecutionException
import java.util.concurrent.Executor
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.Flow
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicInteger
import java.util.function.BiPredicate
import java.util.function.Supplier
import javax.net.ssl.SSLContext
import javax.net.ssl.SSLParameters
import javax.net.ssl.SSLSession

/**
 * finauth for the `native` library of OpenAPI Generator (`java.net.http`): an [HttpClient] that
 * delegates everything to the one it wraps, and whose `send`/`sendAsync` run each request under
 * finauth. `java.net.http` has no interceptors, and the generated `ApiClient`'s request
 * interceptor (`setRequestInterceptor`) sees an `HttpRequest.Builder` but never the body, so the
 * client is wrapped: the request's `BodyPublisher` is read (subscribed and collected), signed or
 * encrypted by core, and sent as `BodyPublishers.ofByteArray` with the headers set (replacing any
 * of the same name).
 *
 * The generated `ApiClient` takes an `HttpClient.Builder` and calls `build()` itself, in each
 * `…Api` constructor; [builder] gives one whose `build()` returns the wrapped client:
 *
 * ```java
 * ApiClient apiClient = new ApiClient();
 * apiClient.updateBaseUri("https://api.finicity.com");
 * apiClient.setHttpClientBuilder(FinauthHttpClient.builder(HttpClient.newBuilder(), auth));
 * Customers customers = new CustomersApi(apiClient).getCustomers(null, null, null, null, null);
 * ```
 *
 * (The generated `native` client ignores the document's security schemes: it sets no api keys,
 * so finauth's headers are the only ones.)
 *
 * - [PartnerAuth] / [ClientCredentials]: core's request policy (`ExchangeDriver`, the loop of the
 *   OkHttp interceptors): prepare → send → observe → resend once or done. An answer the policy
 *   can act on (`observedStatuses()`: 401 and 500 for Finicity) is buffered so core can read its
 *   body; every other answer goes to the caller's `BodyHandler` as it streams.
 * - [OAuth1Signer]: `Authorization` over the method, the URL (`uri().toASCIIString()`) and the
 *   exact bytes sent.
 * - [MastercardAuth]: the body encrypted, then signed over the encrypted bytes; the answer is
 *   buffered, decrypted, and handed to the caller's `BodyHandler`.
 *
 * Errors: a [FinauthException] (`AccountLocked`, `Unauthorized`, `Config` for a request core
 * refuses, such as `AuthenticationApi.createToken`, which is then not sent) leaves `send` as a
 * [FinauthIOException], so the generated operation throws its `ApiException` with it as the
 * cause (`FinauthOpenApi.finauthException(e)` finds it). `sendAsync` runs the same loop on the
 * wrapped client's executor, or finauth's daemon threads when it has none (core's token calls
 * block), and completes exceptionally with the same exception; push promises are not accepted.
 * `newWebSocketBuilder()` is the wrapped client's, unauthenticated. On Java 21+ `close()`,
 * `shutdown()`, `shutdownNow()`, `isTerminated()` and `awaitTermination()` reach the wrapped client.
 */
class FinauthHttpClient private constructor(
    private val delegate: HttpClient,
    private val attachment: Attachment,
) : HttpClient() {
    override fun cookieHandler(): Optional<CookieHandler> = delegate.cookieHandler()

    override fun connectTimeout(): Optional<Duration> = delegate.connectTimeout()

    override fun followRedirects(): Redirect = delegate.followRedirects()

    override fun proxy(): Optional<ProxySelector> = delegate.proxy()

    override fun sslContext(): SSLContext = delegate.sslContext()

    override fun sslParameters(): SSLParameters = delegate.sslParameters()

    override fun authenticator(): Optional<Authenticator> = delegate.authenticator()

    override fun version(): Version = delegate.version()

    override fun executor(): Optional<Executor> = delegate.executor()

    override fun newWebSocketBuilder(): WebSocket.Builder = delegate.newWebSocketBuilder()

    /** The wrapped client. */
    fun delegate(): HttpClient = delegate

    // Java 21 added these to HttpClient (`close()` with AutoCloseable). Declared with the same
    // signatures, they override HttpClient's on 21+ and reach the wrapped client; on 17 (this is
    // compiled for 17, hence reflection) they are plain methods and do nothing.

    /** Java 21+: closes the wrapped client. */
    fun close() {
        lifecycle("close")
    }

    /** Java 21+: the wrapped client's `shutdown()`. */
    fun shutdown() {
        lifecycle("shutdown")
    }

    /** Java 21+: the wrapped client's `shutdownNow()`. */
    fun shutdownNow() {
        lifecycle("shutdownNow")
    }

    /** Java 21+: the wrapped client's `isTerminated()` (false before 21). */
    fun isTerminated(): Boolean = lifecycle("isTerminated") as? Boolean ?: false

    /** Java 21+: the wrapped client's `awaitTermination(duration)` (false before 21). */
    @Throws(InterruptedException::class)
    fun awaitTermination(duration: Duration): Boolean =
        lifecycle("awaitTermination", Duration::class.java to duration) as? Boolean ?: false

    private fun lifecycle(name: String, vararg args: Pair<Class<*>, Any>): Any? {
        val method = try {
            HttpClient::class.java.getMethod(name, *args.map { it.first }.toTypedArray())
        } catch (_: NoSuchMethodException) {
            return null
        }
        return try {
            method.invoke(delegate, *args.map { it.second }.toTypedArray())
        } catch (e: java.lang.reflect.InvocationTargetException) {
            throw e.cause ?: e
        }
    }

    @Throws(IOException::class, InterruptedException::class)
    override fun <T> send(request: HttpRequest, handler: BodyHandler<T>): HttpResponse<T> =
        try {
            dispatch(request, handler)
        } catch (e: FinauthException) {
            throw FinauthIOException(e)
        }

    override fun <T> sendAsync(request: HttpRequest, handler: BodyHandler<T>): CompletableFuture<HttpResponse<T>> =
        sendAsync(request, handler, null)

    override fun <T> sendAsync(
        request: HttpRequest,
        handler: BodyHandler<T>,
        pushPromiseHandler: HttpResponse.PushPromiseHandler<T>?,
    ): CompletableFuture<HttpResponse<T>> {
        val executor = delegate.executor().orElse(null) ?: asyncPool
        return CompletableFuture.supplyAsync(Supplier { send(request, handler) }, executor)
    }

    override fun toString(): String = "FinauthHttpClient($delegate)"

    private fun <T> dispatch(request: HttpRequest, handler: BodyHandler<T>): HttpResponse<T> {
        val body = bodyOf(request)
        val method = request.method()
        val url = request.uri().toASCIIString()
        return when (val a = attachment) {
            is Attachment.Policy -> policy(a.driver, request, method, url, body, handler)
            is Attachment.Signer -> {
                val header = a.signer.authorizationHeader(method, url, body)
                delegate.send(rebuild(request, mapOf(Attachment.AUTHORIZATION to header), body), handler)
            }
            is Attachment.Mastercard -> {
                val prepared = a.auth.prepare(method, url, body ?: ByteArray(0))
                val sent = if (prepared.bodyChanged) prepared.body else body
                val raw = delegate.send(rebuild(request, prepared.headers, sent), HttpResponse.BodyHandlers.ofByteArray())
                val clear = a.auth.response(raw.body() ?: ByteArray(0), firstValues(raw.headers()))
                // The length of what the caller reads is no longer the one sent.
                val headers = HttpHeaders.of(raw.headers().map()) { name, _ -> !name.equals(Attachment.CONTENT_LENGTH, true) }
                Answer(raw, headers, replay(handler, raw.statusCode(), headers, raw.version(), clear))
            }
        }
    }

    /** What one attempt's `BodyHandler` made of the answer: the caller's body, or the bytes for core. */
    private sealed class Outcome<out T> {
        class Passed<T>(val value: T) : Outcome<T>()

        class Buffered(val bytes: ByteArray) : Outcome<Nothing>()
    }

    private fun <T> policy(
        driver: ExchangeDriver,
        request: HttpRequest,
        method: String,
        url: String,
        body: ByteArray?,
        handler: BodyHandler<T>,
    ): HttpResponse<T> {
        // Whether core must read an answer is known from its status line and headers: only
        // those are buffered; the others stream into the caller's handler.
        val judging = BodyHandler<Outcome<T>> { info ->
            if (driver.judged(info.statusCode(), info.headers().firstValue(ExchangeDriver.NONCE_HEADER).orElse(null))) {
                BodySubscribers.mapping<ByteArray, Outcome<T>>(BodySubscribers.ofByteArray()) { bytes -> Outcome.Buffered(bytes) }
            } else {
                BodySubscribers.mapping<T, Outcome<T>>(handler.apply(info)) { value -> Outcome.Passed(value) }
            }
        }
        val io = object : AttemptIo<HttpResponse<Outcome<T>>> {
            override fun send(headers: Map<String, String>): HttpResponse<Outcome<T>> =
                delegate.send(rebuild(request, headers, body), judging)

            override fun status(response: HttpResponse<Outcome<T>>): Int = response.statusCode()

            override fun header(response: HttpResponse<Outcome<T>>, name: String): String? =
                response.headers().firstValue(name).orElse(null)

            override fun headers(response: HttpResponse<Outcome<T>>): List<String> = flat(response.headers())

            override fun body(response: HttpResponse<Outcome<T>>): ByteArray =
                (response.body() as? Outcome.Buffered)?.bytes ?: ByteArray(0)

            override fun close(response: HttpResponse<Outcome<T>>) {
                val value = (response.body() as? Outcome.Passed<T>)?.value
                if (value is Closeable) {
                    try {
                        value.close()
                    } catch (_: IOException) {
                        // an answer being dropped: nothing to do
                    }
                }
            }
        }
        val last = driver.run(method, url, io)
        return when (val outcome = last.body()) {
            is Outcome.Passed -> Answer(last, last.headers(), outcome.value)
            is Outcome.Buffered -> Answer(
                last,
                last.headers(),
                replay(handler, last.statusCode(), last.headers(), last.version(), outcome.bytes),
            )
        }
    }

    /** An answer with another body (and headers) than the one the wrapped client read. */
    private class Answer<T>(
        private val base: HttpResponse<*>,
        private val headers: HttpHeaders,
        private val body: T,
    ) : HttpResponse<T> {
        override fun statusCode(): Int = base.statusCode()

        override fun request(): HttpRequest = base.request()

        // Intermediate answers (redirects) carry no body; their type is the caller's.
        @Suppress("UNCHECKED_CAST")
        override fun previousResponse(): Optional<HttpResponse<T>> = base.previousResponse() as Optional<HttpResponse<T>>

        override fun headers(): HttpHeaders = headers

        override fun body(): T = body

        override fun sslSession(): Optional<SSLSession> = base.sslSession()

        override fun uri(): URI = base.uri()

        override fun version(): Version = base.version()

        override fun toString(): String = base.toString()
    }

    /** [HttpClient.Builder] whose [build] wraps what the builder it delegates to builds. */
    private class Builder(private val delegate: HttpClient.Builder, private val attachment: Attachment) : HttpClient.Builder {
        override fun cookieHandler(cookieHandler: CookieHandler): HttpClient.Builder = apply { delegate.cookieHandler(cookieHandler) }

        override fun connectTimeout(duration: Duration): HttpClient.Builder = apply { delegate.connectTimeout(duration) }

        override fun sslContext(sslContext: SSLContext): HttpClient.Builder = apply { delegate.sslContext(sslContext) }

        override fun sslParameters(sslParameters: SSLParameters): HttpClient.Builder = apply { delegate.sslParameters(sslParameters) }

        override fun executor(executor: Executor): HttpClient.Builder = apply { delegate.executor(executor) }

        override fun followRedirects(policy: Redirect): HttpClient.Builder = apply { delegate.followRedirects(policy) }

        override fun version(version: Version): HttpClient.Builder = apply { delegate.version(version) }

        override fun priority(priority: Int): HttpClient.Builder = apply { delegate.priority(priority) }

        override fun proxy(proxySelector: ProxySelector): HttpClient.Builder = apply { delegate.proxy(proxySelector) }

        override fun authenticator(authenticator: Authenticator): HttpClient.Builder = apply { delegate.authenticator(authenticator) }

        override fun build(): HttpClient = FinauthHttpClient(delegate.build(), attachment)
    }

    companion object {
        /** [client] sending every request with the Finicity headers, under core's request policy. */
        @JvmStatic
        fun wrap(client: HttpClient, auth: PartnerAuth): FinauthHttpClient = FinauthHttpClient(client, Attachment.of(auth))

        /** [client] sending every request with OAuth 2.0 `Authorization` (and DPoP). */
        @JvmStatic
        fun wrap(client: HttpClient, auth: ClientCredentials): FinauthHttpClient = FinauthHttpClient(client, Attachment.of(auth))

        /** [client] signing every request with OAuth 1.0a over the exact bytes sent. */
        @JvmStatic
        fun wrap(client: HttpClient, signer: OAuth1Signer): FinauthHttpClient = FinauthHttpClient(client, Attachment.of(signer))

        /** [client] encrypting, then signing every request and decrypting every answer. */
        @JvmStatic
        fun wrap(client: HttpClient, auth: MastercardAuth): FinauthHttpClient = FinauthHttpClient(client, Attachment.of(auth))

        /**
         * A builder that configures [builder] and whose `build()` returns `wrap(builder.build(), auth)`:
         * for the generated `ApiClient.setHttpClientBuilder(...)` (or its constructor).
         */
        @JvmStatic
        fun builder(builder: HttpClient.Builder, auth: PartnerAuth): HttpClient.Builder = Builder(builder, Attachment.of(auth))

        /** [builder] for OAuth 2.0 client credentials. */
        @JvmStatic
        fun builder(builder: HttpClient.Builder, auth: ClientCredentials): HttpClient.Builder = Builder(builder, Attachment.of(auth))

        /** [builder] for OAuth 1.0a signing. */
        @JvmStatic
        fun builder(builder: HttpClient.Builder, signer: OAuth1Signer): HttpClient.Builder = Builder(builder, Attachment.of(signer))

        /** [builder] for payload encryption and signing. */
        @JvmStatic
        fun builder(builder: HttpClient.Builder, auth: MastercardAuth): HttpClient.Builder = Builder(builder, Attachment.of(auth))

        private val threads = AtomicInteger()

        /** `sendAsync`'s threads when the wrapped client has no executor (daemons, made on demand). */
        private val asyncPool: ExecutorService by lazy {
            Executors.newCachedThreadPool { r ->
                Thread(r, "finauth-http-${threads.incrementAndGet()}").apply { isDaemon = true }
            }
        }

        /** The bytes of the request's body (null when it has no `BodyPublisher`). */
        private fun bodyOf(request: HttpRequest): ByteArray? {
            val publisher = request.bodyPublisher().orElse(null) ?: return null
            val collector = Collector()
            publisher.subscribe(collector)
            return try {
                collector.result.get()
            } catch (e: ExecutionException) {
                throw (e.cause as? IOException) ?: IOException("finauth: reading the request body failed", e.cause)
            }
        }

        /** [request] with [headers] set (replacing any of the same name) and [body] as its body. */
        private fun rebuild(request: HttpRequest, headers: Map<String, String>, body: ByteArray?): HttpRequest {
            val replaced = headers.keys.mapTo(HashSet()) { it.lowercase(Locale.ROOT) }
            val builder = HttpRequest.newBuilder(request, BiPredicate { name, _ -> name.lowercase(Locale.ROOT) !in replaced })
            // The original publisher was read: the bytes go out instead (the same ones, or core's).
            if (body != null) {
                builder.method(request.method(), if (body.isEmpty()) BodyPublishers.noBody() else BodyPublishers.ofByteArray(body))
            }
            for ((name, value) in headers) builder.header(name, value)
            return builder.build()
        }

        private fun flat(headers: HttpHeaders): List<String> {
            val out = ArrayList<String>()
            for ((name, values) in headers.map()) {
                for (value in values) {
                    out.add(name)
                    out.add(value)
                }
            }
            return out
        }

        private fun firstValues(headers: HttpHeaders): Map<String, String> =
            headers.map().entries.filter { it.value.isNotEmpty() }.associate { it.key to it.value[0] }

        /** [bytes] through the caller's [handler], as if they had come from the network. */
        private fun <T> replay(handler: BodyHandler<T>, status: Int, headers: HttpHeaders, version: Version, bytes: ByteArray): T {
            val info = object : HttpResponse.ResponseInfo {
                override fun statusCode(): Int = status

                override fun headers(): HttpHeaders = headers

                override fun version(): Version = version
            }
            val subscriber = handler.apply(info)
            subscriber.onSubscribe(OneShot(subscriber, bytes))
            return try {
                subscriber.body.toCompletableFuture().get()
            } catch (e: ExecutionException) {
                throw (e.cause as? IOException) ?: IOException("finauth: the body handler failed", e.cause)
            }
        }
    }

    /** Collects a `BodyPublisher`'s bytes. */
    private class Collector : Flow.Subscriber<ByteBuffer> {
        val result = CompletableFuture<ByteArray>()
        private val out = java.io.ByteArrayOutputStream()

        override fun onSubscribe(subscription: Flow.Subscription) = subscription.request(Long.MAX_VALUE)

        override fun onNext(item: ByteBuffer) {
            val chunk = ByteArray(item.remaining())
            item.get(chunk)
            out.write(chunk)
        }

        override fun onError(throwable: Throwable) {
            result.completeExceptionally(throwable)
        }

        override fun onComplete() {
            result.complete(out.toByteArray())
        }
    }

    /** One delivery of [bytes], then completion. */
    private class OneShot(
        private val subscriber: Flow.Subscriber<in List<ByteBuffer>>,
        private val bytes: ByteArray,
    ) : Flow.Subscription {
        private val done = AtomicBoolean()

        override fun request(n: Long) {
            if (!done.compareAndSet(false, true)) return
            if (n <= 0) {
                subscriber.onError(IllegalArgumentException("non-positive request: $n"))
                return
            }
            if (bytes.isNotEmpty()) subscriber.onNext(listOf(ByteBuffer.wrap(bytes)))
            subscriber.onComplete()
        }

        override fun cancel() {
            done.set(true)
        }
    }
}
