package dev.ppml.attestation.verify;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ppml.attestation.AttestationException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The Intel collateral a TDX quote is verified against: the PCK CRL and the root CA CRL, the TDX
 * TCB info and the TD QE identity (each as Intel PCS serves it: the signed JSON and the issuer
 * chain of its signer).
 *
 * <p>{@link #load(Path)} reads a directory with these files (the names Intel PCS clients and
 * go-tdx-guest's test data use; the first name that exists wins):
 *
 * <pre>
 * pckcrl | pckcrl.der                               PCK CRL, DER
 * rootcrl.der                                       Intel SGX Root CA CRL, DER
 * tcbinfo.json | sample_tcbInfo_response            {"tcbInfo": {...}, "signature": "hex"}
 * tcbinfo-issuer-chain.pem                          TCB signing certificate, root
 * qeidentity.json | sample_qeIdentity_response      {"enclaveIdentity": {...}, "signature": "hex"}
 * qeidentity-issuer-chain.pem                       TCB signing certificate, root
 * </pre>
 */
public final class TdxCollateral {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A signed JSON document: the exact bytes that were signed, parsed, and the signature. */
    static final class Signed {
        final byte[] signedBytes;
        final JsonNode body;
        final byte[] signature;
        final List<X509Certificate> issuerChain;
        final String file;

        Signed(
                byte[] signedBytes,
                JsonNode body,
                byte[] signature,
                List<X509Certificate> chain,
                String file) {
            this.signedBytes = signedBytes;
            this.body = body;
            this.signature = signature;
            this.issuerChain = chain;
            this.file = file;
        }
    }

    final X509CRL pckCrl;
    final X509CRL rootCrl;
    final Signed tcbInfo;
    final Signed qeIdentity;

    private TdxCollateral(X509CRL pckCrl, X509CRL rootCrl, Signed tcbInfo, Signed qeIdentity) {
        this.pckCrl = pckCrl;
        this.rootCrl = rootCrl;
        this.tcbInfo = tcbInfo;
        this.qeIdentity = qeIdentity;
    }

    public static TdxCollateral load(Path dir) throws AttestationException {
        return new TdxCollateral(
                crl(find(dir, "pckcrl", "pckcrl.der")),
                crl(find(dir, "rootcrl.der")),
                signed(
                        find(dir, "tcbinfo.json", "sample_tcbInfo_response"),
                        "tcbInfo",
                        chain(find(dir, "tcbinfo-issuer-chain.pem"))),
                signed(
                        find(dir, "qeidentity.json", "sample_qeIdentity_response"),
                        "enclaveIdentity",
                        chain(find(dir, "qeidentity-issuer-chain.pem"))));
    }

    /** The TCB info's {@code tcbInfo} object. */
    public JsonNode tcbInfo() {
        return tcbInfo.body;
    }

    /** The QE identity's {@code enclaveIdentity} object. */
    public JsonNode qeIdentity() {
        return qeIdentity.body;
    }

    private static Path find(Path dir, String... names) throws AttestationException {
        for (String n : names) {
            Path p = dir.resolve(n);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new AttestationException(
                String.format(
                        "collateral directory %s has no %s; see TdxCollateral for the expected files",
                        dir, String.join(" or ", names)));
    }

    private static X509CRL crl(Path file) throws AttestationException {
        try {
            return (X509CRL)
                    CertificateFactory.getInstance("X.509")
                            .generateCRL(new ByteArrayInputStream(Files.readAllBytes(file)));
        } catch (IOException | GeneralSecurityException e) {
            throw new AttestationException(
                    "collateral " + file + " is not a DER CRL: " + e.getMessage());
        }
    }

    private static List<X509Certificate> chain(Path pem) throws AttestationException {
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c :
                    CertificateFactory.getInstance("X.509")
                            .generateCertificates(
                                    new ByteArrayInputStream(Files.readAllBytes(pem)))) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (IOException | GeneralSecurityException e) {
            throw new AttestationException(
                    "collateral " + pem + " is not a PEM chain: " + e.getMessage());
        }
    }

    /** Reads {"<field>": {...}, "signature": "hex"} keeping the exact bytes of the object. */
    private static Signed signed(Path file, String field, List<X509Certificate> chain)
            throws AttestationException {
        try {
            byte[] raw = Files.readAllBytes(file);
            byte[] signedBytes = null;
            String signature = null;
            try (JsonParser p = new JsonFactory().createParser(raw)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new IOException("not a JSON object");
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken t = p.nextToken();
                    if (name.equals(field) && t == JsonToken.START_OBJECT) {
                        int start = (int) p.currentTokenLocation().getByteOffset();
                        p.skipChildren();
                        int end = (int) p.currentLocation().getByteOffset();
                        signedBytes = Arrays.copyOfRange(raw, start, end);
                    } else if (name.equals("signature")) {
                        signature = p.getText();
                    } else {
                        p.skipChildren();
                    }
                }
            }
            if (signedBytes == null || signature == null) {
                throw new IOException("expected the fields '" + field + "' and 'signature'");
            }
            return new Signed(
                    signedBytes,
                    JSON.readTree(signedBytes),
                    HexFormat.of().parseHex(signature),
                    chain,
                    file.toString());
        } catch (IOException | IllegalArgumentException e) {
            throw new AttestationException(
                    "collateral " + file + " is malformed: " + e.getMessage());
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
