package dev.ppml.attestation.binding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RuntimeDataBindingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void jcsSortsByUtf16CodeUnitsAndEscapesMinimally() throws Exception {
        JsonNode v =
                JSON.readTree(
                        "{ \"b\": 2, \"\\u20ac\": true, \"a\": {\"\\u00e9\": \"line\\nbreak \\\"q\\\"\", \"z\": [1, null, false]}, \"\\u0001\": \"\\u001f\" }");
        assertThat(Jcs.canonicalize(v))
                .isEqualTo(
                        "{\"\\u0001\":\"\\u001f\",\"a\":{\"z\":[1,null,false],\"\u00e9\":\"line\\nbreak \\\"q\\\"\"},\"b\":2,\"\u20ac\":true}");
    }

    @Test
    void jcsRejectsFractions() throws Exception {
        assertThatThrownBy(() -> Jcs.canonicalize(JSON.readTree("{\"x\": 1.5}")))
                .hasMessageContaining("non-integer");
    }

    @Test
    void reportDataIsTheSha384OfTheCanonicalRuntimeDataPaddedTo64() throws Exception {
        JsonNode key =
                JSON.readTree(
                        "{\"kty\":\"EC\",\"crv\":\"P-256\",\"alg\":\"ECDH-ES+A256KW\",\"x\":\"AAA\",\"y\":\"BBB\"}");
        String canonical =
                "{\"additional-evidence\":\"\",\"nonce\":\"n0nce\",\"tee-pubkey\":"
                        + "{\"alg\":\"ECDH-ES+A256KW\",\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"AAA\",\"y\":\"BBB\"}}";
        assertThat(RuntimeDataBinding.runtimeData("n0nce", key)).isEqualTo(canonical);
        byte[] expected =
                Arrays.copyOf(
                        MessageDigest.getInstance("SHA-384")
                                .digest(canonical.getBytes(StandardCharsets.UTF_8)),
                        64);
        byte[] reportData = RuntimeDataBinding.reportData("n0nce", key);
        assertThat(reportData).hasSize(64).isEqualTo(expected);
        assertThat(Arrays.copyOfRange(reportData, 48, 64)).containsOnly(0);
        assertThat(HexFormat.of().formatHex(reportData, 0, 8))
                .isEqualTo(HexFormat.of().formatHex(expected, 0, 8));
        assertThat(RuntimeDataBinding.digest("n0nce", key, "sha512")).hasSize(64);
        assertThatThrownBy(() -> RuntimeDataBinding.digest("n", key, "sha256"))
                .hasMessageContaining("expected sha384 or sha512");
    }

    @Test
    void onlyTdxPadsTheDigestTheSampleTeeCarriesThe48Bytes() throws Exception {
        JsonNode key = JSON.readTree("{\"kty\":\"EC\",\"x\":\"AAA\"}");
        byte[] digest = RuntimeDataBinding.digest("n0nce", key);
        assertThat(digest).hasSize(48);
        assertThat(RuntimeDataBinding.reportDataFor("sample", digest)).isEqualTo(digest);
        assertThat(RuntimeDataBinding.reportDataFor("tdx", digest))
                .hasSize(64)
                .startsWith(digest)
                .endsWith(new byte[16]);
    }
}
