package dev.finauth

import dev.finauth.okhttp.FinicityInterceptor
import kotlinx.coroutines.runBlocking
import okhttp3.OkHttpClient
import okhttp3.Request
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNotEquals
import org.junit.jupiter.api.Test

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
}
