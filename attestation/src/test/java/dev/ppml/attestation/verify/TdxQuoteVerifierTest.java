package dev.ppml.attestation.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ppml.attestation.tdx.QuoteFormatException;
import dev.ppml.attestation.tdx.ReferenceQuotes;
import dev.ppml.attestation.tdx.TdxQuote;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** go-tdx-guest's production quote with its Intel collateral, issued June 2023. */
class TdxQuoteVerifierTest {

    static final Path DIR = Path.of("src/test/resources/tdx/go-tdx-guest");
    static final Instant IN_WINDOW = Instant.parse("2023-07-01T00:00:00Z");

    static byte[] prodQuote() throws Exception {
        return ReferenceQuotes.canonical("go-tdx-guest/tdx_prod_quote_SPR_E4.dat");
    }

    @Test
    void productionQuoteVerifiesAsOfTheCollateralWindow() throws Exception {
        TdxQuoteVerifier.Result result =
                TdxQuoteVerifier.verify(
                        TdxQuote.parse(prodQuote()), TdxCollateral.load(DIR), IN_WINDOW);

        assertThat(result.report.failures()).isEmpty();
        assertThat(result.passed()).isTrue();
        // TEE_TCB_SVN 03 00 04 is below both TCB levels' TDX SVNs (3, 0, 5): no level is
        // reached, which the policy's minimum TCB status judges
        assertThat(result.tdxTcbStatus).isEqualTo("NotSupported");
        assertThat(result.qeTcbStatus).isEqualTo("UpToDate");
        assertThat(result.report.checks())
                .extracting(c -> c.name)
                .contains(
                        "quote-signature",
                        "qe-report-signature",
                        "qe-report-binding",
                        "pck-chain",
                        "tcb-info-signature",
                        "qe-identity-signature",
                        "tcb-info-fmspc",
                        "qe-identity",
                        "tdx-module",
                        "tdx-tcb-status",
                        "qe-tcb-status");
    }

    @Test
    void failsAsOfNowBecauseTheCollateralExpired() throws Exception {
        TdxQuoteVerifier.Result result =
                TdxQuoteVerifier.verify(
                        TdxQuote.parse(prodQuote()),
                        TdxCollateral.load(DIR),
                        Instant.parse("2026-11-24T00:00:00Z"));
        assertThat(result.passed()).isFalse();
        assertThat(result.report.failures())
                .anyMatch(
                        f ->
                                f.startsWith(
                                        "tcb-info-validity: collateral expired: the TCB info was valid until 2023-07-18T08:42:58Z"));
        assertThat(result.report.failures())
                .anyMatch(f -> f.startsWith("pck-crl-validity: collateral expired"));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 20, 48 + 16 + 48, 48 + 136, 48 + 520, 48 + 583})
    void anyFlippedByteOfTheSignedRegionFailsTheQuoteSignature(int offset) throws Exception {
        byte[] q = prodQuote();
        q[offset] ^= 0x01; // header, qe vendor id, mrsignerseam, MRTD, REPORTDATA, last body byte
        TdxQuoteVerifier.Result result;
        try {
            result = TdxQuoteVerifier.verify(TdxQuote.parse(q), TdxCollateral.load(DIR), IN_WINDOW);
        } catch (QuoteFormatException e) {
            return; // a flip in a structural header field is caught by the parser: also a failure
        }
        assertThat(result.passed()).isFalse();
        assertThat(result.report.failures()).anyMatch(f -> f.startsWith("quote-signature"));
    }

    @Test
    void aTamperedQeReportFailsItsSignature() throws Exception {
        byte[] q = prodQuote();
        int qeReport = 48 + 584 + 4 + 64 + 64 + 2 + 4;
        q[qeReport + 100] ^= 0x01; // inside the QE report's MRENCLAVE
        TdxQuoteVerifier.Result result =
                TdxQuoteVerifier.verify(TdxQuote.parse(q), TdxCollateral.load(DIR), IN_WINDOW);
        assertThat(result.report.failures()).anyMatch(f -> f.startsWith("qe-report-signature"));
    }

    @Test
    void aSwappedAttestationKeyBreaksTheQeBinding() throws Exception {
        byte[] q = prodQuote();
        int key = 48 + 584 + 4 + 64;
        q[key + 5] ^= 0x01;
        TdxQuoteVerifier.Result result =
                TdxQuoteVerifier.verify(TdxQuote.parse(q), TdxCollateral.load(DIR), IN_WINDOW);
        assertThat(result.report.failures()).anyMatch(f -> f.startsWith("qe-report-binding"));
    }

    @Test
    void editedCollateralFailsItsSignature(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        for (Path f : Files.list(DIR).toList()) {
            Files.copy(f, tmp.resolve(f.getFileName()));
        }
        Path tcb = tmp.resolve("sample_tcbInfo_response");
        Files.writeString(tcb, Files.readString(tcb).replaceFirst("\"OutOfDate\"", "\"UpToDate\""));
        TdxQuoteVerifier.Result result =
                TdxQuoteVerifier.verify(
                        TdxQuote.parse(prodQuote()), TdxCollateral.load(tmp), IN_WINDOW);
        assertThat(result.report.failures())
                .anyMatch(f -> f.startsWith("tcb-info-signature") && f.contains("does not match"));
    }

    @Test
    void trusteesV4QuoteComesFromTheSamePlatformFamilyAndIsUpToDate() throws Exception {
        TdxQuote q =
                TdxQuote.parse(
                        Files.readAllBytes(
                                Path.of("src/test/resources/tdx/trustee/tdx_quote_4.dat")));
        TdxQuoteVerifier.Result result =
                TdxQuoteVerifier.verify(q, TdxCollateral.load(DIR), IN_WINDOW);
        assertThat(result.report.failures()).isEmpty();
        assertThat(result.tdxTcbStatus).isEqualTo("UpToDate");
        assertThat(q.body().isDebug())
                .as("verified, yet a DEBUG TD: the policy must deny it")
                .isTrue();
    }

    @Test
    void quotesOfAnotherPlatformFailTheFmspcMatch() throws Exception {
        TdxQuote q =
                TdxQuote.parse(
                        Files.readAllBytes(
                                Path.of("src/test/resources/tdx/trustee/tdx_quote_5.dat")));
        TdxQuoteVerifier.Result result =
                TdxQuoteVerifier.verify(q, TdxCollateral.load(DIR), IN_WINDOW);
        assertThat(result.passed()).isFalse();
        assertThat(result.report.failures()).isNotEmpty();
    }
}
