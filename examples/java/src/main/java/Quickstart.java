// finauth quickstart for Java: no coroutines, the blocking API and the static entry points of
// dev.finauth.Finauth. 64 threads share one authentication; then a Finicity call and an OAuth 2.0
// client credentials call with java.net.http, each a loop over finauth's request policy
// (Exchange); the counters.
// Configured by FINICITY_PARTNER_ID, FINICITY_PARTNER_SECRET, FINICITY_APP_KEY, FINICITY_BASE_URL,
// FINAUTH_OAUTH2_TOKEN_URL, FINAUTH_OAUTH2_CLIENT_ID, FINAUTH_OAUTH2_CLIENT_SECRET and
// FINAUTH_ALLOW_INSECURE_LOOPBACK=1 for the local sandbox (scripts/quickstart-kotlin.sh).

import dev.finauth.ClientCredentials;
import dev.finauth.Finauth;
import dev.finauth.FinauthException;
import dev.finauth.Exchange;
import dev.finauth.PartnerAuth;
import dev.finauth.Stats;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

public final class Quickstart {
    public static void main(String[] args) throws Exception {
        PartnerAuth auth;
        ClientCredentials oauth2;
        try {
            auth = Finauth.partnerAuthFromEnv();
            oauth2 = Finauth.clientCredentialsFromEnv();
        } catch (FinauthException.Config e) {
            System.out.println("configuration: " + e.getDescription());
            System.exit(2);
            return;
        }
        System.out.println(auth);
        try {
            ExecutorService pool = Executors.newFixedThreadPool(64);
            List<Callable<String>> calls = new ArrayList<>();
            for (int i = 0; i < 64; i++) calls.add(auth::tokenBlocking);
            Set<String> tokens = new HashSet<>();
            for (Future<String> f : pool.invokeAll(calls)) tokens.add(f.get());
            pool.shutdown();
            System.out.println("64 threads got " + tokens.size() + " distinct token(s)");

            // A real call with java.net.http, as a loop over finauth's request policy: finauth
            // gives each attempt's headers and judges each answer (resend once with a new token,
            // or stop everyone on a locked Partner ID); this code only sends.
            HttpClient http = HttpClient.newHttpClient();
            String customers = auth.baseUrl() + "aggregation/v1/customers";
            HttpResponse<String> resp;
            try (Exchange ex = auth.exchange("GET", customers)) {
                resp = send(http, ex, HttpRequest.newBuilder(URI.create(customers)));
            }
            System.out.println("java.net.http GET /aggregation/v1/customers -> " + resp.statusCode());

            // OAuth 2.0 client credentials through the same loop: Authorization (and a DPoP
            // proof when configured) per attempt, the nonce challenge and rejected tokens
            // handled by the core.
            String resource = oauth2.tokenUrl().replaceAll("/token$", "/resource/accounts");
            HttpResponse<String> oauth2Resp;
            try (Exchange ex = oauth2.exchange("GET", resource)) {
                oauth2Resp = send(http, ex, HttpRequest.newBuilder(URI.create(resource)));
            }
            System.out.println("OAuth 2.0 (" + oauth2.tokenType() + ") GET /oauth2/resource/accounts -> "
                    + oauth2Resp.statusCode());
        } catch (FinauthException e) {
            System.out.println(e.getClass().getSimpleName() + " (" + e.kind() + "): " + e);
            System.exit(1);
        }
        Stats s = auth.stats();
        System.out.println("stats: " + s.getAuthRequests() + " authentication request(s), "
                + s.getCacheHits() + " cache hit(s)");
    }

    /** Send `request` until the exchange hands the answer over: the whole integration. */
    static HttpResponse<String> send(HttpClient http, Exchange ex, HttpRequest.Builder request)
            throws FinauthException, java.io.IOException, InterruptedException {
        while (true) {
            HttpRequest.Builder attempt = request.copy();
            for (Map.Entry<String, String> h : ex.prepareBlocking().getHeaders().entrySet()) {
                attempt.setHeader(h.getKey(), h.getValue());
            }
            HttpResponse<String> resp = http.send(attempt.build(), HttpResponse.BodyHandlers.ofString());
            List<String> headers = new ArrayList<>();
            resp.headers().map().forEach((name, values) -> values.forEach(v -> {
                headers.add(name);
                headers.add(v);
            }));
            byte[] body = ex.wantsBody(resp.statusCode())
                    ? resp.body().getBytes(StandardCharsets.UTF_8) : new byte[0];
            if (!ex.observeBlocking(resp.statusCode(), headers, body)) return resp;
        }
    }
}
