package dev.ppml.attestation.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ppml.attestation.AttestationException;
import dev.ppml.attestation.tdx.TdReport;
import dev.ppml.attestation.tdx.TdxQuote;
import dev.ppml.attestation.verify.VerificationReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.annotation.Nullable;

/**
 * What a verified TD must be to get keys: allow-lists of MRTD, RTMR0..3 and XFAM (hex; an absent or
 * empty list allows any value), the worst acceptable TCB status, whether a DEBUG TD may pass (never
 * by default) and whether the simulated {@code sample} TEE is accepted (tests and demos only).
 * Loaded from JSON or YAML (by file extension); unknown fields are errors.
 *
 * <pre>{@code
 * {
 *   "mrtd": ["a5844e88897b70c318bef929ef4dfad6c5f4a2d3e7c9b1bf87d4d7c5b2f3c1e0..."],
 *   "rtmr3": [],
 *   "minTcbStatus": "UpToDate",
 *   "allowDebug": false,
 *   "allowSample": false
 * }
 * }</pre>
 */
public final class AttestationPolicy {

    /** TCB statuses from best to worst; NotSupported and Revoked are never acceptable. */
    public static final List<String> TCB_STATUS_ORDER =
            List.of(
                    "UpToDate",
                    "SWHardeningNeeded",
                    "ConfigurationNeeded",
                    "ConfigurationAndSWHardeningNeeded",
                    "OutOfDate",
                    "OutOfDateConfigurationNeeded");

    private static final HexFormat HEX = HexFormat.of();

    @JsonProperty public List<String> mrtd = List.of();
    @JsonProperty public List<String> rtmr0 = List.of();
    @JsonProperty public List<String> rtmr1 = List.of();
    @JsonProperty public List<String> rtmr2 = List.of();
    @JsonProperty public List<String> rtmr3 = List.of();
    @JsonProperty public List<String> xfam = List.of();
    @JsonProperty public String minTcbStatus = "UpToDate";
    @JsonProperty public boolean allowDebug = false;
    @JsonProperty public boolean allowSample = false;

    /** The defaults: any measurements, UpToDate TCB only, no DEBUG TDs, no simulated TEE. */
    public static AttestationPolicy strict() {
        return new AttestationPolicy();
    }

    public static AttestationPolicy load(Path file) throws AttestationException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper =
                name.endsWith(".yaml") || name.endsWith(".yml")
                        ? new ObjectMapper(new YAMLFactory())
                        : new ObjectMapper();
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        AttestationPolicy policy;
        try {
            policy = mapper.readValue(file.toFile(), AttestationPolicy.class);
        } catch (UnrecognizedPropertyException e) {
            throw new AttestationException(
                    String.format(
                            "policy %s has an unknown field '%s'; known fields: mrtd, rtmr0, rtmr1, rtmr2,"
                                    + " rtmr3, xfam, minTcbStatus, allowDebug, allowSample",
                            file, e.getPropertyName()));
        } catch (IOException e) {
            throw new AttestationException(
                    "policy " + file + " is not valid JSON/YAML: " + e.getMessage());
        }
        policy.validate(file.toString());
        return policy;
    }

    private void validate(String source) throws AttestationException {
        if (!TCB_STATUS_ORDER.contains(minTcbStatus)) {
            throw new AttestationException(
                    String.format(
                            "policy %s: minTcbStatus '%s' is not one of %s",
                            source, minTcbStatus, TCB_STATUS_ORDER));
        }
        String[] names = {"mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3"};
        List<List<String>> lists = List.of(mrtd, rtmr0, rtmr1, rtmr2, rtmr3);
        for (int i = 0; i < names.length; i++) {
            for (String v : lists.get(i)) {
                if (!v.matches("[0-9a-fA-F]{96}")) {
                    throw new AttestationException(
                            String.format(
                                    "policy %s: %s value '%s' is not 48 bytes of hex",
                                    source, names[i], v));
                }
            }
        }
        for (String v : xfam) {
            if (!v.matches("[0-9a-fA-F]{16}")) {
                throw new AttestationException(
                        String.format(
                                "policy %s: xfam value '%s' is not 8 bytes of hex", source, v));
            }
        }
    }

    /**
     * Evaluates a (verified) quote: DEBUG, measurements, TCB status and, when given, the report
     * data the evidence must bind.
     */
    public VerificationReport evaluate(
            TdxQuote quote,
            @Nullable String tdxTcbStatus,
            @Nullable String qeTcbStatus,
            @Nullable byte[] expectedReportData) {
        VerificationReport r = new VerificationReport();
        TdReport body = quote.body();
        r.check(
                "policy-debug",
                allowDebug || !body.isDebug(),
                body.isDebug()
                        ? "the TD runs in DEBUG mode (TDATTRIBUTES bit 0): its memory is readable by the"
                                + " host"
                                + (allowDebug ? ", allowed by the policy" : "; denied")
                        : "the TD is not a DEBUG TD");
        allowed(r, "policy-mrtd", "MRTD", mrtd, body.mrTd());
        allowed(r, "policy-rtmr0", "RTMR0", rtmr0, body.rtmr(0));
        allowed(r, "policy-rtmr1", "RTMR1", rtmr1, body.rtmr(1));
        allowed(r, "policy-rtmr2", "RTMR2", rtmr2, body.rtmr(2));
        allowed(r, "policy-rtmr3", "RTMR3", rtmr3, body.rtmr(3));
        allowed(r, "policy-xfam", "XFAM", xfam, body.xfam());
        tcb(r, "policy-tdx-tcb-status", "TDX", tdxTcbStatus);
        tcb(r, "policy-qe-tcb-status", "QE", qeTcbStatus);
        if (expectedReportData != null) {
            boolean bound = Arrays.equals(body.reportData(), expectedReportData);
            r.check(
                    "policy-report-data",
                    bound,
                    bound
                            ? "REPORTDATA binds the expected nonce and key"
                            : "REPORTDATA "
                                    + HEX.formatHex(body.reportData())
                                    + " is not the expected "
                                    + HEX.formatHex(expectedReportData)
                                    + " (stale nonce, or evidence bound to another key)");
        }
        return r;
    }

    private static void allowed(
            VerificationReport r, String name, String what, List<String> list, byte[] value) {
        String hex = HEX.formatHex(value);
        if (list.isEmpty()) {
            r.check(name, true, what + " " + hex + " (any value allowed)");
            return;
        }
        boolean ok = list.stream().anyMatch(v -> v.equalsIgnoreCase(hex));
        r.check(
                name,
                ok,
                ok
                        ? what + " " + hex + " is allowed"
                        : what + " " + hex + " is not in the policy's allow-list");
    }

    private void tcb(VerificationReport r, String name, String what, @Nullable String status) {
        if (status == null) {
            r.check(
                    name,
                    false,
                    what + " TCB status unknown: the quote was not verified against collateral");
            return;
        }
        int rank = TCB_STATUS_ORDER.indexOf(status);
        boolean ok = rank >= 0 && rank <= TCB_STATUS_ORDER.indexOf(minTcbStatus);
        r.check(
                name,
                ok,
                ok
                        ? what
                                + " TCB status "
                                + status
                                + " is acceptable (minimum "
                                + minTcbStatus
                                + ")"
                        : what
                                + " TCB status "
                                + status
                                + " is worse than the policy's minimum "
                                + minTcbStatus);
    }

    /** Names of the allow-lists that are set, for logs. */
    public List<String> constrained() {
        List<String> out = new ArrayList<>();
        if (!mrtd.isEmpty()) {
            out.add("mrtd");
        }
        if (!rtmr0.isEmpty() || !rtmr1.isEmpty() || !rtmr2.isEmpty() || !rtmr3.isEmpty()) {
            out.add("rtmr");
        }
        if (!xfam.isEmpty()) {
            out.add("xfam");
        }
        return out;
    }
}
