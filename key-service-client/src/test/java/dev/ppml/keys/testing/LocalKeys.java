package dev.ppml.keys.testing;

import dev.ppml.keys.KeyServiceException;
import dev.ppml.keys.KeyUri;
import dev.ppml.keys.local.LocalKeystore;
import java.nio.file.Path;

/** Test support: fresh {@code local:} master keys in a temporary directory. */
public final class LocalKeys {
    private LocalKeys() {}

    /** Creates a new keystore {@code dir/name.keyset.json}; returns its key URI. */
    public static String create(Path dir, String name) throws KeyServiceException {
        String uri = "local:" + dir.resolve(name + ".keyset.json").toAbsolutePath();
        LocalKeystore.create(KeyUri.parse(uri), false);
        return uri;
    }

    /** The keystore file behind a key URI made by {@link #create}. */
    public static Path keystore(String keyUri) throws KeyServiceException {
        return LocalKeystore.pathOf(KeyUri.parse(keyUri));
    }
}
