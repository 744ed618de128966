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

/** Java callers use the blocking API: no coroutines, no Kotlin knowledge. */
class BlockingJavaTest {
    private static PartnerAuth auth(Sandbox sandbox, String secret) throws FinauthException {
        PartnerAuthOptions options =
                new PartnerAuthOptions(sandbox.getUrl(), null, null, null, null, null, true);
        return new PartnerAuth("finauth-demo-partner", secret, "demo-app-key", options);
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
