package dev.ppml.connector.format;

import com.google.crypto.tink.Parameters;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The Tink streaming AEAD presets a ppml file body may use. The preset name is written into each
 * file header, so readers need no configuration for it.
 */
public enum StreamingParameters {
    /** AES-256-GCM with HKDF-derived per-file keys, 1 MiB segments: the default. */
    AES256_GCM_HKDF_1MB(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_1MB),
    /** AES-256-GCM with HKDF, 4 KiB segments: small files, low memory per open file. */
    AES256_GCM_HKDF_4KB(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_4KB),
    /** AES-128-GCM with HKDF, 1 MiB segments. */
    AES128_GCM_HKDF_1MB(PredefinedStreamingAeadParameters.AES128_GCM_HKDF_1MB),
    /** AES-128-GCM with HKDF, 4 KiB segments. */
    AES128_GCM_HKDF_4KB(PredefinedStreamingAeadParameters.AES128_GCM_HKDF_4KB);

    /** The preset used when none is configured. */
    public static final StreamingParameters DEFAULT = AES256_GCM_HKDF_1MB;

    private final Parameters parameters;

    StreamingParameters(Parameters parameters) {
        this.parameters = parameters;
    }

    Parameters tinkParameters() {
        return parameters;
    }

    /** Looks a preset up by name, case-insensitively, with an error listing the valid names. */
    public static StreamingParameters fromName(String name) {
        for (StreamingParameters p : values()) {
            if (p.name().equals(name.trim().toUpperCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException(
                String.format(
                        "unknown streaming AEAD parameters '%s'; expected one of %s",
                        name,
                        Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "))));
    }
}
