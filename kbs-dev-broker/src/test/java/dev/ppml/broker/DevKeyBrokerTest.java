package dev.ppml.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.ppml.attestation.binding.RuntimeDataBinding;
import dev.ppml.keys.testing.MutableClock;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The development broker's answers compared byte for byte with the error bodies Trustee's KBS sends
 * (golden vectors in {@code src/test/resources/trustee/errors}, see its README), and its session
 * bookkeeping.
 */
class DevKeyBrokerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir Path dir;
    private MutableClock clock;
    private DevKeyBroker broker;
    private URI base;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(dir.resolve("res/default/key"));
        Files.write(dir.resolve("res/default/key/people"), new byte[32]);
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        broker =
                new DevKeyBroker(
                        (tee, evidence, expected) -> List.of(),
                        RuntimeDataBinding::digest,
                        Set.of("sample"),
                        dir.resolve("res"),
                        clock,
                        Duration.ofMinutes(5),
                        Duration.ofMinutes(5));
        base = broker.start(0);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private static String golden(String name) throws Exception {
        try (InputStream in =
                DevKeyBrokerTest.class.getResourceAsStream("/trustee/errors/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    private static void assertTrusteeError(HttpResponse<String> r, int status, String golden)
            throws Exception {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.body()).isEqualTo(golden(golden));
        assertThat(r.headers().firstValue("content-type")).isEmpty();
    }

    private HttpResponse<String> get(String path, String header, String value) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).GET();
        if (header != null) {
            b.header(header, value);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, String cookie) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(base.resolve(path))
                        .POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> auth() throws Exception {
        return post(
                "/kbs/v0/auth",
                "{\"version\":\"0.4.0\",\"tee\":\"sample\",\"extra-params\":{}}",
                null);
    }

    /** Auth and attest; returns the session cookie ({@code kbs-session-id=...}). */
    private String attestedCookie() throws Exception {
        HttpResponse<String> challenge = auth();
        String cookie = challenge.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
        String nonce = JSON.readTree(challenge.body()).get("nonce").asText();
        ObjectNode key =
                (ObjectNode)
                        JSON.readTree(
                                new ECKeyGenerator(Curve.P_256)
                                        .generate()
                                        .toPublicJWK()
                                        .toJSONString());
        ObjectNode body = JSON.createObjectNode();
        body.putObject("runtime-data").put("nonce", nonce).set("tee-pubkey", key);
        ObjectNode evidence = body.putObject("tee-evidence");
        evidence.putObject("primary_evidence")
                .put("svn", "1")
                .put(
                        "report_data",
                        Base64.getEncoder().encodeToString(RuntimeDataBinding.digest(nonce, key)));
        evidence.put("additional_evidence", "");
        HttpResponse<String> attested = post("/kbs/v0/attest", body.toString(), cookie);
        assertThat(attested.statusCode()).as(attested.body()).isEqualTo(200);
        return cookie;
    }

    @Test
    void noCookieAndNoTokenIsTokenNotFound() throws Exception {
        assertTrusteeError(
                get("/kbs/v0/resource/default/key/people", null, null), 401, "TokenNotFound.json");
    }

    @Test
    void aBadOrExpiredTokenIsTokenVerifierError() throws Exception {
        assertTrusteeError(
                get("/kbs/v0/resource/default/key/people", "Authorization", "Bearer not.a.jwt"),
                401,
                "TokenVerifierError.json");
        String cookie = attestedCookie();
        clock.advance(Duration.ofMinutes(4)); // session alive, token (5 min) too
        assertThat(get("/kbs/v0/resource/default/key/people", "Cookie", cookie).statusCode())
                .isEqualTo(200);
        String fresh = attestedCookie();
        clock.advance(Duration.ofMinutes(6)); // the token expired
        HttpResponse<String> expired = get("/kbs/v0/resource/default/key/people", "Cookie", fresh);
        // the session went with it: no token at all, as Trustee, whose session outlives no token
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(expired.body()).get("type").asText())
                .matches(".*/(TokenNotFound|TokenVerifierError)");
    }

    @Test
    void aMissingResourceIsPluginInternalError() throws Exception {
        String cookie = attestedCookie();
        assertTrusteeError(
                get("/kbs/v0/resource/default/key/nope", "Cookie", cookie),
                401,
                "PluginInternalError.json");
        assertTrusteeError(
                get("/kbs/v0/resource/only/two", "Cookie", cookie),
                401,
                "PluginInternalError.json");
    }

    @Test
    void theResourcePolicysRefusalIsPolicyDeny() throws Exception {
        broker.resourcePolicy((tee, path) -> false);
        assertTrusteeError(
                get("/kbs/v0/resource/default/key/people", "Cookie", attestedCookie()),
                401,
                "PolicyDeny.json");
        assertThat(broker.releasedCount()).isZero();
    }

    @Test
    void anyAttestFailureIsAttestationErrorWithoutACause() throws Exception {
        assertTrusteeError(post("/kbs/v0/attest", "{}", null), 401, "AttestationError-attest.json");
        HttpResponse<String> challenge = auth();
        String cookie = challenge.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
        assertTrusteeError(
                post("/kbs/v0/attest", "{\"runtime-data\":{}}", cookie),
                401,
                "AttestationError-attest.json");
    }

    @Test
    void anUnknownPluginIsTheOnly404() throws Exception {
        assertTrusteeError(get("/kbs/v0/nope", null, null), 404, "PluginNotFound-nope.json");
        JsonNode authFailed =
                JSON.readTree(
                        post(
                                        "/kbs/v0/auth",
                                        "{\"version\":\"0.1.0\",\"tee\":\"sample\",\"extra-params\":{}}",
                                        null)
                                .body());
        assertThat(authFailed.get("type").asText()).endsWith("/AttestationError");
        assertThat(authFailed.get("detail").asText())
                .startsWith("Attestation error: RCAR handshake Auth failed: ");
    }

    @Test
    void expiredSessionsAreEvicted() throws Exception {
        for (int i = 0; i < 30; i++) {
            auth();
        }
        assertThat(broker.sessionCount()).isEqualTo(30);
        clock.advance(Duration.ofMinutes(6));
        auth();
        assertThat(broker.sessionCount()).isEqualTo(1);
    }

    @Test
    void liveSessionsAreBoundedOldestFirst() throws Exception {
        broker.maxSessions(20);
        String first = auth().headers().firstValue("set-cookie").orElseThrow().split(";")[0];
        for (int i = 0; i < 60; i++) {
            clock.advance(Duration.ofMillis(10));
            auth();
        }
        assertThat(broker.sessionCount()).isEqualTo(20);
        // the oldest session is gone: its attest finds no session
        assertThat(post("/kbs/v0/attest", "{}", first).body()).contains("AttestationError");
        assertThat(attestedCookie()).isNotEmpty(); // new clients still get in
    }
}
