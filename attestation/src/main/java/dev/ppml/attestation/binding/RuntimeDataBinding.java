package dev.ppml.attestation.binding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Binds evidence to a key broker's challenge: the digest hash(JCS({"additional-evidence": "",
 * "nonce": nonce, "tee-pubkey": JWK})) — what a Trustee KBS recomputes to check that the evidence
 * was made for its nonce and for the key its resource will be encrypted to. SHA-384 for every TEE
 * but IBM {@code se}, which uses SHA-512 (Trustee knows no other choice).
 *
 * <p>The digest is the report data as it is; only a TDX REPORTDATA field (64 bytes) is zero-padded
 * ({@link #tdxReportData(byte[])}). Trustee's sample verifier compares the unpadded digest.
 */
public final class RuntimeDataBinding {
    /** Length of a TDX REPORTDATA field. */
    public static final int REPORT_DATA_LENGTH = 64;

    private static final ObjectMapper JSON = new ObjectMapper();

    private RuntimeDataBinding() {}

    /** The canonical runtime data the hash is taken over. */
    public static String runtimeData(String nonce, JsonNode teePubKey) {
        ObjectNode data = JSON.createObjectNode();
        data.put("additional-evidence", "");
        data.put("nonce", nonce);
        data.set("tee-pubkey", teePubKey);
        return Jcs.canonicalize(data);
    }

    /** The SHA-384 digest of the runtime data (48 bytes), unpadded. */
    public static byte[] digest(String nonce, JsonNode teePubKey) {
        return digest(nonce, teePubKey, "sha384");
    }

    /** The digest with the named hash, sha384 or sha512, unpadded. */
    public static byte[] digest(String nonce, JsonNode teePubKey, String hash) {
        String algorithm;
        switch (hash.toLowerCase(Locale.ROOT).replace("-", "")) {
            case "sha384":
                algorithm = "SHA-384";
                break;
            case "sha512":
                algorithm = "SHA-512";
                break;
            default:
                throw new IllegalArgumentException(
                        "unknown hash '" + hash + "'; expected sha384 or sha512");
        }
        try {
            return MessageDigest.getInstance(algorithm)
                    .digest(runtimeData(nonce, teePubKey).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }

    /** TDX REPORTDATA for the SHA-384 digest: the digest zero-padded to 64 bytes. */
    public static byte[] reportData(String nonce, JsonNode teePubKey) {
        return tdxReportData(digest(nonce, teePubKey));
    }

    /**
     * The report data a TEE's evidence carries for {@code digest}, as Trustee's verifier for that
     * TEE compares it: zero-padded to 64 bytes for {@code tdx}, the digest as it is for every other
     * TEE (the {@code sample} verifier compares the 48 bytes byte for byte).
     */
    public static byte[] reportDataFor(String tee, byte[] digest) {
        return "tdx".equals(tee) ? tdxReportData(digest) : digest.clone();
    }

    /**
     * A digest as TDX REPORTDATA: zero-padded to 64 bytes, as Trustee's TDX verifier pads it.
     *
     * @throws IllegalArgumentException if the digest is longer than 64 bytes
     */
    public static byte[] tdxReportData(byte[] digest) {
        if (digest.length > REPORT_DATA_LENGTH) {
            throw new IllegalArgumentException(
                    "report data of "
                            + digest.length
                            + " bytes does not fit TDX REPORTDATA ("
                            + REPORT_DATA_LENGTH
                            + " bytes)");
        }
        return Arrays.copyOf(digest, REPORT_DATA_LENGTH);
    }
}
