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
 * Entry point to the key services: picks the {@link KeyService} for a key URI's scheme and caches
 * unlocked master keys in memory for a bounded time ({@link KeyServiceOptions#cacheTtl()}).
 *
 * <p>Call it lazily, where the key is used (a TaskManager opening a file), never on a coordinator.
 * The cache is per JVM; an entry expires after the TTL and the next use unlocks again.
 */
public final class KeyServices {

    private static final Map<CacheKey, Cached> CACHE = new ConcurrentHashMap<>();
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

    /** Returns the master key's AEAD, from the cache or unlocked now. */
    public static Aead getAead(String keyUri, KeyServiceOptions options)
            throws KeyServiceException {
        return getAead(parse(keyUri), options);
    }

    /** Returns the master key's AEAD, from the cache or unlocked now. */
    public static Aead getAead(KeyUri keyUri, KeyServiceOptions options)
            throws KeyServiceException {
        CacheKey cacheKey = new CacheKey(keyUri, options);
        Instant now = clock.instant();
        Cached cached = CACHE.get(cacheKey);
        if (cached != null && now.isBefore(cached.expiresAt)) {
            return cached.aead;
        }
        Aead aead;
        try (KeyService service = create(keyUri, options)) {
            aead = service.getAead(keyUri);
        }
        CACHE.put(cacheKey, new Cached(aead, now.plus(options.cacheTtl())));
        return aead;
    }

    /** Creates an uncached key service for the URI's scheme. */
    public static KeyService create(KeyUri keyUri, KeyServiceOptions options)
            throws KeyServiceException {
        return factory(keyUri).create(options);
    }

    /**
     * Checks the URI's scheme, syntax and options offline (nothing is unlocked); what each scheme
     * checks is its factory's {@link KeyServiceFactory#validate}.
     */
    public static void validate(KeyUri keyUri, KeyServiceOptions options)
            throws KeyServiceException {
        factory(keyUri).validate(keyUri, options);
    }

    private static KeyServiceFactory factory(KeyUri keyUri) throws KeyServiceException {
        Map<String, KeyServiceFactory> factories = factories();
        KeyServiceFactory factory = factories.get(keyUri.scheme());
        if (factory == null) {
            throw new KeyServiceException(
                    String.format(
                            "key URI '%s' has unknown scheme '%s'; expected one of %s",
                            keyUri, keyUri.scheme(), String.join(", ", factories.keySet())));
        }
        return factory;
    }

    /** Parses a key URI, turning a syntax error into a {@link KeyServiceException}. */
    public static KeyUri parse(String keyUri) throws KeyServiceException {
        try {
            return KeyUri.parse(keyUri);
        } catch (IllegalArgumentException e) {
            throw new KeyServiceException(e.getMessage());
        }
    }

    /** The schemes of all key services on the class path, sorted. */
    public static java.util.Set<String> schemes() {
        return factories().keySet();
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

    private static final class CacheKey {
        private final KeyUri uri;
        private final KeyServiceOptions options;

        CacheKey(KeyUri uri, KeyServiceOptions options) {
            this.uri = uri;
            this.options = options;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CacheKey
                    && ((CacheKey) o).uri.equals(uri)
                    && ((CacheKey) o).options.equals(options);
        }

        @Override
        public int hashCode() {
            return 31 * uri.hashCode() + options.hashCode();
        }
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
