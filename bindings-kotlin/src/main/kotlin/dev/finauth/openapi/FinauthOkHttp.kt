package dev.finauth.openapi

import dev.finauth.ClientCredentials
import dev.finauth.FinauthException
import dev.finauth.MastercardAuth
import dev.finauth.OAuth1Signer
import dev.finauth.PartnerAuth
import dev.finauth.PayloadEncryption
import dev.finauth.okhttp.FinicityInterceptor
import dev.finauth.okhttp.MastercardInterceptor
import dev.finauth.okhttp.OAuth1Interceptor
import dev.finauth.okhttp.OAuth2Interceptor
import okhttp3.Interceptor
import okhttp3.OkHttpClient
import okhttp3.Response

/**
 * finauth for the `okhttp-gson` library of OpenAPI Generator (its default for Java): the
 * interceptors of `dev.finauth.okhttp` ([FinicityInterceptor], [OAuth2Interceptor],
 * [OAuth1Interceptor], [MastercardInterceptor]) for the generated `ApiClient`'s `OkHttpClient`.
 *
 * ```java
 * ApiClient apiClient = new ApiClient();
 * apiClient.setBasePath("https://api.finicity.com");
 * apiClient.setHttpClient(FinauthOkHttp.attach(apiClient.getHttpClient(), auth));
 * Customers customers = new CustomersApi(apiClient).getCustomers(null, null, null, null, null);
 * ```
 *
 * Headers are set by replacing, after the generated client set its own: its `ApiKeyAuth` for
 * `Finicity-App-Key`/`Finicity-App-Token` (or `Authorization`), whatever it holds, never goes
 * out. The interceptor is an application interceptor added last, so it sees the request the
 * generated client built, and a resend goes through the network interceptors again.
 *
 * What the caller sees when finauth stops a call: the interceptors here carry a
 * [FinauthException] as a [FinauthIOException], which the generated `ApiClient.execute` wraps in
 * its `ApiException` like any I/O failure: `catch (ApiException e)`, then
 * `FinauthOpenApi.finauthException(e)` is the `FinauthException.AccountLocked` (24302, recorded
 * for every client sharing the store), `Unauthorized` (rejected after the one resend) or `Config`
 * (a request core refuses: `AuthenticationApi.createToken`; nothing is sent). (The plain
 * `dev.finauth.okhttp` interceptors throw the finauth exception itself, which a Java caller of a
 * generated operation cannot catch by type, and which OkHttp's async calls turn into a crash of
 * the dispatcher thread.)
 */
object FinauthOkHttp {
    /** Finicity: [FinicityInterceptor]. */
    @JvmStatic
    fun interceptor(auth: PartnerAuth): Interceptor = Carrying(FinicityInterceptor(auth))

    /** OAuth 2.0 client credentials (Bearer or DPoP): [OAuth2Interceptor]. */
    @JvmStatic
    fun interceptor(auth: ClientCredentials): Interceptor = Carrying(OAuth2Interceptor(auth))

    /** Mastercard OAuth 1.0a signing of the exact bytes sent: [OAuth1Interceptor]. */
    @JvmStatic
    fun interceptor(signer: OAuth1Signer): Interceptor = Carrying(OAuth1Interceptor(signer))

    /** Mastercard payload encryption, then signing of the encrypted bytes: [MastercardInterceptor]. */
    @JvmStatic
    fun interceptor(auth: MastercardAuth): Interceptor = Carrying(MastercardInterceptor(auth))

    /**
     * [interceptor] of a `MastercardAuth(signer, encryption)`: either may be `null`, not both
     * (`Config`).
     */
    @JvmStatic
    @Throws(FinauthException::class)
    fun interceptor(signer: OAuth1Signer?, encryption: PayloadEncryption?): Interceptor =
        interceptor(MastercardAuth(signer, encryption))

    /** `client` with [interceptor]`(auth)` added last: for `apiClient.setHttpClient(...)`. */
    @JvmStatic
    fun attach(client: OkHttpClient, auth: PartnerAuth): OkHttpClient = attach(client, interceptor(auth))

    /** `client` with [interceptor]`(auth)` added last. */
    @JvmStatic
    fun attach(client: OkHttpClient, auth: ClientCredentials): OkHttpClient = attach(client, interceptor(auth))

    /** `client` with [interceptor]`(signer)` added last. */
    @JvmStatic
    fun attach(client: OkHttpClient, signer: OAuth1Signer): OkHttpClient = attach(client, interceptor(signer))

    /** `client` with [interceptor]`(auth)` added last. */
    @JvmStatic
    fun attach(client: OkHttpClient, auth: MastercardAuth): OkHttpClient = attach(client, interceptor(auth))

    private fun attach(client: OkHttpClient, interceptor: Interceptor): OkHttpClient =
        client.newBuilder().addInterceptor(interceptor).build()

    /** An interceptor whose finauth exceptions leave as a [FinauthIOException]. */
    private class Carrying(private val inner: Interceptor) : Interceptor {
        override fun intercept(chain: Interceptor.Chain): Response =
            try {
                inner.intercept(chain)
            } catch (e: FinauthException) {
                throw FinauthIOException(e)
            }

        override fun toString(): String = inner.toString()
    }
}
