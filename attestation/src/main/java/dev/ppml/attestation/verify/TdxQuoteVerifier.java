package dev.ppml.attestation.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ppml.attestation.AttestationException;
import dev.ppml.attestation.tdx.QeReport;
import dev.ppml.attestation.tdx.TdReport;
import dev.ppml.attestation.tdx.TdxQuote;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertStore;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * Verifies a TDX quote with Intel collateral, "as of" an instant (so tests can use committed,
 * long-expired collateral): the quote signature with the attestation key; the QE report signature
 * with the PCK key and the QE report's binding of the attestation key; the PCK chain to the pinned
 * Intel SGX Root CA with the PCK and root CRLs; the signatures, issuer chains and validity windows
 * of the TCB info and QE identity; the FMSPC, QE identity and TDX module matches; and the TCB
 * statuses of the platform and the QE.
 *
 * <p>Every check is run and reported, so a failure lists everything that is wrong. The TDX and QE
 * TCB statuses are reported (a revoked TCB fails); which statuses are acceptable, and the
 * measurement policy (MRTD, RTMRs, DEBUG), are {@code AttestationPolicy}'s job.
 */
public final class TdxQuoteVerifier {
    private static final HexFormat HEX = HexFormat.of();
    private static final Set<String> ACCEPTABLE_FAILURES_OF_STATUS =
            Set.of("Revoked", "NotSupported");

    private TdxQuoteVerifier() {}

    /** The verification report and the TCB statuses found. */
    public static final class Result {
        public final VerificationReport report;
        @Nullable public final String tdxTcbStatus;
        @Nullable public final String qeTcbStatus;

        Result(VerificationReport report, @Nullable String tdx, @Nullable String qe) {
            this.report = report;
            this.tdxTcbStatus = tdx;
            this.qeTcbStatus = qe;
        }

        public boolean passed() {
            return report.passed();
        }
    }

    public static Result verify(TdxQuote quote, TdxCollateral collateral, Instant asOf) {
        VerificationReport r = new VerificationReport();
        Date at = Date.from(asOf);

        checkValidity(
                r,
                "pck-crl-validity",
                "the PCK CRL",
                collateral.pckCrl.getThisUpdate().toInstant(),
                collateral.pckCrl.getNextUpdate().toInstant(),
                asOf);
        checkValidity(
                r,
                "root-crl-validity",
                "the root CA CRL",
                collateral.rootCrl.getThisUpdate().toInstant(),
                collateral.rootCrl.getNextUpdate().toInstant(),
                asOf);
        checkValidity(
                r,
                "tcb-info-validity",
                "the TCB info",
                Instant.parse(collateral.tcbInfo().path("issueDate").asText()),
                Instant.parse(collateral.tcbInfo().path("nextUpdate").asText()),
                asOf);
        checkValidity(
                r,
                "qe-identity-validity",
                "the QE identity",
                Instant.parse(collateral.qeIdentity().path("issueDate").asText()),
                Instant.parse(collateral.qeIdentity().path("nextUpdate").asText()),
                asOf);

        List<X509Certificate> chain = quote.pckChain();
        X509Certificate pck = chain.get(0);
        checkChain(
                r,
                "pck-chain",
                "the PCK certificate chain",
                chain,
                List.of(collateral.pckCrl, collateral.rootCrl),
                at);
        checkSigned(r, "tcb-info-signature", collateral.tcbInfo, collateral.rootCrl, at);
        checkSigned(r, "qe-identity-signature", collateral.qeIdentity, collateral.rootCrl, at);

        r.check(
                "quote-signature",
                verifyP1363(
                        rawP256Key(quote.attestationKey()),
                        quote.signedRegion(),
                        quote.signature()),
                "the quote header and TD report are signed by the attestation key in the quote");
        QeReport qe = quote.qeReport();
        r.check(
                "qe-report-signature",
                verifyP1363(pck.getPublicKey(), qe.raw(), quote.qeReportSignature()),
                "the QE report is signed by the PCK certificate's key");
        byte[] expectedBinding = sha256(concat(quote.attestationKey(), quote.qeAuthData()));
        byte[] rd = qe.reportData();
        boolean bound =
                Arrays.equals(Arrays.copyOf(rd, 32), expectedBinding)
                        && Arrays.equals(Arrays.copyOfRange(rd, 32, 64), new byte[32]);
        r.check(
                "qe-report-binding",
                bound,
                bound
                        ? "the QE report's REPORTDATA is SHA-256(attestation key || QE auth data)"
                        : "the QE report's REPORTDATA does not bind the attestation key: the quote was"
                                + " assembled from parts of different quotes");

        String tdxStatus = null;
        String qeStatus = null;
        try {
            PckExtensions ext = PckExtensions.of(pck);
            JsonNode tcbInfo = collateral.tcbInfo();
            String fmspc = HEX.formatHex(ext.fmspc);
            r.check(
                    "tcb-info-fmspc",
                    fmspc.equalsIgnoreCase(tcbInfo.path("fmspc").asText()),
                    "TCB info FMSPC "
                            + tcbInfo.path("fmspc").asText()
                            + ", PCK certificate FMSPC "
                            + fmspc);
            r.check(
                    "tcb-info-type",
                    "TDX".equals(tcbInfo.path("id").asText()),
                    "TCB info id is '" + tcbInfo.path("id").asText() + "'; TDX quotes need 'TDX'");
            checkQeIdentity(r, collateral.qeIdentity(), qe);
            qeStatus = qeTcbStatus(collateral.qeIdentity(), qe.isvSvn());
            r.check(
                    "qe-tcb-status",
                    qeStatus != null && !"Revoked".equals(qeStatus),
                    "QE TCB status "
                            + (qeStatus == null
                                    ? "unknown (no level matches ISVSVN " + qe.isvSvn() + ")"
                                    : qeStatus));
            checkTdxModule(r, tcbInfo, quote.body());
            tdxStatus = tdxTcbStatus(tcbInfo, ext, quote.body().teeTcbSvn());
            // The status is reported here and judged by the policy's minimum TCB status; only a
            // revoked TCB fails verification itself.
            r.check(
                    "tdx-tcb-status",
                    !"Revoked".equals(tdxStatus),
                    "NotSupported".equals(tdxStatus)
                            ? "TDX TCB status NotSupported: no TCB level of the TCB info is reached by"
                                    + " the PCK TCB and TEE_TCB_SVN "
                                    + HEX.formatHex(quote.body().teeTcbSvn())
                            : "TDX TCB status " + tdxStatus);
        } catch (AttestationException e) {
            r.check("pck-extensions", false, e.getMessage());
        }
        return new Result(r, tdxStatus, qeStatus);
    }

    private static void checkValidity(
            VerificationReport r,
            String name,
            String what,
            Instant from,
            Instant until,
            Instant asOf) {
        if (asOf.isAfter(until)) {
            r.check(
                    name,
                    false,
                    String.format(
                            "collateral expired: %s was valid until %s, verifying as of %s; fetch fresh"
                                    + " collateral from Intel PCS or your PCCS",
                            what, until, asOf));
        } else if (asOf.isBefore(from)) {
            r.check(
                    name,
                    false,
                    String.format(
                            "collateral not yet valid: %s is valid from %s, verifying as of %s",
                            what, from, asOf));
        } else {
            r.check(name, true, what + " is valid from " + from + " until " + until);
        }
    }

    /** PKIX validation of leaf..intermediates to the pinned root, with CRLs, at {@code at}. */
    private static void checkChain(
            VerificationReport r,
            String name,
            String what,
            List<X509Certificate> chain,
            List<X509CRL> crls,
            Date at) {
        X509Certificate root = chain.get(chain.size() - 1);
        if (!IntelSgxRootCa.isPinnedRoot(root)) {
            r.check(
                    name,
                    false,
                    what
                            + " does not end in the pinned Intel SGX Root CA (its root key"
                            + " has SHA-256 "
                            + IntelSgxRootCa.publicKeySha256(root)
                            + ")");
            return;
        }
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
            params.setDate(at);
            params.setRevocationEnabled(true);
            params.addCertStore(
                    CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
            CertPathValidator.getInstance("PKIX")
                    .validate(cf.generateCertPath(chain.subList(0, chain.size() - 1)), params);
            r.check(
                    name,
                    true,
                    what + " chains to the pinned Intel SGX Root CA and is not revoked");
        } catch (GeneralSecurityException e) {
            r.check(name, false, what + " does not validate: " + e.getMessage());
        }
    }

    private static void checkSigned(
            VerificationReport r, String name, TdxCollateral.Signed doc, X509CRL rootCrl, Date at) {
        if (doc.issuerChain.size() < 2) {
            r.check(
                    name,
                    false,
                    doc.file + ": its issuer chain needs the signing certificate and the root");
            return;
        }
        VerificationReport chain = new VerificationReport();
        checkChain(
                chain,
                name,
                "the issuer chain of " + doc.file,
                doc.issuerChain,
                List.of(rootCrl),
                at);
        if (!chain.passed()) {
            r.addAll(chain);
            return;
        }
        boolean ok =
                verifyP1363(doc.issuerChain.get(0).getPublicKey(), doc.signedBytes, doc.signature);
        r.check(
                name,
                ok,
                ok
                        ? doc.file + " is signed by Intel's TCB signing key"
                        : doc.file
                                + ": the signature does not match the signed JSON (edited collateral?)");
    }

    private static void checkQeIdentity(VerificationReport r, JsonNode id, QeReport qe) {
        byte[] mrSigner = HEX.parseHex(id.path("mrsigner").asText());
        long misc = Long.parseLong(id.path("miscselect").asText(), 16);
        long miscMask = Long.parseLong(id.path("miscselectMask").asText(), 16);
        byte[] attrs = HEX.parseHex(id.path("attributes").asText());
        byte[] attrsMask = HEX.parseHex(id.path("attributesMask").asText());
        boolean attrsOk = true;
        byte[] qeAttrs = qe.attributes();
        for (int i = 0; i < attrs.length && i < qeAttrs.length; i++) {
            attrsOk &= (qeAttrs[i] & attrsMask[i]) == attrs[i];
        }
        boolean ok =
                Arrays.equals(mrSigner, qe.mrSigner())
                        && qe.isvProdId() == id.path("isvprodid").asInt()
                        && (qe.miscSelect() & miscMask) == misc
                        && attrsOk;
        r.check(
                "qe-identity",
                ok,
                ok
                        ? "the QE is Intel's TD quoting enclave (MRSIGNER, ISVPRODID, attributes)"
                        : "the QE report does not match the QE identity: MRSIGNER "
                                + HEX.formatHex(qe.mrSigner())
                                + ", ISVPRODID "
                                + qe.isvProdId());
    }

    private static String qeTcbStatus(JsonNode id, int isvSvn) {
        for (JsonNode level : id.path("tcbLevels")) {
            if (isvSvn >= level.path("tcb").path("isvsvn").asInt()) {
                return level.path("tcbStatus").asText();
            }
        }
        return "NotSupported";
    }

    private static void checkTdxModule(VerificationReport r, JsonNode tcbInfo, TdReport body) {
        byte[] svn = body.teeTcbSvn();
        JsonNode module = tcbInfo.path("tdxModule");
        if ((svn[1] & 0xff) > 0) {
            String wanted = String.format("TDX_%02X", svn[1] & 0xff);
            for (JsonNode identity : tcbInfo.path("tdxModuleIdentities")) {
                if (wanted.equalsIgnoreCase(identity.path("id").asText())) {
                    module = identity;
                }
            }
        }
        byte[] mrSigner = HEX.parseHex(module.path("mrsigner").asText(""));
        byte[] attrs = HEX.parseHex(module.path("attributes").asText("0000000000000000"));
        byte[] mask = HEX.parseHex(module.path("attributesMask").asText("FFFFFFFFFFFFFFFF"));
        byte[] seamAttrs = body.seamAttributes();
        boolean attrsOk = true;
        for (int i = 0; i < Math.min(attrs.length, seamAttrs.length); i++) {
            attrsOk &= (seamAttrs[i] & mask[i]) == attrs[i];
        }
        boolean ok = Arrays.equals(mrSigner, body.mrSignerSeam()) && attrsOk;
        r.check(
                "tdx-module",
                ok,
                ok
                        ? "the TDX module's MRSIGNERSEAM and SEAM attributes match the TCB info"
                        : "the TDX module does not match the TCB info: MRSIGNERSEAM "
                                + HEX.formatHex(body.mrSignerSeam()));
    }

    /**
     * The status of the first TCB level that both the platform (PCK TCB) and the TDX module
     * (TEE_TCB_SVN) reach, as Intel's QVL selects it; {@code NotSupported} when none is reached.
     */
    private static String tdxTcbStatus(JsonNode tcbInfo, PckExtensions ext, byte[] teeTcbSvn) {
        for (JsonNode level : tcbInfo.path("tcbLevels")) {
            JsonNode tcb = level.path("tcb");
            JsonNode sgx = tcb.path("sgxtcbcomponents");
            boolean sgxOk = true;
            for (int i = 0; i < 16; i++) {
                sgxOk &= ext.sgxTcbComponents[i] >= sgx.path(i).path("svn").asInt();
            }
            if (!sgxOk || ext.pceSvn < tcb.path("pcesvn").asInt()) {
                continue;
            }
            JsonNode tdx = tcb.path("tdxtcbcomponents");
            // with a TDX module major version in TEE_TCB_SVN[1], indexes 0 and 1 are the module
            // version, checked against the module identity instead
            int first = (teeTcbSvn[1] & 0xff) > 0 ? 2 : 0;
            boolean tdxOk = true;
            for (int i = first; i < 16; i++) {
                tdxOk &= (teeTcbSvn[i] & 0xff) >= tdx.path(i).path("svn").asInt();
            }
            if (tdxOk) {
                return level.path("tcbStatus").asText();
            }
        }
        return "NotSupported";
    }

    private static boolean verifyP1363(PublicKey key, byte[] data, byte[] signature) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static PublicKey rawP256Key(byte[] xy) {
        try {
            AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec("secp256r1"));
            ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
            ECPoint point =
                    new ECPoint(
                            new BigInteger(1, Arrays.copyOf(xy, 32)),
                            new BigInteger(1, Arrays.copyOfRange(xy, 32, 64)));
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, spec));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 is part of every JDK", e);
        }
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
