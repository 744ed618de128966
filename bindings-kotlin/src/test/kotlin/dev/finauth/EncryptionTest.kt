package dev.finauth

import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.boolean
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import dev.finauth.okhttp.MastercardInterceptor
import okhttp3.MediaType.Companion.toMediaType
import okhttp3.OkHttpClient
import okhttp3.Request
import okhttp3.RequestBody.Companion.toRequestBody
import java.io.File

/**
 * Mastercard payload encryption through the JVM binding: the payloads Mastercard's Java library
 * encrypted decrypt, every reference case round-trips, Mastercard's published tokens decrypt,
 * damage is an `Encryption` exception, and keys and options fail with the right kinds.
 */
class EncryptionTest {
    private val keys = File(System.getProperty("finauth.encryptionKeys") ?: "../core/tests/encryption-keys")
    private val ref = File(System.getProperty("finauth.encryptionReference") ?: "../core/tests/encryption-reference")
    private val cases = Json.parseToJsonElement(File(ref, "cases.json").readText()).jsonArray.map { it.jsonObject }

    private fun cert() = EncryptionCertificate.fromFile(File(keys, "client-encryption-cert.pem").path)

    private fun key() = DecryptionKey.fromFile(File(keys, "client-encryption-key.p12").path, "keystorepassword")

    private fun String.str(o: JsonObject) = o[this]!!.jsonPrimitive.content

    private fun pairs(e: JsonElement) = e.jsonArray.map { p -> p.jsonArray.let { it[0].jsonPrimitive.content to it[1].jsonPrimitive.content } }

    /** Each case's configuration, as bindings-node/test/encryption.test.js builds it. */
    private fun config(c: JsonObject): PayloadEncryption {
        val b = PayloadEncryption.builder("scheme".str(c)).encryptionCertificate(cert()).decryptionKey(key())
        pairs(c["encryptionPaths"]!!).forEach { (i, o) -> b.encryptionPath(i, o) }
        pairs(c["decryptionPaths"]!!).forEach { (i, o) -> b.decryptionPath(i, o) }
        c["encryptedValueFieldName"]?.let { b.encryptedValueFieldName(it.jsonPrimitive.content) }
        c["fle"]?.jsonObject?.let { fle ->
            b.fieldEncoding("encoding".str(fle).lowercase()).oaep("oaep".str(fle)).headerMode(fle["headerMode"]!!.jsonPrimitive.boolean)
        }
        return b.build()
    }

    private fun json(bytes: ByteArray) = Json.parseToJsonElement(bytes.toString(Charsets.UTF_8))

    @Test
    fun `the Java library's payloads decrypt and every case round-trips`() {
        assertEquals(14, cases.size)
        for (c in cases) {
            val name = "name".str(c)
            val payload = c["payload"]!!
            val enc = config(c)
            val headerMode = c["fle"]?.jsonObject?.get("headerMode")?.jsonPrimitive?.boolean == true
            assertEquals(if (c.containsKey("fle")) "fle" else "jwe", enc.scheme(), name)

            val vector = Json.parseToJsonElement(File(ref, "vectors/$name.json").readText()).jsonObject
            val headers = vector["headers"]?.jsonObject?.mapValues { it.value.jsonPrimitive.content } ?: emptyMap()
            val clear = enc.decryptResponse(vector["payload"]!!.toString().toByteArray(), headers)
            assertEquals(payload, json(clear), name)

            val r = enc.encryptRequest(payload.toString().toByteArray())
            assertNotEquals(payload, json(r.body), name)
            assertEquals(headerMode, r.headers.isNotEmpty(), name)
            // header names are case-insensitive
            val upper = r.headers.mapKeys { it.key.uppercase() }
            assertEquals(payload, json(enc.decryptResponse(r.body, upper)), name)
            if (!headerMode) {
                assertEquals(payload, Json.parseToJsonElement(enc.decryptPayload(enc.encryptPayload(payload.toString()))), name)
                assertEquals(payload, json(enc.decryptPayloadBytes(enc.encryptPayloadBytes(payload.toString().toByteArray()))), name)
            } else {
                assertThrows<FinauthException.Config>(name) { enc.encryptPayload(payload.toString()) }
            }
        }
    }

    @Test
    fun `Mastercard's published JWE tokens decrypt`() {
        val base = File(ref, "mastercard-vectors")
        val vectors = Json.parseToJsonElement(File(base, "vectors.json").readText()).jsonArray.map { it.jsonObject }
        val enc = PayloadEncryption(decryptionKey = DecryptionKey.fromFile(File(base, "test_key_pkcs8-2048.der").path))
        val tokens = vectors.filter { "kind".str(it) == "jwe-token" }
        assertTrue(tokens.size >= 8)
        for (v in tokens) {
            val expected = "expected".str(v)
            val body = JsonObject(mapOf("encryptedData" to v["token"]!!)).toString()
            val clear = Json.parseToJsonElement(enc.decryptPayload(body))
            // a plaintext that is not JSON (`bar`) comes back as a JSON string
            if (clear is JsonPrimitive && clear.isString) {
                assertEquals(expected, clear.content, "test".str(v))
            } else {
                assertEquals(Json.parseToJsonElement(expected), clear, "test".str(v))
            }
        }
    }

    @Test
    fun `a tampered JWE is an Encryption exception`() {
        val enc = PayloadEncryption("jwe", "", cert(), key())
        val text = enc.encryptPayload("""{"pan":"5123450000000008"}""")
        val out = Json.parseToJsonElement(text).jsonObject
        assertEquals(setOf("encryptedData"), out.keys)
        val parts = "encryptedData".str(out).split('.').toMutableList()
        parts[3] = (if (parts[3].startsWith("A")) "B" else "A") + parts[3].substring(1)
        val tampered = JsonObject(mapOf("encryptedData" to JsonPrimitive(parts.joinToString(".")))).toString()
        val e = assertThrows<FinauthException.Encryption> { enc.decryptPayload(tampered) }
        assertEquals("ENCRYPTION", e.kind())
        assertThrows<FinauthException.Encryption> { enc.decryptPayload("not json") }
        assertThrows<FinauthException.Encryption> { enc.decryptPayloadBytes(byteArrayOf(0xff.toByte(), 0xfe.toByte())) }
        // an answer without encrypted values comes back unchanged
        assertEquals("""{"Errors":[]}""", enc.decryptPayload("""{"Errors":[]}"""))
        assertEquals(0, enc.encryptRequest(ByteArray(0)).body.size)
    }

    @Test
    fun `keys load from files and bytes, fail as SigningKey, and show no key material`() {
        val cert = cert()
        val fp = cert.keyFingerprint()
        assertEquals(64, fp.length)
        assertEquals(2048, cert.bits())
        assertNotNull(cert.certificateFingerprint())
        assertTrue(cert.toString().contains(fp) && cert.toString().contains("2048"), cert.toString())
        assertEquals(fp, EncryptionCertificate.fromBytes(File(keys, "client-encryption-cert.der").readBytes()).keyFingerprint())
        assertEquals(fp, Finauth.loadEncryptionCertificate(File(keys, "client-encryption-cert-sha1.pem").readText()).keyFingerprint())

        val key = key()
        assertEquals(fp, key.keyFingerprint())
        assertEquals(2048, key.bits())
        assertEquals(fp, DecryptionKey.fromBytes(File(keys, "client-encryption-key.der").readBytes()).keyFingerprint())
        assertEquals(fp, Finauth.loadDecryptionKey(File(keys, "client-encryption-key.pem").readText()).keyFingerprint())
        assertEquals(
            fp,
            DecryptionKey.fromFile(File(keys, "client-encryption-key-legacy.p12").path, "keystorepassword", "mc-encryption").keyFingerprint(),
        )
        val pem = File(keys, "client-encryption-key.pem").readText().lines().filter { it.isNotBlank() && !it.startsWith("-----") }
        val shown = key.toString()
        assertEquals("DecryptionKey(RSA-2048, [REDACTED])", shown)
        assertTrue(pem.none { shown.contains(it.take(16)) })
        val enc = PayloadEncryption("jwe", "", cert, key)
        assertFalse(enc.toString().contains("BEGIN"))

        val wrong = assertThrows<FinauthException.SigningKey> {
            DecryptionKey.fromFile(File(keys, "client-encryption-key.p12").path, "wrong-password")
        }
        assertEquals("SIGNING_KEY", wrong.kind())
        assertFalse(wrong.description.contains("wrong-password"), wrong.description)
        assertThrows<FinauthException.SigningKey> { EncryptionCertificate.fromFile(File(keys, "missing.pem").path) }
        assertThrows<FinauthException.SigningKey> { EncryptionCertificate.fromBytes("nope".toByteArray()) }
    }

    @Test
    fun `options are checked by core and the builder escapes what it writes`() {
        val unknown = assertThrows<FinauthException.Config> { PayloadEncryption("jwe", """{"encryptionPath": {}}""", cert()) }
        assertEquals("CONFIG", unknown.kind())
        assertTrue(unknown.description.contains("encryptionPath"), unknown.description)
        assertThrows<FinauthException.Config> { PayloadEncryption("jwe", """{"fieldEncoding": "hex"}""", cert()) }
        assertThrows<FinauthException.Config> { PayloadEncryption("rot13", "", cert()) }
        assertThrows<FinauthException.Config> { PayloadEncryption() }
        assertThrows<FinauthException.Config> { PayloadEncryption.builder().encryptionCertificate(cert()).ivSize(13).build() }

        // A field name with quotes, a backslash, a control character and non-ASCII text.
        val field = "we\"ird\\ name\n\u0001é"
        val b = PayloadEncryption.builder().encryptionCertificate(cert()).decryptionKey(key())
            .encryptionPaths(mapOf("$.card" to "$.protected")).encryptedValueFieldName(field)
        assertEquals(field, Json.parseToJsonElement(b.optionsJson()).jsonObject["encryptedValueFieldName"]!!.jsonPrimitive.content)
        val enc = b.build()
        val out = Json.parseToJsonElement(enc.encryptPayload("""{"card":{"pan":"5123450000000008"}}""")).jsonObject
        assertEquals(setOf(field), out["protected"]!!.jsonObject.keys)

        // Field-level with custom field names and header names.
        val fle = PayloadEncryption.builder("fle").encryptionCertificate(cert()).decryptionKey(key())
            .fieldNames(mapOf("iv" to "initVector", "oaepHashingAlgorithm" to null)).build()
        val fout = Json.parseToJsonElement(fle.encryptPayload("""{"a":1}""")).jsonObject
        assertTrue("initVector" in fout && "iv" !in fout && "oaepHashingAlgorithm" !in fout, fout.toString())
        assertEquals("""{"a":1}""", fle.decryptPayload(fout.toString()))
        val hm = PayloadEncryption.builder("fle").encryptionCertificate(cert()).decryptionKey(key())
            .headerMode(mapOf("iv" to "x-my-iv")).fieldEncoding("base64").oaep("sha512").build()
        val r = hm.encryptRequest("""{"a":[1,2]}""".toByteArray())
        assertTrue("x-my-iv" in r.headers && "x-encrypted-key" in r.headers, r.headers.toString())
        assertEquals(JsonArray(listOf(JsonPrimitive(1), JsonPrimitive(2))), json(hm.decryptResponse(r.body, r.headers)).jsonObject["a"])
        assertThrows<FinauthException.Config> {
            PayloadEncryption.builder("fle").encryptionCertificate(cert()).headerMode(mapOf("ivv" to "x")).build()
        }
    }

    @Test
    fun `MastercardInterceptor encrypts, signs the bytes sent and decrypts the answer (sandbox)`() {
        Sandbox().use { sandbox ->
            val oauth1Keys = File(System.getProperty("finauth.keys") ?: "../core/tests/oauth1-keys")
            val ck = "kt-enc"
            val pub = File(oauth1Keys, "public.pem").readText()
            sandbox.admin("POST", "/__admin/oauth1-keys", JsonObject(mapOf("consumer_key" to JsonPrimitive(ck), "public_key_pem" to JsonPrimitive(pub))).toString())
            val spec = JsonObject(
                mapOf(
                    "decryptionKeyPem" to JsonPrimitive(File(keys, "client-encryption-key.pem").readText()),
                    "encryptionCertificatePem" to JsonPrimitive(File(keys, "client-encryption-cert.pem").readText()),
                    "options" to Json.parseToJsonElement("""{"decryptionPaths": {"$.encryptedCard.encryptedData": "$.card"}}"""),
                ),
            )
            sandbox.admin("POST", "/__admin/encryption", spec.toString())
            val signer = OAuth1Signer(ck, loadPem(File(oauth1Keys, "pkcs8.pem").path))
            val enc = PayloadEncryption.builder("jwe").encryptionCertificate(cert()).decryptionKey(key())
                .encryptionPath("$.card", "$.encryptedCard").build()
            val client = OkHttpClient.Builder().addInterceptor(MastercardInterceptor(MastercardAuth(signer, enc))).build()
            val payload = """{"card":{"pan":"5123450000000008"},"amount":10}"""
            val request = Request.Builder().url("${sandbox.url}/encrypted/payments?x=1")
                .post(payload.toRequestBody("application/json".toMediaType())).build()
            client.newCall(request).execute().use { resp ->
                assertEquals(200, resp.code)
                val clear = Json.parseToJsonElement(resp.body!!.string()).jsonObject
                assertEquals(Json.parseToJsonElement(payload), clear["received"])
                assertEquals(ck, clear["consumer_key"]!!.jsonPrimitive.content)
            }
            assertThrows<FinauthException.Config> { MastercardAuth(null, null) }
        }
    }
}
