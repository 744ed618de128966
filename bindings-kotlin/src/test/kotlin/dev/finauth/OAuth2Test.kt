package dev.finauth

import dev.finauth.okhttp.OAuth2Interceptor
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.long
import okhttp3.OkHttpClient
import okhttp3.Request
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.io.File
import java.time.Duration

/** OAuth 2.0 client credentials through the JVM binding, against the sandbox process. */
class OAuth2Test {
    private val keys = File(System.getProperty("finauth.keys") ?: "../core/tests/oauth1-keys")

    private fun rsaKey() = loadPem(File(keys, "pkcs8.pem").path)

    private fun ecKey() = loadKeyFile(File(keys, "ec.p12").path, "keystorepassword")

    private fun http(auth: ClientCredentials) =
        OkHttpClient.Builder().addInterceptor(OAuth2Interceptor(auth)).build()

    private fun get(client: OkHttpClient, url: String): Int =
        client.newCall(Request.Builder().url(url).build()).execute().use { it.code }

    @Test
    fun `every client secret method gets a token the resource accepts`() {
        Sandbox().use { sandbox ->
            for (method in listOf(AuthMethod.CLIENT_SECRET_BASIC, AuthMethod.CLIENT_SECRET_POST, AuthMethod.FINICITY_JSON)) {
                val cc = sandbox.secretClient(options = sandbox.oauth2Options(authMethod = method))
                assertEquals(method, cc.authMethod())
                assertEquals("Bearer", cc.tokenType())
                assertEquals(200, get(http(cc), sandbox.resourceUrl()))
            }
            val byMethod = sandbox.oauth2()["by_method"]!!.jsonObject.mapValues { it.value.jsonPrimitive.long }
            assertEquals(mapOf("client_secret_basic" to 1L, "client_secret_post" to 1L, "finicity_json" to 1L), byMethod)
            assertEquals(3L, sandbox.oauth2Counter("resource_ok"))
        }
    }

    @Test
    fun `private_key_jwt with RSA and EC keys and DPoP through the interceptor`() {
        Sandbox().use { sandbox ->
            for ((name, key) in listOf("kt-rsa" to rsaKey(), "kt-ec" to ecKey())) {
                val cc = sandbox.jwtClient(name, key, dpop = true)
                assertEquals("DPoP", cc.tokenType())
                val client = http(cc)
                repeat(2) { assertEquals(200, get(client, sandbox.resourceUrl("/accounts?page=$it"))) }
                val s = sandbox.oauth2(name)
                assertEquals(1L, s["tokens_issued"]!!.jsonPrimitive.long)
                assertEquals(2L, s["resource_ok"]!!.jsonPrimitive.long)
                assertEquals(1L, s["by_method"]!!.jsonObject["private_key_jwt"]!!.jsonPrimitive.long)
            }
            // A plain private_key_jwt client (Bearer tokens), suspend API.
            val bearer = sandbox.jwtClient("kt-bearer", rsaKey())
            val h = runBlocking { bearer.headers("GET", sandbox.resourceUrl()) }.asMap()
            assertEquals(setOf("Authorization"), h.keys)
            assertTrue(h["Authorization"]!!.startsWith("Bearer "))
        }
    }

    @Test
    fun `an issuer's metadata names the token endpoint, read once`() {
        Sandbox().use { sandbox ->
            sandbox.registerKey("kt-disc", ecKey())
            val issuer = "${sandbox.url}/oauth2"
            val cc = ClientCredentials.withIssuer(
                issuer, "kt-disc",
                options = sandbox.oauth2Options(authMethod = AuthMethod.PRIVATE_KEY_JWT, signingKey = ecKey(), dpop = true),
            )
            assertEquals(issuer, cc.issuer())
            val urls = runBlocking(Dispatchers.Default) { (1..20).map { async { cc.discover() } }.awaitAll() }
            assertEquals(setOf(sandbox.tokenUrl), urls.toSet())
            assertEquals(sandbox.tokenUrl, cc.discoverBlocking())
            assertEquals(sandbox.tokenUrl, cc.tokenUrl())
            // The issuer is the assertion's default audience; the sandbox accepts it.
            assertEquals(200, get(http(cc), sandbox.resourceUrl()))
            val metadata = sandbox.stats()["endpoints"]!!.jsonObject["GET /.well-known/oauth-authorization-server/oauth2"]
            assertEquals(1L, metadata!!.jsonPrimitive.long)
            assertTrue(cc.toString().contains("issuer=\"$issuer\""), cc.toString())

            val nowhere = Finauth.clientCredentialsWithIssuer(
                "${sandbox.url}/elsewhere", CLIENT_ID, CLIENT_SECRET, options = sandbox.oauth2Options(),
            )
            val e = assertThrows<FinauthException.Config> { nowhere.tokenBlocking() }
            assertTrue(e.message!!.contains("no metadata"), e.message)
        }
    }

    @Test
    fun `1000 concurrent coroutines on a cold cache make one token request`() {
        Sandbox("--latency-ms", "300").use { sandbox ->
            val cc = sandbox.secretClient()
            assertNull(cc.freshToken())
            val tokens = runBlocking(Dispatchers.Default) {
                (1..1000).map { async { cc.token() } }.awaitAll()
            }
            assertEquals(1, tokens.toSet().size)
            assertEquals(1L, sandbox.oauth2Counter("token_requests"))
            assertEquals(1L, cc.stats().authRequests)
            assertEquals(tokens[0], cc.freshToken())
        }
    }

    @Test
    fun `a nonce challenge costs exactly one retry, at the token endpoint and at the resource`() {
        Sandbox().use { sandbox ->
            sandbox.oauth2Config("""{"require_nonce": true}""")
            val cc = sandbox.jwtClient("kt-nonce", ecKey(), dpop = true)
            cc.tokenBlocking()
            var s = sandbox.oauth2("kt-nonce")
            assertEquals(listOf(2L, 1L, 1L), listOf("token_requests", "nonce_challenges", "tokens_issued").map { s[it]!!.jsonPrimitive.long })
            val client = http(cc)
            assertEquals(200, get(client, sandbox.resourceUrl()))
            assertEquals(1L, sandbox.oauth2Counter("resource_nonce_challenges", "kt-nonce"))
            // The nonce was learned: the next request needs no retry.
            assertEquals(200, get(client, sandbox.resourceUrl()))
            assertEquals(1L, sandbox.oauth2Counter("resource_nonce_challenges", "kt-nonce"))
            sandbox.admin("POST", "/__admin/oauth2/rotate-nonces")
            assertEquals(200, get(client, sandbox.resourceUrl()))
            s = sandbox.oauth2("kt-nonce")
            assertEquals(
                listOf(2L, 3L, 5L, 2L),
                listOf("resource_nonce_challenges", "resource_ok", "resource_requests", "token_requests").map { s[it]!!.jsonPrimitive.long },
            )
        }
    }

    @Test
    fun `an expired token is invalidated and refreshed once by the interceptor`() {
        Sandbox().use { sandbox ->
            val cc = sandbox.secretClient()
            val old = cc.tokenBlocking()
            sandbox.admin("POST", "/__admin/oauth2/expire-tokens", """{"client_id": "$CLIENT_ID"}""")
            val client = http(cc)
            assertEquals(200, get(client, sandbox.resourceUrl()))
            assertNotEquals(old, cc.tokenBlocking())
            assertEquals(2L, sandbox.oauth2Counter("tokens_issued"))
            assertEquals(1L, cc.stats().invalidations)
        }
    }

    @Test
    fun `the interceptor's reused Bearer headers follow an invalidation and a new token`() {
        Sandbox().use { sandbox ->
            // finicity_json: the reused headers carry the App Key beside the token.
            val cc = sandbox.secretClient(options = sandbox.oauth2Options(authMethod = AuthMethod.FINICITY_JSON))
            val client = http(cc)
            repeat(3) { assertEquals(200, get(client, sandbox.resourceUrl())) }
            val first = cc.tokenBlocking()
            sandbox.admin("POST", "/__admin/oauth2/expire-tokens", """{"client_id": "$CLIENT_ID"}""")
            // Locally still fresh: the reused headers go out, are refused, and one refresh follows.
            repeat(3) { assertEquals(200, get(client, sandbox.resourceUrl())) }
            assertNotEquals(first, cc.tokenBlocking())
            assertEquals(
                listOf(2L, 6L, 1L),
                listOf("tokens_issued", "resource_ok", "resource_rejected").map { sandbox.oauth2Counter(it) },
            )
            assertEquals(1L, cc.stats().invalidations)
        }
    }

    @Test
    fun `a token the resource keeps rejecting costs exactly one retry, then Unauthorized`() {
        Sandbox().use { sandbox ->
            // Tokens without expires_in, which the sandbox treats as expired at once: the
            // client keeps each for its default lifetime, the resource rejects every one.
            sandbox.oauth2Config("""{"expires_in": null, "implicit_lifetime": 0}""")
            val cc = sandbox.secretClient()
            // The core's rule, the same in every language: still rejected after the one resend.
            val e = assertThrows<FinauthException.Unauthorized> { get(http(cc), sandbox.resourceUrl()) }
            assertEquals(401, e.status)
            assertEquals(2L, sandbox.oauth2Counter("resource_requests"))
            assertEquals(2L, sandbox.oauth2Counter("resource_rejected"))
            assertEquals(2L, sandbox.oauth2Counter("tokens_issued"))
        }
    }

    @Test
    fun `a wrong client secret hammered by 50 coroutines stays under the guard`() {
        Sandbox().use { sandbox ->
            val wrong = "wrong-client-secret-xyz"
            val cc = sandbox.secretClient(secret = wrong, options = sandbox.oauth2Options(maxFailedAttempts = 3))
            val errors = runBlocking(Dispatchers.Default) {
                (1..50).map {
                    async {
                        try {
                            cc.token()
                            null
                        } catch (e: FinauthException) {
                            e
                        }
                    }
                }.awaitAll()
            }
            assertTrue(errors.all { it != null })
            val first = errors.filterIsInstance<FinauthException.InvalidCredentials>().first()
            assertEquals("invalid_client", first.error)
            assertNotNull(first.correlationId)
            assertTrue(sandbox.oauth2Counter("invalid_client") <= 3)
            // Hammered again, sequentially and blocking: the guard answers, the sandbox sees nothing.
            val before = sandbox.oauth2Counter("token_requests")
            repeat(20) { assertThrows<FinauthException.LockoutGuard> { cc.tokenBlocking() } }
            assertEquals(before, sandbox.oauth2Counter("token_requests"))
            assertTrue(sandbox.oauth2Counter("invalid_client") <= 3)
            for (e in errors) assertFalse(e.toString().contains(wrong) || (e!!.message ?: "").contains(wrong))
            assertFalse(cc.toString().contains(wrong))
            assertTrue(cc.guardStatusBlocking().failedAttempts in 1..3)
            cc.resetLockoutGuardBlocking()
            assertEquals(0, cc.guardStatusBlocking().failedAttempts)
        }
    }

    @Test
    fun `RFC 6749 errors carry error and errorDescription`() {
        Sandbox().use { sandbox ->
            sandbox.admin("POST", "/__admin/oauth2/clients", """{"client_id": "scoped", "client_secret": "scoped-s", "scopes": ["read"]}""")
            val cc = sandbox.secretClient(secret = "scoped-s", clientId = "scoped", options = sandbox.oauth2Options(scope = "read write"))
            assertEquals("read write", cc.scope())
            val e = assertThrows<FinauthException.Server> { runBlocking { cc.token() } }
            assertEquals(400, e.status)
            assertEquals("invalid_scope", e.error)
            assertTrue((e.errorDescription ?: "").contains("write"), e.errorDescription)
            assertEquals("SERVER", e.kind())
        }
    }

    @Test
    fun `without expires_in the default lifetime is used`() {
        Sandbox().use { sandbox ->
            sandbox.oauth2Config("""{"expires_in": null}""")
            // Refreshed at 75 % of 1.2 s.
            val cc = sandbox.secretClient(options = sandbox.oauth2Options(defaultLifetime = Duration.ofMillis(1200)))
            val first = cc.tokenBlocking()
            assertEquals(first, cc.tokenBlocking())
            Thread.sleep(1000)
            assertNotEquals(first, cc.tokenBlocking())
            assertEquals(2L, sandbox.oauth2Counter("tokens_issued"))
        }
    }

    @Test
    fun `DPoP headers carry a fresh proof per request and learnNonce remembers a nonce`() {
        Sandbox().use { sandbox ->
            val cc = sandbox.jwtClient("kt-headers", ecKey(), dpop = true)
            val a = cc.headersBlocking("PUT", sandbox.resourceUrl("/x?q=1"))
            val b = runBlocking { cc.headers("PUT", sandbox.resourceUrl("/x?q=1")) }
            assertEquals(setOf("Authorization", "DPoP"), a.asMap().keys)
            assertEquals("DPoP ${a.token()}", a.asMap()["Authorization"])
            assertNotEquals(a.asMap()["DPoP"], b.asMap()["DPoP"])
            assertTrue(cc.learnNonce(sandbox.resourceUrl(), mapOf("DPoP-Nonce" to "n-1")))
            assertFalse(cc.learnNonce(sandbox.resourceUrl(), mapOf("DPoP-Nonce" to "n-1")))
            assertThrows<FinauthException.Config> { cc.headersBlocking("GET", "not a url") }
        }
    }

    @Test
    fun `configuration mistakes are Config errors naming the field`() {
        assertThrows<FinauthException.Config> { ClientCredentials("https://as.example.com/token", "") }
        val jwt = assertThrows<FinauthException.Config> {
            ClientCredentials("https://as.example.com/token", "c", options = ClientCredentialsOptions(authMethod = AuthMethod.PRIVATE_KEY_JWT))
        }
        assertTrue(jwt.description.contains("signing_key"), jwt.description)
        assertThrows<FinauthException.Config> {
            ClientCredentials("http://as.example.com/token", "c", "s")
        }
        assumeTrue(System.getenv("FINAUTH_OAUTH2_TOKEN_URL") == null)
        val env = assertThrows<FinauthException.Config> { Finauth.clientCredentialsFromEnv() }
        assertTrue(env.description.contains("FINAUTH_OAUTH2_TOKEN_URL"), env.description)
    }
}
