package dev.ppml.keys.local;

import dev.ppml.keys.InvalidKeyReferenceException;
import dev.ppml.keys.KeyService;
import dev.ppml.keys.KeyServiceFactory;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.keys.KeyUri;

/** Registers the {@code local:} scheme. */
public final class LocalKeyServiceFactory implements KeyServiceFactory {
    @Override
    public String scheme() {
        return LocalKeystore.SCHEME;
    }

    @Override
    public KeyService create(KeyServiceOptions options) {
        return new LocalKeyService();
    }

    @Override
    public void validate(KeyUri keyUri, KeyServiceOptions options)
            throws InvalidKeyReferenceException {
        LocalKeystore.pathOf(keyUri);
    }
}
