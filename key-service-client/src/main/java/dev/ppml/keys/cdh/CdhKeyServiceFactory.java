package dev.ppml.keys.cdh;

import dev.ppml.keys.KeyService;
import dev.ppml.keys.KeyServiceFactory;
import dev.ppml.keys.KeyServiceOptions;

/** Registers the {@code cdh:} scheme. */
public final class CdhKeyServiceFactory implements KeyServiceFactory {
    @Override
    public String scheme() {
        return CdhKeyService.SCHEME;
    }

    @Override
    public KeyService create(KeyServiceOptions options) {
        return new CdhKeyService(options);
    }
}
