package dev.ppml.attestation.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ppml.attestation.AttestationException;
import dev.ppml.attestation.binding.RuntimeDataBinding;
import dev.ppml.attestation.policy.AttestationPolicy;
import dev.ppml.attestation.tdx.TdxQuote;
import dev.ppml.attestation.verify.TdxCollateral;
import dev.ppml.attestation.verify.TdxQuoteVerifier;
import dev.ppml.attestation.verify.VerificationReport;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker side: judges the {@code primary_evidence} of a KBS attest request. TDX evidence is
 * parsed, verified with the configured collateral at the clock's instant, and evaluated against the
 * policy including the expected REPORTDATA. Sample evidence is accepted only when the policy allows
 * the simulated TEE, and only if it carries the expected report data. {@code expectedReportData} is
 * the binding digest; TDX REPORTDATA is compared with it zero-padded to 64 bytes, sample evidence
 * with the digest itself, as Trustee's verifiers do.
 */
public final class EvidenceVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(EvidenceVerifier.class);

    private final AttestationPolicy policy;
    @Nullable private final TdxCollateral collateral;
    private final Clock clock;

    public EvidenceVerifier(
            AttestationPolicy policy, @Nullable TdxCollateral collateral, Clock clock) {
        this.policy = policy;
        this.collateral = collateral;
        this.clock = clock;
    }

    public VerificationReport verify(String tee, JsonNode evidence, byte[] expectedReportData) {
        VerificationReport r = new VerificationReport();
        switch (tee) {
            case EvidenceProviders.SAMPLE:
                if (!r.check(
                        "policy-allow-sample",
                        policy.allowSample(),
                        policy.allowSample()
                                ? "the policy allows the simulated sample TEE"
                                : "the policy does not allow the simulated sample TEE")) {
                    return r;
                }
                LOG.warn("Accepting SIMULATED 'sample' TEE evidence, as the policy allows");
                // As Trustee's sample verifier: svn must be a JSON string, report_data standard
                // base64 of exactly the expected bytes (the unpadded digest), nothing padded.
                if (!r.check(
                        "sample-format",
                        evidence.path("svn").isTextual(),
                        evidence.path("svn").isTextual()
                                ? "the sample evidence has a string svn"
                                : "the sample evidence needs svn as a JSON string, e.g."
                                        + " {\"svn\":\"1\",\"report_data\":\"...\"}")) {
                    return r;
                }
                byte[] got;
                try {
                    got = Base64.getDecoder().decode(evidence.path("report_data").asText(""));
                } catch (IllegalArgumentException e) {
                    got = new byte[0];
                }
                boolean bound = Arrays.equals(got, expectedReportData);
                r.check(
                        "policy-report-data",
                        bound,
                        bound
                                ? "report_data binds the expected nonce and key"
                                : String.format(
                                        "report_data (%d bytes) does not bind the nonce and the"
                                                + " TEE key (%d bytes expected; stale nonce,"
                                                + " evidence bound to another key, or padded)",
                                        got.length, expectedReportData.length));
                return r;
            case EvidenceProviders.TDX:
                TdxQuote quote;
                try {
                    quote =
                            TdxQuote.parse(
                                    Base64.getDecoder().decode(evidence.path("quote").asText("")));
                } catch (AttestationException | IllegalArgumentException e) {
                    r.check(
                            "quote-format",
                            false,
                            "the evidence has no parsable TDX quote: " + e.getMessage());
                    return r;
                }
                String tdxStatus = null;
                String qeStatus = null;
                if (collateral == null) {
                    r.check(
                            "collateral",
                            false,
                            "no TDX collateral is configured, the quote cannot be verified");
                } else {
                    TdxQuoteVerifier.Result v =
                            TdxQuoteVerifier.verify(quote, collateral, clock.instant());
                    r.addAll(v.report);
                    tdxStatus = v.tdxTcbStatus;
                    qeStatus = v.qeTcbStatus;
                }
                r.addAll(
                        policy.evaluate(
                                quote,
                                tdxStatus,
                                qeStatus,
                                RuntimeDataBinding.tdxReportData(expectedReportData)));
                return r;
            default:
                r.check("tee", false, "TEE '" + tee + "' is not supported; expected tdx or sample");
                return r;
        }
    }
}
