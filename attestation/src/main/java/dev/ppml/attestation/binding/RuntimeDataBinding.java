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
 * Binds evidence to a key broker's challenge: REPORTDATA = hash(JCS({"additional-evidence": "",
 * "nonce": nonce, "tee-pubkey": JWK})), zero-padded to 64 bytes — what a Trustee KBS recomputes to
 * check that the evidence was made for its nonce and for the key its resource will be encrypted to.
 * SHA-384 by default; SHA-256 and SHA-512 selectable.
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

    /** REPORTDATA with SHA-384. */
    public static byte[] reportData(String nonce, JsonNode teePubKey) {
        return reportData(nonce, teePubKey, "sha384");
    }

    /** REPORTDATA with the named hash: sha256, sha384 or sha512. */
    public static byte[] reportData(String nonce, JsonNode teePubKey, String hash) {
        String algorithm;
        switch (hash.toLowerCase(Locale.ROOT).replace("-", "")) {
            case "sha256":
                algorithm = "SHA-256";
                break;
            case "sha384":
                algorithm = "SHA-384";
                break;
            case "sha512":
                algorithm = "SHA-512";
                break;
            default:
                throw new IllegalArgumentException(
                        "unknown hash '" + hash + "'; expected sha256, sha384 or sha512");
        }
        try {
            byte[] digest =
                    MessageDigest.getInstance(algorithm)
                            .digest(runtimeData(nonce, teePubKey).getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(digest, REPORT_DATA_LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is part of every JDK", e);
        }
    }
}
