package dev.ppml.keys;

/**
 * Creates the {@link KeyService} for one key URI scheme. Implementations are discovered with {@link
 * java.util.ServiceLoader} from {@code META-INF/services/dev.ppml.keys.KeyServiceFactory}.
 */
public interface KeyServiceFactory {

    /** The lower-case URI scheme this factory serves, e.g. {@code local}. */
    String scheme();

    /** Creates a key service configured by {@code options}. */
    KeyService create(KeyServiceOptions options) throws KeyServiceException;

    /**
     * Checks a key URI and its options without unlocking anything or touching the network, so
     * mistakes surface where the job is built rather than on a TaskManager.
     */
    default void validate(KeyUri keyUri, KeyServiceOptions options)
            throws InvalidKeyReferenceException {}
}
