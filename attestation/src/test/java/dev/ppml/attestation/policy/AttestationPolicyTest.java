package dev.ppml.attestation.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ppml.attestation.AttestationException;
import dev.ppml.attestation.tdx.ReferenceQuotes;
import dev.ppml.attestation.tdx.TdxQuote;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AttestationPolicyTest {

    @TempDir Path dir;

    static TdxQuote quote(String name) throws Exception {
        return TdxQuote.parse(ReferenceQuotes.canonical(name));
    }

    @Test
    void theDocumentedExamplePolicyLoads() throws Exception {
        AttestationPolicy p =
                AttestationPolicy.load(Path.of("src/test/resources/policy/example-policy.json"));
        assertThat(p.mrtd()).hasSize(1);
        assertThat(p.minTcbStatus()).isEqualTo("UpToDate");
        assertThat(p.allowDebug()).isFalse();
    }

    @Test
    void debugTdIsDeniedUnlessAllowed() throws Exception {
        TdxQuote debug = quote("trustee/tdx_quote_4.dat");
        AttestationPolicy strict = AttestationPolicy.strict();
        assertThat(strict.evaluate(debug, "UpToDate", "UpToDate", null).failures())
                .containsExactly(
                        "policy-debug: the TD runs in DEBUG mode (TDATTRIBUTES bit 0): its memory is readable by the host; denied");
        AttestationPolicy debugAllowed = strict.toBuilder().allowDebug(true).build();
        assertThat(strict.allowDebug()).as("the original is unchanged").isFalse();
        assertThat(debugAllowed.evaluate(debug, "UpToDate", "UpToDate", null).passed()).isTrue();
    }

    @Test
    void mrtdAndRtmrAllowListsAndReportDataBinding() throws Exception {
        TdxQuote q = quote("go-tdx-guest/tdx_prod_quote_SPR_E4.dat");
        String mrtd = HexFormat.of().formatHex(q.body().mrTd());
        Files.writeString(
                dir.resolve("p.yaml"),
                "mrtd: ['"
                        + mrtd
                        + "']\nrtmr3: ['"
                        + "ff".repeat(48)
                        + "']\nminTcbStatus: OutOfDate\n");
        AttestationPolicy p = AttestationPolicy.load(dir.resolve("p.yaml"));

        var report = p.evaluate(q, "UpToDate", "UpToDate", new byte[64]);
        assertThat(report.failures())
                .anyMatch(
                        f ->
                                f.startsWith("policy-rtmr3")
                                        && f.contains("not in the policy's allow-list"));
        assertThat(report.failures())
                .anyMatch(f -> f.startsWith("policy-report-data") && f.contains("another key"));
        assertThat(report.failures()).noneMatch(f -> f.startsWith("policy-mrtd"));

        AttestationPolicy wrongMrtd =
                AttestationPolicy.builder().mrtd(List.of("ab".repeat(48))).build();
        assertThat(wrongMrtd.evaluate(q, "UpToDate", "UpToDate", null).failures())
                .anyMatch(f -> f.startsWith("policy-mrtd") && f.contains(mrtd));
    }

    @Test
    void minimumTcbStatus() throws Exception {
        TdxQuote q = quote("go-tdx-guest/tdx_prod_quote_SPR_E4.dat");
        AttestationPolicy p = AttestationPolicy.strict();
        assertThat(p.evaluate(q, "OutOfDate", "UpToDate", null).failures())
                .containsExactly(
                        "policy-tdx-tcb-status: TDX TCB status OutOfDate is worse than the policy's minimum UpToDate");
        assertThat(p.evaluate(q, "NotSupported", "UpToDate", null).passed()).isFalse();
        p = p.toBuilder().minTcbStatus("OutOfDate").build();
        assertThat(p.evaluate(q, "OutOfDate", "UpToDate", null).passed()).isTrue();
    }

    @Test
    void theBuilderChecksValuesAndPoliciesCannotBeChanged() {
        assertThatThrownBy(() -> AttestationPolicy.builder().mrtd(List.of("abc")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("mrtd value 'abc' is not 48 bytes of hex");
        assertThatThrownBy(
                        () -> AttestationPolicy.builder().xfam(Arrays.asList("00".repeat(8), null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("xfam[1] is null; expected a hex string");
        assertThatThrownBy(() -> AttestationPolicy.builder().rtmr(2, Arrays.asList((String) null)))
                .hasMessage("rtmr2[0] is null; expected a hex string");
        assertThatThrownBy(() -> AttestationPolicy.builder().minTcbStatus("Fine").build())
                .hasMessageContaining("minTcbStatus 'Fine' is not one of");
        AttestationPolicy p = AttestationPolicy.builder().mrtd(List.of("ab".repeat(48))).build();
        assertThatThrownBy(() -> p.mrtd().add("cd".repeat(48)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(
                        Arrays.stream(AttestationPolicy.class.getDeclaredFields())
                                .filter(f -> !Modifier.isStatic(f.getModifiers())))
                .allMatch(
                        f ->
                                Modifier.isFinal(f.getModifiers())
                                        && Modifier.isPrivate(f.getModifiers()));
    }

    @Test
    void unknownFieldsAndBadValuesAreNamed() throws Exception {
        Files.writeString(dir.resolve("a.json"), "{\"mrtds\": []}");
        assertThatThrownBy(() -> AttestationPolicy.load(dir.resolve("a.json")))
                .hasMessageContaining("unknown field 'mrtds'");
        Files.writeString(dir.resolve("b.json"), "{\"minTcbStatus\": \"Great\"}");
        assertThatThrownBy(() -> AttestationPolicy.load(dir.resolve("b.json")))
                .hasMessageContaining("minTcbStatus 'Great' is not one of");
        Files.writeString(dir.resolve("c.json"), "{\"mrtd\": [\"abcd\"]}");
        assertThatThrownBy(() -> AttestationPolicy.load(dir.resolve("c.json")))
                .hasMessageContaining("mrtd value 'abcd' is not 48 bytes of hex");
    }

    static final String HEX48 = "ab".repeat(48);

    /** A policy document, the file name it is written to, and what the error must say. */
    static Stream<Arguments> malformedPolicies() {
        List<Arguments> cases = new ArrayList<>();
        cases.add(
                Arguments.of(
                        "{\"allowDebug\":false,\"allowDebug\":true}",
                        "p.json",
                        "Duplicate field 'allowDebug'"));
        cases.add(
                Arguments.of(
                        "allowDebug: false\nallowDebug: true\n",
                        "p.yaml",
                        "Duplicate field 'allowDebug'"));
        cases.add(Arguments.of("mrtd: []\nmrtd: []\n", "p.yml", "Duplicate field 'mrtd'"));
        for (String b : List.of("allowDebug", "allowSample")) {
            String expected =
                    "field '" + b + "' is %s; expected a boolean, true or false (unquoted)";
            cases.add(json(b, "\"true\"", expected.formatted("the string 'true'")));
            cases.add(json(b, "1", expected.formatted("the number 1")));
            cases.add(json(b, "0", expected.formatted("the number 0")));
            cases.add(json(b, "null", expected.formatted("null")));
            cases.add(json(b, "[true]", expected.formatted("a list")));
            cases.add(
                    Arguments.of(
                            b + ": 'true'\n", "p.yaml", expected.formatted("the string 'true'")));
            for (String word : List.of("yes", "No", "on", "OFF")) {
                cases.add(
                        Arguments.of(
                                b + ": " + word + "\n",
                                "p.yaml",
                                expected.formatted("the YAML 1.1 word '" + word + "'")));
            }
            cases.add(Arguments.of(b + ": y\n", "p.yaml", expected.formatted("the string 'y'")));
            cases.add(Arguments.of(b + ": 1\n", "p.yaml", expected.formatted("the number 1")));
            cases.add(Arguments.of(b + ":\n", "p.yaml", expected.formatted("null")));
            cases.add(Arguments.of(b + ": ~\n", "p.yaml", expected.formatted("null")));
        }
        for (String l : List.of("mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "xfam")) {
            String list = "field '" + l + "' is %s; expected a list of hex strings";
            String item = "field '" + l + "[1]' is %s; expected a hex string";
            String ok = l.equals("xfam") ? "\"" + "00".repeat(8) + "\"" : "\"" + HEX48 + "\"";
            cases.add(json(l, "null", list.formatted("null")));
            cases.add(json(l, ok, list.formatted("the string '" + ok.replace("\"", "") + "'")));
            cases.add(json(l, "7", list.formatted("the number 7")));
            cases.add(json(l, "{}", list.formatted("an object")));
            cases.add(json(l, "[" + ok + ",null]", item.formatted("null")));
            cases.add(json(l, "[" + ok + ",1234]", item.formatted("the number 1234")));
            cases.add(json(l, "[" + ok + ",true]", item.formatted("the boolean true")));
            cases.add(json(l, "[" + ok + ",[]]", item.formatted("a list")));
            cases.add(Arguments.of(l + ":\n", "p.yaml", list.formatted("null")));
            cases.add(
                    Arguments.of(
                            l + ": [" + ok + ", 0000000000000001]\n",
                            "p.yaml",
                            item.formatted("the number 1")));
        }
        String tcb = "field 'minTcbStatus' is %s; expected a string, one of [UpToDate,";
        cases.add(json("minTcbStatus", "null", tcb.formatted("null")));
        cases.add(json("minTcbStatus", "0", tcb.formatted("the number 0")));
        cases.add(json("minTcbStatus", "true", tcb.formatted("the boolean true")));
        cases.add(json("minTcbStatus", "[\"UpToDate\"]", tcb.formatted("a list")));
        cases.add(Arguments.of("minTcbStatus:\n", "p.yaml", tcb.formatted("null")));
        cases.add(json("allowdebug", "true", "unknown field 'allowdebug'; known fields: mrtd,"));
        cases.add(Arguments.of("[]", "p.json", "is a list; expected an object"));
        cases.add(Arguments.of("null", "p.json", "is null; expected an object"));
        cases.add(Arguments.of("", "p.json", "is empty; expected an object"));
        cases.add(Arguments.of("", "p.yaml", "is empty; expected an object"));
        cases.add(Arguments.of("{} {}", "p.json", "is not valid JSON"));
        return cases.stream();
    }

    private static Arguments json(String field, String value, String expected) {
        return Arguments.of("{\"" + field + "\": " + value + "}", "p.json", expected);
    }

    @ParameterizedTest(name = "{1}: {0}")
    @MethodSource("malformedPolicies")
    void policyFilesAreReadStrictly(String content, String fileName, String expected)
            throws Exception {
        Path file = dir.resolve(fileName);
        Files.writeString(file, content);
        assertThatThrownBy(() -> AttestationPolicy.load(file))
                .isInstanceOf(AttestationException.class)
                .hasMessageContaining("policy " + file)
                .hasMessageContaining(expected);
    }

    @Test
    void everyFieldIsReadFromJsonAndYaml() throws Exception {
        String xfam = "e7" + "00".repeat(7);
        Files.writeString(
                dir.resolve("all.json"),
                String.format(
                        "{\"mrtd\":[\"%1$s\"],\"rtmr0\":[\"%1$s\"],\"rtmr1\":[],\"rtmr2\":[\"%1$s\"],"
                                + "\"rtmr3\":[\"%1$s\"],\"xfam\":[\"%2$s\"],\"minTcbStatus\":\"OutOfDate\","
                                + "\"allowDebug\":true,\"allowSample\":true}",
                        HEX48, xfam));
        Files.writeString(
                dir.resolve("all.yaml"),
                String.format(
                        "mrtd: ['%1$s']\nrtmr0: [\"%1$s\"]\nrtmr1: []\nrtmr2: [%1$s]\nrtmr3:\n  - %1$s\n"
                                + "xfam: ['%2$s']\nminTcbStatus: OutOfDate\nallowDebug: true\n"
                                + "allowSample: true\n",
                        HEX48, xfam));
        for (String name : List.of("all.json", "all.yaml")) {
            AttestationPolicy p = AttestationPolicy.load(dir.resolve(name));
            assertThat(p.mrtd()).as(name).containsExactly(HEX48);
            assertThat(p.rtmr(0)).containsExactly(HEX48);
            assertThat(p.rtmr(1)).isEmpty();
            assertThat(p.rtmr(2)).containsExactly(HEX48);
            assertThat(p.rtmr(3)).containsExactly(HEX48);
            assertThat(p.xfam()).containsExactly(xfam);
            assertThat(p.minTcbStatus()).isEqualTo("OutOfDate");
            assertThat(p.allowDebug()).isTrue();
            assertThat(p.allowSample()).isTrue();
        }
        Files.writeString(dir.resolve("empty.json"), "{}");
        AttestationPolicy defaults = AttestationPolicy.load(dir.resolve("empty.json"));
        assertThat(defaults.allowDebug()).isFalse();
        assertThat(defaults.allowSample()).isFalse();
        assertThat(defaults.minTcbStatus()).isEqualTo("UpToDate");
    }
}
