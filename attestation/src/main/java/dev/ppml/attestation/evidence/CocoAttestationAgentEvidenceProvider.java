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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evidence from the Confidential Containers attestation agent's REST API (guest-components' {@code
 * api-server-rest}, {@code http://127.0.0.1:8006} inside a CoCo pod): {@code GET
 * <base>/aa/evidence?runtime_data=<URL-safe base64, no padding>&encoding=base64}.
 *
 * <p>The report data is binary (a SHA-384 digest, zero-padded), so it travels base64-encoded;
 * {@code encoding=base64} exists from guest-components v0.21.0. Older agents ignore the parameter
 * and attest the UTF-8 bytes of the query text instead (and decode any percent-encoded raw bytes as
 * lossy UTF-8, which mangles them), so they cannot attest binary report data at all. The returned
 * evidence is checked to carry exactly the requested bytes; an agent that attested other bytes, and
 * an older agent in particular, is reported here with the version it needs, rather than later as a
 * refusal by the key broker.
 *
 * <p>The kata agent serves only the {@code /cdh/resource} routes unless the pod is annotated {@code
 * io.katacontainers.config.hypervisor.kernel_params: "agent.guest_components_rest_api=all"};
 * without it the agent answers 404, which is reported as such.
 */
public final class CocoAttestationAgentEvidenceProvider implements EvidenceProvider {
    public static final URI DEFAULT_BASE = URI.create("http://127.0.0.1:8006");

    /** The first guest-components release whose REST API takes {@code encoding=base64}. */
    public static final String MIN_GUEST_COMPONENTS = "v0.21.0";

    private static final int[] MIN_VERSION = {0, 21, 0};
    private static final Pattern VERSION = Pattern.compile("v?(\\d+)\\.(\\d+)\\.(\\d+)");
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
        String encoded = Base64.getUrlEncoder().withoutPadding().encodeToString(reportData);
        HttpResponse<byte[]> response =
                get(base.resolve("/aa/evidence?runtime_data=" + encoded + "&encoding=base64"));
        if (response.statusCode() != 200) {
            throw failed(response);
        }
        JsonNode evidence;
        try {
            evidence = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AttestationException("the attestation agent's evidence is not JSON");
        }
        byte[] bound = boundReportData(evidence);
        if (!equalUpToZeroPadding(bound, reportData)) {
            if (equalUpToZeroPadding(bound, encoded.getBytes(StandardCharsets.US_ASCII))) {
                throw new AttestationException(
                        String.format(
                                "the attestation agent at %s attested the text of the base64"
                                        + " runtime_data instead of the decoded bytes: it ignores"
                                        + " encoding=base64 (%s); binary report data needs"
                                        + " guest-components %s or later",
                                base, agentVersionOrUnknown(), MIN_GUEST_COMPONENTS));
            }
            throw new AttestationException(
                    "the attestation agent returned evidence for other report data than requested;"
                            + " it does not pass runtime data through unchanged");
        }
        return evidence;
    }

    private HttpResponse<byte[]> get(URI uri) throws AttestationException {
        try {
            return http.send(
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
    }

    /** Explains a non-200 answer, naming the guest-components version where it is the cause. */
    private AttestationException failed(HttpResponse<byte[]> response) {
        String body = excerpt(response.body());
        int status = response.statusCode();
        if (status == 404 && body.contains("Attestation Feature Not Enabled")) {
            return new AttestationException(
                    String.format(
                            "the attestation agent's REST API at %s does not serve /aa/evidence in"
                                    + " this pod (HTTP 404 '%s'); the kata agent enables it with the"
                                    + " pod annotation io.katacontainers.config.hypervisor.kernel_params:"
                                    + " \"agent.guest_components_rest_api=all\"",
                            base, body));
        }
        Version version = agentVersion();
        if (version.known && version.olderThanMinimum()) {
            return new AttestationException(
                    String.format(
                            "the attestation agent at %s is guest-components %s, which does not"
                                    + " support runtime_data encoding=base64 and cannot attest"
                                    + " binary report data (HTTP %d '%s'); guest-components %s or"
                                    + " later is needed",
                            base, version.text, status, body, MIN_GUEST_COMPONENTS));
        }
        if (!version.known) {
            return new AttestationException(
                    String.format(
                            "the attestation agent at %s answered HTTP %d '%s' (%s); if it is older"
                                    + " than guest-components %s it does not support"
                                    + " runtime_data encoding=base64, which binary report data"
                                    + " needs",
                            base, status, body, version.text, MIN_GUEST_COMPONENTS));
        }
        return new AttestationException(
                String.format(
                        "the attestation agent at %s (guest-components %s) answered HTTP %d '%s'",
                        base, version.text, status, body));
    }

    private String agentVersionOrUnknown() {
        Version v = agentVersion();
        return v.known ? "it is guest-components " + v.text : v.text;
    }

    /** The agent's version from {@code GET /info} (guest-components v0.20.0 and later). */
    private Version agentVersion() {
        HttpResponse<byte[]> info;
        try {
            info = get(base.resolve("/info"));
        } catch (AttestationException e) {
            return Version.unknown("its version could not be read");
        }
        if (info.statusCode() == 404) {
            return Version.unknown(
                    "it has no /info endpoint, so it predates guest-components v0.20.0");
        }
        if (info.statusCode() != 200) {
            return Version.unknown("/info answered HTTP " + info.statusCode());
        }
        try {
            String text = JSON.readTree(info.body()).path("version").asText("");
            Matcher m = VERSION.matcher(text);
            if (!m.find()) {
                return Version.unknown(
                        "its /info version '"
                                + excerpt(text.getBytes())
                                + "' has no release number");
            }
            int[] v = {
                Integer.parseInt(m.group(1)),
                Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3))
            };
            return new Version(true, "v" + v[0] + "." + v[1] + "." + v[2], v);
        } catch (IOException | NumberFormatException e) {
            return Version.unknown("its /info answer is not JSON");
        }
    }

    private static final class Version {
        final boolean known;
        final String text;
        final int[] parts;

        Version(boolean known, String text, int[] parts) {
            this.known = known;
            this.text = text;
            this.parts = parts;
        }

        static Version unknown(String why) {
            return new Version(false, why, null);
        }

        boolean olderThanMinimum() {
            return Arrays.compare(parts, MIN_VERSION) < 0;
        }
    }

    private static boolean equalUpToZeroPadding(byte[] a, byte[] b) {
        int n = Math.max(a.length, b.length);
        return Arrays.equals(Arrays.copyOf(a, n), Arrays.copyOf(b, n));
    }

    /** A short, printable excerpt of an agent's error body (never report data). */
    private static String excerpt(byte[] body) {
        String s =
                new String(body, StandardCharsets.UTF_8).replaceAll("[^\\x20-\\x7e]", "?").trim();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
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
