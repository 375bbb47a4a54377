package dev.ppml.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.Aead;
import dev.ppml.keys.local.LocalKeystore;
import dev.ppml.keys.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyServicesTest {

    @TempDir Path dir;

    @AfterEach
    void reset() {
        KeyServices.setClockForTesting(Clock.systemUTC());
        KeyServices.invalidateAll();
    }

    @Test
    void cachesUnlockedKeysForTheConfiguredTtlOnly() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        KeyServices.setClockForTesting(clock);
        KeyUri uri = KeyUri.parse("local:" + dir.resolve("k.json"));
        LocalKeystore.create(uri, false);
        KeyReference key =
                KeyReference.of(
                        uri.toString(),
                        KeyServiceOptions.of(Map.of(KeyServiceOptions.CACHE_TTL, "PT1M")));

        Aead first = key.unlock();
        Files.delete(LocalKeystore.pathOf(uri));
        clock.advance(Duration.ofSeconds(59));
        assertThat(key.unlock()).isSameAs(first);

        clock.advance(Duration.ofSeconds(2));
        assertThatThrownBy(key::unlock).hasMessageContaining("does not exist");
    }

    @Test
    void equalReferencesShareTheCacheEntry() throws Exception {
        KeyUri uri = KeyUri.parse("local:" + dir.resolve("k.json"));
        LocalKeystore.create(uri, false);
        Aead first = KeyReference.of(uri.toString()).unlock();
        assertThat(KeyReference.of(uri.toString()).unlock()).isSameAs(first);
        KeyServices.invalidateAll();
        assertThat(KeyReference.of(uri.toString()).unlock()).isNotSameAs(first);
    }
}
