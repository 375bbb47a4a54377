package dev.ppml.connector.keys;

import dev.ppml.keys.KeyReference;
import dev.ppml.keys.KeyService;
import dev.ppml.keys.KeyServiceFactory;
import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.keys.KeyServices;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test support: the {@code recording:} scheme unlocks {@code local:} keystores and records the call
 * stack of every unlock, so a test can prove where keys are unlocked.
 */
public final class RecordingKeyServiceFactory implements KeyServiceFactory {

    /** The stacks of all unlocks since the last {@link #reset()}. */
    public static final List<StackTraceElement[]> UNLOCKS = new CopyOnWriteArrayList<>();

    public static void reset() {
        UNLOCKS.clear();
        KeyServices.invalidateAll();
    }

    @Override
    public String scheme() {
        return "recording";
    }

    @Override
    public KeyService create(KeyServiceOptions options) {
        return keyUri -> {
            UNLOCKS.add(Thread.currentThread().getStackTrace());
            return KeyReference.of("local:" + keyUri.schemeSpecificPart(), options).unlock();
        };
    }
}
