package dev.ppml.attestation.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ppml.attestation.AttestationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Choosing evidence providers by name; configfs-tsm on a fake tree and the simulated sample TEE.
 * The CoCo agent has its own test (CocoAttestationAgentEvidenceProviderTest).
 */
class EvidenceProvidersTest {

    @TempDir Path root;

    private static byte[] reportData() {
        byte[] b = new byte[64];
        for (int i = 0; i < 64; i++) {
            b[i] = (byte) (i * 3 + 1);
        }
        return b;
    }

    /** Plays the kernel: the "quote" is a marker plus the inblob, like a real quote embeds it. */
    private static ConfigFsTsmEvidenceProvider.KernelHooks kernel(
            String provider, String generation) {
        return new ConfigFsTsmEvidenceProvider.KernelHooks() {
            @Override
            public void created(Path dir) throws IOException {
                Files.writeString(dir.resolve("provider"), provider + "\n");
                Files.writeString(dir.resolve("generation"), "0\n");
            }

            @Override
            public void inblobWritten(Path dir) throws IOException {
                byte[] in = Files.readAllBytes(dir.resolve("inblob"));
                byte[] quote = new byte[4 + in.length];
                System.arraycopy("QUOT".getBytes(StandardCharsets.US_ASCII), 0, quote, 0, 4);
                System.arraycopy(in, 0, quote, 4, in.length);
                Files.write(dir.resolve("outblob"), quote);
                Files.writeString(dir.resolve("generation"), generation + "\n");
            }
        };
    }

    @Test
    void configFsTsmFollowsTheKernelSequenceAndCleansUp() throws Exception {
        Files.createDirectories(root.resolve("report"));
        ConfigFsTsmEvidenceProvider p =
                new ConfigFsTsmEvidenceProvider(root, kernel("tdx_guest", "1"));
        JsonNode evidence = p.evidence(reportData());
        byte[] quote = Base64.getDecoder().decode(evidence.get("quote").asText());
        assertThat(Arrays.copyOfRange(quote, 4, 68)).isEqualTo(reportData());
        assertThat(p.tee()).isEqualTo("tdx");
        try (Stream<Path> left = Files.list(root.resolve("report"))) {
            assertThat(left).as("report directory removed").isEmpty();
        }
    }

    @Test
    void configFsTsmRefusesARacedGenerationAnOtherProviderAndBadLengths() throws Exception {
        Files.createDirectories(root.resolve("report"));
        assertThatThrownBy(
                        () ->
                                new ConfigFsTsmEvidenceProvider(root, kernel("tdx_guest", "2"))
                                        .evidence(reportData()))
                .hasMessageContaining("generation is 2, expected 1: another writer");
        assertThatThrownBy(
                        () ->
                                new ConfigFsTsmEvidenceProvider(root, kernel("sev_guest", "1"))
                                        .evidence(reportData()))
                .hasMessageContaining("provider is 'sev_guest', expected 'tdx_guest'");
        assertThatThrownBy(
                        () ->
                                new ConfigFsTsmEvidenceProvider(root, kernel("tdx_guest", "1"))
                                        .evidence(new byte[32]))
                .hasMessageContaining("exactly 64 bytes");
        try (Stream<Path> left = Files.list(root.resolve("report"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void configFsTsmOnAMachineWithoutItSaysSo() {
        assertThatThrownBy(
                        () ->
                                new ConfigFsTsmEvidenceProvider(root.resolve("none"))
                                        .evidence(reportData()))
                .isInstanceOf(AttestationException.class)
                .hasMessageContaining("not a TDX guest with configfs-tsm");
    }

    @Test
    void sampleIsSelectedOnlyByNameAndCarriesTheReportData() throws Exception {
        EvidenceProvider p = EvidenceProviders.fromName("sample", null);
        JsonNode ev = p.evidence(reportData());
        assertThat(Base64.getDecoder().decode(ev.get("report_data").asText()))
                .isEqualTo(reportData());
        assertThatThrownBy(() -> EvidenceProviders.fromName("auto", null))
                .hasMessage("unknown TEE 'auto'; expected one of tdx, coco-aa, sample");
    }
}
