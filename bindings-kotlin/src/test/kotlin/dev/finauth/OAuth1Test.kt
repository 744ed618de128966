package dev.finauth

import dev.finauth.okhttp.OAuth1Interceptor
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.long
import okhttp3.MediaType.Companion.toMediaType
import okhttp3.OkHttpClient
import okhttp3.Request
import okhttp3.RequestBody.Companion.toRequestBody
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.net.URLDecoder
import java.security.cert.CertificateFactory
import java.util.Base64

class OAuth1Test {
    private val keys = File(System.getProperty("finauth.keys") ?: "../core/tests/oauth1-keys")
    private val reference = File(System.getProperty("finauth.reference") ?: "../core/tests/oauth1-reference")

    private fun items(header: String): Map<String, String> {
        assertTrue(header.startsWith("OAuth "), header)
        return header.removePrefix("OAuth ").split(",").associate {
            val (k, v) = it.split("=", limit = 2)
            k to v.removeSurrounding("\"")
        }
    }

    @Test
    fun `headers from Kotlin equal Rust's and the Java reference's for the same nonce and timestamp`() {
        // expected.json is written by Mastercard's Java signer; core's Rust tests hold Rust to it.
        val expected = Json.parseToJsonElement(File(reference, "expected.json").readText()).jsonObject
        val ck = expected["consumer_key"]!!.jsonPrimitive.content
        val nonce = expected["nonce"]!!.jsonPrimitive.content
        val timestamp = expected["timestamp"]!!.jsonPrimitive.long
        val signer = OAuth1Signer(ck, loadPem(File(keys, "pkcs8.pem").path))
        val cases = expected["cases"]!!.jsonArray
        assertTrue(cases.size >= 80, "corpus has ${cases.size} cases")
        for (c in cases) {
            val o = c.jsonObject
            val method = o["method"]!!.jsonPrimitive.content
            val uri = o["uri"]!!.jsonPrimitive.content
            val body = o["body"]!!.jsonPrimitive.content
            val header = signer.authorizationHeaderWith(method, uri, body.toByteArray(), nonce, timestamp)
            val got = items(header)
            assertEquals(o["signature"]!!.jsonPrimitive.content, URLDecoder.decode(got["oauth_signature"], "UTF-8"), "$method $uri")
            assertEquals(nonce, got["oauth_nonce"])
            assertEquals(timestamp.toString(), got["oauth_timestamp"])
        }
    }

    @Test
    fun `every loader gives the same key`() {
        val loaded = listOf(
            loadPkcs12(File(keys, "modern.p12").path, "keystorepassword", "signing-key"),
            loadPkcs12(File(keys, "legacy.p12").path, "keystorepassword"),
            loadPkcs12Bytes(File(keys, "modern.p12").readBytes(), "keystorepassword"),
            loadPem(File(keys, "pkcs8.pem").path),
            loadPem(File(keys, "pkcs1.pem").readText()),
            loadPem(File(keys, "encrypted.pem").path, "test-password"),
        )
        val headers = loaded.map {
            assertEquals(2048, it.bits())
            OAuth1Signer("ck", it).authorizationHeaderWith("POST", "https://api.example.com/x?a=1", "{}".toByteArray(), "abcdefghijklmnop", 1700000000)
        }
        assertEquals(1, headers.toSet().size)
    }

    @Test
    fun `the OkHttp interceptor's requests are accepted by the sandbox verifier`(@TempDir dir: File) {
        val cert = File(keys, "cert.pem").inputStream().use { CertificateFactory.getInstance("X.509").generateCertificate(it) }
        val pub = File(dir, "public.pem")
        pub.writeText("-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".toByteArray()).encodeToString(cert.publicKey.encoded) + "\n-----END PUBLIC KEY-----\n")
        Sandbox("--oauth1-key", "jvm-consumer:${pub.path}").use { sandbox ->
            val key = loadPkcs12(File(keys, "modern.p12").path, "keystorepassword", "signing-key")
            for (method in listOf(SignatureMethod.RSA_SHA256, SignatureMethod.RSA_PSS)) {
                val client = OkHttpClient.Builder().addInterceptor(OAuth1Interceptor(OAuth1Signer("jvm-consumer", key, method))).build()
                val get = Request.Builder().url("${sandbox.url}/oauth1/payments?a=1&b=x%20y").build()
                client.newCall(get).execute().use { assertEquals(200, it.code, it.body?.string()) }
                val post = Request.Builder().url("${sandbox.url}/oauth1/payments")
                    .post("""{"amount":"1.00","note":"é"}""".toRequestBody("application/json".toMediaType())).build()
                client.newCall(post).execute().use { assertEquals(200, it.code, it.body?.string()) }
            }
            // A header signed for another URL is rejected: the verifier really checks.
            val signer = OAuth1Signer("jvm-consumer", key)
            val wrong = Request.Builder().url("${sandbox.url}/oauth1/payments")
                .header("Authorization", signer.authorizationHeader("GET", "${sandbox.url}/oauth1/other", null)).build()
            OkHttpClient().newCall(wrong).execute().use { assertEquals(401, it.code) }
            val oauth1 = sandbox.stats()["oauth1"]!!.jsonObject["jvm-consumer"]!!.jsonObject
            assertEquals(4L, oauth1["accepted"]!!.jsonPrimitive.long)
            assertEquals(1L, oauth1["rejected"]!!.jsonPrimitive.long)
        }
    }
}
