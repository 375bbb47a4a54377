package dev.ppml.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/ppml attest} and {@code bin/ppml kbs} in fresh processes, on the attestation module's
 * committed test data.
 */
class AttestCommandITCase {
    private static final Path TDX = BinPpml.root().resolve("attestation/src/test/resources/tdx");
    private static final String COLLATERAL = TDX.resolve("go-tdx-guest").toString();

    /**
     * go-tdx-guest appends a test marker after its production quote; a quote as a TD returns it
     * ends where its signature data ends.
     */
    private static final byte[] GO_TDX_GUEST_MARKER =
            "\nextra bytes(only for testing purpose)\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir Path dir;
    private String prod;

    @BeforeEach
    void writeTheProductionQuoteAsATdReturnsIt() throws Exception {
        byte[] raw = Files.readAllBytes(TDX.resolve("go-tdx-guest/tdx_prod_quote_SPR_E4.dat"));
        int end = raw.length - GO_TDX_GUEST_MARKER.length;
        assertThat(Arrays.copyOfRange(raw, end, raw.length)).isEqualTo(GO_TDX_GUEST_MARKER);
        Path quote = dir.resolve("tdx_prod_quote_SPR_E4.dat");
        Files.write(quote, Arrays.copyOf(raw, end));
        prod = quote.toString();
    }

    @Test
    void inspectPrintsTheQuoteAsJson() {
        BinPpml r = BinPpml.run(dir, "attest", "inspect", prod);
        assertThat(r.exitCode).isZero();
        assertThat(r.out)
                .contains("\"tee_type\" : \"0x81\"")
                .contains("\"mrtd\" : \"")
                .contains("\"debug\" : false");
    }

    @Test
    void verifyExitsZeroOnlyWhenEveryCheckPasses() {
        BinPpml ok =
                BinPpml.run(
                        dir,
                        "attest",
                        "verify",
                        prod,
                        "--collateral",
                        COLLATERAL,
                        "--at",
                        "2023-07-01T00:00:00Z");
        assertThat(ok.exitCode).as(ok.out).isZero();
        assertThat(ok.out).contains("VERIFIED (no policy evaluated)");

        BinPpml expired = BinPpml.run(dir, "attest", "verify", prod, "--collateral", COLLATERAL);
        assertThat(expired.exitCode).isEqualTo(1);
        assertThat(expired.out).contains("NOT VERIFIED").contains("collateral expired");
    }

    @Test
    void verifyWithAPolicyListsEveryFailedCheck() {
        BinPpml r =
                BinPpml.run(
                        dir,
                        "attest",
                        "verify",
                        TDX.resolve("trustee/tdx_quote_4.dat").toString(),
                        "--collateral",
                        COLLATERAL,
                        "--at",
                        "2023-07-01T00:00:00Z",
                        "--policy",
                        BinPpml.root()
                                .resolve(
                                        "attestation/src/test/resources/policy/example-policy.json")
                                .toString());
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.out)
                .contains("NOT VERIFIED: 2 failed check(s)")
                .contains("- policy-debug: the TD runs in DEBUG mode")
                .contains("- policy-mrtd: MRTD 705ee938");
    }

    @Test
    void malformedQuoteNamesFieldAndOffset() throws Exception {
        Path bad = dir.resolve("q.dat");
        Files.write(bad, Arrays.copyOf(Files.readAllBytes(Path.of(prod)), 100));
        BinPpml r = BinPpml.run(dir, "attest", "inspect", bad.toString());
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.err).contains("truncated quote: field 'mrseam' at offset 64");
    }

    @Test
    void devServerRefusesToStartWithoutTheInsecureDevFlag() {
        BinPpml r = BinPpml.run(dir, "kbs", "dev-server", "--policy", "p.json", "--resources", ".");
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.err).contains("--insecure-dev");
    }
}
