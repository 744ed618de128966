package dev.finauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Java callers use the blocking API and the static entry points of {@code Finauth}: no
 * coroutines, no companion objects, no Kotlin knowledge.
 */
class BlockingJavaTest {
    private static PartnerAuth auth(Sandbox sandbox, String secret) throws FinauthException {
        PartnerAuthOptions options = new PartnerAuthOptions();
        options.setBaseUrl(sandbox.getUrl());
        options.setAllowInsecureLoopback(true);
        return Finauth.partnerAuth("finauth-demo-partner", secret, "demo-app-key", options);
    }

    private static ClientCredentials clientCredentials(Sandbox sandbox) throws FinauthException {
        ClientCredentialsOptions options = new ClientCredentialsOptions();
        options.setAuthMethod(AuthMethod.CLIENT_SECRET_POST);
        options.setAllowInsecureLoopback(true);
        return Finauth.clientCredentials(
                sandbox.getUrl() + "/oauth2/token", "finauth-demo-client", "demo-client-secret", null, options);
    }

    @Test
    void sixtyFourJavaThreadsOnAColdCacheMakeOneOAuth2TokenRequest() throws Exception {
        try (Sandbox sandbox = new Sandbox("--latency-ms", "300")) {
            ClientCredentials cc = clientCredentials(sandbox);
            ExecutorService pool = Executors.newFixedThreadPool(64);
            try {
                List<Callable<String>> calls = new ArrayList<>();
                for (int i = 0; i < 64; i++) calls.add(cc::tokenBlocking);
                Set<String> tokens = new HashSet<>();
                for (Future<String> f : pool.invokeAll(calls)) tokens.add(f.get());
                assertEquals(1, tokens.size());
            } finally {
                pool.shutdown();
            }
            assertEquals(1L, sandbox.oauth2Counter("token_requests", "finauth-demo-client"));
            OAuth2Headers headers = cc.headersBlocking("GET", sandbox.resourceUrl("/accounts"));
            assertEquals("Bearer " + headers.token(), headers.asMap().get("Authorization"));
            assertFalse(cc.toString().contains("demo-client-secret"));
        }
    }

    @Test
    void keysAndEnvironmentFromStaticEntryPoints() throws Exception {
        String keys = System.getProperty("finauth.keys", "../core/tests/oauth1-keys");
        SigningKey rsa = Finauth.loadPem(keys + "/pkcs8.pem");
        SigningKey ec = Finauth.loadKeyFile(keys + "/ec.p12", "keystorepassword");
        assertEquals("RSA-2048", rsa.algorithm());
        assertEquals("EC-P256", ec.algorithm());
        assertTrue(ec.publicJwk().contains("\"kty\":\"EC\""));
        if (System.getenv("FINICITY_PARTNER_ID") == null) {
            FinauthException.Config e =
                    assertThrows(FinauthException.Config.class, Finauth::partnerAuthFromEnv);
            assertTrue(e.getDescription().contains("FINICITY_PARTNER_ID"), e.getDescription());
        }
    }

    @Test
    void sixtyFourJavaThreadsOnAColdCacheAuthenticateOnce() throws Exception {
        try (Sandbox sandbox = new Sandbox("--latency-ms", "300")) {
            PartnerAuth auth = auth(sandbox, "DemoSecret2026");
            ExecutorService pool = Executors.newFixedThreadPool(64);
            try {
                List<Callable<String>> calls = new ArrayList<>();
                for (int i = 0; i < 64; i++) calls.add(auth::tokenBlocking);
                Set<String> tokens = new HashSet<>();
                for (Future<String> f : pool.invokeAll(calls)) tokens.add(f.get());
                assertEquals(1, tokens.size());
            } finally {
                pool.shutdown();
            }
            assertEquals(1L, sandbox.authRequests());
            assertEquals(1L, auth.stats().getAuthRequests());
        }
    }

    @Test
    void blockingApiFromJava() throws Exception {
        try (Sandbox sandbox = new Sandbox()) {
            PartnerAuth auth = auth(sandbox, "DemoSecret2026");
            String token = auth.tokenBlocking();
            FinicityHeaders headers = auth.headersBlocking();
            assertEquals(token, headers.asMap().get("Finicity-App-Token"));
            assertEquals("demo-app-key", headers.asMap().get("Finicity-App-Key"));
            assertTrue(auth.invalidateBlocking(token));
            assertFalse(auth.invalidateBlocking(token));
            GuardStatus guard = auth.guardStatusBlocking();
            assertEquals(3, guard.getMaxFailedAttempts());
            auth.resetLockoutGuardBlocking();
            assertFalse(auth.toString().contains("DemoSecret2026"));
        }
    }

    @Test
    void errorsAreCheckedExceptionsWithFields() throws Exception {
        try (Sandbox sandbox = new Sandbox()) {
            PartnerAuth auth = auth(sandbox, "WrongSecret1");
            FinauthException.InvalidCredentials e =
                    assertThrows(FinauthException.InvalidCredentials.class, auth::tokenBlocking);
            assertEquals(2, e.getAttemptsRemaining());
            assertEquals("INVALID_CREDENTIALS", e.kind());
            FinauthException.LockoutGuard g =
                    assertThrows(FinauthException.LockoutGuard.class, auth::tokenBlocking);
            assertEquals("secret_rejected", g.getReason());
            try {
                auth.tokenBlocking();
            } catch (FinauthException any) {
                assertEquals("LOCKOUT_GUARD", any.kind());
            }
        }
    }
}
