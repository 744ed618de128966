package dev.finauth.okhttp

import dev.finauth.OAuth1Signer
import okhttp3.Interceptor
import okhttp3.Response
import okio.Buffer

/**
 * Signs every request for a Mastercard API with one-legged OAuth 1.0a: the `Authorization`
 * header is computed by the core over the method, the full URL and the exact body bytes sent.
 *
 * ```
 * val client = OkHttpClient.Builder().addInterceptor(OAuth1Interceptor(signer)).build()
 * ```
 */
class OAuth1Interceptor(private val signer: OAuth1Signer) : Interceptor {
    override fun intercept(chain: Interceptor.Chain): Response {
        val request = chain.request()
        val body = request.body?.let { b ->
            Buffer().also { b.writeTo(it) }.readByteArray()
        }
        val header = signer.authorizationHeader(request.method, request.url.toString(), body)
        return chain.proceed(request.newBuilder().header("Authorization", header).build())
    }

    override fun toString(): String = "OAuth1Interceptor($signer)"
}
