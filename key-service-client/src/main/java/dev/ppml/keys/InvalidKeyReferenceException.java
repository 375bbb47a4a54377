package dev.ppml.keys;

import java.util.Optional;
import javax.annotation.Nullable;

/**
 * A key reference is malformed: its key URI does not parse, names no known key service, or its
 * options are missing, of the wrong type or contradict each other. Found without unlocking
 * anything, where the reference is made ({@link KeyReference#of}).
 *
 * <p>The message says what was expected and what was found, naming options by their key-service
 * name (e.g. {@code kbs.tee}); {@link #option()} gives that name, so a layer with its own names for
 * options (Flink's {@code ppml.key-service.kbs.tee}) can say it in its own terms.
 */
public class InvalidKeyReferenceException extends KeyServiceException {
    private static final long serialVersionUID = 1L;

    @Nullable private final String option;

    public InvalidKeyReferenceException(String message) {
        this(message, null);
    }

    public InvalidKeyReferenceException(String message, @Nullable String option) {
        super(message);
        this.option = option;
    }

    /** The key-service option at fault, if one is; empty when the key URI itself is. */
    public Optional<String> option() {
        return Optional.ofNullable(option);
    }
}
