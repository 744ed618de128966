package dev.finauth

/**
 * Static entry points for Java. The generated classes keep their factories in Kotlin companion
 * objects (`PartnerAuth.Companion.fromEnv()` from Java) and the key loaders in
 * `Finauth_jvmKt`, because uniffi cannot emit `@JvmStatic`; this object forwards to them.
 *
 * ```java
 * PartnerAuth auth = Finauth.partnerAuthFromEnv();
 * ClientCredentials cc = Finauth.clientCredentialsFromEnv();
 * SigningKey key = Finauth.loadPem("key.pem");
 * PayloadEncryption enc = Finauth.payloadEncryption("jwe", "",
 *     Finauth.loadEncryptionCertificate("mastercard.pem"),
 *     Finauth.loadDecryptionKey("my-keystore.p12", "password"));
 * ```
 *
 * Options records have a no-argument constructor and setters in Java:
 * `PartnerAuthOptions o = new PartnerAuthOptions(); o.setBaseUrl(url);`.
 */
object Finauth {
    /** [PartnerAuth.fromEnv]: `FINICITY_PARTNER_ID`, `FINICITY_PARTNER_SECRET`, `FINICITY_APP_KEY`, ... */
    @JvmStatic
    @Throws(FinauthException::class)
    fun partnerAuthFromEnv(): PartnerAuth = PartnerAuth.fromEnv()

    /** `new PartnerAuth(...)` with the options optional. */
    @JvmStatic
    @JvmOverloads
    @Throws(FinauthException::class)
    fun partnerAuth(
        partnerId: String,
        partnerSecret: String,
        appKey: String,
        options: PartnerAuthOptions? = null,
    ): PartnerAuth = PartnerAuth(partnerId, partnerSecret, appKey, options)

    /** [ClientCredentials.fromEnv]: the `FINAUTH_OAUTH2_*` variables. */
    @JvmStatic
    @Throws(FinauthException::class)
    fun clientCredentialsFromEnv(): ClientCredentials = ClientCredentials.fromEnv()

    /** `new ClientCredentials(...)` with the secret, App Key and options optional. */
    @JvmStatic
    @JvmOverloads
    @Throws(FinauthException::class)
    fun clientCredentials(
        tokenUrl: String,
        clientId: String,
        clientSecret: String? = null,
        appKey: String? = null,
        options: ClientCredentialsOptions? = null,
    ): ClientCredentials = ClientCredentials(tokenUrl, clientId, clientSecret, appKey, options)

    /** [ClientCredentials.withIssuer]: the token endpoint from the issuer's metadata. */
    @JvmStatic
    @JvmOverloads
    @Throws(FinauthException::class)
    fun clientCredentialsWithIssuer(
        issuer: String,
        clientId: String,
        clientSecret: String? = null,
        appKey: String? = null,
        options: ClientCredentialsOptions? = null,
    ): ClientCredentials = ClientCredentials.withIssuer(issuer, clientId, clientSecret, appKey, options)

    /** [dev.finauth.loadPem]: PEM text or the path of a PEM file. */
    @JvmStatic
    @JvmOverloads
    @Throws(FinauthException::class)
    fun loadPem(source: String, password: String? = null): SigningKey = dev.finauth.loadPem(source, password)

    /** [dev.finauth.loadPkcs12]: a `.p12` file. */
    @JvmStatic
    @JvmOverloads
    @Throws(FinauthException::class)
    fun loadPkcs12(path: String, password: String, alias: String? = null): SigningKey =
        dev.finauth.loadPkcs12(path, password, alias)

    /** [dev.finauth.loadPkcs12Bytes]: a `.p12` file's content. */
    @JvmStatic
    @JvmOverloads
    @Throws(FinauthException::class)
    fun loadPkcs12Bytes(bytes: ByteArray, password: String, alias: String? = null): SigningKey =
        dev.finauth.loadPkcs12Bytes(bytes, password, alias)

    /** [dev.finauth.loadKeyFile]: a key file of any supported format. */
    @JvmStatic
    @JvmOverloads
    @Throws(FinauthException::class)
    fun loadKeyFile(path: String, password: String? = null, alias: String? = null): SigningKey =
        dev.finauth.loadKeyFile(path, password, alias)

    /**
     * [EncryptionCertificate]: Mastercard's encryption certificate (or a public key), PEM or DER;
     * `source` is the PEM text (holding `-----BEGIN`) or the path of a file.
     */
    @JvmStatic
    @Throws(FinauthException::class)
    fun loadEncryptionCertificate(source: String): EncryptionCertificate =
        if (source.contains("-----BEGIN ")) {
            EncryptionCertificate.fromBytes(source.toByteArray(Charsets.UTF_8))
        } else {
            EncryptionCertificate.fromFile(source)
        }

    /** [EncryptionCertificate.fromBytes]: a certificate file's content, PEM or DER. */
    @JvmStatic
    @Throws(FinauthException::class)
    fun loadEncryptionCertificateBytes(bytes: ByteArray): EncryptionCertificate = EncryptionCertificate.fromBytes(bytes)

    /**
     * [DecryptionKey]: your decryption key, PKCS#12 (`password`, `alias`), PEM or DER; `source` is
     * the PEM text (holding `-----BEGIN`) or the path of a key file.
     */
    @JvmStatic
    @JvmOverloads
    @Throws(FinauthException::class)
    fun loadDecryptionKey(source: String, password: String? = null, alias: String? = null): DecryptionKey =
        if (source.contains("-----BEGIN ")) {
            DecryptionKey.fromBytes(source.toByteArray(Charsets.UTF_8), password, alias)
        } else {
            DecryptionKey.fromFile(source, password, alias)
        }

    /** [DecryptionKey.fromBytes]: a key file's content. */
    @JvmStatic
    @JvmOverloads
    @Throws(FinauthException::class)
    fun loadDecryptionKeyBytes(bytes: ByteArray, password: String? = null, alias: String? = null): DecryptionKey =
        DecryptionKey.fromBytes(bytes, password, alias)

    /** `new PayloadEncryption(...)` with the trailing arguments optional (`optionsJson` as in the README). */
    @JvmStatic
    @JvmOverloads
    @Throws(FinauthException::class)
    fun payloadEncryption(
        scheme: String = "jwe",
        optionsJson: String = "",
        encryptionCertificate: EncryptionCertificate? = null,
        decryptionKey: DecryptionKey? = null,
    ): PayloadEncryption = PayloadEncryption(scheme, optionsJson, encryptionCertificate, decryptionKey)

    /** A [PayloadEncryptionBuilder]: typed options instead of the options JSON. */
    @JvmStatic
    @JvmOverloads
    fun payloadEncryptionBuilder(scheme: String = "jwe"): PayloadEncryptionBuilder = PayloadEncryptionBuilder(scheme)
}
