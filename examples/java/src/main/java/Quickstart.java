// finauth quickstart for Java: no coroutines, the blocking API and the static entry points of
// dev.finauth.Finauth. 64 threads share one authentication, the headers of a Finicity call, a real
// call with java.net.http, the counters; then an OAuth 2.0 client credentials token and headers.
// Configured by FINICITY_PARTNER_ID, FINICITY_PARTNER_SECRET, FINICITY_APP_KEY, FINICITY_BASE_URL,
// FINAUTH_OAUTH2_TOKEN_URL, FINAUTH_OAUTH2_CLIENT_ID, FINAUTH_OAUTH2_CLIENT_SECRET and
// FINAUTH_ALLOW_INSECURE_LOOPBACK=1 for the local sandbox (scripts/quickstart-kotlin.sh).

import dev.finauth.ClientCredentials;
import dev.finauth.Finauth;
import dev.finauth.FinauthException;
import dev.finauth.FinicityHeaders;
import dev.finauth.OAuth2Headers;
import dev.finauth.PartnerAuth;
import dev.finauth.Stats;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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

            FinicityHeaders headers = auth.headersBlocking();
            HttpRequest.Builder request =
                    HttpRequest.newBuilder(URI.create(auth.baseUrl() + "aggregation/v1/customers"));
            for (Map.Entry<String, String> h : headers.asMap().entrySet()) {
                request.header(h.getKey(), h.getValue());
            }
            HttpResponse<String> resp = HttpClient.newHttpClient()
                    .send(request.build(), HttpResponse.BodyHandlers.ofString());
            System.out.println("java.net.http GET /aggregation/v1/customers -> " + resp.statusCode());
            if (resp.statusCode() == 401) {
                // A rejected token (10022/10023): drop it so the next call gets a new one.
                auth.invalidateBlocking(headers.token());
            }

            // OAuth 2.0 client credentials: Authorization (and a DPoP proof when configured) for
            // one request; invalidateBlocking(token) after a 401 gets a new token next time.
            String resource = oauth2.tokenUrl().replaceAll("/token$", "/resource/accounts");
            OAuth2Headers oauth2Headers = oauth2.headersBlocking("GET", resource);
            HttpRequest.Builder oauth2Request = HttpRequest.newBuilder(URI.create(resource));
            for (Map.Entry<String, String> h : oauth2Headers.asMap().entrySet()) {
                oauth2Request.header(h.getKey(), h.getValue());
            }
            HttpResponse<String> oauth2Resp = HttpClient.newHttpClient()
                    .send(oauth2Request.build(), HttpResponse.BodyHandlers.ofString());
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
}
