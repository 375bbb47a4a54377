package dev.ppml.attestation.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trustee's {@code sample} TEE: evidence that is just the report data, signed by nothing. For tests
 * and the demo only; brokers accept it only under a policy that says so. Never selected unless
 * named, and every use logs that the evidence is simulated.
 */
public final class SampleEvidenceProvider implements EvidenceProvider {
    private static final Logger LOG = LoggerFactory.getLogger(SampleEvidenceProvider.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String tee() {
        return "sample";
    }

    @Override
    public JsonNode evidence(byte[] reportData) {
        LOG.warn(
                "Producing SIMULATED 'sample' TEE evidence: nothing attests this machine. For tests"
                        + " and the demo only.");
        ObjectNode n = JSON.createObjectNode();
        n.put("svn", "1");
        n.put("report_data", Base64.getEncoder().encodeToString(reportData));
        return n;
    }
}
