package dev.finauth

import dev.finauth.okhttp.FinicityInterceptor
import kotlinx.coroutines.runBlocking
import okhttp3.OkHttpClient
import okhttp3.Request
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.nio.file.Files
import java.nio.file.Path

/**
 * A hostile server: a token that would become a second header is refused by core before the JVM
 * sees it (token, headers, OkHttp, the store), and nothing that was sent comes back in a message.
 */
class HostileServerTest {
    private val bad = mapOf(
        "CR" to "\\u000d", "LF" to "\\u000a", "CRLF" to "\\u000d\\u000a",
        "NUL" to "\\u0000", "ESC" to "\\u001b", "DEL" to "\\u007f",
    )

    /** The admin JSON of a fault whose token carries `esc` (a JSON escape) in `shape`. */
    private fun fault(esc: String, shape: String): String = when (shape) {
        "json" -> """{"status":200,"content_type":"application/json","body":"{\"token\":\"abc${esc.replace("\\", "\\\\")}X-Injected: 1\"}"}"""
        else -> """{"status":200,"content_type":"application/xml","body":"<access><token>abc${esc}X-Injected: 1</token></access>"}"""
    }

    private fun storedText(dir: Path): String =
        Files.list(dir).use { files -> files.toList().joinToString("") { String(Files.readAllBytes(it), Charsets.ISO_8859_1) } }

    @Test
    fun `a token with a control character is refused in JSON and XML answers`() {
        Sandbox().use { sandbox ->
            for ((name, esc) in bad) {
                for (shape in listOf("json", "xml")) {
                    val dir = Files.createTempDirectory("finauth-jvm-hostile")
                    val auth = sandbox.auth(store = Store.File(FileStore(dir.toString())))
                    sandbox.fault(fault(esc, shape), times = 4)
                    val e = assertThrows<FinauthException.Server>("$name in $shape") { auth.tokenBlocking() }
                    assertFalse((e.message ?: "").contains("Injected"))
                    assertThrows<FinauthException.Server> { runBlocking { auth.token() } }
                    assertThrows<FinauthException.Server> { auth.headersBlocking() }
                    val client = OkHttpClient.Builder().addInterceptor(FinicityInterceptor(auth)).build()
                    val get = Request.Builder().url("${sandbox.url}/aggregation/v1/customers").build()
                    assertThrows<FinauthException.Server> { client.newCall(get).execute().close() }
                    assertEquals(0L, sandbox.counter("resource_requests"), "$name in $shape: nothing sent")
                    assertEquals(0, auth.guardStatusBlocking().failedAttempts.toInt())
                    assertFalse(storedText(dir).contains("Injected"), "$name in $shape: stored")
                    auth.close()
                }
            }
        }
    }

    @Test
    fun `a store document edited to hold a CRLF token is refused on adoption`() {
        Sandbox().use { sandbox ->
            val dir = Files.createTempDirectory("finauth-jvm-hostile-store")
            val first = sandbox.auth(store = Store.File(FileStore(dir.toString())))
            val good = first.tokenBlocking()
            var edited = 0
            Files.list(dir).use { it.toList() }.forEach { p ->
                val text = String(Files.readAllBytes(p), Charsets.UTF_8)
                if (text.contains(good)) {
                    Files.write(p, text.replace("\"$good\"", "\"abc\\r\\nX-Injected: 1\"").toByteArray())
                    edited++
                }
            }
            assertEquals(1, edited)
            val second = sandbox.auth(store = Store.File(FileStore(dir.toString())))
            val token = second.tokenBlocking()
            assertFalse(token.contains("Injected"))
            assertNotEquals(good, token)
            assertEquals(2L, sandbox.authRequests())
            assertFalse(storedText(dir).contains("Injected"))
        }
    }

    @Test
    fun `a secret or App Key around the cut of a server message never reaches the exception`() {
        Sandbox().use { sandbox ->
            val secret = "HostileSecret2026xyz1"
            val appKey = "hostile-appkey-Z9w4"
            for (value in listOf(secret, appKey)) {
                for (status in listOf(500, 400)) {
                    for (at in (300 - value.length - 3)..303) {
                        val auth = sandbox.auth(secret = secret, appKey = appKey)
                        val message = "m".repeat(at) + value + " is over the limit"
                        sandbox.fault(
                            """{"status":$status,"content_type":"application/json","body":"{\"code\":1000,\"message\":\"$message\"}"}""",
                        )
                        val e = assertThrows<FinauthException> { auth.tokenBlocking() }
                        val text = e.toString() + (e.message ?: "")
                        for (n in 4..value.length) {
                            assertFalse(text.contains(value.take(n)), "$value at $at leaked $n characters: $text")
                        }
                        assertTrue(text.contains("code 1000") && !text.contains("Some("), text)
                        auth.close()
                    }
                }
            }
        }
    }
}
