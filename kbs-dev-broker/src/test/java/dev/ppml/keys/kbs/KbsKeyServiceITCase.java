package dev.ppml.keys.kbs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.crypto.tink.Aead;
import dev.ppml.attestation.binding.RuntimeDataBinding;
import dev.ppml.attestation.evidence.EvidenceVerifier;
import dev.ppml.attestation.policy.AttestationPolicy;
import dev.ppml.broker.DevKeyBroker;
import dev.ppml.keys.KeyReference;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.keys.KeyServices;
import dev.ppml.keys.KeyUri;
import dev.ppml.keys.local.LocalKeystore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kbs:// end to end: KeyServices -> the KBS scheme -> the attestation module's evidence and binding
 * -> the development broker's verification and policy -> a JWE-wrapped Tink keyset.
 */
class KbsKeyServiceITCase {

    @TempDir Path dir;
    private DevKeyBroker broker;
    private String keyUri;
    private Aead local;

    private void start(boolean allowSample) throws Exception {
        Path keystore = dir.resolve("master.json");
        LocalKeystore.create(KeyUri.parse("local:" + keystore), false);
        local = KeyReference.of("local:" + keystore, KeyServiceOptions.empty()).unlock();
        Files.createDirectories(dir.resolve("resources/default/key"));
        Files.copy(keystore, dir.resolve("resources/default/key/people"));
        AttestationPolicy policy = AttestationPolicy.builder().allowSample(allowSample).build();
        broker = DevKeyBroker.withPolicy(policy, null, dir.resolve("resources"), Clock.systemUTC());
        broker.start(0);
        keyUri = "kbs://127.0.0.1:" + broker.port() + "/default/key/people";
    }

    @BeforeEach
    void reset() {
        KeyServices.invalidateAll();
        KbsKeyService.resetClients();
    }

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private static KeyServiceOptions sample() {
        return KeyServiceOptions.of(
                Map.of(KbsClientConfig.TEE, "sample", KbsClientConfig.PLAINTEXT_HTTP, "true"));
    }

    @Test
    void theBrokersKeyIsReleasedAfterAttestationAndIsTheSameKey() throws Exception {
        start(true);
        Aead kbs = KeyReference.of(keyUri, sample()).unlock();
        byte[] ct = local.encrypt("hi".getBytes(StandardCharsets.UTF_8), new byte[0]);
        assertThat(kbs.decrypt(ct, new byte[0])).isEqualTo("hi".getBytes(StandardCharsets.UTF_8));
        assertThat(broker.releasedCount()).isEqualTo(1);
    }

    @Test
    void aPolicyWithoutTheSampleTeeReleasesNothing() throws Exception {
        start(false);
        assertThatThrownBy(() -> KeyReference.of(keyUri, sample()).unlock())
                .isInstanceOf(KbsException.AttestationRefused.class)
                .hasMessageContaining("TEE 'sample' is not allowed");
        assertThat(broker.releasedCount()).isZero();
    }

    @Test
    void sampleEvidenceCarriesTheUnpadded48ByteDigestAndASvnString() throws Exception {
        start(true);
        EvidenceVerifier verifier =
                new EvidenceVerifier(
                        AttestationPolicy.builder().allowSample(true).build(),
                        null,
                        Clock.systemUTC());
        List<JsonNode> seen = new ArrayList<>();
        broker.close();
        broker =
                new DevKeyBroker(
                        (tee, evidence, expected) -> {
                            seen.add(evidence);
                            return verifier.verify(tee, evidence, expected).failures();
                        },
                        RuntimeDataBinding::digest,
                        Set.of("sample"),
                        dir.resolve("resources"),
                        Clock.systemUTC(),
                        Duration.ofMinutes(5),
                        Duration.ofMinutes(5));
        broker.start(0);
        keyUri = "kbs://127.0.0.1:" + broker.port() + "/default/key/people";
        KeyReference.of(keyUri, sample()).unlock();
        assertThat(seen).hasSize(1);
        assertThat(seen.get(0).get("svn").isTextual()).isTrue();
        assertThat(Base64.getDecoder().decode(seen.get(0).get("report_data").asText())).hasSize(48);
    }

    @Test
    void theResourcePolicysRefusalIsReportedAsSuch() throws Exception {
        start(true);
        broker.resourcePolicy((tee, path) -> !tee.equals("sample")); // like Trustee's default
        assertThatThrownBy(() -> KeyReference.of(keyUri, sample()).unlock())
                .isInstanceOf(KbsException.Denied.class)
                .hasMessageContaining("denied by the KBS resource policy")
                .hasMessageContaining("allow_all");
    }

    @Test
    void plainHttpOnlyForLoopbackAndTheTeeMustBeNamed() throws Exception {
        assertThatThrownBy(
                        () ->
                                KeyReference.of(
                                                "kbs://kbs.example:8080/default/key/people",
                                                sample())
                                        .unlock())
                .hasMessageContaining("plain HTTP to loopback brokers only");
        assertThatThrownBy(
                        () ->
                                KeyReference.of(
                                                "kbs://127.0.0.1:1/default/key/people",
                                                KeyServiceOptions.of(
                                                        Map.of(KbsClientConfig.TEE, "magic")))
                                        .unlock())
                .hasMessageContaining("unknown TEE 'magic'");
        assertThatThrownBy(() -> KeyReference.of("kbs://127.0.0.1:1/only/two", sample()).unlock())
                .hasMessageContaining("expected kbs://host:port/<repository>/<type>/<tag>");
    }
}
