package dev.finauth.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.finauth.FinauthException;
import dev.finauth.OAuth1Signer;
import dev.finauth.PartnerAuth;
import dev.finauth.Sandbox;
import dev.finauth.generated.nativehttp.ApiClient;
import dev.finauth.generated.nativehttp.ApiException;
import dev.finauth.generated.nativehttp.api.AuthenticationApi;
import dev.finauth.generated.nativehttp.api.PartnersApi;
import dev.finauth.generated.nativehttp.api.SignedApi;
import dev.finauth.generated.nativehttp.model.EchoNote;
import dev.finauth.generated.nativehttp.model.PartnerCredentials;
import dev.finauth.generated.nativehttp.model.SignedEcho;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * `native` (java.net.http) with {@link FinauthHttpClient}: the generated ApiClient sets no api
 * keys (it ignores the security schemes), so decoys are set through its request interceptor
 * (`HttpRequest.Builder.header` adds: each would go out beside finauth's unless replaced); a
 * finauth stop is the generated {@code ApiException} whose cause is a {@link FinauthIOException}.
 */
class NativeClientTest extends GeneratedClientConformance {
    /** The generated ApiClient; [decoys] set through its request interceptor (as a user might). */
    private static ApiClient client(String baseUrl, HttpClient.Builder builder, String... decoys) {
        ApiClient client = new ApiClient();
        client.updateBaseUri(baseUrl);
        client.setHttpClientBuilder(builder);
        client.setRequestInterceptor(b -> {
            for (int i = 0; i < decoys.length; i += 2) b.header(decoys[i], decoys[i + 1]);
        });
        return client;
    }

    @Override
    Finicity finicity(String baseUrl, PartnerAuth auth) {
        ApiClient client = client(baseUrl, FinauthHttpClient.builder(HttpClient.newBuilder(), auth),
                "Finicity-App-Key", DECOY_APP_KEY, "Finicity-App-Token", DECOY_APP_TOKEN);
        PartnersApi partners = new PartnersApi(client);
        AuthenticationApi authentication = new AuthenticationApi(client);
        return new Finicity() {
            @Override
            public String partnerConfiguration() throws ApiException {
                return partners.getPartnerConfiguration().getPartnerId();
            }

            @Override
            public void createToken() throws ApiException {
                authentication.createToken(new PartnerCredentials().partnerId(PARTNER_ID).partnerSecret(SECRET));
            }
        };
    }

    @Override
    Signed signed(String baseUrl, OAuth1Signer signer) {
        ApiClient client = client(baseUrl, FinauthHttpClient.builder(HttpClient.newBuilder(), signer),
                "Authorization", DECOY_AUTHORIZATION);
        SignedApi api = new SignedApi(client);
        return new Signed() {
            @Override
            public String get() throws ApiException {
                return describe(api.getSignedEcho());
            }

            @Override
            public String post(String note, String path) throws ApiException {
                return describe(api.postSignedEcho(new EchoNote().note(note).path(path)));
            }
        };
    }

    private static String describe(SignedEcho echo) {
        return echo.getMethod() + " " + echo.getConsumerKey() + " " + echo.getPath();
    }

    @Override
    FinauthException carried(Exception thrown) {
        ApiException api = assertInstanceOf(ApiException.class, thrown);
        FinauthIOException io = assertInstanceOf(FinauthIOException.class, api.getCause());
        return assertInstanceOf(FinauthException.class, io.getCause());
    }

    // ---- beyond the generated operations: the wrapper's other paths ------------------------

    @Test
    void sendAsyncRunsTheSameLoopAndFailsWithTheFinauthException() throws Exception {
        try (Sandbox sandbox = new Sandbox()) {
            PartnerAuth auth = auth(sandbox, null);
            HttpClient http = FinauthHttpClient.wrap(HttpClient.newHttpClient(), auth);
            HttpRequest get = HttpRequest.newBuilder(URI.create(sandbox.getUrl() + "/aggregation/v1/customers")).build();
            assertEquals(200, http.sendAsync(get, HttpResponse.BodyHandlers.ofString()).get().statusCode());
            sandbox.expireTokens();
            HttpResponse<String> again = http.sendAsync(get, HttpResponse.BodyHandlers.ofString()).get();
            assertEquals(200, again.statusCode(), again.body());
            assertEquals(2L, sandbox.authRequests());
            HttpRequest token = HttpRequest.newBuilder(URI.create(sandbox.getUrl() + "/aggregation/v2/partners/authentication"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> http.sendAsync(token, HttpResponse.BodyHandlers.ofString()).get());
            assertInstanceOf(FinauthIOException.class, e.getCause());
            assertInstanceOf(FinauthException.Config.class, FinauthOpenApi.finauthException(e));
            IOException sync = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                    () -> http.send(token, HttpResponse.BodyHandlers.ofString()));
            assertInstanceOf(FinauthException.Config.class, sync.getCause());
            assertEquals(2L, sandbox.authRequests());
        }
    }

    @Test
    void oauth2ClientCredentialsResendOnceAfterAnExpiredToken() throws Exception {
        try (Sandbox sandbox = new Sandbox()) {
            HttpClient http = FinauthHttpClient.wrap(HttpClient.newHttpClient(), clientCredentials(sandbox));
            HttpRequest get = HttpRequest.newBuilder(URI.create(sandbox.resourceUrl("/accounts")))
                    .header("Authorization", "Bearer generated-client-decoy").build();
            assertEquals(200, http.send(get, HttpResponse.BodyHandlers.ofString()).statusCode());
            expireOAuth2Tokens(sandbox);
            HttpResponse<String> again = http.send(get, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, again.statusCode(), again.body());
            assertEquals(2L, sandbox.oauth2Counter("token_requests", OAUTH2_CLIENT));
            assertEquals(3L, sandbox.oauth2Counter("resource_requests", OAUTH2_CLIENT));
        }
    }

    @Test
    void payloadEncryptionThenSigningOfTheBytesSentAndTheAnswerDecrypted() throws Exception {
        try (Sandbox sandbox = new Sandbox()) {
            HttpClient http = FinauthHttpClient.wrap(HttpClient.newHttpClient(), mastercard(sandbox));
            HttpRequest post = HttpRequest.newBuilder(URI.create(sandbox.getUrl() + "/encrypted/payments?x=1"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(PAYMENT, StandardCharsets.UTF_8)).build();
            HttpResponse<String> answer = http.send(post, HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
            assertEchoedPayment(answer.body());
            assertTrue(answer.headers().firstValue("Content-Length").isEmpty());
        }
    }
}
