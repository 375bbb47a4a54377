package dev.ppml.attestation.tdx;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A parsed Intel TDX quote, version 4 or 5 (DCAP, ECDSA-256 attestation key): the 48-byte header,
 * the TD report body, and the signature data with the Quoting Enclave's report, its signature, the
 * QE authentication data and the PCK certificate chain.
 *
 * <p>Parsing checks structure only; {@code TdxQuoteVerifier} checks signatures and collateral. The
 * encoding must be canonical: every length field must equal exactly what the structures it frames
 * use, and nothing may follow the signature data. Bytes no signature covers would otherwise let two
 * different byte strings stand for one quote (and let data ride along unnoticed), so a caller that
 * reads a quote from a fixed-size buffer must cut it to the quote's length itself.
 */
public final class TdxQuote {
    public static final int HEADER_SIZE = 48;
    public static final int TEE_TYPE_TDX = 0x81;
    public static final int ATT_KEY_ECDSA_P256 = 2;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    private final int version;
    private final int attestationKeyType;
    private final long teeType;
    private final byte[] qeVendorId;
    private final byte[] userData;
    private final int bodyType;
    private final TdReport body;
    private final byte[] signedRegion;
    private final byte[] signature;
    private final byte[] attestationKey;
    private final QeReport qeReport;
    private final byte[] qeReportSignature;
    private final byte[] qeAuthData;
    private final List<X509Certificate> pckChain;

    private TdxQuote(byte[] q) throws QuoteFormatException {
        QuoteReader r = new QuoteReader(q, 0, q.length);
        version = r.u16("header.version");
        if (version != 4 && version != 5) {
            throw new QuoteFormatException(
                    "unsupported quote version " + version + " at offset 0; expected 4 or 5");
        }
        attestationKeyType = r.u16("header.att_key_type");
        if (attestationKeyType != ATT_KEY_ECDSA_P256) {
            throw new QuoteFormatException(
                    "field 'header.att_key_type' at offset 2 is "
                            + attestationKeyType
                            + "; only 2 (ECDSA-256 with P-256) is supported");
        }
        teeType = r.u32("header.tee_type");
        if (teeType != TEE_TYPE_TDX) {
            throw new QuoteFormatException(
                    String.format(
                            "field 'header.tee_type' at offset 4 is 0x%x; a TDX quote has 0x81"
                                    + " (0x0 is an SGX quote)",
                            teeType));
        }
        r.bytes("header.reserved", 4);
        qeVendorId = r.bytes("header.qe_vendor_id", 16);
        userData = r.bytes("header.user_data", 20);
        boolean tdx15;
        if (version == 4) {
            bodyType = 2;
            tdx15 = false;
        } else {
            int at = r.position();
            bodyType = r.u16("body_descriptor.type");
            long size = r.u32("body_descriptor.size");
            if (bodyType != 2 && bodyType != 3) {
                throw new QuoteFormatException(
                        "field 'body_descriptor.type' at offset "
                                + at
                                + " is "
                                + bodyType
                                + "; expected 2 (TDX 1.0) or 3 (TDX 1.5)");
            }
            tdx15 = bodyType == 3;
            long expected = tdx15 ? TdReport.TDX15_SIZE : TdReport.TDX10_SIZE;
            if (size != expected) {
                throw new QuoteFormatException(
                        "field 'body_descriptor.size' at offset "
                                + (at + 2)
                                + " is "
                                + size
                                + "; body type "
                                + bodyType
                                + " has "
                                + expected
                                + " bytes");
            }
        }
        body = TdReport.read(r, tdx15);
        signedRegion = Arrays.copyOf(q, r.position());

        int sigLenAt = r.position();
        int sigLen = r.lengthPrefix32("signature_data_len");
        int sigEnd = r.position() + sigLen;
        if (sigEnd != q.length) {
            throw new QuoteFormatException(
                    String.format(
                            "%d trailing bytes at offset %d: the quote ends with its signature data"
                                    + " (field 'signature_data_len' at offset %d declares %d bytes),"
                                    + " so its length is %d, but %d bytes were given; if the extra"
                                    + " bytes are padding of a fixed-size buffer, keep the first %d"
                                    + " (head -c %d)",
                            q.length - sigEnd,
                            sigEnd,
                            sigLenAt,
                            sigLen,
                            sigEnd,
                            q.length,
                            sigEnd,
                            sigEnd));
        }
        QuoteReader s = new QuoteReader(q, r.position(), sigEnd);
        signature = s.bytes("signature", 64);
        attestationKey = s.bytes("attestation_key", 64);
        int certType = s.u16("certification_data.type");
        if (certType != 6) {
            throw new QuoteFormatException(
                    "field 'certification_data.type' is "
                            + certType
                            + "; expected 6 (QE report certification data)");
        }
        int certLenAt = s.position();
        int certLen = s.lengthPrefix32("certification_data.size");
        if (certLen != s.remaining()) {
            throw new QuoteFormatException(
                    String.format(
                            "field 'certification_data.size' at offset %d is %d; the signature data"
                                    + " (field 'signature_data_len' at offset %d, %d bytes) leaves"
                                    + " exactly %d bytes for it",
                            certLenAt, certLen, sigLenAt, sigLen, s.remaining()));
        }
        QuoteReader c = new QuoteReader(q, s.position(), s.position() + certLen);
        qeReport = QeReport.parse(c.bytes("qe_report", QeReport.SIZE));
        qeReportSignature = c.bytes("qe_report_signature", 64);
        qeAuthData = c.bytes("qe_auth_data", c.lengthPrefix16("qe_auth_data.size"));
        int pckType = c.u16("pck_cert_chain.type");
        if (pckType != 5) {
            throw new QuoteFormatException(
                    "field 'pck_cert_chain.type' is "
                            + pckType
                            + "; expected 5 (PEM PCK certificate chain)");
        }
        byte[] pem = c.bytes("pck_cert_chain", c.lengthPrefix32("pck_cert_chain.size"));
        if (c.remaining() != 0) {
            throw new QuoteFormatException(
                    String.format(
                            "field 'certification_data.size' at offset %d is %d, but its contents"
                                    + " end at offset %d, using %d bytes; %d unused bytes follow",
                            certLenAt,
                            certLen,
                            c.position(),
                            certLen - c.remaining(),
                            c.remaining()));
        }
        pckChain = parseChain(pem);
    }

    /** Parses a quote. */
    public static TdxQuote parse(byte[] quote) throws QuoteFormatException {
        return new TdxQuote(quote.clone());
    }

    private static List<X509Certificate> parseChain(byte[] pem) throws QuoteFormatException {
        int end = pem.length;
        while (end > 0 && pem[end - 1] == 0) {
            end--;
        }
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            List<X509Certificate> chain = new ArrayList<>();
            for (var cert : cf.generateCertificates(new ByteArrayInputStream(pem, 0, end))) {
                chain.add((X509Certificate) cert);
            }
            if (chain.isEmpty()) {
                throw new QuoteFormatException("field 'pck_cert_chain' holds no certificate");
            }
            return List.copyOf(chain);
        } catch (CertificateException e) {
            throw new QuoteFormatException(
                    "field 'pck_cert_chain' is not a PEM certificate chain: " + e.getMessage());
        }
    }

    public int version() {
        return version;
    }

    public int attestationKeyType() {
        return attestationKeyType;
    }

    public long teeType() {
        return teeType;
    }

    public byte[] qeVendorId() {
        return qeVendorId.clone();
    }

    public byte[] userData() {
        return userData.clone();
    }

    /** 2 = TDX 1.0, 3 = TDX 1.5. */
    public int bodyType() {
        return bodyType;
    }

    public TdReport body() {
        return body;
    }

    /** The bytes the attestation key signed: header and body (with v5's body descriptor). */
    public byte[] signedRegion() {
        return signedRegion.clone();
    }

    /** ECDSA P-256 signature, r || s. */
    public byte[] signature() {
        return signature.clone();
    }

    /** The attestation public key, x || y. */
    public byte[] attestationKey() {
        return attestationKey.clone();
    }

    public QeReport qeReport() {
        return qeReport;
    }

    public byte[] qeReportSignature() {
        return qeReportSignature.clone();
    }

    public byte[] qeAuthData() {
        return qeAuthData.clone();
    }

    /** PCK leaf first, then the intermediate CA(s) and the root. */
    public List<X509Certificate> pckChain() {
        return pckChain;
    }

    /** Every field as JSON, measurements in hex: the output of {@code ppml attest inspect}. */
    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode h = root.putObject("header");
        h.put("version", version);
        h.put("att_key_type", attestationKeyType);
        h.put("tee_type", String.format("0x%x", teeType));
        h.put("qe_vendor_id", HEX.formatHex(qeVendorId));
        h.put("user_data", HEX.formatHex(userData));
        ObjectNode b = root.putObject("td_report");
        b.put("body_type", bodyType == 3 ? "TDX 1.5" : "TDX 1.0");
        b.put("tee_tcb_svn", HEX.formatHex(body.teeTcbSvn()));
        b.put("mrseam", HEX.formatHex(body.mrSeam()));
        b.put("mrsignerseam", HEX.formatHex(body.mrSignerSeam()));
        b.put("seam_attributes", HEX.formatHex(body.seamAttributes()));
        b.put("td_attributes", HEX.formatHex(body.tdAttributes()));
        b.put("debug", body.isDebug());
        b.put("xfam", HEX.formatHex(body.xfam()));
        b.put("mrtd", HEX.formatHex(body.mrTd()));
        b.put("mrconfigid", HEX.formatHex(body.mrConfigId()));
        b.put("mrowner", HEX.formatHex(body.mrOwner()));
        b.put("mrownerconfig", HEX.formatHex(body.mrOwnerConfig()));
        for (int i = 0; i < 4; i++) {
            b.put("rtmr" + i, HEX.formatHex(body.rtmr(i)));
        }
        b.put("report_data", HEX.formatHex(body.reportData()));
        if (body.teeTcbSvn2() != null) {
            b.put("tee_tcb_svn2", HEX.formatHex(body.teeTcbSvn2()));
            b.put("mrservicetd", HEX.formatHex(body.mrServiceTd()));
        }
        ObjectNode sig = root.putObject("signature_data");
        sig.put("signature", HEX.formatHex(signature));
        sig.put("attestation_key", HEX.formatHex(attestationKey));
        ObjectNode qe = sig.putObject("qe_report");
        qe.put("cpu_svn", HEX.formatHex(qeReport.cpuSvn()));
        qe.put("misc_select", String.format("%08x", qeReport.miscSelect()));
        qe.put("attributes", HEX.formatHex(qeReport.attributes()));
        qe.put("mr_enclave", HEX.formatHex(qeReport.mrEnclave()));
        qe.put("mr_signer", HEX.formatHex(qeReport.mrSigner()));
        qe.put("isv_prod_id", qeReport.isvProdId());
        qe.put("isv_svn", qeReport.isvSvn());
        qe.put("report_data", HEX.formatHex(qeReport.reportData()));
        sig.put("qe_report_signature", HEX.formatHex(qeReportSignature));
        sig.put("qe_auth_data", HEX.formatHex(qeAuthData));
        ArrayNode chain = sig.putArray("pck_cert_chain");
        for (X509Certificate cert : pckChain) {
            ObjectNode c = chain.addObject();
            c.put("subject", cert.getSubjectX500Principal().getName());
            c.put("issuer", cert.getIssuerX500Principal().getName());
            c.put("not_before", cert.getNotBefore().toInstant().toString());
            c.put("not_after", cert.getNotAfter().toInstant().toString());
        }
        return root;
    }

    @Override
    public String toString() {
        return "TdxQuote{v"
                + version
                + ", "
                + (bodyType == 3 ? "TDX 1.5" : "TDX 1.0")
                + ", mrtd="
                + HEX.formatHex(body.mrTd())
                + ", debug="
                + body.isDebug()
                + "}";
    }
}
