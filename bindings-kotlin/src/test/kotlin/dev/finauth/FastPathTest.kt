package dev.finauth

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.util.concurrent.atomic.AtomicInteger
import kotlin.concurrent.thread

/**
 * The fresh-token fast path (FreshTokenCache, fast.rs): every way to a token agrees with the
 * uniffi path (`headersBlocking().token()`), follows a refresh, and a closed object throws
 * instead of crashing the JVM.
 */
class FastPathTest {
    @Test
    fun `PartnerAuth - the fast path agrees with the slow path and follows a refresh`() {
        Sandbox().use { sandbox ->
            val auth = sandbox.auth()
            assertNull(auth.freshToken())
            val first = auth.tokenBlocking() // cold: the slow path authenticates
            assertEquals(first, auth.tokenBlocking()) // fresh: the fast path
            assertEquals(first, auth.freshToken())
            assertEquals(first, runBlocking { auth.token() })
            assertEquals(first, auth.headersBlocking().token())
            assertEquals(1L, sandbox.authRequests())

            sandbox.expireTokens()
            assertTrue(auth.invalidateBlocking(first))
            assertNull(auth.freshToken())
            val second = runBlocking { auth.token() }
            assertNotEquals(first, second)
            assertEquals(second, auth.tokenBlocking())
            assertEquals(second, auth.freshToken())
            assertEquals(second, auth.headersBlocking().token())
            assertEquals(2L, sandbox.authRequests())
        }
    }

    @Test
    fun `ClientCredentials - the fast path agrees with the slow path and follows a refresh`() {
        Sandbox().use { sandbox ->
            val cc = sandbox.secretClient()
            assertNull(cc.freshToken())
            val first = runBlocking { cc.token() }
            assertEquals(first, cc.tokenBlocking())
            assertEquals(first, cc.freshToken())
            assertEquals(first, runBlocking { cc.token() })
            assertEquals(1L, sandbox.oauth2Counter("token_requests"))

            assertTrue(cc.invalidateBlocking(first))
            val second = cc.tokenBlocking()
            assertNotEquals(first, second)
            assertEquals(second, runBlocking { cc.token() })
            assertEquals(second, cc.freshToken())
            assertEquals(2L, sandbox.oauth2Counter("token_requests"))
        }
    }

    @Test
    fun `a closed object throws IllegalStateException, also while other threads call token`() {
        Sandbox().use { sandbox ->
            val auth = sandbox.auth()
            val token = auth.tokenBlocking()
            val threads = 8
            val answered = AtomicInteger()
            val refused = AtomicInteger()
            val other = AtomicInteger()
            // Each worker calls until the object is closed under it (30 s at most, so a broken
            // close fails the assertions below instead of hanging).
            val deadline = System.nanoTime() + 30_000_000_000L
            val workers = (1..threads).map {
                thread {
                    while (System.nanoTime() < deadline) {
                        try {
                            if (auth.tokenBlocking() == token) answered.incrementAndGet() else other.incrementAndGet()
                        } catch (e: IllegalStateException) {
                            refused.incrementAndGet()
                            break
                        } catch (e: Throwable) {
                            other.incrementAndGet()
                        }
                    }
                }
            }
            while (answered.get() < threads * 1_000 && System.nanoTime() < deadline) Thread.onSpinWait()
            auth.close()
            workers.forEach { it.join() }
            assertEquals(0, other.get())
            assertEquals(threads, refused.get())
            assertThrows<IllegalStateException> { auth.tokenBlocking() }
            assertThrows<IllegalStateException> { auth.freshToken() }
            assertThrows<IllegalStateException> { runBlocking { auth.token() } }
        }
    }
}
