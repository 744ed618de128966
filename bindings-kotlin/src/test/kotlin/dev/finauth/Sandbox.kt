package dev.finauth

import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.jsonObject
import kotlinx.serialization.json.jsonPrimitive
import kotlinx.serialization.json.long
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.util.concurrent.TimeUnit

const val PARTNER_ID = "finauth-demo-partner"
const val SECRET = "DemoSecret2026"
const val APP_KEY = "demo-app-key"

/** The finauth sandbox as a real process on a free loopback port, and its admin API. */
class Sandbox(vararg args: String) : AutoCloseable {
    private val process: Process
    val url: String
    private val http = HttpClient.newHttpClient()

    init {
        val bin = System.getProperty("finauth.sandbox") ?: "../target/debug/finauth-sandbox"
        check(File(bin).canExecute()) { "sandbox binary not found at $bin: cargo build -p finauth-sandbox" }
        process = ProcessBuilder(listOf(bin, "--port", "0") + args)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start()
        val line = process.inputStream.bufferedReader().readLine() ?: ""
        if (!line.startsWith("http://")) {
            process.destroyForcibly()
            error("sandbox did not start: '$line'")
        }
        url = line
    }

    fun admin(method: String, path: String, body: String? = null): String {
        val publisher = body?.let { HttpRequest.BodyPublishers.ofString(it) } ?: HttpRequest.BodyPublishers.noBody()
        val req = HttpRequest.newBuilder(URI.create(url + path))
            .method(method, publisher)
            .header("Content-Type", "application/json")
            .build()
        val resp = http.send(req, HttpResponse.BodyHandlers.ofString())
        check(resp.statusCode() in 200..299) { "admin $method $path: HTTP ${resp.statusCode()} ${resp.body()}" }
        return resp.body()
    }

    fun stats(): JsonObject = Json.parseToJsonElement(admin("GET", "/__admin/stats")).jsonObject

    fun partner(partner: String = PARTNER_ID): JsonObject = stats()["partners"]!!.jsonObject[partner]!!.jsonObject

    fun counter(name: String, partner: String = PARTNER_ID): Long = partner(partner)[name]!!.jsonPrimitive.long

    fun authRequests(): Long = counter("auth_requests")

    fun fault(fault: String, times: Int = 1) {
        admin("POST", "/__admin/faults", """{"fault": $fault, "times": $times}""")
    }

    fun expireTokens() {
        admin("POST", "/__admin/expire-tokens", """{"partner_id": "$PARTNER_ID"}""")
    }

    fun options(
        store: Store? = null,
        timeout: java.time.Duration? = null,
        maxFailedAttempts: Int? = null,
    ) = PartnerAuthOptions(
        baseUrl = url,
        store = store,
        timeout = timeout,
        maxFailedAttempts = maxFailedAttempts,
        allowInsecureLoopback = true,
    )

    fun auth(
        secret: String = SECRET,
        appKey: String = APP_KEY,
        store: Store? = null,
        timeout: java.time.Duration? = null,
    ) = PartnerAuth(PARTNER_ID, secret, appKey, options(store, timeout))

    override fun close() {
        process.destroy()
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly()
    }
}
