package dev.ppml.keys;

import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;

/**
 * The name of a master key: {@code <scheme>:<scheme-specific part>}, for example {@code
 * local:/etc/ppml/dev.keyset.json}, {@code kbs://kbs.example:8080/default/key/people} or {@code
 * cdh://default/key/people}.
 *
 * <p>A key URI names a key; it never contains key material, so it may appear in logs, errors and
 * file headers.
 */
public final class KeyUri implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String uri;
    private final String scheme;
    private final String schemeSpecificPart;

    private KeyUri(String uri, String scheme, String schemeSpecificPart) {
        this.uri = uri;
        this.scheme = scheme;
        this.schemeSpecificPart = schemeSpecificPart;
    }

    /**
     * Parses a key URI.
     *
     * @throws IllegalArgumentException if the text has no {@code scheme:} prefix or nothing after
     *     it
     */
    public static KeyUri parse(String uri) {
        Objects.requireNonNull(uri, "key URI must not be null");
        String trimmed = uri.trim();
        int colon = trimmed.indexOf(':');
        if (colon <= 0 || colon == trimmed.length() - 1) {
            throw new IllegalArgumentException(
                    String.format(
                            "key URI '%s' is not of the form <scheme>:<location>; expected e.g."
                                    + " local:/path/to/keyset.json, kbs://host:port/repo/type/tag"
                                    + " or cdh://repo/type/tag",
                            uri));
        }
        String scheme = trimmed.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.matches("[a-z][a-z0-9+.-]*")) {
            throw new IllegalArgumentException(
                    String.format("key URI '%s' has an invalid scheme '%s'", uri, scheme));
        }
        return new KeyUri(trimmed, scheme, trimmed.substring(colon + 1));
    }

    /** The lower-case scheme, e.g. {@code local}. */
    public String scheme() {
        return scheme;
    }

    /** Everything after {@code scheme:}. */
    public String schemeSpecificPart() {
        return schemeSpecificPart;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyUri && ((KeyUri) o).uri.equals(uri);
    }

    @Override
    public int hashCode() {
        return uri.hashCode();
    }

    /** The URI as given (trimmed). */
    @Override
    public String toString() {
        return uri;
    }
}
