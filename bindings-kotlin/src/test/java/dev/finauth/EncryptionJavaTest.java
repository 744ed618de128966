package dev.finauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import kotlinx.serialization.json.Json;
import org.junit.jupiter.api.Test;

/** Payload encryption from Java: the static entry points of {@code Finauth} and the builder. */
class EncryptionJavaTest {
    private static final String KEYS = System.getProperty("finauth.encryptionKeys", "../core/tests/encryption-keys");
    private static final String REF =
            System.getProperty("finauth.encryptionReference", "../core/tests/encryption-reference");

    private static EncryptionCertificate cert() throws FinauthException {
        return Finauth.loadEncryptionCertificate(KEYS + "/client-encryption-cert.pem");
    }

    private static DecryptionKey key() throws FinauthException {
        return Finauth.loadDecryptionKey(KEYS + "/client-encryption-key.p12", "keystorepassword");
    }

    @Test
    void jweRoundTripAndTheJavaLibrarysVector() throws Exception {
        PayloadEncryption enc = Finauth.payloadEncryption(
                "jwe",
                "{\"encryptionPaths\": {\"$.data.card\": \"$.data.encryptedCard\"},"
                        + " \"decryptionPaths\": {\"$.data.encryptedCard.encryptedData\": \"$.data.card\"}}",
                cert(),
                key());
        assertEquals("jwe", enc.scheme());
        String clear = "{\"data\":{\"card\":{\"pan\":\"5123450000000008\"}}}";
        String body = enc.encryptPayload(clear);
        assertFalse(body.contains("5123450000000008"));
        assertEquals(clear, enc.decryptPayload(body));

        String vector = Files.readString(Path.of(REF, "vectors", "jwe-nested.json"));
        String payload = Json.Default.parseToJsonElement(vector).toString();
        // {"payload": ..., "headers": ...}: decrypt the payload member through the options JSON path
        PayloadEncryption wrapped = Finauth.payloadEncryption(
                "jwe",
                "{\"decryptionPaths\": {\"$.payload.data.encryptedCard.encryptedData\": \"$.payload.data.card\"}}",
                null,
                key());
        String out = wrapped.decryptPayload(payload);
        assertTrue(out.contains("\"card\":{"), out);
        assertFalse(out.contains("encryptedCard"), out);
    }

    @Test
    void fieldLevelHeaderModeWithTheBuilder() throws Exception {
        PayloadEncryption enc = Finauth.payloadEncryptionBuilder("fle")
                .encryptionCertificate(cert())
                .decryptionKey(key())
                .encryptionPath("$.card", "$.encCard")
                .decryptionPath("$.encCard", "$.card")
                .fieldEncoding("base64")
                .oaep("sha512")
                .headerMode(true)
                .build();
        EncryptedRequest r = enc.encryptRequest("{\"card\":{\"pan\":\"5123450000000008\"}}".getBytes(StandardCharsets.UTF_8));
        Map<String, String> headers = r.getHeaders();
        assertTrue(headers.containsKey("x-iv") && headers.containsKey("x-encrypted-key"), headers.toString());
        byte[] clear = enc.decryptResponse(r.getBody(), headers);
        assertEquals("{\"card\":{\"pan\":\"5123450000000008\"}}", new String(clear, StandardCharsets.UTF_8));
        assertThrows(FinauthException.Encryption.class, () -> enc.decryptResponse(r.getBody(), Collections.emptyMap()));
    }

    @Test
    void errorsAreTheirKinds() throws Exception {
        FinauthException.SigningKey wrong = assertThrows(
                FinauthException.SigningKey.class,
                () -> Finauth.loadDecryptionKey(KEYS + "/client-encryption-key.p12", "not-the-password"));
        assertEquals("SIGNING_KEY", wrong.kind());
        FinauthException.Config unknown = assertThrows(
                FinauthException.Config.class, () -> Finauth.payloadEncryption("jwe", "{\"nope\": 1}", cert()));
        assertTrue(unknown.getDescription().contains("nope"), unknown.getDescription());
        PayloadEncryption enc = Finauth.payloadEncryption("jwe", "", cert(), key());
        FinauthException.Encryption e = assertThrows(
                FinauthException.Encryption.class,
                () -> enc.decryptPayload("{\"encryptedData\":\"a.b.c.d.e\"}"));
        assertEquals("ENCRYPTION", e.kind());
        assertEquals("DecryptionKey(RSA-2048, [REDACTED])", key().toString());
        assertEquals(
                cert().keyFingerprint(),
                Finauth.loadDecryptionKeyBytes(Files.readAllBytes(Path.of(KEYS, "client-encryption-key.der")))
                        .keyFingerprint());
    }
}
