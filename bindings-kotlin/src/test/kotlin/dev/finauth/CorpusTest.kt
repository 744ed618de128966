package dev.finauth

import dev.finauth.okhttp.FinicityInterceptor
import dev.finauth.okhttp.OAuth2Interceptor
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.boolean
import kotlinx.serialization.json.int
import kotlinx.serialization.json.jsonArray
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.long
import okhttp3.MediaType.Companion.toMediaType
import okhttp3.OkHttpClient
import okhttp3.Request
import okhttp3.RequestBody.Companion.toRequestBody
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.TestFactory
import org.junit.jupiter.api.assertThrows
import java.io.File
import java.util.Base64

/**
 * The request-policy conformance corpus (core/tests/exchange-corpus) through the OkHttp
 * interceptors: each case scripts the sandbox's answers, sends through a real OkHttp client,
 * then checks what the sandbox received, the outcome, the token requests, and whether every
 * caller is stopped afterwards.
 */
class CorpusTest {
    private val dir = File(System.getProperty("finauth.corpus") ?: "../core/tests/exchange-corpus")
    private val keys = File(System.getProperty("finauth.keys") ?: "../core/tests/oauth1-keys")

    private fun cases(): List<JsonObject> =
        dir.listFiles { f -> f.name.endsWith(".json") }!!.sortedBy { it.name }
            .map { Json.parseToJsonElement(it.readText()).jsonObject }

    @TestFactory
    fun `every corpus case through OkHttp`(): List<DynamicTest> {
        val all = cases()
        assertTrue(all.size >= 20, "the corpus is there")
        return all.map { c -> DynamicTest.dynamicTest(c["name"]!!.jsonPrimitive.content) { run(c) } }
    }

    private fun tokenRequests(sandbox: Sandbox, kind: String): Long =
        if (kind == "finicity") sandbox.authRequests() else sandbox.oauth2Counter("token_requests")

    private fun run(c: JsonObject) = Sandbox().use { sandbox ->
        val kind = c["auth"]!!.jsonPrimitive.content
        val expect = c["expect"]!!.jsonObject
        val path = if (kind == "finicity") "/aggregation/v1/customers" else "/oauth2/resource/accounts"
        sandbox.script(path, c["answers"].toString())
        val partner = if (kind == "finicity") sandbox.auth() else null
        val cc = if (kind == "finicity") {
            null
        } else {
            val key = if (kind == "oauth2-dpop") loadPem(File(keys, "ec.pem").path) else null
            sandbox.secretClient(options = sandbox.oauth2Options(signingKey = key, dpop = key != null))
        }
        val client = OkHttpClient.Builder()
            .addInterceptor(partner?.let { FinicityInterceptor(it) } ?: OAuth2Interceptor(cc!!))
            .build()
        val method = c["method"]?.jsonPrimitive?.content ?: "GET"
        val body = c["body"]?.jsonPrimitive?.content
        var outcome = ""
        repeat(c["requests"]?.jsonPrimitive?.int ?: 1) {
            val request = Request.Builder().url(sandbox.url + path)
                .method(method, body?.toRequestBody("application/json".toMediaType()))
                .build()
            outcome = try {
                client.newCall(request).execute().use { "status=${it.code}" }
            } catch (e: FinauthException) {
                "error=${e.kind()}"
            }
        }
        val result = expect["result"]!!.jsonObject
        val want = result["status"]?.let { "status=${it.jsonPrimitive.int}" } ?: "error=${result["error"]!!.jsonPrimitive.content}"
        assertEquals(want, outcome, "outcome")

        val received = sandbox.scriptReport()["received"]!!.jsonArray.map { it.jsonObject }
        assertEquals(expect["sent"]!!.jsonPrimitive.int, received.size, "requests sent")
        val labels = expect["tokens"]!!.jsonArray.map { it.jsonPrimitive.content }
        val seen = HashMap<String, String>()
        received.forEachIndexed { i, r ->
            val headers = r["headers"]!!.jsonObject
            val token = headers["finicity-app-token"]?.jsonPrimitive?.content
                ?: headers["authorization"]!!.jsonPrimitive.content.substringAfter(' ')
            val label = labels[i]
            val known = seen[label]
            if (known != null) {
                assertEquals(known, token, "request $i: token $label")
            } else {
                assertFalse(seen.containsValue(token), "request $i reused a token")
                seen[label] = token
            }
        }
        (expect["nonces"] as? JsonArray)?.forEachIndexed { i, want ->
            if (want is JsonNull) return@forEachIndexed
            val proof = received[i]["headers"]!!.jsonObject["dpop"]!!.jsonPrimitive.content
            val claims = Json.parseToJsonElement(String(Base64.getUrlDecoder().decode(proof.split('.')[1]))).jsonObject
            assertEquals(want.jsonPrimitive.content, claims["nonce"]?.jsonPrimitive?.content, "request $i nonce")
        }
        if (expect["same_bodies"]?.jsonPrimitive?.boolean == true) {
            val first = received[0]["body"]!!.jsonPrimitive.content
            assertTrue(first.isNotEmpty() && received.all { it["body"]!!.jsonPrimitive.content == first }, "body resent whole")
        }
        assertEquals(expect["token_requests"]!!.jsonPrimitive.long, tokenRequests(sandbox, kind), "token requests")
        val before = tokenRequests(sandbox, kind)
        if (expect["locked_after"]!!.jsonPrimitive.boolean) {
            assertThrows<FinauthException.AccountLocked> { partner?.tokenBlocking() ?: cc!!.tokenBlocking() }
            assertEquals(before, tokenRequests(sandbox, kind), "stopped without a request")
        } else {
            partner?.tokenBlocking() ?: cc!!.tokenBlocking()
        }
        partner?.close()
        cc?.close()
    }
}
