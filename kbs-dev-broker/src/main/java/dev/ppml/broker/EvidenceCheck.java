package dev.ppml.broker;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * How the development key broker judges evidence: verification of the TEE's evidence and the
 * broker's policy, given the report data the evidence must carry.
 */
@FunctionalInterface
public interface EvidenceCheck {

    /**
     * Returns the checks that failed, each a sentence; an empty list accepts the evidence.
     *
     * @param tee the TEE named in the session's {@code /auth} request
     * @param evidence the {@code primary_evidence} of the {@code /attest} request
     * @param expectedReportData the digest binding the session's nonce and the TEE key (48 bytes of
     *     SHA-384; TDX REPORTDATA carries it zero-padded to 64)
     */
    List<String> failures(String tee, JsonNode evidence, byte[] expectedReportData);
}
