package dev.ppml.keys.kbs;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * Where the KBS client gets TEE evidence: the TEE's name as the broker knows it ({@code tdx},
 * {@code sample}) and the evidence binding the report data.
 */
public interface EvidenceSource {

    /** The TEE type sent in the {@code /auth} request, e.g. {@code tdx}. */
    String tee();

    /** The primary evidence whose report data is {@code reportData}. */
    JsonNode evidence(byte[] reportData) throws IOException;
}
