package dev.finauth.openapi

import dev.finauth.AttemptIo
import dev.finauth.ClientCredentials
import dev.finauth.ExchangeDriver
import dev.finauth.FinauthException
import dev.finauth.MastercardAuth
import dev.finauth.OAuth1Signer
import dev.finauth.PartnerAuth
import feign.Client
import feign.Feign
import feign.FeignException
import feign.Request
import feign.Response
import java.util.TreeMap

/**
 * finauth for the `feign` library of OpenAPI Generator (and any Feign client).
 *
 * Why a `feign.Client` and not a `feign.RequestInterceptor`: an interceptor sees the
 * `RequestTemplate` (a relative URL, the body bytes) and can set headers and sign, but it runs
 * before the request is sent and never sees the answer, so it cannot resend after a rejected
 * token nor stop on 24302. So everything is done by a `feign.Client` wrapping the one that does the
 * I/O (the generated `ApiClient` uses `feign.okhttp.OkHttpClient`; Feign's default is
 * `feign.Client.Default`): it sees each request whole (its final URL, headers and bytes, after
 * every `RequestInterceptor`, the generated `ApiKeyAuth` ones included) and each answer, and runs
 * core's request policy (`ExchangeDriver`, the loop of the OkHttp interceptors) or signs and
 * encrypts the bytes sent. Headers are set by replacing, so the `ApiKeyAuth` values of
 * `new ApiClient(new String[]{"FinicityAppKey", "FinicityAppToken"})` never go out; with the
 * `feign-okhttp` client the OkHttp interceptors would do the same, but this works with any
 * `feign.Client`.
 *
 * Install it on the generated `ApiClient`'s builder before `buildClient`, keeping its OkHttp:
 *
 * ```java
 * ApiClient apiClient = new ApiClient(new String[]{"FinicityAppKey", "FinicityAppToken"});
 * apiClient.setBasePath("https://api.finicity.com");
 * new FinauthFeignInterceptor(auth).install(apiClient.getFeignBuilder(), new feign.okhttp.OkHttpClient());
 * CustomersApi customers = apiClient.buildClient(CustomersApi.class);
 * ```
 *
 * or on any `Feign.builder()`: `.client(new FinauthFeignInterceptor(auth).client(new Client.Default(null, null)))`.
 *
 * Errors: a [FinauthException] (`AccountLocked`, `Unauthorized`, or `Config` for a request core
 * refuses, such as `AuthenticationApi.createToken`, which is then not sent) is thrown as a
 * [FinauthFeignException], a `FeignException` whose cause it is; it is not retryable, so Feign's
 * `Retryer` does not repeat the call.
 */
class FinauthFeignInterceptor private constructor(private val attachment: Attachment) {
    /** Finicity: `Finicity-App-Key` and `Finicity-App-Token` under core's request policy. */
    constructor(auth: PartnerAuth) : this(Attachment.of(auth))

    /** OAuth 2.0 client credentials: `Authorization` (and DPoP) under core's request policy. */
    constructor(auth: ClientCredentials) : this(Attachment.of(auth))

    /** Mastercard OAuth 1.0a over the method, the full URL and the exact bytes sent. */
    constructor(signer: OAuth1Signer) : this(Attachment.of(signer))

    /** Mastercard payload encryption, then signing of the encrypted bytes; answers decrypted. */
    constructor(auth: MastercardAuth) : this(Attachment.of(auth))

    /** A `feign.Client` that does finauth's part around [delegate], which does the I/O. */
    fun client(delegate: Client): Client = FinauthFeignClient(delegate, attachment)

    /** `builder.client(client(delegate))`: [delegate] is the client the builder should use. */
    fun install(builder: Feign.Builder, delegate: Client): Feign.Builder = builder.client(client(delegate))

    override fun toString(): String = "FinauthFeignInterceptor"
}

/**
 * A [FinauthException] thrown through Feign: a `FeignException` (not retryable) whose cause is
 * the finauth exception ([finauthException]); `status()` is -1 (no answer is being reported).
 */
class FinauthFeignException(
    /** The finauth exception: `AccountLocked`, `Unauthorized`, `Config`, ... */
    val finauthException: FinauthException,
    request: Request,
) : FeignException(
    -1,
    "finauth: ${finauthException::class.java.simpleName}: ${finauthException.message}",
    request,
    finauthException,
)

/** The `feign.Client` of [FinauthFeignInterceptor]. */
internal class FinauthFeignClient(private val delegate: Client, private val attachment: Attachment) : Client {
    override fun execute(request: Request, options: Request.Options): Response =
        try {
            dispatch(request, options)
        } catch (e: FinauthException) {
            throw FinauthFeignException(e, request)
        }

    private fun dispatch(request: Request, options: Request.Options): Response {
        val method = request.httpMethod().name
        val url = request.url()
        val body: ByteArray? = request.body()
        return when (val a = attachment) {
            is Attachment.Policy -> policy(a.driver, request, options, method, url, body)
            is Attachment.Signer -> {
                val header = a.signer.authorizationHeader(method, url, body)
                delegate.execute(rebuild(request, mapOf(Attachment.AUTHORIZATION to header), body), options)
            }
            is Attachment.Mastercard -> {
                val prepared = a.auth.prepare(method, url, body ?: ByteArray(0))
                val sent = if (prepared.bodyChanged) prepared.body else body
                val raw = delegate.execute(rebuild(request, prepared.headers, sent), options)
                val bytes = readAll(raw) ?: return raw
                val first = raw.headers().entries.filter { it.value.isNotEmpty() }.associate { it.key to it.value.first() }
                val clear = a.auth.response(bytes, first)
                val headers = raw.headers().filterKeys { !it.equals(Attachment.CONTENT_LENGTH, true) }
                raw.toBuilder().headers(headers).body(clear).build()
            }
        }
    }

    private fun policy(
        driver: ExchangeDriver,
        request: Request,
        options: Request.Options,
        method: String,
        url: String,
        body: ByteArray?,
    ): Response {
        val io = object : AttemptIo<Response> {
            override fun send(headers: Map<String, String>): Response {
                val response = delegate.execute(rebuild(request, headers, body), options)
                // An answer core may read is buffered (so the caller still reads it whole).
                if (!driver.judged(response.status(), header(response, ExchangeDriver.NONCE_HEADER))) return response
                val bytes = readAll(response)
                return response.toBuilder().body(bytes).build()
            }

            override fun status(response: Response): Int = response.status()

            override fun header(response: Response, name: String): String? = response.headers()[name]?.firstOrNull()

            override fun headers(response: Response): List<String> {
                val flat = ArrayList<String>()
                for ((name, values) in response.headers()) {
                    for (value in values) {
                        flat.add(name)
                        flat.add(value)
                    }
                }
                return flat
            }

            override fun body(response: Response): ByteArray =
                response.body()?.asInputStream()?.use { it.readAllBytes() } ?: ByteArray(0)

            override fun close(response: Response) = response.close()
        }
        return driver.run(method, url, io)
    }

    override fun toString(): String = "FinauthFeignClient($delegate)"

    private companion object {
        /** The whole body (null if none), the answer closed. */
        fun readAll(response: Response): ByteArray? =
            response.body()?.let { b -> b.asInputStream().use { it.readAllBytes() } }.also { response.close() }

        /** [request] with [set] (replacing any header of the same name) and [body]. */
        fun rebuild(request: Request, set: Map<String, String>, body: ByteArray?): Request {
            val headers = TreeMap<String, Collection<String>>(String.CASE_INSENSITIVE_ORDER)
            headers.putAll(request.headers())
            for ((name, value) in set) {
                headers.remove(name)
                headers[name] = listOf(value)
            }
            if (body !== request.body() && headers.containsKey(Attachment.CONTENT_LENGTH)) {
                headers.remove(Attachment.CONTENT_LENGTH)
                if (body != null) headers[Attachment.CONTENT_LENGTH] = listOf(body.size.toString())
            }
            return Request.create(request.httpMethod(), request.url(), headers, body, request.charset(), request.requestTemplate())
        }
    }
}
