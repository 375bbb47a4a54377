package dev.ppml.connector.keys;

import static org.apache.flink.util.Preconditions.checkNotNull;

import com.google.crypto.tink.Aead;
import dev.ppml.keys.InvalidKeyReferenceException;
import dev.ppml.keys.KeyReference;
import dev.ppml.keys.KeyServiceException;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.keys.KeyUri;
import java.io.Serializable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * The master key of a sink, source or table: a {@link KeyReference} (key URI plus key-service
 * options) as the connector carries it into the job graph and checkpoints — a name, never key
 * material. {@link #unlock()} obtains the key lazily where it is used, on a TaskManager.
 *
 * <p>The reference is validated by the key-service client, once, when the master key is made, so
 * mistakes surface where the job is built; this class only turns its errors into {@link
 * IllegalArgumentException}s that name the Flink option at fault.
 */
@PublicEvolving
public final class MasterKey implements Serializable {
    private static final long serialVersionUID = 2L;

    private final KeyReference reference;

    private MasterKey(KeyReference reference) {
        this.reference = reference;
    }

    /**
     * A master key reference, checked now (nothing is unlocked).
     *
     * @throws IllegalArgumentException if the key URI or an option is invalid; the message says
     *     which and why
     */
    public static MasterKey of(String keyUri, KeyServiceOptions options) {
        checkNotNull(options, "key-service options must not be null");
        try {
            return new MasterKey(KeyReference.of(keyUri, options));
        } catch (InvalidKeyReferenceException e) {
            throw new IllegalArgumentException(KeyServiceConfigOptions.describe(e), e);
        }
    }

    public static MasterKey of(String keyUri) {
        return of(keyUri, KeyServiceOptions.empty());
    }

    public KeyReference reference() {
        return reference;
    }

    public KeyUri keyUri() {
        return reference.keyUri();
    }

    public KeyServiceOptions options() {
        return reference.options();
    }

    /** The master key's AEAD, through the key-service cache. */
    public Aead unlock() throws KeyServiceException {
        return reference.unlock();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MasterKey && ((MasterKey) o).reference.equals(reference);
    }

    @Override
    public int hashCode() {
        return reference.hashCode();
    }

    @Override
    public String toString() {
        return "MasterKey{" + reference.keyUri() + ", " + reference.options() + "}";
    }
}
