package dev.ppml.keys.kbs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ppml.attestation.AttestationException;
import dev.ppml.attestation.binding.RuntimeDataBinding;
import dev.ppml.attestation.evidence.EvidenceProvider;
import dev.ppml.attestation.evidence.EvidenceProviders;
import dev.ppml.keys.KeyService;
import dev.ppml.keys.KeyServiceException;
import dev.ppml.keys.KeyServiceFactory;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.keys.ResourceKeys;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registers the {@code kbs://host:port/<repo>/<type>/<tag>} scheme: master keys are resources of a
 * Trustee-compatible key broker, released only after this machine attested with the evidence
 * provider named by {@code kbs.tee} (never chosen automatically). One client per broker and options
 * is kept per JVM, so the attestation token is reused across keys until it expires.
 *
 * <p>Options (besides {@link KbsClientConfig}'s): {@code kbs.evidence-location} — the configfs-tsm
 * root for {@code tdx}, or the attestation agent's base URL for {@code coco-aa}; {@code kbs.hash} —
 * the REPORTDATA hash, sha384 by default.
 */
public final class KbsKeyServiceFactory implements KeyServiceFactory {
    public static final String EVIDENCE_LOCATION = "kbs.evidence-location";
    public static final String HASH = "kbs.hash";

    private static final Map<java.util.List<Object>, KbsClient> CLIENTS = new ConcurrentHashMap<>();

    @Override
    public String scheme() {
        return "kbs";
    }

    @Override
    public void validate(dev.ppml.keys.KeyUri keyUri, KeyServiceOptions options)
            throws KeyServiceException {
        KbsResourceUri resource = KbsResourceUri.parse(keyUri);
        KbsClientConfig config = KbsClientConfig.from(options);
        try {
            EvidenceProviders.fromName(config.tee(), options.get(EVIDENCE_LOCATION).orElse(null));
        } catch (IllegalArgumentException e) {
            throw new KeyServiceException(
                    "key service option '" + KbsClientConfig.TEE + "': " + e.getMessage());
        }
        if (config.plaintextHttp() && !resource.isLoopback()) {
            throw new KeyServiceException(
                    String.format(
                            "key URI '%s': '%s' allows plain HTTP to loopback brokers only",
                            keyUri, KbsClientConfig.PLAINTEXT_HTTP));
        }
    }

    @Override
    public KeyService create(KeyServiceOptions options) throws KeyServiceException {
        KbsClientConfig config = KbsClientConfig.from(options);
        EvidenceProvider provider;
        try {
            provider =
                    EvidenceProviders.fromName(
                            config.tee(), options.get(EVIDENCE_LOCATION).orElse(null));
        } catch (IllegalArgumentException e) {
            throw new KeyServiceException(
                    "key service option '" + KbsClientConfig.TEE + "': " + e.getMessage());
        }
        String hash = options.get(HASH).orElse("sha384");
        EvidenceSource evidence =
                new EvidenceSource() {
                    @Override
                    public String tee() {
                        return provider.tee();
                    }

                    @Override
                    public JsonNode evidence(byte[] reportData) throws IOException {
                        try {
                            return provider.evidence(reportData);
                        } catch (AttestationException e) {
                            throw new IOException(e.getMessage(), e);
                        }
                    }
                };
        RuntimeDataBinder binder =
                (nonce, key) -> {
                    try {
                        return RuntimeDataBinding.reportData(nonce, key, hash);
                    } catch (IllegalArgumentException e) {
                        throw new KeyServiceException(
                                "key service option '" + HASH + "': " + e.getMessage());
                    }
                };
        return keyUri -> {
            KbsResourceUri resource = KbsResourceUri.parse(keyUri);
            if (config.plaintextHttp() && !resource.isLoopback()) {
                throw new KeyServiceException(
                        String.format(
                                "key URI '%s': '%s' allows plain HTTP to loopback brokers only (the"
                                        + " development broker); use TLS with '%s' for %s",
                                keyUri,
                                KbsClientConfig.PLAINTEXT_HTTP,
                                KbsClientConfig.CA_CERT,
                                resource.host()));
            }
            URI base =
                    URI.create(
                            (config.plaintextHttp() ? "http://" : "https://")
                                    + resource.host()
                                    + ":"
                                    + resource.port());
            java.util.List<Object> id = java.util.List.of(base, options);
            KbsClient client = CLIENTS.get(id);
            if (client == null) {
                client = new KbsClient(base, config, evidence, binder, Clock.systemUTC());
                KbsClient raced = CLIENTS.putIfAbsent(id, client);
                client = raced == null ? client : raced;
            }
            return ResourceKeys.toAead(client.getResource(resource.resourcePath()), keyUri);
        };
    }

    /** Forgets every client and its token (tests; a changed broker). */
    public static void resetClients() {
        CLIENTS.clear();
    }
}
