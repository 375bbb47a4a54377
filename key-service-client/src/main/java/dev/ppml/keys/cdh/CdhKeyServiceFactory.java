package dev.ppml.keys.cdh;

import dev.ppml.keys.InvalidKeyReferenceException;
import dev.ppml.keys.KeyService;
import dev.ppml.keys.KeyServiceFactory;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.keys.KeyUri;

/** Registers the {@code cdh:} scheme. */
public final class CdhKeyServiceFactory implements KeyServiceFactory {
    @Override
    public String scheme() {
        return CdhKeyService.SCHEME;
    }

    @Override
    public KeyService create(KeyServiceOptions options) throws InvalidKeyReferenceException {
        return new CdhKeyService(options);
    }

    @Override
    public void validate(KeyUri keyUri, KeyServiceOptions options)
            throws InvalidKeyReferenceException {
        CdhKeyService.validate(keyUri, options);
    }
}
