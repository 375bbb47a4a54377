package dev.ppml.attestation.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ppml.attestation.AttestationException;
import dev.ppml.attestation.tdx.TdxQuote;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;

/**
 * Evidence from the Confidential Containers attestation agent's REST endpoint ({@code GET
 * <base>/aa/evidence?runtime_data=...}, base {@code http://127.0.0.1:8006} in a CoCo pod). The
 * report data is sent percent-encoded; the returned evidence is checked to carry exactly those
 * bytes, so an agent that altered them is caught here rather than by the broker.
 */
public final class CocoAttestationAgentEvidenceProvider implements EvidenceProvider {
    public static final URI DEFAULT_BASE = URI.create("http://127.0.0.1:8006");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String tee;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * @param tee what the agent attests: {@code tdx} in a TDX pod
     */
    public CocoAttestationAgentEvidenceProvider(URI base, String tee) {
        this.base = base;
        this.tee = tee;
    }

    @Override
    public String tee() {
        return tee;
    }

    @Override
    public JsonNode evidence(byte[] reportData) throws AttestationException {
        StringBuilder encoded = new StringBuilder();
        for (byte b : reportData) {
            encoded.append('%').append(String.format("%02X", b & 0xff));
        }
        URI uri = base.resolve("/aa/evidence?runtime_data=" + encoded);
        HttpResponse<byte[]> response;
        try {
            response =
                    http.send(
                            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AttestationException(
                    String.format(
                            "the attestation agent at %s is unreachable (%s); it runs only inside a"
                                    + " Confidential Containers pod",
                            base, e.getClass().getSimpleName()),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AttestationException("interrupted while asking the attestation agent", e);
        }
        if (response.statusCode() != 200) {
            throw new AttestationException(
                    "the attestation agent at " + base + " answered HTTP " + response.statusCode());
        }
        JsonNode evidence;
        try {
            evidence = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AttestationException("the attestation agent's evidence is not JSON");
        }
        byte[] bound = boundReportData(evidence);
        if (!Arrays.equals(Arrays.copyOf(bound, 64), reportData)) {
            throw new AttestationException(
                    "the attestation agent returned evidence for other report data than requested;"
                            + " it does not pass runtime data through unchanged");
        }
        return evidence;
    }

    private byte[] boundReportData(JsonNode evidence) throws AttestationException {
        if (evidence.hasNonNull("report_data")) {
            return Base64.getDecoder().decode(evidence.get("report_data").asText());
        }
        if (evidence.hasNonNull("quote")) {
            return TdxQuote.parse(Base64.getDecoder().decode(evidence.get("quote").asText()))
                    .body()
                    .reportData();
        }
        throw new AttestationException(
                "the attestation agent's evidence has no report data or quote");
    }
}
