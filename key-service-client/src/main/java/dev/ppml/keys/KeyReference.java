package dev.ppml.keys;

import com.google.crypto.tink.Aead;
import java.io.Serializable;
import java.util.Objects;

/**
 * A reference to a master key: its {@link KeyUri} plus the {@link KeyServiceOptions} needed to
 * unlock it, validated together. This is the one place where a key reference is parsed and checked:
 * the URI's syntax, that a key service serves its scheme, and that service's own checks of the URI
 * and the options (for example that {@code kbs://} has an evidence provider). Nothing is unlocked
 * and nothing is sent over the network while checking.
 *
 * <p>A reference names a key and says how to reach it; it never holds key material, so it may
 * travel in job graphs and checkpoints. {@link #toString()} shows the URI and the option names,
 * never option values.
 */
public final class KeyReference implements Serializable {
    private static final long serialVersionUID = 1L;

    private final KeyUri keyUri;
    private final KeyServiceOptions options;

    private KeyReference(KeyUri keyUri, KeyServiceOptions options) {
        this.keyUri = keyUri;
        this.options = options;
    }

    /**
     * Parses and validates a key reference.
     *
     * @throws InvalidKeyReferenceException naming what is wrong: the URI's form, an unknown scheme
     *     (with the known ones), or an option of the scheme's key service
     */
    public static KeyReference of(String keyUri, KeyServiceOptions options)
            throws InvalidKeyReferenceException {
        if (keyUri == null || keyUri.isBlank()) {
            throw new InvalidKeyReferenceException(
                    "no key URI given; expected e.g. local:/path/to/keyset.json,"
                            + " kbs://host:port/repo/type/tag or cdh://repo/type/tag");
        }
        Objects.requireNonNull(options, "key-service options must not be null");
        KeyUri uri;
        try {
            uri = KeyUri.parse(keyUri);
        } catch (IllegalArgumentException e) {
            throw new InvalidKeyReferenceException(e.getMessage());
        }
        options.cacheTtl(); // the option every scheme shares: checked here, not per service
        KeyServices.factory(uri).validate(uri, options);
        return new KeyReference(uri, options);
    }

    /** Parses and validates a key reference without key-service options. */
    public static KeyReference of(String keyUri) throws InvalidKeyReferenceException {
        return of(keyUri, KeyServiceOptions.empty());
    }

    public KeyUri keyUri() {
        return keyUri;
    }

    public KeyServiceOptions options() {
        return options;
    }

    /**
     * The master key's AEAD, through the per-JVM cache of unlocked keys ({@link KeyServices}). Call
     * it where the key is used, on a TaskManager, never on a coordinator.
     */
    public Aead unlock() throws KeyServiceException {
        return KeyServices.getAead(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyReference
                && ((KeyReference) o).keyUri.equals(keyUri)
                && ((KeyReference) o).options.equals(options);
    }

    @Override
    public int hashCode() {
        return Objects.hash(keyUri, options);
    }

    @Override
    public String toString() {
        return "KeyReference{" + keyUri + ", " + options + "}";
    }
}
