package dev.ppml.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** {@code ppml attest} and {@code ppml kbs} on the attestation module's committed test data. */
class AttestCommandTest {
    private static final Path TDX = Path.of("../attestation/src/test/resources/tdx");
    private static final String PROD =
            TDX.resolve("go-tdx-guest/tdx_prod_quote_SPR_E4.dat").toString();
    private static final String COLLATERAL = TDX.resolve("go-tdx-guest").toString();

    @Test
    void inspectPrintsTheQuoteAsJson() {
        CliRunner r = CliRunner.run("attest", "inspect", PROD);
        assertThat(r.exitCode).isZero();
        assertThat(r.out)
                .contains("\"tee_type\" : \"0x81\"")
                .contains("\"mrtd\" : \"")
                .contains("\"debug\" : false");
    }

    @Test
    void verifyExitsZeroOnlyWhenEveryCheckPasses() {
        CliRunner ok =
                CliRunner.run(
                        "attest",
                        "verify",
                        PROD,
                        "--collateral",
                        COLLATERAL,
                        "--at",
                        "2023-07-01T00:00:00Z");
        assertThat(ok.exitCode).as(ok.out).isZero();
        assertThat(ok.out).contains("VERIFIED (no policy evaluated)");

        CliRunner expired = CliRunner.run("attest", "verify", PROD, "--collateral", COLLATERAL);
        assertThat(expired.exitCode).isEqualTo(1);
        assertThat(expired.out).contains("NOT VERIFIED").contains("collateral expired");
    }

    @Test
    void verifyWithAPolicyListsEveryFailedCheck() {
        CliRunner r =
                CliRunner.run(
                        "attest",
                        "verify",
                        TDX.resolve("trustee/tdx_quote_4.dat").toString(),
                        "--collateral",
                        COLLATERAL,
                        "--at",
                        "2023-07-01T00:00:00Z",
                        "--policy",
                        "../attestation/src/test/resources/policy/example-policy.json");
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.out)
                .contains("NOT VERIFIED: 2 failed check(s)")
                .contains("- policy-debug: the TD runs in DEBUG mode")
                .contains("- policy-mrtd: MRTD 705ee938");
    }

    @Test
    void malformedQuoteNamesFieldAndOffset(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path bad = dir.resolve("q.dat");
        Files.write(bad, Arrays.copyOf(Files.readAllBytes(Path.of(PROD)), 100));
        CliRunner r = CliRunner.run("attest", "inspect", bad.toString());
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.err).contains("truncated quote: field 'mrseam' at offset 64");
    }

    @Test
    void devServerRefusesToStartWithoutTheInsecureDevFlag() {
        CliRunner r = CliRunner.run("kbs", "dev-server", "--policy", "p.json", "--resources", ".");
        assertThat(r.exitCode).isEqualTo(1);
        assertThat(r.err).contains("--insecure-dev");
    }
}
