package dev.ppml.attestation.verify;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;

/**
 * The pinned trust root of TDX quote verification: the Intel SGX Root CA, identified by the SHA-256
 * of its public key (SubjectPublicKeyInfo). A chain that ends in any other root fails, whatever the
 * certificates say about themselves.
 */
public final class IntelSgxRootCa {
    /** SHA-256 of the DER SubjectPublicKeyInfo of "CN=Intel SGX Root CA" (valid to 2049). */
    public static final String PUBLIC_KEY_SHA256 =
            "a0af031289f5d5d4132f9186068a7fc13628633ba235777472e29b6b6c67a49e";

    private IntelSgxRootCa() {}

    /** Whether {@code cert} carries the pinned root public key. */
    public static boolean isPinnedRoot(X509Certificate cert) {
        return PUBLIC_KEY_SHA256.equals(publicKeySha256(cert));
    }

    static String publicKeySha256(X509Certificate cert) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(cert.getPublicKey().getEncoded()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
