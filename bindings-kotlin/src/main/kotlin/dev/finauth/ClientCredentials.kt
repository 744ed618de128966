package dev.finauth

/**
 * OAuth 2.0 client credentials: one token per (token URL, client id, scope set), refreshed at
 * 75 % of its lifetime and shared by every coroutine and thread (and, with a `FileStore` or
 * `RedisStore`, every process), behind the lockout guard. With `dpop`, tokens are DPoP-bound
 * and `headers(method, url)` adds a fresh proof per request.
 *
 * Every method is the generated [NativeClientCredentials]'s; `token()`, `tokenBlocking()` and
 * `freshToken()` answer a fresh token through [FreshTokenCache] (one direct JNA call) instead
 * of a uniffi call.
 */
open class ClientCredentials : NativeClientCredentials {
    /**
     * Validate the configuration and build; every mistake is a `Config` exception naming the
     * field. `clientSecret` for the secret methods and `FINICITY_JSON`; `appKey` (the
     * `Finicity-App-Key`) for `FINICITY_JSON`. Nothing is sent until the first `token()`.
     */
    @Throws(FinauthException::class)
    constructor(
        tokenUrl: String,
        clientId: String,
        clientSecret: String? = null,
        appKey: String? = null,
        options: ClientCredentialsOptions? = null,
    ) : super(tokenUrl, clientId, clientSecret, appKey, options)

    private constructor(withHandle: UniffiWithHandle, handle: Long) : super(withHandle, handle)

    private val cache = FreshTokenCache(fastId()) { freshTokenAt(it) }

    /** Whether the core would make an exchange for this request (the fast path sends only then). */
    internal fun admits(method: String, url: String): Boolean = cache.admits(method, url)

    /** The cached token if no refresh is due yet (no waiting, no I/O), else `null`. */
    override fun freshToken(): String? = cache.fresh() ?: super.freshToken()

    /**
     * A valid access token: from memory when fresh, otherwise one token request serves every
     * concurrent caller.
     */
    @Throws(FinauthException::class)
    override suspend fun token(): String = cache.fresh() ?: super.token()

    /** `token()` for threads that do not use coroutines. */
    @Throws(FinauthException::class)
    override fun tokenBlocking(): String = cache.fresh() ?: super.tokenBlocking()

    companion object {
        /**
         * Build from `FINAUTH_OAUTH2_TOKEN_URL`, `FINAUTH_OAUTH2_CLIENT_ID` and the optional
         * `FINAUTH_OAUTH2_CLIENT_SECRET`, `_AUTH_METHOD`, `_SCOPE`, `_KEY` (a key file),
         * `_KEY_PASSWORD`, `_KEY_ALIAS`, `_KEY_ID`, `_AUDIENCE`, `_DPOP` (`1`),
         * `FINICITY_APP_KEY`, `FINAUTH_STORE`, `FINAUTH_MAX_FAILED_ATTEMPTS`, `FINAUTH_TIMEOUT`,
         * `FINAUTH_ALLOW_INSECURE_LOOPBACK`.
         */
        /**
         * With the issuer identifier instead of the token URL: the token endpoint is read from
         * the issuer's RFC 8414 / OpenID Connect metadata (once per process and store), and the
         * assertion's default audience is the issuer. `discover()` reads it at start-up.
         */
        @Throws(FinauthException::class)
        @JvmStatic
        @JvmOverloads
        fun withIssuer(
            issuer: String,
            clientId: String,
            clientSecret: String? = null,
            appKey: String? = null,
            options: ClientCredentialsOptions? = null,
        ): ClientCredentials {
            val native = NativeClientCredentials.withIssuer(issuer, clientId, clientSecret, appKey, options)
            try {
                return ClientCredentials(UniffiWithHandle, native.uniffiCloneHandle())
            } finally {
                native.destroy()
            }
        }

        @Throws(FinauthException::class)
        fun fromEnv(): ClientCredentials {
            val native = NativeClientCredentials.fromEnv()
            try {
                return ClientCredentials(UniffiWithHandle, native.uniffiCloneHandle())
            } finally {
                native.destroy()
            }
        }
    }
}
