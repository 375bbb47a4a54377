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
    void unknownSchemeListsTheKnownOnes() {
        assertThatThrownBy(() -> KeyServices.getAead("vault://x/y", KeyServiceOptions.empty()))
                .isInstanceOf(KeyServiceException.class)
                .hasMessageContaining("key URI 'vault://x/y' has unknown scheme 'vault'")
                .hasMessageContaining("expected one of")
                .hasMessageContaining("local");
    }

    @Test
    void malformedUriIsAKeyServiceException() {
        assertThatThrownBy(() -> KeyServices.getAead("no-scheme", KeyServiceOptions.empty()))
                .isInstanceOf(KeyServiceException.class)
                .hasMessageContaining("not of the form <scheme>:<location>");
    }

    @Test
    void cachesUnlockedKeysForTheConfiguredTtlOnly() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        KeyServices.setClockForTesting(clock);
        KeyUri uri = KeyUri.parse("local:" + dir.resolve("k.json"));
        LocalKeystore.create(uri, false);
        KeyServiceOptions options =
                KeyServiceOptions.of(Map.of(KeyServiceOptions.CACHE_TTL, "1 min"));

        Aead first = KeyServices.getAead(uri, options);
        Files.delete(LocalKeystore.pathOf(uri));
        clock.advance(Duration.ofSeconds(59));
        assertThat(KeyServices.getAead(uri, options)).isSameAs(first);

        clock.advance(Duration.ofSeconds(2));
        assertThatThrownBy(() -> KeyServices.getAead(uri, options))
                .hasMessageContaining("does not exist");
    }

    @Test
    void optionsToStringHidesValues() {
        KeyServiceOptions options = KeyServiceOptions.of(Map.of("token", "s3cr3t"));
        assertThat(options.toString()).contains("token").doesNotContain("s3cr3t");
    }

    @Test
    void parsesFlinkAndIsoDurations() {
        assertThat(KeyServiceOptions.parseDuration("k", "500 ms"))
                .isEqualTo(Duration.ofMillis(500));
        assertThat(KeyServiceOptions.parseDuration("k", "30 s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(KeyServiceOptions.parseDuration("k", "10min")).isEqualTo(Duration.ofMinutes(10));
        assertThat(KeyServiceOptions.parseDuration("k", "PT2H")).isEqualTo(Duration.ofHours(2));
        assertThatThrownBy(() -> KeyServiceOptions.parseDuration("cache-ttl", "soon"))
                .hasMessageContaining("'cache-ttl'")
                .hasMessageContaining("not a duration");
    }
}
