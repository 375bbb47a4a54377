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
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * What a verified TD must be to get keys: allow-lists of MRTD, RTMR0..3 and XFAM (hex; an absent or
 * empty list allows any value), the worst acceptable TCB status, whether a DEBUG TD may pass (never
 * by default) and whether the simulated {@code sample} TEE is accepted (tests and demos only).
 * Loaded from JSON or YAML (by file extension; unknown fields are errors) or made with {@link
 * #builder()}. Immutable: a policy in use cannot be changed, only replaced.
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

    private final List<String> mrtd;
    private final List<String> rtmr0;
    private final List<String> rtmr1;
    private final List<String> rtmr2;
    private final List<String> rtmr3;
    private final List<String> xfam;
    private final String minTcbStatus;
    private final boolean allowDebug;
    private final boolean allowSample;

    private AttestationPolicy(Builder b) {
        this.mrtd = List.copyOf(b.mrtd);
        this.rtmr0 = List.copyOf(b.rtmr0);
        this.rtmr1 = List.copyOf(b.rtmr1);
        this.rtmr2 = List.copyOf(b.rtmr2);
        this.rtmr3 = List.copyOf(b.rtmr3);
        this.xfam = List.copyOf(b.xfam);
        this.minTcbStatus = b.minTcbStatus;
        this.allowDebug = b.allowDebug;
        this.allowSample = b.allowSample;
    }

    /** The defaults: any measurements, UpToDate TCB only, no DEBUG TDs, no simulated TEE. */
    public static AttestationPolicy strict() {
        return builder().build();
    }

    /** A builder that starts from {@link #strict()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this policy. */
    public Builder toBuilder() {
        return new Builder()
                .mrtd(mrtd)
                .rtmr(0, rtmr0)
                .rtmr(1, rtmr1)
                .rtmr(2, rtmr2)
                .rtmr(3, rtmr3)
                .xfam(xfam)
                .minTcbStatus(minTcbStatus)
                .allowDebug(allowDebug)
                .allowSample(allowSample);
    }

    public List<String> mrtd() {
        return mrtd;
    }

    /** The allow-list of RTMR{@code index} (0..3). */
    public List<String> rtmr(int index) {
        return List.of(rtmr0, rtmr1, rtmr2, rtmr3).get(index);
    }

    public List<String> xfam() {
        return xfam;
    }

    public String minTcbStatus() {
        return minTcbStatus;
    }

    public boolean allowDebug() {
        return allowDebug;
    }

    public boolean allowSample() {
        return allowSample;
    }

    public static AttestationPolicy load(Path file) throws AttestationException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper =
                name.endsWith(".yaml") || name.endsWith(".yml")
                        ? new ObjectMapper(new YAMLFactory())
                        : new ObjectMapper();
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        PolicyFile parsed;
        try {
            parsed = mapper.readValue(file.toFile(), PolicyFile.class);
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
        Builder b =
                builder()
                        .mrtd(parsed.mrtd)
                        .rtmr(0, parsed.rtmr0)
                        .rtmr(1, parsed.rtmr1)
                        .rtmr(2, parsed.rtmr2)
                        .rtmr(3, parsed.rtmr3)
                        .xfam(parsed.xfam)
                        .minTcbStatus(parsed.minTcbStatus)
                        .allowDebug(parsed.allowDebug)
                        .allowSample(parsed.allowSample);
        return b.build(file.toString());
    }

    /** A policy file as written: the fields Jackson fills in, turned into a policy by load(). */
    private static final class PolicyFile {
        @JsonProperty List<String> mrtd = List.of();
        @JsonProperty List<String> rtmr0 = List.of();
        @JsonProperty List<String> rtmr1 = List.of();
        @JsonProperty List<String> rtmr2 = List.of();
        @JsonProperty List<String> rtmr3 = List.of();
        @JsonProperty List<String> xfam = List.of();
        @JsonProperty String minTcbStatus = "UpToDate";
        @JsonProperty boolean allowDebug = false;
        @JsonProperty boolean allowSample = false;
    }

    /** Builds an {@link AttestationPolicy}; {@link #build()} checks every value. */
    public static final class Builder {
        private List<String> mrtd = List.of();
        private List<String> rtmr0 = List.of();
        private List<String> rtmr1 = List.of();
        private List<String> rtmr2 = List.of();
        private List<String> rtmr3 = List.of();
        private List<String> xfam = List.of();
        private String minTcbStatus = "UpToDate";
        private boolean allowDebug = false;
        private boolean allowSample = false;

        private Builder() {}

        /** Allowed MRTD values (hex, 48 bytes); empty allows any. */
        public Builder mrtd(List<String> values) {
            this.mrtd = Objects.requireNonNull(values, "mrtd");
            return this;
        }

        /** Allowed values of RTMR{@code index} (0..3; hex, 48 bytes); empty allows any. */
        public Builder rtmr(int index, List<String> values) {
            Objects.requireNonNull(values, "rtmr" + index);
            switch (index) {
                case 0:
                    rtmr0 = values;
                    break;
                case 1:
                    rtmr1 = values;
                    break;
                case 2:
                    rtmr2 = values;
                    break;
                case 3:
                    rtmr3 = values;
                    break;
                default:
                    throw new IllegalArgumentException("RTMR index " + index + " is not 0..3");
            }
            return this;
        }

        /** Allowed XFAM values (hex, 8 bytes); empty allows any. */
        public Builder xfam(List<String> values) {
            this.xfam = Objects.requireNonNull(values, "xfam");
            return this;
        }

        /** The worst acceptable TCB status, one of {@link #TCB_STATUS_ORDER}. */
        public Builder minTcbStatus(String status) {
            this.minTcbStatus = Objects.requireNonNull(status, "minTcbStatus");
            return this;
        }

        /** Whether a DEBUG TD (its memory readable by the host) may pass: never in production. */
        public Builder allowDebug(boolean allow) {
            this.allowDebug = allow;
            return this;
        }

        /** Whether the simulated {@code sample} TEE is accepted: tests and demos only. */
        public Builder allowSample(boolean allow) {
            this.allowSample = allow;
            return this;
        }

        /**
         * The policy.
         *
         * @throws IllegalArgumentException naming a malformed value
         */
        public AttestationPolicy build() {
            try {
                return build("(built in code)");
            } catch (AttestationException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }

        private AttestationPolicy build(String source) throws AttestationException {
            AttestationPolicy policy = new AttestationPolicy(this);
            policy.validate(source);
            return policy;
        }
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
