package dev.ppml.keys.kbs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.ppml.attestation.binding.RuntimeDataBinding;
import dev.ppml.attestation.policy.AttestationPolicy;
import dev.ppml.broker.DevKeyBroker;
import dev.ppml.broker.EvidenceCheck;
import dev.ppml.keys.InvalidKeyReferenceException;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.keys.testing.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The KBS client against the development broker on loopback: the handshake, token reuse, one
 * re-attestation on 401, typed errors, retries; and the broker's refusals of misbehaving clients
 * (wrong nonce, replay, evidence bound to another key, wrong protocol version).
 */
class KbsClientTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] SECRET =
            "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /**
     * Report data of the sample TEE as Trustee's sample verifier compares it — the unpadded 48-byte
     * SHA-384 digest — computed independently of the code under test.
     */
    static final RuntimeDataBinder BINDER =
            (nonce, pubkey) -> {
                try {
                    String canonical =
                            "{\"additional-evidence\":\"\",\"nonce\":\""
                                    + nonce
                                    + "\",\"tee-pubkey\":"
                                    + pubkey.toString()
                                    + "}";
                    return MessageDigest.getInstance("SHA-384")
                            .digest(canonical.getBytes(StandardCharsets.UTF_8));
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            };

    /** Evidence like Trustee's sample TEE: the report data, Base64. */
    static final class SampleEvidence implements EvidenceSource {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public String tee() {
            return "sample";
        }

        @Override
        public JsonNode evidence(byte[] reportData) {
            calls.incrementAndGet();
            ObjectNode n = JSON.createObjectNode();
            n.put("svn", "1");
            n.put("report_data", Base64.getEncoder().encodeToString(reportData));
            return n;
        }
    }

    /** Accepts sample evidence whose report data matches; records what it saw. */
    static final EvidenceCheck SAMPLE_CHECK =
            (tee, evidence, expected) -> {
                List<String> failures = new ArrayList<>();
                byte[] got = Base64.getDecoder().decode(evidence.path("report_data").asText(""));
                if (!Arrays.equals(got, expected)) {
                    failures.add("report_data does not bind the nonce and the TEE key");
                }
                return failures;
            };

    @TempDir Path dir;
    private DevKeyBroker broker;
    private URI base;
    private SampleEvidence evidence;

    @BeforeEach
    void startBroker() throws Exception {
        Files.createDirectories(dir.resolve("res/default/key"));
        Files.write(dir.resolve("res/default/key/people"), SECRET);
        broker = broker(SAMPLE_CHECK, Set.of("sample"), Clock.systemUTC(), Duration.ofMinutes(5));
        base = broker.start(0);
        evidence = new SampleEvidence();
    }

    @AfterEach
    void stopBroker() {
        broker.close();
    }

    /** A broker on the test's resources with the given check, TEEs, clock and token lifetime. */
    private DevKeyBroker broker(
            EvidenceCheck check, Set<String> tees, Clock clock, Duration tokenTtl)
            throws Exception {
        return new DevKeyBroker(
                check, BINDER, tees, dir.resolve("res"), clock, Duration.ofMinutes(5), tokenTtl);
    }

    private KbsClient client(Map<String, String> extra) throws Exception {
        Map<String, String> options =
                new HashMap<>(
                        Map.of(
                                KbsClientConfig.TEE, "sample",
                                KbsClientConfig.PLAINTEXT_HTTP, "true",
                                KbsClientConfig.RETRY_BACKOFF, "PT0.01S"));
        options.putAll(extra);
        return new KbsClient(
                base,
                KbsClientConfig.from(KeyServiceOptions.of(options)),
                evidence,
                BINDER,
                Clock.systemUTC());
    }

    @Test
    void attestsOnceAndReusesTheTokenForFurtherResources() throws Exception {
        KbsClient client = client(Map.of());
        assertThat(client.getResource("/kbs/v0/resource/default/key/people")).isEqualTo(SECRET);
        assertThat(client.getResource("/kbs/v0/resource/default/key/people")).isEqualTo(SECRET);
        assertThat(evidence.calls).hasValue(1);
        assertThat(broker.releasedCount()).isEqualTo(2);
    }

    @Test
    void reattestsOnceWhenTheBrokerForgotTheSession() throws Exception {
        KbsClient client = client(Map.of());
        client.getResource("/kbs/v0/resource/default/key/people");
        broker.close();
        broker = broker(SAMPLE_CHECK, Set.of("sample"), Clock.systemUTC(), Duration.ofMinutes(5));
        broker.start(base.getPort()); // a restarted broker: new signing key, no sessions
        assertThat(client.getResource("/kbs/v0/resource/default/key/people")).isEqualTo(SECRET);
        assertThat(evidence.calls).hasValue(2);
    }

    @Test
    void missingResourceSaysWhichResourceAtWhichBrokerWithoutAttestingAgain() throws Exception {
        KbsClient client = client(Map.of());
        assertThatThrownBy(() -> client.getResource("/kbs/v0/resource/default/key/nope"))
                .isInstanceOf(KbsException.NotFound.class)
                .hasMessageStartingWith(
                        "the resource kbs:///default/key/nope does not exist at the KBS at "
                                + base
                                + " (or the broker's resource plugin failed)")
                .hasMessageContaining("HTTP 401 PluginInternalError")
                .satisfies(
                        e ->
                                assertThat(((KbsException) e).variant())
                                        .isEqualTo("PluginInternalError"));
        assertThat(evidence.calls).hasValue(1); // no second handshake for a missing resource
    }

    @Test
    void resourcePolicyDenialSaysSoWithTheHintAndDoesNotAttestAgain() throws Exception {
        broker.resourcePolicy((tee, path) -> !tee.equals("sample"));
        KbsClient client = client(Map.of());
        assertThatThrownBy(() -> client.getResource("/kbs/v0/resource/default/key/people"))
                .isInstanceOf(KbsException.Denied.class)
                .hasMessageContaining("kbs:///default/key/people")
                .hasMessageContaining("denied by the KBS resource policy")
                .hasMessageContaining("default policy denies the sample TEE")
                .hasMessageContaining("allow_all");
        assertThat(evidence.calls).hasValue(1);
        assertThat(broker.releasedCount()).isZero();
    }

    @Test
    void teeNotAllowedIsAnAttestationRefusal() throws Exception {
        broker.close();
        broker = broker(SAMPLE_CHECK, Set.of("tdx"), Clock.systemUTC(), Duration.ofMinutes(5));
        base = broker.start(0);
        assertThatThrownBy(
                        () -> client(Map.of()).getResource("/kbs/v0/resource/default/key/people"))
                .isInstanceOf(KbsException.AttestationRefused.class)
                .hasMessageContaining("POST /kbs/v0/auth")
                .hasMessageContaining("HTTP 401 AttestationError")
                .hasMessageContaining("TEE 'sample' is not allowed")
                .hasMessageContaining("check its attestation policy");
    }

    @Test
    void rejectedEvidenceIsAnAuthenticationFailureNamingTheCheck() throws Exception {
        broker.close();
        broker =
                new DevKeyBroker(
                        (tee, ev, expected) -> List.of("MRTD is not in the allow-list"),
                        BINDER,
                        Set.of("sample"),
                        dir.resolve("res"),
                        Clock.systemUTC(),
                        Duration.ofMinutes(5),
                        Duration.ofMinutes(5));
        base = broker.start(0);
        assertThatThrownBy(
                        () -> client(Map.of()).getResource("/kbs/v0/resource/default/key/people"))
                .isInstanceOf(KbsException.AttestationRefused.class)
                .hasMessageContaining("refused POST /kbs/v0/attest with HTTP 401 AttestationError")
                .hasMessageContaining("the broker refused the attestation")
                .hasMessageContaining("reference values (measurements)");
        assertThat(evidence.calls).hasValue(1); // a refusal is not retried with a new handshake
        assertThat(broker.releasedCount()).isZero();
    }

    @Test
    void sampleEvidenceZeroPaddedTo64BytesIsRefusedAsTrusteeRefusesIt() throws Exception {
        broker.close();
        broker =
                DevKeyBroker.withPolicy(
                        AttestationPolicy.builder().allowSample(true).build(),
                        null,
                        dir.resolve("res"),
                        Clock.systemUTC());
        base = broker.start(0);
        KeyServiceOptions sample =
                KeyServiceOptions.of(
                        Map.of(
                                KbsClientConfig.TEE,
                                "sample",
                                KbsClientConfig.PLAINTEXT_HTTP,
                                "true"));
        KbsClient oldClient =
                new KbsClient(
                        base,
                        KbsClientConfig.from(sample),
                        evidence,
                        (nonce, key) -> Arrays.copyOf(RuntimeDataBinding.digest(nonce, key), 64),
                        Clock.systemUTC());
        assertThatThrownBy(() -> oldClient.getResource("/kbs/v0/resource/default/key/people"))
                .isInstanceOf(KbsException.AttestationRefused.class);
        KbsClient client =
                new KbsClient(
                        base,
                        KbsClientConfig.from(sample),
                        evidence,
                        RuntimeDataBinding::digest,
                        Clock.systemUTC());
        assertThat(client.getResource("/kbs/v0/resource/default/key/people")).isEqualTo(SECRET);
    }

    @Test
    void transientFailuresAreRetried() throws Exception {
        broker.failNextRequests(2);
        assertThat(client(Map.of()).getResource("/kbs/v0/resource/default/key/people"))
                .isEqualTo(SECRET);
    }

    @Test
    void brokerDownFailsAfterBoundedRetriesSayingWhatToCheck() throws Exception {
        broker.close();
        long start = System.nanoTime();
        assertThatThrownBy(
                        () ->
                                client(Map.of(KbsClientConfig.MAX_ATTEMPTS, "3"))
                                        .getResource("/kbs/v0/resource/default/key/people"))
                .isInstanceOf(KbsException.Unavailable.class)
                .hasMessageStartingWith(
                        "cannot reach the KBS at " + base + ": POST /kbs/v0/auth failed (")
                .hasMessageContaining("after 3 attempts")
                .hasMessageContaining("broker is running and reachable")
                .hasMessageContaining("host and port (127.0.0.1:" + base.getPort() + ")")
                // the innermost cause is what a command line shows: it must be this message
                .satisfies(e -> assertThat(e.getCause()).isNull());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void wrongNonceIsRefused() throws Exception {
        RawSession s = RawSession.auth(base, "0.4.0");
        HttpResponse<String> r =
                s.attest("not-the-nonce", s.pubkey(), s.evidenceFor(s.nonce, s.pubkey()));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("errors/AttestationError");
    }

    @Test
    void replayedEvidenceIsRefused() throws Exception {
        RawSession s = RawSession.auth(base, "0.4.0");
        ObjectNode key = s.pubkey();
        JsonNode ev = s.evidenceFor(s.nonce, key);
        assertThat(s.attest(s.nonce, key, ev).statusCode()).isEqualTo(200);
        HttpResponse<String> replay = s.attest(s.nonce, key, ev);
        assertThat(replay.statusCode()).isEqualTo(401);
        assertThat(replay.body()).contains("errors/AttestationError");
    }

    @Test
    void evidenceBoundToAnotherKeyIsRefused() throws Exception {
        RawSession s = RawSession.auth(base, "0.4.0");
        ObjectNode mine = s.pubkey();
        ObjectNode attackers = s.pubkey();
        HttpResponse<String> r = s.attest(s.nonce, attackers, s.evidenceFor(s.nonce, mine));
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("errors/AttestationError");
        assertThat(broker.releasedCount()).isZero();
    }

    @Test
    void resourceIsAFlattenedJweWithTheEphemeralKeyInTheProtectedHeader() throws Exception {
        RawSession s = RawSession.auth(base, "0.4.0");
        ObjectNode key = s.pubkey();
        HttpResponse<String> attested = s.attest(s.nonce, key, s.evidenceFor(s.nonce, key));
        String token = JSON.readTree(attested.body()).get("token").asText();
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                base.resolve("/kbs/v0/resource/default/key/people"))
                                        .header("Authorization", "Bearer " + token)
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        JsonNode jwe = JSON.readTree(r.body());
        assertThat(jwe.fieldNames())
                .toIterable()
                .contains("protected", "encrypted_key", "iv", "ciphertext", "tag");
        JsonNode header =
                JSON.readTree(Base64.getUrlDecoder().decode(jwe.get("protected").asText()));
        assertThat(header.get("alg").asText()).isEqualTo("ECDH-ES+A256KW");
        assertThat(header.get("enc").asText()).isEqualTo("A256GCM");
        assertThat(header.get("epk").get("crv").asText()).isEqualTo("P-256");
        assertThat(r.body()).doesNotContain(new String(SECRET, StandardCharsets.US_ASCII));
    }

    @Test
    void protocolVersionMismatchIsRefused() throws Exception {
        HttpResponse<String> r =
                RawSession.post(
                        base,
                        "/kbs/v0/auth",
                        "{\"version\":\"0.1.0\",\"tee\":\"sample\",\"extra-params\":{}}",
                        null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("errors/AttestationError").contains("=0.4.0");
    }

    @Test
    void resourceWithoutAttestationIsUnauthorized() throws Exception {
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                base.resolve("/kbs/v0/resource/default/key/people"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).contains("errors/TokenNotFound");
        assertThat(broker.releasedCount()).isZero();
    }

    @Test
    void anExpiredTokenIsRenewedByAttestingOnceMore() throws Exception {
        MutableClock brokerClock = new MutableClock(Instant.now());
        broker.close();
        broker = broker(SAMPLE_CHECK, Set.of("sample"), brokerClock, Duration.ofMinutes(1));
        base = broker.start(0);
        KbsClient client = client(Map.of());
        client.getResource("/kbs/v0/resource/default/key/people");
        brokerClock.advance(Duration.ofMinutes(10)); // the broker now sees the token expired
        assertThat(client.getResource("/kbs/v0/resource/default/key/people")).isEqualTo(SECRET);
        assertThat(evidence.calls).hasValue(2);
    }

    @Test
    void tlsWithTheConfiguredCaIsTrustedAndAnUnknownCaIsNot() throws Exception {
        Path ks = dir.resolve("tls.p12");
        Path pem = dir.resolve("ca.pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(
                keytool,
                "-genkeypair",
                "-alias",
                "kbs",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                ks.toString(),
                "-storepass",
                "changeit");
        run(
                keytool,
                "-exportcert",
                "-rfc",
                "-alias",
                "kbs",
                "-keystore",
                ks.toString(),
                "-storepass",
                "changeit",
                "-file",
                pem.toString());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf =
                KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        broker.close();
        broker = broker(SAMPLE_CHECK, Set.of("sample"), Clock.systemUTC(), Duration.ofMinutes(5));
        base = broker.start(0, tls);
        assertThat(base.getScheme()).isEqualTo("https");

        KbsClient trusting =
                new KbsClient(
                        base,
                        KbsClientConfig.from(
                                KeyServiceOptions.of(
                                        Map.of(
                                                KbsClientConfig.TEE,
                                                "sample",
                                                KbsClientConfig.CA_CERT,
                                                pem.toString()))),
                        evidence,
                        BINDER,
                        Clock.systemUTC());
        assertThat(trusting.getResource("/kbs/v0/resource/default/key/people")).isEqualTo(SECRET);

        KbsClient defaultTrust =
                new KbsClient(
                        base,
                        KbsClientConfig.from(
                                KeyServiceOptions.of(
                                        Map.of(
                                                KbsClientConfig.TEE,
                                                "sample",
                                                KbsClientConfig.MAX_ATTEMPTS,
                                                "1"))),
                        evidence,
                        BINDER,
                        Clock.systemUTC());
        assertThatThrownBy(() -> defaultTrust.getResource("/kbs/v0/resource/default/key/people"))
                .isInstanceOf(KbsException.Unavailable.class)
                .hasMessageContaining("SSLHandshakeException");
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }

    @Test
    void missingTeeOptionNamesTheOption() {
        assertThatThrownBy(() -> KbsClientConfig.from(KeyServiceOptions.empty()))
                .isInstanceOf(InvalidKeyReferenceException.class)
                .hasMessageContaining("key-service option 'kbs.tee'")
                .hasMessageContaining("tdx, coco-aa or sample")
                .satisfies(
                        e ->
                                assertThat(((InvalidKeyReferenceException) e).option())
                                        .contains(KbsClientConfig.TEE));
    }

    /** A hand-driven client, to send what a well-behaved one never would. */
    static final class RawSession {
        final String cookie;
        final String nonce;

        RawSession(String cookie, String nonce) {
            this.cookie = cookie;
            this.nonce = nonce;
        }

        private URI base;

        static RawSession auth(URI base, String version) throws Exception {
            HttpResponse<String> r =
                    post(
                            base,
                            "/kbs/v0/auth",
                            "{\"version\":\""
                                    + version
                                    + "\",\"tee\":\"sample\",\"extra-params\":{}}",
                            null);
            String cookie = r.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
            RawSession s = new RawSession(cookie, JSON.readTree(r.body()).get("nonce").asText());
            s.base = base;
            return s;
        }

        ObjectNode pubkey() throws Exception {
            return (ObjectNode)
                    JSON.readTree(
                            new ECKeyGenerator(Curve.P_256)
                                    .generate()
                                    .toPublicJWK()
                                    .toJSONString());
        }

        JsonNode evidenceFor(String nonce, ObjectNode key) throws Exception {
            return new SampleEvidence().evidence(BINDER.reportData(nonce, key));
        }

        HttpResponse<String> attest(String nonce, ObjectNode key, JsonNode evidence)
                throws Exception {
            ObjectNode body = JSON.createObjectNode();
            body.putObject("runtime-data").put("nonce", nonce).set("tee-pubkey", key);
            ObjectNode te = body.putObject("tee-evidence");
            te.set("primary_evidence", evidence);
            te.put("additional_evidence", "");
            return post(base, "/kbs/v0/attest", body.toString(), cookie);
        }

        static HttpResponse<String> post(URI base, String path, String body, String cookie)
                throws Exception {
            HttpRequest.Builder b =
                    HttpRequest.newBuilder(base.resolve(path))
                            .POST(HttpRequest.BodyPublishers.ofString(body));
            if (cookie != null) {
                b.header("Cookie", cookie);
            }
            return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
