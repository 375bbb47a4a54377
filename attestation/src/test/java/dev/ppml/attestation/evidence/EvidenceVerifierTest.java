package dev.ppml.attestation.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ppml.attestation.policy.AttestationPolicy;
import dev.ppml.attestation.tdx.TdxQuote;
import dev.ppml.attestation.verify.TdxCollateral;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class EvidenceVerifierTest {
    private static final Path TDX = Path.of("src/test/resources/tdx");
    private static final Clock IN_WINDOW =
            Clock.fixed(Instant.parse("2023-07-01T00:00:00Z"), ZoneOffset.UTC);

    private static ObjectNode tdxEvidence(String file) throws Exception {
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("quote", Base64.getEncoder().encodeToString(Files.readAllBytes(TDX.resolve(file))));
        return n;
    }

    @Test
    void sampleEvidenceNeedsAPolicyThatAllowsIt() throws Exception {
        byte[] rd = new byte[64];
        rd[0] = 7;
        var evidence = new SampleEvidenceProvider().evidence(rd);
        AttestationPolicy strict = AttestationPolicy.strict();
        assertThat(
                        new EvidenceVerifier(strict, null, IN_WINDOW)
                                .verify("sample", evidence, rd)
                                .failures())
                .containsExactly(
                        "policy-allow-sample: the policy does not allow the simulated sample TEE");
        AttestationPolicy sampleAllowed = strict.toBuilder().allowSample(true).build();
        assertThat(
                        new EvidenceVerifier(sampleAllowed, null, IN_WINDOW)
                                .verify("sample", evidence, rd)
                                .passed())
                .isTrue();
        assertThat(
                        new EvidenceVerifier(sampleAllowed, null, IN_WINDOW)
                                .verify("sample", evidence, new byte[64])
                                .failures())
                .anyMatch(f -> f.contains("another key"));
    }

    @Test
    void sampleEvidenceIsJudgedAsTrusteesSampleVerifierDoes() throws Exception {
        byte[] digest = new byte[48];
        digest[0] = 7;
        EvidenceVerifier verifier =
                new EvidenceVerifier(
                        AttestationPolicy.strict().toBuilder().allowSample(true).build(),
                        null,
                        IN_WINDOW);
        ObjectMapper json = new ObjectMapper();
        String exact = Base64.getEncoder().encodeToString(digest);
        String padded = Base64.getEncoder().encodeToString(Arrays.copyOf(digest, 64));
        ObjectNode good = json.createObjectNode().put("svn", "1").put("report_data", exact);
        assertThat(verifier.verify("sample", good, digest).passed()).isTrue();
        // What the old client sent: the 48-byte digest zero-padded to 64 bytes.
        ObjectNode zeroPadded = json.createObjectNode().put("svn", "1").put("report_data", padded);
        assertThat(verifier.verify("sample", zeroPadded, digest).failures())
                .anyMatch(f -> f.contains("report_data (64 bytes)"));
        ObjectNode numericSvn = json.createObjectNode().put("svn", 1).put("report_data", exact);
        assertThat(verifier.verify("sample", numericSvn, digest).failures())
                .anyMatch(f -> f.contains("svn as a JSON string"));
    }

    @Test
    void tdxEvidenceIsVerifiedAndJudged() throws Exception {
        TdxCollateral collateral = TdxCollateral.load(TDX.resolve("go-tdx-guest"));
        AttestationPolicy policy = AttestationPolicy.strict();
        ObjectNode debugQuote = tdxEvidence("trustee/tdx_quote_4.dat");
        byte[] rd =
                Arrays.copyOf(
                        TdxQuote.parse(Files.readAllBytes(TDX.resolve("trustee/tdx_quote_4.dat")))
                                .body()
                                .reportData(),
                        64);

        var report =
                new EvidenceVerifier(policy, collateral, IN_WINDOW).verify("tdx", debugQuote, rd);
        assertThat(report.failures())
                .containsExactly(
                        "policy-debug: the TD runs in DEBUG mode (TDATTRIBUTES bit 0): its memory is readable by the host; denied");

        policy = policy.toBuilder().allowDebug(true).build();
        assertThat(
                        new EvidenceVerifier(policy, collateral, IN_WINDOW)
                                .verify("tdx", debugQuote, rd)
                                .passed())
                .isTrue();
        assertThat(
                        new EvidenceVerifier(policy, collateral, IN_WINDOW)
                                .verify("tdx", debugQuote, new byte[64])
                                .failures())
                .anyMatch(f -> f.startsWith("policy-report-data"));
        assertThat(
                        new EvidenceVerifier(policy, null, IN_WINDOW)
                                .verify("tdx", debugQuote, rd)
                                .failures())
                .anyMatch(f -> f.contains("no TDX collateral is configured"));
    }
}
