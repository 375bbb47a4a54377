package dev.ppml.keys.kbs;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.crypto.tink.Aead;
import dev.ppml.attestation.AttestationException;
import dev.ppml.attestation.binding.RuntimeDataBinding;
import dev.ppml.attestation.evidence.EvidenceProvider;
import dev.ppml.keys.InvalidKeyReferenceException;
import dev.ppml.keys.KeyService;
import dev.ppml.keys.KeyServiceException;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.keys.KeyUri;
import dev.ppml.keys.ResourceKeys;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code kbs://host:port/<repo>/<type>/<tag>} key service: master keys are resources of a
 * Trustee-compatible key broker, released only after this machine attested with the evidence
 * provider named by {@code kbs.tee}. One {@link KbsClient} per broker and options is kept per JVM,
 * so the attestation token is reused across keys and files until it expires.
 */
public final class KbsKeyService implements KeyService {

    private static final Map<List<Object>, KbsClient> CLIENTS = new ConcurrentHashMap<>();

    private final KeyServiceOptions options;
    private final KbsClientConfig config;
    private final EvidenceSource evidence;
    private final RuntimeDataBinder binder;

    KbsKeyService(KeyServiceOptions options) throws InvalidKeyReferenceException {
        this.options = options;
        this.config = KbsClientConfig.from(options);
        EvidenceProvider provider = KbsKeyServiceFactory.evidenceProvider(config, options);
        String hash = KbsKeyServiceFactory.hash(config, options);
        this.evidence =
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
        this.binder =
                (nonce, key) -> {
                    String tee = provider.tee();
                    if (!KbsKeyServiceFactory.hashOf(tee).equals(hash)) {
                        throw new InvalidKeyReferenceException(
                                String.format(
                                        "key-service option '%s' is %s, but Trustee hashes %s"
                                                + " evidence with %s",
                                        KbsKeyServiceFactory.HASH,
                                        hash,
                                        tee,
                                        KbsKeyServiceFactory.hashOf(tee)),
                                KbsKeyServiceFactory.HASH);
                    }
                    return RuntimeDataBinding.reportDataFor(
                            tee, RuntimeDataBinding.digest(nonce, key, hash));
                };
    }

    @Override
    public Aead getAead(KeyUri keyUri) throws KeyServiceException {
        KbsResourceUri resource = KbsResourceUri.parse(keyUri);
        KbsKeyServiceFactory.checkTransport(keyUri, resource, config);
        URI base =
                URI.create(
                        (config.plaintextHttp() ? "http://" : "https://")
                                + resource.host()
                                + ":"
                                + resource.port());
        List<Object> id = List.of(base, options);
        KbsClient client = CLIENTS.get(id);
        if (client == null) {
            client = new KbsClient(base, config, evidence, binder, Clock.systemUTC());
            KbsClient raced = CLIENTS.putIfAbsent(id, client);
            client = raced == null ? client : raced;
        }
        return ResourceKeys.toAead(client.getResource(resource.resourcePath()), keyUri);
    }

    /** Forgets every client and its token (tests; a changed broker). */
    public static void resetClients() {
        CLIENTS.clear();
    }

    @Override
    public String toString() {
        return "KbsKeyService{tee=" + config.tee() + "}";
    }
}
