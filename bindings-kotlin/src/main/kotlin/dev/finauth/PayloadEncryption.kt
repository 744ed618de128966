package dev.finauth

/**
 * Builds a [PayloadEncryption] from typed options, written as the options JSON that core reads
 * and checks (every mistake is a `Config` exception naming it, at [build]). Mirrors the core
 * builder: defaults are those of Mastercard's Java library.
 *
 * ```kotlin
 * val enc = PayloadEncryption.builder("jwe")
 *     .encryptionCertificate(EncryptionCertificate.fromFile("mastercard-encryption.pem"))
 *     .decryptionKey(DecryptionKey.fromFile("my-keystore.p12", "password", "alias"))
 *     .encryptionPath("$.card", "$.encryptedCard")
 *     .decryptionPath("$.encryptedData", "$")
 *     .build()
 * ```
 *
 * From Java: `new PayloadEncryptionBuilder("fle").fieldEncoding("base64")...build()`.
 */
class PayloadEncryptionBuilder @JvmOverloads constructor(private val scheme: String = "jwe") {
    private var certificate: EncryptionCertificate? = null
    private var key: DecryptionKey? = null
    private val encryptionPaths = mutableListOf<Pair<String, String>>()
    private val decryptionPaths = mutableListOf<Pair<String, String>>()
    private var encryptedValueFieldName: String? = null
    private var keyId: String? = null
    private var ivSize: Int? = null
    private var fieldEncoding: String? = null
    private var oaep: String? = null
    private var fieldNames: Map<String, String?>? = null
    private var headerMode: Boolean? = null
    private var headerNames: Map<String, String?>? = null

    /** Mastercard's public key (the Client Encryption Key): requests are encrypted to it. */
    fun encryptionCertificate(certificate: EncryptionCertificate) = apply { this.certificate = certificate }

    /** Your private key (the Mastercard Encryption Key): responses are decrypted with it. */
    fun decryptionKey(key: DecryptionKey) = apply { this.key = key }

    /** Encrypt the node at [jsonPathIn] into the object at [jsonPathOut] (repeatable). */
    fun encryptionPath(jsonPathIn: String, jsonPathOut: String) = apply { encryptionPaths += jsonPathIn to jsonPathOut }

    /** [encryptionPath] for each `in → out` entry, in the map's order. */
    fun encryptionPaths(paths: Map<String, String>) = apply { paths.forEach { (i, o) -> encryptionPath(i, o) } }

    /** Decrypt the value at [jsonPathIn] into [jsonPathOut] (repeatable). */
    fun decryptionPath(jsonPathIn: String, jsonPathOut: String) = apply { decryptionPaths += jsonPathIn to jsonPathOut }

    /** [decryptionPath] for each `in → out` entry, in the map's order. */
    fun decryptionPaths(paths: Map<String, String>) = apply { paths.forEach { (i, o) -> decryptionPath(i, o) } }

    /** The member holding the encrypted value (`encryptedData` for JWE, `encryptedValue` for `fle`). */
    fun encryptedValueFieldName(name: String) = apply { encryptedValueFieldName = name }

    /** JWE: the `kid` of encrypted requests (default: the certificate's key fingerprint). */
    fun keyId(kid: String) = apply { keyId = kid }

    /** JWE: the GCM IV length of encrypted requests, 12 (the default) or 16. */
    fun ivSize(bytes: Int) = apply { ivSize = bytes }

    /** `fle`: `hex` (the default) or `base64`. */
    fun fieldEncoding(encoding: String) = apply { fieldEncoding = encoding }

    /** `fle`: the OAEP hash of the key wrap, `sha256` (the default) or `sha512`. */
    fun oaep(hash: String) = apply { oaep = hash }

    /**
     * `fle`: the member names of the parameters (`iv`, `encryptedKey`, `oaepHashingAlgorithm`,
     * `encryptionCertificateFingerprint`, `encryptionKeyFingerprint`); a `null` value leaves one out.
     */
    fun fieldNames(names: Map<String, String?>) = apply { fieldNames = names }

    /** `fle`: carry the parameters in Mastercard's default headers (`x-iv`, `x-encrypted-key`, ...). */
    fun headerMode(on: Boolean) = apply {
        headerMode = on
        headerNames = null
    }

    /** `fle`: the header mode with these header names (keys as in [fieldNames]). */
    fun headerMode(names: Map<String, String?>) = apply {
        headerMode = null
        headerNames = names
    }

    /** The options JSON handed to core (the `optionsJson` of the [PayloadEncryption] constructor). */
    fun optionsJson(): String {
        val members = mutableListOf<String>()
        fun add(name: String, value: String?) {
            if (value != null) members += "${jsonString(name)}:$value"
        }
        fun pairs(list: List<Pair<String, String>>) =
            list.joinToString(",", "[", "]") { (i, o) -> "[${jsonString(i)},${jsonString(o)}]" }
        fun names(map: Map<String, String?>) =
            map.entries.joinToString(",", "{", "}") { (k, v) -> "${jsonString(k)}:${v?.let(::jsonString) ?: "null"}" }
        if (encryptionPaths.isNotEmpty()) add("encryptionPaths", pairs(encryptionPaths))
        if (decryptionPaths.isNotEmpty()) add("decryptionPaths", pairs(decryptionPaths))
        add("encryptedValueFieldName", encryptedValueFieldName?.let(::jsonString))
        add("keyId", keyId?.let(::jsonString))
        add("ivSize", ivSize?.toString())
        add("fieldEncoding", fieldEncoding?.let(::jsonString))
        add("oaep", oaep?.let(::jsonString))
        add("fieldNames", fieldNames?.let(::names))
        add("headerMode", headerNames?.let(::names) ?: headerMode?.toString())
        return members.joinToString(",", "{", "}")
    }

    /** Validate and build; a mistake is a `Config` exception, a missing key too (one is needed). */
    @Throws(FinauthException::class)
    fun build(): PayloadEncryption = PayloadEncryption(scheme, optionsJson(), certificate, key)

    private companion object {
        fun jsonString(s: String): String {
            val out = StringBuilder(s.length + 2).append('"')
            for (c in s) {
                when {
                    c == '"' -> out.append("\\\"")
                    c == '\\' -> out.append("\\\\")
                    c < ' ' || c == '\u2028' || c == '\u2029' -> out.append("\\u%04x".format(c.code))
                    else -> out.append(c)
                }
            }
            return out.append('"').toString()
        }
    }
}

/** `PayloadEncryption.builder("fle")`: a [PayloadEncryptionBuilder] (Kotlin). */
fun PayloadEncryption.Companion.builder(scheme: String = "jwe"): PayloadEncryptionBuilder = PayloadEncryptionBuilder(scheme)

/** `decryptResponse` for a response without encryption headers (Kotlin). */
@Throws(FinauthException::class)
fun PayloadEncryption.decryptResponse(body: ByteArray): ByteArray = decryptResponse(body, emptyMap())
