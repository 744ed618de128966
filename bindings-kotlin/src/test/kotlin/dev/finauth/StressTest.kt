package dev.finauth

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.io.TempDir
import java.io.File
import java.nio.file.Files
import java.time.Duration
import java.util.Collections
import java.util.concurrent.CyclicBarrier
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicIntegerArray

/**
 * 64 JVM threads through token expiry, invalidate storms and App Key rotation: on one
 * PartnerAuth, and spread over several objects sharing one FileStore directory.
 *
 * Every phase is fenced by a barrier, so the number of token generations is known: one cold
 * authentication, then per round one after the invalidate storm and one after the token expired.
 * The sandbox's count of authentication requests must equal it, as must the distinct tokens the
 * threads saw (two racing authentications would leave an unseen token). Every barrier and join
 * has a deadline, so a deadlock fails instead of hanging. Tokens are refreshed after
 * [REFRESH_AFTER] and expire at [LIFETIME]: the phases between two generations take a small
 * fraction of [REFRESH_AFTER], so no background refresh is due during them.
 */
class StressTest {
    private companion object {
        const val THREADS = 64
        const val ROUNDS = 3
        const val HAMMER_CALLS = 100
        val REFRESH_AFTER: Duration = Duration.ofMillis(2000)
        val LIFETIME: Duration = Duration.ofMillis(2300)

        /** A phase waits at most this long (deadlock detection, not a timing). */
        const val PHASE_DEADLINE_S = 30L
        const val GENERATIONS = 1L + 2 * ROUNDS

        fun rotatedKey(r: Int) = "$APP_KEY-rotated-$r"
    }

    private class Outcome(val seen: Set<String>, val dropped: List<Int>)

    /** Thread i uses auths[i % n]; threads 0..n-1 rotate their object's App Key. */
    private fun runRounds(sandbox: Sandbox, auths: List<PartnerAuth>): Outcome {
        val n = auths.size
        val barrier = CyclicBarrier(THREADS + 1)
        val seen = Collections.synchronizedSet(HashSet<String>())
        val dropped = AtomicIntegerArray(ROUNDS)
        val errors = Collections.synchronizedList(ArrayList<Throwable>())
        fun await() = barrier.await(PHASE_DEADLINE_S, TimeUnit.SECONDS)

        val threads = (0 until THREADS).map { i ->
            Thread {
                val auth = auths[i % n]
                try {
                    await() // cold start
                    seen.add(auth.tokenBlocking())
                    for (r in 0 until ROUNDS) {
                        await() // hammer the fresh token
                        val mine = (1..HAMMER_CALLS).map { auth.tokenBlocking() }.toSet()
                        assertEquals(1, mine.size, "the token changed while fresh")
                        seen.addAll(mine)
                        await() // the sandbox rotated the App Key: each object's leader follows
                        if (i < n) auth.setAppKey(rotatedKey(r))
                        repeat(10) { auth.headersBlocking() }
                        await()
                        val headers = auth.headersBlocking()
                        assertEquals(rotatedKey(r), headers.asMap()["Finicity-App-Key"])
                        seen.add(headers.token())
                        val old = auth.tokenBlocking()
                        await() // the invalidate storm: every thread rejects the same token
                        if (auth.invalidateBlocking(old)) dropped.incrementAndGet(r)
                        val new = auth.tokenBlocking()
                        assertNotEquals(old, new)
                        seen.add(new)
                        await() // idle while the token expires (the test thread sleeps)
                        await()
                        seen.add(auth.tokenBlocking())
                    }
                } catch (e: Throwable) {
                    errors.add(e)
                    barrier.reset() // breaks the barrier for everyone else
                }
            }.apply {
                isDaemon = true
                start()
            }
        }

        fun phase(action: () -> Unit = {}) {
            action()
            await()
        }
        try {
            phase() // cold start
            for (r in 0 until ROUNDS) {
                phase() // hammer
                phase {
                    sandbox.admin(
                        "POST", "/__admin/partners",
                        """{"partner_id": "$PARTNER_ID", "secret": "$SECRET", "app_key": "${rotatedKey(r)}"}""",
                    )
                }
                phase() // headers checked
                phase() // invalidate storm
                phase() // idle
                phase { Thread.sleep(LIFETIME.toMillis() + 300) } // expired
            }
        } catch (e: java.util.concurrent.BrokenBarrierException) {
            // A worker failed: its error is reported below.
        }
        val deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PHASE_DEADLINE_S)
        for (t in threads) t.join(maxOf(1L, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())))
        assertEquals(emptyList<Throwable>(), errors.take(3))
        assertEquals(0, threads.count { it.isAlive }, "threads did not finish (deadlock?)")
        return Outcome(seen.toSet(), (0 until ROUNDS).map { dropped.get(it) })
    }

    private fun checkGenerations(sandbox: Sandbox, auths: List<PartnerAuth>, seen: Set<String>) {
        assertEquals(GENERATIONS, sandbox.authRequests())
        assertEquals(GENERATIONS, sandbox.counter("auth_success"))
        assertEquals(GENERATIONS.toInt(), seen.size)
        assertEquals(GENERATIONS, auths.sumOf { it.stats().authRequests })
        assertEquals(0L, auths.sumOf { it.stats().refreshesAdvisory })
    }

    private fun options(sandbox: Sandbox, store: Store?) = PartnerAuthOptions(
        baseUrl = sandbox.url,
        store = store,
        refreshAfter = REFRESH_AFTER,
        tokenLifetime = LIFETIME,
        allowInsecureLoopback = true,
    )

    @Test
    fun `64 threads on one object through expiry, invalidate storms and rotation`() {
        Sandbox().use { sandbox ->
            PartnerAuth(PARTNER_ID, SECRET, APP_KEY, options(sandbox, null)).use { auth ->
                val outcome = runRounds(sandbox, listOf(auth))
                checkGenerations(sandbox, listOf(auth), outcome.seen)
                // One invalidate per storm found the token current; the other 63 were no-ops.
                assertEquals(List(ROUNDS) { 1 }, outcome.dropped)
                assertEquals(ROUNDS.toLong(), auth.stats().invalidations)
            }
        }
    }

    @Test
    fun `64 threads on 8 objects sharing a FileStore through expiry, storms and rotation`(@TempDir tmp: File) {
        // Under FINAUTH_TEST_ARTIFACTS when set (scripts/secret-scan.sh reads it), else JUnit's.
        val dir = System.getenv("FINAUTH_TEST_ARTIFACTS")?.takeIf { it.isNotEmpty() }?.let {
            val root = File(it).apply { mkdirs() }
            Files.createTempDirectory(root.toPath(), "stress-jvm-").toFile()
        } ?: File(tmp, "store")
        Sandbox().use { sandbox ->
            FileStore(dir.path).use { fileStore ->
                val auths = (1..8).map { PartnerAuth(PARTNER_ID, SECRET, APP_KEY, options(sandbox, Store.File(fileStore))) }
                try {
                    val outcome = runRounds(sandbox, auths)
                    checkGenerations(sandbox, auths, outcome.seen)
                    // Each object's cache dropped the rejected token once per storm.
                    assertEquals(List(ROUNDS) { auths.size }, outcome.dropped)
                    assertTrue(auths.any { it.stats().tokensAdopted > 0 })
                } finally {
                    auths.forEach { it.close() }
                }
            }
        }
        // One state file and its lock: no temporary file left behind by the atomic replaces.
        val names = dir.list()!!.sorted()
        assertEquals(2, names.size, names.toString())
        assertTrue(names[0].endsWith(".json") && names[1].endsWith(".lock"), names.toString())
    }
}
