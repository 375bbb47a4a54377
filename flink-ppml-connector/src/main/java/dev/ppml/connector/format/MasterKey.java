package dev.ppml.connector.format;

import static org.apache.flink.util.Preconditions.checkNotNull;

import com.google.crypto.tink.Aead;
import dev.ppml.keys.KeyServiceException;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.keys.KeyServices;
import dev.ppml.keys.KeyUri;
import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A reference to a master key: its URI plus the key-service options needed to unlock it. This is
 * what sinks, sources and formats carry into the job graph and checkpoints — a name, never key
 * material. {@link #unlock()} obtains the key lazily where it is used (on a TaskManager).
 */
@PublicEvolving
public final class MasterKey implements Serializable {
    private static final long serialVersionUID = 1L;

    private final KeyUri keyUri;
    private final KeyServiceOptions options;

    private MasterKey(KeyUri keyUri, KeyServiceOptions options) {
        this.keyUri = keyUri;
        this.options = options;
    }

    /**
     * A master key reference. The URI is parsed and its scheme checked now, so mistakes surface
     * when the job is built, not on a TaskManager; nothing is unlocked.
     */
    public static MasterKey of(String keyUri, KeyServiceOptions options) {
        checkNotNull(keyUri, "key URI must be set");
        KeyUri uri = KeyUri.parse(keyUri);
        java.util.Set<String> schemes = KeyServices.schemes();
        if (!schemes.contains(uri.scheme())) {
            throw new IllegalArgumentException(
                    String.format(
                            "key URI '%s' has unknown scheme '%s'; expected one of %s",
                            keyUri, uri.scheme(), String.join(", ", schemes)));
        }
        try {
            KeyServices.validate(uri, checkNotNull(options));
        } catch (KeyServiceException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return new MasterKey(uri, options);
    }

    public static MasterKey of(String keyUri) {
        return of(keyUri, KeyServiceOptions.empty());
    }

    public KeyUri keyUri() {
        return keyUri;
    }

    public KeyServiceOptions options() {
        return options;
    }

    /** The master key's AEAD, through the key-service cache. */
    public Aead unlock() throws KeyServiceException {
        return KeyServices.getAead(keyUri, options);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MasterKey
                && ((MasterKey) o).keyUri.equals(keyUri)
                && ((MasterKey) o).options.equals(options);
    }

    @Override
    public int hashCode() {
        return Objects.hash(keyUri, options);
    }

    @Override
    public String toString() {
        return "MasterKey{" + keyUri + ", " + options + "}";
    }
}
