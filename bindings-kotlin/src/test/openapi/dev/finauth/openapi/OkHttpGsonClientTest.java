package dev.finauth.openapi;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.finauth.FinauthException;
import dev.finauth.OAuth1Signer;
import dev.finauth.PartnerAuth;
import dev.finauth.generated.okhttp.ApiClient;
import dev.finauth.generated.okhttp.ApiException;
import dev.finauth.generated.okhttp.api.AuthenticationApi;
import dev.finauth.generated.okhttp.api.PartnersApi;
import dev.finauth.generated.okhttp.api.SignedApi;
import dev.finauth.generated.okhttp.auth.ApiKeyAuth;
import dev.finauth.generated.okhttp.model.EchoNote;
import dev.finauth.generated.okhttp.model.PartnerCredentials;
import dev.finauth.generated.okhttp.model.SignedEcho;

/**
 * `okhttp-gson` (OpenAPI Generator's default Java library) with {@link FinauthOkHttp}: the
 * generated ApiKeyAuth holds decoys for every api key, finauth's headers replace them; a finauth
 * stop is the generated {@code ApiException} whose cause is a {@link FinauthIOException} whose
 * cause is the finauth exception.
 */
class OkHttpGsonClientTest extends GeneratedClientConformance {
    private static ApiClient client(String baseUrl) {
        ApiClient client = new ApiClient();
        client.setBasePath(baseUrl);
        ((ApiKeyAuth) client.getAuthentication("FinicityAppKey")).setApiKey(DECOY_APP_KEY);
        ((ApiKeyAuth) client.getAuthentication("FinicityAppToken")).setApiKey(DECOY_APP_TOKEN);
        ((ApiKeyAuth) client.getAuthentication("MastercardOAuth1")).setApiKey(DECOY_AUTHORIZATION);
        return client;
    }

    @Override
    Finicity finicity(String baseUrl, PartnerAuth auth) {
        ApiClient client = client(baseUrl);
        client.setHttpClient(FinauthOkHttp.attach(client.getHttpClient(), auth));
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
        ApiClient client = client(baseUrl);
        client.setHttpClient(FinauthOkHttp.attach(client.getHttpClient(), signer));
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
}
