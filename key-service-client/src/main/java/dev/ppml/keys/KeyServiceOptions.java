package dev.ppml.keys;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Configuration of the key services: a flat, immutable map of string options (for example the key
 * broker's CA certificate path or the cache time-to-live). Keys are without any prefix; the Flink
 * side maps its {@code ppml.key-service.*} options here.
 *
 * <p>{@link #toString()} lists option names only, never values, because values such as broker
 * tokens may be secret.
 */
public final class KeyServiceOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** How long an unlocked master key stays cached in memory, e.g. {@code 10 min}. */
    public static final String CACHE_TTL = "cache-ttl";

    /** The default for {@link #CACHE_TTL}. */
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofMinutes(10);

    private static final KeyServiceOptions EMPTY = new KeyServiceOptions(Map.of());

    private final TreeMap<String, String> options;

    private KeyServiceOptions(Map<String, String> options) {
        this.options = new TreeMap<>(options);
    }

    public static KeyServiceOptions empty() {
        return EMPTY;
    }

    public static KeyServiceOptions of(Map<String, String> options) {
        return options.isEmpty() ? EMPTY : new KeyServiceOptions(options);
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(options.get(key));
    }

    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(options);
    }

    /** The cache time-to-live, {@link #DEFAULT_CACHE_TTL} when unset. */
    public Duration cacheTtl() {
        return get(CACHE_TTL).map(v -> parseDuration(CACHE_TTL, v)).orElse(DEFAULT_CACHE_TTL);
    }

    /**
     * Parses durations as Flink writes them ({@code 500 ms}, {@code 30 s}, {@code 10 min}, {@code 1
     * h}, a bare number of milliseconds) or ISO-8601 ({@code PT10M}).
     */
    public static Duration parseDuration(String key, String value) {
        String v = value.trim().toLowerCase(java.util.Locale.ROOT);
        try {
            if (v.startsWith("pt") || v.startsWith("p")) {
                return Duration.parse(value.trim().toUpperCase(java.util.Locale.ROOT));
            }
            int i = 0;
            while (i < v.length() && Character.isDigit(v.charAt(i))) {
                i++;
            }
            long amount = Long.parseLong(v.substring(0, i));
            String unit = v.substring(i).trim();
            switch (unit) {
                case "":
                case "ms":
                    return Duration.ofMillis(amount);
                case "s":
                case "sec":
                    return Duration.ofSeconds(amount);
                case "min":
                case "m":
                    return Duration.ofMinutes(amount);
                case "h":
                    return Duration.ofHours(amount);
                default:
                    throw new IllegalArgumentException("unit '" + unit + "'");
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    String.format(
                            "key service option '%s' has value '%s', which is not a duration;"
                                    + " expected e.g. '30 s', '10 min' or 'PT10M'",
                            key, value));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyServiceOptions && ((KeyServiceOptions) o).options.equals(options);
    }

    @Override
    public int hashCode() {
        return options.hashCode();
    }

    @Override
    public String toString() {
        return "KeyServiceOptions" + options.keySet();
    }
}
