package dev.ppml.keys.kbs;

import dev.ppml.attestation.evidence.EvidenceProvider;
import dev.ppml.attestation.evidence.EvidenceProviders;
import dev.ppml.keys.InvalidKeyReferenceException;
import dev.ppml.keys.KeyService;
import dev.ppml.keys.KeyServiceFactory;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.keys.KeyUri;

/**
 * Registers the {@code kbs://} scheme ({@link KbsKeyService}). The evidence provider is the one
 * named by {@code kbs.tee}, never chosen automatically.
 *
 * <p>Options (besides {@link KbsClientConfig}'s): {@code kbs.evidence-location} — the configfs-tsm
 * root for {@code tdx}, or the attestation agent's base URL for {@code coco-aa}; {@code kbs.hash} —
 * the REPORTDATA hash, sha384 by default.
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
