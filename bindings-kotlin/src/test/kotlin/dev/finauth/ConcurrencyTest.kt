package dev.finauth

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

class ConcurrencyTest {
    @Test
    fun `1000 concurrent coroutines on a cold cache authenticate once`() {
        // Latency keeps the one authentication in flight while every coroutine arrives.
        Sandbox("--latency-ms", "300").use { sandbox ->
            val auth = sandbox.auth()
            assertEquals(null, auth.freshToken())
            val tokens = runBlocking(Dispatchers.Default) {
                (1..1000).map { async { auth.token() } }.awaitAll()
            }
            assertEquals(1, tokens.toSet().size)
            assertEquals(1L, sandbox.authRequests())
            assertEquals(1L, auth.stats().authRequests)
            // Fresh afterwards: no further request.
            assertEquals(tokens[0], auth.freshToken())
            runBlocking { auth.token() }
            assertEquals(1L, sandbox.authRequests())
        }
    }

    @Test
    fun `a burst of invalidations for one old token causes one refresh`() {
        Sandbox().use { sandbox ->
            val auth = sandbox.auth()
            val old = runBlocking { auth.token() }
            sandbox.expireTokens()
            val dropped = runBlocking(Dispatchers.Default) {
                (1..50).map { async { auth.invalidate(old) } }.awaitAll()
            }
            assertEquals(1, dropped.count { it })
            val fresh = runBlocking(Dispatchers.Default) {
                (1..50).map { async { auth.token() } }.awaitAll().toSet()
            }
            assertEquals(1, fresh.size)
            assertEquals(2L, sandbox.authRequests())
        }
    }
}
