package dev.finauth

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import org.junit.jupiter.api.fail
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.util.UUID
import java.util.concurrent.TimeUnit

/**
 * One token and one lockout guard for a fleet of JVMs: child JVMs (real processes, this test
 * classpath) and the test's own objects share a `FileStore` or a `RedisStore` (a real
 * redis-server from `FINAUTH_TEST_REDIS_URL`, which scripts/test.sh starts).
 */
class FleetTest {
    private val redisUrl: String? = System.getenv("FINAUTH_TEST_REDIS_URL")?.trim()?.ifEmpty { null }

    private fun requireRedis(): String {
        if (redisUrl == null && System.getenv("CI") != null) fail("FINAUTH_TEST_REDIS_URL is not set: CI must start scripts/redis-server.sh")
        assumeTrue(redisUrl != null, "FINAUTH_TEST_REDIS_URL is not set (FINAUTH_TEST_REDIS_URL=\$(bash scripts/redis-server.sh start))")
        return redisUrl!!
    }

    /** Start one child JVM per argument list, all at once; each prints `TOKEN <token>` or `ERROR <kind>`. */
    private fun children(argLists: List<List<String>>): List<String> {
        val java = File(System.getProperty("java.home"), "bin/java").path
        val forwarded = System.getProperties().stringPropertyNames()
            .filter { it.startsWith("uniffi.") || it.startsWith("jna.") }
            .map { "-D$it=${System.getProperty(it)}" }
        val processes = argLists.map { args ->
            ProcessBuilder(listOf(java) + forwarded + listOf("-cp", System.getProperty("java.class.path"), StoreChild::class.java.name) + args)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start()
        }
        return processes.map { p ->
            val out = p.inputStream.bufferedReader().readText().trim()
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "a child JVM did not finish")
            assertEquals(0, p.exitValue(), out)
            out
        }
    }

    private fun children(n: Int, vararg args: String): List<String> = children(List(n) { args.toList() })

    private fun tokens(lines: List<String>): Set<String> = lines.map {
        assertTrue(it.startsWith("TOKEN "), it)
        it.removePrefix("TOKEN ")
    }.toSet()

    @Test
    fun `four JVMs and this one sharing a FileStore authenticate once`(@TempDir dir: File) {
        Sandbox("--latency-ms", "500").use { sandbox ->
            val lines = children(4, sandbox.url, "file", dir.path, "", SECRET)
            val shared = tokens(lines)
            assertEquals(1, shared.size, lines.toString())
            val here = sandbox.auth(store = Store.File(FileStore(dir.path)))
            assertEquals(shared.single(), here.tokenBlocking())
            assertEquals(1L, here.stats().tokensAdopted)
            assertEquals(1L, sandbox.authRequests())
        }
    }

    @Test
    fun `four JVMs and this one sharing a RedisStore authenticate once`() {
        val url = requireRedis()
        val prefix = "finauth-jvm-${UUID.randomUUID()}"
        Sandbox("--latency-ms", "500").use { sandbox ->
            val lines = children(4, sandbox.url, "redis", url, prefix, SECRET)
            val shared = tokens(lines)
            assertEquals(1, shared.size, lines.toString())
            val here = sandbox.auth(store = Store.Redis(RedisStore(url, prefix = prefix)))
            assertEquals(shared.single(), here.tokenBlocking())
            assertEquals(1L, sandbox.authRequests())
        }
    }

    @Test
    fun `wrong secrets from four JVMs at once stay under the guard a RedisStore shares`() {
        val url = requireRedis()
        val prefix = "finauth-jvm-${UUID.randomUUID()}"
        Sandbox().use { sandbox ->
            // Each child its own wrong secret; StoreChild sets max_failed_attempts = 2.
            val lines = children((1..4).map { listOf(sandbox.url, "redis", url, prefix, "WrongSecret$it") })
            assertEquals(2L, sandbox.counter("auth_failures"), lines.toString())
            assertEquals(2, lines.count { it == "ERROR INVALID_CREDENTIALS" }, lines.toString())
            assertEquals(2, lines.count { it == "ERROR LOCKOUT_GUARD" }, lines.toString())
            // This JVM, even with the right secret, is refused without a request until an
            // operator resets the guard; then every JVM of the fleet gets through.
            val here = PartnerAuth(PARTNER_ID, SECRET, APP_KEY, sandbox.options(Store.Redis(RedisStore(url, prefix = prefix)), maxFailedAttempts = 2))
            assertThrows<FinauthException.LockoutGuard> { here.tokenBlocking() }
            assertEquals(2L, sandbox.counter("auth_requests"))
            here.resetLockoutGuardBlocking()
            assertEquals(1, tokens(children(1, sandbox.url, "redis", url, prefix, SECRET)).size)
            assertEquals(2L, sandbox.counter("auth_failures"))
        }
    }
}

/** One child JVM of [FleetTest]: URL, `file` or `redis`, the path or Redis URL, prefix, secret. */
object StoreChild {
    @JvmStatic
    fun main(args: Array<String>) {
        val (url, kind, where, prefix, secret) = args
        val store = if (kind == "file") Store.File(FileStore(where)) else Store.Redis(RedisStore(where, prefix = prefix))
        val options = PartnerAuthOptions(baseUrl = url, store = store, maxFailedAttempts = 2, allowInsecureLoopback = true)
        val auth = PartnerAuth(PARTNER_ID, secret, APP_KEY, options)
        try {
            println("TOKEN " + auth.tokenBlocking())
        } catch (e: FinauthException) {
            println("ERROR " + e.kind())
        } finally {
            auth.close()
        }
    }
}
