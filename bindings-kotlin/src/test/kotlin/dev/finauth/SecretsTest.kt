package dev.finauth

import dev.finauth.okhttp.FinicityInterceptor
import dev.finauth.okhttp.OAuth1Interceptor
import dev.finauth.okhttp.OAuth2Interceptor
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.io.File

/** `toString()` of every object and exception never shows a secret, a key or a token. */
class SecretsTest {
    private val keys = File(System.getProperty("finauth.keys") ?: "../core/tests/oauth1-keys")

    private fun assertClean(text: String, vararg secrets: String) {
        for (s in secrets) assertFalse(text.contains(s), "'$text' shows a secret")
    }

    @Test
    fun `no toString shows a secret`() {
        Sandbox().use { sandbox ->
            val auth = sandbox.auth()
            val token = runBlocking { auth.token() }
            val headers = runBlocking { auth.headers() }
            val key = loadPem(File(keys, "pkcs8.pem").path)
            val pem = File(keys, "pkcs8.pem").readText().lines()[1].take(20)
            val signer = OAuth1Signer("ck", key)
            val redis = RedisStore("redis://user:RedisPassw0rd@127.0.0.1:1/0")
            val texts = listOf(
                auth, headers, key, signer, MemoryStore(), redis, Store.Redis(redis),
                FinicityInterceptor(auth), OAuth1Interceptor(signer), auth.stats(), auth.guardStatusBlocking(),
                sandbox.options(store = Store.Redis(redis)),
            ).map { it.toString() }
            for (t in texts) assertClean(t, SECRET, APP_KEY, token, pem, "RedisPassw0rd", "PRIVATE")
            assertTrue(texts[0].contains(PARTNER_ID))
        }
    }

    @Test
    fun `no exception shows a secret`() {
        Sandbox().use { sandbox ->
            val wrong = "WrongSecret-Visible1"
            val errors = listOf(
                assertThrows<FinauthException> { runBlocking { sandbox.auth(secret = wrong).token() } },
                assertThrows<FinauthException> { PartnerAuth(PARTNER_ID, wrong, "bad key\n") },
                assertThrows<FinauthException> { runBlocking { sandbox.auth(appKey = "unknown-app-key-7").token() } },
                assertThrows<FinauthException> { loadPkcs12(File(keys, "modern.p12").path, wrong) },
                assertThrows<FinauthException> { runBlocking { sandbox.auth().modifyPartnerSecret("short") } },
            )
            for (e in errors) {
                assertClean(e.toString(), wrong, "unknown-app-key-7", "short\"")
                assertClean(e.message ?: "", wrong, "unknown-app-key-7")
            }
        }
    }

    @Test
    fun `no OAuth 2_0 object or exception shows a secret, key, token or proof`() {
        Sandbox().use { sandbox ->
            val cc = sandbox.secretClient()
            val token = cc.tokenBlocking()
            val key = loadPem(File(keys, "pkcs8.pem").path)
            val pem = File(keys, "pkcs8.pem").readText().lines()[1].take(20)
            val dpop = sandbox.jwtClient("kt-secrets", key, dpop = true)
            val dpopHeaders = dpop.headersBlocking("GET", sandbox.resourceUrl())
            val proof = dpopHeaders.asMap()["DPoP"]!!
            val wrong = "wrong-client-secret-visible"
            val errors = listOf(
                assertThrows<FinauthException> { sandbox.secretClient(secret = wrong).tokenBlocking() },
                assertThrows<FinauthException> { ClientCredentials(sandbox.tokenUrl, CLIENT_ID, "bad\nsecret") },
                assertThrows<FinauthException> {
                    ClientCredentials(sandbox.tokenUrl, CLIENT_ID, wrong, "bad app key\n", sandbox.oauth2Options(authMethod = AuthMethod.FINICITY_JSON))
                },
            )
            val texts = listOf(
                cc, dpop, cc.headersBlocking("GET", sandbox.resourceUrl()), dpopHeaders, OAuth2Interceptor(dpop),
                sandbox.oauth2Options(signingKey = key, dpop = true), cc.stats(), cc.guardStatusBlocking(), key,
            ).map { it.toString() } + errors.flatMap { listOf(it.toString(), it.message ?: "") }
            for (t in texts) {
                assertClean(t, CLIENT_SECRET, APP_KEY, token, dpopHeaders.token(), proof, pem, "PRIVATE", wrong, "bad app key")
            }
            assertTrue(texts[0].contains(CLIENT_ID))
            assertFalse(key.publicJwk().contains("\"d\""))
        }
    }
}
