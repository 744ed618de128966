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
const val CLIENT_ID = "finauth-demo-client"
const val CLIENT_SECRET = "demo-client-secret"

/**
 * The sandbox's stderr: a log under FINAUTH_TEST_ARTIFACTS when set (scripts/secret-scan.sh
 * reads it), else discarded.
 */
private fun stderrRedirect(): ProcessBuilder.Redirect {
    val root = System.getenv("FINAUTH_TEST_ARTIFACTS")?.takeIf { it.isNotEmpty() } ?: return ProcessBuilder.Redirect.DISCARD
    val dir = File(root).apply { mkdirs() }
    return ProcessBuilder.Redirect.appendTo(File(dir, "sandbox-jvm-${ProcessHandle.current().pid()}.log"))
}

/** The finauth sandbox as a real process on a free loopback port, and its admin API. */
class Sandbox(vararg args: String) : AutoCloseable {
    private val process: Process
    val url: String
    private val http = HttpClient.newHttpClient()

    init {
        val bin = System.getProperty("finauth.sandbox") ?: "../target/debug/finauth-sandbox"
        check(File(bin).canExecute()) { "sandbox binary not found at $bin: cargo build -p finauth-sandbox" }
        process = ProcessBuilder(listOf(bin, "--port", "0") + args)
            .redirectError(stderrRedirect())
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

    /** Any request to the sandbox (not only admin paths); the answer whatever its status. */
    fun send(method: String, path: String, body: String, headers: Map<String, String>): HttpResponse<String> {
        val req = HttpRequest.newBuilder(URI.create(url + path))
            .method(method, HttpRequest.BodyPublishers.ofString(body))
        for ((k, v) in headers) req.header(k, v)
        return http.send(req.build(), HttpResponse.BodyHandlers.ofString())
    }

    fun stats(): JsonObject = Json.parseToJsonElement(admin("GET", "/__admin/stats")).jsonObject

    fun partner(partner: String = PARTNER_ID): JsonObject = stats()["partners"]!!.jsonObject[partner]!!.jsonObject

    fun counter(name: String, partner: String = PARTNER_ID): Long = partner(partner)[name]!!.jsonPrimitive.long

    fun authRequests(): Long = counter("auth_requests")

    fun fault(fault: String, times: Int = 1) {
        admin("POST", "/__admin/faults", """{"fault": $fault, "times": $times}""")
    }

    /** The next requests under [pathPrefix] get these answers (a JSON array) in order. */
    fun script(pathPrefix: String, answersJson: String) {
        admin("POST", "/__admin/script", """{"path_prefix": ${Json.encodeToString(kotlinx.serialization.json.JsonPrimitive(pathPrefix))}, "answers": $answersJson}""")
    }

    /** What the scripted requests carried: `{"remaining": N, "received": [...]}`. */
    fun scriptReport(): JsonObject = Json.parseToJsonElement(admin("GET", "/__admin/script")).jsonObject

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

    val tokenUrl: String get() = "$url/oauth2/token"

    fun resourceUrl(path: String = "/accounts"): String = "$url/oauth2/resource$path"

    /** The OAuth 2.0 counters of one client (`token_requests`, `resource_ok`, `by_method`, ...). */
    fun oauth2(clientId: String = CLIENT_ID): JsonObject =
        stats()["oauth2"]?.jsonObject?.get(clientId)?.jsonObject ?: JsonObject(emptyMap())

    fun oauth2Counter(name: String, clientId: String = CLIENT_ID): Long =
        oauth2(clientId)[name]?.jsonPrimitive?.long ?: 0L

    fun oauth2Config(json: String) {
        admin("POST", "/__admin/oauth2/config", json)
    }

    /** Registers `key`'s public JWK for `clientId` (for `private_key_jwt`). */
    fun registerKey(clientId: String, key: SigningKey) {
        admin("POST", "/__admin/oauth2/clients", """{"client_id": "$clientId", "jwk": ${key.publicJwk()}}""")
    }

    fun oauth2Options(
        authMethod: AuthMethod? = null,
        signingKey: SigningKey? = null,
        dpop: Boolean = false,
        scope: String? = null,
        store: Store? = null,
        maxFailedAttempts: Int? = null,
        defaultLifetime: java.time.Duration? = null,
    ) = ClientCredentialsOptions(
        authMethod = authMethod,
        scope = scope,
        signingKey = signingKey,
        keyId = signingKey?.let { "k1" },
        dpop = dpop,
        defaultLifetime = defaultLifetime,
        store = store,
        maxFailedAttempts = maxFailedAttempts,
        timeout = java.time.Duration.ofSeconds(10),
        allowInsecureLoopback = true,
    )

    /** The demo client with a client secret (`CLIENT_SECRET_BASIC` unless told). */
    fun secretClient(
        secret: String = CLIENT_SECRET,
        clientId: String = CLIENT_ID,
        options: ClientCredentialsOptions = oauth2Options(),
    ) = ClientCredentials(tokenUrl, clientId, secret, APP_KEY, options)

    /** A `private_key_jwt` client registered with `key`'s public JWK. */
    fun jwtClient(clientId: String, key: SigningKey, dpop: Boolean = false): ClientCredentials {
        registerKey(clientId, key)
        return ClientCredentials(
            tokenUrl, clientId,
            options = oauth2Options(authMethod = AuthMethod.PRIVATE_KEY_JWT, signingKey = key, dpop = dpop),
        )
    }

    override fun close() {
        process.destroy()
        if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly()
    }
}
