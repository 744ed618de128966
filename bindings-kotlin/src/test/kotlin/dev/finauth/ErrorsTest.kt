package dev.finauth

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.net.ServerSocket
import java.time.Duration

/** Each error kind reachable from the JVM arrives as its exception class, with its fields. */
class ErrorsTest {
    private val keys = File(System.getProperty("finauth.keys") ?: "../core/tests/oauth1-keys")

    @Test
    fun `config errors name the field`() {
        val e = assertThrows<FinauthException.Config> { PartnerAuth("", SECRET, APP_KEY) }
        assertEquals("CONFIG", e.kind())
        assertTrue(e.description.contains("partner_id"), e.description)
        assertThrows<FinauthException.Config> {
            PartnerAuth(PARTNER_ID, SECRET, APP_KEY, PartnerAuthOptions(maxFailedAttempts = 5))
        }
    }

    @Test
    fun `a wrong secret is InvalidCredentials, then the guard refuses to resend it`() {
        Sandbox().use { sandbox ->
            val auth = sandbox.auth(secret = "WrongSecret1")
            val e = assertThrows<FinauthException.InvalidCredentials> { runBlocking { auth.token() } }
            assertEquals("INVALID_CREDENTIALS", e.kind())
            assertEquals(2, e.attemptsRemaining)
            assertEquals(10001, e.code)
            val g = assertThrows<FinauthException.LockoutGuard> { runBlocking { auth.headers() } }
            assertEquals("LOCKOUT_GUARD", g.kind())
            assertEquals(1, g.failedAttempts)
            assertEquals("secret_rejected", g.reason)
            assertTrue(g.hint.isNotEmpty())
            assertEquals(1L, sandbox.counter("auth_failures"))
        }
    }

    @Test
    fun `the guard stops wrong secrets at max_failed_attempts at the sandbox`() {
        Sandbox().use { sandbox ->
            val store = Store.Memory(MemoryStore())
            var refused = 0
            for (i in 0 until 10) {
                val auth = sandbox.auth(secret = "WrongSecret$i", store = store)
                try {
                    auth.tokenBlocking()
                } catch (e: FinauthException.LockoutGuard) {
                    refused++
                    assertEquals("attempts_exhausted", e.reason)
                    assertEquals(3, e.failedAttempts)
                } catch (e: FinauthException.InvalidCredentials) {
                    // the first three
                }
            }
            assertEquals(7, refused)
            assertTrue(sandbox.counter("auth_failures") <= 3)
            assertFalse(sandbox.partner()["locked"].toString().toBoolean())
            val status = sandbox.auth(store = store).guardStatusBlocking()
            assertEquals(0, status.attemptsRemaining)
            // Only an operator action clears it; then the right secret works.
            val right = sandbox.auth(store = store)
            right.resetLockoutGuardBlocking()
            assertTrue(right.tokenBlocking().isNotEmpty())
        }
    }

    @Test
    fun `24302 is AccountLocked with its code`() {
        Sandbox().use { sandbox ->
            sandbox.fault("\"locked\"")
            val e = assertThrows<FinauthException.AccountLocked> { sandbox.auth().tokenBlocking() }
            assertEquals(24302, e.code)
            assertEquals("ACCOUNT_LOCKED", e.kind())
        }
    }

    @Test
    fun `an unknown App Key is RateLimited with a hint`() {
        Sandbox().use { sandbox ->
            val e = assertThrows<FinauthException.RateLimited> {
                runBlocking { sandbox.auth(appKey = "not-a-known-key").token() }
            }
            assertEquals("RATE_LIMITED", e.kind())
            assertTrue(e.hint.isNotEmpty())
        }
    }

    @Test
    fun `a 429 carries Retry-After`() {
        Sandbox().use { sandbox ->
            sandbox.fault("""{"status": 429, "content_type": "application/json", "body": "{}"}""")
            val e = assertThrows<FinauthException.RateLimited> { sandbox.auth().tokenBlocking() }
            val after = e.retryAfter
            assertTrue(after == null || !after.isNegative)
        }
    }

    @Test
    fun `a 503 is Server with status and no secret verdict`() {
        Sandbox().use { sandbox ->
            sandbox.fault("""{"status": 503, "content_type": "text/html", "body": "<h1>down</h1>"}""")
            val e = assertThrows<FinauthException.Server> { sandbox.auth().tokenBlocking() }
            assertEquals(503, e.status)
            assertEquals("SERVER", e.kind())
        }
    }

    @Test
    fun `a closed port is Transport`() {
        val port = ServerSocket(0).use { it.localPort }
        val auth = PartnerAuth(
            PARTNER_ID, SECRET, APP_KEY,
            PartnerAuthOptions(baseUrl = "http://127.0.0.1:$port", allowInsecureLoopback = true),
        )
        val e = assertThrows<FinauthException.Transport> { runBlocking { auth.token() } }
        assertEquals("TRANSPORT", e.kind())
    }

    @Test
    fun `a slow server is Timeout with its duration`() {
        Sandbox().use { sandbox ->
            sandbox.fault("""{"delay_ms": 3000}""")
            val auth = sandbox.auth(timeout = Duration.ofMillis(500))
            val e = assertThrows<FinauthException.Timeout> { runBlocking { auth.token() } }
            assertEquals("TIMEOUT", e.kind())
            assertTrue(e.after >= Duration.ofMillis(500), e.after.toString())
        }
    }

    @Test
    fun `a FileStore on a file is Store`(@TempDir dir: File) {
        val notADir = File(dir, "file").also { it.writeText("x") }
        val e = assertThrows<FinauthException.Store> { FileStore(notADir.path) }
        assertEquals("STORE", e.kind())
    }

    @Test
    fun `a bad key is SigningKey and never holds the password`() {
        val e = assertThrows<FinauthException.SigningKey> {
            loadPkcs12(File(keys, "modern.p12").path, "wrong-secret-pw")
        }
        assertEquals("SIGNING_KEY", e.kind())
        assertFalse(e.toString().contains("wrong-secret-pw"))
        // An EC P-256 key loads (OAuth 2.0 uses it) but cannot sign OAuth 1.0a.
        val ec = loadPkcs12(File(keys, "ec.p12").path, "keystorepassword")
        assertThrows<FinauthException.SigningKey> { OAuth1Signer("ck", ec) }
        assertThrows<FinauthException.SigningKey> { loadPem(File(keys, "missing.pem").path) }
    }

    @Test
    fun `every kind is a FinauthException`() {
        val e: Exception = assertThrows<FinauthException> { PartnerAuth(PARTNER_ID, "", APP_KEY) }
        assertNotNull(e.message)
    }
}
