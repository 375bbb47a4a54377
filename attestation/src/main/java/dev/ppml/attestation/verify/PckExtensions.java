package dev.ppml.attestation.verify;

import dev.ppml.attestation.AttestationException;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Intel SGX extension of a PCK certificate (OID 1.2.840.113741.1.13.1): the platform's TCB (16
 * SGX component SVNs, PCESVN, CPUSVN), its FMSPC and PCE-ID, read with a minimal DER parser.
 */
final class PckExtensions {
    static final String SGX_EXTENSION = "1.2.840.113741.1.13.1";
    private static final String TCB = SGX_EXTENSION + ".2";
    private static final String PCE_ID = SGX_EXTENSION + ".3";
    private static final String FMSPC = SGX_EXTENSION + ".4";

    final int[] sgxTcbComponents = new int[16];
    int pceSvn = -1;
    byte[] fmspc;
    byte[] pceId;

    static PckExtensions of(X509Certificate pck) throws AttestationException {
        byte[] ext = pck.getExtensionValue(SGX_EXTENSION);
        if (ext == null) {
            throw new AttestationException(
                    "the PCK certificate has no SGX extension " + SGX_EXTENSION);
        }
        PckExtensions p = new PckExtensions();
        try {
            Der octets = Der.read(ext, 0); // the extension value is an OCTET STRING
            Der seq = Der.read(ext, octets.valueStart);
            for (Der item : seq.children(ext)) {
                Der[] kv = item.children(ext).toArray(new Der[0]);
                String oid = kv[0].oid(ext);
                if (oid.equals(TCB)) {
                    for (Der comp : kv[1].children(ext)) {
                        Der[] c = comp.children(ext).toArray(new Der[0]);
                        String id = c[0].oid(ext);
                        int n = Integer.parseInt(id.substring(TCB.length() + 1));
                        if (n >= 1 && n <= 16) {
                            p.sgxTcbComponents[n - 1] = c[1].integer(ext).intValueExact();
                        } else if (n == 17) {
                            p.pceSvn = c[1].integer(ext).intValueExact();
                        }
                    }
                } else if (oid.equals(FMSPC)) {
                    p.fmspc = kv[1].value(ext);
                } else if (oid.equals(PCE_ID)) {
                    p.pceId = kv[1].value(ext);
                }
            }
        } catch (RuntimeException e) {
            throw new AttestationException(
                    "the PCK certificate's SGX extension is malformed: " + e);
        }
        if (p.pceSvn < 0 || p.fmspc == null) {
            throw new AttestationException(
                    "the PCK certificate's SGX extension lacks TCB or FMSPC");
        }
        return p;
    }

    /** A DER element: tag, and where its value starts and ends. */
    static final class Der {
        final int tag;
        final int valueStart;
        final int end;

        private Der(int tag, int valueStart, int end) {
            this.tag = tag;
            this.valueStart = valueStart;
            this.end = end;
        }

        static Der read(byte[] b, int at) {
            int tag = b[at] & 0xff;
            int len = b[at + 1] & 0xff;
            int start = at + 2;
            if (len > 0x80) {
                int n = len & 0x7f;
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (b[start + i] & 0xff);
                }
                start += n;
            }
            if (start + len > b.length) {
                throw new IllegalArgumentException("DER element overruns its buffer");
            }
            return new Der(tag, start, start + len);
        }

        List<Der> children(byte[] b) {
            List<Der> out = new ArrayList<>();
            for (int at = valueStart; at < end; ) {
                Der d = read(b, at);
                out.add(d);
                at = d.end;
            }
            return out;
        }

        byte[] value(byte[] b) {
            return Arrays.copyOfRange(b, valueStart, end);
        }

        BigInteger integer(byte[] b) {
            return new BigInteger(value(b));
        }

        String oid(byte[] b) {
            byte[] v = value(b);
            StringBuilder s = new StringBuilder();
            s.append(v[0] / 40).append('.').append(v[0] % 40);
            long n = 0;
            for (int i = 1; i < v.length; i++) {
                n = (n << 7) | (v[i] & 0x7f);
                if ((v[i] & 0x80) == 0) {
                    s.append('.').append(n);
                    n = 0;
                }
            }
            return s.toString();
        }
    }
}
