package dev.finauth.okhttp

import dev.finauth.MastercardAuth
import okhttp3.Interceptor
import okhttp3.RequestBody.Companion.toRequestBody
import okhttp3.Response
import okhttp3.ResponseBody.Companion.toResponseBody
import okio.Buffer

/**
 * Mastercard signing and payload encryption on every request, in core's order: the body is
 * encrypted, then signed over the exact bytes sent ([MastercardAuth.prepare]); the answer's body
 * is decrypted before the caller reads it ([MastercardAuth.response]).
 *
 * ```
 * val auth = MastercardAuth(signer, encryption)
 * val client = OkHttpClient.Builder().addInterceptor(MastercardInterceptor(auth)).build()
 * ```
 */
class MastercardInterceptor(private val auth: MastercardAuth) : Interceptor {
    override fun intercept(chain: Interceptor.Chain): Response {
        val request = chain.request()
        val original = request.body
        val bytes = original?.let { b -> Buffer().also { b.writeTo(it) }.readByteArray() } ?: ByteArray(0)
        val prepared = auth.prepare(request.method, request.url.toString(), bytes)
        val builder = request.newBuilder()
        if (prepared.bodyChanged) {
            builder.method(request.method, prepared.body.toRequestBody(original?.contentType()))
        }
        prepared.headers.forEach { (name, value) -> builder.header(name, value) }
        val response = chain.proceed(builder.build())
        val body = response.body ?: return response
        val raw = body.bytes()
        val headers = response.headers.associate { (name, value) -> name to value }
        val clear = auth.response(raw, headers)
        return response.newBuilder().body(clear.toResponseBody(body.contentType())).build()
    }

    override fun toString(): String = "MastercardInterceptor"
}
