package dev.ppml.attestation.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ppml.attestation.AttestationException;

/**
 * Produces TEE evidence binding 64 bytes of report data, in the JSON form a Trustee KBS expects as
 * {@code primary_evidence} for the TEE type {@link #tee()} ({@code tdx}: {@code {"quote": base64}};
 * {@code sample}: {@code {"svn": "1", "report_data": base64}}).
 */
public interface EvidenceProvider {

    /** The TEE type as the KBS protocol names it: {@code tdx} or {@code sample}. */
    String tee();

    JsonNode evidence(byte[] reportData) throws AttestationException;
}
