package dev.finauth.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.finauth.FinauthException;
import dev.finauth.OAuth1Signer;
import dev.finauth.PartnerAuth;
import dev.finauth.Sandbox;
import dev.finauth.generated.feign.ApiClient;
import dev.finauth.generated.feign.api.AuthenticationApi;
import dev.finauth.generated.feign.api.PartnersApi;
import dev.finauth.generated.feign.api.SignedApi;
import dev.finauth.generated.feign.auth.ApiKeyAuth;
import dev.finauth.generated.feign.model.EchoNote;
import dev.finauth.generated.feign.model.PartnerCredentials;
import dev.finauth.generated.feign.model.SignedEcho;
import feign.Client;
import feign.Feign;
import feign.Headers;
import feign.RequestLine;
import org.junit.jupiter.api.Test;

/**
 * `feign` with {@link FinauthFeignInterceptor} installed on the generated ApiClient's builder
 * over its OkHttp client: the generated ApiKeyAuth request interceptors (one per auth name)
 * add decoys, finauth's client replaces them; a finauth stop is a {@link FinauthFeignException}
 * (a FeignException) whose cause is the finauth exception.
 */
class FeignClientTest extends GeneratedClientConformance {
    private static ApiClient client(String baseUrl, String... authNames) {
        ApiClient client = new ApiClient(authNames);
        client.setBasePath(baseUrl);
        return client;
    }

    @Override
    Finicity finicity(String baseUrl, PartnerAuth auth) {
        ApiClient client = client(baseUrl, "FinicityAppKey", "FinicityAppToken");
        ((ApiKeyAuth) client.getAuthorization("FinicityAppKey")).setApiKey(DECOY_APP_KEY);
        ((ApiKeyAuth) client.getAuthorization("FinicityAppToken")).setApiKey(DECOY_APP_TOKEN);
        new FinauthFeignInterceptor(auth).install(client.getFeignBuilder(), new feign.okhttp.OkHttpClient());
        PartnersApi partners = client.buildClient(PartnersApi.class);
        AuthenticationApi authentication = client.buildClient(AuthenticationApi.class);
        return new Finicity() {
            @Override
            public String partnerConfiguration() {
                return partners.getPartnerConfiguration().getPartnerId();
            }

            @Override
            public void createToken() {
                authentication.createToken(new PartnerCredentials().partnerId(PARTNER_ID).partnerSecret(SECRET));
            }
        };
    }

    @Override
    Signed signed(String baseUrl, OAuth1Signer signer) {
        ApiClient client = client(baseUrl, "MastercardOAuth1");
        ((ApiKeyAuth) client.getAuthorization("MastercardOAuth1")).setApiKey(DECOY_AUTHORIZATION);
        new FinauthFeignInterceptor(signer).install(client.getFeignBuilder(), new feign.okhttp.OkHttpClient());
        SignedApi api = client.buildClient(SignedApi.class);
        return new Signed() {
            @Override
            public String get() {
                return describe(api.getSignedEcho());
            }

            @Override
            public String post(String note, String path) {
                return describe(api.postSignedEcho(new EchoNote().note(note).path(path)));
            }
        };
    }

    private static String describe(SignedEcho echo) {
        return echo.getMethod() + " " + echo.getConsumerKey() + " " + echo.getPath();
    }

    @Override
    FinauthException carried(Exception thrown) {
        FinauthFeignException feign = assertInstanceOf(FinauthFeignException.class, thrown);
        assertEquals(-1, feign.status());
        return assertInstanceOf(FinauthException.class, feign.getCause());
    }

    // ---- beyond the generated operations: Feign's own client, OAuth 2.0, encryption ---------

    /** A hand-written Feign interface, with Feign's default client (HttpURLConnection). */
    interface Raw {
        @RequestLine("GET /oauth2/resource/accounts")
        @Headers("Authorization: Bearer generated-client-decoy")
        String accounts();

        @RequestLine("POST /encrypted/payments?x=1")
        @Headers("Content-Type: application/json")
        String pay(String body);

        @RequestLine("POST /aggregation/v2/partners/authentication")
        @Headers("Content-Type: application/json")
        String token(String body);
    }

    @Test
    void oauth2ClientCredentialsResendOnceAfterAnExpiredToken() throws Exception {
        try (Sandbox sandbox = new Sandbox()) {
            FinauthFeignInterceptor finauth = new FinauthFeignInterceptor(clientCredentials(sandbox));
            Raw raw = finauth.install(Feign.builder(), new Client.Default(null, null)).target(Raw.class, sandbox.getUrl());
            raw.accounts();
            expireOAuth2Tokens(sandbox);
            raw.accounts();
            assertEquals(2L, sandbox.oauth2Counter("token_requests", OAUTH2_CLIENT));
            assertEquals(3L, sandbox.oauth2Counter("resource_requests", OAUTH2_CLIENT));
        }
    }

    @Test
    void payloadEncryptionThenSigningOfTheBytesSentAndTheAnswerDecrypted() throws Exception {
        try (Sandbox sandbox = new Sandbox()) {
            FinauthFeignInterceptor finauth = new FinauthFeignInterceptor(mastercard(sandbox));
            Raw raw = Feign.builder().client(finauth.client(new Client.Default(null, null))).target(Raw.class, sandbox.getUrl());
            assertEchoedPayment(raw.pay(PAYMENT));
        }
    }

    @Test
    void aRefusedRequestThroughFeignsDefaultClientIsNotSent() throws Exception {
        try (Sandbox sandbox = new Sandbox()) {
            PartnerAuth auth = auth(sandbox, null);
            Raw raw = new FinauthFeignInterceptor(auth).install(Feign.builder(), new Client.Default(null, null))
                    .target(Raw.class, sandbox.getUrl());
            FinauthFeignException e = assertThrows(FinauthFeignException.class, () -> raw.token("{}"));
            assertInstanceOf(FinauthException.Config.class, e.getFinauthException());
            assertEquals(0L, requestsServed(sandbox));
        }
    }
}
