package dev.finauth.okhttp

import dev.finauth.AttemptIo
import okhttp3.Interceptor
import okhttp3.Request
import okhttp3.Response

/**
 * The attempts of one request through an OkHttp interceptor chain, for [dev.finauth.ExchangeDriver]:
 * each is the original request with the prepared headers set (replacing), proceeded down the
 * chain; a judged answer's body is peeked (up to 64 KiB), so the caller still reads it whole.
 */
internal class OkHttpAttempts(private val chain: Interceptor.Chain, private val request: Request) : AttemptIo<Response> {
    override fun send(headers: Map<String, String>): Response {
        val builder = request.newBuilder()
        for ((name, value) in headers) builder.header(name, value)
        return chain.proceed(builder.build())
    }

    override fun status(response: Response): Int = response.code

    override fun header(response: Response, name: String): String? = response.header(name)

    override fun headers(response: Response): List<String> {
        val flat = ArrayList<String>(response.headers.size * 2)
        for ((name, value) in response.headers) {
            flat.add(name)
            flat.add(value)
        }
        return flat
    }

    override fun body(response: Response): ByteArray = response.peekBody(MAX_BODY).bytes()

    override fun close(response: Response) = response.close()

    private companion object {
        const val MAX_BODY = 64L * 1024
    }
}
