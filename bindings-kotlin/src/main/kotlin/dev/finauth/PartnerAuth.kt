package dev.finauth

/**
 * Finicity partner authentication: one token per Partner ID, refreshed before it expires and
 * shared by every coroutine and thread (and, with a `FileStore` or `RedisStore`, by every
 * process), behind a lockout guard that stops before the server locks the Partner ID.
 *
 * Every method is the generated [NativePartnerAuth]'s; `token()`, `tokenBlocking()` and
 * `freshToken()` answer a fresh token through [FreshTokenCache] (one direct JNA call) instead
 * of a uniffi call.
 */
open class PartnerAuth : NativePartnerAuth {
    /**
     * Validate the configuration and build; every mistake is a `Config` exception naming the
     * field. Nothing is sent until the first `token()`.
     */
    @Throws(FinauthException::class)
    constructor(
        partnerId: String,
        partnerSecret: String,
        appKey: String,
        options: PartnerAuthOptions? = null,
    ) : super(partnerId, partnerSecret, appKey, options)

    private constructor(withHandle: UniffiWithHandle, handle: Long) : super(withHandle, handle)

    private val cache = FreshTokenCache(fastId()) { freshTokenAt(it) }

    /** The App Key as last seen by this object: set by [setAppKey] or learnt from a slow path. */
    private val appKey = java.util.concurrent.atomic.AtomicReference<String?>(null)

    /** Use `appKey` from now on (tokens already issued keep working). */
    @Throws(FinauthException::class)
    override fun setAppKey(appKey: String) {
        super.setAppKey(appKey)
        // After the core has it: a slow path that read the old key cannot overwrite this.
        this.appKey.set(appKey)
    }

    /**
     * `Finicity-App-Key` and `Finicity-App-Token` from memory when the token is fresh and the App
     * Key known (one direct call, no uniffi), else `null`: the OkHttp interceptor's hot path.
     */
    internal fun freshHeaderPair(): Pair<String, String>? {
        val key = appKey.get() ?: return null
        val token = cache.fresh() ?: return null
        return key to token
    }

    /** Whether the core would make an exchange for this request (the fast path sends only then). */
    internal fun admits(method: String, url: String): Boolean = cache.admits(method, url)

    /** Remember the App Key a slow path read from the core, unless [setAppKey] came first. */
    internal fun learnAppKey(key: String) {
        appKey.compareAndSet(null, key)
    }

    /** The cached token if no refresh is due yet (no waiting, no I/O), else `null`. */
    override fun freshToken(): String? = cache.fresh() ?: super.freshToken()

    /**
     * A valid Finicity App Token: from memory when fresh, otherwise one authentication serves
     * every concurrent caller.
     */
    @Throws(FinauthException::class)
    override suspend fun token(): String = cache.fresh() ?: super.token()

    /** `token()` for threads that do not use coroutines. */
    @Throws(FinauthException::class)
    override fun tokenBlocking(): String = cache.fresh() ?: super.tokenBlocking()

    companion object {
        /**
         * Build from `FINICITY_PARTNER_ID`, `FINICITY_PARTNER_SECRET`, `FINICITY_APP_KEY` and the
         * optional `FINICITY_BASE_URL`, `FINAUTH_STORE`, `FINAUTH_MAX_FAILED_ATTEMPTS`,
         * `FINAUTH_REFRESH_AFTER`, `FINAUTH_TOKEN_LIFETIME`, `FINAUTH_TIMEOUT`,
         * `FINAUTH_ALLOW_INSECURE_LOOPBACK`.
         */
        @Throws(FinauthException::class)
        fun fromEnv(): PartnerAuth {
            val native = NativePartnerAuth.fromEnv()
            try {
                return PartnerAuth(UniffiWithHandle, native.uniffiCloneHandle())
            } finally {
                native.destroy()
            }
        }
    }
}
