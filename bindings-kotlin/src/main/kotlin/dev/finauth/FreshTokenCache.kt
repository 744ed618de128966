package dev.finauth

import com.sun.jna.Native

/**
 * JNA direct mapping of `finauth_jvm_fresh_generation` (bindings-kotlin/src/fast.rs): a `long`
 * in and out, no JNA structures, a fraction of a µs where a uniffi call costs several.
 */
internal object FastPath {
    init {
        // The library uniffi loads (same override property), found the same way.
        Native.register(
            FastPath::class.java,
            System.getProperty("uniffi.component.finauth_jvm.libraryOverride") ?: "finauth_jvm",
        )
    }

    /** The generation (>= 0) of the fresh token of the object [id], or -1: take the slow path. */
    @JvmStatic
    external fun finauth_jvm_fresh_generation(id: Long): Long

    /**
     * 1 when the core would make an exchange for [method] [url] (UTF-8, [methodLen] and [urlLen]
     * bytes) on the object [id] (its `exchange()` succeeds), else 0: the caller takes the slow
     * path, where `exchange()` throws the core's error (the partner authentication endpoint, for
     * one). Byte arrays: JNA converts a `String` argument at a cost of µs.
     */
    @JvmStatic
    external fun finauth_jvm_exchange_admitted(id: Long, method: ByteArray, methodLen: Int, url: ByteArray, urlLen: Int): Int
}

/**
 * The string of the current token generation of one object, so a fresh `token()` crosses into
 * Rust with a number. [tokenAt] (a uniffi call) runs once per new token.
 */
internal class FreshTokenCache(private val id: Long, private val tokenAt: (Long) -> String?) {
    /** Immutable, published through one volatile field: a reader sees a matching pair. */
    private class Entry(@JvmField val generation: Long, @JvmField val token: String)

    @Volatile
    private var entry: Entry? = null

    /** The fresh token, or null when the caller must take the slow path (not fresh, or closed). */
    fun fresh(): String? {
        val g = FastPath.finauth_jvm_fresh_generation(id)
        if (g < 0) return null
        val e = entry
        if (e != null && e.generation == g) return e.token
        // A newer generation may have replaced g meanwhile: then null, and the slow path answers.
        val t = tokenAt(g) ?: return null
        entry = Entry(g, t)
        return t
    }

    /**
     * Whether the core makes an exchange for this request: asked (one direct call) before a
     * request goes out on the fast path, which makes none, so a request the core refuses takes
     * the slow path and fails there with the core's error.
     */
    fun admits(method: String, url: String): Boolean {
        val m = method.toByteArray(Charsets.UTF_8)
        val u = url.toByteArray(Charsets.UTF_8)
        return FastPath.finauth_jvm_exchange_admitted(id, m, m.size, u, u.size) == 1
    }
}
