package dev.ppml.keys;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The key services of this JVM: finds the {@link KeyService} for a key URI's scheme and caches
 * unlocked master keys in memory for a bounded time ({@link KeyServiceOptions#cacheTtl()}). Keys
 * are unlocked through {@link KeyReference#unlock()}.
 *
 * <p>Call it lazily, where the key is used (a TaskManager opening a file), never on a coordinator.
 * The cache is per JVM; an entry expires after the TTL and the next use unlocks again.
 */
public final class KeyServices {

    private static final Map<KeyReference, Cached> CACHE = new ConcurrentHashMap<>();
    private static volatile Clock clock = Clock.systemUTC();

    static {
        try {
            AeadConfig.register();
            StreamingAeadConfig.register();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot register Tink primitives", e);
        }
    }

    private KeyServices() {}

    /** Makes sure Tink's AEAD and streaming AEAD primitives are registered. */
    public static void registerTink() {
        // the static initializer does the work
    }

    /**
     * Returns the master key's AEAD, from the cache or unlocked now. Callers hold a {@link
     * KeyReference}, which was validated when it was made.
     */
    static Aead getAead(KeyReference key) throws KeyServiceException {
        Instant now = clock.instant();
        Cached cached = CACHE.get(key);
        if (cached != null && now.isBefore(cached.expiresAt)) {
            return cached.aead;
        }
        Aead aead;
        try (KeyService service = factory(key.keyUri()).create(key.options())) {
            aead = service.getAead(key.keyUri());
        }
        CACHE.put(key, new Cached(aead, now.plus(key.options().cacheTtl())));
        return aead;
    }

    /** The key service factory of the URI's scheme. */
    static KeyServiceFactory factory(KeyUri keyUri) throws InvalidKeyReferenceException {
        Map<String, KeyServiceFactory> factories = factories();
        KeyServiceFactory factory = factories.get(keyUri.scheme());
        if (factory == null) {
            throw new InvalidKeyReferenceException(
                    String.format(
                            "key URI '%s' has unknown scheme '%s'; expected one of %s",
                            keyUri, keyUri.scheme(), String.join(", ", factories.keySet())));
        }
        return factory;
    }

    /** Drops every cached key, so the next use unlocks again. */
    public static void invalidateAll() {
        CACHE.clear();
    }

    static void setClockForTesting(Clock testClock) {
        clock = testClock;
    }

    private static Map<String, KeyServiceFactory> factories() {
        Map<String, KeyServiceFactory> byScheme = new TreeMap<>();
        ClassLoader loader = KeyServices.class.getClassLoader();
        for (KeyServiceFactory f : ServiceLoader.load(KeyServiceFactory.class, loader)) {
            byScheme.putIfAbsent(f.scheme(), f);
        }
        return byScheme;
    }

    private static final class Cached {
        final Aead aead;
        final Instant expiresAt;

        Cached(Aead aead, Instant expiresAt) {
            this.aead = aead;
            this.expiresAt = expiresAt;
        }
    }
}
