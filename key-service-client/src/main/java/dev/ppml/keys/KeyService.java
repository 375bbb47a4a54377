package dev.ppml.keys;

import com.google.crypto.tink.Aead;

/**
 * A source of master keys, one implementation per key URI scheme.
 *
 * <p>Callers get Tink primitives, never key bytes: the master key's {@link Aead} wraps and unwraps
 * per-file data keys. Implementations may do remote work to unlock a key (attest to a key broker,
 * ask the Confidential Data Hub); callers should therefore ask lazily, on the machine that needs
 * the key, and go through {@link KeyServices} which caches unlocked keys for a bounded time.
 *
 * <p>Security guarantees: an implementation never logs, stores or puts into exception messages the
 * key material it handles.
 */
public interface KeyService extends AutoCloseable {

    /**
     * Returns the AEAD of the master key named by {@code keyUri}.
     *
     * @throws KeyServiceException naming the URI and the cause if the key cannot be obtained
     */
    Aead getAead(KeyUri keyUri) throws KeyServiceException;

    @Override
    default void close() {}
}
