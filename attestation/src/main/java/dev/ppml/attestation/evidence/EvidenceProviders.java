package dev.ppml.attestation.evidence;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import javax.annotation.Nullable;

/**
 * Chooses an evidence provider by name. There is no auto-detection: the simulated {@code sample}
 * TEE in particular is used only when named.
 */
public final class EvidenceProviders {
    public static final String TDX = "tdx";
    public static final String COCO_AA = "coco-aa";
    public static final String SAMPLE = "sample";

    private EvidenceProviders() {}

    /**
     * @param name tdx (configfs-tsm), coco-aa (the CoCo attestation agent's REST API) or sample
     * @param location the configfs-tsm root or the agent's base URL; null for the defaults
     */
    public static EvidenceProvider fromName(String name, @Nullable String location) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case TDX:
                return new ConfigFsTsmEvidenceProvider(
                        location == null
                                ? ConfigFsTsmEvidenceProvider.DEFAULT_ROOT
                                : Path.of(location));
            case COCO_AA:
                return new CocoAttestationAgentEvidenceProvider(
                        location == null
                                ? CocoAttestationAgentEvidenceProvider.DEFAULT_BASE
                                : URI.create(location),
                        TDX);
            case SAMPLE:
                return new SampleEvidenceProvider();
            default:
                throw new IllegalArgumentException(
                        String.format(
                                "unknown TEE '%s'; expected one of tdx, coco-aa, sample", name));
        }
    }
}
