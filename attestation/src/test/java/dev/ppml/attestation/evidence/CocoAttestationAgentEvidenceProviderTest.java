package dev.ppml.attestation.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ppml.attestation.AttestationException;
import dev.ppml.attestation.evidence.FakeAttestationAgent.Attester;
import dev.ppml.attestation.tdx.TdxQuote;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * The CoCo attestation agent path as a TaskManager in a kata-qemu-tdx pod calls it, against a
 * loopback agent that behaves as guest-components' api-server-rest of a given release does.
 */
class CocoAttestationAgentEvidenceProviderTest {

    /** 64 bytes that are not UTF-8: the shape of a zero-padded SHA-384 REPORTDATA. */
    private static byte[] reportData() {
        byte[] b = new byte[64];
        for (int i = 0; i < 48; i++) {
            b[i] = (byte) (0xff - i * 5);
        }
        return b;
    }

    private static EvidenceProvider provider(FakeAttestationAgent agent) {
        return EvidenceProviders.fromName(EvidenceProviders.COCO_AA, agent.url());
    }

    @Test
    void sendsUrlSafeUnpaddedBase64AndGetsATdxQuoteBindingExactlyThoseBytes() throws Exception {
        try (FakeAttestationAgent agent =
                FakeAttestationAgent.release(0, 21, 0, Attester.TDX, true)) {
            JsonNode evidence = provider(agent).evidence(reportData());
            assertThat(agent.lastRuntimeData.get()).isEqualTo(reportData());
            String query = agent.lastRawQuery.get();
            assertThat(query)
                    .contains("encoding=base64")
                    .contains(
                            "runtime_data="
                                    + Base64.getUrlEncoder()
                                            .withoutPadding()
                                            .encodeToString(reportData()))
                    .doesNotContain("%")
                    .doesNotContain("+")
                    .doesNotContain("/");
            byte[] quote = Base64.getDecoder().decode(evidence.get("quote").asText());
            assertThat(TdxQuote.parse(quote).body().reportData()).isEqualTo(reportData());
        }
    }

    @Test
    void worksWithTheSampleAttesterAndShorterReportData() throws Exception {
        byte[] digest = Arrays.copyOf(reportData(), 48);
        try (FakeAttestationAgent agent =
                FakeAttestationAgent.release(0, 22, 1, Attester.SAMPLE, true)) {
            JsonNode evidence = provider(agent).evidence(digest);
            assertThat(Base64.getDecoder().decode(evidence.get("report_data").asText()))
                    .isEqualTo(digest);
        }
    }

    @Test
    void anOlderTdxAgentFailsWithTheVersionItNeeds() throws Exception {
        try (FakeAttestationAgent agent =
                FakeAttestationAgent.release(0, 20, 0, Attester.TDX, true)) {
            assertThatThrownBy(() -> provider(agent).evidence(reportData()))
                    .isInstanceOf(AttestationException.class)
                    .hasMessageContaining("guest-components v0.20.0")
                    .hasMessageContaining("encoding=base64")
                    .hasMessageContaining("guest-components v0.21.0 or later is needed")
                    .hasMessageContaining("HTTP 500");
            // the old agent attested the 86 characters of the parameter, not our 64 bytes
            assertThat(agent.lastRuntimeData.get()).hasSize(86);
        }
    }

    @Test
    void anAgentWithoutInfoThatIgnoresTheEncodingIsCaughtByTheBinding() throws Exception {
        try (FakeAttestationAgent agent =
                FakeAttestationAgent.release(0, 10, 0, Attester.SAMPLE, true)) {
            assertThatThrownBy(() -> provider(agent).evidence(reportData()))
                    .isInstanceOf(AttestationException.class)
                    .hasMessageContaining("ignores encoding=base64")
                    .hasMessageContaining("predates guest-components v0.20.0")
                    .hasMessageContaining("needs guest-components v0.21.0 or later");
        }
    }

    @Test
    void aPodWithoutTheRestApiAnnotationIsToldWhichAnnotationEnablesIt() throws Exception {
        try (FakeAttestationAgent agent =
                FakeAttestationAgent.release(0, 21, 0, Attester.TDX, false)) {
            assertThatThrownBy(() -> provider(agent).evidence(reportData()))
                    .hasMessageContaining("HTTP 404")
                    .hasMessageContaining("io.katacontainers.config.hypervisor.kernel_params")
                    .hasMessageContaining("agent.guest_components_rest_api=all");
        }
    }

    @Test
    void anAgentThatAltersTheDataIsCaught() throws Exception {
        try (FakeAttestationAgent agent =
                FakeAttestationAgent.release(0, 21, 0, Attester.SAMPLE, true)) {
            agent.tamper.set(true);
            assertThatThrownBy(() -> provider(agent).evidence(reportData()))
                    .hasMessageContaining("for other report data than requested");
        }
    }

    @Test
    void outsideACocoPodTheAgentIsUnreachable() throws Exception {
        String url;
        try (FakeAttestationAgent agent =
                FakeAttestationAgent.release(0, 21, 0, Attester.TDX, true)) {
            url = agent.url();
        }
        assertThatThrownBy(
                        () ->
                                EvidenceProviders.fromName(EvidenceProviders.COCO_AA, url)
                                        .evidence(reportData()))
                .hasMessageContaining("unreachable")
                .hasMessageContaining("Confidential Containers pod");
    }
}
