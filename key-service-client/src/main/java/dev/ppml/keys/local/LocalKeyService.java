package dev.ppml.keys.local;

import com.google.crypto.tink.Aead;
import dev.ppml.keys.KeyService;
import dev.ppml.keys.KeyServiceException;
import dev.ppml.keys.KeyUri;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code local:} key service: master keys from {@link LocalKeystore} files. Logs a one-line
 * warning, once per keystore and JVM, that local keys are for development.
 */
public final class LocalKeyService implements KeyService {
    private static final Logger LOG = LoggerFactory.getLogger(LocalKeyService.class);
    private static final Set<Path> WARNED = ConcurrentHashMap.newKeySet();

    @Override
    public Aead getAead(KeyUri keyUri) throws KeyServiceException {
        Aead aead = LocalKeystore.load(keyUri);
        if (WARNED.add(LocalKeystore.pathOf(keyUri).toAbsolutePath())) {
            LOG.warn(
                    "Using local development keystore '{}': local keys are for development only;"
                            + " use a kbs:// or cdh:// key URI in production.",
                    keyUri);
        }
        return aead;
    }

    @Override
    public String toString() {
        return "LocalKeyService";
    }
}
