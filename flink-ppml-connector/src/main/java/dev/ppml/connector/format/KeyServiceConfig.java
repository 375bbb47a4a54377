package dev.ppml.connector.format;

import dev.ppml.keys.KeyServiceOptions;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Maps Flink configuration to key-service options: every {@code ppml.key-service.<option>} key
 * becomes {@code <option>}, e.g. {@code -D ppml.key-service.kbs.tee=tdx}, {@code
 * ppml.key-service.kbs.ca-cert=/etc/ppml/kbs-ca.pem} or {@code ppml.key-service.cache-ttl=10min}.
 * The options travel with the job graph to the TaskManagers that unlock keys; they name how to
 * attest and whom to trust, and hold no secrets.
 */
@PublicEvolving
public final class KeyServiceConfig {
    /** The prefix of key-service options in Flink configuration. */
    public static final String PREFIX = "ppml.key-service.";

    private KeyServiceConfig() {}

    public static KeyServiceOptions fromFlinkConfig(Map<String, String> flinkConfig) {
        Map<String, String> options = new HashMap<>();
        flinkConfig.forEach(
                (k, v) -> {
                    if (k.startsWith(PREFIX)) {
                        options.put(k.substring(PREFIX.length()), v);
                    }
                });
        return KeyServiceOptions.of(options);
    }
}
