package dev.finauth

import dev.finauth.okhttp.FinicityInterceptor
import kotlinx.coroutines.runBlocking
import okhttp3.OkHttpClient
import okhttp3.Request
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

class InterceptorTest {
    @Test
    fun `the Finicity interceptor sets the headers and resends once on an expired token`() {
        Sandbox().use { sandbox ->
            val auth = sandbox.auth()
            val client = OkHttpClient.Builder().addInterceptor(FinicityInterceptor(auth)).build()
            val get = Request.Builder().url("${sandbox.url}/aggregation/v1/customers").build()
            client.newCall(get).execute().use { assertEquals(200, it.code) }
            sandbox.expireTokens()
            client.newCall(get).execute().use { assertEquals(200, it.code, it.body?.string()) }
            assertEquals(2L, sandbox.authRequests())
            assertEquals(1L, sandbox.counter("resource_rejected"))
            assertEquals(1L, auth.stats().invalidations)
        }
    }

    @Test
    fun `the interceptor's fast path sends the current App Key after a rotation`() {
        Sandbox().use { sandbox ->
            val auth = sandbox.auth()
            val client = OkHttpClient.Builder().addInterceptor(FinicityInterceptor(auth)).build()
            val get = Request.Builder().url("${sandbox.url}/aggregation/v1/customers").build()
            // The first call reads the headers through the core; the next ones come from memory.
            repeat(3) { client.newCall(get).execute().use { assertEquals(200, it.code, it.body?.string()) } }
            sandbox.admin("POST", "/__admin/partners", """{"partner_id":"$PARTNER_ID","secret":"$SECRET","app_key":"rotated-app-key"}""")
            // The sandbox now refuses the old key (10027): a stale App Key on the fast path would show.
            auth.setAppKey("rotated-app-key")
            repeat(3) { client.newCall(get).execute().use { assertEquals(200, it.code, it.body?.string()) } }
            // The sandbox binds a token to the App Key it was issued with: the first call after the
            // rotation gets 10022 and one refresh with the new key (a stale key would get 10027).
            assertEquals(2L, sandbox.authRequests())
            assertEquals(6L, sandbox.counter("resource_ok"))
            assertEquals(1L, sandbox.counter("resource_rejected"))
        }
    }

    @Test
    fun `rotation through the binding of App Key and Partner Secret`() {
        Sandbox().use { sandbox ->
            val auth = sandbox.auth()
            val before = runBlocking { auth.token() }
            runBlocking { auth.modifyPartnerSecret("NewSecret2027", true) }
            assertEquals(1L, sandbox.counter("modify_success"))
            sandbox.expireTokens()
            runBlocking { auth.invalidate(before) }
            assertNotEquals(before, auth.tokenBlocking())
            assertEquals(0L, sandbox.counter("retired_secret_attempts"))
            sandbox.admin("POST", "/__admin/partners", """{"partner_id":"$PARTNER_ID","secret":"NewSecret2027","app_key":"rotated-app-key"}""")
            auth.setAppKey("rotated-app-key")
            assertEquals("rotated-app-key", auth.headersBlocking().asMap()["Finicity-App-Key"])
        }
    }

    @Test
    fun `a 24302 answer seen by the interceptor stops every caller sharing the store`() {
        Sandbox().use { sandbox ->
            val store = Store.Memory(MemoryStore())
            val auth = sandbox.auth(store = store)
            val twin = sandbox.auth(store = store)
            val client = OkHttpClient.Builder().addInterceptor(FinicityInterceptor(auth)).build()
            val get = Request.Builder().url("${sandbox.url}/aggregation/v1/customers").build()
            client.newCall(get).execute().use { assertEquals(200, it.code) }
            assertEquals(ResourceVerdict.PASS, auth.observeResponseBlocking(200, "application/json", ByteArray(0)))
            // Someone else's wrong secret locks the Partner ID at the server.
            sandbox.admin("POST", "/__admin/config", """{"lockout_threshold": 1}""")
            val answer = sandbox.send(
                "POST", "/aggregation/v2/partners/authentication",
                """{"partnerId": "$PARTNER_ID", "partnerSecret": "NotTheSecret123"}""",
                mapOf("Finicity-App-Key" to APP_KEY, "Content-Type" to "application/json", "Accept" to "application/json"),
            )
            assertTrue(answer.statusCode() >= 400, answer.body())
            assertTrue(sandbox.partner()["locked"].toString().toBoolean())
            val e = assertThrows<FinauthException.AccountLocked> { client.newCall(get).execute().close() }
            assertEquals(24302, e.code)
            // Recorded in the store: the twin stops too, without a request.
            val before = sandbox.authRequests()
            assertThrows<FinauthException.AccountLocked> { twin.tokenBlocking() }
            assertThrows<FinauthException.AccountLocked> { runBlocking { auth.headers() } }
            assertEquals(before, sandbox.authRequests())
            assertEquals(24302, twin.guardStatusBlocking().locked)
        }
    }
}
