package dev.ppml.connector.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ppml.keys.KeyServiceOptions;
import dev.ppml.keys.cdh.CdhKeyService;
import dev.ppml.keys.kbs.KbsClientConfig;
import dev.ppml.keys.kbs.KbsKeyServiceFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

class KeyServiceConfigOptionsTest {

    @Test
    void everyKeyOfTheKeyServiceClientHasATypedFlinkOption() throws Exception {
        Set<String> clientKeys = new TreeSet<>();
        clientKeys.add(KeyServiceOptions.CACHE_TTL);
        for (Class<?> c :
                new Class<?>[] {
                    KbsClientConfig.class, KbsKeyServiceFactory.class, CdhKeyService.class
                }) {
            for (Field f : c.getFields()) {
                if (Modifier.isStatic(f.getModifiers())
                        && f.getType() == String.class
                        && !f.getName().startsWith("DEFAULT")
                        && !f.getName().equals("SCHEME")) {
                    clientKeys.add((String) f.get(null));
                }
            }
        }
        Set<String> mirrored =
                KeyServiceConfigOptions.ALL.stream()
                        .map(o -> o.key().substring(KeyServiceConfigOptions.KEY_SERVICE.length()))
                        .collect(Collectors.toCollection(TreeSet::new));
        assertThat(mirrored).isEqualTo(clientKeys);
        assertThat(KeyServiceConfigOptions.ALL)
                .allSatisfy(o -> assertThat(o.description().toString()).isNotBlank());
    }

    @Test
    void defaultsAreTheKeyServiceClientsDefaults() {
        assertThat(KeyServiceConfigOptions.CACHE_TTL.defaultValue())
                .isEqualTo(KeyServiceOptions.DEFAULT_CACHE_TTL);
        assertThat(KeyServiceConfigOptions.KBS_REQUEST_TIMEOUT.defaultValue())
                .isEqualTo(KbsClientConfig.DEFAULT_REQUEST_TIMEOUT);
        assertThat(KeyServiceConfigOptions.KBS_MAX_ATTEMPTS.defaultValue())
                .isEqualTo(KbsClientConfig.DEFAULT_MAX_ATTEMPTS);
        assertThat(KeyServiceConfigOptions.KBS_RETRY_BACKOFF.defaultValue())
                .isEqualTo(KbsClientConfig.DEFAULT_RETRY_BACKOFF);
        assertThat(KeyServiceConfigOptions.KBS_SESSION_TTL.defaultValue())
                .isEqualTo(KbsClientConfig.DEFAULT_SESSION_TTL);
        assertThat(KeyServiceConfigOptions.KBS_HASH.defaultValue())
                .isEqualTo(KbsKeyServiceFactory.DEFAULT_HASH);
        assertThat(KeyServiceConfigOptions.CDH_URL.defaultValue())
                .isEqualTo(CdhKeyService.DEFAULT_URL);
        assertThat(KeyServiceConfigOptions.CDH_REQUEST_TIMEOUT.defaultValue())
                .isEqualTo(CdhKeyService.DEFAULT_REQUEST_TIMEOUT);
    }

    @Test
    void flinkValuesBecomeCanonicalKeyServiceValues() throws Exception {
        KeyServiceOptions options =
                KeyServiceConfigOptions.fromFlinkConfig(
                        Map.of(
                                "ppml.key-service.cache-ttl", "90 s",
                                "ppml.key-service.kbs.tee", "tdx",
                                "ppml.key-service.kbs.max-attempts", "2",
                                "ppml.key-service.kbs.plaintext-http", "TRUE",
                                "parallelism.default", "4"));
        assertThat(options.asMap())
                .containsOnly(
                        Map.entry("cache-ttl", "PT1M30S"),
                        Map.entry("kbs.tee", "tdx"),
                        Map.entry("kbs.max-attempts", "2"),
                        Map.entry("kbs.plaintext-http", "true"));
        assertThat(options.cacheTtl()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void unknownKeysAndWrongTypesNameTheFlinkKey() {
        assertThatThrownBy(
                        () ->
                                KeyServiceConfigOptions.fromFlinkConfig(
                                        Map.of("ppml.key-service.kbs.tea", "tdx")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown key-service option(s) [ppml.key-service.kbs.tea]")
                .hasMessageContaining("ppml.key-service.kbs.tee");
        assertThatThrownBy(
                        () ->
                                KeyServiceConfigOptions.fromFlinkConfig(
                                        Map.of("ppml.key-service.kbs.max-attempts", "many")))
                .hasMessage(
                        "key-service option 'ppml.key-service.kbs.max-attempts' has value 'many',"
                                + " which is not a whole number");
    }

    @Test
    void keysOfOptionsAreRelativeToThePpmlPrefix() {
        assertThat(KeyServiceConfigOptions.ALL.stream().map(ConfigOption::key))
                .allMatch(k -> k.startsWith("key-service."));
        assertThat(
                        Arrays.stream(KeyServiceConfigOptions.class.getFields())
                                .filter(f -> f.getType() == ConfigOption.class)
                                .count())
                .isEqualTo(KeyServiceConfigOptions.ALL.size());
    }
}
