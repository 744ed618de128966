package dev.finauth;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Whether the dev.finauth.openapi conformance tests (src/test/openapi) were compiled with the
 * clients OpenAPI Generator made (the `openapi` profile of pom.xml, on with
 * -Dfinauth.openapi.dir=DIR after scripts/openapi-clients.sh). Without them this test is skipped;
 * with FINAUTH_REQUIRE_OPENAPI=1 (scripts/test-kotlin.sh) it fails instead, so they cannot go
 * missing unnoticed.
 */
class OpenApiClientsTest {
    private static final String[] CLASSES = {
        "dev.finauth.generated.okhttp.ApiClient",
        "dev.finauth.generated.nativehttp.ApiClient",
        "dev.finauth.generated.feign.ApiClient",
        "dev.finauth.openapi.OkHttpGsonClientTest",
        "dev.finauth.openapi.NativeClientTest",
        "dev.finauth.openapi.FeignClientTest",
    };

    @Test
    void theGeneratedClientsAndTheirConformanceTestsAreOnTheTestClassPath() {
        List<String> missing = new ArrayList<>();
        for (String name : CLASSES) {
            try {
                Class.forName(name, false, getClass().getClassLoader());
            } catch (ClassNotFoundException e) {
                missing.add(name);
            }
        }
        boolean required = "1".equals(System.getenv("FINAUTH_REQUIRE_OPENAPI"));
        String why = "missing " + missing + ": run scripts/openapi-clients.sh, then Maven with "
                + "-Dfinauth.openapi.dir=$CARGO_TARGET_DIR/openapi (scripts/test-kotlin.sh does both)";
        if (required) {
            assertTrue(missing.isEmpty(), "FINAUTH_REQUIRE_OPENAPI=1 and " + why);
        } else {
            Assumptions.assumeTrue(missing.isEmpty(), "skipped, " + why);
        }
    }
}
