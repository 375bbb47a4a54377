package dev.ppml.attestation.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ppml.attestation.tdx.ReferenceQuotes;
import dev.ppml.attestation.tdx.TdxQuote;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
