package dev.ppml.connector.keys;

import dev.ppml.keys.InvalidKeyReferenceException;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.keys.cdh.CdhKeyService;
import dev.ppml.keys.kbs.KbsClientConfig;
import dev.ppml.keys.kbs.KbsKeyServiceFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;

/**
 * The key-service options as typed Flink options. In Flink configuration (and {@code -D}) each key
 * is {@code ppml.key-service.<option>}, e.g. {@code ppml.key-service.kbs.tee: tdx}; in a {@code
 * ppml} table's options the same key, e.g. {@code 'ppml.key-service.cache-ttl' = '10 min'}. The
 * option keys below are relative to the {@code ppml.} prefix, as a format's options are relative to
 * its identifier.
 *
 * <p>This mirrors the string keys of the Flink-free key-service client ({@link
 * KeyServiceOptions#CACHE_TTL}, {@link KbsClientConfig}, {@link CdhKeyService}): Flink parses and
 * type-checks what users write, and {@link #toKeyServiceOptions} hands the client the canonical
 * values. The options say how TaskManagers attest and whom they trust; they hold no secrets.
 */
@PublicEvolving
public final class KeyServiceConfigOptions {

    /** The prefix of these options in Flink configuration. */
    public static final String PREFIX = "ppml.";

    /** What the relative keys of key-service options start with. */
    public static final String KEY_SERVICE = "key-service.";

    public static final ConfigOption<Duration> CACHE_TTL =
            ConfigOptions.key(KEY_SERVICE + KeyServiceOptions.CACHE_TTL)
                    .durationType()
                    .defaultValue(KeyServiceOptions.DEFAULT_CACHE_TTL)
                    .withDescription(
                            "How long a TaskManager keeps an unlocked master key in memory before"
                                    + " it unlocks it again.");

    public static final ConfigOption<String> KBS_TEE =
            ConfigOptions.key(KEY_SERVICE + KbsClientConfig.TEE)
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "For kbs:// keys: the evidence TaskManagers attest with, 'tdx'"
                                    + " (configfs-tsm on a TDX VM), 'coco-aa' (the Confidential"
                                    + " Containers attestation agent) or 'sample' (simulated, for"
                                    + " tests and the demo only). Required, never guessed.");

    public static final ConfigOption<String> KBS_CA_CERT =
            ConfigOptions.key(KEY_SERVICE + KbsClientConfig.CA_CERT)
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "For kbs:// keys: a PEM file with the CA certificate(s) that signed"
                                    + " the broker's TLS certificate; the JDK's trust store when"
                                    + " unset.");

    public static final ConfigOption<Boolean> KBS_PLAINTEXT_HTTP =
            ConfigOptions.key(KEY_SERVICE + KbsClientConfig.PLAINTEXT_HTTP)
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "For kbs:// keys: talk plain HTTP to the broker. Allowed only for a"
                                    + " broker on loopback, such as the development broker.");

    public static final ConfigOption<Duration> KBS_REQUEST_TIMEOUT =
            ConfigOptions.key(KEY_SERVICE + KbsClientConfig.REQUEST_TIMEOUT)
                    .durationType()
                    .defaultValue(KbsClientConfig.DEFAULT_REQUEST_TIMEOUT)
                    .withDescription("For kbs:// keys: the timeout of one request to the broker.");

    public static final ConfigOption<Integer> KBS_MAX_ATTEMPTS =
            ConfigOptions.key(KEY_SERVICE + KbsClientConfig.MAX_ATTEMPTS)
                    .intType()
                    .defaultValue(KbsClientConfig.DEFAULT_MAX_ATTEMPTS)
                    .withDescription(
                            "For kbs:// keys: attempts when the broker is unreachable or answers"
                                    + " 5xx (at least 1).");

    public static final ConfigOption<Duration> KBS_RETRY_BACKOFF =
            ConfigOptions.key(KEY_SERVICE + KbsClientConfig.RETRY_BACKOFF)
                    .durationType()
                    .defaultValue(KbsClientConfig.DEFAULT_RETRY_BACKOFF)
                    .withDescription(
                            "For kbs:// keys: the first pause between attempts, doubled after"
                                    + " each.");

    public static final ConfigOption<Duration> KBS_SESSION_TTL =
            ConfigOptions.key(KEY_SERVICE + KbsClientConfig.SESSION_TTL)
                    .durationType()
                    .defaultValue(KbsClientConfig.DEFAULT_SESSION_TTL)
                    .withDescription(
                            "For kbs:// keys: how long a broker token without an expiry claim is"
                                    + " reused.");

    public static final ConfigOption<String> KBS_EVIDENCE_LOCATION =
            ConfigOptions.key(KEY_SERVICE + KbsKeyServiceFactory.EVIDENCE_LOCATION)
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "For kbs:// keys: where evidence comes from, the configfs-tsm report"
                                    + " directory for 'tdx' (default /sys/kernel/config/tsm/report)"
                                    + " or the attestation agent's base URL for 'coco-aa' (default"
                                    + " http://127.0.0.1:8006).");

    public static final ConfigOption<String> KBS_HASH =
            ConfigOptions.key(KEY_SERVICE + KbsKeyServiceFactory.HASH)
                    .stringType()
                    .defaultValue(KbsKeyServiceFactory.DEFAULT_HASH)
                    .withDescription(
                            "For kbs:// keys: the hash that binds the broker's nonce and this"
                                    + " TaskManager's ephemeral key into the evidence. Trustee"
                                    + " fixes it per TEE: sha384 for tdx and sample, sha512 only"
                                    + " for se.");

    public static final ConfigOption<String> CDH_URL =
            ConfigOptions.key(KEY_SERVICE + CdhKeyService.URL)
                    .stringType()
                    .defaultValue(CdhKeyService.DEFAULT_URL)
                    .withDescription(
                            "For cdh:// keys: the Confidential Data Hub's REST endpoint inside the"
                                    + " pod.");

    public static final ConfigOption<Duration> CDH_REQUEST_TIMEOUT =
            ConfigOptions.key(KEY_SERVICE + CdhKeyService.REQUEST_TIMEOUT)
                    .durationType()
                    .defaultValue(CdhKeyService.DEFAULT_REQUEST_TIMEOUT)
                    .withDescription("For cdh:// keys: the timeout of one request to the CDH.");

    /** Every key-service option. */
    public static final List<ConfigOption<?>> ALL =
            List.of(
                    CACHE_TTL,
                    KBS_TEE,
                    KBS_CA_CERT,
                    KBS_PLAINTEXT_HTTP,
                    KBS_REQUEST_TIMEOUT,
                    KBS_MAX_ATTEMPTS,
                    KBS_RETRY_BACKOFF,
                    KBS_SESSION_TTL,
                    KBS_EVIDENCE_LOCATION,
                    KBS_HASH,
                    CDH_URL,
                    CDH_REQUEST_TIMEOUT);

    private KeyServiceConfigOptions() {}

    /**
     * The key-service options in Flink configuration: every {@code ppml.key-service.*} key of
     * {@code flinkConfig} (full keys, as in a Flink configuration or a table's options).
     *
     * @throws IllegalArgumentException for an unknown {@code ppml.key-service.*} key or a value of
     *     the wrong type, naming the key
     */
    public static KeyServiceOptions fromFlinkConfig(Map<String, String> flinkConfig) {
        Map<String, String> relative = new TreeMap<>();
        flinkConfig.forEach(
                (k, v) -> {
                    if (k.startsWith(PREFIX + KEY_SERVICE)) {
                        relative.put(k.substring(PREFIX.length()), v);
                    }
                });
        return toKeyServiceOptions(relative);
    }

    /**
     * Checks and converts key-service options given by their relative keys ({@code
     * key-service.kbs.tee}) to the key-service client's options.
     *
     * @throws IllegalArgumentException for an unknown key or a value of the wrong type, naming the
     *     full key
     */
    public static KeyServiceOptions toKeyServiceOptions(Map<String, String> relative) {
        Set<String> known = ALL.stream().map(ConfigOption::key).collect(Collectors.toSet());
        Set<String> unknown = new TreeSet<>(relative.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    String.format(
                            "unknown key-service option(s) %s; known: %s",
                            unknown.stream().map(k -> PREFIX + k).collect(Collectors.toList()),
                            ALL.stream()
                                    .map(o -> PREFIX + o.key())
                                    .sorted()
                                    .collect(Collectors.toList())));
        }
        Configuration given = Configuration.fromMap(relative);
        Map<String, String> options = new TreeMap<>();
        for (ConfigOption<?> option : ALL) {
            Object value;
            try {
                value = given.getOptional(option).orElse(null);
            } catch (IllegalArgumentException e) {
                // not chained: Flink's parser message says less than this one
                throw new IllegalArgumentException(
                        String.format(
                                "key-service option '%s%s' has value '%s', which is not a %s",
                                PREFIX,
                                option.key(),
                                relative.get(option.key()),
                                typeName(option)));
            }
            if (value != null) {
                options.put(option.key().substring(KEY_SERVICE.length()), value.toString());
            }
        }
        return KeyServiceOptions.of(options);
    }

    /**
     * The message of a key-service client's error in Flink terms: an option is named by its Flink
     * key ({@code ppml.key-service.kbs.tee}).
     */
    public static String describe(InvalidKeyReferenceException e) {
        return e.option()
                .map(o -> e.getMessage() + " (Flink option '" + PREFIX + KEY_SERVICE + o + "')")
                .orElse(e.getMessage());
    }

    private static String typeName(ConfigOption<?> option) {
        if (option.defaultValue() instanceof Duration) {
            return "duration (e.g. '30 s', '10 min')";
        }
        if (option.defaultValue() instanceof Boolean) {
            return "boolean (true or false)";
        }
        if (option.defaultValue() instanceof Integer) {
            return "whole number";
        }
        return "string";
    }
}
