package dev.ppml.keys.kbs;

import dev.ppml.attestation.evidence.EvidenceProvider;
import dev.ppml.attestation.evidence.EvidenceProviders;
import dev.ppml.keys.InvalidKeyReferenceException;
import dev.ppml.keys.KeyService;
import dev.ppml.keys.KeyServiceFactory;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.keys.KeyUri;
import java.util.List;
import java.util.Locale;

/**
 * Registers the {@code kbs://} scheme ({@link KbsKeyService}). The evidence provider is the one
 * named by {@code kbs.tee}, never chosen automatically.
 *
 * <p>Options (besides {@link KbsClientConfig}'s): {@code kbs.evidence-location} — the configfs-tsm
 * root for {@code tdx}, or the attestation agent's base URL for {@code coco-aa}; {@code kbs.hash} —
 * the hash of the runtime data, which Trustee fixes per TEE: {@code sha384} for {@code tdx} and
 * {@code sample}, {@code sha512} only for IBM {@code se} (reachable through {@code coco-aa}). The
 * option exists to state that choice; any other value is refused when the key reference is
 * validated.
 */
public final class KbsKeyServiceFactory implements KeyServiceFactory {
    public static final String EVIDENCE_LOCATION = "kbs.evidence-location";
    public static final String HASH = "kbs.hash";
    public static final String DEFAULT_HASH = "sha384";

    @Override
    public String scheme() {
        return "kbs";
    }

    @Override
    public void validate(KeyUri keyUri, KeyServiceOptions options)
            throws InvalidKeyReferenceException {
        KbsResourceUri resource = KbsResourceUri.parse(keyUri);
        KbsClientConfig config = KbsClientConfig.from(options);
        evidenceProvider(config, options);
        hash(config, options);
        checkTransport(keyUri, resource, config);
    }

    @Override
    public KeyService create(KeyServiceOptions options) throws InvalidKeyReferenceException {
        return new KbsKeyService(options);
    }

    static EvidenceProvider evidenceProvider(KbsClientConfig config, KeyServiceOptions options)
            throws InvalidKeyReferenceException {
        try {
            return EvidenceProviders.fromName(
                    config.tee(), options.get(EVIDENCE_LOCATION).orElse(null));
        } catch (IllegalArgumentException e) {
            throw new InvalidKeyReferenceException(
                    "key-service option '" + KbsClientConfig.TEE + "': " + e.getMessage(),
                    KbsClientConfig.TEE);
        }
    }

    /** The hashes Trustee accepts for the TEE named by {@code kbs.tee}. */
    static List<String> allowedHashes(String tee) {
        return tee.equals("coco-aa") ? List.of("sha384", "sha512") : List.of(DEFAULT_HASH);
    }

    /** The hash Trustee uses for the TEE that produced the evidence. */
    static String hashOf(String evidenceTee) {
        return evidenceTee.equals("se") ? "sha512" : DEFAULT_HASH;
    }

    /** {@code kbs.hash}, checked against what Trustee accepts for {@code kbs.tee}. */
    static String hash(KbsClientConfig config, KeyServiceOptions options)
            throws InvalidKeyReferenceException {
        String hash = options.getString(HASH, DEFAULT_HASH).trim().toLowerCase(Locale.ROOT);
        List<String> allowed = allowedHashes(config.tee());
        if (!allowed.contains(hash)) {
            throw new InvalidKeyReferenceException(
                    String.format(
                            "key-service option '%s' has value '%s'; expected %s for %s '%s'"
                                    + " (Trustee hashes the runtime data with SHA-384, SHA-512"
                                    + " only for the se TEE)",
                            HASH,
                            options.getString(HASH, ""),
                            String.join(" or ", allowed),
                            KbsClientConfig.TEE,
                            config.tee()),
                    HASH);
        }
        return hash;
    }

    /** Plain HTTP only to a broker on this machine; everything else needs TLS. */
    static void checkTransport(KeyUri keyUri, KbsResourceUri resource, KbsClientConfig config)
            throws InvalidKeyReferenceException {
        if (config.plaintextHttp() && !resource.isLoopback()) {
            throw new InvalidKeyReferenceException(
                    String.format(
                            "key URI '%s': '%s' allows plain HTTP to loopback brokers only (the"
                                    + " development broker); use TLS with '%s' for %s",
                            keyUri,
                            KbsClientConfig.PLAINTEXT_HTTP,
                            KbsClientConfig.CA_CERT,
                            resource.host()),
                    KbsClientConfig.PLAINTEXT_HTTP);
        }
    }
}
