package dev.finauth.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.finauth.ClientCredentials;
import dev.finauth.ClientCredentialsOptions;
import dev.finauth.FileStore;
import dev.finauth.Finauth;
import dev.finauth.FinauthException;
import dev.finauth.MastercardAuth;
import dev.finauth.OAuth1Signer;
import dev.finauth.PartnerAuth;
import dev.finauth.PayloadEncryption;
import dev.finauth.PayloadEncryptionBuilder;
import dev.finauth.Sandbox;
import dev.finauth.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conformance of one OpenAPI Generator Java library with finauth attached, against the real
 * sandbox, with the clients scripts/openapi-clients.sh generated from sandbox/openapi.json and
 * the real native library. A subclass per library says how its generated client is built and
 * attached, and what it throws when finauth stops a call.
 */
abstract class GeneratedClientConformance {
    static final String PARTNER_ID = "finauth-demo-partner";
    static final String SECRET = "DemoSecret2026";
    static final String APP_KEY = "demo-app-key";
    /** What the generated clients' own api keys are set to: they must never reach the server. */
    static final String DECOY_APP_KEY = "generated-client-app-key";
    static final String DECOY_APP_TOKEN = "generated-client-app-token";
    static final String DECOY_AUTHORIZATION = "OAuth generated-client-decoy";
    static final String CONSUMER_KEY = "openapi-consumer";
    static final String KEYS = System.getProperty("finauth.keys", "../core/tests/oauth1-keys");
    static final String OAUTH2_CLIENT = "finauth-demo-client";

    /** Finicity operations of a generated client attached to one PartnerAuth. */
    interface Finicity {
        /** `PartnersApi.getPartnerConfiguration()`: the partner ID it answers. */
        String partnerConfiguration() throws Exception;

        /** `AuthenticationApi.createToken(...)` (must never be sent). */
        void createToken() throws Exception;
    }

    /** The OAuth 1.0a-protected `SignedApi` of a generated client attached to a signer. */
    interface Signed {
        /** `getSignedEcho()`: "method consumer_key path" of the verifier's answer. */
        String get() throws Exception;

        /** `postSignedEcho(EchoNote{note, path})`. */
        String post(String note, String path) throws Exception;
    }

    /** The generated client of this library, finauth attached, its own api keys set to the decoys. */
    abstract Finicity finicity(String baseUrl, PartnerAuth auth) throws Exception;

    abstract Signed signed(String baseUrl, OAuth1Signer signer) throws Exception;

    /**
     * What the caller of a generated operation caught when finauth stopped the call: checks the
     * documented wrapping of this library and returns the finauth exception.
     */
    abstract FinauthException carried(Exception thrown);

    // ---- helpers --------------------------------------------------------------------------

    static PartnerAuth auth(Sandbox sandbox, Store store) throws FinauthException {
        return Finauth.partnerAuth(PARTNER_ID, SECRET, APP_KEY, sandbox.options(store, null, null));
    }

    static JsonObject stats(Sandbox sandbox) {
        return JsonParser.parseString(sandbox.admin("GET", "/__admin/stats", null)).getAsJsonObject();
    }

    static long counter(Sandbox sandbox, String name) {
        return stats(sandbox).getAsJsonObject("partners").getAsJsonObject(PARTNER_ID).get(name).getAsLong();
    }

    /** Every request the sandbox served outside its admin API. */
    static long requestsServed(Sandbox sandbox) {
        long n = 0;
        for (Map.Entry<String, JsonElement> e : stats(sandbox).getAsJsonObject("endpoints").entrySet()) {
            n += e.getValue().getAsLong();
        }
        return n;
    }

    /** [n] calls at once from [n] threads; their results in order (the first failure is thrown). */
    static <T> List<T> concurrently(int n, Callable<T> call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) results.add(f.get(60, TimeUnit.SECONDS));
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** The finauth exception is where [carried] found it, and FinauthOpenApi finds the same. */
    FinauthException finauthOf(Exception thrown) {
        FinauthException f = carried(thrown);
        assertNotNull(f, () -> "no finauth exception in " + thrown);
        assertSame(f, FinauthOpenApi.finauthException(thrown));
        return f;
    }

    /** Someone else's wrong secret locks the Partner ID at the server (InterceptorTest's way). */
    static void lockBehindFinauthsBack(Sandbox sandbox) {
        sandbox.admin("POST", "/__admin/config", "{\"lockout_threshold\": 1}");
        var answer = sandbox.send(
                "POST",
                "/aggregation/v2/partners/authentication",
                "{\"partnerId\": \"" + PARTNER_ID + "\", \"partnerSecret\": \"NotTheSecret123\"}",
                Map.of("Finicity-App-Key", APP_KEY, "Content-Type", "application/json", "Accept", "application/json"));
        assertTrue(answer.statusCode() >= 400, answer.body());
        assertTrue(stats(sandbox).getAsJsonObject("partners").getAsJsonObject(PARTNER_ID).get("locked").getAsBoolean());
    }

    static void registerConsumer(Sandbox sandbox) throws Exception {
        String pem = Files.readString(Path.of(KEYS, "public.pem"), StandardCharsets.UTF_8);
        JsonObject body = new JsonObject();
        body.addProperty("consumer_key", CONSUMER_KEY);
        body.addProperty("public_key_pem", pem);
        sandbox.admin("POST", "/__admin/oauth1-keys", body.toString());
    }

    static OAuth1Signer signer() throws FinauthException {
        return new OAuth1Signer(CONSUMER_KEY, Finauth.loadPem(KEYS + "/pkcs8.pem"), null);
    }

    /** The sandbox's demo OAuth 2.0 client (client_secret_basic). */
    static ClientCredentials clientCredentials(Sandbox sandbox) throws FinauthException {
        ClientCredentialsOptions options = sandbox.oauth2Options(null, null, false, null, null, null, null);
        return Finauth.clientCredentials(sandbox.getTokenUrl(), OAUTH2_CLIENT, "demo-client-secret", null, options);
    }

    static void expireOAuth2Tokens(Sandbox sandbox) {
        sandbox.admin("POST", "/__admin/oauth2/expire-tokens", "{\"client_id\": \"" + OAUTH2_CLIENT + "\"}");
    }

    /**
     * The sandbox's encrypted API (decrypts `$.encryptedCard`, answers encrypted) and a
     * MastercardAuth that encrypts `$.card` and signs with [signer] (the consumer registered).
     */
    static MastercardAuth mastercard(Sandbox sandbox) throws Exception {
        registerConsumer(sandbox);
        String keys = System.getProperty("finauth.encryptionKeys", "../core/tests/encryption-keys");
        JsonObject spec = new JsonObject();
        spec.addProperty("decryptionKeyPem", Files.readString(Path.of(keys, "client-encryption-key.pem")));
        spec.addProperty("encryptionCertificatePem", Files.readString(Path.of(keys, "client-encryption-cert.pem")));
        spec.add("options", JsonParser.parseString("{\"decryptionPaths\": {\"$.encryptedCard.encryptedData\": \"$.card\"}}"));
        sandbox.admin("POST", "/__admin/encryption", spec.toString());
        PayloadEncryption enc = new PayloadEncryptionBuilder("jwe")
                .encryptionCertificate(Finauth.loadEncryptionCertificate(keys + "/client-encryption-cert.pem"))
                .decryptionKey(Finauth.loadDecryptionKey(keys + "/client-encryption-key.p12", "keystorepassword", null))
                .encryptionPath("$.card", "$.encryptedCard")
                .build();
        return new MastercardAuth(signer(), enc);
    }

    /** A payment with a card to encrypt, non-ASCII and a slash in it. */
    static final String PAYMENT = "{\"card\":{\"pan\":\"5123450000000008\",\"holder\":\"Zoë / 東京\"},\"amount\":10}";

    /** The encrypted API's decrypted answer echoes the clear request and the consumer key. */
    static void assertEchoedPayment(String answer) {
        JsonObject clear = JsonParser.parseString(answer).getAsJsonObject();
        assertEquals(JsonParser.parseString(PAYMENT), clear.get("received"), answer);
        assertEquals(CONSUMER_KEY, clear.get("consumer_key").getAsString());
    }

    // ---- the conformance ------------------------------------------------------------------

    @Test
    void twoHundredConcurrentCallsOnAColdCacheMakeOneAuthentication() throws Exception {
        try (Sandbox sandbox = new Sandbox("--latency-ms", "300")) {
            PartnerAuth auth = auth(sandbox, null);
            Finicity api = finicity(sandbox.getUrl(), auth);
            List<String> partners = concurrently(200, api::partnerConfiguration);
            assertEquals(200, partners.size());
            assertTrue(partners.stream().allMatch(PARTNER_ID::equals), partners.toString());
            assertEquals(1L, sandbox.authRequests());
            assertEquals(200L, counter(sandbox, "resource_requests"));
            assertEquals(200L, counter(sandbox, "resource_ok"));
        }
    }

    @Test
    void anExpiredTokenIsRefreshedOnceAndEveryCallResentOnce() throws Exception {
        int calls = 40;
        // Answers held back 250 ms: every call sends the expired token before any 10023 arrives.
        try (Sandbox sandbox = new Sandbox("--latency-ms", "300"); Relay relay = new Relay(sandbox.getUrl(), 250)) {
            PartnerAuth auth = auth(sandbox, null);
            Finicity api = finicity(relay.url(), auth);
            assertEquals(PARTNER_ID, api.partnerConfiguration());
            sandbox.expireTokens();
            List<String> partners = concurrently(calls, api::partnerConfiguration);
            assertTrue(partners.stream().allMatch(PARTNER_ID::equals), partners.toString());
            assertEquals(2L, sandbox.authRequests(), "one refresh overall");
            assertEquals(1L + 2L * calls, counter(sandbox, "resource_requests"), "one resend per call");
            assertEquals((long) calls, counter(sandbox, "resource_rejected"));
            assertEquals(1L + calls, counter(sandbox, "resource_ok"));
            assertEquals(1L, auth.stats().getInvalidations());
        }
    }

    @Test
    void accountLockedStopsTheCallAndASecondClientWithoutARequest(@TempDir Path dir) throws Exception {
        try (Sandbox sandbox = new Sandbox()) {
            String path = dir.resolve("store").toString();
            // Two objects on one FileStore directory, as two processes would have.
            PartnerAuth auth = auth(sandbox, new Store.File(new FileStore(path)));
            PartnerAuth twin = auth(sandbox, new Store.File(new FileStore(path)));
            Finicity api = finicity(sandbox.getUrl(), auth);
            Finicity twinApi = finicity(sandbox.getUrl(), twin);
            assertEquals(PARTNER_ID, api.partnerConfiguration());
            lockBehindFinauthsBack(sandbox);

            Exception e = assertThrows(Exception.class, api::partnerConfiguration);
            FinauthException.AccountLocked locked = assertInstanceOf(FinauthException.AccountLocked.class, finauthOf(e));
            assertEquals(24302, locked.getCode());

            long served = requestsServed(sandbox);
            long auths = sandbox.authRequests();
            e = assertThrows(Exception.class, twinApi::partnerConfiguration);
            assertEquals(24302, assertInstanceOf(FinauthException.AccountLocked.class, finauthOf(e)).getCode());
            assertEquals(served, requestsServed(sandbox), "the second client sent nothing");
            assertEquals(auths, sandbox.authRequests());
        }
    }

    @Test
    void oauth1SignedCallsAreVerifiedBySandbox() throws Exception {
        try (Sandbox sandbox = new Sandbox()) {
            registerConsumer(sandbox);
            Signed api = signed(sandbox.getUrl(), signer());
            assertEquals("GET " + CONSUMER_KEY + " /oauth1/echo", api.get());
            assertEquals("POST " + CONSUMER_KEY + " /oauth1/echo", api.post("café / 東京", "/a/b?c=d&e=f g"));
            assertEquals("POST " + CONSUMER_KEY + " /oauth1/echo", api.post("{\"json\": \"in / a string\"}", "/"));
            JsonObject oauth1 = stats(sandbox).getAsJsonObject("oauth1").getAsJsonObject(CONSUMER_KEY);
            assertEquals(3L, oauth1.get("accepted").getAsLong());
            assertEquals(0L, oauth1.get("rejected").getAsLong());
        }
    }

    @Test
    void headersGoOutExactlyOnceAndCreateTokenIsRefused() throws Exception {
        try (Sandbox sandbox = new Sandbox(); Relay relay = new Relay(sandbox.getUrl(), 0)) {
            PartnerAuth auth = auth(sandbox, null);
            Finicity api = finicity(relay.url(), auth);

            // Cold (the slow path makes the exchange, which core refuses): nothing is sent.
            Exception e = assertThrows(Exception.class, api::createToken);
            FinauthException.Config config = assertInstanceOf(FinauthException.Config.class, finauthOf(e));
            assertTrue(config.getDescription().contains("token()"), config.getDescription());
            assertEquals(0, relay.requests());
            assertEquals(0L, sandbox.authRequests());

            sandbox.script("/aggregation/v1/partners/configuration", "[{\"pass\": true}, {\"pass\": true}]");
            assertEquals(PARTNER_ID, api.partnerConfiguration());
            assertEquals(PARTNER_ID, api.partnerConfiguration());

            // Warm (the fast path, which makes no exchange, asks core first): refused all the same.
            e = assertThrows(Exception.class, api::createToken);
            assertInstanceOf(FinauthException.Config.class, finauthOf(e));
            assertEquals(1L, sandbox.authRequests(), "finauth's own authentication only");

            assertEquals(2, relay.requests(), relay.sentLines().toString());
            assertEquals(2, relay.headerLines("Finicity-App-Key"), "one Finicity-App-Key per request");
            assertEquals(2, relay.headerLines("Finicity-App-Token"), "one Finicity-App-Token per request");
            // The values the sandbox recorded are finauth's, not the generated client's.
            JsonObject report = JsonParser.parseString(sandbox.admin("GET", "/__admin/script", null)).getAsJsonObject();
            String token = auth.freshToken();
            assertNotNull(token);
            assertEquals(2, report.getAsJsonArray("received").size());
            for (JsonElement r : report.getAsJsonArray("received")) {
                JsonObject headers = r.getAsJsonObject().getAsJsonObject("headers");
                assertEquals(APP_KEY, headers.get("finicity-app-key").getAsString());
                assertEquals(token, headers.get("finicity-app-token").getAsString());
                assertFalse(headers.toString().contains("generated-client"), headers.toString());
            }
        }
    }
}
