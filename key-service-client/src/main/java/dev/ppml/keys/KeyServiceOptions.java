package dev.ppml.keys;

import java.io.Serializable;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Configuration of the key services: a flat, immutable map of string options (for example the key
 * broker's CA certificate path or the cache time-to-live), read by the typed accessors below. Keys
 * are without any prefix ({@code cache-ttl}, {@code kbs.tee}); each key service documents its own.
 *
 * <p>Values are in their canonical form: durations ISO-8601 ({@code PT10M}), whole numbers in
 * decimal, booleans {@code true}/{@code false}. Flink users never write these maps: the connector
 * declares every option as a typed Flink {@code ConfigOption} ({@code ppml.key-service.*}), lets
 * Flink parse what users wrote ({@code 10 min}) and hands the canonical form here.
 *
 * <p>{@link #toString()} lists option names only, never values, because values such as broker
 * tokens may be secret.
 */
public final class KeyServiceOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** How long an unlocked master key stays cached in memory. */
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

    /** A string option, {@code dflt} when unset. */
    public String getString(String key, String dflt) {
        return options.getOrDefault(key, dflt);
    }

    /** A duration option (ISO-8601, e.g. {@code PT30S}), {@code dflt} when unset. */
    public Duration getDuration(String key, Duration dflt) throws InvalidKeyReferenceException {
        String value = options.get(key);
        if (value == null) {
            return dflt;
        }
        try {
            Duration d = Duration.parse(value.trim());
            if (d.isNegative()) {
                throw invalid(key, value, "a duration that is not negative");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw invalid(key, value, "an ISO-8601 duration such as PT30S or PT10M");
        }
    }

    /** A whole-number option of at least {@code min}, {@code dflt} when unset. */
    public int getInt(String key, int dflt, int min) throws InvalidKeyReferenceException {
        String value = options.get(key);
        if (value == null) {
            return dflt;
        }
        int n;
        try {
            n = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw invalid(key, value, "a whole number");
        }
        if (n < min) {
            throw invalid(key, value, "a whole number of at least " + min);
        }
        return n;
    }

    /** A boolean option ({@code true} or {@code false}, nothing else), {@code dflt} when unset. */
    public boolean getBoolean(String key, boolean dflt) throws InvalidKeyReferenceException {
        String value = options.get(key);
        if (value == null) {
            return dflt;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw invalid(key, value, "true or false");
        }
    }

    /** The cache time-to-live, {@link #DEFAULT_CACHE_TTL} when unset. */
    public Duration cacheTtl() throws InvalidKeyReferenceException {
        return getDuration(CACHE_TTL, DEFAULT_CACHE_TTL);
    }

    private static InvalidKeyReferenceException invalid(String key, String value, String expected) {
        return new InvalidKeyReferenceException(
                String.format(
                        "key-service option '%s' has value '%s'; expected %s",
                        key, value, expected),
                key);
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
