package dev.ppml.attestation.policy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.ppml.attestation.AttestationException;
import dev.ppml.attestation.tdx.TdReport;
import dev.ppml.attestation.tdx.TdxQuote;
import dev.ppml.attestation.verify.VerificationReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * What a verified TD must be to get keys: allow-lists of MRTD, RTMR0..3 and XFAM (hex; an absent or
 * empty list allows any value), the worst acceptable TCB status, whether a DEBUG TD may pass (never
 * by default) and whether the simulated {@code sample} TEE is accepted (tests and demos only).
 * Loaded from JSON or YAML (by file extension; strictly, see {@link #load}) or made with {@link
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

    /** The fields of a policy file, in the order the documentation lists them. */
    private static final List<String> FIELDS =
            List.of(
                    "mrtd",
                    "rtmr0",
                    "rtmr1",
                    "rtmr2",
                    "rtmr3",
                    "xfam",
                    "minTcbStatus",
                    "allowDebug",
                    "allowSample");

    private static final ObjectMapper STRICT_JSON = strict(JsonFactory.builder().build());
    private static final ObjectMapper STRICT_YAML =
            strict(YAMLFactory.builder().enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL).build());

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

    /**
     * Loads a policy file: YAML if its name ends in {@code .yaml} or {@code .yml}, else JSON.
     *
     * <p>The file is read strictly, since a lenient reading can turn a denial into an approval: a
     * field given twice (the last one would win), a value of another type ({@code "true"} or {@code
     * 1} for a boolean, a number for a hex string), a {@code null} and an unknown field are all
     * errors that name the file, the field and the type expected.
     *
     * @throws AttestationException if the file cannot be read or is not a valid policy
     */
    public static AttestationPolicy load(Path file) throws AttestationException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean yaml = name.endsWith(".yaml") || name.endsWith(".yml");
        ObjectMapper mapper = yaml ? STRICT_YAML : STRICT_JSON;
        JsonNode root;
        try {
            if (yaml) {
                rejectYaml11Booleans(file);
            }
            root = mapper.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new AttestationException(
                    String.format(
                            "policy %s is not valid %s: %s",
                            file, yaml ? "YAML" : "JSON", e.getMessage()));
        } catch (IOException e) {
            throw new AttestationException("policy " + file + " cannot be read: " + e, e);
        }
        return fromTree(root, file.toString());
    }

    /**
     * YAML 1.1 reads {@code yes}, {@code no}, {@code on} and {@code off} as booleans, YAML 1.2 as
     * strings; which one a reader follows decides whether {@code allowDebug: on} allows DEBUG TDs,
     * so only {@code true} and {@code false} are booleans here.
     */
    private static void rejectYaml11Booleans(Path file) throws IOException, AttestationException {
        try (JsonParser p = STRICT_YAML.createParser(file.toFile())) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if ((t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE)
                        && !p.getText()
                                .equalsIgnoreCase(t == JsonToken.VALUE_TRUE ? "true" : "false")) {
                    throw new AttestationException(
                            String.format(
                                    "policy %s: field '%s' is the YAML 1.1 word '%s'; expected a"
                                            + " boolean, true or false (unquoted)",
                                    file, p.currentName(), p.getText()));
                }
            }
        }
    }

    private static ObjectMapper strict(JsonFactory factory) {
        return JsonMapper.builder(factory)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    /**
     * The one place a policy file's tree is checked: each field by its exact JSON type, never
     * coerced, then {@link Builder#build(String)} checks the values.
     */
    private static AttestationPolicy fromTree(@Nullable JsonNode root, String source)
            throws AttestationException {
        if (root == null || root.isMissingNode()) {
            throw new AttestationException(
                    String.format(
                            "policy %s is empty; expected an object with any of the fields %s",
                            source, FIELDS));
        }
        if (!root.isObject()) {
            throw new AttestationException(
                    String.format(
                            "policy %s is %s; expected an object with any of the fields %s",
                            source, describe(root), FIELDS));
        }
        Builder b = builder();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String field = e.getKey();
            JsonNode v = e.getValue();
            switch (field) {
                case "mrtd":
                    b.mrtd(hexList(source, field, v));
                    break;
                case "rtmr0":
                case "rtmr1":
                case "rtmr2":
                case "rtmr3":
                    b.rtmr(field.charAt(4) - '0', hexList(source, field, v));
                    break;
                case "xfam":
                    b.xfam(hexList(source, field, v));
                    break;
                case "minTcbStatus":
                    if (!v.isTextual()) {
                        throw wrongType(source, field, v, "a string, one of " + TCB_STATUS_ORDER);
                    }
                    b.minTcbStatus(v.textValue());
                    break;
                case "allowDebug":
                    b.allowDebug(bool(source, field, v));
                    break;
                case "allowSample":
                    b.allowSample(bool(source, field, v));
                    break;
                default:
                    throw new AttestationException(
                            String.format(
                                    "policy %s has an unknown field '%s'; known fields: %s",
                                    source, field, String.join(", ", FIELDS)));
            }
        }
        return b.build(source);
    }

    private static List<String> hexList(String source, String field, JsonNode v)
            throws AttestationException {
        if (!v.isArray()) {
            throw wrongType(source, field, v, "a list of hex strings");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode item = v.get(i);
            if (!item.isTextual()) {
                throw wrongType(source, field + "[" + i + "]", item, "a hex string");
            }
            out.add(item.textValue());
        }
        return out;
    }

    private static boolean bool(String source, String field, JsonNode v)
            throws AttestationException {
        if (!v.isBoolean()) {
            throw wrongType(source, field, v, "a boolean, true or false (unquoted)");
        }
        return v.booleanValue();
    }

    private static AttestationException wrongType(
            String source, String field, JsonNode v, String expected) {
        return new AttestationException(
                String.format(
                        "policy %s: field '%s' is %s; expected %s",
                        source, field, describe(v), expected));
    }

    /** A value's type and, for scalars, the value: never a whole subtree. */
    private static String describe(JsonNode v) {
        switch (v.getNodeType()) {
            case NULL:
                return "null";
            case STRING:
                return "the string '" + v.textValue() + "'";
            case NUMBER:
                return "the number " + v.asText();
            case BOOLEAN:
                return "the boolean " + v.asText();
            case ARRAY:
                return "a list";
            case OBJECT:
                return "an object";
            default:
                return "a " + v.getNodeType().name().toLowerCase(Locale.ROOT) + " value";
        }
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
            this.mrtd = noNulls(values, "mrtd");
            return this;
        }

        /** Allowed values of RTMR{@code index} (0..3; hex, 48 bytes); empty allows any. */
        public Builder rtmr(int index, List<String> values) {
            noNulls(values, "rtmr" + index);
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
            this.xfam = noNulls(values, "xfam");
            return this;
        }

        /** The worst acceptable TCB status, one of {@link #TCB_STATUS_ORDER}. */
        public Builder minTcbStatus(String status) {
            this.minTcbStatus = Objects.requireNonNull(status, "minTcbStatus");
            return this;
        }

        private static List<String> noNulls(List<String> values, String field) {
            Objects.requireNonNull(values, field);
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i) == null) {
                    throw new IllegalArgumentException(
                            String.format("%s[%d] is null; expected a hex string", field, i));
                }
            }
            return values;
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
