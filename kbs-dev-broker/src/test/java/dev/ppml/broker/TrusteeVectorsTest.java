package dev.ppml.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ppml.attestation.binding.Jcs;
import dev.ppml.attestation.binding.RuntimeDataBinding;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vectors from Trustee's and kbs-types' own tests ({@code src/test/resources/trustee/vectors}, see
 * its README): the JCS + SHA-384 binding of runtime data, and the shape of a KBS request.
 */
class TrusteeVectorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    private static JsonNode vector(String name) throws Exception {
        try (InputStream in =
                TrusteeVectorsTest.class.getResourceAsStream("/trustee/vectors/" + name)) {
            return JSON.readTree(in);
        }
    }

    @Test
    void runtimeDataIsBoundByTheUnpadded48ByteSha384OfItsJcsForm() throws Exception {
        JsonNode v = vector("runtime-data-sha384.json");
        byte[] digest =
                MessageDigest.getInstance("SHA-384")
                        .digest(
                                Jcs.canonicalize(v.get("runtime_data"))
                                        .getBytes(StandardCharsets.UTF_8));
        assertThat(HexFormat.of().formatHex(digest)).isEqualTo(v.get("sha384").asText());
        assertThat(digest).hasSize(48);
        assertThat(RuntimeDataBinding.reportDataFor("sample", digest)).isEqualTo(digest);
    }

    @Test
    void theBrokerTakesAnyExtraParamsAndRefusesTheVectorsVersionAsTrusteeDoes() throws Exception {
        Files.createDirectories(dir.resolve("res"));
        try (DevKeyBroker broker =
                new DevKeyBroker(
                        (tee, evidence, expected) -> List.of(),
                        RuntimeDataBinding::digest,
                        Set.of("tdx", "sample"),
                        dir.resolve("res"),
                        Clock.systemUTC(),
                        Duration.ofMinutes(5),
                        Duration.ofMinutes(5))) {
            URI base = broker.start(0);
            ObjectNode request = (ObjectNode) vector("kbs-types-request.json");
            HttpResponse<String> refused = auth(base, request.toString());
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(refused.body()).get("type").asText())
                    .isEqualTo(
                            "https://github.com/confidential-containers/kbs/errors/AttestationError");
            request.put("version", "0.4.0");
            HttpResponse<String> challenge = auth(base, request.toString());
            assertThat(challenge.statusCode()).as(challenge.body()).isEqualTo(200);
            assertThat(JSON.readTree(challenge.body()).get("nonce").asText()).isNotEmpty();
        }
    }

    private static HttpResponse<String> auth(URI base, String body) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(base.resolve("/kbs/v0/auth"))
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
